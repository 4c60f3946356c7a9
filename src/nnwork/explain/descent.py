"""Gradient descent on a function of one number, with h'(x) from our own autodiff.

To make h(x) smaller, step against its slope:

    x ← x − η · h'(x)

The slope comes from backpropagation on a one-number Tensor, exactly as ∂L/∂θ does for a
network. The learning rate η decides everything: too small and x crawls, a good one settles
in a minimum, too large and x jumps over the minimum, back and forth, or flies away.
`classify` tells which happened from the numbers of the trajectory alone.

`h` may be a Python function of Tensors (`lambda x: x**2`) or formula text ("x^4 - 3*x^2 + x",
the grammar of `nnwork.targets`): the parsed formula is evaluated by its Tensor evaluator,
`Formula.on_tensors`, the same tree that `nnwork fit` evaluates on NumPy arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from nnwork import targets
from nnwork.tensor import Tensor

TensorFunction = Callable[[Tensor], Tensor]

DEFAULT_FUNCTION = "x^4 - 3*x^2 + x"  # two valleys: a deep one at x ≈ −1.30, a shallow one at x ≈ 1.13
DEFAULT_X0 = -2.0
DEFAULT_STEPS = 30
DEFAULT_LEARNING_RATES = (0.002, 0.03, 0.2)  # for the default function: crawls, settles, bounces
LADDER = tuple(float(f"{m}e{k}") for k in range(-4, 2) for m in (1, 3))  # 1e-4, 3e-4, ..., 30

ESCAPE = 1e6  # |x| beyond this counts as diverged; the run stops there
SETTLED = 1e-3  # converged: |h'| at the end is below this fraction of the largest |h'| seen


# ---- h as a function of Tensors ---------------------------------------------------------


def tensor_function(h: str | TensorFunction | Any) -> tuple[TensorFunction, str]:
    """h as a function of Tensors, and a label for it.

    Arguments:
        h: formula text of one variable ("x^2", "cos(x) + x/4"), a built-in target of one
            input ("sine"), a parsed `targets.Formula`, or a Python function of Tensors.
    Returns:
        (function, label): `function(x)` maps a Tensor to a Tensor of the same shape, through
        ops our autodiff can differentiate.
    Raises:
        ValueError for bad formula text, a formula of more than one variable, or a function
        whose slope is 0 wherever it has one (floor, ceil, sign).
    """
    if callable(h) and not isinstance(h, (targets.Formula, targets.Target)):
        return h, getattr(h, "__name__", "h")
    spec = targets.resolve(h) if isinstance(h, str) else h
    formula = spec.formula if isinstance(spec, targets.Target) else spec
    if not isinstance(formula, targets.Formula):
        raise TypeError(f"`h` must be formula text, a Formula or a function of Tensors, got {type(h).__name__}")
    if formula.n_inputs != 1:
        raise ValueError(f"gradient descent in 1-D needs a formula of one variable x; "
                         f"{formula.text!r} uses {', '.join(formula.variables)}")
    flat = [name for name in formula.functions if targets.FUNCTIONS[name].piecewise_constant]
    if flat:
        useful = sorted(name for name, f in targets.FUNCTIONS.items() if not f.piecewise_constant)
        raise ValueError(f"{flat[0]}() is not differentiable here: its slope is 0 wherever it has "
                         "one, and gradient descent needs h'(x); the functions with a slope to "
                         f"follow are {', '.join(useful)}")
    return formula.on_tensors, formula.text


def value_and_slope(h: TensorFunction, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """h(x) and h'(x) at every point of the float array x, by backpropagation (float64)."""
    point = Tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    with np.errstate(all="ignore"):  # a run that flies off overflows; the caller checks
        value = h(point)
        if not isinstance(value, Tensor) or value.shape != point.shape:
            raise ValueError(f"h must map a Tensor of shape {point.shape} to one of the same shape, "
                             f"got {getattr(value, 'shape', type(value).__name__)}")
        value.backward(np.ones_like(point.data))  # elementwise h: the seed 1 gives each h'(xᵢ)
    slope = point.grad if point.grad is not None else np.zeros_like(point.data)
    return value.data, slope


