"""Standardising: inputs and outputs scaled to mean 0 and std 1 on the training rows."""

from __future__ import annotations

import numbers
from typing import Any, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from nnwork.data.dataset import Array, Dataset


# Outputs beyond this magnitude have squared errors beyond float64's 1.8e308: MSE, RMSE and R²
# would be inf or nan, so such an output column is refused (inputs of any finite size are fine).
MAX_OUTPUT = 1e150


def _moments(columns: Array) -> tuple[Array, Array]:
    """Per-column mean and standard deviation; a constant column gets its value and std 1,
    so that it maps to exactly 0 instead of dividing by zero. Each column is divided first by
    the power of two nearest its largest |value| — exact, so ordinary columns give the same
    bits — so that columns near 1e300 do not overflow (their squares would)."""
    _, exponent = np.frexp(np.abs(columns).max(axis=0))
    size = np.ldexp(1.0, exponent - 1)  # ≤ the largest |value|: finite even near 1.8e308
    unit = columns / size
    mean, std = unit.mean(axis=0) * size, unit.std(axis=0) * size
    constant = (columns.min(axis=0) == columns.max(axis=0)) | (std == 0)
    return np.where(constant, columns[0], mean), np.where(constant, 1.0, std)


def _check_outputs(y: Array, names: Sequence[str]) -> None:
    for column, name in enumerate(names):
        largest = float(np.abs(y[:, column]).max())
        if largest > MAX_OUTPUT:
            raise ValueError(f"output column {name!r} reaches {largest:.3g}: the squared errors of values "
                             f"beyond ±{MAX_OUTPUT:.0e} overflow float64; rescale that column first")


def _floats(value: Any, key: str) -> Array:
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"`{key}` must be a list of numbers, got {type(value).__name__}")
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise TypeError(f"`{key}`[{i}] must be a number, got {item!r}")
    array = np.array(value, dtype=np.float64).reshape(-1)
    if not np.isfinite(array).all():
        raise ValueError(f"`{key}` must be finite, got {array.tolist()}")
    return array


class Standardizer:
    """z = (v − mean) / std per column of x and of y, fitted on the training rows only.

    Networks train best on inputs and outputs of order 1; `transform` maps a dataset there,
    `inverse_y` brings predictions back to the original units. `to_dict` / `from_dict` store
    it with a model as plain JSON-able lists of floats.
    """

    _KEYS = ("x_mean", "x_std", "y_mean", "y_std")

    def __init__(self) -> None:
        self.x_mean: Array | None = None
        self.x_std: Array | None = None
        self.y_mean: Array | None = None
        self.y_std: Array | None = None

    def __repr__(self) -> str:
        if self.x_mean is None or self.y_mean is None:
            return "Standardizer(not fitted)"
        return f"Standardizer(n_inputs={len(self.x_mean)}, n_outputs={len(self.y_mean)})"

    def fit(self, dataset: Dataset) -> Standardizer:
        """Learn each column's mean and std from `dataset` (the training rows); returns self."""
        if not isinstance(dataset, Dataset):
            raise TypeError(f"`dataset` must be a Dataset, got {type(dataset).__name__}")
        if len(dataset) == 0:
            raise ValueError("cannot fit a Standardizer on an empty dataset")
        _check_outputs(dataset.y, dataset.y_names)
        self.x_mean, self.x_std = _moments(dataset.x)
        self.y_mean, self.y_std = _moments(dataset.y)
        return self

    def _scale(self, values: ArrayLike, which: str, inverse: bool) -> Array:
        mean, std = getattr(self, f"{which}_mean"), getattr(self, f"{which}_std")
        if mean is None:
            raise ValueError("the Standardizer is not fitted; call fit(train) first")
        array = np.asarray(values, dtype=np.float64)
        k = len(mean)
        if array.ndim == 1 and k == 1:
            mean, std = mean[0], std[0]
        elif array.ndim != 2 or array.shape[1] != k:
            also = " or (N,)" if k == 1 else ""
            raise ValueError(f"`{which}` must have shape (N, {k}){also}, as the data the "
                             f"Standardizer was fitted on, got shape {array.shape}")
        return array * std + mean if inverse else (array - mean) / std

    def transform(self, dataset: Dataset) -> Dataset:
        """The dataset in standard units: both x and y, names kept."""
        if not isinstance(dataset, Dataset):
            raise TypeError(f"`dataset` must be a Dataset, got {type(dataset).__name__}")
        return Dataset(self.transform_x(dataset.x), self.transform_y(dataset.y),
                       dataset.x_names, dataset.y_names)

    def transform_x(self, x: ArrayLike) -> Array:
        """Inputs (N, d) in standard units, as float64."""
        return self._scale(x, "x", inverse=False)

    def transform_y(self, y: ArrayLike) -> Array:
        """Outputs (N, k) (or (N,) when k = 1) in standard units, as float64."""
        return self._scale(y, "y", inverse=False)

    def inverse_y(self, y: ArrayLike) -> Array:
        """Outputs in standard units, e.g. predictions, back in the original units."""
        return self._scale(y, "y", inverse=True)

    def to_dict(self) -> dict[str, list[float]]:
        if self.x_mean is None:
            raise ValueError("the Standardizer is not fitted; call fit(train) first")
        return {key: getattr(self, key).tolist() for key in self._KEYS}

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Standardizer:
        """Rebuild from `to_dict()`, checking it: four lists of finite floats, x and y lists
        of matching lengths (at least one input), every std above 0."""
        if not isinstance(state, Mapping):
            raise TypeError(f"`state` must be a dict, got {type(state).__name__}")
        missing = [key for key in cls._KEYS if key not in state]
        unknown = [key for key in state if key not in cls._KEYS]
        if missing or unknown:
            raise ValueError(f"a Standardizer needs the keys {', '.join(cls._KEYS)}; "
                             f"missing {missing}, unknown {unknown}")
        arrays = {key: _floats(state[key], key) for key in cls._KEYS}
        for which in ("x", "y"):
            mean, std = arrays[f"{which}_mean"], arrays[f"{which}_std"]
            if len(mean) != len(std):
                raise ValueError(f"`{which}_mean` has {len(mean)} values and `{which}_std` "
                                 f"has {len(std)}; they must match")
            if (std <= 0).any():
                raise ValueError(f"`{which}_std` must be above 0, got {std.tolist()}")
        if len(arrays["x_mean"]) == 0:
            raise ValueError("`x_mean` must have at least one value (one per input)")
        standardizer = cls()
        for key, array in arrays.items():
            setattr(standardizer, key, array)
        return standardizer
