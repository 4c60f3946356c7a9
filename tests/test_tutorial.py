"""docs/tutorial.md runs: every Python snippet, in order, in one namespace, drawing every figure."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

DOCS = Path(__file__).parents[1] / "docs"
TUTORIAL = DOCS / "tutorial.md"


def snippets() -> list[str]:
    return re.findall(r"```python\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), flags=re.S)


def figures() -> list[str]:
    return re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", TUTORIAL.read_text(encoding="utf-8"))


def test_every_snippet_runs_in_order_and_draws_its_figure(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the snippets write figures/… here, not into docs/
    monkeypatch.delenv("DISPLAY", raising=False)
    namespace: dict = {"__name__": "tutorial"}
    printed = io.StringIO()
    blocks = snippets()
    assert len(blocks) == 10
    with contextlib.redirect_stdout(printed):
        for number, block in enumerate(blocks):
            exec(compile(block, f"{TUTORIAL}:snippet {number}", "exec"), namespace)  # our own docs
    out = printed.getvalue()
    assert "['too small', 'good', 'too large']" in out
    assert "[0.    0.5   0.75  0.875]" in out
    assert "largest difference" in out and "# 11 parameters" in out
    assert namespace["report"].loss_after < namespace["report"].loss_before
    assert namespace["history"][-1] < 1e-3
    assert namespace["lm_loss"] < namespace["history"][-1] / 100  # fewer θ and steps, far lower loss
    for figure in figures():
        assert (tmp_path / figure).read_bytes()[:4] == b"\x89PNG", figure


def test_the_committed_figures_exist_and_are_small():
    names = figures()
    assert len(names) == 8
    for figure in names:
        path = DOCS / figure
        assert path.exists(), f"{figure} is referenced by the tutorial but missing"
        assert path.stat().st_size < 150_000, f"{figure} is {path.stat().st_size} bytes"
