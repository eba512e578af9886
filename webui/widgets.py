"""The UI's components by name. `ui.build_ui` creates them inside its Blocks and hands this object to the
handlers, which return `{component: value}` dicts: no output lists padded by position."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass
class Widgets:
    header: Any
    draft_id: Any
    outline_state: Any
    # facts form
    org: Any
    year: Any
    org_type: Any
    superior: Any
    items: Any
    shortcomings: Any
    plans: Any
    notes: Any
    pasted: Any
    outline_box: Any
    # materials → facts
    provenance_state: Any
    extraction_state: Any
    materials_files: Any
    review_df: Any
    materials_msg: Any
    # the draft
    progress_html: Any
    summary_html: Any
    draft_html: Any
    section_dd: Any
    instruction: Any
    heading_box: Any
    text_box: Any
    dl_docx: Any
    dl_md: Any
    trace_html: Any
    dl_trace: Any
    history_dd: Any
    # check tab
    check_input: Any
    check_html: Any
    # corpus tab
    query_box: Any
    hits_html: Any
    files: Any
    replace_cb: Any
    corpus_msg: Any
    remove_dd: Any
    docs_table: Any

    @property
    def fact_fields(self) -> list[Any]:
        return [self.org, self.year, self.org_type, self.superior, self.items, self.shortcomings, self.plans,
                self.notes]

    @property
    def view(self) -> list[Any]:
        """Everything a finished draft updates."""
        return [self.draft_id, self.progress_html, self.summary_html, self.draft_html, self.section_dd,
                self.heading_box, self.text_box, self.dl_docx, self.dl_md, self.trace_html, self.dl_trace,
                self.history_dd]

    @property
    def corpus_view(self) -> list[Any]:
        return [self.docs_table, self.remove_dd, self.corpus_msg, self.files]

    def name_of(self, component: Any) -> str:
        """The field name of a component (tests and logs address components by name)."""
        for f in fields(self):
            if getattr(self, f.name) is component:
                return f.name
        raise KeyError(component)

    def by_name(self, update: dict[Any, Any]) -> dict[str, Any]:
        """A handler's `{component: value}` as `{name: value}`."""
        return {self.name_of(c): v for c, v in update.items()}
