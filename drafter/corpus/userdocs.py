"""Users' added documents on disk, and the lock that serialises changes to the index across processes.

Layout under DRAFTER_DATA_DIR/documents/:
  {doc_id}.txt    the cleaned document (title on the first line). Its atomic rename is the commit point of
                  an add: a crash before it leaves nothing, a crash after it leaves a document the next
                  process adopts (the manifest records which files it indexed; a file it does not know
                  makes the index stale, and the next search or list refreshes it).
  {doc_id}.json   {"name": the uploaded file name}; written before the .txt, so a committed document always
                  has it (older data dirs have none: the name is then the id).
  *.tmp           a write in progress; one found while holding the lock belongs to a dead writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .documents import name_key


class ProcessLock:
    """An exclusive lock over the index for this thread and every other process (flock), re-entrant."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @contextlib.contextmanager
    def hold(self, *, blocking: bool = True) -> Iterator[bool]:
        """Yields True once held; with blocking=False, yields False at once when someone else holds it."""
        if not self._thread_lock.acquire(blocking=blocking):
            yield False
            return
        try:
            if self._depth == 0:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    yield False
                    return
                except BaseException:
                    os.close(fd)
                    raise
                self._fd = fd  # the kernel releases the flock if this process dies
            self._depth += 1
            try:
                yield True
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
                    os.close(self._fd)
                    self._fd = None
        finally:
            self._thread_lock.release()


def write_atomic(path: Path, content: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class UserDocs:
    def __init__(self, root: Path) -> None:
        self.root = root

    def files(self) -> dict[str, list[int]]:
        """Every stored document: id → [size, mtime_ns]. What the manifest compares against."""
        out: dict[str, list[int]] = {}
        if self.root.is_dir():
            for entry in os.scandir(self.root):
                if entry.name.endswith(".txt") and entry.is_file():
                    st = entry.stat()
                    out[entry.name[:-4]] = [st.st_size, st.st_mtime_ns]
        return dict(sorted(out.items()))

    def path(self, doc_id: str) -> Path:
        return self.root / f"{doc_id}.txt"

    def name(self, doc_id: str) -> str:
        try:
            meta: Any = json.loads((self.root / f"{doc_id}.json").read_text(encoding="utf-8"))
            return str(meta["name"])
        except (OSError, ValueError, KeyError, TypeError):
            return f"{doc_id}.txt"

    def keys(self) -> dict[str, str]:
        """name key → doc id, for every stored document (its uploaded name, and its id for old data dirs)."""
        out: dict[str, str] = {}
        for doc_id in self.files():
            out.setdefault(doc_id.casefold(), doc_id)
            out[name_key(self.name(doc_id))] = doc_id
        return out

    def write(self, doc_id: str, name: str, content: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        write_atomic(self.root / f"{doc_id}.json", json.dumps({"name": name}, ensure_ascii=False))
        write_atomic(self.path(doc_id), content)  # the commit point

    def read(self, doc_id: str) -> str | None:
        try:
            return self.path(doc_id).read_text(encoding="utf-8")
        except OSError:
            return None

    def delete(self, doc_id: str) -> None:
        self.path(doc_id).unlink(missing_ok=True)  # the commit point
        (self.root / f"{doc_id}.json").unlink(missing_ok=True)

    def clean(self) -> None:
        """Drop what a dead writer left: temp files, and metadata of a document never committed.

        Call only while holding the ProcessLock, so no live writer's files are touched.
        """
        if not self.root.is_dir():
            return
        ids = set(self.files())
        for entry in os.scandir(self.root):
            dead_tmp = entry.name.endswith(".tmp")
            dead_meta = entry.name.endswith(".json") and entry.name[:-5] not in ids
            if dead_tmp or dead_meta:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
