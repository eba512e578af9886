"""MCP tools over the materials → facts → 核对表 path: `extract_facts` and `trace_draft` (registered by
`mcp_server.build_server`; kept apart so each module stays small)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

from ..errors import InputError
from ..workspace import Workspace

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)
MAX_FILES = 20
MAX_FILE_BYTES = 20 << 20


class MaterialFile(BaseModel):
    name: str = Field(min_length=1, max_length=255, description="文件名，如 10月工作月报.docx / file name")
    content_base64: str = Field(description="文件内容（base64）/ the file's bytes, base64")


class ExtractOut(BaseModel):
    facts: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    facts_json: dict[str, Any] | None = Field(
        default=None, description="可直接交给 draft_summary 的事实（保留来源）/ facts ready for draft_summary")


class TraceOut(BaseModel):
    rows: list[dict[str, Any]]
    unsupported: int


def register(app: MCPServer, ws: Workspace, run: Any) -> None:
    """`run(fn, *args)` runs a blocking library call off the event loop (the server's `_thread`)."""

    @app.tool(title="从材料提取事实 / Extract facts from materials", annotations=READ_ONLY,
              description="从全年材料（工作报告、月报、新闻稿、台账：.docx .txt .md .pdf .xlsx .csv）中提取候选事实，"
                          "每条注明来源文件和原文；数字冲突列出各个版本，不替用户取舍。\n"
                          "Extract candidate facts from the year's materials, each with its source file and quote; "
                          "conflicting numbers are listed, never resolved.")
    async def extract_facts(
        files: Annotated[list[MaterialFile], Field(min_length=1, max_length=MAX_FILES,
                                                   description="材料文件 / material files")],
        year: Annotated[int, Field(ge=1949, le=2100, description="总结年度 / the summary's year")],
        org: Annotated[str, Field(max_length=100, description="单位名称（可不填）/ organisation")] = "",
    ) -> ExtractOut:
        inputs: list[tuple[str, bytes]] = []
        for f in files:
            try:
                data = base64.b64decode(f.content_base64, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise InputError(f"文件「{f.name}」的内容不是有效的 base64") from exc
            if len(data) > MAX_FILE_BYTES:
                raise InputError(f"文件「{f.name}」超过 20 MB 上限")
            inputs.append((f.name, data))
        result = await run(ws.extract_facts, inputs, year, org or None)
        body = result.public_dict()
        facts = None
        if any(p.block == "items" for p in result.facts):
            facts = result.to_facts(org=org or None).model_dump()
        return ExtractOut(facts=body["facts"], conflicts=body["conflicts"], skipped=body["skipped"], facts_json=facts)

    @app.tool(title="数字核对表 / Trace every number", annotations=READ_ONLY,
              description="列出草稿中每个数额和日期：依据的事实、事实的来源（文件与原文或计算过程），或待核对的原因。\n"
                          "Every amount and date of a draft with its fact and that fact's source, or its flag.")
    async def trace_draft(draft_id: Annotated[str, Field(description="草稿编号 / draft id")]) -> TraceOut:
        from ..checking.trace import trace_dict

        t = await run(ws.trace, draft_id)
        return TraceOut(rows=trace_dict(t)["rows"], unsupported=len(t.unsupported))  # type: ignore[arg-type]
