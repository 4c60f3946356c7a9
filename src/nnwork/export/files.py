"""Writing exported files: atomically (nnwork.atomic), never onto the model being exported, and
names made safe for the languages they land in (C identifiers, comments)."""

from __future__ import annotations

import keyword
import os
import re
from pathlib import Path

from nnwork.atomic import atomic_write
from nnwork.export.graph import ExportError

C_KEYWORDS = frozenset(
    "auto break case char const continue default do double else enum extern float for goto if inline int long "
    "register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while "
    "_Bool _Complex _Imaginary main".split()
)


def write_bytes(path: Path, data: bytes) -> Path:
    return atomic_write(path, lambda file: file.write(data))


def write_text(path: Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def check_targets(targets: list[Path], model_path: str | os.PathLike[str] | None) -> None:
    """Refuse to write onto the model file itself, or one file twice."""
    if len({t.resolve() for t in targets}) != len(targets):
        raise ExportError(f"the export would write {targets[0]} twice: choose another --output")
    if model_path is None:
        return
    source = Path(model_path).resolve()
    for target in targets:
        if target.resolve() == source or (target.exists() and os.path.samefile(target, source)):
            raise ExportError(f"the export would overwrite its input {model_path}: choose another --output")


def c_identifier(stem: str) -> str:
    """`stem` as a C identifier: other characters become _, a leading digit or a keyword gets a prefix."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", stem) or "model"
    if name[0].isdigit() or name in C_KEYWORDS or name.startswith("__"):
        name = f"nn_{name}"
    return name


def python_identifier(text: str) -> str:
    name = re.sub(r"\W", "_", text, flags=re.ASCII) or "_"
    return f"_{name}" if name[0].isdigit() or keyword.iskeyword(name) else name


def comment_text(text: str) -> str:
    """`text` safe inside a C block comment or after #: printable ASCII, no `*/`."""
    return re.sub(r"[^ -~]", "?", text).replace("*/", "*?")
