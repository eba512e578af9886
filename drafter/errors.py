"""Typed errors that say how to fix the problem; each maps to a CLI exit code and an HTTP status."""

from __future__ import annotations

from typing import Any


class DrafterError(Exception):
    """Base of every error drafter raises on purpose. `str(err)` is a Chinese message for users.

    A subclass names its CLI exit code and HTTP status in its header,
    `class X(DrafterError, exit_code=5, http_status=503)`; without them it keeps its base's."""

    exit_code = 1
    http_status = 500

    def __init_subclass__(cls, *, exit_code: int | None = None, http_status: int | None = None,
                          **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if exit_code is not None:
            cls.exit_code = exit_code
        if http_status is not None:
            cls.http_status = http_status

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}（{self.hint}）" if self.hint else self.message


class InputError(DrafterError, exit_code=2, http_status=422):
    """Bad input from the user: a file, a facts field, a query. Nothing saved is touched."""


class BadFileError(InputError):
    """A file that cannot be read as a summary (not UTF-8, corrupt .docx, empty, unsupported type)."""

    def __init__(self, path: str, reason: str, *, hint: str = "请检查文件格式（支持 .docx/.txt/.md，文本需 UTF-8 编码）"
                 ) -> None:
        super().__init__(f"无法读取文件 {path}：{reason}", hint=hint)
        self.path = path
        self.reason = reason


class DocumentConflictError(BadFileError, http_status=409):
    """A readable file that was not added: its name or its content is already in the corpus."""

    def __init__(self, path: str, reason: str) -> None:
        InputError.__init__(self, f"未添加 {path}：{reason}")
        self.path = path
        self.reason = reason


class FactsError(InputError):
    """Facts that do not validate; names the field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"事实字段「{field}」有误：{reason}")
        self.field = field
        self.reason = reason


class NotFoundError(DrafterError, exit_code=3, http_status=404):
    """No such draft, section, document or user (an id or a name that was never there, or was removed)."""


class ConfigError(DrafterError, exit_code=4, http_status=500):
    """Misconfiguration: names the variable to set."""


class PromptError(ConfigError):
    """A prompt template that is missing, or rendered with a missing or unknown variable."""


class SearchIndexError(DrafterError, exit_code=5, http_status=503):
    """The search index is missing or unusable; says which command rebuilds it."""


class GenerationError(DrafterError, exit_code=6, http_status=502):
    """The LLM endpoint failed after retries (connection, timeout, 5xx, auth)."""


class EmbeddingError(DrafterError, exit_code=6, http_status=502):
    """The embedding endpoint (an OpenAI-compatible embeddings API) answered with an error."""


class ConflictError(DrafterError, exit_code=7, http_status=409):
    """The action collides with work in progress (a draft still being written); try again later."""


class AuthError(DrafterError, exit_code=8, http_status=401):
    """No valid session or token (or a disabled account): sign in again."""


class ForbiddenError(DrafterError, exit_code=8, http_status=403):
    """Signed in, but the role does not allow the action (a writer managing users or the corpus)."""


class RateLimitError(DrafterError, exit_code=8, http_status=429):
    """Too many failed sign-ins for an account or from an address; wait and try again."""


class UnavailableError(DrafterError, exit_code=9, http_status=503):
    """A service the server depends on (the database, the Chroma server) does not answer: try again later."""
