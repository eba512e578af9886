"""Typed errors that say how to fix the problem; each maps to a CLI exit code and an HTTP status."""

from __future__ import annotations


class DrafterError(Exception):
    """Base of every error drafter raises on purpose. `str(err)` is a Chinese message for users."""

    exit_code = 1
    http_status = 500

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}（{self.hint}）" if self.hint else self.message


class InputError(DrafterError):
    """Bad input from the user: a file, a facts field, a query. Nothing saved is touched."""

    exit_code = 2
    http_status = 422


class BadFileError(InputError):
    """A file that cannot be read as a summary (not UTF-8, corrupt .docx, empty, unsupported type)."""

    def __init__(self, path: str, reason: str, *, hint: str = "请检查文件格式（支持 .docx/.txt/.md，文本需 UTF-8 编码）"
                 ) -> None:
        super().__init__(f"无法读取文件 {path}：{reason}", hint=hint)
        self.path = path
        self.reason = reason


class DocumentConflictError(BadFileError):
    """A readable file that was not added: its name or its content is already in the corpus."""

    http_status = 409

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


class NotFoundError(DrafterError):
    exit_code = 3
    http_status = 404


class ConfigError(DrafterError):
    """Misconfiguration: names the variable to set."""

    exit_code = 4
    http_status = 500


class PromptError(ConfigError):
    """A prompt template that is missing, or rendered with a missing or unknown variable."""


class SearchIndexError(DrafterError):
    """The search index is missing or unusable; says which command rebuilds it."""

    exit_code = 5
    http_status = 503


class GenerationError(DrafterError):
    """The LLM endpoint failed after retries (connection, timeout, 5xx, auth)."""

    exit_code = 6
    http_status = 502


class EmbeddingError(DrafterError):
    exit_code = 6
    http_status = 502


class ConflictError(DrafterError):
    """The action collides with work in progress (a draft still being written); try again later."""

    exit_code = 7
    http_status = 409


class AuthError(DrafterError):
    """No valid session or token (or a disabled account): sign in again."""

    exit_code = 8
    http_status = 401


class ForbiddenError(DrafterError):
    """Signed in, but the role does not allow the action (a writer managing users or the corpus)."""

    exit_code = 8
    http_status = 403


class RateLimitError(DrafterError):
    """Too many failed sign-ins for an account or from an address; wait and try again."""

    exit_code = 8
    http_status = 429

class UnavailableError(DrafterError):
    """A service the server depends on (the database, the Chroma server) does not answer: try again later."""

    exit_code = 9
    http_status = 503
