"""The backward walk: the one topological order of a graph and the one reverse walk over it.

Every Tensor made by an op keeps the op's kernel as `grad_fn`, whose `parents` are the op's
input tensors. Backpropagation sorts that graph once, inputs before outputs
(`topological_order`, iterative, so deep graphs cannot hit the recursion limit), and walks it
in reverse (`backprop`), applying the chain rule

    ∂L/∂input = ∂L/∂output · ∂output/∂input

at every node, summing where a tensor was used more than once. Everything that needs the
graph goes through this walk, through its hooks:

- eager `Tensor.backward()`: gradients accumulated into each leaf's `.grad`;
- `nnwork.explain.backprop`: `stop=` the nodes it shows, `at_leaf=` collects what reaches them;
- Levenberg–Marquardt: `per_sample=True`, one gradient per sample, assembled by `jacobian`;
- `nnwork.capture`: `record=` a `RecordedWalk`, which writes the walk down step by step so a
  captured step can replay it (`RecordedWalk.replay`) on new arrays: the same kernels in the
  same order with the same sums, so the same bits as eager.

This module sees tensors only through `grad_fn`, `requires_grad`, `data` and `grad`; it
imports the kernel layer (nnwork.ops) and nothing above it.
"""

from __future__ import annotations

from typing import Any, Callable, Collection, Sequence

from nnwork.ops.backend import xp
from nnwork.ops.kernel import Kernel, unbroadcast

Node = Any  # a Tensor: anything with data, grad, requires_grad and grad_fn


class FreedGraph(Kernel):
    """Takes the place of an op once backward() has freed its graph (retain_graph=False), so
    that going back through it again is an error, as in PyTorch, and not a silent loss of the
    gradients of everything behind it."""

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, ...]:
        raise RuntimeError(
            "backward() through a graph that an earlier backward() already freed; pass "
            "retain_graph=True to the first backward() to go through the graph twice"
        )


FREED = FreedGraph()
FREED.parents, FREED.needs_grad = (), ()
NO_STOP: frozenset[int] = frozenset()


def topological_order(root: Node, stop: Collection[int] = NO_STOP) -> list[Node]:
    """Every tensor `root` depends on that requires a gradient, inputs before outputs.
    Tensors whose id is in `stop` (other than root) are included but not looked behind."""
    order: list[Node] = []
    visited: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        fn = node.grad_fn
        if fn is not None and (not stop or node is root or id(node) not in stop):
            for parent in reversed(fn.parents):
                if parent.requires_grad and id(parent) not in visited:
                    stack.append((parent, False))
    return order


def accumulate(leaf: Node, grad: xp.ndarray) -> None:
    """The eager leaf action: `leaf.grad += grad` (a copy in the leaf's dtype the first time)."""
    if leaf.grad is None:
        leaf.grad = xp.array(grad, dtype=leaf.data.dtype, copy=True)
    else:
        leaf.grad += grad


def backprop(root: Node, seed: xp.ndarray, *, retain_graph: bool = False, stop: Collection[int] = NO_STOP,
             at_leaf: Callable[[Node, xp.ndarray], None] = accumulate, per_sample: bool = False,
             record: RecordedWalk | None = None) -> None:
    """Walk the graph behind `root` in reverse, from ∂L/∂root = `seed` (of root's shape).

    **Arguments:**
        retain_graph: keep the graph; otherwise each op visited is replaced by `FREED`.
        stop: ids of tensors where the walk ends as at a leaf (explain's named nodes).
        at_leaf: `at_leaf(tensor, ∂L/∂tensor)` once for every leaf (and stop) reached, with
            the sum of every path's gradient; by default `accumulate` into `.grad`.
        per_sample: Levenberg–Marquardt's mode. Rows of a batch are independent in our
            networks (row i of the output depends only on row i of the input), so the
            backward pass carries each sample's gradient in its own row until a parameter's
            gradient sums over them. Here kernels run `per_sample_backward`, which keeps the
            rows, and every leaf receives shape (N, *leaf.shape) for a seed of N rows; a
            kernel that summed the rows anyway is named in a ValueError.
        record: a `RecordedWalk` that writes down every step (for `nnwork.capture`).
    """
    pending: dict[int, xp.ndarray] = {id(root): seed}
    rows = len(seed) if per_sample else 0
    for node in reversed(topological_order(root, stop)):
        g = pending.pop(id(node), None)
        if g is None:  # no path from root reaches this node
            continue
        fn = node.grad_fn
        if fn is None or (stop and node is not root and id(node) in stop):
            at_leaf(node, g)
            if record is not None:
                record.leaf(node)
            continue
        grads = fn.per_sample_backward(g) if per_sample else fn.backward(g)
        if record is not None:
            record.op(node, fn, grads)
        for parent, wanted, parent_grad in zip(fn.parents, fn.needs_grad, grads):
            if not wanted or parent_grad is None:
                continue
            shape = parent.data.shape
            if per_sample and parent.grad_fn is None:
                shape = _with_rows(fn, parent_grad, shape, rows)
            if parent_grad.shape != shape:
                parent_grad = unbroadcast(parent_grad, shape)
            key = id(parent)
            earlier = pending.get(key)
            pending[key] = parent_grad if earlier is None else earlier + parent_grad
        # Let go of this node's returned gradients now, not at the next node: kept one node
        # longer, they changed the allocator's pattern enough to cost ~100 page faults per
        # step of a small MLP (memory returned to the system and taken back every step).
        del grads
        if not retain_graph:
            node.grad_fn = FREED


