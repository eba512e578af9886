"""`name`: a proper name the facts do not contain — another organisation, a place, a person, a named event or
an honour (`供电公司` in a school's draft, `“银龄杯”` when the facts say 职工运动会, a `全国五一劳动奖状` the facts
never mention).

Candidates are found by their form, not by a list of names:
- organisations: a name part before `公司/集团/厂/医院/银行/支行/学校/中学/小学/大学/学院/协会/…`; the
  government suffixes (`局/部/委/办/中心/站/所/院`) only after a place (`县委组织部`, `区人社局`);
- places: a place word (jieba's dictionary tags places `ns`) before `省/市/县/区/镇/乡/街道/村`, and after a
  verb of travel (`赴井冈山`);
- events: `…杯` in quotes or before 比赛/竞赛; a quoted name ending in an event or honour word (`“最美劳动者”`);
- honours: what follows 荣获/被评为/获评/授予 up to 称号, and `全国/省级/市级… + 奖状/奖章/工人先锋号/…`;
- persons: a surname and one or two characters before 同志/主席/书记/校长/行长/护士长/….

Never flagged: anything the facts contain (a candidate is looked up in the facts' text, and its character
bigrams mostly covered by the facts' count too: `市技能大赛一等奖` ← `参加市技能大赛获一等奖`), the
organisation and its superior and their short forms (a subsequence ending the same way: `宏达公司` ←
`宏达精密机械有限公司`), and the genre's generic vocabulary: every string found in at least 3 of the
bundled summaries (职工之家, 职工书屋, 职代会, 党委, 上级工会, 市总工会, 集团公司 … come out so), plus the
short documented lists below for what 18 summaries cannot teach (我/本/全/各 + 公司, 乡镇, 城区).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import numbers  # noqa: F401  (amount, date, placeholder register first: the UI and CLI list kinds in order)
from .context import CheckContext
from .factblocks import FactBlocks, fact_blocks
from .flags import Flag
from .registry import Rule, register_checker, register_kind, register_rule, rule

_CJK = "\u4e00-\u9fff"


def _words(s: str) -> list[str]:
    return s.split()


# Organisation suffixes that make a name with any name part of two characters or more.
_ORG_SUFFIX = (
    "股份有限公司|有限责任公司|有限公司|分公司|公司|集团|总厂|分厂|厂|职业技术学院|大学|学院|中学|小学|幼儿园|学校|"
    "卫生院|医院|银行|分行|支行|信用社|研究院|研究所|设计院|协会|联合会|商会|基金会|合作社|事务所|总工会"
)
# Government and unit suffixes: names only after a place (`县委组织部`, `区人社局`, `市血液中心`).
_GOV_SUFFIX = "局|部|委|厅|处|中心|站|所|院|队|馆|委员会|管委会|办事处|办公室"
_PLACE_SUFFIX = "省|市|县|区|镇|乡|街道|村|社区"
_PLACE_PREFIX = re.compile(r"^(?:省|市|县|区|州|镇|乡|街道|全国|中央|国家)")
_TITLES = (
    "同志|主席|副主席|书记|副书记|院长|副院长|校长|副校长|行长|副行长|总经理|经理|董事长|局长|副局长|主任|副主任|老师|"
    "师傅|医生|护士长|科长|处长|部长|站长|所长|厂长|会长|班长|组长|馆长"
)
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤"
)
# Characters a person's given name does not have in this genre (`全体同志`, `常务副主席`, `各位老师`).
_NOT_GIVEN = set("体位级务副委会们部处科总党工行院校局厂室员长代表群众大家广各些职支队班组线审纪")
_HONOUR_TITLES = (
    "五一劳动奖状|五一劳动奖章|工人先锋号|模范职工之家|先进职工之家|模范职工小家|先进集体|先进个人|先进工作者|劳动模范|劳模|"
    "三八红旗手|三八红旗集体|巾帼文明岗|青年文明号|先进基层工会|红旗工会|模范集体|文明单位|示范单位|优秀工会工作者|"
    "优秀工会积极分子|工会积极分子|五四红旗团支部|五四青年奖章|技术能手|岗位能手|最美职工|工匠|先进单位"
)
_LEVEL = r"(?:全国|全省|全市|全县|全区|省级?|市级?|县级?|区级?|国家级?|中央|集团|行业|系统)"
_AWARD_VERB = re.compile(r"荣获|获评|被评为|评为|被授予|授予|荣膺|获得|获")
_HONOUR_END = re.compile(r"称号|荣誉称号|荣誉|[，,。；;、！!（(\n]")
_HONOUR_WORD = re.compile(
    r"奖|号|岗|手|家|集体|个人|单位|模范|先进|标兵|之星|能手|工匠|工会|班组|团队|劳动者|工作者|积极分子|红旗|示范|优秀|十佳|最美"
)
_EVENT_END = re.compile(
    r"(?:杯|节|赛|奖|号|岗|能手|旗手|标兵|之星|模范|先进|团队|集体|工匠|劳动者|工作者|班组|示范)$"
)
# An honour striven for, not held: `争创全国模范职工之家`, `推荐参评市劳动模范`.
_ASPIRATION = re.compile(r"争创|创建|争当|争做|申报|推荐|参评|评选|争取|力争|学习|宣传|弘扬|对标|向")
# A contest's prize is a result, not a name (`一等奖`, `优秀组织奖`, `单项奖`, `团体第二名`).
_PRIZE = re.compile(r"(?:[一二三四五六特]等|优秀|组织|单项|鼓励|金|银|铜|团体|个人|最佳[\u4e00-\u9fff]{0,4}|优胜|参与|纪念)奖$")
_HOLIDAY = re.compile(
    r"(?:妇女|儿童|劳动|教师|护士|老年|重阳|中秋|端午|春|元宵|国庆|建党|建军|三八|五一|五四|六一|七一|八一|十一|清明|植树|青年|"
    r"母亲|父亲|元旦|七夕|腊八|敬老|记者|医师|消防|环境|读书|科技|文化|艺术|体育)节$"
)
_QUOTED = re.compile(r"[“\"「『]([^”\"」』\n]{2,16})[”\"」』]")
_CUP = re.compile(rf"([{_CJK}A-Za-z0-9]{{1,8}}杯)(?=[{_CJK}]{{0,8}}(?:比赛|竞赛|大赛|联赛|运动会|邀请赛|友谊赛|活动))")
# A trip: a verb of travel, the destination, then what was done there (`赴井冈山开展红色教育`).
_TRAVEL = re.compile(
    rf"(?:赴|前往|来到|走进|远赴|奔赴|到)([{_CJK}]{{2,6}}?)(?=开展|参观|学习|考察|疗休养|疗养|休养|交流|调研|慰问|"
    r"参加|进行|举办|研学|瞻仰|缅怀|重温|接受|观摩|游览|体验|实地)"
)
# jieba tags some everyday words `ns`; these are never a destination here.
_NOT_PLACES = frozenset(_words("城市 城镇 山区 都市 大街 高原 平原 新建 福利 东西 美丽 英雄 爱国 建国 上市 外国 大国 古城 "
                               "新城 商城 中路 南路 海关 入口 农村 社会 现场 当地 外地 各地 基层 一线 全国"))
# Characters that end a name to the left: function words, and the clause's punctuation (not in the class).
_BOUNDARY = set("的了和与及在到赴向对从由是被将把并也都又或给让同跟等个这那其以于至经但却借离着仍就才均皆亦即")
# Verbs and words that start the stretch before a name, not the name (`联合市血液中心`, `组织职工到`).
_LEAD_WORDS = sorted(_words(
    "组织 联合 携手 联手 走进 参观 来到 前往 邀请 协助 配合 代表 荣获 获得 获评 评为 授予 积极 深入 慰问 看望 走访 协调 联系 "
    "依托 借助 通过 针对 围绕 结合 成立 组建 筹建 建立 建成 举办 开展 召开 参加 承办 协办 主办 会同 牵头 支持 帮助 服务 "
    "面向 覆盖 所在 当地 附近 周边 辖区 赴 到 与 和 同 在 向 对 从 由 及 跟 给 让 是 被 将 把 并 受 经 以 于 对接 共建 "
    "推荐 选派 派出 带领 率领 动员 号召 引导 邀 请 获 荣膺 成功 先后 分别 还 也 又 都 共同 全体 广大 职工 员工 干部 教职工 "
    "医护人员 党员 会员 参赛 选手 一起 一同 前去 远赴 奔赴 去 来 等 各 多家 一批 进行 加强 参与 落实 完善 提高 做好 "
    "关心 实现 推动 促进 指导 感谢 得到 争取 打造 创建 配合 保障 按照 根据 依据 认真 全面 不断 切实 主动 "
    "贯彻 推行 执行 学习 宣传 响应 遵照 服从 接受 助力 扶持 深化 推进 优化 规范 帮扶 结对 支援 对口 拜访 考察 调研 "
    "观摩 交流 合作 签约 签订 牵手 出席 联动 融入 为了 关于 包括 涵盖 涉及 所有 每个 每家 各个 各类 多个 两家 三家 数家 "
    "建设 成为 作为 因为 是 转化为 化为 转为 视为 称为 定为 改为 变为 列为 誉为 认为 以为 评为 成为了"),
    key=len, reverse=True,
)
_LEAD_SET = frozenset(_LEAD_WORDS)
# Words of names that jieba tags as verbs or adjectives (`建设银行`, `发展银行`, `开发区`): kept in names.
_NAME_WORDS = frozenset(_words("建设 发展 开发 招商 华夏 光大 民生 平安 兴业 交通 农业 工商 人民 和平 幸福 长安 明珠 红旗 胜利 "
                               "东方 实验 育才 振兴 新华 光明 友谊 团结 前进 向阳 朝阳 阳光 希望 安康"))
_NUMERALS = frozenset("一二三四五六七八九十百千万两零〇几数多0123456789")
_MEASURE = frozenset("家所个名位批支座处")
# Kinds of organisation, not names: `三级甲等综合医院`, `律师事务所`, `乡村学校`, `师范大学`.
_TYPE_WORDS = frozenset(_words(
    "师范 综合 专科 职业 民营 国有 私营 外资 合资 上市 股份 商业 定点 三甲 二甲 甲等 三级 二级 会计 农村 乡村 城市 市属 "
    "县属 区属 省属 部属 重点 示范 普通 高等 中等 初级 附属 公立 私立 民办 公办 乡镇 基层 地方 大中型 中小 中小型 驻地 合作"
))
_LEAD_LENGTHS = sorted({len(w) for w in _LEAD_WORDS}, reverse=True)
_NAME_PARTS = frozenset(("组织", "服务", "宣传", "代表"))
_QUALIFIERS = ("高水平", "一流", "现代化", "新型", "特色", "知名", "优质", "大型", "小型", "中型", "各类", "多所", "一批",
               "本", "我", "该", "全", "各", "上级", "基层", "所属", "下属", "相关", "有关", "兄弟", "其他", "多家",
               "部分", "广大", "周边", "附近", "当地", "辖区", "所在", "驻地", "外", "子", "母", "总", "分", "这些")
_QUALIFIERS_RE = re.compile("^(?:" + "|".join(sorted(_QUALIFIERS, key=len, reverse=True)) + ")+")
# What 18 summaries cannot teach: everyday nouns ending like a name, and union words rarer than 3 in 18
# (documented, kept short; 职工之家, 职工书屋, 职代会, 党委, 上级工会 are learned from the corpus).
_GENERIC = frozenset(_words(
    "集团公司 上市公司 国有企业 子公司 母公司 总公司 分公司 控股公司 兄弟公司 合作公司 本公司 该公司 全公司 各公司 "
    "乡镇 城镇 城区 市区 社区 小区 园区 景区 辖区 片区 校区 院区 病区 厂区 开发区 高新区 示范区 "
    "机关工会 分工会 工会小组 总工会 职工小家 教代会 党支部 "
    "全国总工会 中华全国总工会 省总工会 市总工会 县总工会 区总工会 全总 地方工会 产业工会"
))


@dataclass(frozen=True, slots=True)
class NameHit:
    start: int
    end: int
    category: str  # 单位 | 地名 | 人名 | 活动 | 荣誉


# --- vocabularies, built once per process ------------------------------------------------------------------
_lock = threading.RLock()
_generic: frozenset[str] | None = None
_places: frozenset[str] | None = None


def generic_vocabulary(corpus_dir: Path | None = None, min_docs: int = 3, max_len: int = 8) -> frozenset[str]:
    """Every string of 2..max_len characters found in `min_docs` or more of the corpus's summaries."""
    global _generic
    with _lock:
        if _generic is not None and corpus_dir is None:
            return _generic
        from .copied import bundled_corpus_dir

        directory = corpus_dir or bundled_corpus_dir()
        df: Counter[str] = Counter()
        if directory.is_dir():
            for p in sorted(directory.glob("*.txt")):
                text = p.read_text(encoding="utf-8")
                grams: set[str] = set()
                for run in re.findall(rf"[{_CJK}]+", text):
                    for n in range(2, max_len + 1):
                        grams.update(run[i : i + n] for i in range(len(run) - n + 1))
                df.update(grams)
        vocab = frozenset(g for g, c in df.items() if c >= min_docs) | _GENERIC
        if corpus_dir is None:
            _generic = vocab
        return vocab


