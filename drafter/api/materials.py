"""/api/v1/facts/extract: the year's materials (multipart) → candidate facts with their sources.

Files are read in memory (never written to disk) under the same 20 MB body limit as corpus uploads; a file
name is reduced to its base name, so nothing a client sends can name a server path. An unreadable file is
reported in `skipped`; 422 only when no file could be read at all.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ..facts import FactProvenance
from .deps import WorkspaceDep, off_loop

router = APIRouter(tags=["materials"])
UPLOAD_PATH = "/api/v1/facts/extract"
MAX_FILES = 50


class ConflictOut(BaseModel):
    reason: str
    facts: list[FactProvenance]


class SkippedOut(BaseModel):
    file: str
    reason: str


class ExtractionOut(BaseModel):
    facts: list[FactProvenance]
    conflicts: list[ConflictOut]
    skipped: list[SkippedOut]
    year: int
    org: str
    org_type: str
    files_read: list[str]
    dropped: int = 0
    detail: str = ""


def safe_name(raw: str | None, n: int) -> str:
    """The base name only (`../../etc/passwd` → `passwd`, `C:\\x\\a.docx` → `a.docx`), never empty."""
    name = PurePath((raw or "").replace("\\", "/")).name.strip().lstrip(".")
    return name[:200] or f"file{n + 1}"


@router.post("/facts/extract", response_model=ExtractionOut, responses={422: {"model": ExtractionOut}})
async def extract(ws: WorkspaceDep, files: list[UploadFile] = File(...),  # noqa: B008 - FastAPI idiom
                  year: int = Form(..., ge=1949, le=2100), org: str | None = Form(None, max_length=100)
                  ) -> JSONResponse:
    if len(files) > MAX_FILES:
        return JSONResponse(status_code=422, content={"detail": f"一次最多上传 {MAX_FILES} 个文件"})
    inputs = [(safe_name(f.filename, n), await f.read()) for n, f in enumerate(files)]
    result = await off_loop(ws.extract_facts, inputs, year, (org or "").strip() or None)
    body: dict[str, Any] = result.public_dict()
    if not result.anything_read:
        body["detail"] = "没有一个文件能够读取：" + "；".join(f"「{s.file}」{s.reason}" for s in result.skipped)
        return JSONResponse(status_code=422, content=body)
    return JSONResponse(status_code=200, content=body)