def _with_rows(fn: Kernel, grad: xp.ndarray, shape: tuple[int, ...], rows: int) -> tuple[int, ...]:
    """A leaf's per-sample gradient shape, (rows, *shape); a ValueError naming the kernel when
    the gradient it returned has lost the rows (it summed over the samples)."""
    if grad.ndim != len(shape) + 1 or grad.shape[0] != rows:
        raise ValueError(
            f"per-sample gradients: {fn.name} gave a tensor of shape {shape} the gradient of shape "
            f"{grad.shape}, not one row per sample ({rows} rows): {fn.name} sums over the samples "
            f"and has no per_sample_backward (Linear and MatMul have one; elementwise ops keep the rows)"
        )
    return (rows,) + shape


def jacobian(residuals: Callable[[], Node], params: Sequence[Node],
             blocks: dict[int, xp.ndarray] | None = None) -> tuple[xp.ndarray, xp.ndarray]:
    """(r, J) for the residual tensor `residuals()` ((N,) or (N, k), built with the graph
    recorded): r as a float64 vector of length M = N·k, J = ∂r/∂θ as a float64 M × P array,
    its columns the `params` in order, each flattened. One per-sample backward pass per
    output column (see `backprop`), not one per sample; `residuals` is called once per
    column. `blocks` (output column → N × P array) keeps J's arrays from call to call (a new
    one of tens of MB each step costs more in page faults than in filling it): J is then
    overwritten by the next call, copy it to keep it. No `.grad` is touched."""
    blocks = {} if blocks is None else blocks
    r = residuals()
    values = xp.asarray(r.data, dtype=xp.float64)
    if values.ndim not in (1, 2) or not len(values):
        raise ValueError(f"residuals must have shape (N,) or (N, k), got {values.shape}")
    count = sum(p.data.size for p in params)
    outputs = 1 if values.ndim == 1 else values.shape[1]
    columns = []
    for k in range(outputs):
        if k:
            r = residuals()
        if not r.requires_grad:
            raise ValueError("the residuals do not require grad: no parameter took part in computing "
                             "them (or they were computed under no_grad())")
        seed = xp.zeros_like(r.data)
        if seed.ndim == 1:
            seed[:] = 1
        else:
            seed[:, k] = 1
        reached: dict[int, xp.ndarray] = {}
        backprop(r, seed, per_sample=True, at_leaf=lambda leaf, g: reached.__setitem__(id(leaf), g))
        block = blocks.get(k)
        if block is None or block.shape != (len(seed), count):
            block = blocks[k] = xp.empty((len(seed), count))
        start = 0
        for p in params:
            g = reached.get(id(p))
            end = start + p.data.size
            block[:, start:end] = 0 if g is None else xp.asarray(g, dtype=p.data.dtype).reshape(len(seed), -1)
            start = end
        columns.append(block)
    J = xp.stack(columns, axis=1).reshape(-1, count) if outputs > 1 else columns[0]
    return values.reshape(-1), J


class RecordedWalk:
    """One backward walk written down step by step (`backprop(..., record=walk)`), to be
    replayed on new arrays by a captured step (`nnwork.capture`).

    Every gradient has a slot (root's is 0). `steps`, in the walk's order, holds
    ("op", kernel, grad slot, routes, outs): routes [(input index, the input's grad slot, the
    input's shape)] for every input that received a gradient, outs the arrays
    kernel.backward writes into (None: it allocates; see Kernel.writes_into); or
    ("leaf", tensor, grad slot, home): home is the array its gradient is written into by its
    op, if any. `returned[i]` is the (shape, dtype) of each gradient step i's kernel returned.
    A capture may fill in `outs` and `home`; nothing else changes after the walk.
    """

    def __init__(self, root: Node) -> None:
        self.slots: dict[int, int] = {id(root): 0}
        self.steps: list[tuple[Any, ...]] = []
        self.returned: dict[int, list[Any]] = {}

    def _slot(self, tensor: Node) -> int:
        return self.slots.setdefault(id(tensor), len(self.slots))

    def op(self, node: Node, fn: Kernel, grads: Sequence[xp.ndarray | None]) -> None:
        routes = [(k, self._slot(parent), parent.data.shape)
                  for k, (parent, wanted, g) in enumerate(zip(fn.parents, fn.needs_grad, grads))
                  if wanted and g is not None]
        self.returned[len(self.steps)] = [None if g is None else (g.shape, g.dtype) for g in grads]
        self.steps.append(("op", fn, self._slot(node), routes, None))

    def leaf(self, node: Node) -> None:
        self.steps.append(("leaf", node, self._slot(node), None))

    def replay(self, seed: xp.ndarray) -> None:
        """The recorded walk again from ∂L/∂root = `seed`: each kernel's backward in the
        recorded order, gradients summed where several meet, leaves' gradients accumulated
        (or, for a leaf whose op wrote into its home array, that array becomes its .grad)."""
        grads: list[Any] = [None] * len(self.slots)
        grads[0] = seed
        for step in self.steps:
            if step[0] == "leaf":
                _, leaf, g, home = step
                grad = grads[g]
                if grad is not None:
                    if grad is home and leaf.grad is None:
                        leaf.grad = home  # written in place by its op: nothing to copy
                    else:
                        accumulate(leaf, grad)
                continue
            _, fn, g, routes, outs = step
            grad = grads[g]
            if grad is None:
                continue
            grads[g] = None
            parent_grads = fn.backward(grad) if outs is None else fn.backward(grad, outs)
            for k, target, shape in routes:
                parent_grad = parent_grads[k]
                if parent_grad is None:
                    continue
                if parent_grad.shape != shape:
                    parent_grad = unbroadcast(parent_grad, shape)
                earlier = grads[target]
                grads[target] = parent_grad if earlier is None else earlier + parent_grad
