"""/api/v1/drafts: write (JSON or a server-sent event stream), list, read, regenerate, edit, export."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from ..errors import DrafterError
from ..facts import Facts
from ..views import event_payload, follow
from .deps import WorkspaceDep
from .schemas import DraftList, DraftOut, DraftRequest, EditRequest, RegenerateRequest

router = APIRouter(prefix="/drafts", tags=["drafts"])

MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "md": "text/markdown; charset=utf-8"}


def _facts(req: DraftRequest) -> Facts:
    """Validated before any streaming starts, so bad input is a 422, not a broken stream."""
    return req.to_facts()


@router.post("", response_model=DraftOut)
async def create_draft(req: DraftRequest, ws: WorkspaceDep, facts: Facts = Depends(_facts)) -> dict[str, Any]:  # noqa: B008 - FastAPI idiom
    draft = await ws.draft(facts, req.outline)
    return draft.public_dict()


@router.post("/stream", response_class=EventSourceResponse,
             responses={200: {"description": "事件：outline, delta, reset, section, done（或 error）"}})
async def stream_draft(req: DraftRequest, ws: WorkspaceDep,
                       facts: Facts = Depends(_facts)) -> AsyncIterator[ServerSentEvent]:  # noqa: B008
    try:
        async for view, ev in follow(ws.draft_stream(facts, req.outline), interval=0):
            data = event_payload(ev)
            if ev.type != "delta":  # what the user sees now: sections done, failed, writing, complete or not
                data["progress"] = view.progress()
            yield ServerSentEvent(event=ev.type, raw_data=json.dumps(data, ensure_ascii=False))
    except DrafterError as exc:
        yield ServerSentEvent(event="error", raw_data=json.dumps({"type": "error", "detail": str(exc)},
                                                                ensure_ascii=False))


@router.get("", response_model=DraftList)
def list_drafts(ws: WorkspaceDep, limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    return {"drafts": ws.list_drafts(limit)}


@router.get("/{draft_id}", response_model=DraftOut)
def get_draft(draft_id: str, ws: WorkspaceDep) -> dict[str, Any]:
    return ws.get_draft(draft_id).public_dict()


@router.post("/{draft_id}/sections/{index}/regenerate", response_model=DraftOut)
async def regenerate(draft_id: str, index: int, ws: WorkspaceDep,
                     req: RegenerateRequest | None = None) -> dict[str, Any]:
    draft = await ws.regenerate(draft_id, index, (req or RegenerateRequest()).instruction)
    return draft.public_dict()


@router.patch("/{draft_id}/sections/{index}", response_model=DraftOut)
def edit_section(draft_id: str, index: int, req: EditRequest, ws: WorkspaceDep) -> dict[str, Any]:
    return ws.edit_section(draft_id, index, text=req.text, heading=req.heading).public_dict()


@router.get("/{draft_id}/export", response_class=Response,
            responses={200: {"content": {MEDIA["docx"]: {}, "text/markdown": {}}}})
def export(draft_id: str, ws: WorkspaceDep, format: str = Query("docx", pattern="^(docx|md)$")) -> Response:
    data = ws.export(draft_id, format)
    return Response(data, media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="draft-{draft_id}.{format}"'})
