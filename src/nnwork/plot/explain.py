"""Pictures of the explanation: gradient descent in 1-D, one step on a network, the loss, and
the other figures of the tour (a model is a function, a network of neurons, towers, a fit).

Every label is English or mathematics (mathtext), so the figures need no CJK font and are the
same for every language of the tour. Each function draws data computed elsewhere (descent
panels by `nnwork.explain.descent_view`, walks and step reports by `nnwork.explain`) and
returns the Figure; the caller writes it (`nnwork.plot.save_figure`) under a name of its choice.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from nnwork.plot import new_figure

VERDICT_COLOURS = {"too small": "#d98c00", "good": "#2a9d3a", "too large": "#c8312b"}


# ---- gradient descent in 1-D -----------------------------------------------------------------


def draw_descent(ax: Any, panel: Any, height: tuple[float, float] | None = None) -> None:
    """A DescentPanel (nnwork.explain.descent_view): h over its window and the path x₀ → x₁ → …
    on it; points outside the window sit at its edge, marked. `height`: the range of h to show
    (default: all of h's)."""
    trajectory, window, y = panel.trajectory, panel.window, panel.curve_h
    ax.plot(panel.curve_x, y, color="0.25", linewidth=1.6)
    low, high = height or (float(np.nanmin(y)), float(np.nanmax(y)))
    span = max(high - low, 1e-12)
    ax.set_ylim(low - 0.08 * span, high + 0.12 * span)
    ax.set_xlim(*window)
    colour = VERDICT_COLOURS.get(panel.verdict, "C0")
    px, inside = panel.path_x, panel.inside
    py = np.clip(panel.path_h, low - 0.08 * span, high + 0.12 * span)
    ax.plot(px, py, "-", color=colour, linewidth=0.9, alpha=0.7)
    ax.plot(px[inside], py[inside], "o", color=colour, markersize=3.5)
    ax.plot(px[~inside], py[~inside], ">" if trajectory.x[-1] > 0 else "<", color=colour, markersize=7)
    ax.plot(px[:1], py[:1], "s", color="k", markersize=6, label=r"start $x_0$")
    ax.plot(px[-1:], py[-1:], "*", color=colour, markersize=13, markeredgecolor="k",
            label=f"after {len(trajectory.x) - 1} steps")
    if not inside.all():
        ax.text(0.5, 0.95, "some steps leave the plot", transform=ax.transAxes, ha="center", va="top",
                fontsize=9, color=colour)
    ax.set_xlabel("x")
    ax.grid(True, alpha=0.3)


def descent_figure(panels: Sequence[Any], title: str | None = None) -> Any:
    """One panel per run (`nnwork.explain.descent_view.descent_panels(runs)`), side by side,
    each titled with its learning rate and the verdict `classify` gave from its numbers."""
    n = len(panels)
    fig = new_figure(min(10.0, 3.4 * n + 0.4), 4.6)
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, panel in zip(axes, panels):
        trajectory = panel.trajectory
        shown = trajectory.h[panel.inside]
        bottom = float(np.nanmin(np.where(np.isfinite(panel.curve_h), panel.curve_h, np.nan)))
        top = float(np.max(shown[np.isfinite(shown)], initial=bottom))
        height = (bottom, top + 0.3 * (top - bottom) + 1e-12)
        verdict = panel.verdict
        draw_descent(ax, panel, height)
        for k in range(1, min(6, len(panel.path_x))):  # number the first steps
            if panel.inside[k]:
                ax.annotate(str(k), (panel.path_x[k], np.clip(panel.path_h[k], *height)), xytext=(4, 4),
                            textcoords="offset points", fontsize=9, color=VERDICT_COLOURS.get(verdict, "k"))
        ax.set_title(rf"$\eta$ = {trajectory.lr:g}: {verdict}", color=VERDICT_COLOURS.get(verdict, "k"), fontsize=11)
        e = panel.evidence
        steps = len(trajectory.x) - 1
        note = ("x flew off (|x| > 10⁶)" if e.diverged else
                f"after {steps} steps: x = {trajectory.x[-1]:.3g}\n"
                f"slope left: {e.slope_ratio:.0%} of its largest\nturned back on {e.reversals:.0%} of the steps")
        ax.set_xlabel(f"x\n{note}", fontsize=9)
    axes[0].set_ylabel("h(x)")
    axes[0].legend(loc="upper right", fontsize=9)
    label = panels[0].trajectory.label
    fig.suptitle(title or rf"Gradient descent $x \leftarrow x - \eta\, h'(x)$ on h(x) = {label}", fontsize=11)
    return fig


# ---- one step on a network, and the loss ---------------------------------------------------------


def step_figure(report: Any) -> Any:
    """The loss along the line θ − s·∂L/∂θ against the distance θ moves (s·‖∂L/∂θ‖; s on the
    top axis), with the step s = η marked (before and after) and the first-order (tangent)
    prediction; next to it every parameter's move."""
    fig = new_figure(10.0, 3.9)
    left, right = fig.subplots(1, 2, width_ratios=[1.1, 1])
    s, line = report.line
    norm = report.gradient_norm
    moved = s * norm
    left.plot(moved, line, color="0.25", linewidth=1.8, label=r"$L(\theta - s\,\partial L/\partial\theta)$")
    slope = report.predicted_change / report.lr
    left.plot(moved, report.loss_before + slope * s, "--", color="C0", linewidth=1,
              label=r"tangent: $L - s\,\Sigma(\partial L/\partial\theta)^2$")
    left.plot([0], [report.loss_before], "s", color="k", markersize=7, label=f"before: L = {report.loss_before:.4g}")
    left.plot([report.lr * norm], [report.loss_after], "*", color="C2", markersize=14, markeredgecolor="k",
              label=rf"after the step $s = \eta$ = {report.lr:g}: L = {report.loss_after:.4g}")
    left.set_ylim(min(line.min(), report.loss_after) * 0.9 - 1e-3, max(line.max(), report.loss_before) * 1.1)
    left.set_xlim(0, moved[-1])
    left.set(xlabel=r"distance θ moves: $s\,\Vert\partial L/\partial\theta\Vert$", ylabel="loss L",
             title="One step of gradient descent on the network")
    top = left.secondary_xaxis("top", functions=(lambda d: d / norm, lambda v: v * norm))
    top.set_xlabel(r"step size s (the step taken: s = $\eta$)")
    left.legend(fontsize=9)
    left.grid(True, alpha=0.3)
    labels, before, after = [], [], []
    for u in report.updates:
        for index in np.ndindex(u.before.shape):
            labels.append(u.name + (f"[{','.join(map(str, index))}]" if index else ""))
            before.append(u.before[index])
            after.append(u.after[index])
    if len(labels) > 24:  # a big network: only the parameters that moved most
        order = np.argsort(-np.abs(np.subtract(after, before)))[:24]
        labels, before, after = [labels[i] for i in order], [before[i] for i in order], [after[i] for i in order]
    rows = np.arange(len(labels))
    right.barh(rows + 0.2, before, height=0.4, color="0.7", label=r"$\theta$ before")
    right.barh(rows - 0.2, after, height=0.4, color="C2", label=r"$\theta - \eta\,\partial L/\partial\theta$")
    right.set_yticks(rows, labels, fontsize=9)
    right.invert_yaxis()
    right.axvline(0, color="0.3", linewidth=0.8)
    right.set(title="Every parameter moves against its gradient", xlabel="value")
    right.legend(fontsize=9)
    return fig


def loss_figure(walk: Any, curve: tuple[np.ndarray, np.ndarray], parameter: str) -> Any:
    """Left: the squared error (y − ŷ)² as a function of ŷ. Right: the loss of the network as
    a function of one parameter, with the tangent whose slope backpropagation computes."""
    fig = new_figure(10.0, 3.8)
    left, right = fig.subplots(1, 2)
    y, prediction = float(walk.y[0]), float(walk.prediction[0])
    yhat = np.linspace(0.0, 1.0, 201)  # a sigmoid's output lies in (0, 1)
    left.plot(yhat, (yhat - y) ** 2, color="0.25", linewidth=1.8)
    left.plot([prediction], [(prediction - y) ** 2], "o", color="C3", markersize=8,
              label=rf"the network's $\hat y$ = {prediction:.3g}")
    left.axvline(y, color="C2", linestyle=":", label=f"truth y = {y:g}: L = 0")
    left.set(xlabel=r"prediction $\hat y$", ylabel=r"$L(\hat y, y) = (y - \hat y)^2$",
             title="The loss: how wrong is the prediction?")
    left.set_xlim(0.0, 1.0)
    left.set_ylim(bottom=0.0)
    left.legend(fontsize=9)
    left.grid(True, alpha=0.3)
    values, losses = curve
    gradient = next(p for p in walk.parameters if p.label == parameter)
    right.plot(values, losses, color="0.25", linewidth=1.8, label="L as this parameter varies")
    right.plot([gradient.value], [walk.loss], "o", color="C3", markersize=8, label="now")
    span = 0.35 * (values.max() - values.min())
    tangent = np.array([gradient.value - span, gradient.value + span])
    if gradient.backprop != 0:  # stop the tangent where it reaches L = 0: a loss is never negative
        zero = gradient.value - walk.loss / gradient.backprop
        tangent = np.clip(tangent, *((zero, np.inf) if zero < gradient.value else (-np.inf, zero)))
    right.plot(tangent, walk.loss + gradient.backprop * (tangent - gradient.value), "--", color="C0",
               label=rf"slope $\partial L/\partial\theta$ = {gradient.backprop:.3g} (backprop)")
    right.set(xlabel=f"parameter θ = {parameter}", ylabel="loss L", title="The loss as a function of one parameter")
    right.set_ylim(bottom=0.0)
    right.legend(fontsize=9)
    right.grid(True, alpha=0.3)
    return fig


# ---- the tour's other pictures -------------------------------------------------------------------


def functions_figure(x: np.ndarray, target: np.ndarray, models: Sequence[np.ndarray], label: str = "G(x)") -> Any:
    """A target G and the functions F(Θ, x) of one network with several parameter sets Θ."""
    fig = new_figure(6.8, 3.9)
    ax = fig.add_subplot()
    ax.plot(x, target, color="k", linewidth=2.4, label=f"ground truth {label}")
    for i, values in enumerate(models, start=1):
        ax.plot(x, values, "--", linewidth=1.4, label=rf"$F(\Theta_{i}, x)$: the same network, parameters $\Theta_{i}$")
    ax.set(xlabel="x (the input)", ylabel="output", title="A model is a function: its parameters Θ decide which one")
    ax.legend(fontsize=9)
    ax.grid(True, alpha=0.3)
    return fig


def network_figure(walk: Any, grid: tuple[np.ndarray, np.ndarray, np.ndarray],
                   rewired: tuple[np.ndarray, str] | None = None) -> Any:
    """The network's wiring (neurons with their values at one sample) and the function
    F(Θ, x1, x2) it computes over a grid of inputs; `rewired` = (Z, what changed): the same
    weights wired differently, over the same grid, in a third panel."""
    from nnwork.plot.graph import draw_graph

    n = 1 if rewired is None else 2
    fig = new_figure(10.0, 8.0)
    grid_spec = fig.add_gridspec(n, 2, width_ratios=[1.2, 1])
    left = fig.add_subplot(grid_spec[:, 0])
    axes = [left] + [fig.add_subplot(grid_spec[i, 1]) for i in range(n)]
    draw_graph(left, walk, gradients=False, fontsize=9, vertical=True)
    left.set_title("Neurons f(θᵢ, x) = σ(w·x + b) wired together", fontsize=10)
    X, Y, Z = grid
    panels = [(axes[1], Z, r"$F(\Theta, x_1, x_2)$ over its inputs")]
    if rewired is not None:
        panels.append((axes[2], rewired[0], f"same weights, rewired: {rewired[1]}"))
    for ax, values, title in panels:
        image = ax.pcolormesh(X, Y, values, shading="auto", cmap="viridis", vmin=0, vmax=1)
        ax.set(xlabel="x1", ylabel="x2", title=title)
    fig.colorbar(image, ax=axes[1:], shrink=0.6, label="F")
    return fig


def surfaces_figure(surfaces: Sequence[tuple[str, np.ndarray, np.ndarray, np.ndarray]], title: str = "",
                    zlabel: str = "F(x, y)", notes: Sequence[tuple[int, tuple[float, float, float], str]] = ()) -> Any:
    """3-D surfaces side by side: (title, X, Y, Z) each, with a z label and a colour bar;
    `notes`: (panel index, point (x, y, z), text) arrows pointing at a detail."""
    fig = new_figure(5.0 * len(surfaces), 4.6)
    axes = []
    for i, (name, X, Y, Z) in enumerate(surfaces, start=1):
        ax = fig.add_subplot(1, len(surfaces), i, projection="3d")
        image = ax.plot_surface(X, Y, Z, cmap="viridis", linewidth=0, antialiased=False, rcount=60, ccount=60)
        ax.set(title=name, xlabel="x", ylabel="y")
        ax.set_zlabel(zlabel)
        ax.tick_params(labelsize=9)
        fig.colorbar(image, ax=ax, shrink=0.6, pad=0.12, label=zlabel)
        axes.append(ax)
    for index, (x, y, z), text in notes:
        ax = axes[index]
        top = float(np.max(surfaces[index][3]))
        ax.plot([x, x], [y, y], [z, z + 0.45 * top], color="C3", linewidth=1.2)
        ax.text(x, y, z + 0.5 * top, text, color="C3", fontsize=9, ha="center")
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def training_figure(x: np.ndarray, target: np.ndarray, runs: Sequence[Any], label: str = "G(x)") -> Any:
    """Networks trained two ways (`nnwork.explain.training.TrainingRun`s) against their target,
    and the training loss of each, step by step."""
    fig = new_figure(10.0, 3.9)
    left, right = fig.subplots(1, 2)
    left.plot(x, target, color="k", linewidth=2.4, label=f"ground truth {label}")
    colours = ("C0", "C1")
    for run, colour in zip(runs, colours):
        left.plot(x, run.final, "--", color=colour, linewidth=1.8,
                  label=rf"F after {len(run.loss)} steps of {run.optimizer}")
        right.semilogy(np.arange(1, len(run.loss) + 1), run.loss, color=colour,
                       label=rf"{run.optimizer}, $\eta$ = {run.lr:g}")
    left.set(xlabel="x", title="After training: F follows G")
    left.legend(fontsize=9)
    left.grid(True, alpha=0.3)
    right.set(xlabel="step (one update of every parameter)", ylabel="training loss L (log scale)",
              title="The loss, step by step")
    right.legend(fontsize=9)
    right.grid(True, which="both", alpha=0.3)
    return fig


def fit_figure(x: np.ndarray, target: np.ndarray, prediction: np.ndarray, loss: Sequence[float],
               label: str = "G(x)") -> Any:
    """A trained network against its target, and the training loss falling epoch by epoch."""
    fig = new_figure(10.0, 3.8)
    left, right = fig.subplots(1, 2)
    left.plot(x, target, color="k", linewidth=2.4, label=f"ground truth {label}")
    left.plot(x, prediction, "--", color="C1", linewidth=1.8, label=r"trained network $F(\Theta, x)$")
    left.set(xlabel="x", title="After training: F follows G")
    left.legend(fontsize=9)
    left.grid(True, alpha=0.3)
    right.semilogy(np.arange(1, len(loss) + 1), loss, color="C0")
    right.set(xlabel="epoch", ylabel="training loss (log scale)", title="The loss falls as gradient descent runs")
    right.grid(True, which="both", alpha=0.3)
    return fig
