"""The corpus through the database: a second machine pointed at the same database and Chroma server
serves the same corpus, with no file copied by hand.

The data dir stays each machine's working copy (documents/, index/manifest.json, index/chunks.jsonl, the
saved lexical index); the database holds the latest snapshot of it (`corpus_snapshot`, one row: the
generation and a tar.gz of those files) and Chroma holds the vectors. A change (index, add, remove) runs
under a PostgreSQL advisory lock: pull the latest snapshot, change, build the lexical index, publish. Every
worker polls the snapshot's generation (one small SELECT, at most once a second) and unpacks a newer one
into its data dir, where the index's own change check (index.py) reloads it. At 100k chunks a snapshot is
~40 MB; unpacking it is far cheaper than tokenizing the chunks again.

Used only with a server database and a Chroma server (with SQLite or embedded Chroma there is one machine).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..models import now_iso
from ..team import uses_chroma_server, uses_server_database
from .index import CorpusIndex

POLL_EVERY = 1.0  # seconds between two looks at the shared generation (a change shows within ~1 s + unpack)
_LOCK_KEY = 0x636F7270  # PostgreSQL advisory lock ("corp"): one corpus change at a time, across machines


class CorpusSync:
    def __init__(self, index: CorpusIndex, engine: Callable[[], Any]) -> None:
        self.index = index
        self._engine = engine
        settings = index.settings
        self.enabled = uses_server_database(settings) and uses_chroma_server(settings)
        self._checked = 0.0
        self._lock = threading.Lock()
        self.remote_generation_cached: str | None = None  # what the last poll saw
        self._pulled: str | None = None  # the last generation unpacked here (never unpacked twice by a poll)

    # --- reading side --------------------------------------------------------------------------------------
    def local_generation(self) -> str | None:
        try:
            manifest = json.loads((self.index.index_dir / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return manifest.get("generation") if manifest.get("config") == self.index.config() else None

    def remote_generation(self) -> str | None:
        from ..storage import snapshots  # SQLAlchemy: loaded on a team server only

        return snapshots.generation(self._engine())

    def poll(self) -> None:
        """Bring the local copy to the shared snapshot when it moved (checked at most every POLL_EVERY s)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._checked < POLL_EVERY:
            return
        with self._lock:
            if now - self._checked < POLL_EVERY:
                return
            self._checked = now
            remote = self.remote_generation_cached = self.remote_generation()
            # A snapshot built with other settings (another embedder or chunking) stays foreign to this machine's
            # config: unpacked once, then left for `drafter index` here rather than fetched every second.
            if remote is not None and remote != self.local_generation() and remote != self._pulled:
                self._pull()

    def _pull(self) -> bool:
        from ..storage import snapshots

        found = snapshots.snapshot(self._engine())
        if found is None or found[0] == self.local_generation():
            return False
        generation, archive = found
        root = self.index.root
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=root, prefix=".pull-") as tmp:
            with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
                tar.extractall(tmp, filter="data")
            self._install(Path(tmp))
        self._pulled = generation
        return True

    def _install(self, tmp: Path) -> None:
        """Swap the unpacked files in; the manifest last (it is the index's commit point)."""
        ix = self.index
        with ix._plock.hold():
            ix.index_dir.mkdir(parents=True, exist_ok=True)
            new_docs = tmp / "documents"
            new_docs.mkdir(exist_ok=True)
            old = ix.root / f".documents-old-{os.getpid()}"
            if ix.docs_dir.exists():
                os.replace(ix.docs_dir, old)
            os.replace(new_docs, ix.docs_dir)
            shutil.rmtree(old, ignore_errors=True)
            for lexical in (tmp / "index").glob("lexical-*"):
                target = ix.index_dir / lexical.name
                if not target.exists():
                    os.replace(lexical, target)
            os.replace(tmp / "index" / "chunks.jsonl", ix.index_dir / "chunks.jsonl")
            os.replace(tmp / "index" / "manifest.json", ix.index_dir / "manifest.json")

    # --- writing side --------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def change(self) -> Iterator[None]:
        """Hold the team-wide corpus lock around a change, starting from the latest shared snapshot."""
        if not self.enabled:
            yield
            return
        with self._engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({_LOCK_KEY})")
            try:
                self._pull()
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_LOCK_KEY})")

    def publish(self) -> None:
        """Store the local copy as the shared snapshot (after a change; the lexical index already saved)."""
        if not self.enabled:
            return
        generation = self.local_generation()
        if generation is None:
            return
        ix = self.index
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
            if ix.docs_dir.is_dir():
                for p in sorted(ix.docs_dir.iterdir()):
                    if p.is_file() and p.suffix in (".txt", ".json"):
                        tar.add(p, arcname=f"documents/{p.name}")
            tar.add(ix.index_dir / "chunks.jsonl", arcname="index/chunks.jsonl")
            for lexical in ix.index_dir.glob(f"lexical-{generation}-*"):
                if ".tmp-" not in lexical.name:
                    tar.add(lexical, arcname=f"index/{lexical.name}")
            tar.add(ix.index_dir / "manifest.json", arcname="index/manifest.json")
        data = buf.getvalue()
        values = {"generation": generation, "archive": data, "size": len(data), "updated_at": now_iso()}
        from ..storage import snapshots

        snapshots.store(self._engine(), values)
        self._checked = time.monotonic()
        self.remote_generation_cached = generation
