"""The page CSS and the Gradio theme: system CJK fonts and an official-document red."""

from __future__ import annotations

from typing import Any

import gradio as gr

SANS = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Hiragino Sans GB", '
        '"WenQuanYi Micro Hei", system-ui, -apple-system, "Segoe UI", sans-serif')
SERIF = ('"Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "STSong", "SimSun", "宋体", '
         '"Noto Serif", Georgia, serif')
MONO = '"Noto Sans Mono CJK SC", ui-monospace, "Cascadia Mono", Consolas, monospace'

# An official-document red (5xx is the primary button) instead of Gradio's default orange.
PALETTE = {"50": "#fdf3f2", "100": "#fbe4e2", "200": "#f6c7c3", "300": "#ec9d96", "400": "#dc6a60", "500": "#b3261e",
           "600": "#9c1f18", "700": "#821a14", "800": "#6b1611", "900": "#57130f", "950": "#3a0c09"}


# --- theme and CSS ------------------------------------------------------------------------------------------
_PALETTE_VARS = " ".join(f"--primary-{k}: {v};" for k, v in PALETTE.items())
CSS = f"""
:root {{ {_PALETTE_VARS} --font: {SANS}; --font-mono: {MONO}; }}
.gradio-container {{ font-family: {SANS}; }}
.gradio-container textarea, .gradio-container input {{ font-family: {SANS}; }}
#outline-editor textarea, #paste-facts textarea {{ font-family: {MONO}; font-size: 14px; line-height: 1.7; }}
#section-text-editor textarea {{ font-family: {SERIF}; font-size: 16px; line-height: 1.9; }}
.app-header {{ display: flex; flex-wrap: wrap; align-items: flex-end; justify-content: space-between; gap: 8px 24px;
  padding: 14px 4px 12px; border-bottom: 3px solid #b3261e; margin-bottom: 4px; }}
.app-header .app-title {{ font-family: {SERIF}; font-size: 28px; font-weight: 700; color: #b3261e;
  letter-spacing: 0.12em; margin: 0; line-height: 1.3; }}
.app-header .app-sub {{ color: #57534e; font-size: 14px; margin-top: 2px; }}
.app-status {{ display: flex; gap: 8px; flex-wrap: wrap; font-size: 13px; }}
.status-pill {{ background: #f5f5f4; color: #292524; border: 1px solid #e7e5e4; border-radius: 999px;
  padding: 3px 12px; white-space: nowrap; }}
.status-pill.backend-offline {{ background: #ecfdf5; border-color: #a7f3d0; color: #065f46; }}
.status-pill.backend-llm {{ background: #eff6ff; border-color: #bfdbfe; color: #1e3a8a; }}
.step-title {{ font-size: 17px; font-weight: 700; color: #1c1917; margin: 6px 0 2px;
  border-left: 4px solid #b3261e; padding-left: 10px; }}
.dark .step-title {{ color: #f5f5f4; }}
.hint {{ color: #78716c; font-size: 13px; }}
#edit-panel {{ position: sticky; top: 8px; align-self: flex-start; }}

/* the draft: a sheet of paper in the official-document manner */
.draft-paper {{ background: #fffdf8; color: #1c1917; border: 1px solid #e7e2d6; border-radius: 6px;
  box-shadow: 0 1px 3px rgba(0,0,0,.06); padding: 36px 48px 40px; font-family: {SERIF}; }}
.draft-empty {{ color: #78716c; font-family: {SANS}; padding: 28px 32px; text-align: center; line-height: 1.9; }}
.draft-paper .draft-title {{ text-align: center; font-family: {SERIF}; font-size: 26px; font-weight: 700; margin: 0 0 6px;
  color: #1c1917; letter-spacing: 0.04em; line-height: 1.5; }}
.draft-meta {{ text-align: center; color: #a8a29e; font-family: {SANS}; font-size: 12px; margin-bottom: 22px; }}
.draft-section {{ border-left: 3px solid transparent; padding: 6px 0 6px 14px; margin: 0 0 10px -17px;
  scroll-margin-top: 80px; transition: background .3s; }}
.draft-section.status-writing {{ border-left-color: #f59e0b; background: #fffbeb; }}
.draft-section.status-failed {{ border-left-color: #dc2626; background: #fef2f2; }}
.draft-section.status-pending {{ opacity: .6; }}
.section-head {{ display: flex; align-items: baseline; justify-content: space-between; gap: 12px; flex-wrap: wrap; }}
.draft-section .section-heading {{ font-family: {SANS}; font-size: 18px; font-weight: 700; margin: 10px 0 4px; color: #1c1917; }}
.section-kind {{ font-family: {SANS}; font-size: 12px; color: #a8a29e; letter-spacing: .1em; margin: 4px 0 0; }}
.badges {{ display: flex; gap: 6px; flex-wrap: wrap; font-family: {SANS}; }}
.badge {{ font-size: 12px; color: #57534e; background: #f5f5f4; border-radius: 4px; padding: 1px 8px;
  white-space: nowrap; }}
.badge-warn {{ background: #fee2e2; color: #991b1b; }}
.badge-ok {{ background: #dcfce7; color: #166534; }}
.badge-fail {{ background: #dc2626; color: #fff; }}
.badge-busy {{ background: #fef3c7; color: #92400e; }}
.section-text p {{ font-family: {SERIF}; font-size: 17px; line-height: 1.9; text-indent: 2em; margin: 0 0 .35em;
  text-align: justify; color: #1c1917; }}
.section-text p.placeholder-text {{ color: #a8a29e; text-indent: 0; font-family: {SANS}; font-size: 14px; }}
.section-error {{ font-family: {SANS}; color: #991b1b; font-size: 14px; line-height: 1.7; padding: 6px 0; }}
.section-note {{ font-family: {SANS}; color: #92400e; background: #fef3c7; font-size: 14px; line-height: 1.7;
  padding: 4px 8px; margin: 4px 0; border-radius: 4px; }}

mark.flag {{ color: inherit; border-radius: 3px; padding: 0 2px; cursor: help; }}
mark.flag-amount {{ background: #fecaca; box-shadow: inset 0 -2px 0 #dc2626; }}
mark.flag-amount.reason-derived {{ background: #fed7aa; box-shadow: inset 0 -2px 0 #ea580c; }}
mark.flag-date {{ background: #fef9c3; box-shadow: inset 0 -2px 0 #ca8a04; }}
mark.flag-placeholder {{ background: #ede9fe; box-shadow: none; outline: 1px dashed #7c3aed; }}
mark.flag-status {{ background: #dbeafe; box-shadow: inset 0 -2px 0 #2563eb; }}
mark.flag-copied {{ background: #e7e5e4; box-shadow: inset 0 -2px 0 #57534e; }}
mark.flag-name {{ background: #fce7f3; box-shadow: inset 0 -2px 0 #db2777; }}
mark.flag:target {{ outline: 2px solid #b3261e; }}

.section-sources {{ font-family: {SANS}; font-size: 13px; color: #57534e; margin-top: 4px; }}
.section-sources summary {{ cursor: pointer; color: #78716c; width: fit-content; }}
.section-sources ul {{ margin: 6px 0 0; padding-left: 18px; }}
.section-sources li {{ margin-bottom: 6px; }}
.src-title {{ font-weight: 600; color: #44403c; }}
.src-section {{ color: #78716c; margin-left: 6px; }}
.src-excerpt {{ color: #78716c; font-size: 12px; line-height: 1.6; }}

.flag-summary {{ font-family: {SANS}; background: #fff7ed; border: 1px solid #fed7aa; color: #1c1917;
  border-radius: 6px; padding: 12px 16px; font-size: 14px; }}
.flag-summary-ok {{ background: #f0fdf4; border-color: #bbf7d0; color: #14532d; }}
.flag-summary-wait {{ background: #f5f5f4; border-color: #e7e5e4; color: #57534e; }}
.flag-counts {{ font-size: 15px; font-weight: 600; margin-bottom: 6px; display: flex; gap: 8px; align-items: center;
  flex-wrap: wrap; }}
.flag-total {{ font-size: 20px; color: #b91c1c; font-weight: 700; }}
.flag-summary-ok .flag-total {{ color: #15803d; }}
.count-chip {{ font-size: 12px; font-weight: 500; border-radius: 999px; padding: 1px 10px; background: #fee2e2;
  color: #991b1b; }}
.count-chip.chip-date {{ background: #fef9c3; color: #854d0e; }}
.count-chip.chip-placeholder {{ background: #ede9fe; color: #5b21b6; }}
.count-chip.chip-status {{ background: #dbeafe; color: #1e40af; }}
.count-chip.chip-copied {{ background: #e7e5e4; color: #44403c; }}
.count-chip.chip-name {{ background: #fce7f3; color: #9d174d; }}
.flag-table {{ width: 100%; border-collapse: collapse; margin: 4px 0 6px; font-size: 13px; }}
.flag-table th {{ text-align: left; color: #78716c; font-weight: 500; border-bottom: 1px solid #fed7aa;
  padding: 4px 6px; }}
.trace-table {{ width: 100%; border-collapse: collapse; font-size: 13px; }}
.trace-table th {{ text-align: left; color: #78716c; font-weight: 500; border-bottom: 1px solid #e7e5e4; }}
.trace-table td {{ border-bottom: 1px dashed #e7e5e4; padding: 4px 6px; vertical-align: top; }}
.trace-flagged {{ background: #fef2f2; }}
.trace-ok {{ color: #15803d; }} .trace-bad {{ color: #b91c1c; }}
.trace-source, .trace-computation, .trace-note {{ color: #57534e; }}
.flag-table td {{ border-bottom: 1px dashed #fde4c8; padding: 4px 6px; vertical-align: top; }}
.flag-table a {{ color: #b3261e; text-decoration: none; }}
.flag-table a:hover {{ text-decoration: underline; }}
.flag-legend {{ color: #78716c; font-size: 12px; }}
.flag-legend mark {{ margin: 0 2px; }}
.fail-note {{ color: #b91c1c; font-weight: 600; margin: 4px 0; }}

.draft-progress {{ font-family: {SANS}; font-size: 13px; color: #44403c; }}
.progress-label {{ font-weight: 600; margin-bottom: 4px; }}
.progress-bar {{ height: 6px; background: #e7e5e4; border-radius: 3px; overflow: hidden; }}
.progress-bar span {{ display: block; height: 100%; background: #b3261e; transition: width .3s; }}
.progress-finished .progress-bar span {{ background: #16a34a; }}
.progress-indeterminate span {{ width: 30%; animation: drafter-slide 1.2s ease-in-out infinite; }}
@keyframes drafter-slide {{ from {{ margin-left: -30%; }} to {{ margin-left: 100%; }} }}
.progress-steps {{ display: flex; flex-wrap: wrap; gap: 6px; list-style: none; padding: 0; margin: 8px 0 0; }}
.step {{ border-radius: 4px; padding: 2px 8px; background: #f5f5f4; color: #78716c; font-size: 12px; }}
.step-done {{ background: #dcfce7; color: #166534; }}
.step-done::before {{ content: "✓ "; }}
.step-writing {{ background: #fef3c7; color: #92400e; }}
.step-failed {{ background: #fee2e2; color: #991b1b; }}
.step-failed::before {{ content: "✕ "; }}
.dark .draft-progress {{ color: #e7e5e4; }}

.hits {{ list-style: none; padding: 0; margin: 0; font-family: {SANS}; }}
.hit {{ border: 1px solid #e7e5e4; border-radius: 6px; padding: 10px 14px; margin-bottom: 8px; background: #fff;
  color: #1c1917; }}
.hit-head {{ display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; font-size: 13px; }}
.hit-rank {{ background: #b3261e; color: #fff; border-radius: 999px; min-width: 20px; text-align: center;
  font-size: 12px; }}
.hit-score {{ margin-left: auto; color: #a8a29e; font-size: 12px; }}
.hit-text p {{ font-family: {SERIF}; line-height: 1.9; margin: 4px 0; text-indent: 2em; font-size: 15px; }}
.hits-empty {{ color: #78716c; }}
.hit-more summary {{ cursor: pointer; color: #78716c; font-size: 13px; width: fit-content; }}
.help-doc {{ line-height: 1.9; }}
@media (max-width: 640px) {{
  .draft-paper {{ padding: 20px 16px 24px; }}
  .draft-section {{ margin-left: -11px; padding-left: 8px; }}
  .flag-table td:last-child, .flag-table th:last-child {{ display: none; }}
}}
"""


def _font_names(stack: str) -> list[str]:
    """A CSS font stack as theme fonts: named fonts only, plus the generic family (Gradio quotes names, so
    keywords like system-ui would become font names)."""
    names = [f.strip().strip('"') for f in stack.split(",")]
    return [n for n in names if n and not n.startswith(("-", "system-ui", "ui-"))]


def make_theme() -> Any:
    """System fonts only: nothing is fetched from a font service."""
    return gr.themes.Default(
        primary_hue=gr.themes.Color(**{f"c{k}": v for k, v in PALETTE.items()}, name="official-red"),
        neutral_hue=gr.themes.colors.stone,
        font=_font_names(SANS),
        font_mono=_font_names(MONO),
    )


def mount_options() -> dict[str, Any]:
    """Extra arguments for `gr.mount_gradio_app(app, build_ui(ws), path="/", **mount_options())`.

    The CSS is injected by build_ui itself, so it is not repeated here.
    """
    return {"theme": make_theme(), "footer_links": ["api"], "max_file_size": "25mb"}

