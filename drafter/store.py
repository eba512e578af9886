"""Kept for imports written before drafts moved to drafter/storage/ (SQLAlchemy: SQLite or PostgreSQL)."""

from .storage.drafts import DraftStore

__all__ = ["DraftStore"]
