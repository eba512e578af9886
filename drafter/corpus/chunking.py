"""Sections → chunks: never across a section boundary, token-sized, with offsets back into the source."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from .documents import Document, has_placeholder

if TYPE_CHECKING:  # the splitter loads on the first chunking: a server that only drafts never needs it (9 MB)
    import tiktoken
    from langchain_text_splitters import RecursiveCharacterTextSplitter

# Chinese sentence boundaries first, then clauses; never mid-word unless a clause is itself too long.
SEPARATORS = ["\n\n", "\n", "。", "；", "！", "？", "，", "、", ""]


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    title: str
    text: str
    heading: str
    section: str  # heading path label: "三、营造和谐工作氛围，关注教师身心健康 > 2、积极关心教职工的生活"
    section_index: int
    level: int
    position: str
    start: int  # offsets into the document's text: doc.text[start:end] == text
    end: int
    tokens: int
    has_placeholder: bool

    def embed_text(self) -> str:
        """What the embedder sees: the heading path gives the topic even to a chunk from the middle."""
        return f"{self.section}\n{self.text}" if self.section else self.text

    def metadata(self) -> dict[str, str | int | bool]:
        meta = asdict(self)
        meta.pop("text")
        return meta


def make_splitter(enc: tiktoken.Encoding, chunk_tokens: int, overlap: int) -> RecursiveCharacterTextSplitter:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        keep_separator="end",
        chunk_size=chunk_tokens,
        chunk_overlap=overlap,
        length_function=lambda t: len(enc.encode(t, disallowed_special=())),
        strip_whitespace=True,
    )


def _locate(body: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Offsets of each split piece in the section text (overlap means a piece may start early).

    Pieces come in order; each starts after the previous one's start and at the latest at its end (or later,
    past stripped whitespace). Taking the LAST match inside that window matters for repetitive runs (`1111…`,
    `一、一、…`), where the text matches everywhere: searching forward from `cursor - len(piece)` mapped every
    piece to the same early offset, and 120 KB of such text became a single chunk.
    """
    spans: list[tuple[int, int]] = []
    for piece in pieces:
        found = -1
        if spans:
            prev_start, prev_end = spans[-1]
            found = body.rfind(piece, prev_start + 1, prev_end + len(piece))
            if found < 0:
                found = body.find(piece, prev_end)
        if found < 0:
            found = body.find(piece)
        spans.append((found, found + len(piece)))
    return spans


def _merge_small(body: str, spans: list[tuple[int, int]], enc: tiktoken.Encoding, limit: int) -> list[tuple[int, int]]:
    """The splitter leaves a bare heading line as its own piece; join neighbours while they fit."""
    merged: list[tuple[int, int]] = []
    for span in spans:
        if merged:
            prev = merged[-1]
            if span[0] >= prev[0] and len(enc.encode(body[prev[0] : span[1]], disallowed_special=())) <= limit:
                merged[-1] = (prev[0], max(prev[1], span[1]))
                continue
        merged.append(span)
    return merged


def chunk_document(doc: Document, enc: tiktoken.Encoding, chunk_tokens: int = 400, overlap: int = 40) -> list[Chunk]:
    splitter = make_splitter(enc, chunk_tokens, overlap)
    chunks: list[Chunk] = []
    for s_index, section in enumerate(doc.sections):
        body = doc.text[section.start : section.end]
        n_tokens = len(enc.encode(body, disallowed_special=()))
        pieces = [body] if n_tokens <= chunk_tokens else splitter.split_text(body)
        spans = _merge_small(body, _locate(body, pieces), enc, chunk_tokens)
        for begin, finish in spans:
            piece = body[begin:finish]
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}:{len(chunks)}",
                    doc_id=doc.doc_id,
                    title=doc.title,
                    text=piece,
                    heading=section.heading,
                    section=section.path_label,
                    section_index=s_index,
                    level=section.level,
                    position=section.position,
                    start=section.start + begin,
                    end=section.start + finish,
                    tokens=len(enc.encode(piece, disallowed_special=())),
                    has_placeholder=has_placeholder(piece),
                )
            )
    return chunks
