"""MCP server: drafter's actions as tools for AI assistants (official `mcp` SDK).

A front end like cli.py and the HTTP API: each tool is one Workspace call. `drafter mcp` serves it over
stdio (desktop clients); `drafter serve` mounts the streamable-HTTP transport at /mcp behind the same
authentication as /api/v1 (`http_transport`, mounted by drafter/api/mcp_route.py). A DrafterError becomes an MCP tool error carrying the same
Chinese message and hint the CLI prints (`DrafterMCP.call_tool`). Only imported by those two paths: `import drafter` and the
other CLI commands never load the SDK.
"""

from __future__ import annotations

import base64
import functools
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import (
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    TextContent,
    TextResourceContents,
    ToolAnnotations,
)
from mcp.types import Resource as MCPResource
from pydantic import BaseModel, BeforeValidator, Field, ValidationError, WithJsonSchema

from ..checking import Flag
from ..drafting.prompts import render
from ..errors import DrafterError, InputError, NotFoundError
from ..facts import Facts, coerce_facts, parse_facts, validate_facts
from ..models import Draft, OutlineSection
from ..workspace import Workspace

DRAFT_URI = "drafter://drafts/{draft_id}"
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)
WRITES = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
INSTRUCTIONS = (
    "drafter 根据本单位全年事实起草工会年度工作总结，并核对草稿中的每个数字。先收集事实（可用提示词 annual_summary），"
    "再调用 draft_summary；被标记（flags）的数字请逐条向用户说明。"
    " / drafter drafts Chinese trade-union annual work summaries from the year's facts and checks every number."
)

# Facts arrive as a JSON object (the Facts schema, published so agents see the fields), as the plain-text
# form a person types, or as a list of fact lines; drafter validates them itself, so a mistake is named in
# Chinese. Drafting needs 单位 and 年度; checking needs only fact lines.
def _facts_schema() -> dict[str, Any]:
    """The Facts schema for agents, self-contained: provenance (which carries sub-models) is accepted but
    not advertised — an agent passes facts from `extract_facts` through as they are."""
    schema = Facts.model_json_schema()
    schema.pop("$defs", None)
    schema.get("properties", {}).pop("provenance", None)
    return schema


FactsArg = Annotated[
    dict[str, Any] | list[str] | str,
    WithJsonSchema({
        "anyOf": [_facts_schema(), {"type": "array", "items": {"type": "string"}}, {"type": "string"}],
        "description": "本单位全年事实：JSON 对象（org 单位、year 年度、items 全年工作每条带数字、shortcomings 不足、plans 打算…），"
                       "或每行一条的纯文本（“单位：…”“年度：…”开头），或事实列表。"
                       "/ The year's facts: a JSON object, plain text, or a list of fact lines.",
    }),
]
_FORMATS = {"docx": "docx", "word": "docx", "md": "md", "markdown": "md"}


def _format(value: Any) -> Any:
    """Accept what an assistant writes for the format: `DOCX`, `.docx`, `Word`, `markdown`."""
    return _FORMATS.get(value.strip().lstrip(".").lower(), value) if isinstance(value, str) else value


# --- typed outputs ---------------------------------------------------------------------------------------
class SourceRef(BaseModel):
    title: str = Field(description="范文标题 / exemplar title")
    section: str = Field(description="范文中的标题路径 / heading path in the exemplar")


class SectionOut(BaseModel):
    index: int = Field(description="节编号，从 0 开始 / section index, from 0")
    kind: str = Field(description="opening | body | shortcomings | plans | closing")
    heading: str = Field(description="标题（开头、结尾为空）/ heading, empty for opening and closing")
    text: str
    status: str = Field(description="done | failed | pending")
    error: str = ""
    version: int = Field(description="重写次数 / times rewritten")
    flags: list[Flag] = Field(description="事实不支持的数字，start/end 为本节 text 中的位置 / unsupported numbers")
    sources: list[SourceRef] = Field(default_factory=list)


class DraftOut(BaseModel):
    id: str = Field(description="草稿编号 / draft id")
    title: str
    backend: str = Field(description="offline（离线起草器）或模型名 / 'offline' or the model's name")
    uri: str = Field(description="草稿资源 / the draft as a resource (Markdown)")
    updated_at: str
    flag_count: int
    sections: list[SectionOut]
    markdown: str = Field(description="全文 Markdown / the whole draft as Markdown")


class CheckOut(BaseModel):
    flag_count: int
    flags: list[Flag]


