"""The app `drafter serve` runs: the library's HTTP API with the Gradio UI mounted at `/`.

It lives outside the `drafter` package on purpose: the library never imports the UI. `drafter serve` hands
uvicorn the import string `webui.server:create_app` (a factory), which is also what lets uvicorn start
several worker processes.
"""

from __future__ import annotations

from typing import Any

from drafter.api import create_app as create_api
from drafter.workspace import Workspace


def create_app(workspace: Workspace | None = None) -> Any:
    import gradio as gr

    from ui import build_ui, mount_options
    from webui.scope import RequestWorkspace

    ws = workspace or Workspace()
    app = create_api(ws)  # its gate (drafter/api/guard.py) wraps everything mounted below too
    # Each Gradio event sees the sender's organisation only (webui/scope.py).
    return gr.mount_gradio_app(app, build_ui(RequestWorkspace(ws)), path="/", **mount_options())
