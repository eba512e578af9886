"""Past summaries as files: safe upload names, document ids, and reading .txt/.md/.docx within sane limits
(sizes, a .docx's parts checked from its zip directory before anything is inflated), then parsing them
with `documents.parse_document`."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from pathlib import Path

from ..errors import BadFileError
from .documents import Document, parse_document

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx")

# Size limits. An annual summary is 3–30 thousand characters; a 100-page .docx has a few MB of XML.
MAX_TEXT_CHARS = 500_000  # beyond this it is not one summary (and would take ~4 min to embed)
MAX_TEXT_FILE_BYTES = 4 * 1024 * 1024  # .txt/.md, checked before reading
MAX_DOCX_FILE_BYTES = 50 * 1024 * 1024
MAX_DOCX_PARTS = 1000  # Word writes 10–30; one per picture beyond that
MAX_DOCX_XML_BYTES = 30 * 1024 * 1024  # inflated XML, the part python-docx parses
MAX_DOCX_TOTAL_BYTES = 100 * 1024 * 1024  # inflated, pictures included (python-docx holds them in memory)
MAX_DOCX_RATIO = 100  # inflated/compressed for a part over 1 MB: XML deflates 5–20x, pictures ~1x


MAX_NAME_BYTES = 255  # what ext4 and most file systems allow for one name
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAME_HINT = "请给文件起一个普通的名字，如“2022年工会工作总结.docx”"


def safe_upload_name(name: str | None) -> str:
    """The file name to store an upload under, or BadFileError (in Chinese) saying what is wrong with it.

    Path components are dropped (a browser on Windows may send `C:\\Users\\…\\a.docx`; a hostile client sends
    `../../x.txt`); nothing is left, `.`/`..`, control characters (NUL), more than 255 bytes and unsupported
    types are refused. Call it on every uploaded name before touching the disk.
    """
    shown = (name or "").replace("\x00", "\\0")
    shown = shown if len(shown) <= 80 else shown[:77] + "…"
    if not name or not name.strip():
        raise BadFileError(shown or "（无文件名）", "缺少文件名", hint=_NAME_HINT)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise BadFileError(shown, "文件名含有控制字符（如 NUL），请改名后再上传", hint=_NAME_HINT)
    if any(ch in _BIDI_CONTROLS for ch in name):  # `总结\u202excod.exe` would display as `总结exe.docx`
        raise BadFileError(shown.encode("unicode_escape").decode("ascii"), "文件名含有改变文字方向的隐藏字符，请改名后再上传",
                           hint=_NAME_HINT)
    base = re.split(r"[/\\]", name)[-1].strip()
    if base in ("", ".", ".."):
        raise BadFileError(shown, "文件名无效（不能为空，也不能是“.”“..”或目录）", hint=_NAME_HINT)
    size = len(base.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        raise BadFileError(shown, f"文件名过长（{size} 字节，上限 {MAX_NAME_BYTES} 字节，约 85 个汉字），请改短后再上传", hint=_NAME_HINT)
    suffix = Path(base).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise BadFileError(base, f"不支持的文件类型 {suffix or '（无扩展名）'}，请上传 .docx、.txt 或 .md")
    return base


def name_key(name: str) -> str:
    """What makes two file names "the same document name": the stem, case and width folded.

    `Dup.md`, `dup.txt` and `ＤＵＰ.docx` share a key; a re-upload under such a name is a replacement.
    """
    return unicodedata.normalize("NFKC", Path(name).stem).casefold().strip()


def make_doc_id(name: str) -> str:
    """A stable, URL-safe id from a file name: its ASCII stem, or a short hash for non-ASCII names."""
    stem = Path(name).stem
    if re.fullmatch(r"[A-Za-z0-9_-]{1,60}", stem):
        return stem.lower()
    return "doc-" + hashlib.sha1(stem.encode("utf-8")).hexdigest()[:8]


def read_text_file(path: Path) -> str:
    """Text of a .txt/.md/.docx file; BadFileError names the file and says what is wrong."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise BadFileError(str(path), f"不支持的文件类型 {suffix or '（无扩展名）'}")
    limit = MAX_DOCX_FILE_BYTES if suffix == ".docx" else MAX_TEXT_FILE_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise BadFileError(str(path), f"文件过大（{_mb(size)}，上限 {_mb(limit)}），不像一篇年度总结")
        data = path.read_bytes()
    except OSError as exc:
        raise BadFileError(str(path), f"无法打开（{exc.strerror or type(exc).__name__}）") from exc
    if suffix == ".docx":
        text = _read_docx(path, data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BadFileError(str(path), "不是 UTF-8 编码的文本（如为 GBK，请另存为 UTF-8）") from exc
        if "\x00" in text:
            raise BadFileError(str(path), "看起来是二进制文件，不是文本")
    if len(text) > MAX_TEXT_CHARS:
        raise BadFileError(str(path), f"文字过长（{len(text)} 字，上限 {MAX_TEXT_CHARS} 字），不像一篇年度总结；"
                                      "请拆分后分别上传")
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise BadFileError(str(path), "文件为空或不含中文内容")
    return text


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def check_docx_archive(path: Path, data: bytes) -> None:
    """Refuse a .docx whose parts would inflate past the limits, before anything is inflated.

    The sizes come from the zip's central directory. A lying header does not get past this: zipfile stops
    reading a member at its declared size and then fails the CRC check, so a declared size bounds the output.
    """
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise BadFileError(str(path), "不是有效的 .docx 文件（文件可能已损坏）") from exc
    if len(infos) > MAX_DOCX_PARTS:
        raise BadFileError(str(path), f"压缩包内有 {len(infos)} 个部件（正常的 .docx 不超过 {MAX_DOCX_PARTS} 个），"
                                      "疑似恶意构造的文件，已拒绝")
    xml_total = total = 0
    for info in infos:
        size = info.file_size
        if size > 1024 * 1024 and size > MAX_DOCX_RATIO * max(info.compress_size, 1):
            raise BadFileError(
                str(path), f"部件 {info.filename} 解压后异常膨胀（{info.compress_size} 字节解压为 {_mb(size)}，"
                           f"超过 {MAX_DOCX_RATIO} 倍），疑似“压缩炸弹”，已拒绝")
        total += size
        if not info.filename.lower().startswith("word/media/"):
            xml_total += size
    if xml_total > MAX_DOCX_XML_BYTES:
        raise BadFileError(str(path), f"解压后正文部分过大（{_mb(xml_total)}，上限 {_mb(MAX_DOCX_XML_BYTES)}），"
                                      "不像一篇年度总结；请删去无关内容，或另存为 .txt 后上传")
    if total > MAX_DOCX_TOTAL_BYTES:
        raise BadFileError(str(path), f"解压后过大（{_mb(total)}，上限 {_mb(MAX_DOCX_TOTAL_BYTES)}），"
                                      "请删去图片后再上传")


def _read_docx(path: Path, data: bytes) -> str:
    import io

    check_docx_archive(path, data)
    import docx  # python-docx; imported here because it costs ~0.2 s and most runs never read .docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BadFileError(str(path), "不是有效的 .docx 文件（文件可能已损坏）") from exc
    except Exception as exc:  # python-docx raises assorted errors on corrupt parts
        raise BadFileError(str(path), f"不是有效的 .docx 文件（{type(exc).__name__}）") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def load_file(path: str | Path) -> Document:
    p = Path(path)
    return parse_document(read_text_file(p), make_doc_id(p.name), source=str(p))


# `[ \t]*`, not `\s*`: with re.M, `^\s*` spanned newlines and rescanned every blank run from each line start.