_DICT_LINE = re.compile(r"^(\S{2,4}) (\d+) (ns|v|d|p|c|r|u|ad|t|a|f|vd)$", re.M)
_nonname: frozenset[str] | None = None


def _load_dictionary() -> None:
    """jieba's dictionary (it ships with it): place names (`ns`, not rare) and everyday verbs, adverbs,
    times and adjectives (`巩固`, `相信`, `目前`, `最新`), which end the stretch before a name."""
    global _places, _nonname
    import jieba

    text = Path(jieba.__file__).with_name("dict.txt").read_text(encoding="utf-8")
    places, words = set(), set()
    for w, freq, tag in _DICT_LINE.findall(text):
        n = int(freq)
        if tag == "ns":
            if n >= 20:
                places.add(w)
        elif n >= 50:
            words.add(w)
    _places = frozenset(places - generic_vocabulary() - _NOT_PLACES)
    _nonname = frozenset(words - places - _NAME_WORDS)


def place_words() -> frozenset[str]:
    with _lock:
        if _places is None:
            _load_dictionary()
        assert _places is not None
        return _places


def nonname_words() -> frozenset[str]:
    with _lock:
        if _nonname is None:
            _load_dictionary()
        assert _nonname is not None
        return _nonname


# --- candidates ----------------------------------------------------------------------------------------------
def _name_start(draft: str, end: int, limit: int = 12, parts: bool = False) -> int:
    """Where the name ending at `end` starts: back over CJK characters to a boundary character, then after
    the last lead word inside that stretch (`志愿者走进学校` -> `学校`, `组织职工联合市血液中心` -> `市血液中心`)."""
    start = end
    while start > 0 and end - start < limit:
        ch = draft[start - 1]
        if not ("\u4e00" <= ch <= "\u9fff") or ch in _BOUNDARY:
            break
        if ch == "为" and not (start >= 2 and draft[start - 2] == "华"):
            break  # `为` is a preposition (`人数为全厂`), except in `华为`
        if ch in _MEASURE and start >= 2 and draft[start - 2] in _NUMERALS:
            break  # `三十六家支行`: a count of units, not a name
        start -= 1
    stretch = draft[start:end]
    nonname = nonname_words()
    # The last lead word (or everyday verb, adverb, time word) inside the stretch, scanning from the right.
    for j in range(len(stretch), 0, -1):
        for n in _LEAD_LENGTHS:
            w = stretch[j - n : j] if j >= n else ""
            if w in _LEAD_SET and not (parts and j == len(stretch) and w in _NAME_PARTS):
                return start + j
        for n in (4, 3, 2):
            w = stretch[j - n : j] if j >= n else ""
            if w in nonname and not (parts and j == len(stretch) and w in _NAME_PARTS):
                return start + j
    return start


