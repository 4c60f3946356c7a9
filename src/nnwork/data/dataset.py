"""Dataset: rows of inputs x (N, d) and outputs y (N, k), checked once; splits and batches."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Iterator, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nnwork.rng import generator as _generator

Array = NDArray[np.float64]
Index = NDArray[np.intp]
Seed = Union[int, np.random.Generator, None]


def _count(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"`{name}` must be at least {minimum}, got {value}")
    return int(value)


def _matrix(values: Any, name: str) -> Array:
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"`{name}` must hold real numbers, got an array of dtype {array.dtype}")
    if array.ndim != 2:
        raise ValueError(f"`{name}` must be 2-D, of shape (N, columns), got shape {array.shape}")
    return np.ascontiguousarray(array, dtype=np.float64)


def _names(given: Sequence[str], count: int, prefix: str) -> tuple[str, ...]:
    """`given` as a tuple of `count` non-empty names; () means prefix1, prefix2, ..."""
    if isinstance(given, str):
        raise TypeError(f"`{prefix}_names` must be a sequence of str, got the str {given!r}")
    names = tuple(given) or tuple(f"{prefix}{i}" for i in range(1, count + 1))
    if len(names) != count:
        raise ValueError(f"`{prefix}_names` must name the {count} column(s) of `{prefix}`, "
                         f"got {len(names)} names: {names!r}")
    for name in names:
        if not isinstance(name, str) or not name:
            raise TypeError(f"`{prefix}_names` must be non-empty strings, got {name!r}")
    return names


@dataclass(frozen=True, eq=False)
class Dataset:
    """Rows of inputs `x` (N, d) and outputs `y` (N, k), float64, finite, with column names.

    Arguments:
        x, y: 2-D arrays with the same number of rows N; d >= 1 and k >= 0 (k = 0 is an
            inputs-only dataset, as read for `nnwork predict`). Both are copied to float64.
        x_names, y_names: one name per column; empty (the default) means x1..xd and y1..yk.
    Raises:
        ValueError for wrong shapes or repeated names, and for a NaN or ±inf, naming its row
        and column; TypeError for values that are not real numbers.
    """

    x: Array
    y: Array
    x_names: tuple[str, ...] = ()
    y_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        x, y = _matrix(self.x, "x"), _matrix(self.y, "y")
        if x.shape[1] == 0:
            raise ValueError(f"`x` must have at least one column, got shape {x.shape}")
        if len(x) != len(y):
            raise ValueError("`x` and `y` must have the same number of rows, "
                             f"got shapes {x.shape} and {y.shape}")
        x_names = _names(self.x_names, x.shape[1], "x")
        y_names = _names(self.y_names, y.shape[1], "y")
        every = x_names + y_names
        repeated = [name for i, name in enumerate(every) if name in every[:i]]
        if repeated:
            raise ValueError(f"column names must be unique, got {repeated[0]!r} twice "
                             f"in x_names={x_names!r}, y_names={y_names!r}")
        for label, array, names in (("x", x, x_names), ("y", y, y_names)):
            bad = ~np.isfinite(array)
            if bad.any():
                row, column = (int(i) for i in np.argwhere(bad)[0])
                raise ValueError(f"`{label}` is not finite at row {row}, column {column} "
                                 f"({names[column]!r}): {float(array[row, column])!r}")
        for key, value in (("x", x), ("y", y), ("x_names", x_names), ("y_names", y_names)):
            object.__setattr__(self, key, value)

    def __len__(self) -> int:
        return len(self.x)

    def __repr__(self) -> str:
        return f"Dataset(N={len(self)}, x_names={self.x_names!r}, y_names={self.y_names!r})"

    @property
    def n_inputs(self) -> int:
        return self.x.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.y.shape[1]

    def subset(self, indices: ArrayLike) -> Dataset:
        """The rows at `indices` (0-based integers, in that order; repeats allowed)."""
        index = np.asarray(indices)
        if index.ndim != 1 or (index.size and index.dtype.kind not in "iu"):
            raise TypeError("`indices` must be a 1-D sequence of integers, got an array of "
                            f"dtype {index.dtype} and shape {index.shape}")
        outside = (index < 0) | (index >= len(self))
        if outside.any():
            raise ValueError(f"`indices` must be from 0 to {len(self) - 1} for a dataset of "
                             f"{len(self)} rows, got {index[outside][0]}")
        index = index.astype(np.intp)
        return Dataset(self.x[index], self.y[index], self.x_names, self.y_names)


def split(dataset: Dataset, validation: float = 0.2,
          seed: Seed = 0) -> tuple[Dataset, Dataset | None]:
    """Shuffle the rows and deal them into (train, validation).

    `validation` is the fraction in [0, 1) held out: round(validation * N) rows, at least 1
    when it is above 0. 0 gives (dataset, None), unshuffled. At least one row must be left
    for training. `seed` as in `sample`.
    """
    if not isinstance(dataset, Dataset):
        raise TypeError(f"`dataset` must be a Dataset, got {type(dataset).__name__}")
    if isinstance(validation, bool) or not isinstance(validation, numbers.Real):
        raise TypeError(f"`validation` must be a fraction in [0, 1), got {validation!r}")
    if not 0 <= validation < 1:
        raise ValueError(f"`validation` must be a fraction in [0, 1), got {validation!r}")
    if validation == 0:
        return dataset, None
    n_validation = max(1, round(float(validation) * len(dataset)))
    if n_validation >= len(dataset):
        raise ValueError(f"`validation`={validation!r} of a dataset of {len(dataset)} rows "
                         "leaves no rows for training; use more rows or validation=0")
    order = _generator(seed).permutation(len(dataset))
    return dataset.subset(order[n_validation:]), dataset.subset(order[:n_validation])


def batches(n: int, batch_size: int, generator: Seed = None,
            shuffle: bool = True) -> Iterator[Index]:
    """Index arrays that cover 0..n-1 once: one epoch of minibatches.

    Batches hold `batch_size` indices, the last one possibly fewer. With `shuffle` the order
    is a permutation drawn (when called) from `generator`: a np.random.Generator, a seed, or
    None for nnwork's own. Pass one Generator to every epoch for a new order each epoch (an
    int seed gives the same order every call); the same seed repeats the run bit for bit.
    """
    n, batch_size = _count(n, "n", 0), _count(batch_size, "batch_size", 1)
    order = _generator(generator).permutation(n) if shuffle else np.arange(n)
    return (order[start : start + batch_size] for start in range(0, n, batch_size))
