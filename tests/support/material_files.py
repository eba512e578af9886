"""Writers for realistic material files: .docx (python-docx), .xlsx with merged title/header cells
(openpyxl), a PDF with a real text layer (written by hand: a Type0 font with a ToUnicode map, which is what
text extraction reads), a "scanned" PDF (one image per page, no text), GBK text, a corrupt file.

Used by tools/make_materials.py (the labelled bundles), the tests and the bench.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from pathlib import Path

Row = Sequence[object]


def docx_bytes(paragraphs: Sequence[str], tables: Sequence[tuple[int, Sequence[Row]]] = ()) -> bytes:
    """A .docx; each table is (index of the paragraph it follows, rows); the first row is the header.
    Paragraphs starting with `# ` become Heading 1, `## ` Heading 2, like a report's outline."""
    import docx

    d = docx.Document()
    at = {i: rows for i, rows in tables}
    for i, text in enumerate(paragraphs):
        if text.startswith("## "):
            d.add_heading(text[3:], level=2)
        elif text.startswith("# "):
            d.add_heading(text[2:], level=1)
        else:
            d.add_paragraph(text)
        if i in at:
            rows = at[i]
            t = d.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, v in enumerate(row):
                    t.cell(r, c).text = "" if v is None else str(v)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def xlsx_bytes(sheets: Sequence[tuple[str, str, Sequence[Row], Sequence[Row]]], *, merged_header: int = 0) -> bytes:
    """A workbook: each sheet is (name, title, header rows, data rows). The title row is merged across the
    sheet like a real 台账; with `merged_header` = k, the first header row's cell k is merged over k..k+1."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, title, headers, rows in sheets:
        ws = wb.create_sheet(name)
        width = max(len(h) for h in headers)
        r = 1
        if title:
            ws.cell(1, 1, title)
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
            r = 2
        for h in headers:
            for c, v in enumerate(h, 1):
                if v is not None:
                    ws.cell(r, c, v)
            r += 1
        if merged_header and len(headers) == 2:
            hr = r - 2
            for c in range(1, width + 1):  # cells with no second-row label are merged vertically
                if headers[1][c - 1] is None and c not in (merged_header + 1, merged_header + 2):
                    ws.merge_cells(start_row=hr, start_column=c, end_row=hr + 1, end_column=c)
            ws.merge_cells(start_row=hr, start_column=merged_header + 1, end_row=hr, end_column=merged_header + 2)
        for row in rows:
            for c, v in enumerate(row, 1):
                ws.cell(r, c, v)
            r += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes, extra: str = "") -> bytes:
    z = zlib.compress(data)
    return f"<< /Length {len(z)} /Filter /FlateDecode {extra}>>\nstream\n".encode() + z + b"\nendstream"


def pdf_bytes(pages: Sequence[Sequence[str]]) -> bytes:
    """A PDF whose pages hold the given lines as real text (CIDs mapped to Unicode by a ToUnicode CMap).
    Lines longer than 38 characters wrap, as they would on an A4 page."""
    chars: dict[str, int] = {}
    wrapped_pages = []
    for lines in pages:
        wrapped = []
        for line in lines:
            wrapped += [line[i : i + 38] for i in range(0, len(line), 38)] or [""]
        wrapped_pages.append(wrapped)
        for line in wrapped:
            for ch in line:
                chars.setdefault(ch, len(chars) + 1)
    n_pages = len(pages)
    # objects: 1 catalog, 2 pages, 3 font, 4 cidfont, 5 tounicode, then (page, content) pairs
    kids = " ".join(f"{6 + 2 * i} 0 R" for i in range(n_pages))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode(),
            b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
            b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
            b"/Ordering (Identity) /Supplement 0 >> /DW 1000 >>"]
    items = sorted(chars.items(), key=lambda kv: kv[1])
    cmap = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
            "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    for i in range(0, len(items), 100):
        chunk = items[i : i + 100]
        cmap.append(f"{len(chunk)} beginbfchar")
        cmap += [f"<{cid:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for ch, cid in chunk]
        cmap.append("endbfchar")
    cmap += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    objs.append(_stream("\n".join(cmap).encode()))
    for p, lines in enumerate(wrapped_pages):
        content = ["BT", "/F1 12 Tf", "50 800 Td", "16 TL"]
        for line in lines:
            hexs = "".join(f"{chars[ch]:04X}" for ch in line)
            content.append(f"<{hexs}> Tj T*")
        content.append("ET")
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                    f"/Contents {7 + 2 * p} 0 R >>".encode())
        objs.append(_stream("\n".join(content).encode()))
    return _pdf(objs)


def scanned_pdf_bytes(n_pages: int = 2) -> bytes:
    """A PDF like a scanner makes: each page one grey image, no text at all."""
    kids = " ".join(f"{3 + 3 * i} 0 R" for i in range(n_pages))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode()]
    for p in range(n_pages):
        content, image = 4 + 3 * p, 5 + 3 * p
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 {image} "
                    f"0 R >> >> /Contents {content} 0 R >>".encode())
        objs.append(_stream(b"q 495 0 0 742 50 50 cm /Im1 Do Q"))
        pixels = bytes((x * 7 + y * 3) % 256 for y in range(64) for x in range(48))
        objs.append(_stream(pixels, "/Type /XObject /Subtype /Image /Width 48 /Height 64 /ColorSpace /DeviceGray "
                                    "/BitsPerComponent 8 "))
    return _pdf(objs)


def corrupt_docx_bytes() -> bytes:
    """The first half of a real .docx: what a broken download or a full USB stick leaves."""
    whole = docx_bytes(["工会工作简报", "本月召开职工代表座谈会1次。"])
    return whole[: len(whole) // 2]


def write(path: Path, data: bytes | str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path
