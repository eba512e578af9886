"""/api/v1/drafts: write (JSON or a server-sent event stream), list, read, regenerate, edit, export."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from ..checking.trace import trace_dict
from ..drafting.pipeline import DraftEvent, check_outline
from ..errors import DrafterError
from ..facts import Facts
from ..views import LiveDraft, event_payload, follow
from .deps import WorkspaceDep, off_loop
from .schemas import DraftList, DraftOut, DraftRequest, EditRequest, ErrorOut, RegenerateRequest, TraceOut

router = APIRouter(prefix="/drafts", tags=["drafts"])

MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "md": "text/markdown; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _facts(req: DraftRequest) -> Facts:
    """Validated before any streaming starts (facts and outline), so bad input is a 422, not a broken
    stream."""
    if req.outline:
        check_outline(req.outline)
    return req.to_facts()


def _sse(ev: DraftEvent, view: LiveDraft | None = None) -> ServerSentEvent:
    data = event_payload(ev)
    if view is not None and ev.type != "delta":  # what the user sees now: done, failed, writing, complete
        data["progress"] = view.progress()
    return ServerSentEvent(event=ev.type, raw_data=json.dumps(data, ensure_ascii=False))


async def _events(events: AsyncIterator[DraftEvent]) -> AsyncIterator[ServerSentEvent]:
    try:
        async for view, ev in follow(events, interval=0):
            yield _sse(ev, view)
    except DrafterError as exc:
        yield ServerSentEvent(event="error", raw_data=json.dumps({"type": "error", "detail": str(exc)},
                                                                ensure_ascii=False))


@router.post("", response_model=DraftOut)
async def create_draft(req: DraftRequest, ws: WorkspaceDep, facts: Facts = Depends(_facts)) -> dict[str, Any]:  # noqa: B008 - FastAPI idiom
    draft = await ws.draft(facts, req.outline)
    return draft.public_dict()


@router.post("/stream", response_class=EventSourceResponse,
             responses={200: {"description": "事件：outline, delta, reset, section, done（或 error）"}})
async def stream_draft(req: DraftRequest, ws: WorkspaceDep,
                       facts: Facts = Depends(_facts)) -> AsyncIterator[ServerSentEvent]:  # noqa: B008
    """The draft runs on its own: a client that disconnects does not stop it (reconnect with
    `GET /drafts/{id}/events`; an interrupted draft is finished with `POST /drafts/{id}/resume`)."""
    async for event in _events(ws.draft_stream(facts, req.outline)):
        yield event


def _existing(draft_id: str, ws: WorkspaceDep) -> str:
    """A 404 before a stream starts (inside it, the status line is already sent)."""
    ws.get_draft(draft_id)
    return draft_id


@router.get("/{draft_id}/events", response_class=EventSourceResponse)
async def watch_draft(ws: WorkspaceDep, draft_id: str = Depends(_existing)) -> AsyncIterator[ServerSentEvent]:
    """Watch a draft again: the stored draft, then live events while it is being written, then `done`."""
    async for event in _events(ws.watch_draft(draft_id)):
        yield event


@router.post("/{draft_id}/resume", response_model=DraftOut, responses={409: {"model": ErrorOut}})
async def resume(draft_id: str, ws: WorkspaceDep) -> dict[str, Any]:
    """Finish an interrupted draft: only its unfinished sections are written (409 while another process
    writes it)."""
    return (await ws.resume(draft_id)).public_dict()


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
            responses={200: {"content": {MEDIA["docx"]: {}, "text/markdown": {}, MEDIA["xlsx"]: {}}}})
async def export(draft_id: str, ws: WorkspaceDep, format: str = Query("docx", pattern="^(docx|md|xlsx)$"),
                 trace: bool = Query(False, description="docx: 附上数字核对表；xlsx 即核对表本身")) -> Response:
    data = await off_loop(ws.export, draft_id, format, trace=trace)
    name = f"draft-{draft_id}-trace.xlsx" if format == "xlsx" else f"draft-{draft_id}.{format}"
    return Response(data, media_type=MEDIA[format], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/{draft_id}/trace", response_model=TraceOut)
async def trace(draft_id: str, ws: WorkspaceDep) -> dict[str, Any]:
    """The 核对表: every amount and date with its fact and that fact's source (file and quote, or the
    computation), or the flag when nothing supports it."""
    return trace_dict(await off_loop(ws.trace, draft_id))