# ---- the descent and its verdict ----------------------------------------------------------


@dataclass(frozen=True)
class Trajectory:
    """x₀ … x_T of gradient descent on h, with h(x_t) and h'(x_t) at every point.

    If x left |x| ≤ ESCAPE or became NaN/Inf the run stopped early: `diverged` is True and
    the arrays are shorter than steps + 1.
    """

    x: np.ndarray
    h: np.ndarray
    slope: np.ndarray
    lr: float
    steps: int
    label: str = "h"
    function: TensorFunction | None = field(default=None, repr=False, compare=False)  # h, to draw it

    @property
    def diverged(self) -> bool:
        return len(self.x) < self.steps + 1 or not np.all(np.isfinite(self.h))

    @property
    def verdict(self) -> str:
        return classify(self)

    def table(self, every: int = 1) -> str:
        """The steps as text: t, x_t, h(x_t), h'(x_t) and the step −η·h'(x_t)."""
        lines = [f"{'t':>4}  {'x_t':>13}  {'h(x_t)':>13}  {'h′(x_t)':>13}  {'−η·h′(x_t)':>13}"]
        last = len(self.x) - 1
        for t in range(len(self.x)):
            if t % every and t != last:
                continue
            step = -self.lr * self.slope[t]
            lines.append(f"{t:>4}  {self.x[t]:>13.6g}  {self.h[t]:>13.6g}  {self.slope[t]:>13.6g}  {step:>13.6g}")
        return "\n".join(lines)


