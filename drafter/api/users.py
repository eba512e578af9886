"""/api/v1/users: an organisation's admins manage their colleagues (list, add, disable, enable, reset a
password). Only in accounts mode; another organisation's user answers 404 like a missing one."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from ..accounts import Principal
from ..errors import AuthError, ForbiddenError
from ..workspace import Workspace
from .deps import off_loop

router = APIRouter(prefix="/users", tags=["users"])


class NewUser(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: Literal["admin", "writer"]
    password: str = Field(min_length=1, max_length=1024)


class NewPassword(BaseModel):
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    name: str
    org: str
    role: str
    disabled: bool = False


class UserList(BaseModel):
    users: list[UserOut]


def _admin(request: Request) -> tuple[Workspace, Principal]:
    p: Principal | None = getattr(request.state, "principal", None)
    if p is None:
        raise AuthError("需要登录或有效的 API 令牌", hint="尚未创建账号时请用 `drafter users add` 创建第一个管理员")
    if not p.is_admin:
        raise ForbiddenError("只有管理员可以管理用户", hint="请联系本组织的管理员")
    return request.app.state.workspace, p


@router.get("", response_model=UserList)
def list_users(request: Request) -> dict[str, Any]:
    ws, p = _admin(request)
    return {"users": ws.accounts.list_users(p.org_id)}


@router.post("", response_model=UserOut, status_code=201)
async def add_user(req: NewUser, request: Request) -> dict[str, Any]:
    ws, p = _admin(request)
    user = await off_loop(ws.accounts.add_user, req.name, p.org_name, req.role, req.password, by=p)
    return {"name": user["name"], "org": user["org"], "role": user["role"]}


@router.post("/{name}/disable", status_code=204)
async def disable(name: str, request: Request) -> None:
    ws, p = _admin(request)
    await off_loop(ws.accounts.set_disabled, name, True, by=p)


@router.post("/{name}/enable", status_code=204)
async def enable(name: str, request: Request) -> None:
    ws, p = _admin(request)
    await off_loop(ws.accounts.set_disabled, name, False, by=p)


@router.put("/{name}/password", status_code=204)
async def set_password(name: str, req: NewPassword, request: Request) -> None:
    ws, p = _admin(request)
    await off_loop(ws.accounts.set_password, name, req.password, by=p)
