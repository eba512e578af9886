"""Exemplars reach the model with every figure the checker recognises masked, Chinese numerals included."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest
from pydantic import SecretStr

from drafter.checking import mask_amounts
from drafter.checking.amounts import Mention, extract
from drafter.corpus.embedding import HashEmbedder
from drafter.drafting.exemplars import mask_numbers
from drafter.facts import load_facts
from drafter.settings import REPO_ROOT, Settings
from drafter.workspace import Workspace
from tests.support.fake_openai import FakeOpenAI
from tests.test_drafting import ENTERPRISE, KEY, MODEL, Writer, chat, fast_generator, prompt_exemplars, user_text

CORPUS = sorted((REPO_ROOT / "corpus").glob("*.txt"))


def figures(text: str) -> list[Mention]:
    """What the checker would check in `text`: amounts (not a passing 一名), dates, placeholders."""
    return [m for m in extract(text)[1] if not (m.category == "amount" and m.soft)]


def test_corpus_has_chinese_numeral_amounts() -> None:
    chinese = [m.text for p in CORPUS for m in figures(p.read_text(encoding="utf-8")) if m.chinese]
    assert len(chinese) >= 20, chinese  # 近万名, 十场, 四期 … : the masking below has work to do


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
@pytest.mark.parametrize("mask", [mask_amounts, mask_numbers], ids=["mask_amounts", "mask_numbers"])
def test_every_figure_of_the_corpus_is_masked(path: Path, mask) -> None:  # type: ignore[no-untyped-def]
    text = path.read_text(encoding="utf-8")
    before = figures(text)
    masked = mask(text)
    assert [m.text for m in figures(masked)] == []
    amounts = Counter(m.text for m in before if m.category == "amount")
    for t, n in amounts.items():  # each amount is gone, not just parsed differently (其他 uses may stay: 四届三次)
        assert masked.count(t) <= text.count(t) - n, t


@pytest.mark.parametrize(("text", "expected"), [
    ("组织近万名职工参加，举办十场讲座，共四期", "组织若干名职工参加，举办若干场讲座，共若干期"),
    ("发放慰问金3万2千元，覆盖1.2万人次", "发放慰问金若干元，覆盖若干人次"),
    ("满意率达八成以上，百分之九十五的职工参与", "满意率达一定比例，一定比例的职工参与"),
    ("2024年3月，XX公司慰问三十余户", "某年某月，某公司慰问若干户"),
    ("一名职工获评先进", "一名职工获评先进"),  # a passing count of one is narration
    ("坚持“三个代表”，统一思想", "坚持“三个代表”，统一思想"),  # fixed phrases are not figures
])
def test_mask_amounts_examples(text: str, expected: str) -> None:
    assert mask_amounts(text) == expected


SUMMARY = """XX市第三中学工会二〇二三年工作总结

二〇二三年，学校工会在上级工会和学校党总支的领导下，团结带领一百二十名教职工，较好完成了全年任务。

一、加强思想引领，组织教职工集中学习十二次

全年组织集中学习十二次，开展专题讲座六场，近万名师生家长参与线上学习，编印学习资料三百余册。

二、关心教职工生活，走访慰问困难教职工三十余户

全年走访慰问困难教职工三十余户，发放慰问金四万余元，为八十名教职工办理互助保障，组织体检一百二十人。

三、丰富文体活动，举办教职工运动会两届

举办教职工运动会两届、趣味比赛十场，参与教职工一百零五人次，参与率达到九成以上。

四、存在的不足

职工书屋藏书仅两千册，利用率不高；四期培训中有两期参加人数不足三十人。

五、明年打算

明年计划举办培训四期，新建职工书屋两个，慰问困难教职工不少于三十户。

学校工会将继续努力，为学校发展作出更大贡献。
"""


def test_prompt_exemplars_carry_no_chinese_numeral_amounts(tmp_path: Path) -> None:
    """Through the pipeline: a corpus whose every section is full of Chinese-numeral amounts; the prompts the
    (fake) model received contain none of them, while the recorded sources do."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "school-2023.txt").write_text(SUMMARY, encoding="utf-8")
    (corpus / "school-2022.txt").write_text(SUMMARY.replace("二〇二三", "二〇二二").replace("十二次", "十次"),
                                            encoding="utf-8")
    in_corpus = {m.text for m in figures(SUMMARY) if m.chinese}
    assert len(in_corpus) >= 15
    with FakeOpenAI(Writer()) as srv:
        settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus, openai_base_url=srv.base_url,
                            openai_api_key=SecretStr(KEY), model=MODEL, max_retries=2, timeout=5)
        ws = Workspace(settings, embedder=HashEmbedder(), generator=fast_generator(srv))
        ws.refresh_index()
        draft = asyncio.run(ws.draft(load_facts(ENTERPRISE)))
        requests = chat(srv)
    sources = [src.text for s in draft.sections for src in s.sources]
    carried = {m.text for t in sources for m in figures(t) if m.chinese}
    assert len(carried) >= 5, carried  # the exemplars really carry Chinese-numeral amounts
    blocks = [text for r in requests for _, _, text in prompt_exemplars(user_text(r))]
    assert blocks
    for text in blocks:
        assert figures(text) == [], text
        for amount in carried:
            assert amount not in text, amount
