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


def use_cjk_font() -> dict[str, Any]:
    """Register nnwork's shipped CJK font with matplotlib (once) and return the rc settings
    that draw with it, falling back to DejaVu Sans for what it lacks; use them as
    `with matplotlib.rc_context(use_cjk_font()):` around the drawing of a zh figure."""
    from matplotlib import font_manager

    from nnwork.fonts import FAMILY, cjk_font_path

    path = str(cjk_font_path())
    if not any(entry.fname == path for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    return {"font.family": ["DejaVu Sans", FAMILY],
            # labels that mix $…$ with words: the words in the CJK face, the mathematics in DejaVu
            "mathtext.fontset": "custom", "mathtext.rm": FAMILY, "mathtext.it": "DejaVu Sans:italic",
            "mathtext.bf": "DejaVu Sans:bold", "mathtext.sf": "DejaVu Sans", "mathtext.cal": "DejaVu Sans",
            "mathtext.tt": "DejaVu Sans Mono", "mathtext.fallback": "cm",
            "mathtext.default": "rm"}  # mathtext draws the words of a mixed label in its default face


def save_figure(figure: Any, path: str | Path, dpi: int = 110) -> Path:
    """Write `figure` to `path` (PNG unless the suffix says otherwise), creating its folder,
    atomically (a figure is never left half-written); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image_format = path.suffix[1:].lower() or "png"

    def write(file: BinaryIO) -> None:
        figure.savefig(file, format=image_format, dpi=dpi)

    return atomic_write(path, write)
