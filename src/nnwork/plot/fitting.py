"""Pictures of a fit: target, model and error side by side, and the loss curve.

For one input: curves of G and F over the domain (with the training points) and the error
F − G. For two inputs: 3-D surfaces of G, F and F − G. For more inputs, or measured data
without a formula: predicted against true values. Each function returns the Figure; `nnwork
fit` names and writes them.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from nnwork.plot import new_figure

Function = Callable[[np.ndarray], np.ndarray]  # (N, d) -> (N, k)


def loss_curve(train: Sequence[float], validation: Sequence[float]) -> Any:
    """Training and validation loss per epoch, on a log scale."""
    fig = new_figure(6.4, 4.0)
    ax = fig.add_subplot()
    epochs = np.arange(1, len(train) + 1)
    ax.semilogy(epochs, train, label="training loss")
    if len(validation) and not np.all(np.isnan(validation)):
        ax.semilogy(epochs, validation, label="validation loss")
    ax.set(xlabel="epoch", ylabel="loss (standardised units)", title="Loss during training")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return fig


def comparison(
    model: Function,
    domain: Sequence[tuple[float, float]],
    target: Function | None = None,
    points: tuple[np.ndarray, np.ndarray] | None = None,
    title: str = "",
) -> Any:
    """Target, model and error over the domain (1-D curves or 2-D surfaces)."""
    if len(domain) == 1:
        return _curves(model, domain[0], target, points, title)
    if len(domain) == 2 and target is not None:
        return _surfaces(model, domain, target, title)
    if points is None:
        raise ValueError("a comparison in more than one dimension without a target needs `points`")
    return _scatter(model, points, title)


def _curves(model: Function, span: tuple[float, float], target: Function | None,
            points: tuple[np.ndarray, np.ndarray] | None, title: str) -> Any:
    x = np.linspace(span[0], span[1], 1000)[:, None]
    fig = new_figure(11, 4.0)
    left, right = fig.subplots(1, 2)
    prediction = model(x)[:, 0]
    if points is not None:
        left.plot(points[0][:, 0], points[1][:, 0], ".", color="0.7", markersize=3, label="data")
    if target is not None:
        left.plot(x[:, 0], target(x)[:, 0], label="target G(x)", linewidth=2)
        right.plot(x[:, 0], prediction - target(x)[:, 0], color="C3")
        right.set(title="error F(x) − G(x)", xlabel="x")
    elif points is not None:
        residual = model(points[0])[:, 0] - points[1][:, 0]
        right.plot(points[0][:, 0], residual, ".", color="C3", markersize=3)
        right.set(title="residual F(x) − y at the data", xlabel="x")
    left.plot(x[:, 0], prediction, "--", label="network F(x)", linewidth=2)
    left.set(title=title or "Target and network", xlabel="x")
    left.legend()
    for ax in (left, right):
        ax.grid(True, alpha=0.3)
    return fig


def _surfaces(model: Function, domain: Sequence[tuple[float, float]], target: Function, title: str) -> Any:
    axes = [np.linspace(low, high, 80) for low, high in domain]
    X, Y = np.meshgrid(*axes)
    grid = np.column_stack([X.ravel(), Y.ravel()])
    truth = target(grid)[:, 0].reshape(X.shape)
    prediction = model(grid)[:, 0].reshape(X.shape)
    fig = new_figure(15, 4.8)
    panels = [("target G", truth), ("network F", prediction), ("error F − G", prediction - truth)]
    for i, (name, Z) in enumerate(panels, start=1):
        ax = fig.add_subplot(1, 3, i, projection="3d")
        ax.plot_surface(X, Y, Z, cmap="viridis", linewidth=0, antialiased=True)
        ax.set(title=name, xlabel="x", ylabel="y")
    if title:
        fig.suptitle(title)
    return fig


def _scatter(model: Function, points: tuple[np.ndarray, np.ndarray], title: str) -> Any:
    x, y = points
    prediction = model(x)
    fig = new_figure(5.5, 5.0)
    ax = fig.add_subplot()
    for k in range(y.shape[1]):
        ax.plot(y[:, k], prediction[:, k], ".", markersize=3, label=f"output {k + 1}")
    low, high = float(np.min(y)), float(np.max(y))
    ax.plot([low, high], [low, high], "k--", linewidth=1, label="perfect")
    ax.set(xlabel="true value", ylabel="network's prediction")
    ax.set_title(title or "Predicted against true", fontsize="small", wrap=True)
    ax.legend()
    ax.grid(True, alpha=0.3)
    return fig

