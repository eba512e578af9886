"""Move drafter's modules into stage packages and rewrite every import to match (idempotent).

    python tools/relayout.py          # git mv the modules still at the old places, rewrite imports

Kept for history: the stage layout (corpus → retrieval → drafting → checking → storage/export → front
ends) was reached with this script; running it again on a tree already moved changes nothing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MOVES = {
    # corpus: past summaries in, chunks and vectors out
    "drafter.documents": "drafter.corpus.documents",
    "drafter.chunking": "drafter.corpus.chunking",
    "drafter.tokens": "drafter.corpus.tokens",
    "drafter.embedding": "drafter.corpus.embedding",
    "drafter.embedcache": "drafter.corpus.embedcache",
    "drafter.index": "drafter.corpus.index",
    "drafter.corpus_sync": "drafter.corpus.sync",
    "drafter.userdocs": "drafter.corpus.userdocs",
    # retrieval
    "drafter.retrieval": "drafter.retrieval.search",
    "drafter.thesaurus": "drafter.retrieval.thesaurus",
    "drafter.related_words": "drafter.retrieval.related_words",
    # drafting
    "drafter.outline": "drafter.drafting.outline",
    "drafter.prompts": "drafter.drafting.prompts",
    "drafter.generation": "drafter.drafting.generation",
    "drafter.reasoning": "drafter.drafting.reasoning",
    "drafter.postprocess": "drafter.drafting.postprocess",
    "drafter.llm_failures": "drafter.drafting.llm_failures",
    "drafter.offline": "drafter.drafting.offline",
    "drafter.fakes": "drafter.drafting.fakes",
    "drafter.drafting": "drafter.drafting.pipeline",
    # checking (after the draft): the 核对表
    "drafter.trace": "drafter.checking.trace",
    # output
    "drafter.export": "drafter.export.document",
    "drafter.trace_export": "drafter.export.trace",
    # front ends beside api/ and cli.py
    "drafter.mcp_server": "drafter.mcp.server",
    "drafter.mcp_materials": "drafter.mcp.materials",
}
PACKAGE_DOCS = {
    "corpus": "Past summaries in: parse and clean (documents), chunk (chunking, tokens), embed (embedding,\n"
              "embedcache) and index them (index: Chroma + the lexical side).",
    "retrieval": "Finding exemplar passages: hybrid BM25 + dense search with fusion and diversity (search), the\n"
                 "genre thesaurus and corpus-derived related words.",
    "drafting": "Facts → outline → per section: prompt → text (an OpenAI-compatible model, or the offline drafter)\n"
                "→ cleaned prose; the pipeline runs it all and stores each section.",
    "export": "Drafts out: Markdown and GB/T 9704 .docx (document), the 核对表 as .xlsx or a .docx appendix (trace).",
    "mcp": "The MCP front end (stdio and streamable HTTP) over the same library calls as the CLI and the API.",
}
# What `from drafter.retrieval import X` etc. keep offering after the move (re-exports in __init__).
REEXPORT: dict[str, str] = {}  # none: every import names the module it uses


def module_path(mod: str) -> Path:
    return ROOT.joinpath(*mod.split(".")).with_suffix(".py")


def move_files() -> dict[Path, str]:
    """git mv what is still at its old place; {new path: old module name}."""
    moved: dict[Path, str] = {}
    # the drafting module becomes a package of the same name: move it aside first
    for old, new in sorted(MOVES.items(), key=lambda kv: kv[0] != "drafter.drafting" and kv[0] != "drafter.retrieval"):
        src, dst = module_path(old), module_path(new)
        if not src.exists() or dst.exists():
            continue
        pkg = dst.parent
        if src.with_suffix("") == pkg:  # drafter/drafting.py -> drafter/drafting/pipeline.py
            tmp = src.with_name(f"_{src.name}")
            subprocess.run(["git", "mv", str(src), str(tmp)], check=True, cwd=ROOT)
            src = tmp
        pkg.mkdir(exist_ok=True)
        init = pkg / "__init__.py"
        if not init.exists():
            doc = PACKAGE_DOCS.get(pkg.name, "")
            init.write_text(f'"""{doc}"""\n' if doc else "", encoding="utf-8")
            subprocess.run(["git", "add", str(init)], check=True, cwd=ROOT)
        subprocess.run(["git", "mv", str(src), str(dst)], check=True, cwd=ROOT)
        moved[dst] = old
    return moved


FROM_RE = re.compile(r"^(\s*)from\s+(\.+)([\w.]*)\s+import\s", re.M)
ABS_FROM_RE = re.compile(r"^(\s*)from\s+(drafter(?:\.\w+)*)\s+import\s", re.M)
IMPORT_RE = re.compile(r"^(\s*)import\s+(drafter(?:\.\w+)+)(\s|$)", re.M)
STRING_RE = re.compile(r"([\"'])(drafter(?:\.\w+)+)(:\w+)?\1")
NEW_NAMES = set(MOVES.values())


def file_module(path: Path) -> tuple[str, bool]:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    is_pkg = parts[-1] == "__init__"
    if is_pkg:
        parts = parts[:-1]
    return ".".join(parts), is_pkg


def new_name(mod: str) -> str:
    """The module's new dotted name (names below a moved module follow it); a new name stays as it is."""
    parts = mod.split(".")
    if any(mod == n or mod.startswith(n + ".") for n in NEW_NAMES) or (
            len(parts) > 2 and parts[1] in ("corpus", "export", "mcp")):
        return mod
    for old, new in sorted(MOVES.items(), key=lambda kv: -len(kv[0])):
        if mod == old or mod.startswith(old + "."):
            if old in ("drafter.retrieval", "drafter.drafting") and mod != old:
                return mod  # a module of the new package of that name
            return new + mod[len(old):]
    return mod


