"""Make src/nnwork/fonts/NotoSansCJKsc-Subset.otf: Noto Sans CJK SC cut down to the CJK
characters nnwork itself writes, so zh figures draw without any system CJK font.

Usage (on a machine with Debian's fonts-noto-cjk; run again whenever zh text changes, a
test fails until you do):

    python tools/make_cjk_font.py [--source /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]

It collects every CJK character in src/nnwork (all .py, .html, .js and .md files) plus
common CJK punctuation, subsets the SC face of the collection with fontTools (no hinting,
no layout features beyond the defaults, timestamps kept from the source), and writes the
font and the OFL licence beside it. The output depends only on those characters and the
source font: running it twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nnwork.fonts import FONT_NAME, cjk_characters  # noqa: E402

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FACE = "Noto Sans CJK SC"
COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
PUNCTUATION = "，。、；：？！“”‘’（）《》〈〉【】「」『』…—～·　"
ASCII = "".join(map(chr, range(0x20, 0x7F)))  # for the upright text of mixed mathtext labels


def wanted() -> str:
    """Every CJK character under src/nnwork, the punctuation and printable ASCII, sorted."""
    found: set[str] = set(PUNCTUATION) | set(ASCII)
    for suffix in ("*.py", "*.html", "*.js", "*.md"):
        for path in sorted((ROOT / "src" / "nnwork").rglob(suffix)):
            found |= cjk_characters(path.read_text(encoding="utf-8"))
    return "".join(sorted(found))


def licence() -> str:
    """The SIL OFL 1.1 text of Debian's copyright file for fonts-noto-cjk, with its copyright."""
    lines = COPYRIGHT.read_text(encoding="utf-8").splitlines()
    start = lines.index("License: SIL-1.1", lines.index("License: SIL-1.1") + 1) + 1
    body = []
    for line in lines[start:]:
        if line and not line.startswith(" "):
            break
        body.append("" if line.strip() == "." else line[1:])
    return "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.\n" \
           "Noto is a trademark of Google Inc.\n\n" + "\n".join(body).strip() + "\n"


def main() -> int:
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    args = parser.parse_args()
    if not args.source.is_file():
        print(f"error: --source {args.source}: no such font (apt-get install fonts-noto-cjk)", file=sys.stderr)
        return 2
    collection = TTCollection(str(args.source), recalcTimestamp=False)
    faces = [f for f in collection.fonts if f["name"].getDebugName(4) == FACE]
    if not faces:
        print(f"error: --source {args.source}: has no face {FACE!r}", file=sys.stderr)
        return 2
    font = faces[0]
    options = subset.Options()
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    text = wanted()
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = ROOT / "src" / "nnwork" / "fonts" / FONT_NAME
    font.save(str(out))
    (out.parent / "OFL.txt").write_text(licence(), encoding="utf-8")
    print(f"{out.relative_to(ROOT)}: {len(text)} characters, {out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
