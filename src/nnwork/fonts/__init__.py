"""A CJK font shipped with nnwork, so Chinese figures draw on machines that have none.

`NotoSansCJKsc-Subset.otf` is Noto Sans CJK SC (SIL Open Font Licence, `OFL.txt` beside it)
cut down by `tools/make_cjk_font.py` to the CJK characters that nnwork's own files contain.
This module only names the file and says which characters count as CJK; matplotlib registers
the font when a zh figure is drawn (`nnwork.plot.use_cjk_font`), so importing it costs nothing.
"""

from __future__ import annotations

from pathlib import Path

FONT_NAME = "NotoSansCJKsc-Subset.otf"
FAMILY = "Noto Sans CJK SC"

# Unicode blocks of CJK text: symbols and punctuation, kana, unified ideographs (with
# extension A), compatibility ideographs, and half-/full-width forms.
CJK_RANGES = ((0x3000, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF))


def is_cjk(character: str) -> bool:
    code = ord(character)
    return any(low <= code <= high for low, high in CJK_RANGES)


def cjk_characters(text: str) -> set[str]:
    """The CJK characters in `text`."""
    return {c for c in text if is_cjk(c)}


def cjk_font_path() -> Path:
    """The shipped CJK font file."""
    return Path(__file__).with_name(FONT_NAME)
