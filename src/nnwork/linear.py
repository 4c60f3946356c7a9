"""The simple answer every fit is measured against: linear least squares, y ≈ x·W + b.

A network that does no better than a straight line (a plane, a hyperplane) has not earned its
parameters, and on small noisy tables that is common. So every fit also solves the linear
least-squares problem on the same training rows and reports its scores beside the network's.

The solution is kept as a network: an MLP with no hidden layer ([d, k], one Linear layer) in the
standardised units of the fit, so a linear model predicts, saves and loads like any other
(`linear_network`). Rank-deficient inputs (a constant or repeated column) get the minimum-norm
solution (`numpy.linalg.lstsq`).
"""

from __future__ import annotations

import numpy as np

from nnwork.data import Dataset
from nnwork.nn import MLP


def solve(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """W (d, k) and b (k,) minimising ‖x·W + b − y‖² (x centred first, so b is y's mean at x's mean)."""
    x_mean, y_mean = x.mean(axis=0), y.mean(axis=0)
    weights, *_ = np.linalg.lstsq(x - x_mean, y - y_mean, rcond=None)
    return weights, y_mean - x_mean @ weights


def linear_network(scaled_train: Dataset, dtype: object = np.float64) -> MLP:
    """A [d, k] MLP holding the least-squares fit of `scaled_train` (already standardised)."""
    weights, bias = solve(scaled_train.x, scaled_train.y)
    model = MLP([scaled_train.n_inputs, scaled_train.n_outputs], activation="identity", generator=0, dtype=dtype)
    layer = model[0]
    layer.weight.data[...] = weights.T
    layer.bias.data[...] = bias
    return model
