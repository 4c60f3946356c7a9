"""Figures of towers: the article's two surfaces, the leak on the arms, the corner hole of a
naive tiling, an approximation against its target, and the construction-vs-training study.

Each function draws numbers computed by `nnwork.towers.views` (or the study's rows) and
returns a matplotlib Figure (object API, no pyplot); write it with `nnwork.plot.save_figure`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from nnwork.plot import new_figure

CMAP = "viridis"  # as in the article


def surface_figure(X: np.ndarray, Y: np.ndarray, Z: np.ndarray, title: str, zlabel: str = "") -> Any:
    """A 3-D surface over a meshgrid, coloured with viridis, like the article's pictures."""
    fig = new_figure(6.4, 5.2)
    ax = fig.add_subplot(projection="3d")
    ax.plot_surface(X, Y, Z, rstride=1, cstride=1, cmap=CMAP, linewidth=0, antialiased=False)
    ax.set(title=title, xlabel="x", ylabel="y", zlabel=zlabel)
    return fig


def leak_figure(view: Any) -> Any:
    """The arms of a tower (a `towers.views.LeakView`): a top view with the colours stopped at
    0.1 so the 4.7 % arms show, and a cross-section through an arm beside the tower with t = d − ½."""
    fig = new_figure(11, 4.4)
    top, cut = fig.subplots(1, 2)
    image = top.pcolormesh(view.X, view.Y, view.top, cmap=CMAP, vmin=0, vmax=0.1, shading="auto")
    fig.colorbar(image, ax=top, label="tower value (colours stop at 0.1)", extend="max")
    y_arm = view.y_arm
    top.axhline(y_arm, color="white", lw=0.8, ls="--")
    top.set(title="the article's tower from above: the arms leak", xlabel="x", ylabel="y", aspect="equal")
    for label, values in view.cuts:
        cut.plot(view.cut_x, values, label=label)
    leak, fixed = view.leak, view.fixed
    cut.axhline(leak, color="grey", lw=0.6, ls=":")
    cut.annotate(f"arm: {leak:.4f} = σ(−3) of the height", (2.0, leak), (0.6, 0.3), fontsize=9,
                 arrowprops={"arrowstyle": "->", "lw": 0.6})
    cut.set(yscale="log", ylim=(1e-9, 2), xlabel=f"x (along y = {y_arm:g}, through the arms)", ylabel="tower value",
            title=f"cross-section: leak {leak:.3g} → {fixed:.2g}")
    cut.legend(loc="lower center")
    return fig


def tiling_figure(view: Any) -> Any:
    """Why `approximate` uses corner towers (a `towers.views.TilingView`): along the diagonal
    through a corner shared by four unit cells of height 1, the naive tiling (four towers with
    shared steps, t = 1.5) falls to 4σ(−s/2) ≈ 0, while the `TowerGrid` of the same cells stays at 1."""
    fig = new_figure(6.4, 4.2)
    ax = fig.add_subplot()
    ax.plot(view.t, view.naive, label="4 article towers, shared steps, threshold 1.5")
    ax.plot(view.t, view.grid, label="4 towers written as corner towers (TowerGrid)")
    ax.set(xlabel="x = y (the corner of the four cells is at 0)", ylabel="sum of the towers", ylim=(-0.05, 1.15),
           title="where four towers of height 1 meet")
    ax.legend(loc="lower left", fontsize=8)
    return fig


def approximation_figures(view: Any) -> dict[str, Any]:
    """{"target", "approximation", "error"} figures of a `towers.views.ApproximationView`:
    curves in 1-D, 3-D surfaces in 2-D."""
    axes, d = view.axes, len(view.axes)
    target, approx, error = view.target, view.approximation, view.error
    figures = {}
    if d == 1:
        for name, values, label in (("target", target, "G(x)"), ("approximation", approx, "towers"),
                                    ("error", error, "towers − G")):
            fig = new_figure(6.4, 4.0)
            ax = fig.add_subplot()
            if name == "approximation":
                ax.plot(axes[0], target, color="grey", lw=3, alpha=0.4, label="G(x)")
            ax.plot(axes[0], values, lw=1, label=label)
            title = "target G(x)" if name == "target" else f"{name} (max |error| {np.abs(error).max():.3g})"
            ax.set(xlabel="x", ylabel=label, title=title)
            ax.legend()
            figures[name] = fig
        return figures
    X, Y = np.meshgrid(axes[0], axes[1], indexing="ij")
    for name, values, label in (("target", target, "G(x, y)"), ("approximation", approx, "towers"),
                                ("error", error, "towers − G")):
        title = f"{name} (max |error| {np.abs(error).max():.3g})" if name != "target" else "target G"
        figures[name] = surface_figure(X, Y, values.reshape(X.shape), title, label)
    return figures


def error_histogram_figure(errors: np.ndarray, eps: float | None = None) -> Any:
    """A histogram of |net − G| at the measuring points (for inputs of any dimension)."""
    fig = new_figure(6.4, 4.0)
    ax = fig.add_subplot()
    ax.hist(np.abs(errors), bins=60, color="#3b528b")
    if eps is not None:
        ax.axvline(eps, color="#d62728", lw=1, label=f"eps = {eps:g}")
        ax.legend()
    ax.set(xlabel="|towers − G| at the measuring points", ylabel="points", yscale="log",
           title=f"error histogram (max {np.abs(errors).max():.3g})")
    return fig


def study_figure(rows: Sequence[dict[str, Any]]) -> Any:
    """Max (solid) and RMS (dashed) error against neurons, one panel per function and one
    colour per method, from `construction_vs_training` rows."""
    functions = list(dict.fromkeys(r["function"] for r in rows))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    fig = new_figure(5.2 * len(functions), 4.4)
    panels = np.atleast_1d(fig.subplots(1, len(functions)))
    colours = dict(zip(methods, ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")))
    for ax, function in zip(panels, functions):
        for method in methods:
            mine = sorted((r for r in rows if r["function"] == function and r["method"] == method),
                          key=lambda r: r["neurons"])
            n = [r["neurons"] for r in mine]
            ax.plot(n, [r["max_error"] for r in mine], "o-", color=colours[method], label=method)
            ax.plot(n, [r["rms_error"] for r in mine], "s--", color=colours[method], alpha=0.6)
        ax.set(xscale="log", yscale="log", xlabel="neurons", ylabel="error (max solid, RMS dashed)", title=function)
        sizes = sorted({r["neurons"] for r in rows if r["function"] == function})
        ax.set_xticks(sizes, [str(n) for n in sizes])
        ax.set_xticks([], minor=True)
    panels[0].legend(fontsize=8)
    return fig
