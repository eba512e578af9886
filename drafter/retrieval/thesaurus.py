"""Genre thesaurus for the lexical side: the words users type → the words past summaries use.

Users describe the work in everyday words (`给员工送温暖`, `带大家打球`, `提点子`); summaries use the genre's
terms (`慰问困难职工`, `文体活动`, `合理化建议`). Each group lists interchangeable expressions of one notion;
a query word found in a group brings the group's other terms into the BM25 query. Dense retrieval handles
paraphrase on its own; this makes the lexical side meet it halfway. Groups are about trade-union work in
general, not about any one document; words nobody listed here are reached by related_words.py, which derives
related words from whatever corpus is indexed.
"""

from __future__ import annotations

GROUPS: tuple[tuple[str, ...], ...] = (
    ("职工", "员工", "教职工", "干部职工", "会员", "工人", "干警", "教师", "医务人员"),
    ("慰问", "送温暖", "看望", "走访", "关怀", "关心", "帮扶", "救助", "困难职工", "生活困难", "扶贫帮困"),
    ("文体活动", "文体", "打球", "篮球", "羽毛球", "乒乓球", "球赛", "运动会", "体育", "比赛", "联欢", "晚会", "文艺", "唱歌", "歌咏"),
    ("团建", "拓展", "户外", "旅游", "踏青", "郊游", "出游", "趣味", "游园", "烧烤"),
    ("职代会", "职工代表大会", "职工大会", "职工代表", "民主管理", "民主", "参政议政"),
    ("厂务公开", "校务公开", "企务公开", "政务公开", "院务公开", "公开栏", "公开"),
    ("集体合同", "集体协商", "平等协商", "工资协商", "工资", "集体协议", "签订"),
    ("合理化建议", "献计献策", "金点子", "出主意", "提点子", "建议", "意见", "征集"),
    ("劳动竞赛", "技能比武", "岗位练兵", "比武", "竞赛", "技术比赛", "练兵", "创先争优", "立功"),
    ("培训", "学习", "上课", "讲座", "素质", "技能", "本领", "业务", "岗位培训", "教育"),
    ("职工书屋", "读书", "书籍", "图书", "阅读", "借阅", "职工之家"),
    ("维权", "维护", "合法权益", "权益", "利益", "劳动争议", "调解", "法律", "普法", "法律知识", "劳动法"),
    ("安全", "安全生产", "安康杯", "劳动保护", "隐患", "事故", "职业健康"),
    ("女职工", "妇女", "女工", "三八", "妇委", "女教师", "特殊权益"),
    ("组建", "建会", "建立工会", "新建", "成立", "非公企业", "新企业", "入会", "发展会员", "会员登记"),
    ("经费", "财务", "会费", "审查", "审计", "经审", "报销", "开支", "钱"),
    ("制度", "规章", "规范化", "制度建设", "正轨", "机制", "管理"),
    ("思想", "政治", "理论", "学习", "宣传", "思想动态", "心声", "想法", "心里"),
    ("先进", "榜样", "典型", "评选", "表彰", "劳模", "模范", "评先", "树典型", "优秀"),
    ("捐款", "献爱心", "慈善", "公益", "志愿", "爱心", "捐赠", "献血"),
    ("农民工", "外来务工", "外地", "打工", "务工人员", "临时工"),
    ("医疗", "保险", "互助", "补充医疗", "报销", "看病", "大病", "体检", "疗休养", "健康"),
    ("服务", "窗口", "客户", "满意", "优质服务", "文明服务"),
    ("经济建设", "生产经营", "中心工作", "企业发展", "建功立业", "效益", "发展"),
    ("宣传", "报道", "稿件", "信息", "网站", "报刊", "宣传报道", "黑板报"),
    ("公开", "公示", "张榜", "张贴", "公布", "透明", "知情", "知情权", "监督"),
    ("劳动争议", "调解", "纠纷", "矛盾", "讨薪", "讨工钱", "欠薪", "拖欠", "说和", "劝和", "协调", "劳资", "化解", "信访"),
    ("工会干部", "工会委员", "小组长", "工会主席", "兼职干部", "骨干", "队伍建设"),
    ("培训", "充电", "上课", "进修", "轮训", "培训班", "学习班", "授课", "辅导"),
    ("食堂", "伙食", "饭菜", "就餐", "午餐", "用餐", "饮食", "后勤"),
    ("老板", "资方", "企业方", "行政", "管理层", "单位领导"),
    ("奖金", "绩效", "分配", "福利", "薪酬", "待遇"),
    ("生日", "节日", "过节", "慰问品", "蛋糕", "福利"),
    ("退休", "离退休", "老同志", "老职工", "退休职工"),
    ("子女", "孩子", "助学", "金秋助学", "考上大学", "高考", "学生"),
    ("高温", "防暑", "送清凉", "夏天", "降温"),
    ("心理", "减压", "疏导", "谈心", "心声", "情绪"),
    ("青年", "年轻人", "团员", "新员工", "青工"),
    ("创新", "技改", "革新", "发明", "专利", "攻关", "小发明", "五小"),
    ("打算", "计划", "明年", "下一步", "设想", "思路", "展望", "今后"),
    ("不足", "问题", "差距", "短板", "薄弱"),
)

_INDEX: dict[str, set[str]] = {}
for _group in GROUPS:
    for _word in _group:
        _INDEX.setdefault(_word, set()).update(w for w in _group if w != _word)


def expand(tokens: list[str], text: str) -> list[str]:
    """The query's tokens plus the other members of every group a token (or a phrase of the text) belongs to."""
    extra: list[str] = []
    seen = set(tokens)
    for word, related in _INDEX.items():
        if word in seen or (len(word) >= 2 and word in text):
            for r in sorted(related):
                if r not in seen:
                    seen.add(r)
                    extra.append(r)
    # The user's own words count twice: a long group pulled in by one word must not outweigh the query.
    return tokens + tokens + extra
