"""Figures, drawn with matplotlib's object API onto `matplotlib.figure.Figure` objects.

No pyplot and no window: every figure is built in memory, so plotting works the same on a
machine with no display. matplotlib is imported only when a figure is made (never by `import
nnwork`). Each submodule draws one family of pictures from data computed elsewhere and returns
the Figure; whoever asked for it decides the file name and writes it with `save_figure`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from nnwork.atomic import atomic_write


def new_figure(width: float = 6.4, height: float = 4.8) -> Any:
    """A fresh matplotlib Figure (imported here, lazily); raises ImportError with the fix."""
    try:
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("figures need matplotlib: pip install matplotlib") from error
    return Figure(figsize=(width, height), layout="constrained")


def save_figure(figure: Any, path: str | Path, dpi: int = 110) -> Path:
    """Write `figure` to `path` (PNG unless the suffix says otherwise), creating its folder,
    atomically (a figure is never left half-written); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image_format = path.suffix[1:].lower() or "png"

    def write(file: BinaryIO) -> None:
        figure.savefig(file, format=image_format, dpi=dpi)

    return atomic_write(path, write)
