"""The regression plot and error histogram (nnwork.plot.diagnostics) and nnwork fit writing them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnwork.cli import main
from nnwork.plot.diagnostics import correlation, error_histogram, regression


def splits() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    draw = np.random.default_rng(0)
    true = {name: draw.normal(size=n) for name, n in (("train", 40), ("validation", 10), ("test", 7))}
    return {name: (t, 0.8 * t + 0.1 * draw.normal(size=len(t))) for name, t in true.items()}


def test_correlation_is_pearsons_r() -> None:
    t, p = splits()["train"]
    assert correlation(t, p) == pytest.approx(np.corrcoef(t, p)[0, 1], rel=1e-12)
    assert correlation(t, 3 * t - 1) == pytest.approx(1.0)
    assert np.isnan(correlation(t, np.ones_like(t)))


def test_regression_has_a_panel_per_split_with_its_r() -> None:
    parts = splits()
    fig = regression(parts, "y")
    assert [ax.get_title() for ax in fig.axes] == [f"{n} (R = {correlation(*parts[n]):.4f})" for n in parts]
    assert [len(ax.collections[0].get_offsets()) for ax in fig.axes] == [40, 10, 7]


def test_error_histogram_counts_every_row_once() -> None:
    fig = error_histogram(splits(), bins=12)
    heights = [patch.get_height() for patch in fig.axes[0].patches]
    assert sum(heights) == 57 and len(heights) == 3 * 12


def test_fit_writes_both_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["fit", "sin(x)", "--epochs", "3", "--test-fraction", "0.1", "--quiet", "--out", str(tmp_path)])
    assert code == 0 and "errors.png" in capsys.readouterr().out
    for name in ("regression.png", "errors.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
