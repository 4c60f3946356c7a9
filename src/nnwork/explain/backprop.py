"""Backpropagation made visible: every chain-rule factor of ∂L/∂θ for one sample.

Longer than 300 lines: what the walk reports (Row, Visit, ...), the walk itself and its text
are one explanation, read top to bottom.

The forward pass records a tape: every Tensor remembers the op that made it (`grad_fn`) and
that op's `parents`. Backpropagation walks the tape backwards from L and at every node applies

    ∂L/∂parent = ∂L/∂node · ∂node/∂parent        (the gradient arriving × the local derivative)

summing over every path where a value was used more than once. `walk_backprop` runs the
engine's own walk (`nnwork.autograd.backprop`) on the same tape, but stops it at the nodes a
reader knows by name (each neuron's output, each layer's output, ŷ, L, the parameters θ) and
reports, node by node in the order backpropagation visits them:
the value, the gradient arriving from above, the local derivative towards each parent and
their product, the gradient passed down. Local derivatives come from the ops' own `backward`
(fed a one-hot gradient), never from formulas typed in here, so what is printed is what the
engine computes. Every ∂L/∂θ is then compared with a central finite difference.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np

from nnwork import functional as F
from nnwork._grad_mode import no_grad
from nnwork.autograd import backprop, topological_order
from nnwork.nn import Linear, Module, NeuronGraph, Sequential, example_network
from nnwork.tensor import Tensor

DEFAULT_X = (1.0, -0.5)
DEFAULT_Y = (0.9,)
FD_STEP = 1e-6  # central differences in float64: error ~ h² + 1e-16/h, far below 1e-6
_SYMBOLS = {"sigmoid": "σ", "identity": ""}


def default_network() -> NeuronGraph:
    """The article's five-neuron network, in float64, with fixed random initial weights."""
    return example_network(generator=0, dtype=np.float64)


