"""The floor: a hand-written NumPy MLP with manually derived backprop and preallocated buffers.

This is the best plain NumPy can do for these workloads, with no autodiff at all:
- parameters, gradients and optimizer state each live in ONE flat array, with each layer's
  weight and bias a view into it, so the Adam/SGD update is a dozen NumPy calls for the whole
  model, every one with `out=` (no temporaries);
- activations and deltas go into buffers allocated once per batch size;
- the bias gradient is `ones @ delta` (a BLAS call), faster than `delta.sum(axis=0)`.

For a layer z = a·W + b (W stored (in, out) so that no transpose is needed going forward),
with upstream gradient δ = ∂L/∂z:  ∂L/∂W = aᵀδ,  ∂L/∂b = 1ᵀδ,  ∂L/∂a = δWᵀ; through
tanh h = tanh(z): ∂L/∂z = ∂L/∂h·(1 − h²); through ReLU: ∂L/∂z = ∂L/∂h·[h > 0].
Losses: MSE L = mean((ŷ − y)²) gives ∂L/∂ŷ = 2(ŷ − y)/size; softmax cross-entropy
L = mean(−log softmax(z)[label]) gives ∂L/∂z = (softmax(z) − onehot)/N.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from benchmarks.fitting import scipy_lbfgs_to_cap
from benchmarks.workloads import Array, FitData, FitProblem, Parameters, StepWorkload

LABEL = f"NumPy {np.__version__} hand-written"


def versions() -> dict[str, str]:
    return {"numpy": np.__version__}


def configure(threads: int) -> None:
    """NumPy's BLAS threads are set for the whole process by the harness (threadpoolctl)."""


class _Buffers:
    """Work arrays for one batch size: each layer's output and its delta, plus scratch."""

    def __init__(self, sizes: tuple[int, ...], batch: int, dtype: np.dtype) -> None:
        self.outputs = [np.empty((batch, n), dtype) for n in sizes[1:]]
        self.deltas = [np.empty((batch, n), dtype) for n in sizes[1:]]
        self.scratch = [np.empty((batch, n), dtype) for n in sizes[1:]]
        self.rows = np.empty((batch, 1), dtype)  # per-row max / sum for the softmax
        self.ones = np.ones(batch, dtype)
        self.index = np.arange(batch)


class NumpyMLP:
    """An MLP with tanh or ReLU hidden layers, a linear output, MSE or softmax cross-entropy."""

    def __init__(self, params: Parameters, activation: str, loss: str, dtype: type = np.float32) -> None:
        if activation not in ("tanh", "relu") or loss not in ("mse", "cross_entropy"):
            raise ValueError(f"unsupported activation {activation!r} or loss {loss!r}")
        self.activation, self.loss, self.dtype = activation, loss, np.dtype(dtype)
        self.sizes = (params[0][0].shape[1],) + tuple(w.shape[0] for w, _ in params)
        total = sum(w.size + b.size for w, b in params)
        self.flat = np.empty(total, self.dtype)  # all parameters
        self.flat_grad = np.zeros(total, self.dtype)
        self.weights, self.biases = self._views(self.flat)
        self.grad_weights, self.grad_biases = self._views(self.flat_grad)
        for w, b, (w0, b0) in zip(self.weights, self.biases, params):
            w[...] = w0.T  # PyTorch's (out, in) → (in, out)
            b[...] = b0
        self._buffers: dict[int, _Buffers] = {}

    def _views(self, flat: Array) -> tuple[list[Array], list[Array]]:
        weights, biases, offset = [], [], 0
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            weights.append(flat[offset:offset + n_in * n_out].reshape(n_in, n_out))
            offset += n_in * n_out
            biases.append(flat[offset:offset + n_out])
            offset += n_out
        return weights, biases

    def buffers(self, batch: int) -> _Buffers:
        if batch not in self._buffers:
            self._buffers[batch] = _Buffers(self.sizes, batch, self.dtype)
        return self._buffers[batch]

    def forward(self, x: Array) -> Array:
        """The network's output for x (a buffer, overwritten by the next call)."""
        buf = self.buffers(len(x))
        a = x
        last = len(self.weights) - 1
        for i, (w, b, out) in enumerate(zip(self.weights, self.biases, buf.outputs)):
            np.matmul(a, w, out=out)
            out += b
            if i < last:
                if self.activation == "tanh":
                    np.tanh(out, out=out)
                else:
                    np.maximum(out, 0, out=out)
            a = out
        return a

    def forward_backward(self, x: Array, y: Array) -> float:
        """Loss at x, y; fills `flat_grad` (overwriting it: no zero_grad needed)."""
        buf = self.buffers(len(x))
        output = self.forward(x)
        delta = buf.deltas[-1]
        loss = self._loss_and_delta(output, y, delta, buf)
        for i in range(len(self.weights) - 1, -1, -1):
            a_prev = x if i == 0 else buf.outputs[i - 1]
            np.matmul(a_prev.T, delta, out=self.grad_weights[i])
            np.matmul(buf.ones, delta, out=self.grad_biases[i])
            if i == 0:
                break
            d_prev = buf.deltas[i - 1]
            np.matmul(delta, self.weights[i].T, out=d_prev)
            h, tmp = buf.outputs[i - 1], buf.scratch[i - 1]
            if self.activation == "tanh":  # d_prev *= 1 − h²
                np.multiply(h, h, out=tmp)
                np.subtract(1, tmp, out=tmp)
                d_prev *= tmp
            else:  # d_prev *= [h > 0]
                np.greater(h, 0, out=tmp)
                d_prev *= tmp
            delta = d_prev
        return loss

    def _loss_and_delta(self, output: Array, y: Array, delta: Array, buf: _Buffers) -> float:
        if self.loss == "mse":
            np.subtract(output, y, out=delta)
            loss = float(np.vdot(delta, delta)) / delta.size
            delta *= 2.0 / delta.size
            return loss
        # softmax cross-entropy, stable: shift each row by its max before exp
        np.max(output, axis=1, keepdims=True, out=buf.rows)
        np.subtract(output, buf.rows, out=delta)
        np.exp(delta, out=delta)
        np.sum(delta, axis=1, keepdims=True, out=buf.rows)
        delta /= buf.rows
        n = len(output)
        picked = delta[buf.index, y]
        loss = -float(np.log(picked).sum()) / n
        delta[buf.index, y] -= 1
        delta *= 1.0 / n
        return loss


