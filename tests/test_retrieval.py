"""Retrieval behaviour: fusion weighs the dense side, diversity spreads the top k, the genre thesaurus and the
corpus-derived related words let everyday words meet the corpus's words, uploads get their related words."""

from __future__ import annotations

import numpy as np
import pytest

from drafter.corpus.chunking import Chunk
from drafter.retrieval import dense
from drafter.retrieval.related_words import (
    RelatedWords,
    ShippedWords,
    load_shipped_words,
    shipped_words_path,
    word_vectors,
)
from drafter.retrieval.search import Filters, Retriever
from drafter.retrieval.thesaurus import expand
from drafter.retrieval.tokens import query_position
from drafter.workspace import Workspace

COPY = "五、体育竞技场，友谊共分享举行篮球友谊赛"  # a bundled section an uploaded summary copies below


def _body_chunks_of_three_summaries(chunks: list[Chunk]) -> list[int]:
    picked: list[int] = []
    docs: set[str] = set()
    for i, c in enumerate(chunks):
        if c.position == "body" and c.doc_id not in docs:
            picked.append(i)
            docs.add(c.doc_id)
        if len(picked) == 3:
            break
    return picked


def test_fusion_prefers_what_both_rankers_agree_on(fast_ws: Workspace) -> None:
    """A passage BM25 ranks second and dense ranks first beats one only BM25 ranks first: dense evidence counts."""
    retriever = fast_ws.retriever
    chunks = fast_ws.index.chunks()
    a, b, c = _body_chunks_of_three_summaries(chunks)
    hits = retriever._fuse("篮球比赛", chunks, dense=[b, c], lexical=[a, b], k=3, diversify=False)
    assert [h.chunk.chunk_id for h in hits][:2] == [chunks[b].chunk_id, chunks[a].chunk_id]
    assert hits[0].ranks == {"dense": 1, "bm25": 2}
    only_dense = next(h for h in hits if h.chunk.chunk_id == chunks[c].chunk_id)
    assert only_dense.score > 0  # found by the dense side alone, still scored


def test_top_k_spreads_over_sections_and_summaries(fast_ws: Workspace) -> None:
    hits = fast_ws.retriever.search("文体活动 篮球比赛 文艺晚会 联欢 唱歌", 8, mode="bm25")
    assert len(hits) == 8
    sections = [(h.chunk.doc_id, h.chunk.section_index) for h in hits]
    assert len(set(sections)) == len(sections)  # never two passages of one section
    per_doc = {d: sum(1 for h in hits if h.chunk.doc_id == d) for d in {h.chunk.doc_id for h in hits}}
    assert max(per_doc.values()) <= 2 and len(per_doc) >= 5


def test_a_copied_paragraph_does_not_take_a_second_slot(fast_ws: Workspace) -> None:
    original = next(c for c in fast_ws.index.chunks() if c.doc_id == "seed-15" and c.section == COPY)
    fast_ws.index.add_text("copy.txt", "某厂2023年工会工作总结\n\n一、开展篮球比赛\n\n" + original.text.split("\n", 1)[1]
                           + "\n\n二、关心困难职工\n\n走访慰问困难职工家庭25户。\n")
    hits = fast_ws.search("和兄弟单位举行篮球友谊赛，促进各厂之间的交流", 5, mode="bm25")
    copies = [h for h in hits if (h.chunk.doc_id == "seed-15" and h.chunk.section == COPY)
              or (h.chunk.doc_id == "copy" and h.chunk.section == "一、开展篮球比赛")]
    assert len(copies) == 1, [(h.chunk.doc_id, h.chunk.section) for h in hits]
    assert hits[0] in copies  # the best match itself is kept, only its copy gives way


def test_genre_thesaurus_lets_everyday_words_find_the_genre_terms(fast_ws: Workspace) -> None:
    assert {"劳动争议", "调解"} <= set(expand(["讨工钱"], "讨工钱"))
    retriever = fast_ws.retriever
    retriever.derive = False  # the hand-written groups alone
    hits = retriever.search("讨工钱", 5, mode="bm25")
    assert hits, "讨工钱 is not in the corpus: only the thesaurus can reach 劳动争议/调解"
    assert any((h.chunk.doc_id == "seed-13" and "集体合同签订" in h.chunk.section)
               or (h.chunk.doc_id == "seed-08" and "维权" in h.chunk.section) for h in hits)


def test_related_words_keep_neighbours_the_corpus_pairs() -> None:
    # 书屋 is nearest to 书柜 and to 电屋 (a look-alike); only 书柜 shares a section with it.
    words = ["书屋", "书柜", "电屋", "职工", "借阅"]
    v = np.array([[1.0, 0.0, 0.0], [0.9, 0.3, 0.0], [0.95, 0.0, 0.3], [0.5, 0.5, 0.5], [0.7, 0.7, 0.0]])
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    sections = [{"书屋", "书柜", "职工"}, {"电屋", "职工"}, {"借阅", "职工", "书屋"}, {"职工"}, {"职工"}]
    rw = RelatedWords(words, v, sections + [{"其他"}] * 11)
    assert rw.common[rw.index["职工"]] and not rw.common[rw.index["书屋"]]  # 职工 is in 5 of 16 sections
    assert rw.neighbours("书屋", 2) == ["书柜", "借阅"]
    assert rw.neighbours("职工") == []
    near = rw.near_query(np.array([1.0, 0.0, 0.0]), 3)
    assert near[0] == "书屋" and "职工" not in near
    expansions = rw.expand(["书屋"], np.array([0.0, 1.0, 0.0]))
    assert [(e.word, e.source) for e in expansions] == [("书柜", "word"), ("借阅", "word")]  # 借阅 once


