"""Prompt templates are files in prompts/; rendering is strict.

A template names its variables as `{{name}}`. Rendering fails when a variable the template uses is not
given, or when a variable is given that the template does not use: both are bugs that would otherwise
silently send the model a prompt with a hole in it, or drop context someone meant to send.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..errors import PromptError

_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@lru_cache(maxsize=64)
def _read(path: str, mtime: float) -> str:
    return Path(path).read_text(encoding="utf-8")


def load_template(prompts_dir: Path, name: str) -> str:
    path = prompts_dir / f"{name}.md"
    try:
        return _read(str(path), path.stat().st_mtime)
    except FileNotFoundError as exc:
        raise PromptError(f"缺少提示词模板 {path}", hint="检查 DRAFTER_PROMPTS_DIR 或恢复 prompts/ 目录") from exc
    except UnicodeDecodeError as exc:
        raise PromptError(f"提示词模板 {path} 不是 UTF-8 编码") from exc


def variables(template: str) -> set[str]:
    return set(_VAR.findall(template))


def render_text(template: str, values: dict[str, object], *, name: str = "template") -> str:
    used = variables(template)
    missing = sorted(used - values.keys())
    unknown = sorted(values.keys() - used)
    if missing:
        raise PromptError(f"提示词模板 {name} 缺少变量：{', '.join(missing)}")
    if unknown:
        raise PromptError(f"提示词模板 {name} 不使用这些变量：{', '.join(unknown)}", hint="检查模板或调用方")
    return _VAR.sub(lambda m: str(values[m.group(1)]), template)


def render(prompts_dir: Path, name: str, **values: object) -> str:
    return render_text(load_template(prompts_dir, name), values, name=f"prompts/{name}.md")