class Adam:
    """torch.optim.Adam's update, in place on the flat parameter array: 13 NumPy calls."""

    def __init__(self, model: NumpyMLP, lr: float, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        self.model, self.lr, self.eps = model, lr, eps
        self.beta1, self.beta2 = betas
        self.m = np.zeros_like(model.flat)
        self.v = np.zeros_like(model.flat)
        self.tmp = np.empty_like(model.flat)
        self.t = 0

    def step(self) -> None:
        g, m, v, tmp = self.model.flat_grad, self.m, self.v, self.tmp
        self.t += 1
        m *= self.beta1  # m ← β₁m + (1 − β₁)g
        np.multiply(g, 1 - self.beta1, out=tmp)
        m += tmp
        v *= self.beta2  # v ← β₂v + (1 − β₂)g²
        np.multiply(g, g, out=tmp)
        tmp *= 1 - self.beta2
        v += tmp
        np.sqrt(v, out=tmp)  # θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
        tmp *= 1 / math.sqrt(1 - self.beta2**self.t)
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr / (1 - self.beta1**self.t)
        self.model.flat -= tmp


class SGD:
    """torch.optim.SGD with momentum μ (no dampening, not Nesterov): b ← μb + g; θ ← θ − ηb."""

    def __init__(self, model: NumpyMLP, lr: float, momentum: float = 0.0) -> None:
        self.model, self.lr, self.momentum = model, lr, momentum
        self.buf = np.zeros_like(model.flat)
        self.tmp = np.empty_like(model.flat)

    def step(self) -> None:
        self.buf *= self.momentum
        self.buf += self.model.flat_grad
        np.multiply(self.buf, self.lr, out=self.tmp)
        self.model.flat -= self.tmp


def optimizer_for(model: NumpyMLP, workload: StepWorkload) -> Adam | SGD:
    if workload.optimizer == "adam":
        return Adam(model, workload.lr)
    return SGD(model, workload.lr, workload.momentum)


# ---- the harness's interface --------------------------------------------------------------
def step_runners(workload: StepWorkload, params: Parameters, x: Array, y: Array) -> dict[str, Callable[[int], None]]:
    model = NumpyMLP(params, workload.activation, workload.loss)
    opt = optimizer_for(model, workload)

    def run(steps: int) -> None:
        for _ in range(steps):
            model.forward_backward(x, y)
            opt.step()

    return {LABEL: run}


class _AdamTrainer:
    def __init__(self, problem: FitProblem, params: Parameters, data: FitData) -> None:
        self.model = NumpyMLP(params, problem.activation, "mse")
        self.opt = Adam(self.model, problem.lr)
        self.batch, self.x_val = problem.batch, data.x_val

    def train_epoch(self, x: Array, y: Array) -> None:
        for start in range(0, len(x), self.batch):
            self.model.forward_backward(x[start:start + self.batch], y[start:start + self.batch])
            self.opt.step()

    def predict_validation(self) -> Array:
        return self.model.forward(self.x_val)


def adam_trainers(problem: FitProblem, params: Parameters, data: FitData, seed: int) -> dict[str, object]:
    return {LABEL: _AdamTrainer(problem, params, data)}


def best_runs(problem: FitProblem, params: Parameters, data: FitData, seed: int, cap: float,
              checkpoints: tuple[float, ...]) -> dict[str, Callable[[], object]]:
    """Full-batch L-BFGS-B from SciPy on the hand-written float32 gradient."""

    def lbfgs() -> object:
        model = NumpyMLP(params, problem.activation, "mse")

        def value_and_grad(theta: Array) -> tuple[float, Array]:
            model.flat[...] = theta
            loss = model.forward_backward(data.x_train, data.y_train)
            return loss, model.flat_grad.astype(np.float64)

        def predict(theta: Array) -> Array:
            model.flat[...] = theta
            return model.forward(data.x_val)

        return scipy_lbfgs_to_cap(value_and_grad, model.flat.astype(np.float64), predict, data,
                                  problem.target_mse, cap, checkpoints)

    return {f"{LABEL} + SciPy L-BFGS-B": lbfgs}