def _strip_qualifiers(core: str) -> str:
    return _QUALIFIERS_RE.sub("", core, count=1)


@lru_cache(maxsize=1)
def _suffix_re() -> re.Pattern[str]:
    return re.compile(rf"(?:{_ORG_SUFFIX})|(?:{_GOV_SUFFIX})|(?:{_PLACE_SUFFIX})")


_COMMON_ENDINGS = frozenset(_words("大局 格局 布局 全局 结局 当局 开局 变局 新局 时局 政局 战局 僵局 残局 城市 超市 都市 门市 "
                                    "上市 股市 集市 夜市 全市 本市 我市 该市 全县 本县 我县 全区 本区 我区 全省 本省 我省 "
                                    "小区 园区 景区 辖区 片区 城区 校区 院区 病区 厂区 山区 地区 市区 郊区 误区 盲区 "
                                    "干部 全部 内部 外部 局部 支部 总部 重心 核心 圆心 爱心 信心 身心"))
_SUFFIX_AT_END = re.compile(rf"(?:{_ORG_SUFFIX}|{_GOV_SUFFIX}|{_PLACE_SUFFIX})$")
_WORD_AFTER = frozenset("务房长级规纪面势部场民直域内门分署位理于有属在以点员外际况委化业习生")
_ORG_SET = frozenset(_ORG_SUFFIX.split("|"))
_GOV_SET = frozenset(_GOV_SUFFIX.split("|"))
_PLACE_SET = frozenset(_PLACE_SUFFIX.split("|"))
_PERSON_RE = re.compile(rf"([{_SURNAMES}])([{_CJK}]{{1,2}}?)(?:{_TITLES})")
# A person named after a role, without a title after (`技术员孙丽获评…`, `职工张伟、李强`).
_ROLES = (
    "职工|员工|技术员|工程师|教师|老师|医生|护士|班组长|组长|队长|司机|会员|劳模|党员|干部|书记|主席|校长|院长|行长|局长|"
    "主任|经理|师傅|代表|骨干|工匠|选手|同志"
)
_ROLE_PERSON_RE = re.compile(
    rf"(?:{_ROLES})([{_SURNAMES}][{_CJK}]{{1,2}}?)(?=获|荣获|被评为|被授予|当选|带领|作为|同志|[，,、。；])"
)
# Venues that are organisations of their own, even without a name part (`青少年宫`, `工人文化宫`).
_VENUE_RE = re.compile(r"青少年宫|少年宫|文化宫|纪念馆|博物馆|科技馆|美术馆|体育中心")
_HONOUR_RE = re.compile(rf"({_LEVEL}[{_CJK}]{{0,8}}?)(?:{_HONOUR_TITLES})")


