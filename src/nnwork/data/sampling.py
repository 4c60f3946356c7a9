"""Domains, grids and samples of a target function."""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence, Union

import numpy as np

from nnwork import limits
from nnwork.data.dataset import Array, Dataset, Seed, _count
from nnwork.data.numbers import number
from nnwork.rng import generator as _generator

Domain = Union[str, Sequence[Sequence[float]]]
MAX_GRID_POINTS = limits.MAX_GRID_POINTS



def _bound(text: str) -> float:
    word = text.strip().lower()
    if word in ("pi", "+pi", "-pi"):
        return -math.pi if word.startswith("-") else math.pi
    return number(text)


def _checked_domain(pairs: list[tuple[float, float]], n_inputs: int | None,
                    what: str) -> list[tuple[float, float]]:
    for number, (low, high) in enumerate(pairs, 1):
        where = f"{what}, range {number} ({low!r}:{high!r})" if len(pairs) > 1 else what
        if math.isnan(low) or math.isnan(high):
            raise ValueError(f"{where}: a bound is not a number")
        if math.isinf(low) or math.isinf(high):
            raise ValueError(f"{where}: a bound is infinite; give a finite low:high")
        if not low < high:
            raise ValueError(f"{where}: low {low!r} must be less than high {high!r}")
        if math.isinf(high - low):
            raise ValueError(f"{where}: the range is too wide, its width high − low overflows "
                             "float64 (1.8e308); narrow it")
    if n_inputs is not None and len(pairs) == 1:
        return pairs * n_inputs
    if n_inputs is not None and len(pairs) != n_inputs:
        raise ValueError(f"{what} has {len(pairs)} ranges; expected one per input "
                         f"({n_inputs}), or a single one for all of them")
    return pairs


