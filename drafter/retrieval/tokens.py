"""Words for the lexical side: jieba with the genre's domain words (its dictionary cache under the data dir),
stop words, and which part of a summary a query asks for (开篇, 不足, 打算 …)."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from typing import Any

# Domain words jieba's general dictionary splits badly; kept small and about the genre, not the corpus.
DOMAIN_WORDS = (
    "职代会", "职工代表大会", "厂务公开", "校务公开", "企务公开", "政务公开", "送温暖", "困难职工", "职工之家",
    "职工书屋", "劳动竞赛", "技能比武", "岗位练兵", "集体合同", "劳动争议", "安康杯", "女职工", "文体活动",
    "工会经费", "经费审查", "建会", "入会", "会员", "帮扶", "慰问金", "金秋助学", "疗休养", "师德", "教职工",
    "劳动保护", "合理化建议", "职工素质", "民主管理", "献爱心", "工会干部", "先进职工之家", "模范职工之家",
)
STOPWORDS = frozenset(
    ["的", "了", "和", "与", "及", "在", "是", "为", "对", "把", "被", "等", "中", "上", "下", "我们", "我", "你", "他", "她", "它", "这", "那", "并", "也", "都", "就", "还", "又", "将", "以", "于", "之", "其", "一个", "一些", "进行", "开展", "工作", "加强", "积极", "认真", "不断", "进一步", "通过", "全面", "有", "有效", "做好", "活动", "方面", "情况", "怎么", "如何", "什么", "哪些", "写", "怎样", "相关", "有关"]
)

# Queries that ask for a part of the summary rather than a topic.
POSITION_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("plans", re.compile(r"打算|计划|设想|下一步|下步|明年|来年|今后|展望|思路")),
    # 问题 alone is everyday speech (吃饭的问题): only 存在的问题, 主要问题, 问题和不足 ask for the 不足 part.
    ("shortcomings", re.compile(r"不足|存在的?问题|主要问题|突出问题|问题[和与及]|差距|短板|薄弱|欠缺")),
    ("opening", re.compile(r"开篇|开头|开场|引言|导语|总述|概述|前言|开端")),
    ("closing", re.compile(r"结尾|结束语|结语|表决心|收尾|总之")),
)


BM25_PARAMS = {"k1": 1.2, "b": 0.75}
# What the saved lexical index depends on besides the chunks: a change here must not load an old one.
LEXICAL_SIGNATURE = hashlib.sha1(json.dumps(
    [sorted(DOMAIN_WORDS), sorted(STOPWORDS), BM25_PARAMS, 1]).encode()).hexdigest()[:10]


def _jieba() -> Any:
    import jieba

    return jieba


_jieba_lock = threading.Lock()
_jieba_ready: set[str] = set()


def init_jieba(cache_dir: str) -> None:
    """jieba writes its dictionary cache to the temp folder unless told; keep it under the data dir."""
    with _jieba_lock:
        if cache_dir in _jieba_ready:
            return
        jieba = _jieba()
        jieba.setLogLevel(logging.WARNING)
        jieba.dt.tmp_dir = cache_dir
        if not _jieba_ready:  # the dictionary is process-wide: adding the words again raises jieba's total
            for w in DOMAIN_WORDS:  # frequency and changes how every later text is cut (seen with two data dirs)
                jieba.add_word(w, freq=20000)
            jieba.initialize()
        _jieba_ready.add(cache_dir)


def tokenize(text: str) -> list[str]:
    words = _jieba().lcut_for_search(text)
    return [w for w in words if w.strip() and w not in STOPWORDS and re.search(r"[\w\u4e00-\u9fff]", w)]


def query_position(query: str) -> str | None:
    for position, pattern in POSITION_CUES:
        if pattern.search(query):
            return position
    return None
