"""The benchmark workloads as data: network sizes, recipes, the data sets and initial weights.

Every tool gets the same arrays from here, so the tools differ only in how they compute:
- W1/W2 train on one fixed batch over and over (a throughput measurement);
- W3/W4 train on 4,096 uniform points (seed 0) and validate on a 64 × 64 grid;
- every network that can load weights starts from `initial_parameters(...)`: nnwork's
  initialisation rule (Xavier uniform for tanh, He normal for ReLU; biases uniform in
  ±1/√fan_in), drawn here with NumPy so that a PyTorch- or JAX-only process never imports
  nnwork (that would spoil the memory figures of workload M).

Only NumPy is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Array = np.ndarray
Parameters = list[tuple[Array, Array]]  # per layer: weight (out, in) as in PyTorch, bias (out,)


@dataclass(frozen=True)
class StepWorkload:
    """A training-step throughput workload (W1, W2): one fixed batch, many steps."""

    name: str
    title: str
    sizes: tuple[int, ...]
    activation: str  # "tanh" or "relu", between the layers; the output is linear
    loss: str  # "mse" or "cross_entropy" (softmax over the outputs, integer labels)
    batch: int
    optimizer: str  # "adam" or "sgd"
    lr: float
    momentum: float = 0.0

    @property
    def weights(self) -> int:
        """Number of weights (biases not counted), for the 6 × weights × batch FLOP count."""
        return sum(a * b for a, b in zip(self.sizes[:-1], self.sizes[1:]))

    @property
    def flops_per_step(self) -> float:
        """Forward 2·w·B, backward 4·w·B (gradients of the inputs and of the weights)."""
        return 6.0 * self.weights * self.batch


W1 = StepWorkload("W1", "2→64→64→1 tanh, MSE, batch 256, Adam lr 1e-3, float32",
                  (2, 64, 64, 1), "tanh", "mse", 256, "adam", 1e-3)
# WORKLOADS.md does not fix W2's learning rate; 0.01 is a usual value (it does not change the speed).
W2 = StepWorkload("W2", "784→512→512→10 ReLU, softmax cross-entropy, batch 512, SGD lr 0.01 "
                  "momentum 0.9, float32", (784, 512, 512, 10), "relu", "cross_entropy", 512, "sgd", 1e-2,
                  momentum=0.9)


def step_batch(workload: StepWorkload, seed: int = 0) -> tuple[Array, Array]:
    """The fixed batch: inputs float32; targets float32 (N, 1) for MSE or int64 labels (N,)."""
    draw = np.random.default_rng(seed)
    if workload.loss == "mse":
        x = draw.uniform(-3.0, 3.0, size=(workload.batch, workload.sizes[0])).astype(np.float32)
        y = (np.sin(x[:, :1]) * np.cos(x[:, 1:2])).astype(np.float32)
        return x, y
    x = draw.normal(size=(workload.batch, workload.sizes[0])).astype(np.float32)
    labels = draw.integers(0, workload.sizes[-1], size=workload.batch).astype(np.int64)
    return x, labels


def initial_parameters(sizes: tuple[int, ...], activation: str, seed: int) -> Parameters:
    """Initial weights by nnwork.nn.MLP's rule, float32, in PyTorch's (out, in) layout."""
    draw = np.random.default_rng(seed)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if activation == "relu":
            weight = draw.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
        else:
            limit = np.sqrt(6.0 / (n_in + n_out))
            weight = draw.uniform(-limit, limit, size=(n_out, n_in))
        bound = 1.0 / np.sqrt(n_in)
        bias = draw.uniform(-bound, bound, size=n_out)
        layers.append((weight.astype(np.float32), bias.astype(np.float32)))
    return layers


# ---- W3 / W4: time to accuracy ------------------------------------------------------------
def sin_cos(x: Array) -> Array:
    """G(x, y) = sin(x)·cos(y)."""
    return np.sin(x[:, 0]) * np.cos(x[:, 1])


def franke(x: Array) -> Array:
    """Franke's function on [0, 1]² (two peaks and a dip), as in nnwork's named targets."""
    a, b = 9.0 * x[:, 0], 9.0 * x[:, 1]
    return (0.75 * np.exp(-((a - 2) ** 2 + (b - 2) ** 2) / 4)
            + 0.75 * np.exp(-((a + 1) ** 2) / 49 - (b + 1) / 10)
            + 0.5 * np.exp(-((a - 7) ** 2 + (b - 3) ** 2) / 4)
            - 0.2 * np.exp(-((a - 4) ** 2) - (b - 7) ** 2))


@dataclass(frozen=True)
class FitProblem:
    """A time-to-accuracy workload: train until the validation MSE reaches `target_mse`."""

    name: str
    title: str
    function: Callable[[Array], Array]
    low: float
    high: float
    target_mse: float
    sizes: tuple[int, ...] = (2, 64, 64, 1)
    activation: str = "tanh"
    lr: float = 3e-3  # Adam
    batch: int = 256
    n_train: int = 4096
    grid: int = 64


W3 = FitProblem("W3", "sin(x)·cos(y) on [−3, 3]², 2→64→64→1 tanh, Adam lr 3e-3, batch 256",
                sin_cos, -3.0, 3.0, 1e-4)
W4 = FitProblem("W4", "Franke's function on [0, 1]², 2→64→64→1 tanh, Adam lr 3e-3, batch 256",
                franke, 0.0, 1.0, 1e-5)


@dataclass(frozen=True)
class FitData:
    """Training points (uniform, seed 0) and the validation grid, float32, targets (N, 1)."""

    x_train: Array
    y_train: Array
    x_val: Array
    y_val: Array


def fit_data(problem: FitProblem) -> FitData:
    draw = np.random.default_rng(0)
    x_train = draw.uniform(problem.low, problem.high, size=(problem.n_train, 2))
    axis = np.linspace(problem.low, problem.high, problem.grid)
    gx, gy = np.meshgrid(axis, axis, indexing="ij")
    x_val = np.column_stack([gx.ravel(), gy.ravel()])

    def column(x: Array) -> Array:
        return problem.function(x).reshape(-1, 1).astype(np.float32)

    return FitData(x_train.astype(np.float32), column(x_train), x_val.astype(np.float32), column(x_val))


def validation_mse(prediction: Array, data: FitData) -> float:
    """The one MSE formula used for every tool: float64 mean over the grid."""
    diff = np.asarray(prediction, dtype=np.float64).reshape(-1, 1) - data.y_val
    return float(np.mean(diff * diff))


def epoch_orders(seed: int) -> np.random.Generator:
    """The generator of each epoch's shuffle (`.permutation(n)`); the same for every tool."""
    return np.random.default_rng(1000 + seed)
