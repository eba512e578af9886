"""The model may reword extracted facts; code keeps a wording only when its numbers are in the quote.
Tested against the local OpenAI-compatible server with the real `openai` client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drafter.settings import Settings
from drafter.workspace import Workspace
from tests.support.fake_openai import FakeOpenAI

MATERIAL = ("2024年一季度工作报告.txt", "\n".join([
    "XX公司工会2024年一季度工作报告",
    "春节前夕，公司工会领导班子分成6个小组，走访慰问困难职工家庭32户，发放慰问金6.4万元，受到职工一致好评。",
    "3月12日，公司工会组织青年职工开展义务植树活动，参加青年职工60人，植树200余棵。",
    "5月，公司工会举办职工篮球赛，参赛职工96人。",
]).encode("utf-8"))


def _reply(body: dict[str, Any]) -> str:
    prompt = body["messages"][-1]["content"]
    ids = {line.split(".")[0].strip(): line for line in prompt.splitlines() if ". 当前表述：" in line}
    assert len(ids) == 3
    out = []
    for n, line in ids.items():
        if "32户" in line:
            out.append({"id": int(n), "text": "走访慰问困难职工家庭32户，发放慰问金6.4万元"})  # good
        elif "植树" in line:
            out.append({"id": int(n), "text": "组织青年职工义务植树，参加60人，植树300余棵"})  # a number not in the quote
        else:
            out.append({"id": int(n), "text": "举办职工篮球赛"})  # drops the figure
    return json.dumps({"facts": out}, ensure_ascii=False)


def test_model_wording_kept_only_when_its_numbers_are_in_the_quote(data_dir: Path) -> None:
    with FakeOpenAI(responder=_reply) as srv:
        ws = Workspace(Settings(data_dir=data_dir, openai_base_url=srv.base_url, openai_api_key="k", model="m"))
        result = ws.extract_facts([MATERIAL], 2024)
        (request,) = srv.requests_to("/chat/completions")
    prompt = request.body["messages"][-1]["content"]
    assert "XX公司" in prompt and "2024" in prompt and "原文：春节前夕" in prompt
    texts = [f.text for f in result.facts]
    assert "走访慰问困难职工家庭32户，发放慰问金6.4万元" in texts
    assert "3月12日，组织青年职工开展义务植树活动，参加青年职工60人，植树200余棵" in texts  # offline wording kept
    assert "5月，举办职工篮球赛，参赛职工96人" in texts
    assert result.dropped == 2
    assert all(f.sources[0].file == MATERIAL[0] for f in result.facts)


def test_unparseable_reply_changes_nothing_and_offline_never_calls(data_dir: Path) -> None:
    with FakeOpenAI(responder=lambda body: "好的，以下是改写：……") as srv:
        ws = Workspace(Settings(data_dir=data_dir, openai_base_url=srv.base_url, openai_api_key="k", model="m"))
        offline = ws.extract_facts([MATERIAL], 2024, use_model=False)
        assert srv.requests_to("/chat/completions") == []
        modelled = ws.extract_facts([MATERIAL], 2024)
        assert len(srv.requests_to("/chat/completions")) == 1
    assert [f.text for f in modelled.facts] == [f.text for f in offline.facts] and modelled.dropped == 0
