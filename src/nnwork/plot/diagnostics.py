"""The two figures people expect from a function-fitting tool (MATLAB's plotregression and
ploterrhist): predicted against true per split, with R, and a histogram of the errors.

Each takes {split name: (true values, predicted values)} in the data's units (first output
column) and returns the Figure; `nnwork fit` writes them as regression.png and errors.png.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from nnwork.plot import new_figure

Splits = Mapping[str, tuple[np.ndarray, np.ndarray]]
COLOURS = {"train": "tab:blue", "validation": "tab:green", "test": "tab:red"}


def correlation(true: np.ndarray, predicted: np.ndarray) -> float:
    """Pearson's R between true and predicted values (nan when either is constant)."""
    t, p = np.ravel(true), np.ravel(predicted)
    if len(t) < 2 or np.std(t) == 0 or np.std(p) == 0:
        return float("nan")
    return float(np.corrcoef(t, p)[0, 1])


def regression(splits: Splits, name: str = "output") -> Any:
    """One panel per split: predicted against true, the line y = x, the least-squares line, and R."""
    fig = new_figure(4.2 * len(splits), 4.2)
    for i, (split, (true, predicted)) in enumerate(splits.items(), 1):
        ax = fig.add_subplot(1, len(splits), i)
        t, p = np.ravel(true), np.ravel(predicted)
        lo, hi = float(min(t.min(), p.min())), float(max(t.max(), p.max()))
        ax.scatter(t, p, s=10, alpha=0.6, color=COLOURS.get(split, "tab:gray"))
        ax.plot([lo, hi], [lo, hi], color="black", lw=1, ls="--", label="predicted = true")
        if len(t) > 1 and np.std(t) > 0:
            slope, intercept = np.polyfit(t, p, 1)
            ax.plot([lo, hi], [slope * lo + intercept, slope * hi + intercept], color="tab:orange", lw=1.5,
                    label=f"fit: {slope:.3g}·true {'+' if intercept >= 0 else '−'} {abs(intercept):.3g}")
        ax.set(xlabel=f"true {name}", ylabel=f"predicted {name}", title=f"{split} (R = {correlation(t, p):.4f})")
        ax.set_aspect("equal", adjustable="datalim")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small", loc="upper left")
    return fig


def error_histogram(splits: Splits, name: str = "output", bins: int = 20) -> Any:
    """The errors (predicted − true) of every split, stacked in `bins` shared bins, with 0 marked."""
    fig = new_figure(6.4, 4.0)
    ax = fig.add_subplot()
    errors = {split: np.ravel(p) - np.ravel(t) for split, (t, p) in splits.items()}
    edges = np.histogram_bin_edges(np.concatenate(list(errors.values())), bins=bins)
    ax.hist(list(errors.values()), bins=edges, stacked=True, label=list(errors),
            color=[COLOURS.get(s, "tab:gray") for s in errors])
    ax.axvline(0.0, color="black", lw=1, ls="--")
    ax.set(xlabel=f"error: predicted − true {name}", ylabel="rows", title="Error histogram")
    ax.legend()
    ax.grid(True, alpha=0.3)
    return fig
