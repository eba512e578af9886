"""/api/v1/corpus: list, upload (multipart) and remove past summaries; /api/v1/search over them."""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path
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
async def upload(ws: WorkspaceDep, files: list[UploadFile] = File(...)) -> JSONResponse:  # noqa: B008 - FastAPI idiom
    with tempfile.TemporaryDirectory(prefix="drafter-upload-") as tmp:
        paths = []
        for n, f in enumerate(files):
            name = Path(f.filename or "upload.txt").name
            folder = Path(tmp) / str(n)  # one folder per file: two uploads with one name never collide
            folder.mkdir()
            target = folder / name
            target.write_bytes(await f.read())
            paths.append(target)
        added, errors = await off_loop(ws.add_documents, paths)
    body = {"added": [asdict(d) for d in added],
            "errors": [{"file": Path(e.path).name, "detail": e.reason} for e in errors]}
    if errors and not added:
        first = errors[0]
        return JSONResponse(status_code=422, content={**body, "detail": f"「{Path(first.path).name}」未添加：{first.reason}"})
    return JSONResponse(status_code=200, content=body)


@router.delete("/corpus/{doc_id}", response_model=RemoveResult)
async def delete_doc(doc_id: str, ws: WorkspaceDep) -> dict[str, Any]:
    return {"removed": asdict(await off_loop(ws.remove_document, doc_id))}


@router.get("/search", response_model=SearchOut)
async def search(ws: WorkspaceDep, q: str = Query(..., min_length=1, max_length=2000),
                 k: int = Query(5, ge=1, le=50)) -> dict[str, Any]:
    hits = await off_loop(ws.search, q, k)
    return {"hits": [h.to_dict() for h in hits]}
