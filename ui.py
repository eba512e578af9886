"""Gradio web UI (placeholder until the UI lands): one library call per action."""

from __future__ import annotations

from typing import Any


def build_ui(workspace: Any) -> Any:
    import gradio as gr

    with gr.Blocks(title="工会年度工作总结起草工具") as demo:
        gr.Markdown("# 工会年度工作总结起草工具")
    return demo