def candidates(draft: str) -> list[NameHit]:
    places = place_words()
    out: list[NameHit] = []
    # organisations and places, by suffix
    for m in _suffix_re().finditer(draft):
        suffix = m.group()
        end = m.end()
        if end < len(draft) and draft[end] in _WORD_AFTER:
            continue  # `厂务`, `局面`, `市场`, `公司化`, `银行业`: the suffix starts another word
        # `公司` inside `分公司`/`有限公司` is found once, at the longest suffix the regex matched.
        start = _name_start(draft, m.start(), parts=suffix in _GOV_SET)
        core = _strip_qualifiers(draft[start : m.start()])
        if len(core) < 2:
            continue
        start = m.start() - len(core)
        if len(suffix) == 1 and draft[m.start() - 1] in _NUMERALS:
            continue  # `十八所`: a count
        if len(suffix) == 1 and draft[m.start() - 1 : end] in _COMMON_ENDINGS:
            continue  # `大局`, `格局`, `布局`: a word, not a suffix
        if suffix in _ORG_SET:
            out.append(NameHit(start, end, "单位"))
        elif suffix in _PLACE_SET:
            if any(core.endswith(p) or core.startswith(p) for p in _prefixes(core) if p in places):
                out.append(NameHit(start, end, "地名"))
        elif (suffix in _GOV_SET and (_PLACE_PREFIX.match(core) or _starts_with_place(core, places))
              and not draft.startswith(("工作", "任务"), end)):
            out.append(NameHit(start, end, "单位"))
    # places after a verb of travel (no suffix): the first place word inside what follows (`赴嘉兴南湖`)
    for m in _TRAVEL.finditer(draft):
        word = m.group(1)
        for i in range(len(word) - 1):
            n = next((n for n in (4, 3, 2) if i + n <= len(word) and word[i : i + n] in places), 0)
            if n:
                out.append(NameHit(m.start(1), m.start(1) + i + n, "地名"))
                break
    # persons
    for m in _PERSON_RE.finditer(draft):
        given = m.group(2)
        if any(c in _NOT_GIVEN for c in given):
            continue
        if m.start() > 0 and "\u4e00" <= draft[m.start() - 1] <= "\u9fff" and draft[m.start() - 1] not in "长任记席理师员工生部队组科处局院校站所":
            continue  # `扩张` / `主张同志` — a surname character inside another word
        out.append(NameHit(m.start(1), m.end(2), "人名"))
    for m in _ROLE_PERSON_RE.finditer(draft):
        if not any(c in _NOT_GIVEN for c in m.group(1)[1:]):
            out.append(NameHit(m.start(1), m.end(1), "人名"))
    for m in _VENUE_RE.finditer(draft):
        out.append(NameHit(_name_start(draft, m.start(), limit=6), m.end(), "单位"))
    # cups, quoted event and honour names
    for m in _CUP.finditer(draft):
        s = _name_start(draft, m.end(1) - 1, limit=8)
        out.append(NameHit(s, m.end(1), "活动"))
    for m in _QUOTED.finditer(draft):
        inner = m.group(1)
        if re.search(r"[、，,；;：:。！？\s]", inner) or _HOLIDAY.search(inner):
            continue  # a slogan or a list, or a public holiday (`三八妇女节`)
        if len(inner) >= 3 and (_EVENT_END.search(inner) or inner.startswith(("最美", "十佳", "优秀"))):
            out.append(NameHit(m.start(1), m.end(1), "活动" if inner.endswith(("杯", "节", "赛")) else "荣誉"))
    # honours
    for m in _HONOUR_RE.finditer(draft):
        if not _ASPIRATION.search(draft, max(0, m.start() - 4), m.start()):
            out.append(NameHit(m.start(), m.end(), "荣誉"))
    for m in _AWARD_VERB.finditer(draft):
        if _ASPIRATION.search(draft, max(0, m.start() - 4), m.start()):
            continue
        if m.group() in ("获得", "获") and not re.match(rf"[{_CJK}“”]{{1,16}}?(?:称号|荣誉|奖)", draft[m.end() :]):
            continue
        e = _HONOUR_END.search(draft, m.end())
        stop = e.start() if e else len(draft)
        s = m.end()
        while s < stop and draft[s] in "“\"了":
            s += 1
        phrase_end = stop
        while phrase_end > s and draft[phrase_end - 1] in "”\"":
            phrase_end -= 1
        # the honour ends with its last honour word (`一等奖两项` -> `一等奖`)
        last = [h.end() for h in _HONOUR_WORD.finditer(draft, s, phrase_end)]
        phrase_end = max(last) if last else s
        if 2 <= phrase_end - s <= 20 and not _PRIZE.search(draft[s:phrase_end]):
            out.append(NameHit(s, phrase_end, "荣誉"))
    return _dedupe(out)


