"""The Gradio web UI's parts; `ui.py` (the entry point) lays them out.

- `forms`: the facts form (form fields ⇄ Facts) and the outline as editable text.
- `render`: library objects as escaped HTML, labels, and upload/file-name helpers.
- `theme`: the page CSS, the Gradio theme and `mount_options()`.
- `handlers`: `DrafterUI`, one method per UI event.
"""

import os

# Set before any module here imports gradio (as ui.py does before its own import).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
