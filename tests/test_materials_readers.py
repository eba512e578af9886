"""Every material format, read from real files: GBK/GB18030 text, .md, .docx with tables, text-layer PDF,
scanned PDF, encrypted/corrupt/zip-bomb/oversized files, .xlsx with merged headers, GBK .csv, a 10 MB sheet."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from drafter.materials import extract_materials
from drafter.materials.readers import MAX_FILE_BYTES, Unreadable, read_material, render_row
from tests.support.material_files import corrupt_docx_bytes, docx_bytes, pdf_bytes, scanned_pdf_bytes, xlsx_bytes

REPORT = ["XX公司工会2024年工作简报", "一、主要工作", "春节前走访慰问困难职工家庭32户，发放慰问金6.4万元。",
          "二、存在不足", "职工书屋利用率不高。"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_text_in_every_office_encoding(encoding: str) -> None:
    mat = read_material("简报.txt", "\r\n".join(REPORT).encode(encoding))
    assert [p.text for p in mat.paragraphs] == REPORT
    assert mat.paragraphs[2].heading == "一、主要工作"
    assert mat.paragraphs[4].heading == "二、存在不足"


def test_gb18030_only_characters_survive() -> None:
    text = "慰问职工㐀家庭3户。"  # 㐀 is outside GBK, inside GB18030
    mat = read_material("a.txt", ("标题\n" + text).encode("gb18030"))
    assert mat.paragraphs[1].text == text


def test_binary_and_undecodable_text_are_reported() -> None:
    with pytest.raises(Unreadable, match="二进制"):
        read_material("a.txt", b"\x00\x01\x02" * 100)
    with pytest.raises(Unreadable, match="编码"):
        read_material("a.txt", bytes([0x81, 0x20, 0xFF, 0xFE, 0x81]) * 50 + b"\x80")


def test_markdown_markup_is_dropped() -> None:
    mat = read_material("a.md", "# 标题\n\n## 一、主要工作\n- **慰问**困难职工32户。\n".encode())
    assert mat.paragraphs[-1].text == "慰问困难职工32户。"
    assert mat.paragraphs[-1].heading == "一、主要工作"


def test_docx_paragraphs_headings_and_tables() -> None:
    data = docx_bytes(["2024年工作素材", "# 一、主要活动", "全年开展活动5场。"],
                      tables=[(1, [["时间", "活动名称", "参加人数"], ["2024年9月", "气排球赛", "64"]])])
    mat = read_material("素材.docx", data)
    assert [p.text for p in mat.paragraphs] == ["2024年工作素材", "一、主要活动", "全年开展活动5场。"]
    assert mat.paragraphs[2].heading == "一、主要活动"
    (table,) = mat.tables
    assert table.header == ["时间", "活动名称", "参加人数"] and table.rows == [(2, ["2024年9月", "气排球赛", "64"])]
    assert render_row(table.header, table.rows[0][1]) == "时间：2024年9月；活动名称：气排球赛；参加人数：64"


def test_pdf_text_layer_lines_rejoined_and_pages_located() -> None:
    long = "10月组织开展配网运维、电力营销、安全技能3个工种的职工技能比武，参赛职工126人次，评出技术能手12名。"
    mat = read_material("报告.pdf", pdf_bytes([["2024年四季度工作报告", "一、主要工作", long], ["二、存在的不足", "经费使用偏慢。"]]))
    texts = [p.text for p in mat.paragraphs]
    assert long in texts  # wrapped at 38 characters in the PDF, one paragraph again
    assert mat.paragraphs[texts.index(long)].location == "第1页"
    assert mat.paragraphs[-1].location == "第2页" and mat.paragraphs[-1].heading == "二、存在的不足"


def test_scanned_pdf_is_reported_as_scanned() -> None:
    with pytest.raises(Unreadable, match="扫描版"):
        read_material("扫描件.pdf", scanned_pdf_bytes())


def test_broken_and_encrypted_files_have_reasons() -> None:
    with pytest.raises(Unreadable, match="损坏"):
        read_material("a.docx", corrupt_docx_bytes())
    with pytest.raises(Unreadable, match="加密"):
        read_material("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(Unreadable, match="PDF"):
        read_material("a.pdf", b"%PDF-1.4\n garbage")
    with pytest.raises(Unreadable, match="不支持"):
        read_material("a.doc", b"whatever")
    with pytest.raises(Unreadable, match="为空"):
        read_material("a.txt", b"")


def test_encrypted_pdf_needs_a_password() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([["慰问职工32户。"]]))))
    writer.encrypt("secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(Unreadable, match="加密"):
        read_material("a.pdf", buf.getvalue())


def test_zip_bomb_is_refused_before_parsing() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<" + b"a" * (60 << 20))  # 60 MB of one byte: ~1000x
    with pytest.raises(Unreadable, match="压缩"):
        read_material("炸弹.docx", buf.getvalue())


def test_oversized_file_is_refused() -> None:
    with pytest.raises(Unreadable, match="过大"):
        read_material("大.txt", b"a" * (MAX_FILE_BYTES + 1))


def test_xlsx_merged_title_and_two_row_header() -> None:
    data = xlsx_bytes([("慰问", "XX医院2024年职工慰问台账",
                        [["序号", "姓名", "慰问金额（元）", None, "日期"], [None, None, "现金", "物资", None]],
                        [[1, "张三", 500, 200, "2024-01-05"], [2, "李四", 800, 0, "2024-02-01"]])], merged_header=2)
    (table,) = read_material("台账.xlsx", data).tables
    assert table.title == "XX医院2024年职工慰问台账"
    assert table.header == ["序号", "姓名", "慰问金额（元）现金", "慰问金额（元）物资", "日期"]
    assert table.rows[0] == (4, ["1", "张三", "500", "200", "2024-01-05"])


def test_gbk_csv_with_header_named_date() -> None:
    data = "日期,活动名称,参加人数\n2024-04-20,职工篮球赛,96\n".encode("gbk")
    (table,) = read_material("活动登记表.csv", data).tables
    assert table.header == ["日期", "活动名称", "参加人数"] and table.rows == [(2, ["2024-04-20", "职工篮球赛", "96"])]


def test_one_corrupt_file_among_good_ones() -> None:
    good = "XX公司工会2024年3月月报\n3月组织青年职工义务植树，参加60人。".encode()
    res = extract_materials([("月报.txt", good), ("坏.docx", corrupt_docx_bytes()), ("扫描.pdf", scanned_pdf_bytes()),
                             ("不见了.docx", None, "找不到文件")], 2024)
    assert res.files_read == ["月报.txt"]
    assert [f.text for f in res.facts] == ["3月组织青年职工义务植树，参加60人"]
    reasons = {s.file: s.reason for s in res.skipped}
    assert set(reasons) == {"坏.docx", "扫描.pdf", "不见了.docx"}
    assert "扫描版" in reasons["扫描.pdf"] and "损坏" in reasons["坏.docx"] and reasons["不见了.docx"] == "找不到文件"


def test_ten_megabyte_spreadsheets() -> None:
    """A 10 MB .xlsx (a ledger plus the photos offices paste in) and a 10 MB GBK .csv ledger are read and
    aggregated; the totals are computed from every row."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["XX公司2024年困难职工慰问台账"])
    ws.append(["序号", "姓名", "慰问类别", "慰问日期", "慰问金额（元）"])
    for i in range(1, 5001):
        ws.append([i, f"职工{i}", ("春节慰问", "大病救助")[i % 2], f"2024-{i % 12 + 1:02d}-01", 100 + i % 3])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/media/image1.png", os.urandom(10 << 20))
    data = buf.getvalue()
    assert len(data) > 10 << 20
    res = extract_materials([("慰问台账.xlsx", data)], 2024)
    total = next(f for f in res.facts if f.text.startswith("全年"))
    assert total.text == f"全年慰问困难职工5000人次，慰问金额合计{sum(100 + i % 3 for i in range(1, 5001))}元"
    assert total.computation and "计数 = 5000" in total.computation

    rows = "\n".join(f"{i},职工{i},{('春节慰问', '大病救助')[i % 2]},2024-{i % 12 + 1:02d}-01,{100 + i % 3}"
                     for i in range(1, 260001))
    csv = ("序号,姓名,慰问类别,慰问日期,慰问金额（元）\n" + rows).encode("gbk")
    assert len(csv) > 10 << 20
    res = extract_materials([("慰问台账.csv", csv)], 2024)
    texts = [f.text for f in res.facts]
    # no title row: the subject comes from the file name
    assert texts[0] == f"全年慰问职工260000人次，慰问金额合计{sum(100 + i % 3 for i in range(1, 260001))}元"
    assert any(t.startswith("其中春节慰问130000") for t in texts)