def _prefixes(core: str) -> list[str]:
    return [core[-n:] for n in (4, 3, 2) if len(core) >= n] + [core[:n] for n in (4, 3, 2) if len(core) >= n]


def _starts_with_place(core: str, places: frozenset[str]) -> bool:
    return any(core[:n] in places for n in (4, 3, 2) if len(core) > n)


def _dedupe(hits: list[NameHit]) -> list[NameHit]:
    """Longest first; a candidate inside a longer one is dropped."""
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[NameHit] = []
    for h in hits:
        if out and h.start < out[-1].end and h.end <= out[-1].end:
            continue
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


# --- what the facts allow ------------------------------------------------------------------------------------
def _bigrams(text: str) -> set[str]:
    out: set[str] = set()
    for run in re.findall(rf"[{_CJK}A-Za-z0-9]+", text):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


@lru_cache(maxsize=64)
def _allowed(blocks: FactBlocks) -> tuple[str, frozenset[str], tuple[str, ...]]:
    """The facts' text, its bigrams, and the names a short form may abbreviate (org, superior and its parts)."""
    owners = [x for x in re.split(r"[和与及、，,；;\s]+", f"{blocks.org} {blocks.superior}") if len(x) >= 2]
    if blocks.org:
        owners.append(blocks.org)
    # `县市场监督管理局机关` is named `县市场监管局` too: the name without its trailing 机关/工会.
    owners += [re.sub(r"(?:机关工会|机关|工会委员会|工会)$", "", o) for o in owners]
    owners = [o for o in owners if len(o) >= 2]
    return blocks.text, frozenset(_bigrams(blocks.text)), tuple(owners)