class Passage(BaseModel):
    doc_id: str
    title: str = Field(description="范文标题 / exemplar title")
    section: str = Field(description="标题路径 / heading path")
    heading: str
    position: str = Field(description="opening | body | closing | shortcomings | plans")
    score: float
    text: str


class SearchOut(BaseModel):
    hits: list[Passage]


class DraftInfo(BaseModel):
    id: str
    title: str
    backend: str
    created_at: str
    updated_at: str
    uri: str


class DraftList(BaseModel):
    drafts: list[DraftInfo]


def _uri(draft_id: str) -> str:
    return DRAFT_URI.format(draft_id=draft_id)


def _draft_out(draft: Draft) -> DraftOut:
    from ..export.document import to_markdown

    sections = [SectionOut(index=s.index, kind=s.kind, heading=s.heading, text=s.text, status=s.status,
                           error=s.error, version=s.version, flags=s.flags,
                           sources=[SourceRef(title=src.title, section=src.section) for src in s.sources])
                for s in draft.sections]
    return DraftOut(id=draft.id, title=draft.title, backend=draft.backend, uri=_uri(draft.id),
                    updated_at=draft.updated_at, flag_count=len(draft.flags), sections=sections,
                    markdown=to_markdown(draft))


def _flag_lines(flags: Sequence[Flag], prefix: str = "") -> list[str]:
    return [f"{prefix}「{f.text}」{f.reason} {f.hint}".rstrip() for f in flags]


def _draft_result(draft: Draft) -> CallToolResult:
    """Markdown for the model to read, the typed draft as structured content."""
    out = _draft_out(draft)
    label = "离线草稿（未使用大模型，未编造任何数字）" if draft.backend == "offline" else f"模型：{draft.backend}"
    notes = [f"草稿编号 {draft.id} · {label} · 标记 {out.flag_count} 处"]
    for s in draft.sections:
        if s.status == "failed":
            notes.append(f"第 {s.index} 节生成失败：{s.error}")
        notes += _flag_lines(s.flags, f"第 {s.index} 节")
    text = out.markdown.rstrip() + "\n\n---\n" + "\n".join(notes)
    return CallToolResult(content=[TextContent(type="text", text=text)],
                          structured_content=out.model_dump(mode="json"))


def _facts(value: dict[str, Any] | list[str] | str) -> Facts:
    """Complete facts, as drafting needs them (the API's reading: a bare list is the year's items)."""
    if isinstance(value, list):
        return validate_facts({"items": value})  # names the missing 单位 in Chinese
    return validate_facts(value) if isinstance(value, dict) else parse_facts(value)


_ARG_REASONS = {
    "missing": "缺少此参数", "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "string_type": "应为文字", "string_too_short": "不能为空", "too_short": "不能为空", "list_type": "应为列表",
    "dict_type": "应为 JSON 对象", "model_type": "应为 JSON 对象", "literal_error": "取值不在可选范围内",
}


def _argument_message(tool: str, exc: ValidationError) -> str:
    """The first bad argument, named in Chinese (with pydantic's English for the model) — as the API's 422."""
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err.get("loc") else "参数"
    ctx = err.get("ctx") or {}
    reason = {"greater_than_equal": f"不能小于 {ctx.get('ge')}", "less_than_equal": f"不能大于 {ctx.get('le')}",
              "string_too_long": f"不能超过 {ctx.get('max_length')} 字"}.get(err["type"]) \
        or _ARG_REASONS.get(err["type"], "格式不正确")
    return f"工具 {tool} 的参数「{field}」有误：{reason}（{err.get('msg', '')}）"


async def _thread(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Blocking library calls (SQLite, retrieval, export) run off the event loop, as the HTTP API's are."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


class DrafterMCP(MCPServer):
    """MCPServer whose resource list also names every saved draft (the template alone lists none)."""

    def __init__(self, ws: Workspace, **kwargs: Any) -> None:
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        super().__init__(**kwargs)
        # MCPServer calls logging.basicConfig(); logging is the host application's choice (and a root handler
        # would surface bm25s's DEBUG chatter), so undo it.
        for h in root.handlers[len(handlers):]:
            root.removeHandler(h)
        root.setLevel(level)
        self.workspace = ws

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        """A DrafterError reaches the caller as a tool error with the CLI's Chinese message and hint; bad
        arguments are named in Chinese. Anything else stays the SDK's generic "Error executing tool"."""
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, DrafterError):
                raise ToolError(str(cause)) from cause
            if isinstance(cause, ValidationError):
                raise ToolError(_argument_message(name, cause)) from cause
            raise

    async def list_resources(self) -> list[MCPResource]:
        rows = await _thread(self.workspace.list_drafts, 100)
        return [*await super().list_resources(),
                *(MCPResource(uri=_uri(r["id"]), name=r["id"], title=r["title"], mime_type="text/markdown",
                              description=f"草稿（更新于 {r['updated_at']}）/ draft, Markdown") for r in rows)]


