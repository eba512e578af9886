"""`drafter check`: JSON shape, exit codes 0/1/2, plain-text and JSON facts, --batch, --exemplars."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drafter.cli import main

FACTS_TEXT = "单位：XX市供电公司\n年度：2024\n全年走访慰问困难职工家庭30户，发放慰问金6.4万元\n明年打算：\n开展第二届职工技能比武\n"
RAW_FACTS = "全年走访慰问困难职工家庭30户\n发放慰问金6.4万元\n"  # no 单位/年度: still fine for check
FACTS_JSON = {"org": "XX市供电公司", "year": 2024, "items": ["全年走访慰问困难职工家庭30户，发放慰问金6.4万元"]}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "facts_txt": tmp_path / "facts.txt",
        "facts_raw": tmp_path / "raw.txt",
        "facts_json": tmp_path / "facts.json",
        "good": tmp_path / "good.txt",
        "bad": tmp_path / "bad.txt",
        "exemplar": tmp_path / "某局工会总结.txt",
    }
    paths["facts_txt"].write_text(FACTS_TEXT, encoding="utf-8")
    paths["facts_raw"].write_text(RAW_FACTS, encoding="utf-8")
    paths["facts_json"].write_text(json.dumps(FACTS_JSON, ensure_ascii=False), encoding="utf-8")
    paths["good"].write_text("全年走访慰问困难职工家庭30户，发放慰问金64000元。", encoding="utf-8")
    paths["bad"].write_text("2024年，走访慰问困难职工家庭32户，支付学费28000余元。", encoding="utf-8")
    paths["exemplar"].write_text("局工会为困难职工支付学费28000余元。", encoding="utf-8")
    return paths


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_output_and_exit_1(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--facts", str(files["facts_txt"]), str(files["bad"]), "--json"], capsys)
    assert code == 1
    data = json.loads(out)
    assert list(data) == ["flags"]
    flag = data["flags"][0]
    assert set(flag) >= {"text", "start", "end", "value", "unit", "kind", "reason", "hint"}
    assert (flag["text"], flag["reason"], flag["hint"]) == ("32户", "value_mismatch", "事实中为 30户")
    draft = files["bad"].read_text(encoding="utf-8")
    assert all(draft[f["start"] : f["end"]] == f["text"] for f in data["flags"])


@pytest.mark.parametrize("facts", ["facts_txt", "facts_raw", "facts_json"])
def test_exit_0_when_nothing_flagged(files: dict[str, Path], facts: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--facts", str(files[facts]), str(files["good"]), "--json"], capsys)
    assert code == 0
    assert json.loads(out) == {"flags": []}


def test_readable_chinese_output(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--facts", str(files["facts_raw"]), str(files["bad"])], capsys)
    assert code == 1
    assert "「32户」" in out and "事实中为 30户" in out
    assert "日期" in out  # 2024年 is not in the raw facts: shown apart
    code, out, _ = run(["check", "--facts", str(files["facts_raw"]), str(files["good"])], capsys)
    assert code == 0 and "未发现" in out


def test_exemplars(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "--facts", str(files["facts_txt"]), str(files["bad"]), "--json",
            "--exemplars", str(files["exemplar"])]
    code, out, _ = run(argv, capsys)
    assert code == 1
    flags = {f["text"]: f for f in json.loads(out)["flags"]}
    assert flags["28000余元"]["reason"] == "copied_from_exemplar"
    assert flags["28000余元"]["hint"] == "范文《某局工会总结》中有「28000余元」"


@pytest.mark.parametrize(
    "argv",
    [["check", "--facts", "/nonexistent/facts.txt", "DRAFT"], ["check", "DRAFT"], ["check", "--facts", "FACTS"],
     ["check", "--facts", "FACTS", "/nonexistent/draft.txt"], ["check", "--bogus"],
     ["check", "--facts", "BADJSON", "DRAFT"], ["check", "--facts", "FACTS", "DRAFT", "--batch", "FACTS"]],
)
def test_usage_and_input_errors_exit_2(files: dict[str, Path], argv: list[str], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"org": ', encoding="utf-8")
    subst = {"DRAFT": str(files["good"]), "FACTS": str(files["facts_txt"]), "BADJSON": str(bad_json)}
    argv = [subst.get(a, a) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    assert code == 2
    assert capsys.readouterr().err


def test_not_utf8_draft_exits_2(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("走访32户".encode("gbk"))
    code, _, err = run(["check", "--facts", str(files["facts_txt"]), str(gbk)], capsys)
    assert code == 2 and "UTF-8" in err


def test_batch(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "batch.jsonl"
    lines = [
        {"facts": FACTS_JSON, "draft": "全年走访慰问困难职工家庭30户"},
        {"facts": "全年走访慰问困难职工家庭30户", "draft": "全年走访慰问困难职工家庭32户"},
        {"facts": ["全年走访慰问困难职工家庭30户"], "draft": "支付学费28000余元", "exemplars": ["学费28000余元"]},
        {"facts": FACTS_TEXT, "draft": "2025年将开展第二届职工技能比武"},
    ]
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n", encoding="utf-8")
    code, out, _ = run(["check", "--batch", str(batch)], capsys)
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert len(results) == 4
    assert all(list(r) == ["flags"] for r in results)
    assert results[0]["flags"] == [] and results[3]["flags"] == []
    assert [f["reason"] for f in results[1]["flags"]] == ["value_mismatch"]
    assert [f["reason"] for f in results[2]["flags"]] == ["copied_from_exemplar"]


def test_batch_all_clean_exits_0_and_bad_line_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"facts": ["走访30户"], "draft": "走访30户"}) + "\n", encoding="utf-8")
    code, out, _ = run(["check", "--batch", str(batch)], capsys)
    assert code == 0 and json.loads(out) == {"flags": []}
    batch.write_text('{"facts": ["走访30户"], "draft": "走访30户"}\nnot json\n{"draft": 3}\n', encoding="utf-8")
    code, out, _ = run(["check", "--batch", str(batch)], capsys)
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 2
    assert len(results) == 3
    assert results[0] == {"flags": []}
    assert "error" in results[1] and "error" in results[2]


def test_module_entry_point_subprocess(files: dict[str, Path]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "drafter", "check", "--facts", str(files["facts_txt"]), str(files["bad"]), "--json"],
        capture_output=True, text=True, encoding="utf-8", timeout=120, check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["flags"][0]["text"] == "32户"


def test_plain_text_facts_lines_are_not_rewritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A fact line starting `1.5万元` keeps its amount (the text form's bullet stripping would make it 5万元)."""
    facts = tmp_path / "facts.txt"
    facts.write_text("单位：XX公司\n年度：2024\n1.5万元用于困难职工帮扶\n明年打算：\n开展技能比武\n", encoding="utf-8")
    draft = tmp_path / "draft.txt"
    draft.write_text("XX公司工会2024年将1.5万元用于困难职工帮扶，2025年开展技能比武。", encoding="utf-8")
    code, out, _ = run(["check", "--facts", str(facts), str(draft), "--json"], capsys)
    assert (code, json.loads(out)) == (0, {"flags": []})
