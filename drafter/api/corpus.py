"""/api/v1/corpus: list, upload (multipart) and remove past summaries; /api/v1/search over them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse

from .deps import WorkspaceDep, off_loop
from .schemas import CorpusList, RemoveResult, SearchOut, UploadResult

router = APIRouter(tags=["corpus"])
UPLOAD_PATH = "/api/v1/corpus"


@router.get("/corpus", response_model=CorpusList)
def list_corpus(ws: WorkspaceDep) -> dict[str, Any]:
    return {"documents": [asdict(d) for d in ws.list_documents()]}


@router.post("/corpus", response_model=UploadResult, responses={422: {"model": UploadResult}})
async def upload(ws: WorkspaceDep, files: list[UploadFile] = File(...),  # noqa: B008 - FastAPI idiom
                 replace: bool = Query(False, description="用新文件替换同名文档（默认拒绝同名上传）")) -> JSONResponse:
    # Names are checked by the library (safe_upload_name): `..`, `/`, NUL or an over-long name fails that file
    # only, by name, and the others are still added. Parsing and indexing run in a worker thread.
    uploads = [(f.filename, await f.read()) for f in files]
    added, errors = await off_loop(ws.add_uploads, uploads, replace=replace)
    body = {"added": [asdict(d) for d in added],
            "errors": [{"file": _shown(e.path), "detail": e.reason} for e in errors]}
    if errors and not added:
        first = errors[0]
        return JSONResponse(status_code=422, content={**body, "detail": f"「{_shown(first.path)}」未添加：{first.reason}"})
    return JSONResponse(status_code=200, content=body)


def _shown(name: str) -> str:
    """The name as the user knows it (the library reports upload names, never server paths)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1] or name


@router.delete("/corpus/{doc_id}", response_model=RemoveResult)
async def delete_doc(doc_id: str, ws: WorkspaceDep) -> dict[str, Any]:
    return {"removed": asdict(await off_loop(ws.remove_document, doc_id))}


@router.get("/search", response_model=SearchOut)
async def search(ws: WorkspaceDep, q: str = Query(..., min_length=1, max_length=2000),
                 k: int = Query(5, ge=1, le=50)) -> dict[str, Any]:
    hits = await off_loop(ws.search, q, k)
    return {"hits": [h.to_dict() for h in hits]}
