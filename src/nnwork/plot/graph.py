"""A network's computation graph as boxes and arrows, with values and gradients written on it.

Drawn with matplotlib patches only (no graphviz or other program): the inputs on the left,
each neuron (or layer) in the column after its deepest parent, then ŷ and the loss L. Every
box shows the node's value and, with gradients, ∂L/∂node and the gradients of the node's own
parameters; every arrow carries the local derivative ∂child/∂parent that backpropagation
multiplies by on its way back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnwork.plot import new_figure

BOX_WIDTH, BOX_HEIGHT = 1.7, 1.0
COLUMN_GAP, ROW_GAP = 2.6, 1.9
COLOURS = {"input": "#e8e8e8", "node": "#dceafb", "output": "#fde9c9", "loss": "#f9d3d3"}


def _short(values: Any, digits: int = 4, limit: int = 3) -> str:
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    if flat.size == 1:
        return f"{flat[0]:.{digits}g}"
    if flat.size <= limit:
        return "[" + ", ".join(f"{v:.{digits - 1}g}" for v in flat) + "]"
    return f"{flat.size} values, ‖·‖ = {np.linalg.norm(flat):.{digits - 1}g}"


def _math(name: str) -> str:
    """A node or parameter name in mathtext-safe form (ŷ as \\hat{y})."""
    return name.replace("ŷ", r"$\hat{y}$")


def layout(walk: Any, column_gap: float = COLUMN_GAP) -> tuple[dict[str, tuple[float, float]], list[tuple[str, str]]]:
    """Box centres by node name, and the edges (parent, child) between named nodes."""
    parameters = {p.name for p in walk.parameters}
    edges: list[tuple[str, str]] = []
    for visit in walk.visits:
        for parent in list(visit.local) + list(visit.constants):
            if parent not in parameters:
                edges.append((parent, visit.name))
    nodes = list(walk.inputs) + [v.name for v in reversed(walk.visits)]
    parents: dict[str, list[str]] = {n: [] for n in nodes}
    for parent, child in edges:
        parents.setdefault(child, []).append(parent)
    depth: dict[str, int] = {}
    for name in nodes:  # inputs first, then the visits in forward order: parents come first
        depth[name] = 0 if name in walk.inputs else 1 + max((depth.get(p, 0) for p in parents[name]), default=0)
    columns: dict[int, list[str]] = {}
    for name in nodes:
        columns.setdefault(depth[name], []).append(name)
    position: dict[str, tuple[float, float]] = {}
    for column in sorted(columns):
        names = columns[column]
        if column:  # order by the mean height of the parents: fewer crossings
            names.sort(key=lambda n: -np.mean([position[p][1] for p in parents[n] if p in position] or [0.0]))
        top = (len(names) - 1) * ROW_GAP / 2
        for i, name in enumerate(names):
            position[name] = (column * column_gap, top - i * ROW_GAP)
    return position, edges


def _labels(walk: Any, gradients: bool) -> dict[str, list[str]]:
    """The lines of text in each box."""
    visits = {v.name: v for v in walk.visits}
    parameters = {p.name for p in walk.parameters}
    labels = {name: [f"{_math(name)} = {_short(value)}"] for name, value in walk.inputs.items()}
    for name, visit in visits.items():
        lines = [f"{_math(name)} = {_short(visit.value)}"]
        if gradients:
            lines.append(rf"$\partial L/\partial${_math(name)} = {_short(visit.arriving)}")
            for parent in visit.local:
                if parent in parameters:
                    gradient = sum(part for consumer, part in _sources(walk, parent) if consumer == name)
                    lines.append(rf"$\partial L/\partial${parent.split('.')[-1][0]}: {_short(gradient, 3)}")
        elif visit.formula and name != "L":
            lines.append(visit.formula.split(" = ")[-1].replace("ŷ", "y"))
        labels[name] = lines
    return labels


def draw_graph(ax: Any, walk: Any, gradients: bool = True, fontsize: float = 8,
               vertical: bool = False) -> tuple[float, float]:
    """Draw `walk` (an nnwork.explain BackpropWalk) onto the matplotlib axes `ax`; returns the
    width and height of the drawing in data units (for sizing the figure: 0.8 inch per unit
    for 8-point text, proportionally more for bigger text). `vertical`: inputs at the top and
    the loss at the bottom (a narrow drawing, for a page)."""
    from matplotlib.patches import FancyBboxPatch

    labels = _labels(walk, gradients)
    longest = max(len(line.replace("$", "").replace("\\partial ", "∂").replace("\\hat{y}", "y"))
                  for lines in labels.values() for line in lines)
    width = max(BOX_WIDTH, 0.075 * longest)
    tallest = BOX_HEIGHT * (0.45 + 0.28 * max(len(lines) for lines in labels.values()))
    position, edges = layout(walk, column_gap=width + 0.95)
    if vertical:  # columns become rows, top to bottom; rows become columns, side by side
        row_gap, column_gap = tallest + 0.8, width + 0.5
        position = {name: (-y / ROW_GAP * column_gap, -x / (width + 0.95) * row_gap)
                    for name, (x, y) in position.items()}
    visits = {v.name: v for v in walk.visits}
    heights = {}
    for name, (cx, cy) in position.items():
        kind = "input" if name not in visits else "loss" if name == "L" else "output" if name == "ŷ" else "node"
        height = heights[name] = BOX_HEIGHT * (0.45 + 0.28 * len(labels[name]))
        ax.add_patch(FancyBboxPatch((cx - width / 2, cy - height / 2), width, height,
                                    boxstyle="round,pad=0.04,rounding_size=0.12",
                                    facecolor=COLOURS[kind], edgecolor="0.35", linewidth=1.0))
        ax.text(cx, cy, "\n".join(labels[name]), ha="center", va="center", fontsize=fontsize, linespacing=1.45)
    for parent, child in edges:
        (x0, y0), (x1, y1) = position[parent], position[child]
        if vertical:
            start, end = (x0, y0 - heights[parent] / 2 - 0.05), (x1, y1 + heights[child] / 2 + 0.05)
        else:
            start, end = (x0 + width / 2 + 0.05, y0), (x1 - width / 2 - 0.05, y1)
        ax.annotate("", xy=end, xytext=start,
                    arrowprops=dict(arrowstyle="-|>", color="0.45", linewidth=1.0, shrinkA=0, shrinkB=0))
        local = visits[child].local.get(parent)
        if gradients and local is not None and local.size == 1:
            mx, my = start[0] + 0.5 * (end[0] - start[0]), start[1] + 0.5 * (end[1] - start[1])
            if not vertical:
                mx, my = mx + 0.1, my + 0.13
            ax.text(mx, my, f"×{float(local.reshape(())):.3g}", fontsize=fontsize, color="C3", ha="center",
                    va="center", bbox=dict(facecolor="white", edgecolor="none", pad=0.5, alpha=0.85))
    xs = [p[0] for p in position.values()]
    ys = [p[1] for p in position.values()]
    x_low, x_high = min(xs) - 0.55 * width, max(xs) + 0.55 * width
    y_low, y_high = min(ys) - 0.95 * BOX_HEIGHT, max(ys) + 0.95 * BOX_HEIGHT
    ax.set_xlim(x_low, x_high)
    ax.set_ylim(y_low, y_high)
    ax.set_aspect("equal")
    ax.axis("off")
    return x_high - x_low, y_high - y_low


def _sources(walk: Any, parameter: str) -> list[tuple[str, np.ndarray]]:
    """(node, ∂L/∂parameter passed down from it) for every node that reads `parameter`."""
    found = []
    for visit in walk.visits:
        if parameter in visit.local:
            local = visit.local[parameter]
            found.append((visit.name, np.tensordot(visit.arriving, local, axes=visit.arriving.ndim)))
    return found


def graph_figure(walk: Any, gradients: bool = True, title: str | None = None, fontsize: float = 8,
                 vertical: bool = False) -> Any:
    """The graph of `walk` as a Figure: values, and with `gradients` ∂L/∂node on every box and the
    local derivative on every arrow (red: what backpropagation multiplies by)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig = new_figure()
    ax = fig.add_subplot()
    width, height = draw_graph(ax, walk, gradients, fontsize=fontsize, vertical=vertical)
    inches = 0.8 * fontsize / 8  # per data unit: boxes just wide enough for their text
    fig.set_size_inches(max(6.0, inches * width + 0.3), inches * height + (1.6 if vertical else 0.6))
    if title is None:
        title = ("Backpropagation, from the loss back to the inputs" if vertical else
                 r"Backpropagation: each box shows its value and $\partial L/\partial$node; each arrow the local "
                 "derivative (red) that the gradient is multiplied by on its way back")
        if not gradients:
            title = "The network: each box is a neuron f(θ, x) = σ(w·x + b), with its value"
    ax.set_title(title, fontsize=max(9, fontsize))
    if gradients:
        handles = [Patch(facecolor=COLOURS["node"], edgecolor="0.35", label=r"a node: its value and $\partial L/\partial$node"),
                   Line2D([], [], color="C3", marker="$×$", linestyle="none", markersize=9,
                          label=r"red ×: the local factor $\partial$child/$\partial$parent")]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=max(9, fontsize),
                  ncols=1 if vertical else 2, frameon=False)
    return fig
