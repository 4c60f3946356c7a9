"""The shipped CJK font: it covers every CJK character nnwork writes, and matplotlib draws
Chinese with it on a machine with no CJK font of its own (issue 17)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nnwork.fonts import cjk_characters, cjk_font_path

SRC = Path(__file__).resolve().parent.parent / "src" / "nnwork"


def test_every_cjk_character_in_the_package_is_in_the_font():
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(cjk_font_path()))["cmap"].getBestCmap()
    used: dict[str, str] = {}
    for suffix in ("*.py", "*.html", "*.js", "*.md"):
        for path in SRC.rglob(suffix):
            for character in cjk_characters(path.read_text(encoding="utf-8")):
                used.setdefault(character, str(path.relative_to(SRC)))
    assert len(used) > 100  # the zh tour alone has hundreds
    missing = {c: where for c, where in used.items() if ord(c) not in cmap}
    assert not missing, f"run tools/make_cjk_font.py: the font lacks {missing}"


def test_the_font_is_small_and_licensed():
    assert cjk_font_path().stat().st_size < 400_000
    assert "SIL OPEN FONT LICENSE Version 1.1" in (cjk_font_path().parent / "OFL.txt").read_text(encoding="utf-8")


def test_cjk_classification():
    assert cjk_characters("学习率（又称学习速率）: η = 0.1, ŷ") == set("学习率（又称速）")


def test_importing_fonts_imports_nothing_heavy():
    code = "import sys, nnwork.fonts; assert 'matplotlib' not in sys.modules and 'fontTools' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_zh_figure_draws_cjk_glyphs_from_the_shipped_font(tmp_path):
    import matplotlib
    from matplotlib import font_manager

    from nnwork.plot import new_figure, save_figure, use_cjk_font

    system = [f.name for f in font_manager.fontManager.ttflist
              if "CJK" in f.name and f.fname != str(cjk_font_path())]
    if system:
        pytest.skip(f"this machine has a CJK font of its own ({system[0]}): the test proves nothing here")
    from nnwork.explain.tour_text import STEPS

    title = STEPS["zh"]["loss"][0]  # 4. 损失：用一个数衡量“错了多少”

    def draw(name):
        fig = new_figure(4, 3)
        ax = fig.add_subplot()
        ax.set(title=title, xlabel=STEPS["zh"]["descent"][0], ylabel="损失 L")
        save_figure(fig, tmp_path / name)
        return ax

    with pytest.warns(UserWarning, match="Glyph .* missing"):  # without it: no CJK glyphs here
        draw("plain.png")
    with matplotlib.rc_context(use_cjk_font()):  # warnings are errors: a missing glyph fails
        ax = draw("zh.png")
        assert matplotlib.rcParams["font.family"][-1] == "Noto Sans CJK SC"
    assert str(cjk_font_path()) in [f.fname for f in font_manager.fontManager.ttflist]
    assert cjk_characters(ax.get_title()) and cjk_characters(ax.get_title()) == cjk_characters(title)
    assert (tmp_path / "zh.png").read_bytes() != (tmp_path / "plain.png").read_bytes()
