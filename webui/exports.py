"""Where the web UI writes the files it offers for download."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path


class ExportFolder:
    """Downloads are written to a private folder of this process (mode 0700, random name, so nothing can be
    planted in it), keep only the latest files of the most recent drafts, and are removed at exit."""

    KEEP = 50

    def __init__(self) -> None:
        self._root: Path | None = None

    @property
    def root(self) -> Path:
        if self._root is None or not self._root.is_dir():
            self._root = Path(tempfile.mkdtemp(prefix="drafter-exports-"))
            atexit.register(shutil.rmtree, self._root, True)
        return self._root

    def write(self, draft_id: str, name: str, data: bytes) -> str:
        folder = self.root / draft_id
        folder.mkdir(mode=0o700, exist_ok=True)
        target = folder / name
        tmp = folder / f".{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, target)
        self._prune()
        return str(target)

    def _prune(self) -> None:
        folders = sorted((p for p in self.root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
        for old in folders[: max(0, len(folders) - self.KEEP)]:
            shutil.rmtree(old, ignore_errors=True)