def parse_domain(text: str, n_inputs: int | None = None) -> list[tuple[float, float]]:
    """Parse command-line text such as "-3:3,-1:1" or "-pi:pi" into (low, high) pairs.

    Each comma-separated range is low:high; a bound is a number, pi or -pi. With `n_inputs`,
    a single range is repeated for every input and any other count but n_inputs is an error.
    ValueError names the range at fault: not a number, infinite, low >= high or wrong count.

    >>> parse_domain("0:1", n_inputs=2)
    [(0.0, 1.0), (0.0, 1.0)]
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str such as '-3:3,0:1', got {type(text).__name__}")
    if n_inputs is not None:
        _count(n_inputs, "n_inputs", 1)
    what = f"domain {text!r}"
    pairs = []
    for number, part in enumerate(text.split(","), 1):
        where = f"{what}, range {number} ({part.strip()!r})"
        bounds = part.split(":")
        if len(bounds) != 2:
            raise ValueError(f"{where}: expected low:high, such as -3:3")
        try:
            pairs.append((_bound(bounds[0]), _bound(bounds[1])))
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        _checked_domain(pairs[-1:], None, where)
    return _checked_domain(pairs, n_inputs, what)


def _domain(domain: Domain, n_inputs: int | None) -> list[tuple[float, float]]:
    """A domain given as text or as (low, high) pairs, checked and broadcast to n_inputs."""
    if isinstance(domain, str):
        return parse_domain(domain, n_inputs)
    try:
        pairs = np.asarray(domain, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("`domain` must be text such as '-3:3' or (low, high) pairs, "
                        f"got {domain!r}") from None
    if pairs.ndim != 2 or pairs.shape[1] != 2 or len(pairs) == 0:
        raise ValueError(f"`domain` must be (low, high) pairs, got shape {pairs.shape}: {domain!r}")
    return _checked_domain([(float(lo), float(hi)) for lo, hi in pairs], n_inputs, "`domain`")


def grid(domain: Domain, points_per_axis: int | Sequence[int]) -> Array:
    """Every point of a regular grid over `domain`, as rows of an (N, d) float64 array.

    Each axis has `points_per_axis` evenly spaced values (at least 2, or one count per axis)
    from its low to its high end, both ends included. Rows are in "ij" (matrix) order: the
    first input varies slowest, the last fastest, so the result reshapes to (p1, ..., pd).
    At most nnwork.limits.MAX_GRID_POINTS points in all.
    """
    if isinstance(points_per_axis, (int, np.integer)):
        counts = [_count(points_per_axis, "points_per_axis", 2)]
        bounds = _domain(domain, None)
        counts *= len(bounds)
    else:
        counts = [_count(c, "points_per_axis", 2) for c in points_per_axis]
        bounds = _domain(domain, len(counts))
    if len(counts) != len(bounds):
        raise ValueError(f"`points_per_axis` has {len(counts)} counts for {len(bounds)} axes")
    total = math.prod(counts)
    if total > limits.MAX_GRID_POINTS:
        shape = (f"{counts[0]} points on each of {len(counts)} axes" if len(set(counts)) == 1
                 else " × ".join(map(str, counts)) if len(counts) <= 8 else f"{len(counts)} axes")
        raise ValueError(f"a grid of {shape} has {_amount(total)} points, more than nnwork's limit "
                         f"of {limits.MAX_GRID_POINTS:,} (nnwork.limits.MAX_GRID_POINTS): "
                         "use fewer points per axis")
    axes = [np.linspace(low, high, count) for (low, high), count in zip(bounds, counts)]
    return np.stack([axis.ravel() for axis in np.meshgrid(*axes, indexing="ij")], axis=1)


def _amount(n: int) -> str:
    """A count for a message: exact while short (12,345,678), else its order (about 10^301)."""
    return f"{n:,}" if n < 10**15 else f"about 10^{len(str(n)) - 1}"


def _outputs(target: Callable[[Array], Any], x: Array) -> Array:
    """target(x) as an (N, k) float64 array, or a clear error about its shape or values."""
    values = np.asarray(target(x))
    if values.dtype.kind not in "biuf":
        raise TypeError(f"the target must return real numbers, got dtype {values.dtype}")
    if values.shape == (len(x),):
        values = values[:, None]
    if values.ndim != 2 or len(values) != len(x):
        raise ValueError(f"the target must return shape ({len(x)},) or ({len(x)}, k) for x of "
                         f"shape {x.shape}, got shape {values.shape}")
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"the target is not finite at x = {x[row].tolist()} (row {row}): "
                         f"it gives {values[row].tolist()}")
    return values.astype(np.float64, copy=False)


def sample(target: Callable[[Array], Any], domain: Domain | None = None, n: int = 4096,
           method: str = "uniform", seed: Seed = 0, points_per_axis: int | None = None) -> Dataset:
    """Inputs drawn over `domain` and the target's outputs there: the dataset for a formula.

    Arguments:
        target: a callable from (N, d) to (N,) or (N, k), e.g. a `Formula` or `Target`; its
            `n_inputs` (if it has one) fixes d and its `variables` name the input columns.
        domain: "-3:3,0:1" or [(-3, 3), (0, 1)], one range for all inputs or one per input;
            default the target's own `.domain`.
        n: the number of points: exactly n for "uniform" (independent, uniform in [low, high)
            per axis); for "grid", p = max(2, round(n ** (1/d))) points per axis, p**d in all.
        method: "uniform" or "grid" (see `grid`: both ends of each axis included).
        seed: an int, a np.random.Generator, or None for nnwork's generator ("uniform" only).
        points_per_axis: for "grid", the count per axis instead of deriving it from n.
    Returns:
        A Dataset with x of shape (N, d) and y of shape (N, k).
    """
    if not callable(target):
        raise TypeError("`target` must be callable on an (N, d) array, "
                        f"got {type(target).__name__}")
    n_inputs = getattr(target, "n_inputs", None)
    if domain is None:
        domain = getattr(target, "domain", None)
        if domain is None:
            raise ValueError("`domain` is needed for a target without one, e.g. '-1:1'")
    bounds = _domain(domain, n_inputs)
    d = len(bounds)
    if method == "uniform":
        if points_per_axis is not None:
            raise ValueError("`points_per_axis` applies only to method='grid'")
        low, high = np.array(bounds).T
        x = _generator(seed).uniform(low, high, size=(_count(n, "n", 1), d))
    elif method == "grid":
        if points_per_axis is None:
            points_per_axis = max(2, round(_count(n, "n", 1) ** (1 / d)))
        x = grid(bounds, points_per_axis)
    else:
        raise ValueError(f"`method` must be 'uniform' or 'grid', got {method!r}")
    variables = tuple(getattr(target, "variables", ()))
    return Dataset(x, _outputs(target, x), variables if len(variables) == d else ())
