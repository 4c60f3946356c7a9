"""Every exportable nnwork model as a `Graph` (nnwork.export.graph): `lower(model)`.

MLPs and Sequentials of Linear layers and activations, Neuron and NeuronGraph, and the tower
modules (Step, Bump, Tower, TowerSum, TowerGrid). A model with a part that has no export, or
with parameters that are not finite, is refused with one ExportError naming the part.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from nnwork.export.graph import IDENTITY, Activation, ExportError, Graph, Layer, inline_identities
from nnwork import nn as nnl
from nnwork.nn.module import Module
from nnwork.nn.neuron import Neuron, NeuronGraph
from nnwork.towers.grid import TowerGrid
from nnwork.towers.modules import Bump, Step, Tower, TowerSum

# The activation modules and the options each keeps as attributes.
_ACTIVATION_MODULES: dict[type, str] = {
    nnl.Sigmoid: "sigmoid", nnl.Tanh: "tanh", nnl.ReLU: "relu", nnl.Identity: "identity", nnl.SiLU: "silu",
    nnl.SELU: "selu", nnl.LogSigmoid: "logsigmoid", nnl.LeakyReLU: "leaky_relu", nnl.Softplus: "softplus",
    nnl.GELU: "gelu", nnl.ELU: "elu", nnl.Hardtanh: "hardtanh",
}


def _array(parameter: Any) -> np.ndarray:
    return np.asarray(parameter.data, dtype=np.float64)


def _dtype(model: Module) -> np.dtype[Any]:
    params = model.parameters()
    return np.dtype(params[0].data.dtype if params else np.float64)


def activation_of(module: Module) -> Activation | None:
    """The Activation a module applies, or None if it is not an activation module."""
    name = _ACTIVATION_MODULES.get(type(module))
    if name is None:
        return None
    from nnwork.export.graph import ACTIVATION_OPTIONS

    return Activation.make(name, **{key: getattr(module, key) for key in ACTIVATION_OPTIONS[name]})


# ---- each model kind as layers -----------------------------------------------------------------
def _sequential(model: nnl.Sequential) -> tuple[int, list[Layer]]:
    layers: list[Layer] = []
    n_inputs: int | None = None
    pending_activation = False  # the last layer has no activation yet

    def flatten(module: Module) -> list[Module]:
        if type(module) in (nnl.Sequential, nnl.MLP):
            return [m for child in module for m in flatten(child)]
        return [module]

    for module in flatten(model):
        if type(module) is nnl.Linear:
            if n_inputs is None:
                n_inputs = module.in_features
            bias = _array(module.bias) if module.bias is not None else np.zeros(module.out_features)
            layers.append(Layer((len(layers),), _array(module.weight), bias))
            pending_activation = True
            continue
        activation = activation_of(module)
        if activation is None:
            raise ExportError(f"the {type(module).__name__} in the Sequential cannot be exported "
                              "(only Linear layers and activations can)")
        if activation == IDENTITY:
            continue
        if not pending_activation:
            if n_inputs is None:
                raise ExportError(f"a Sequential starting with {type(module).__name__} cannot be exported "
                                  "(its input size is unknown): start it with a Linear layer")
            width = layers[-1].width if layers else n_inputs
            layers.append(Layer((len(layers),), np.eye(width), np.zeros(width)))
        layers[-1].activation, pending_activation = activation, False
    if n_inputs is None:
        raise ExportError("a Sequential with no Linear layer cannot be exported")
    return n_inputs, layers


def _neuron(model: Neuron) -> tuple[int, list[Layer]]:
    return model.n_inputs, [Layer((0,), _array(model.weight)[None, :], _array(model.bias).reshape(1),
                                  Activation.make(model.activation))]


def _neuron_graph(graph: NeuronGraph) -> tuple[int, list[Layer]]:
    """One layer per neuron (x is value 0, neuron j value j + 1), then the output selection."""
    if not graph.wiring:
        raise ExportError("a NeuronGraph with no neurons cannot be exported")
    value_of = {name: 0 for name in graph.inputs}
    column_of = {name: i for i, name in enumerate(graph.inputs)}
    layers: list[Layer] = []

    def reads(names: list[str]) -> tuple[tuple[int, ...], Callable[[str], int]]:
        sources = tuple(sorted({value_of[n] for n in names}))
        starts, at = {}, 0
        for s in sources:
            starts[s] = at
            at += len(graph.inputs) if s == 0 else 1
        return sources, lambda n: starts[value_of[n]] + column_of[n]

    for name, wiring in graph.wiring.items():
        neuron = getattr(graph, name)
        sources, column = reads([term for terms in wiring for term in terms])
        weight = np.zeros((1, sum(len(graph.inputs) if s == 0 else 1 for s in sources)))
        for w, terms in zip(_array(neuron.weight), wiring):
            for term in terms:  # w·(a + b) = w·a + w·b
                weight[0, column(term)] += w
        layers.append(Layer(sources, weight, _array(neuron.bias).reshape(1), Activation.make(neuron.activation)))
        value_of[name], column_of[name] = len(layers), 0
    outputs = graph.outputs
    sources, column = reads(outputs)
    selection = np.zeros((len(outputs), sum(len(graph.inputs) if s == 0 else 1 for s in sources)))
    for row, name in enumerate(outputs):
        selection[row, column(name)] = 1.0
    layers.append(Layer(sources, selection, np.zeros(len(outputs))))
    return len(graph.inputs), layers


def _steps_then_outer(rise: list[tuple[float, float]], fall: list[tuple[float, float]], axes: list[int],
                      d: int, outer_weight: np.ndarray, outer_bias: np.ndarray) -> list[Layer]:
    """The step layer (a rise and a fall neuron per (tower, axis)) and the outer sigmoid layer:
    tower m reads Σₐ wₘₐ·(riseₘₐ − fallₘₐ)."""
    units = len(rise)
    steps = np.zeros((2 * units, d))
    step_bias = np.zeros(2 * units)
    for u, ((rw, rb), (fw, fb), axis) in enumerate(zip(rise, fall, axes)):
        steps[2 * u, axis], step_bias[2 * u] = rw, rb
        steps[2 * u + 1, axis], step_bias[2 * u + 1] = fw, fb
    towers, per = outer_weight.shape
    outer = np.zeros((towers, 2 * units))
    for m in range(towers):
        for a in range(per):
            u = m * per + a
            outer[m, 2 * u], outer[m, 2 * u + 1] = outer_weight[m, a], -outer_weight[m, a]
    sigmoid = Activation.make("sigmoid")
    return [Layer((0,), steps, step_bias, sigmoid), Layer((1,), outer, outer_bias, sigmoid)]


def _neuron_pair(step: Step) -> tuple[float, float]:
    return float(_array(step.neuron.weight)[0]), float(_array(step.neuron.bias))


def _step(model: Step) -> tuple[int, list[Layer]]:
    w, b = _neuron_pair(model)
    return 1, [Layer((0,), np.array([[w]]), np.array([b]), Activation.make("sigmoid"))]


def _bump(model: Bump) -> tuple[int, list[Layer]]:
    (rw, rb), (fw, fb) = _neuron_pair(model.rise), _neuron_pair(model.fall)
    return 1, [Layer((0,), np.array([[rw], [fw]]), np.array([rb, fb]), Activation.make("sigmoid")),
               Layer((1,), np.array([[1.0, -1.0]]), np.zeros(1))]


def _tower(model: Tower) -> tuple[int, list[Layer]]:
    d = model.n_inputs
    rise = [_neuron_pair(b.rise) for b in model.bumps]
    fall = [_neuron_pair(b.fall) for b in model.bumps]
    layers = _steps_then_outer(rise, fall, list(range(d)), d, _array(model.outer.weight)[None, :],
                               _array(model.outer.bias).reshape(1))
    return d, [*layers, Layer((2,), _array(model.height).reshape(1, 1), np.zeros(1))]


def _tower_sum(model: TowerSum) -> tuple[int, list[Layer]]:
    m, d = len(model), model.n_inputs
    pairs = lambda w, b: [(float(w[i, a]), float(b[i, a])) for i in range(m) for a in range(d)]  # noqa: E731
    rise = pairs(_array(model.rise_weight), _array(model.rise_bias))
    fall = pairs(_array(model.fall_weight), _array(model.fall_bias))
    layers = _steps_then_outer(rise, fall, [a for _ in range(m) for a in range(d)], d,
                               _array(model.outer_weight), _array(model.outer_bias))
    out = model.output
    return d, [*layers, Layer((2,), _array(out.weight)[None, :], _array(out.bias).reshape(1))]


def _tower_grid(model: TowerGrid) -> tuple[int, list[Layer]]:
    d, cells = model.n_inputs, model.cells
    starts = np.concatenate([[0], np.cumsum(cells)[:-1]]).astype(int)
    steps = np.zeros((sum(cells), d))
    step_bias = np.zeros(sum(cells))
    for axis in range(d):
        rows = slice(starts[axis], starts[axis] + cells[axis])
        steps[rows, axis] = _array(getattr(model, f"steps{axis}_weight"))
        step_bias[rows] = _array(getattr(model, f"steps{axis}_bias"))
    corner_weight = _array(model.corner_weight)
    corners = np.zeros((int(np.prod(cells)), sum(cells)))
    for row, index in enumerate(np.ndindex(*cells)):
        for axis in range(d):
            corners[row, starts[axis] + index[axis]] = corner_weight[(axis, *index)]
    sigmoid = Activation.make("sigmoid")
    out = model.output
    return d, [Layer((0,), steps, step_bias, sigmoid),
               Layer((1,), corners, _array(model.corner_bias).reshape(-1), sigmoid),
               Layer((2,), _array(out.weight)[None, :], _array(out.bias).reshape(1))]


_LOWERINGS: dict[type, Callable[[Any], tuple[int, list[Layer]]]] = {
    nnl.Sequential: _sequential, nnl.MLP: _sequential, nnl.Linear: lambda m: _sequential(nnl.Sequential(m)),
    Neuron: _neuron, NeuronGraph: _neuron_graph,
    Step: _step, Bump: _bump, Tower: _tower, TowerSum: _tower_sum, TowerGrid: _tower_grid,
}


def lower(model: Module) -> Graph:
    """`model` as a Graph in its own units (ExportError naming what cannot be exported)."""
    lowering = _LOWERINGS.get(type(model))
    if lowering is None:
        raise ExportError(f"a {type(model).__name__} cannot be exported (exportable: "
                          f"{', '.join(sorted(k.__name__ for k in _LOWERINGS))})")
    n_inputs, layers = lowering(model)
    for name, parameter in model.named_parameters():
        if not np.isfinite(parameter.data).all():
            raise ExportError(f"the parameter {name!r} holds values that are not finite (nan or inf)")
    graph = Graph(n_inputs, layers, _dtype(model))
    # A chain of layers keeps its layout (an exported MLP's state_dict keys are the model's);
    # a graph's affine sums (a NeuronGraph's "f2 + f1") merge into the neurons that read them.
    return graph if lowering is _sequential else inline_identities(graph)


def export_problem(model: Module) -> str | None:
    """Why `model` cannot be exported, or None if it can (for `nnwork info`)."""
    try:
        lower(model)
    except ExportError as error:
        return str(error)
    return None