def test_an_uploaded_summary_gets_its_words_embedded_when_added(fast_ws: Workspace) -> None:
    fast_ws.search("困难职工", 5)  # the related words of the bundled corpus are built
    before = fast_ws.index.cache.computed
    fast_ws.index.add_text("yizhan.txt", "某区总工会2024年工作总结\n\n一、建设户外劳动者驿站\n\n"
                           "新建户外劳动者驿站12个，为环卫工人、快递小哥提供饮水、歇脚、充电服务。\n")
    at_upload = fast_ws.index.cache.computed - before
    assert at_upload > 1  # its chunk and its new words (驿站, 快递小哥 …) were embedded at upload
    fast_ws.search("给送外卖的师傅找个歇脚的地方", 5)
    assert fast_ws.index.cache.computed - before == at_upload  # the first search after it embeds nothing
    related = fast_ws.retriever._related
    assert related is not None and "驿站" in related.index


def test_everyday_problem_words_do_not_ask_for_shortcomings() -> None:
    assert query_position("员工吃饭的问题，饭堂伙食怎么改善的") is None
    assert query_position("存在的问题和不足") == "shortcomings"
    assert query_position("工作中存在问题") == "shortcomings"


def test_derived_words_find_what_the_thesaurus_does_not_list(real_ws: Workspace) -> None:
    """With the hand-written thesaurus off, the corpus's own related words (饭堂 → 伙食/餐补, 收上来 → 收缴 …)
    bring more summaries that speak of the topic into the top 5."""
    shipped = load_shipped_words(shipped_words_path(real_ws.settings.corpus_dir, real_ws.index.embedder.name))
    assert len(shipped) > 1000  # the bundled corpus's word vectors ship: no model run for them
    retriever: Retriever = real_ws.retriever
    cases = {"饭堂的饭菜怎么弄好": ("食堂", "伙食", "餐", "饮食"), "会费有没有收上来": ("会费", "经费", "收缴"),
             "大伙凑钱帮生病的同事": ("捐", "募", "爱心", "救助")}

    def topical_docs() -> int:
        hits = retriever.search_many(list(cases), 5, mode="hybrid")
        return sum(len({h.chunk.doc_id for h in hs if any(w in h.chunk.text for w in words)})
                   for hs, words in zip(hits, cases.values(), strict=True))

    try:
        retriever.expand = False
        retriever.derive = False
        without = topical_docs()
        retriever.derive = True
        with_derived = topical_docs()
    finally:
        retriever.expand = retriever.derive = True
    assert with_derived > without, (without, with_derived)


def test_exact_dense_search_ranks_as_chroma_does_and_hands_over_above_its_size(
        real_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small corpus's dense side is an exact cosine search in memory: the same ranking Chroma's HNSW gives,
    within every filter; a corpus over EXACT_MAX_CHUNKS is searched through Chroma with the same results."""
    retriever = real_ws.retriever
    _, chunks = retriever._lexical()
    assert retriever._exact is not None and retriever._exact.matrix.shape[0] == len(chunks)
    queries = ["给生活困难的员工送温暖", "职工书屋 读书活动", "明年工作打算", "女职工权益保护", "篮球友谊赛"]
    vectors = retriever._query_vectors(queries)
    docs = sorted({c.doc_id for c in chunks})[:3]
    for f in (Filters(), Filters(positions=["body"]), Filters(positions=["plans"]), Filters(doc_ids=docs),
              Filters(levels=[1], positions=["body"])):
        mask = retriever._mask(f, chunks)
        exact = retriever._exact.rankings(vectors, mask, 10)
        got = real_ws.index.collection().query(query_embeddings=vectors.tolist(), n_results=10,
                                               where=f.chroma_where(), include=[])
        assert exact == [[retriever._by_id[i] for i in ids] for ids in got["ids"]], f
        assert all(f.allows(chunks[i]) for ranking in exact for i in ranking)
    expected = retriever.search_many(queries, 5, filters=Filters(positions=["body"]))

    monkeypatch.setattr(dense, "EXACT_MAX_CHUNKS", len(chunks) - 1)
    through_chroma = Retriever(real_ws.index)
    found = through_chroma.search_many(queries, 5, filters=Filters(positions=["body"]))
    assert through_chroma._exact is None
    assert [[h.chunk.chunk_id for h in hits] for hits in found] == [[h.chunk.chunk_id for h in hits] for hits in expected]


def test_word_vectors_are_unit_rows_in_the_words_order_shipped_or_computed() -> None:
    shipped = ShippedWords(["食堂", "伙食"], np.array([[3, 4, 0], [0, -5, 0]], dtype=np.int8))
    asked: list[list[str]] = []

    def cached(texts: list[str], compute: object) -> np.ndarray:
        asked.append(list(texts))
        return np.array([[0.0, 0.0, 2.0], [0.0, 0.0, 0.0]][: len(texts)], dtype=np.float32)

    m = word_vectors(["伙食", "饭堂", "食堂", "空词"], shipped, cached, lambda t: np.zeros((len(t), 3)))
    assert asked == [["饭堂", "空词"]]  # only the words that do not ship are looked up
    assert m.dtype == np.float32 and m.shape == (4, 3)
    assert np.allclose(m, [[0, -1, 0], [0, 0, 1], [0.6, 0.8, 0], [0, 0, 0]])  # a zero vector stays zero
    only_shipped = word_vectors(["食堂"], shipped, cached, lambda t: np.zeros((len(t), 3)))
    assert np.allclose(only_shipped, [[0.6, 0.8, 0]]) and len(asked) == 1
