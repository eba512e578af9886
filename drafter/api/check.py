"""/api/v1/check: flag what a text says that the facts do not support (same reader as `drafter check`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..views import flag_dict
from .deps import WorkspaceDep, off_loop
from .schemas import CheckOut, CheckRequest

router = APIRouter(tags=["check"])


@router.post("/check", response_model=CheckOut)
async def check(req: CheckRequest, ws: WorkspaceDep) -> dict[str, Any]:
    facts = req.for_check()
    flags = await off_loop(ws.check, req.draft, facts, req.exemplars or None)
    return {"flags": [flag_dict(f) for f in flags]}