def _unquote(s: str) -> str:
    return s.translate(_QUOTES)


_QUOTES = str.maketrans("", "", "“”\"‘’「」『』")


def is_allowed(name: str, blocks: FactBlocks, generic: frozenset[str], category: str = "") -> bool:
    text, grams, owners = _allowed(blocks)
    name = _unquote(name)
    if name in text or name in generic or name in _unquote(text):
        return True
    if category == "单位":
        suffix = _SUFFIX_AT_END.search(name)
        part = _strip_qualifiers(name[: suffix.start()]) if suffix else ""
        # `社区工会联合会`, `保险公司`, `综合医院`: a common word or a kind before the suffix is no name.
        if part and (part in _TYPE_WORDS or part[-2:] in _TYPE_WORDS
                     or (part in generic and part not in place_words())):
            return True
    core = _strip_qualifiers(name)
    if core in generic or len(core) < 2:
        return True
    # A short form of the organisation or its superior: same last character, a subsequence of the full name.
    if any(len(name) >= 2 and name[-1] == o[-1] and _subsequence(name, o) for o in owners):
        return True
    if any(_subsequence(name, o) and name[-2:] == o[-2:] for o in owners):
        return True
    if category == "活动":
        part = re.sub(r"(?:节|大赛|比赛|竞赛|联赛|赛)$", "", name)  # a cup (`化工杯`) is always named
        if part != name and part in generic and part not in place_words():
            return True
    if category not in ("荣誉", "活动"):
        return False  # an organisation, place or person must be named as the facts name it
    g = _bigrams(name)
    return len(g) >= 3 and len(g & grams) >= 0.8 * len(g)


