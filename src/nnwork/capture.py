"""Capture a training step once, then replay it without building the graph again.

An eager step creates Tensors and graph nodes, sorts the graph and walks it: Python work
on every op, every step. For a fixed model, loss and batch shape that work is identical from
step to step; only the numbers change. `capture_step` runs one step's forward pass eagerly
while recording every op (which kernel reads which array), and its backward pass is the eager
walk itself (`nnwork.autograd.backprop`) writing itself down as it goes (a `RecordedWalk`:
which kernel runs in which order, where each gradient goes and which need reducing to their
input's shape). Every later step replays both: only the kernels — each op's own forward and
backward on the new arrays, gradients accumulated in the walk's order — then the optimizer's
update. Same kernels in the same order: the same numbers as eager, bit for bit.

A replay also allocates almost nothing. Ops that can write into given arrays (see
`Kernel.writes_into`: the layers and activations) get their output and their input
gradients their own arrays, made once at capture time and reused every step; a parameter's
gradient is written straight into the optimizer's flat gradient array (see
`nnwork.buffers`, where this contract is written down once), so the update finds it there
without copying. Hence, after a captured step, `p.grad` is a view of that array, overwritten
by the next step: copy it to keep it.

A parameter whose `requires_grad` changes (frozen or unfrozen) makes the next call capture
again. What a replay cannot see: arrays baked into the graph at capture time. The batch (x, y) and
the parameters are read fresh every step; anything else the step creates is a constant. Ops
whose options carry data (index arrays, masks), and constants shaped like the batch (most
likely made from the data), would replay stale values, so a step that has them is refused
with CaptureError (and `fit` then trains eagerly).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from nnwork import _grad_mode
from nnwork.autograd import RecordedWalk, backprop
from nnwork.buffers import GradientHomes
from nnwork.nn.module import Module
from nnwork.ops.kernel import Kernel
from nnwork.tensor import Tensor, constant

MAX_PLANS = 4  # batch shapes remembered at once (e.g. full batches and the last, smaller one)


class CaptureError(ValueError):
    """The step cannot be captured (it depends on data in a way a replay would not see)."""


class _Plan:
    """One captured step for one input signature: the forward ops and the recorded walk."""

    def __init__(self, n_values: int) -> None:
        self.n_values = n_values
        # (kernel, sources, options, value slot); a source is a value slot (int) or a Tensor
        self.forward: list[tuple[Kernel, tuple[Any, ...], dict[str, Any], int]] = []
        self.walk: RecordedWalk | None = None  # the backward pass, as the eager walk took it
        self.loss_slot = 0
        # every tensor the step reads besides the batch, with its requires_grad at capture time:
        # the plan's gradients are only right while these stay the same
        self.requires_grad: list[tuple[Tensor, bool]] = []


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
        if plan is None or any(t.requires_grad != flag for t, flag in plan.requires_grad):
            if plan is None and len(self.plans) >= MAX_PLANS:
                self.plans.clear()
            value, self.plans[signature] = self._capture(x, y)
            self.captures += 1
            return value
        return self._replay(plan, x, y)

    # ---- capture -------------------------------------------------------------------------
    def _capture(self, x: np.ndarray, y: np.ndarray) -> tuple[float, _Plan]:
        """One step that makes the plan: the forward pass runs eagerly and is recorded; the
        backward pass is the eager walk, recorded (with the shape of every gradient the ops
        return, so that the arrays given to the replays have exactly those shapes). Returns
        the loss and the plan."""
        inputs = (constant(x), constant(y))
        self.optimizer.zero_grad()
        record: list[tuple[Any, ...]] = []
        _grad_mode.recorder = record
        try:
            loss = self.loss(self.model(inputs[0]), inputs[1])
        finally:
            _grad_mode.recorder = None
        plan = self._plan(record, inputs, loss)
        plan.walk = RecordedWalk(loss)
        backprop(loss, np.ones_like(loss.data), retain_graph=True, record=plan.walk)
        self.optimizer.step()
        homes = getattr(self.optimizer, "gradient_homes", GradientHomes)()
        _give_arrays(plan.walk, homes)
        return loss.item(), plan

    def _plan(self, record: list[tuple[Any, ...]], inputs: tuple[Tensor, Tensor], loss: Tensor) -> _Plan:
        """The forward part of the plan of a recorded step (see _Plan)."""
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
            if fn.writes_into and _one_dtype((*parents, result)):
                options = {**options, "out": np.empty_like(result.data)}
            forward.append((fn, sources, options, values[id(result)]))
        if id(loss) not in values:
            raise CaptureError("the loss was not computed by recorded ops from the inputs")
        plan = _Plan(len(values))
        plan.forward = forward
        tensors = {id(s): s for _, sources, _, _ in forward for s in sources if isinstance(s, Tensor)}
        plan.requires_grad = [(t, t.requires_grad) for t in tensors.values()]
        plan.loss_slot = values[id(loss)]
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
        plan.walk.replay(np.ones_like(loss))  # type: ignore[union-attr]
        self.optimizer.step()
        return float(loss)


def _one_dtype(tensors: Any) -> bool:
    """Whether the tensors (an op's inputs, and for its forward its output) share one dtype:
    only then may the op write into arrays made for it (with mixed dtypes, writing in place
    could round differently from eager)."""
    return len({t.data.dtype for t in tensors}) == 1


def _give_arrays(walk: RecordedWalk, homes: GradientHomes) -> None:
    """Give each op that can write its gradients into arrays (and whose inputs share one
    dtype) one array per input gradient, made here once: the optimizer's gradient array for a
    parameter (its `home`), a new one otherwise. Only where the walk saw the op return a
    gradient of exactly its input's shape and dtype (no reduction or cast follows), and where
    that route alone produces the input's gradient (a sum of several needs its own temporaries)."""
    producers: dict[int, int] = {}  # grad slot → how many routes send a gradient there
    for step in walk.steps:
        if step[0] == "op":
            for _, target, _ in step[3]:
                producers[target] = producers.get(target, 0) + 1
    leaf_homes: dict[int, np.ndarray] = {}
    for i, step in enumerate(walk.steps):
        if step[0] == "leaf":
            continue
        _, fn, g, routes, _ = step
        if not fn.writes_into or not _one_dtype(fn.parents):
            continue
        arrays: list[np.ndarray | None] = [None] * len(fn.parents)
        for k, target, shape in routes:
            parent = fn.parents[k]
            if walk.returned[i][k] != (shape, parent.data.dtype) or producers[target] != 1:
                continue
            home = homes.of(parent) if parent.grad_fn is None else None
            if home is not None and home.shape == shape and home.dtype == parent.data.dtype:
                leaf_homes[target] = home
                arrays[k] = home
            else:
                arrays[k] = np.empty(shape, parent.data.dtype)
        walk.steps[i] = ("op", fn, g, routes, tuple(arrays))
    for i, step in enumerate(walk.steps):
        if step[0] == "leaf":
            walk.steps[i] = ("leaf", step[1], step[2], leaf_homes.get(step[2]))


def _holds_array(option: Any) -> bool:
    """Whether an op's option carries an array (possibly inside a tuple, e.g. an index)."""
    if isinstance(option, (tuple, list)):
        return any(_holds_array(part) for part in option)
    return isinstance(option, np.ndarray)


def capture_step(model: Module, loss: Callable[[Tensor, Tensor], Tensor], optimizer: Any) -> CapturedStep:
    """A training step for (model, loss, optimizer) that records itself once per batch shape
    and replays the recorded kernels after that (see the module docstring)."""
    return CapturedStep(model, loss, optimizer)