def descend(h: str | TensorFunction | Any, x0: float = DEFAULT_X0, lr: float = 0.1,
            steps: int = DEFAULT_STEPS) -> Trajectory:
    """Run x_{t+1} = x_t − η·h'(x_t) from x0 for `steps` steps, h' by backpropagation.

    Arguments:
        h: see `tensor_function` (formula text or a Python function of Tensors).
        x0: the starting point; lr: the learning rate η > 0; steps: how many updates.
    Returns:
        A Trajectory (stopped early, `diverged`, if x flies off to |x| > ESCAPE or overflows).

    >>> descend(lambda x: x**2, x0=1.0, lr=0.25, steps=2).x.tolist()
    [1.0, 0.5, 0.25]
    """
    function, label = tensor_function(h)
    if not (isinstance(lr, (int, float, np.floating)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"`lr` must be a positive number, got {lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"`steps` must be a positive integer, got {steps!r}")
    if not (isinstance(x0, (int, float, np.floating)) and math.isfinite(x0)):
        raise ValueError(f"`x0` must be a finite number, got {x0!r}")
    xs, hs, slopes = [], [], []
    x = float(x0)
    for t in range(steps + 1):
        value, slope = value_and_slope(function, np.array([x]))
        if t == 0 and not (np.isfinite(value[0]) and np.isfinite(slope[0])):
            raise ValueError(f"h = {label} is not finite (or has no finite slope) at x0 = {x0:g}: "
                             f"h = {value[0]}, h' = {slope[0]}; start somewhere else")
        xs.append(x)
        hs.append(float(value[0]))
        slopes.append(float(slope[0]))
        if t == steps or not (math.isfinite(hs[-1]) and math.isfinite(slopes[-1])):
            break
        x = x - lr * slopes[-1]  # the whole algorithm
        if not math.isfinite(x) or abs(x) > ESCAPE:
            break
    return Trajectory(np.array(xs), np.array(hs), np.array(slopes), float(lr), int(steps), label, function)


@dataclass(frozen=True)
class Evidence:
    """The numbers `classify` decides from."""

    diverged: bool  # x flew off past ESCAPE, or h or h' overflowed
    rose: bool  # h ended higher than it started
    slope_ratio: float  # |h'(x_T)| / max |h'(x_t)|: near 0 once x has settled in a minimum
    reversals: float  # fraction of the (non-negligible) steps that reversed the previous one
    bend: float  # median |1 − h'(x_{t+1})/h'(x_t)|: how much one step changes the slope

    @property
    def settled(self) -> bool:
        return self.slope_ratio <= SETTLED

    def __str__(self) -> str:
        if self.diverged:
            return "x flew off (|x| grew past 1e6 or overflowed)"
        parts = [f"|h′| fell to {self.slope_ratio:.1e} of its largest value",
                 f"{self.reversals:.0%} of the steps reversed direction",
                 f"a step changes the slope by {self.bend:.0%} (median)"]
        if self.rose:
            parts.append("h ended higher than it started")
        return "; ".join(parts)


def evidence(trajectory: Trajectory) -> Evidence:
    """Measure a trajectory: did it fly off, settle, reverse direction, end higher?"""
    slopes = np.abs(trajectory.slope)
    largest = float(np.max(slopes)) if len(slopes) else 0.0
    ratio = float(slopes[-1] / largest) if largest > 0 else 0.0
    moves = np.diff(trajectory.x)
    if len(moves):  # ignore the last wiggles of a run that has arrived
        moves = moves[np.abs(moves) > SETTLED * np.max(np.abs(moves))]
    reversals = float(np.mean(np.sign(moves[1:]) != np.sign(moves[:-1]))) if len(moves) > 1 else 0.0
    before, after = trajectory.slope[:-1], trajectory.slope[1:]
    useful = np.abs(before) > SETTLED * largest
    bend = float(np.median(np.abs(1 - after[useful] / before[useful]))) if useful.any() else 0.0
    return Evidence(
        diverged=trajectory.diverged,
        rose=bool(trajectory.h[-1] > trajectory.h[0]),
        slope_ratio=ratio,
        reversals=reversals,
        bend=bend,
    )


def classify(trajectory: Trajectory) -> str:
    """"too small", "good" or "too large", decided from the trajectory's numbers alone.

    - too large: x flew off, or h ended higher than it started, or most steps jump back over
      the previous one (x overshoots the minimum, back and forth);
    - good: x settled: the slope at the end is tiny next to the slopes on the way;
    - too small: not settled, walking downhill in one direction in steps so short that each
      barely changes the slope (less than half): crawling. A run that neither settles nor
      crawls takes steps too long for the terrain: too large.
    """
    e = evidence(trajectory)
    if e.diverged or e.rose or e.reversals >= 0.5:
        return "too large"
    if e.settled:
        return "good"
    return "too small" if e.bend < 0.5 else "too large"


def compare_learning_rates(h: str | TensorFunction | Any, x0: float = DEFAULT_X0,
                           lrs: Sequence[float] = DEFAULT_LEARNING_RATES,
                           steps: int = DEFAULT_STEPS) -> list[Trajectory]:
    """One trajectory per learning rate, from the same start (each one classified by `classify`)."""
    return [descend(h, x0, lr, steps) for lr in lrs]


def pick_learning_rates(h: str | TensorFunction | Any, x0: float = DEFAULT_X0,
                        steps: int = DEFAULT_STEPS) -> list[Trajectory]:
    """Try the learning rates of LADDER and keep one of each kind that occurs, in the order
    too small, good, too large: the largest that crawls, the good one that settles lowest,
    and the smallest that overshoots. Kinds that never occur are left out."""
    runs = compare_learning_rates(h, x0, LADDER, steps)
    kinds = {kind: [r for r in runs if classify(r) == kind] for kind in ("too small", "good", "too large")}
    picked = []
    if kinds["too small"]:
        picked.append(kinds["too small"][-1])
    if kinds["good"]:
        picked.append(min(kinds["good"], key=lambda r: (r.h[-1], r.lr)))
    if kinds["too large"]:
        picked.append(kinds["too large"][0])
    return picked
