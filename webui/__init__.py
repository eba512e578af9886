"""The Gradio web UI's parts; `ui.py` (the entry point) lays them out.

- `forms`: the facts form (form fields ⇄ Facts) and the outline as editable text.
- `render`: library objects as escaped HTML, labels, and upload/file-name helpers.
- `theme`: the page CSS, the Gradio theme and `mount_options()`.
- `handlers`: `DrafterUI`, one method per UI event.

Gradio is imported here, once, before any module of the package (or ui.py) uses it:
- with its analytics off;
- with the MCP SDK hidden from it. Gradio imports the SDK at import time whenever it is installed
  (gradio/mcp.py, for Gradio's own MCP server, which drafter does not use: drafter serves its own /mcp,
  drafter/api/mcp_route.py). Hidden, a server nobody calls over MCP never loads the SDK (25 MB); /mcp loads it
  on its first request. To Gradio a hidden SDK looks not installed, a case it handles.
"""

import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def _import_gradio_without_the_mcp_sdk() -> None:
    if "gradio" in sys.modules or "mcp" in sys.modules:
        return  # imported already: nothing to save
    if os.environ.get("GRADIO_MCP_SERVER", "").lower() == "true":
        return  # someone asked for Gradio's own MCP server: it needs the SDK at import
    sys.modules["mcp"] = None  # type: ignore[assignment]  # an import of it raises ImportError
    try:
        import gradio  # noqa: F401
    finally:
        if "mcp" in sys.modules and sys.modules["mcp"] is None:
            del sys.modules["mcp"]


_import_gradio_without_the_mcp_sdk()
