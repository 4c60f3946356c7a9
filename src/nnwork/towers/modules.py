"""Steps, bumps and towers: the sigmoid neurons of the universal-approximation argument.

A sigmoid neuron with a large weight k is a step: σ(k(x − a)) is 0 left of a, 1 right of it
and ½ at a. Two steps make a bump, σ(k(x − a)) − σ(k(x − b)): 1 on (a, b), 0 outside. One
bump per axis, summed and passed through one more sigmoid neuron, makes a tower over a box:

    z = Σᵢ bumpᵢ(xᵢ),    tower(x) = height · σ(s(z − t)).

z is d inside the box, d − 1 on the "arms" (inside on every axis but one) and at most d − 2
elsewhere, so a threshold t between d − 1 and d keeps the box and drops the rest. The article's
2-D tower is `tower([(x_min, x_max), (y_min, y_max)])` with the defaults k = 1000, s = 30,
t = 1.1. Its t sits close to the arms' z = 1, so they keep σ(30(1 − 1.1)) = σ(−3) ≈ 4.7 % of
the height: the leak `arm_leak` measures. t = d − ½ leaks and falls short by σ(−s/2) each.

Every part is a Module of real `Neuron`s with Parameters, so gradient descent can move them.
Each describes itself for saving by what shapes it (the number of inputs or towers, the dtype):
steepness, positions and heights are parameters, which a model file carries, so `from_config`
makes placeholders of the right shape for loading to fill in.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from nnwork._grad_mode import no_grad
from nnwork.functions import stack
from nnwork.nn import Module, Neuron, Parameter
from nnwork.nn.config import Fields, dtype_name, reserve_parameters
from nnwork.tensor import Tensor

Box = Sequence[tuple[float, float]]

# The article's pictures: a 0.1 grid over [−5, 5)², one tower and four nested towers.
ORIGINAL_BOX = ((-0.3, 0.7), (-0.2, 0.8))
ORIGINAL_HALF_WIDTHS = (0.5, 1.0, 2.0, 4.0)


def as_input(x: Any, dtype: Any) -> Tensor:
    """`x` itself if it is a Tensor, else a constant Tensor of `dtype` (for arrays and lists)."""
    return x if isinstance(x, Tensor) else Tensor(x, dtype=dtype)


def check_box(box: Any, name: str = "box") -> tuple[tuple[float, float], ...]:
    """`box` as d (low, high) pairs of finite floats with low < high; ValueError otherwise."""
    try:
        pairs = tuple((float(low), float(high)) for low, high in box)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a list of (low, high) pairs, one per axis, got {box!r}") from None
    if not pairs:
        raise ValueError(f"`{name}` needs at least one (low, high) pair")
    for axis, (low, high) in enumerate(pairs):
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(f"`{name}` axis {axis} must have finite low < high, got ({low}, {high})")
    return pairs


class Step(Module):
    """σ(k(x − a)): one sigmoid neuron stepping from 0 to 1 at x = a; steeper as k grows.

    The neuron's weight is k and its bias −k·a. Input (..., 1), output (...), as a Neuron.
    No steepness overflows or warns: σ(±1e6) is exactly 1 and 0.
    """

    def __init__(self, at: float, steepness: float = 1000.0, dtype: Any = np.float64) -> None:
        super().__init__()
        k = float(steepness)
        self.neuron = Neuron(1, weight=[k], bias=-k * float(at), dtype=dtype)

    @property
    def position(self) -> float:
        """Where the step is half way: a = −bias / weight."""
        return float(-self.neuron.bias.data / self.neuron.weight.data[0])

    def forward(self, x: Any) -> Tensor:
        return self.neuron(as_input(x, self.neuron.weight.dtype))

    def extra_repr(self) -> str:
        return f"at={self.position:g}, steepness={float(self.neuron.weight.data[0]):g}"

    def config(self) -> dict[str, Any]:
        return {"dtype": dtype_name(self)}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> Step:
        f = Fields(fields, "Step", ("dtype",))
        reserve_parameters(2, "Step")
        return cls(0.0, dtype=f.dtype())


class Bump(Module):
    """σ(k(x − a)) − σ(k(x − b)): two step neurons; 1 on (a, b), ½ at a and b, 0 outside."""

    def __init__(self, low: float, high: float, steepness: float = 1000.0, dtype: Any = np.float64) -> None:
        super().__init__()
        check_box([(low, high)])
        self.rise = Step(low, steepness, dtype)
        self.fall = Step(high, steepness, dtype)

    def forward(self, x: Any) -> Tensor:
        return self.rise(x) - self.fall(x)

    def config(self) -> dict[str, Any]:
        return {"dtype": dtype_name(self)}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> Bump:
        f = Fields(fields, "Bump", ("dtype",))
        reserve_parameters(4, "Bump")
        return cls(0.0, 1.0, dtype=f.dtype())


class Tower(Module):
    """height · σ(s(Σᵢ bumpᵢ(xᵢ) − t)): a tower over an axis-aligned box in d dimensions.

    Made of 2d step neurons (a bump per axis), one outer sigmoid neuron with weight s on
    every bump and bias −s·t, and the height. Input (..., d), output (...).
    """

    def __init__(
        self,
        box: Box,
        steepness: float = 1000.0,
        outer_steepness: float = 30.0,
        threshold: float = 1.1,
        height: float = 1.0,
        dtype: Any = np.float64,
    ) -> None:
        super().__init__()
        box = check_box(box)
        self.n_inputs = len(box)
        for axis, (low, high) in enumerate(box):
            setattr(self, f"bump{axis}", Bump(low, high, steepness, dtype))
        s, t = float(outer_steepness), float(threshold)
        self.outer = Neuron(self.n_inputs, weight=[s] * self.n_inputs, bias=-s * t, dtype=dtype)
        self.height = Parameter(float(height), dtype=dtype)

    @property
    def bumps(self) -> list[Bump]:
        return [getattr(self, f"bump{axis}") for axis in range(self.n_inputs)]

    @property
    def box(self) -> tuple[tuple[float, float], ...]:
        return tuple((b.rise.position, b.fall.position) for b in self.bumps)

    def forward(self, x: Any) -> Tensor:
        x = as_input(x, self.height.dtype)
        if x.ndim == 0 or x.shape[-1] != self.n_inputs:
            raise ValueError(
                f"a tower over a {self.n_inputs}-D box expects x of shape (..., {self.n_inputs}), got {x.shape}"
            )
        z = stack([bump(x[..., axis : axis + 1]) for axis, bump in enumerate(self.bumps)], axis=-1)
        return self.height * self.outer(z)

    def extra_repr(self) -> str:
        return f"box={self.box}"

    def config(self) -> dict[str, Any]:
        return {"n_inputs": self.n_inputs, "dtype": dtype_name(self)}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> Tower:
        f = Fields(fields, "Tower", ("n_inputs", "dtype"))
        d = f.positive_int("n_inputs")
        reserve_parameters(4 * d + d + 2, "Tower")  # 2d steps (weight, bias), the outer neuron, the height
        return cls([(0.0, 1.0)] * d, dtype=f.dtype())


def tower(
    box: Box,
    steepness: float = 1000.0,
    outer_steepness: float = 30.0,
    threshold: float = 1.1,
    height: float = 1.0,
    dtype: Any = np.float64,
) -> Tower:
    """A tower over `box` (d pairs (low, high)); the defaults are the article's 2-D tower.

    Arguments:
        box: one (low, high) pair per axis.
        steepness: k of the step neurons σ(k(xᵢ − low)) and σ(k(xᵢ − high)).
        outer_steepness, threshold: s and t of the outer neuron σ(s(z − t)); t must lie
            between d − 1 and d; d − ½ is the fair middle (the article's 1.1 leaks, see
            `arm_leak`).
        height: the tower's value on the box.
    Returns:
        A `Tower` mapping (N, d) to (N,).

    >>> t = tower([(-0.3, 0.7), (-0.2, 0.8)])
    >>> round(float(t([[0.2, 0.3]]).data[0]), 6)
    1.0
    """
    return Tower(box, steepness, outer_steepness, threshold, height, dtype)


class TowerSum(Module):
    """Σₘ hₘ·towerₘ(x) for M towers at once: (N, d) → (N, 1).

    Built from Tower modules, whose neurons it copies into stacked parameter arrays, row m
    for tower m: the rise and fall step neurons (M, d) weights and biases, the outer neurons
    (M, d) weights and (M,) biases, and an output neuron (identity activation) whose weights
    are the heights. It computes exactly what the towers compute, in a few array operations
    instead of M·(2d + 1) neuron calls; `tower_sum[m]` gives tower m back as a Tower.
    """

    def __init__(self, towers: Sequence[Tower]) -> None:
        super().__init__()
        towers = list(towers)
        if not towers or not all(isinstance(t, Tower) for t in towers):
            raise ValueError("TowerSum needs a non-empty list of Tower modules")
        d = towers[0].n_inputs
        if any(t.n_inputs != d for t in towers):
            raise ValueError(f"TowerSum needs towers of one dimension, got {sorted({t.n_inputs for t in towers})}")
        dtype = towers[0].height.dtype

        def rows(get: Any) -> np.ndarray:
            return np.array([[get(b).data.reshape(()) for b in t.bumps] for t in towers])

        self.n_inputs = d
        self.rise_weight = Parameter(rows(lambda b: b.rise.neuron.weight), dtype=dtype)
        self.rise_bias = Parameter(rows(lambda b: b.rise.neuron.bias), dtype=dtype)
        self.fall_weight = Parameter(rows(lambda b: b.fall.neuron.weight), dtype=dtype)
        self.fall_bias = Parameter(rows(lambda b: b.fall.neuron.bias), dtype=dtype)
        self.outer_weight = Parameter(np.array([t.outer.weight.data for t in towers]), dtype=dtype)
        self.outer_bias = Parameter(np.array([t.outer.bias.data for t in towers]), dtype=dtype)
        heights = [float(t.height.data) for t in towers]
        self.output = Neuron(len(towers), activation="identity", weight=heights, bias=0.0, dtype=dtype)

    def __len__(self) -> int:
        return len(self.outer_bias.data)

    def __getitem__(self, m: int) -> Tower:
        """Tower m as a standalone Tower (a copy of its parameters)."""
        copy = Tower([(0.0, 1.0)] * self.n_inputs, dtype=self.outer_bias.dtype)
        state = {"outer.weight": self.outer_weight.data[m], "outer.bias": self.outer_bias.data[m],
                 "height": self.output.weight.data[m]}
        for axis in range(self.n_inputs):
            for part, w, b in (("rise", self.rise_weight, self.rise_bias), ("fall", self.fall_weight, self.fall_bias)):
                state[f"bump{axis}.{part}.neuron.weight"] = w.data[m, axis : axis + 1]
                state[f"bump{axis}.{part}.neuron.bias"] = b.data[m, axis]
        copy.load_state_dict(state)
        return copy

    def forward(self, x: Any) -> Tensor:
        x = as_input(x, self.outer_bias.dtype)
        if x.ndim != 2 or x.shape[1] != self.n_inputs:
            raise ValueError(
                f"TowerSum over {self.n_inputs}-D boxes expects x of shape (N, {self.n_inputs}), got {x.shape}"
            )
        x = x.reshape(x.shape[0], 1, self.n_inputs)  # broadcast against the M towers
        rise = (x * self.rise_weight + self.rise_bias).sigmoid()
        fall = (x * self.fall_weight + self.fall_bias).sigmoid()
        towers = (((rise - fall) * self.outer_weight).sum(axis=-1) + self.outer_bias).sigmoid()
        return self.output(towers).reshape(-1, 1)

    def extra_repr(self) -> str:
        return f"{len(self)} towers over {self.n_inputs}-D boxes"

    def config(self) -> dict[str, Any]:
        return {"towers": len(self), "n_inputs": self.n_inputs, "dtype": dtype_name(self)}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> TowerSum:
        f = Fields(fields, "TowerSum", ("towers", "n_inputs", "dtype"))
        m, d = f.positive_int("towers"), f.positive_int("n_inputs")
        reserve_parameters(m * (5 * d + 2) + 1, "TowerSum")  # reserved before the m placeholder towers
        dtype = f.dtype()
        return cls([Tower([(0.0, 1.0)] * d, dtype=dtype) for _ in range(m)])


def original_tower(dtype: Any = np.float64) -> Tower:
    """The article's tower: box (−0.3, 0.7) × (−0.2, 0.8), k = 1000, σ(30(z − 1.1))."""
    return tower(ORIGINAL_BOX, dtype=dtype)