def relative_to(package: str, target: str) -> str:
    """`target` as a relative import from inside `package`: `.x`, `..corpus.index`."""
    pkg, tgt = package.split("."), target.split(".")
    common = 0
    while common < min(len(pkg), len(tgt) - 1) and pkg[common] == tgt[common]:
        common += 1
    dots = "." * (len(pkg) - common + 1)
    return dots + ".".join(tgt[common:])


def rewrite(path: Path, moved_from: str | None) -> bool:
    """Rewrite imports of moved modules. `moved_from`: the file's old module name when it was moved by this
    run (its relative imports were written for the old package)."""
    text = path.read_text(encoding="utf-8")
    original = text
    mod, is_pkg = file_module(path)
    package = mod if is_pkg else mod.rpartition(".")[0]
    old_package = moved_from.rpartition(".")[0] if moved_from else package

    def relative(m: re.Match[str]) -> str:
        indent, dots, rest = m.group(1), m.group(2), m.group(3)
        base = old_package.split(".")
        up = len(dots) - 1
        if up >= len(base):
            return m.group(0)
        target = ".".join(base[: len(base) - up] + ([rest] if rest else []))
        if not target.startswith("drafter"):
            return m.group(0)
        new_target = new_name(target)
        if not rest:  # `from . import x`: the modules that do this moved together with their siblings
            return m.group(0)
        return f"{indent}from {relative_to(package, new_target)} import "

    if mod.startswith("drafter."):
        text = FROM_RE.sub(relative, text)
    def absolute(m: re.Match[str]) -> str:
        names = text[m.end():].split("\n", 1)[0].replace("(", "").split(",")
        package_dir = ROOT.joinpath(*m.group(2).split("."))
        if package_dir.is_dir() and all((package_dir / f"{n.strip().split(' ')[0]}.py").exists() for n in names):
            return m.group(0)  # `from drafter.drafting import offline`: modules of the package, already right
        return f"{m.group(1)}from {new_name(m.group(2))} import "

    text = ABS_FROM_RE.sub(absolute, text)
    text = IMPORT_RE.sub(lambda m: f"{m.group(1)}import {new_name(m.group(2))}{m.group(3)}", text)
    text = STRING_RE.sub(lambda m: f"{m.group(1)}{new_name(m.group(2))}{m.group(3) or ''}{m.group(1)}", text)
    if text != original:
        path.write_text(text, encoding="utf-8")
        return True
    return False


def write_reexports() -> None:
    for pkg, inner in REEXPORT.items():
        init = ROOT / "drafter" / pkg / "__init__.py"
        text = init.read_text(encoding="utf-8") if init.exists() else ""
        line = f"from .{inner} import *  # noqa: F403 - the package's public names are its {inner} module's\n"
        if line not in text:
            init.write_text(text + "\n" + line if text else line, encoding="utf-8")


def main() -> int:
    moved = move_files()
    files = [p for p in sorted(ROOT.rglob("*.py")) if not ({".venv", ".git", "data", "__pycache__"} & set(p.parts))
             and p.name != "relayout.py"]
    changed = [p for p in files if rewrite(p, moved.get(p))]
    write_reexports()
    print(f"rewrote imports in {len(changed)} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
