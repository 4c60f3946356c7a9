"""Capture a training step once, then replay it without building the graph again.

An eager step creates Tensors and Function nodes, sorts the graph and walks it: Python work
on every op, every step. For a fixed model, loss and batch shape that work is identical from
step to step; only the numbers change. `capture_step` runs one step eagerly while recording
every op, and turns the record into a plan: which op reads which array, in which order the
backward pass visited the ops, where each gradient goes and which need reducing to their
input's shape. Replaying the plan runs only the kernels — each op's own forward and backward
on the new arrays, gradients accumulated in the eager order — then the optimizer's update.
Same kernels in the same order: the same numbers as eager, bit for bit.

What a replay cannot see: arrays baked into the graph at capture time. The batch (x, y) and
the parameters are read fresh every step; anything else the step creates is a constant. Ops
whose options carry data (index arrays, masks), and constants shaped like the batch (most
likely made from the data), would replay stale values, so a step that has them is refused
with CaptureError (and `fit` then trains eagerly).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from nnwork import _grad_mode
from nnwork.nn.module import Module
from nnwork.tensor import Function, Tensor, unbroadcast

MAX_PLANS = 4  # batch shapes remembered at once (e.g. full batches and the last, smaller one)


class CaptureError(ValueError):
    """The step cannot be captured (it depends on data in a way a replay would not see)."""


class _Plan:
    """One captured step for one input signature: forward ops, backward ops, leaves."""

    def __init__(self, n_values: int, n_grads: int) -> None:
        self.n_values, self.n_grads = n_values, n_grads
        # (fn, sources, options, value slot); a source is a value slot (int) or a Tensor
        self.forward: list[tuple[Function, tuple[Any, ...], dict[str, Any], int]] = []
        # ("op", fn, grad slot, [(parent index, parent's grad slot, parent's shape)])
        # or ("leaf", tensor, grad slot)
        self.backward: list[tuple[Any, ...]] = []
        self.loss_slot = 0
        self.loss_grad = 0


class CapturedStep:
    """`step(x, y)` = zero_grad; loss(model(x), y).backward(); optimizer.step() — captured
    on the first call for each (shape, dtype) of x and y, replayed after. Returns the loss."""

    def __init__(self, model: Module, loss: Callable[[Tensor, Tensor], Tensor], optimizer: Any) -> None:
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.plans: dict[tuple[Any, ...], _Plan] = {}
        self.captures = 0

    def __call__(self, x: np.ndarray, y: np.ndarray) -> float:
        signature = (x.shape, x.dtype, y.shape, y.dtype)
        plan = self.plans.get(signature)
        if plan is None:
            if len(self.plans) >= MAX_PLANS:
                self.plans.clear()
            value, self.plans[signature] = self._capture(x, y)
            self.captures += 1
            return value
        return self._replay(plan, x, y)

    # ---- capture -------------------------------------------------------------------------
    def _capture(self, x: np.ndarray, y: np.ndarray) -> tuple[float, _Plan]:
        """One eager step, recording it; returns its loss and the plan built from the record."""
        inputs = (Tensor._wrap(x), Tensor._wrap(y))
        self.optimizer.zero_grad()
        record: list[tuple[Any, ...]] = []
        _grad_mode.recorder = record
        try:
            loss = self.loss(self.model(inputs[0]), inputs[1])
        finally:
            _grad_mode.recorder = None
        plan = self._plan(record, inputs, loss)
        loss.backward()
        self.optimizer.step()
        return loss.item(), plan

    def _plan(self, record: list[tuple[Any, ...]], inputs: tuple[Tensor, Tensor], loss: Tensor) -> _Plan:
        values = {id(inputs[0]): 0, id(inputs[1]): 1}
        batch = inputs[0].shape[0] if inputs[0].ndim else -1
        forward = []
        for fn, parents, options, result in record:
            for name, option in options.items():
                if _holds_array(option):
                    raise CaptureError(
                        f"{fn.name} takes the array `{name}` from the data; a replay would reuse "
                        "the captured one. Run this step eagerly."
                    )
            sources = tuple(values.get(id(t), t) for t in parents)
            for source in sources:
                if isinstance(source, Tensor) and not source.requires_grad and source.ndim and source.shape[0] == batch:
                    raise CaptureError(
                        f"{fn.name} reads an array shaped like the batch {source.shape} that is not the "
                        "step's input: probably made from the data, and a replay would reuse it. "
                        "Run this step eagerly."
                    )
            values[id(result)] = len(values)
            forward.append((fn, sources, options, values[id(result)]))
        if id(loss) not in values:
            raise CaptureError("the loss was not computed by recorded ops from the inputs")
        grads: dict[int, int] = {}
        plan = _Plan(len(values), 0)
        plan.forward = forward
        plan.loss_slot = values[id(loss)]
        slot = lambda t: grads.setdefault(id(t), len(grads))  # noqa: E731
        plan.loss_grad = slot(loss)
        for node in reversed(loss._topological_order()):  # exactly eager backward's order
            if node._ctx is None:
                plan.backward.append(("leaf", node, slot(node)))
                continue
            routes = []
            for k, (parent, wanted) in enumerate(zip(node._ctx.parents, node._ctx.needs_grad)):
                if wanted:
                    routes.append((k, slot(parent), parent.shape))
            plan.backward.append(("op", node._ctx, slot(node), routes))
        plan.n_grads = len(grads)
        return plan

    # ---- replay ----------------------------------------------------------------------------
    def _replay(self, plan: _Plan, x: np.ndarray, y: np.ndarray) -> float:
        self.optimizer.zero_grad()
        values: list[Any] = [None] * plan.n_values
        values[0], values[1] = x, y
        for fn, sources, options, out in plan.forward:
            arrays = [values[s] if s.__class__ is int else s.data for s in sources]
            result = fn.forward(*arrays, **options)
            values[out] = result if type(result) is np.ndarray else np.asarray(result)
        loss = values[plan.loss_slot]
        grads: list[Any] = [None] * plan.n_grads
        grads[plan.loss_grad] = np.ones_like(loss)
        for step in plan.backward:
            if step[0] == "leaf":
                _, leaf, g = step
                if grads[g] is not None:
                    leaf._accumulate(grads[g])
                continue
            _, fn, g, routes = step
            grad = grads[g]
            if grad is None:
                continue
            grads[g] = None
            parent_grads = fn.backward(grad)
            for k, target, shape in routes:
                parent_grad = parent_grads[k]
                if parent_grad is None:
                    continue
                if parent_grad.shape != shape:
                    parent_grad = unbroadcast(parent_grad, shape)
                earlier = grads[target]
                grads[target] = parent_grad if earlier is None else earlier + parent_grad
        self.optimizer.step()
        return float(loss)


def _holds_array(option: Any) -> bool:
    """Whether an op's option carries an array (possibly inside a tuple, e.g. an index)."""
    if isinstance(option, (tuple, list)):
        return any(_holds_array(part) for part in option)
    return isinstance(option, np.ndarray)


def capture_step(model: Module, loss: Callable[[Tensor, Tensor], Tensor], optimizer: Any) -> CapturedStep:
    """A training step for (model, loss, optimizer) that records itself once per batch shape
    and replays the recorded kernels after that (see the module docstring)."""
    return CapturedStep(model, loss, optimizer)