# ---- what the walk reports ---------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One element of one parent: ∂L/∂parent[index] passed down from the visited node, as the
    sum over terms (j, local, arriving) of ∂node[j]/∂parent[index] · ∂L/∂node[j]. A node of one
    value has exactly one term: the product of the two factors."""

    parent: str
    index: tuple[int, ...]
    terms: tuple[tuple[int, float, float], ...]
    passed: float

    @property
    def label(self) -> str:
        return self.parent + (f"[{','.join(map(str, self.index))}]" if self.index else "")


@dataclass(frozen=True)
class Visit:
    """One named node, as backpropagation reaches it."""

    name: str
    formula: str
    value: np.ndarray
    arriving: np.ndarray  # ∂L/∂node, the sum of `sources`
    sources: tuple[tuple[str, np.ndarray], ...]  # (consumer, the part of ∂L/∂node it passed down)
    local: dict[str, np.ndarray]  # parent -> ∂node/∂parent, shape node.shape + parent.shape
    rows: tuple[Row, ...]
    constants: tuple[str, ...]  # data the node reads (inputs): no gradient is needed there


@dataclass(frozen=True)
class ParameterGradient:
    name: str
    index: tuple[int, ...]
    value: float
    backprop: float  # p.grad after loss.backward()
    chained: float  # the sum of the walk's passed-down products
    numeric: float  # central finite difference

    @property
    def label(self) -> str:
        return self.name + (f"[{','.join(map(str, self.index))}]" if self.index else "")


@dataclass
class BackpropWalk:
    model_name: str
    x: np.ndarray
    y: np.ndarray
    prediction: np.ndarray
    loss: float
    inputs: dict[str, np.ndarray]  # the constant inputs by name (x1, x2 or x)
    visits: list[Visit]
    parameters: list[ParameterGradient]

    @property
    def max_difference(self) -> float:
        """The largest |backprop − finite difference| over every parameter."""
        return max((abs(p.backprop - p.numeric) for p in self.parameters), default=0.0)

    def format(self) -> str:
        return _format(self)


# ---- naming the nodes of a forward pass ------------------------------------------------------


def _activation(module: Any) -> str:
    name = getattr(module, "activation", "identity") or "identity"
    return _SYMBOLS.get(name, name)


def _named_forward(model: Module, x: Tensor) -> tuple[Tensor, list[tuple[str, Tensor, str]], dict[str, Tensor]]:
    """Run the model on x and name what a reader knows: ([(name, tensor, formula)], inputs)."""
    named: list[tuple[str, Tensor, str]] = []
    if isinstance(model, NeuronGraph):
        out, values = model(x, return_all=True)
        inputs = {name: values[name] for name in model.inputs}
        for name, wiring in model.wiring.items():
            reads = ", ".join(" + ".join(terms) for terms in wiring)
            reads = f"[{reads}]" if len(wiring) > 1 else f"({reads})"
            named.append((name, values[name], f"{_activation(getattr(model, name))}(w·{reads} + b)"))
        named.append(("ŷ", out, f"ŷ = [{', '.join(model.outputs)}]"))
        return out, named, inputs
    if isinstance(model, Sequential):
        value, previous, layer = x, "x", 0
        for i, module in enumerate(model):
            value = module(value)
            if isinstance(module, Linear):
                layer += 1
                name, formula = f"z{layer}", f"{previous}·({i}.weight)ᵀ + {i}.bias"
            else:
                name, formula = f"a{layer}", f"{type(module).__name__.lower()}({previous})"
            named.append((name, value, formula))
            previous = name
        last_name, last, formula = named.pop()
        named.append(("ŷ", last, f"ŷ = {formula}"))
        return value, named, {"x": x}
    out = model(x)
    named.append(("ŷ", out, f"ŷ = {type(model).__name__}(x)"))
    return out, named, {"x": x}


@contextlib.contextmanager
def float64_parameters(model: Module) -> Iterator[None]:
    """Within the block the model's parameters hold float64 copies (and no gradients); the
    original arrays and gradients are put back afterwards, unchanged, so optimizers holding
    them are not disturbed."""
    originals = [(p, p.data, p.grad) for p in model.parameters()]
    try:
        for p, data, _ in originals:
            p.data, p.grad = data.astype(np.float64), None
        yield
    finally:
        for p, data, grad in originals:
            p.data, p.grad = data, grad


def _as_sample(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or len(array) != 1 or not np.all(np.isfinite(array)):
        raise ValueError(f"`{name}` must be one sample of finite numbers (shape (n,) or (1, n)), "
                         f"got shape {np.shape(values)}")
    return array


def _loss(model: Module, x: Tensor, y: Tensor) -> Tensor:
    return F.mse_loss(model(x), y)


# ---- the walk -------------------------------------------------------------------------------


def _segment(v: Tensor, seed: np.ndarray, stops: set[int]) -> dict[int, np.ndarray]:
    """Backpropagate `seed` (a one-hot ∂/∂v) from v with the engine's walk, stopped at the
    tensors in `stops` (and at leaves): returns the gradients reaching them, by id."""
    reached: dict[int, np.ndarray] = {}
    backprop(v, seed, retain_graph=True, stop=stops, at_leaf=lambda node, g: reached.__setitem__(id(node), g))
    return reached


def _rows(parent: str, local: np.ndarray, arriving: np.ndarray, passed: np.ndarray,
          sample_axis: bool) -> list[Row]:
    """One Row per element of `parent`; a node's leading axis of one sample is left out of the
    printed index (f3 rather than f3[0])."""
    node_size = arriving.size
    jacobian = local.reshape(node_size, -1)
    flat_arriving = arriving.reshape(-1)
    rows = []
    for i, index in enumerate(np.ndindex(passed.shape)):
        column = jacobian[:, i]
        js = [j for j in range(node_size) if column[j] != 0] or [0]
        terms = tuple((j, float(column[j]), float(flat_arriving[j])) for j in js)
        label = index
        if sample_axis and passed.ndim and passed.shape[0] == 1:
            label = index[1:] if passed[0].size > 1 else ()
        rows.append(Row(parent, tuple(int(k) for k in label), terms, float(passed[index])))
    return rows


def _jacobians(v: Tensor, order: list[Tensor], position: dict[int, int], stops: set[int]) -> dict[int, np.ndarray]:
    """∂v/∂p for every stop tensor p the tape reaches from v without passing another stop, as
    an array of shape v.shape + p.shape: one backward pass per element of v (a one-hot seed)."""
    per_element: dict[int, list[np.ndarray | None]] = {}
    reached: dict[int, Tensor] = {}
    for j in range(v.data.size):
        seed = np.zeros(v.data.size)
        seed[j] = 1.0
        for key, g in _segment(v, seed.reshape(v.data.shape), stops).items():
            per_element.setdefault(key, [None] * v.data.size)[j] = g
            reached[key] = order[position[key]]
    jacobians = {}
    for key, rows in per_element.items():
        shape = reached[key].data.shape
        filled = [np.zeros(shape) if g is None else g for g in rows]
        jacobians[key] = np.stack(filled).reshape(v.data.shape + shape)
    return jacobians


def walk_backprop(model: Module | None = None, x: Any = DEFAULT_X, y: Any = DEFAULT_Y) -> BackpropWalk:
    """Backpropagate the squared error L = mean (ŷ − y)² of one sample, showing every factor.

    Arguments:
        model: a NeuronGraph, an MLP/Sequential or any Module mapping (1, n) to (1, k)
            (default: the article's five-neuron network, `default_network()`). It is run in
            float64 (parameters promoted for the walk, then restored) and is left unchanged.
        x, y: the sample: n inputs and k target values.
    Returns:
        A BackpropWalk: `visits` node by node in the order backpropagation reaches them,
        `parameters` with ∂L/∂θ by backprop and by finite differences; `.format()` as text.

    >>> walk = walk_backprop()
    >>> [visit.name for visit in walk.visits]
    ['L', 'ŷ', 'f5', 'f4', 'f3', 'f1', 'f2']
    """
    model = default_network() if model is None else model
    if not isinstance(model, Module):
        raise TypeError(f"`model` must be an nnwork Module, got {type(model).__name__}")
    xs, ys = _as_sample(x, "x"), _as_sample(y, "y")
    params = list(model.named_parameters())
    if not params:
        raise ValueError("the model has no parameters: there is nothing to backpropagate to")
    with float64_parameters(model):
        x_t, y_t = Tensor(xs, requires_grad=True), Tensor(ys)  # so the inputs sit on the tape too
        out, named, inputs = _named_forward(model, x_t)
        if out.shape != ys.shape:
            raise ValueError(f"the model's output has shape {out.shape} but `y` has shape {ys.shape}")
        loss = F.mse_loss(out, y_t)
        # the nodes a reader knows by name: parameters, named values, the inputs (data), L
        names: dict[int, str] = {id(p): name for name, p in params}
        formulas = {id(loss): "L = mean (ŷ − y)²"}
        for name, tensor, formula in named:
            names.setdefault(id(tensor), name)
            formulas.setdefault(id(tensor), formula)
        names[id(loss)] = "L"
        for name, tensor in [*inputs.items(), ("x", x_t)]:
            names.setdefault(id(tensor), name)
        data = {id(t) for t in inputs.values()} | {id(x_t)}
        parameter_order = {id(p): i for i, (_, p) in enumerate(params)}

        order = topological_order(loss)  # backpropagation visits it in reverse
        position = {id(t): i for i, t in enumerate(order)}
        arriving: dict[int, np.ndarray] = {id(loss): np.ones_like(loss.data)}  # ∂L/∂node so far
        sources: dict[int, list[tuple[str, np.ndarray]]] = {}
        visits = []
        for v in reversed(order):
            if v.grad_fn is None or id(v) not in names or id(v) not in arriving or id(v) in data:
                continue
            jacobians = _jacobians(v, order, position, set(names))
            parents = sorted((key for key in jacobians if key not in data),
                             key=lambda k: (parameter_order.get(k, len(params)), position[k]))
            local, rows = {}, []
            for key in parents:
                passed = np.tensordot(arriving[id(v)], jacobians[key], axes=v.data.ndim)  # the chain rule
                name = names.setdefault(key, f"t{position[key]}")
                local[name] = jacobians[key]
                rows += _rows(name, jacobians[key], arriving[id(v)], passed, key not in parameter_order)
                arriving[key] = passed if key not in arriving else arriving[key] + passed
                sources.setdefault(key, []).append((names[id(v)], passed))
            constants = tuple(sorted(names[key] for key in jacobians if key in data))
            visits.append(Visit(names[id(v)], formulas.get(id(v), ""), v.data.copy(), arriving[id(v)].copy(),
                                tuple(sources.get(id(v), [])), local, tuple(rows), constants))

        model.zero_grad()
        loss.backward()  # the engine's own backpropagation, for comparison
        gradients = _parameter_table(model, params, arriving, x_t, y_t)
        inputs_seen = {name: t.data.reshape(-1).copy() for name, t in inputs.items()}
        return BackpropWalk(type(model).__name__, xs[0], ys[0], out.data[0].copy(), float(loss.item()),
                            inputs_seen, visits, gradients)


def _parameter_table(model: Module, params: Sequence[tuple[str, Any]], chained: dict[int, np.ndarray],
                     x: Tensor, y: Tensor) -> list[ParameterGradient]:
    table = []
    with no_grad():
        for name, p in params:
            grad = p.grad if p.grad is not None else np.zeros_like(p.data)
            walked = chained.get(id(p), np.zeros_like(p.data))
            for index in np.ndindex(p.data.shape):
                original = float(p.data[index])
                p.data[index] = original + FD_STEP
                above = _loss(model, x, y).item()
                p.data[index] = original - FD_STEP
                below = _loss(model, x, y).item()
                p.data[index] = original
                table.append(ParameterGradient(name, tuple(int(i) for i in index), original, float(grad[index]),
                                               float(walked[index]), (above - below) / (2 * FD_STEP)))
    return table


# ---- as text --------------------------------------------------------------------------------


def _numbers(values: np.ndarray) -> str:
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    if flat.size == 1:
        return f"{flat[0]:.6g}"
    return "[" + ", ".join(f"{v:.6g}" for v in flat) + "]"


def _row_text(row: Row, node: str, node_size: int) -> str:
    if len(row.terms) == 1:
        j, local, arriving = row.terms[0]
        derivative = f"∂{node}{f'[{j}]' if node_size > 1 else ''}/∂{row.label}"
        return f"    {row.label:<14} {derivative:>24} = {local:<12.6g} × {arriving:<12.6g} = {row.passed:.6g}"

    if len(row.terms) <= 4:
        products = " + ".join(f"{local:.6g}×{arriving:.6g}" for _, local, arriving in row.terms)
    else:
        products = f"Σ of {len(row.terms)} products ∂{node}[j]/∂{row.label} × ∂L/∂{node}[j]"
    return f"    {row.label:<14} {products} = {row.passed:.6g}"


def _format(walk: BackpropWalk) -> str:
    inputs = ", ".join(f"{name} = {_numbers(v)}" for name, v in walk.inputs.items())
    lines = [
        f"Backpropagation through {walk.model_name} for one sample: {inputs}; target y = {_numbers(walk.y)}",
        f"forward: ŷ = {_numbers(walk.prediction)}, loss L = mean (ŷ − y)² = {walk.loss:.6g}",
        "",
        "Backward, node by node in the order backpropagation visits them. For each parent:",
        "  local derivative ∂node/∂parent × gradient arriving ∂L/∂node = gradient passed down ∂L/∂parent",
    ]
    for k, visit in enumerate(walk.visits, start=1):
        formula = f"   {visit.name} = {visit.formula.removeprefix(visit.name + ' = ')}" if visit.formula else ""
        lines.append("")
        lines.append(f"[{k}] {visit.name} = {_numbers(visit.value)}{formula}")
        if not visit.sources:
            lines.append(f"    arriving ∂L/∂{visit.name} = 1 (where backpropagation starts)")
        elif len(visit.sources) == 1:
            lines.append(f"    arriving ∂L/∂{visit.name} = {_numbers(visit.arriving)} (from {visit.sources[0][0]})")
        else:
            parts = " + ".join(_numbers(part) for _, part in visit.sources)
            froms = " and ".join(name for name, _ in visit.sources)
            lines.append(f"    arriving ∂L/∂{visit.name} = {parts} = {_numbers(visit.arriving)} "
                         f"(used by {froms}: the paths add up)")
        lines += [_row_text(row, visit.name, visit.value.size) for row in visit.rows]
        if visit.constants:
            lines.append(f"    ({', '.join(visit.constants)}: input data, no gradient needed)")
    lines += ["", "Every parameter: ∂L/∂θ by backpropagation and by a central finite difference "
              f"(L(θ+h) − L(θ−h))/2h, h = {FD_STEP:g}:",
              f"    {'θ':<14} {'value':>12} {'backprop':>16} {'finite diff.':>16} {'difference':>10}"]
    for p in walk.parameters:
        lines.append(f"    {p.label:<14} {p.value:>12.6g} {p.backprop:>16.10g} {p.numeric:>16.10g} "
                     f"{abs(p.backprop - p.numeric):>10.1e}")
    lines.append(f"largest difference: {walk.max_difference:.1e}")
    return "\n".join(lines)