def original_four_towers(dtype: Any = np.float64) -> TowerSum:
    """The article's stepped pyramid: towers over the squares ±0.5, ±1, ±2, ±4, each with the
    soft outer neuron σ(4(z − 1.1)), summed."""
    boxes = [[(-a, a), (-a, a)] for a in ORIGINAL_HALF_WIDTHS]
    return TowerSum([tower(box, outer_steepness=4.0, dtype=dtype) for box in boxes])


def original_grid() -> tuple[np.ndarray, np.ndarray]:
    """The article's plotting grid: X, Y = meshgrid(arange(−5, 5, 0.1)) (100 × 100)."""
    axis = np.arange(-5, 5, 0.1)
    return np.meshgrid(axis, axis)


def on_grid(net: Module, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """A 2-D net (Tower (N,) or TowerSum (N, 1)) evaluated on a meshgrid, shaped like X."""
    points = np.column_stack([X.ravel(), Y.ravel()])
    with no_grad():
        values = net(Tensor(points, dtype=np.float64)).data
    return values.reshape(X.shape)


def arm_leak(t: Tower) -> float:
    """How much of its height tower `t` keeps on an arm, measured by running it.

    The point: the box centre, moved along the first axis by one box width to the right, so
    it is inside the box on every axis but the first. For the article's tower the answer is
    σ(30(1 − 1.1)) = σ(−3) ≈ 0.0474; with threshold d − ½ it is σ(−s/2).
    """
    box = np.array(t.box)
    point = box.mean(axis=1)
    point[0] = box[0, 1] + (box[0, 1] - box[0, 0])
    with no_grad():
        value = t(Tensor(point[None, :], dtype=t.height.dtype)).data[0]
    return float(value / t.height.data)