def build_server(ws: Workspace | None = None) -> DrafterMCP:
    ws = ws or Workspace()
    app = DrafterMCP(ws, name="drafter", title="工会年度工作总结起草工具 / drafter", version="0.1.0",
                     instructions=INSTRUCTIONS, log_level="WARNING")

    @app.tool(title="起草年度工作总结 / Draft the annual summary", annotations=WRITES,
              description="根据全年事实起草工会年度工作总结，逐节核对数字；返回草稿编号、各节及其标记和全文 Markdown。"
                          "每写完一节报告一次进度。\nDraft a trade-union annual summary from the year's facts; "
                          "returns the draft id, sections with flagged numbers, and the Markdown. Reports progress "
                          "per finished section.")
    async def draft_summary(
        facts: FactsArg,
        ctx: Context,
        outline: Annotated[list[OutlineSection] | None, Field(
            description="可选：自定的提纲（各节 kind、heading、facts）/ optional outline")] = None,
    ) -> Annotated[CallToolResult, DraftOut]:
        parsed = _facts(facts)
        total, done, draft = 0, 0, None
        async for ev in ws.draft_stream(parsed, outline):
            if ev.type == "outline" and ev.draft is not None:
                total = len(ev.draft.sections)
                await ctx.report_progress(0, total, f"提纲已定，共 {total} 节")
            elif ev.type == "section" and ev.section is not None:
                done += 1
                name = ev.section.heading or {"opening": "开头", "closing": "结尾"}.get(ev.section.kind, "")
                await ctx.report_progress(done, total, f"第 {ev.section.index} 节完成：{name}")
            elif ev.type == "done":
                draft = ev.draft
        if draft is None:  # the stream always ends with "done"; guard against a silent empty result
            raise InputError("草稿未能完成")
        return _draft_result(draft)

    @app.tool(title="重写一节 / Rewrite one section", annotations=WRITES,
              description="重写草稿中的一节（可附修改要求），其他节保持不变。\n"
                          "Rewrite one section of a draft (optionally following an instruction); the others stay.")
    async def regenerate_section(
        draft_id: Annotated[str, Field(description="草稿编号 / draft id")],
        index: Annotated[int, Field(description="节编号，从 0 开始 / section index, from 0")],
        instruction: Annotated[str, Field(max_length=500, description="修改要求，如“更简洁”/ instruction")] = "",
    ) -> Annotated[CallToolResult, DraftOut]:
        return _draft_result(await ws.regenerate(draft_id, index, instruction))

    @app.tool(title="核对数字 / Check the numbers", annotations=READ_ONLY,
              description="核对一段文字中的数字是否都有事实依据，返回被标记的数字及原因。\n"
                          "Check every number in a text against the facts; returns the flagged ones with reasons.")
    async def check_amounts(
        facts: FactsArg,
        text: Annotated[str, Field(max_length=500_000, description="要核对的文字 / the text to check")],
    ) -> CheckOut:
        # The checker's one facts reader (as `drafter check` and the API): nothing but fact lines is required.
        flags = await _thread(ws.check, text, coerce_facts(facts))
        return CheckOut(flag_count=len(flags), flags=flags)

    @app.tool(title="检索范文 / Search exemplars", annotations=READ_ONLY,
              description="在范文库中检索往年总结的片段，返回标题、所在标题路径和原文。\n"
                          "Search past summaries; returns passages with their titles and headings.")
    async def search_exemplars(
        query: Annotated[str, Field(min_length=1, max_length=2000, description="检索内容 / query")],
        k: Annotated[int, Field(ge=1, le=50, description="返回条数 / number of passages")] = 5,
    ) -> SearchOut:
        hits = await _thread(ws.search, query, k)
        return SearchOut(hits=[Passage(doc_id=h.chunk.doc_id, title=h.chunk.title, section=h.chunk.section,
                                       heading=h.chunk.heading, position=h.chunk.position, score=round(h.score, 6),
                                       text=h.chunk.text) for h in hits])

    @app.tool(title="草稿列表 / List drafts", annotations=READ_ONLY,
              description="列出已保存的草稿（最近更新的在前）。\nList saved drafts, most recently updated first.")
    async def list_drafts(limit: Annotated[int, Field(ge=1, le=1000, description="最多条数 / at most")] = 20
                          ) -> DraftList:
        rows = await _thread(ws.list_drafts, limit)
        return DraftList(drafts=[DraftInfo(**r, uri=_uri(r["id"])) for r in rows])

    @app.tool(title="取回草稿 / Get a draft", annotations=READ_ONLY,
              description="按编号取回一份草稿。\nGet a saved draft by id.")
    async def get_draft(draft_id: Annotated[str, Field(description="草稿编号 / draft id")]
                        ) -> Annotated[CallToolResult, DraftOut]:
        return _draft_result(await _thread(ws.get_draft, draft_id))

    @app.tool(title="导出草稿 / Export a draft", annotations=READ_ONLY,
              description="导出草稿：docx 为公文格式 Word 文件，md 为 Markdown；文件作为内嵌资源返回。\n"
                          "Export a draft as .docx (official-document layout) or Markdown, as an embedded resource.",
              structured_output=False)
    async def export_draft(
        draft_id: Annotated[str, Field(description="草稿编号 / draft id")],
        format: Annotated[Literal["docx", "md"], BeforeValidator(_format),
                          Field(description="docx（公文格式 Word）或 md（Markdown）")] = "docx",
    ) -> list[TextContent | EmbeddedResource]:
        data: bytes = await _thread(ws.export, draft_id, format)
        uri = f"{_uri(draft_id)}.{format}"
        resource: TextResourceContents | BlobResourceContents = (
            BlobResourceContents(uri=uri, mime_type=DOCX_MIME, blob=base64.b64encode(data).decode("ascii"))
            if format == "docx" else TextResourceContents(uri=uri, mime_type="text/markdown", text=data.decode("utf-8")))
        note = f"已导出草稿 {draft_id}（{format}，{len(data)} 字节），文件名 draft-{draft_id}.{format}"
        return [TextContent(type="text", text=note), EmbeddedResource(type="resource", resource=resource)]

    from .materials import register

    register(app, ws, _thread)

    @app.resource(DRAFT_URI, name="draft", mime_type="text/markdown",
                  description="一份草稿的全文 Markdown / a saved draft as Markdown")
    async def draft_resource(draft_id: str) -> str:
        try:
            return (await _thread(ws.export, draft_id, "md")).decode("utf-8")
        except NotFoundError as exc:
            raise ResourceNotFoundError(str(exc)) from exc

    @app.prompt(name="annual_summary", description="引导助手向用户收集事实并起草年度工作总结。\n"
                                                   "Walks an assistant through collecting the facts and drafting.")
    def annual_summary(org: str = "", year: str = "") -> str:
        org, year = org.strip(), year.strip().removesuffix("年")
        subject = f"{org}{year}年" if org and year else org or "本单位"
        return render(ws.settings.prompts_dir, "mcp/annual_summary", subject=subject)

    return app


