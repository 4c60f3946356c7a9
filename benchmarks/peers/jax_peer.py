"""JAX on the CPU with `jax.jit` over the whole training step (forward, backward, update).

optax is not a dependency: Adam and SGD with momentum are written out below in jax.numpy,
with torch.optim's formulas. Each step is compiled ahead of time (`.lower(...).compile()`)
before any clock starts, so compile time is never counted; the step donates its input
state, so XLA may update the parameters in place.
"""

from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from benchmarks.fitting import scipy_lbfgs_to_cap
from benchmarks.workloads import Array, FitData, FitProblem, Parameters, StepWorkload

LABEL = f"JAX {jax.__version__} jit"
Tree = Any


def versions() -> dict[str, str]:
    import jaxlib

    return {"jax": jax.__version__, "jaxlib": jaxlib.__version__}


def configure(threads: int) -> None:
    """JAX sizes its thread pool from the CPU affinity mask, which the harness sets."""


def to_tree(params: Parameters) -> Tree:
    return [(jnp.asarray(w.T), jnp.asarray(b)) for w, b in params]  # weights (in, out)


def forward(params: Tree, x: jax.Array, activation: str) -> jax.Array:
    act = jnp.tanh if activation == "tanh" else jax.nn.relu
    for w, b in params[:-1]:
        x = act(x @ w + b)
    w, b = params[-1]
    return x @ w + b


def loss_value(params: Tree, x: jax.Array, y: jax.Array, activation: str, loss: str) -> jax.Array:
    out = forward(params, x, activation)
    if loss == "mse":
        return jnp.mean((out - y) ** 2)
    log_p = jax.nn.log_softmax(out, axis=1)
    return -jnp.mean(jnp.take_along_axis(log_p, y[:, None], axis=1))


def adam_init(params: Tree) -> Tree:
    """(m, v, t): two separate zero trees (donated buffers must not be shared) and the step count."""
    def zeros() -> Tree:
        return jax.tree_util.tree_map(jnp.zeros_like, params)
    return (zeros(), zeros(), jnp.zeros((), jnp.float32))


def adam_update(params: Tree, grads: Tree, state: Tree, lr: float,
                b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> tuple[Tree, Tree]:
    """θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε), as torch.optim.Adam."""
    m, v, t = state
    t = t + 1
    m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, grads)
    v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, grads)
    step_size = lr / (1 - b1**t)
    scale = 1 / jnp.sqrt(1 - b2**t)
    params = jax.tree_util.tree_map(lambda p, m, v: p - step_size * m / (jnp.sqrt(v) * scale + eps),
                                    params, m, v)
    return params, (m, v, t)


def sgd_update(params: Tree, grads: Tree, buf: Tree, lr: float, momentum: float) -> tuple[Tree, Tree]:
    """b ← μb + g; θ ← θ − ηb, as torch.optim.SGD with momentum."""
    buf = jax.tree_util.tree_map(lambda b, g: momentum * b + g, buf, grads)
    params = jax.tree_util.tree_map(lambda p, b: p - lr * b, params, buf)
    return params, buf


def make_step(activation: str, loss: str, optimizer: str, lr: float, momentum: float = 0.0) -> Callable:
    def step(state: Tree, x: jax.Array, y: jax.Array) -> tuple[Tree, jax.Array]:
        params, opt_state = state
        value, grads = jax.value_and_grad(loss_value)(params, x, y, activation, loss)
        if optimizer == "adam":
            params, opt_state = adam_update(params, grads, opt_state, lr)
        else:
            params, opt_state = sgd_update(params, grads, opt_state, lr, momentum)
        return (params, opt_state), value

    return jax.jit(step, donate_argnums=0)


def initial_state(params: Parameters, optimizer: str) -> Tree:
    tree = to_tree(params)
    if optimizer == "adam":
        return (tree, adam_init(tree))
    return (tree, jax.tree_util.tree_map(jnp.zeros_like, tree))


# ---- the harness's interface --------------------------------------------------------------
def step_runners(workload: StepWorkload, params: Parameters, x: Array, y: Array) -> dict[str, Callable[[int], None]]:
    state = initial_state(params, workload.optimizer)
    xj, yj = jnp.asarray(x), jnp.asarray(y)
    step = make_step(workload.activation, workload.loss, workload.optimizer, workload.lr, workload.momentum)
    compiled = step.lower(state, xj, yj).compile()

    def run(steps: int) -> None:
        nonlocal state
        for _ in range(steps):
            state, _ = compiled(state, xj, yj)
        jax.block_until_ready(state)  # JAX dispatches asynchronously: wait for the last step

    return {LABEL: run}


class _AdamTrainer:
    def __init__(self, problem: FitProblem, params: Parameters, data: FitData) -> None:
        self.state = initial_state(params, "adam")
        self.batch = problem.batch
        step = make_step(problem.activation, "mse", "adam", problem.lr)
        x, y = data.x_train[:problem.batch], data.y_train[:problem.batch]
        self.step = step.lower(self.state, x, y).compile()
        self.x_val = jnp.asarray(data.x_val)
        predict = jax.jit(lambda p, x: forward(p, x, problem.activation))
        self.predict = predict.lower(self.state[0], self.x_val).compile()

    def train_epoch(self, x: Array, y: Array) -> None:
        for start in range(0, len(x), self.batch):
            self.state, _ = self.step(self.state, x[start:start + self.batch], y[start:start + self.batch])

    def predict_validation(self) -> Array:
        return np.asarray(self.predict(self.state[0], self.x_val))


def adam_trainers(problem: FitProblem, params: Parameters, data: FitData, seed: int) -> dict[str, object]:
    return {LABEL: _AdamTrainer(problem, params, data)}


def best_runs(problem: FitProblem, params: Parameters, data: FitData, seed: int, cap: float,
              checkpoints: tuple[float, ...]) -> dict[str, Callable[[], object]]:
    """SciPy's L-BFGS-B driving a jitted value-and-gradient (JAX itself has no L-BFGS)."""

    def lbfgs() -> object:
        flat, unravel = ravel_pytree(to_tree(params))
        x, y, x_val = (jnp.asarray(a) for a in (data.x_train, data.y_train, data.x_val))
        value_and_grad = jax.jit(jax.value_and_grad(
            lambda theta: loss_value(unravel(theta), x, y, problem.activation, "mse")))
        predict = jax.jit(lambda theta: forward(unravel(theta), x_val, problem.activation))
        value_and_grad(flat)[1].block_until_ready()  # compile before the clock starts
        predict(flat).block_until_ready()

        def scipy_value_and_grad(theta: Array) -> tuple[float, Array]:
            value, grad = value_and_grad(jnp.asarray(theta, jnp.float32))
            return float(value), np.asarray(grad, np.float64)

        def scipy_predict(theta: Array) -> Array:
            return np.asarray(predict(jnp.asarray(theta, jnp.float32)))

        return scipy_lbfgs_to_cap(scipy_value_and_grad, np.asarray(flat, np.float64), scipy_predict,
                                  data, problem.target_mse, cap, checkpoints)

    return {f"{LABEL} + SciPy L-BFGS-B": lbfgs}

