"""Sign-in, sign-out, who am I, and the admins' audit page. Plain HTML forms in Chinese, no JavaScript.

The sign-in form is protected by a double-submit token (a cookie and a hidden field that must match);
sign-out by the session's own form token. The session cookie is HttpOnly, SameSite=Lax, and Secure when the
request came over https (or DRAFTER_COOKIE_SECURE=true behind a proxy that terminates TLS).
"""

from __future__ import annotations

import html
import secrets
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..accounts import Principal
from ..accounts.passwords import same
from ..accounts.resolve import CSRF_COOKIE, SESSION_COOKIE, cookie_value
from ..accounts.store import ACTION_LABELS
from ..errors import AuthError, ForbiddenError, RateLimitError
from ..workspace import Workspace

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · 工会年度工作总结起草工具</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#f6f7f9;margin:0}}
main{{max-width:{width};margin:8vh auto;background:#fff;padding:2em;border-radius:8px;box-shadow:0 1px 4px #0002}}
label{{display:block;margin:.8em 0 .3em}}input,select{{width:100%;padding:.5em;box-sizing:border-box;font-size:1em}}
button{{margin-top:1.2em;padding:.6em 1.4em;font-size:1em}}.error{{color:#b00020}}table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ddd;padding:.4em;text-align:left}}form.filters input,form.filters select{{width:auto}}</style>
<main>{body}</main></html>"""


def _page(title: str, body: str, status: int = 200, width: str = "22em") -> HTMLResponse:
    return HTMLResponse(PAGE.format(title=html.escape(title), body=body, width=width), status_code=status,
                        headers={"cache-control": "no-store", "x-frame-options": "DENY"})


def _safe_next(target: str) -> str:
    """Only a path on this site: never `//host` or `https://…` (no open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target or target.startswith(("/login", "/logout")):
        return "/"
    return target


def _secure(request: Request) -> bool:
    setting = request.app.state.workspace.settings.cookie_secure
    return bool(setting) if setting is not None else request.url.scheme == "https"


def _principal(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)


def _login_form(next_: str, csrf: str, error: str = "") -> str:
    err = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    return (f"<h1>登录</h1>{err}<form method=post action=/login>"
            f'<input type=hidden name=csrf value="{html.escape(csrf)}">'
            f'<input type=hidden name=next value="{html.escape(next_)}">'
            '<label for=username>用户名</label><input id=username name=username autocomplete=username required autofocus>'
            '<label for=password>密码</label><input id=password name=password type=password '
            'autocomplete=current-password required><button type=submit id=login-submit>登录</button></form>')


def _form_response(request: Request, next_: str, error: str = "", status: int = 200) -> HTMLResponse:
    csrf = cookie_value(request.headers.get("cookie", ""), CSRF_COOKIE) or secrets.token_urlsafe(24)
    resp = _page("登录", _login_form(next_, csrf, error), status)
    resp.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=_secure(request), path="/login")
    return resp


@router.get("/login")
def login_page(request: Request, next: str = Query("/", max_length=2000)) -> Response:
    if _principal(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _form_response(request, _safe_next(next))


@router.post("/login")
async def login(request: Request, username: str = Form("", max_length=200), password: str = Form("", max_length=1024),
                csrf: str = Form("", max_length=200), next: str = Form("/", max_length=2000)) -> Response:
    target = _safe_next(next)
    expected = cookie_value(request.headers.get("cookie", ""), CSRF_COOKIE)
    if not expected or not same(expected, csrf):
        return _form_response(request, target, "页面已过期，请重新登录", 403)
    ws: Workspace = request.app.state.workspace
    address = request.client.host if request.client else ""
    try:
        who = await run_in_threadpool(ws.accounts.authenticate, username, password, address)
    except RateLimitError as exc:
        return _form_response(request, target, exc.message, 429)
    except AuthError as exc:
        return _form_response(request, target, exc.message, 401)
    sid, _ = await run_in_threadpool(ws.accounts.create_session, who)
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="lax", secure=_secure(request), path="/")
    resp.delete_cookie(CSRF_COOKIE, path="/login")
    return resp


@router.get("/logout")
def logout_page(request: Request) -> Response:
    p = _principal(request)
    if p is None or p.via != "session":
        return RedirectResponse("/login", status_code=303)
    body = (f"<h1>退出登录</h1><p>{html.escape(p.name)}（{html.escape(p.org_name)}）</p><form method=post action=/logout>"
            f'<input type=hidden name=csrf value="{html.escape(p.csrf)}"><button type=submit id=logout-submit>退出</button>'
            '</form><p><a href="/">返回</a></p>')
    return _page("退出登录", body)


@router.post("/logout")
async def logout(request: Request, csrf: str = Form("", max_length=200)) -> Response:
    p = _principal(request)
    if p is None or p.via != "session" or not same(p.csrf, csrf):
        return _page("退出登录", '<p class="error">页面已过期，请重试。</p><p><a href="/logout">返回</a></p>', 403)
    ws: Workspace = request.app.state.workspace
    await run_in_threadpool(ws.accounts.end_session, cookie_value(request.headers.get("cookie", ""), SESSION_COOKIE))
    await run_in_threadpool(ws.accounts.log, p.org_id, p.name, "logout", "")
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/api/v1/me")
def me(request: Request) -> JSONResponse:
    p = _principal(request)
    if p is None:
        return JSONResponse({"accounts": bool(getattr(request.state, "accounts", False)), "user": None})
    return JSONResponse({"accounts": True, "user": p.public_dict()})


@router.get("/admin/audit")
def audit_page(request: Request, user: str = Query("", max_length=200), action: str = Query("", max_length=32),
               since: str = Query("", max_length=32)) -> Response:
    p = _principal(request)
    if p is None:
        return RedirectResponse("/login?next=/admin/audit", status_code=303)
    if not p.is_admin:
        raise ForbiddenError("只有管理员可以查看审计日志")
    ws: Workspace = request.app.state.workspace
    rows = ws.accounts.audit(p.org_id, user=user.strip(), action=action.strip(), since=since.strip())
    options = "".join(f'<option value="{k}"{" selected" if k == action else ""}>{v}</option>'
                      for k, v in ACTION_LABELS.items())
    filters = (f'<form class=filters method=get>用户 <input name=user value="{html.escape(user)}"> 操作 '
               f'<select name=action><option value="">全部</option>{options}</select> 起始 '
               f'<input name=since placeholder="2026-01-01" value="{html.escape(since)}"> <button>筛选</button></form>')
    body_rows = "".join(f"<tr><td>{html.escape(r['at'])}</td><td>{html.escape(r['user_name'])}</td>"
                        f"<td>{html.escape(ACTION_LABELS.get(r['action'], r['action']))}</td>"
                        f"<td>{html.escape(r['target'])}</td></tr>" for r in rows)
    table = f"<table id=audit><tr><th>时间</th><th>用户</th><th>操作</th><th>对象</th></tr>{body_rows}</table>"
    back = f'<p><a href="/">返回</a> · 共 {len(rows)} 条 · <a href="/admin/audit?{urlencode({"action": "login_failed"})}">登录失败</a></p>'
    return _page("审计日志", f"<h1>审计日志 · {html.escape(p.org_name)}</h1>{filters}{back}{table}", width="60em")


