"""Adding and removing users' own past summaries (the corpus index's write side): each file succeeds or fails
on its own, names and ids never collide, identical content is refused, and a failed refresh puts the files
back as they were. Mixed into `CorpusIndex`."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BadFileError, DocumentConflictError, InputError, NotFoundError
from .documents import Document, parse_document
from .files import make_doc_id, name_key, read_text_file

if TYPE_CHECKING:
    from .index import Progress
    from .records import DocInfo, RefreshReport
    from .userdocs import ProcessLock, UserDocs


class UserDocumentOps:
    if TYPE_CHECKING:  # provided by CorpusIndex
        user_docs: UserDocs
        _plock: ProcessLock

        def ensure_built(self, progress: Progress | None = None) -> None: ...
        def list_documents(self) -> list[DocInfo]: ...
        def refresh(self, progress: Progress | None = None, *, force: bool = False) -> RefreshReport: ...

    def add_files(self, paths: Sequence[str | Path], progress: Progress | None = None, *, replace: bool = False,
                  names: Sequence[str] | None = None) -> tuple[list[DocInfo], list[BadFileError]]:
        """Add past summaries. Each file succeeds or fails on its own; nothing already indexed is lost.

        `names` gives the name each file was uploaded under (default: the file's own name); errors carry it.
        A name already in use (case, width and extension aside) is refused unless `replace`; a file whose
        text equals an existing document's is refused, naming that document; a name that clashes with a
        bundled summary's id gets a suffixed id (`seed-01-2`), reported in the returned DocInfo.
        """
        errors: list[BadFileError] = []
        parsed: list[tuple[str, Document]] = []
        for i, raw_path in enumerate(paths):
            path = Path(raw_path)
            name = names[i] if names is not None else path.name
            try:
                text = read_text_file(path)
                doc = parse_document(text, make_doc_id(name), source=name)
                if not doc.sections or not doc.text.strip():
                    raise BadFileError(name, "没有可用的正文")
            except BadFileError as exc:
                errors.append(exc if names is None else BadFileError(name, exc.reason))
                continue
            except Exception as exc:  # an unexpected failure on one file must not drop the others
                errors.append(BadFileError(name, f"处理时出错（{type(exc).__name__}）"))
                continue
            parsed.append((name, doc))
        if not parsed:
            return [], errors
        with self._plock.hold():
            self.ensure_built(progress)
            staged, refused = self._stage(parsed, replace)
            errors += refused
            return self._commit(staged, progress), errors

    def add_text(self, name: str, raw: str, *, replace: bool = False) -> DocInfo:
        doc = parse_document(raw, make_doc_id(name), source=name)
        if not doc.sections:
            raise BadFileError(name, "没有可用的正文")
        with self._plock.hold():
            self.ensure_built()
            staged, refused = self._stage([(name, doc)], replace)
            if refused:
                raise refused[0]
            return self._commit(staged, None)[0]

    def _stage(self, parsed: list[tuple[str, Document]], replace: bool
               ) -> tuple[list[tuple[str, str, str, str | None]], list[BadFileError]]:
        """Pick each document's id, refusing duplicates. Returns (id, name, content, previous content)."""
        from .records import DocInfo
        infos = {d.doc_id: d for d in self.list_documents()}
        by_hash = {d.content_hash: d for d in infos.values()}
        bundled = {d.doc_id for d in infos.values() if d.bundled}
        keys = self.user_docs.keys()
        staged: list[tuple[str, str, str, str | None]] = []
        refused: list[BadFileError] = []
        for name, doc in parsed:
            key = name_key(name)
            same_name = keys.get(key)
            twin = by_hash.get(doc.content_hash)
            if twin is not None and twin.doc_id != same_name:
                refused.append(DocumentConflictError(name, f"内容与已有文档《{twin.title}》（编号 {twin.doc_id}）完全相同，未重复添加"))
                continue
            if twin is not None:  # the same file again under the same name: nothing to do
                refused.append(DocumentConflictError(name, f"与已有文档《{twin.title}》（编号 {twin.doc_id}）相同，没有变化"))
                continue
            if same_name is not None and not replace:
                old = infos.get(same_name)
                title = f"《{old.title}》" if old else ""
                refused.append(DocumentConflictError(
                    name, f"已有同名文档{title}（编号 {same_name}）。如要用这个文件替换它，请选择“替换同名文档”"
                          "（命令行加 --replace），或改名后再上传"))
                continue
            if same_name is not None:
                doc_id = same_name
            else:
                taken = set(infos) | bundled | set(self.user_docs.files()) | {s[0] for s in staged}
                doc_id = _free_id(make_doc_id(name), taken)
            staged.append((doc_id, name, f"{doc.title}\n\n{doc.text}", self.user_docs.read(doc_id)))
            keys[key] = doc_id
            by_hash[doc.content_hash] = DocInfo(doc_id, doc.title, name, False, doc.content_hash, 0, 0)
        return staged, refused

    def _commit(self, staged: list[tuple[str, str, str, str | None]], progress: Progress | None) -> list[DocInfo]:
        """Write the files and refresh; if the refresh fails, put the files back as they were and re-raise."""
        if not staged:
            return []
        try:
            for doc_id, name, content, _ in staged:
                self.user_docs.write(doc_id, name, content)
            self.refresh(progress)
        except BaseException:
            for doc_id, _name, _, previous in staged:
                if previous is None:
                    self.user_docs.delete(doc_id)
                else:
                    self.user_docs.write(doc_id, self.user_docs.name(doc_id), previous)
            with contextlib.suppress(Exception):
                self.refresh()  # back in line with the files; if this fails too, the next search retries
            raise
        by_id = {d.doc_id: d for d in self.list_documents()}
        return [by_id[doc_id] for doc_id, *_ in staged if doc_id in by_id]

    def remove(self, doc_id: str) -> DocInfo:
        with self._plock.hold():
            self.ensure_built()
            info = {d.doc_id: d for d in self.list_documents()}.get(doc_id)
            if info is None:
                raise NotFoundError(f"没有编号为 {doc_id} 的文档", hint="用 `drafter list` 查看已有文档")
            if info.bundled:
                raise InputError(f"{doc_id} 是内置范文，不能删除", hint="内置范文位于 corpus/ 目录")
            previous, name = self.user_docs.read(doc_id), self.user_docs.name(doc_id)
            self.user_docs.delete(doc_id)
            try:
                self.refresh()
            except BaseException:
                if previous is not None:
                    self.user_docs.write(doc_id, name, previous)
                raise
            return info


def _free_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… : ids never collide (case-insensitively: ids are file names)."""
    folded = {t.casefold() for t in taken}
    if base.casefold() not in folded:
        return base
    n = 2
    while f"{base}-{n}".casefold() in folded:
        n += 1
    return f"{base}-{n}"
