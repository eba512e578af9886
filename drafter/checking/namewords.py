"""Word lists and vocabularies of the `name` check: suffixes, titles, surnames, lead words, and what is
learned once per process (the generic vocabulary from the bundled corpus; places and everyday words from
jieba's own dictionary). Kept apart from `names.py`, which finds and judges candidates."""

from __future__ import annotations

import re
import threading
from collections import Counter
from pathlib import Path

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


# --- vocabularies, built once per process ------------------------------------------------------------------
_lock = threading.RLock()
_generic: frozenset[str] | None = None


def generic_vocabulary(corpus_dir: Path | None = None, min_docs: int = 3, max_len: int = 8) -> frozenset[str]:
    """Every string of 2..max_len characters found in `min_docs` or more of the corpus's summaries."""
    global _generic
    with _lock:
        if _generic is not None and corpus_dir is None:
            return _generic
        from .copied import bundled_corpus_dir

        directory = corpus_dir or bundled_corpus_dir()
        docs = [re.findall(rf"[{_CJK}]+", p.read_text(encoding="utf-8"))
                for p in (sorted(directory.glob("*.txt")) if directory.is_dir() else [])]
        # One length at a time, and only strings whose shorter prefix is frequent already (a string in three
        # summaries has its prefix in three too): counting every 2..8-gram at once held ~500,000 strings and
        # left the server's memory 15 MB larger for good.
        found: set[str] = set()
        frequent: set[str] | None = None
        for n in range(2, max_len + 1):
            df: Counter[str] = Counter()
            for runs in docs:
                df.update({run[i : i + n] for run in runs for i in range(len(run) - n + 1)
                           if frequent is None or run[i : i + n - 1] in frequent})
            frequent = {g for g, c in df.items() if c >= min_docs}
            found |= frequent
        vocab = frozenset(found) | _GENERIC
        if corpus_dir is None:
            _generic = vocab
        return vocab


_DICT_LINE = re.compile(r"(\S{2,4}) (\d+) (ns|v|d|p|c|r|u|ad|t|a|f|vd)\n?")
_dictionary: tuple[frozenset[str], frozenset[str]] | None = None  # (place words, non-name words)


def _load_dictionary() -> tuple[frozenset[str], frozenset[str]]:
    """jieba's dictionary (it ships with it), read once: place names (`ns`, not rare), and everyday verbs,
    adverbs, times and adjectives (`巩固`, `相信`, `目前`, `最新`), which end the stretch before a name."""
    global _dictionary
    with _lock:
        if _dictionary is not None:
            return _dictionary
        import jieba

        places, words = set(), set()
        # Line by line: the whole file as one string (10 MB) raised a server's peak memory by 20 MB, and
        # findall's 350,000 tuples left it in the heap for good.
        with Path(jieba.__file__).with_name("dict.txt").open(encoding="utf-8") as lines:
            for line in lines:
                m = _DICT_LINE.fullmatch(line)
                if m is None:
                    continue
                w, freq, tag = m.groups()
                n = int(freq)
                if tag == "ns":
                    if n >= 20:
                        places.add(w)
                elif n >= 50:
                    words.add(w)
        _dictionary = (frozenset(places - generic_vocabulary() - _NOT_PLACES), frozenset(words - places - _NAME_WORDS))
        return _dictionary


def place_words() -> frozenset[str]:
    return _load_dictionary()[0]


def nonname_words() -> frozenset[str]:
    return _load_dictionary()[1]
