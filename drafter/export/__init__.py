"""Drafts out: Markdown and GB/T 9704 .docx (document), the 核对表 as .xlsx or a .docx appendix (trace)."""