# --- transports ------------------------------------------------------------------------------------------
def run_stdio(ws: Workspace | None = None) -> None:
    """Serve over stdin/stdout until the client closes them. The SDK points fd 1 at stderr while serving, so
    a stray print (or a native library's) cannot corrupt the protocol."""
    build_server(ws).run("stdio")


def _security(host: str) -> TransportSecuritySettings:
    # On loopback, refuse foreign Host/Origin headers (DNS rebinding); elsewhere the API key is the guard.
    if host in ("127.0.0.1", "localhost", "::1"):
        return TransportSecuritySettings(allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
                                         allowed_origins=["http://127.0.0.1:*", "http://localhost:*",
                                                          "http://[::1]:*"])
    return TransportSecuritySettings(enable_dns_rebinding_protection=False)


def http_transport(ws: Workspace, path: str = "/mcp") -> tuple[Any, Callable[[], Any]]:
    """The streamable-HTTP transport for `path`: its ASGI app and `run`, the async context its session
    manager must be inside while requests are served (`drafter/api/mcp_route.py` mounts both).

    Stateless: every POST is answered on its own (progress notifications stream back on that POST), so no
    session lives in one worker process that another worker would not know. Authentication is the app's
    ApiGuard, which must cover `path`."""
    server = build_server(ws)
    server.streamable_http_app(streamable_http_path=path, stateless_http=True,
                               transport_security=_security(ws.settings.host))
    return StreamableHTTPASGIApp(server.session_manager), server.session_manager.run


def main() -> int:
    """`drafter mcp`: stdio only; the HTTP transport lives in `drafter serve`."""
    sys.stderr.write("drafter MCP 服务（stdio）已启动，等待客户端…\n")
    run_stdio()
    return 0