# `在街道党工委和上级工会的领导下`: who leads is the superior's place; a body named by level only is generic.
_LEADERSHIP = re.compile(
    r"在([^，。；;！？\n]{2,30}?)的?(?:正确|坚强|大力|亲切|具体|直接|悉心)?(?:领导|指导|关心|支持|带领|关怀|帮助)(?:和[^，。；\n]{0,12})?下"
)


def _generic_level(name: str) -> bool:
    """A body named by its level only (`街道党工委`, `市委`, `县总工会`): no place or person name in it."""
    places = place_words()
    return not any(name[i : i + n] in places for n in (4, 3, 2) for i in range(len(name) - n + 1))


def find_names(draft: str, blocks: FactBlocks, generic: frozenset[str] | None = None) -> list[NameHit]:
    vocab = generic_vocabulary() if generic is None else generic
    lead = [m.span(1) for m in _LEADERSHIP.finditer(draft)]
    out = []
    for h in candidates(draft):
        name = draft[h.start : h.end]
        if is_allowed(name, blocks, vocab, h.category):
            continue
        if h.category == "单位" and _generic_level(name) and any(a <= h.start and h.end <= b for a, b in lead):
            continue
        out.append(h)
    return out


# --- registration ----------------------------------------------------------------------------------------
register_kind("name", "名称")
register_rule(Rule("name_not_in_facts", ("name",), "事实中没有的名称", "事实中没有{category}「{text}」{own}",
                   "请删去，或改为事实中的说法"))


class NamesChecker:
    name = "names"
    kinds: tuple[str, ...] = ("name",)
    order = 50

    def run(self, ctx: CheckContext) -> list[Flag]:
        blocks = fact_blocks(ctx.facts)
        flags = []
        for h in find_names(ctx.draft, blocks):
            text = ctx.draft[h.start : h.end]
            own = f"（本单位为{blocks.org}）" if blocks.org and h.category == "单位" else ""
            flags.append(Flag(text=text, start=h.start, end=h.end, kind="name", reason="name_not_in_facts",
                              hint=rule("name_not_in_facts").explain(category=h.category, text=text, own=own)))
        return flags


register_checker(NamesChecker())
