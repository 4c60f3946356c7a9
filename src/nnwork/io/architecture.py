"""A model's architecture as JSON data, and the model rebuilt from it, with no code executed.

`architecture(model)` describes a module as {"type": name, ...its constructor arguments};
`build(architecture)` constructs an equal module (fresh parameters: a model file then fills
them in). Both go through a registry of module types, so other parts of nnwork (towers, ...)
and users can add their own with `register_architecture(cls, describe, build)`. Since a file's
header is untrusted data, every builder checks each field's type and range and rejects unknown
fields, and `build(..., max_parameters=n)` refuses, before allocating, a header that claims
more parameters than its file holds.
"""

from __future__ import annotations

import math
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from nnwork.functional import ACTIVATION_FUNCTIONS
from nnwork.io.tree import to_json
from nnwork.nn import layers
from nnwork.nn.layers import ACTIVATIONS, MLP, LeakyReLU, Linear, Sequential
from nnwork.nn.module import Module
from nnwork.nn.neuron import Neuron, NeuronGraph

Describe = Callable[[Any], dict[str, Any]]
Build = Callable[[dict[str, Any]], Module]
DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class _Entry:
    name: str
    cls: type[Module]
    describe: Describe
    build: Build


_BY_CLASS: dict[type, _Entry] = {}
_BY_NAME: dict[str, _Entry] = {}
_BUDGET: ContextVar[list[int] | None] = ContextVar("nnwork_io_parameter_budget", default=None)


def register_architecture(cls: type[Module], describe: Describe, build: Build, *, name: str | None = None) -> None:
    """Teach `architecture`/`build` (and so `save`/`load`) a module type.

    **Arguments:**
        cls: the Module subclass; only exactly this type matches (a subclass may compute
            something else, so it must register itself).
        describe: `describe(model) -> dict` of JSON data (without "type") enough to rebuild it.
        build: `build(fields) -> cls instance` from that dict. It receives untrusted data: check
            every field (ValueError naming it), reject unknown ones, call `reserve_parameters`
            before allocating, and build children with `nnwork.io.build`.
        name: the "type" written to files (default `cls.__name__`).
    """
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise TypeError(f"`cls` must be a Module subclass, got {cls!r}")
    if not callable(describe) or not callable(build):
        raise TypeError(f"`describe` and `build` must be callables, got {describe!r} and {build!r}")
    name = cls.__name__ if name is None else name
    if not isinstance(name, str) or not name:
        raise ValueError(f"`name` must be a non-empty string, got {name!r}")
    if name in _BY_NAME and _BY_NAME[name].cls is not cls:
        raise ValueError(f"the architecture name {name!r} is already taken by {_BY_NAME[name].cls!r}")
    if cls in _BY_CLASS:
        del _BY_NAME[_BY_CLASS[cls].name]
    _BY_CLASS[cls] = _BY_NAME[name] = _Entry(name, cls, describe, build)


def is_registered(cls: type) -> bool:
    return cls in _BY_CLASS


def architecture(model: Module) -> dict[str, Any]:
    """The JSON description of `model`: {"type": ..., fields...}. TypeError if its type is unknown."""
    entry = _BY_CLASS.get(type(model))
    if entry is None:
        kind = type(model)
        raise TypeError(
            f"cannot describe a {kind.__module__}.{kind.__qualname__}: only registered module types "
            f"can be saved ({', '.join(sorted(_BY_NAME))}). Register it with "
            f"nnwork.io.register_architecture({kind.__name__}, describe, build)"
        )
    fields = entry.describe(model)
    if not isinstance(fields, dict) or "type" in fields:
        raise TypeError(f"the describe function of {entry.name} must return a dict without 'type', got {fields!r:.100}")
    return {"type": entry.name, **to_json(fields, f"the architecture of {entry.name}")}


def build(architecture: Mapping[str, Any], *, max_parameters: int | None = None) -> Module:
    """A new module of the described architecture (ValueError if the description is invalid).

    `max_parameters` caps the number of parameter values the builders may allocate in total.
    """
    if not isinstance(architecture, Mapping):
        raise ValueError(f"an architecture must be a JSON object, got {type(architecture).__name__}")
    kind = architecture.get("type")
    entry = _BY_NAME.get(kind) if isinstance(kind, str) else None
    if entry is None:
        raise ValueError(
            f"unknown architecture type {kind!r}; known: {sorted(_BY_NAME)} "
            "(others can be added with nnwork.io.register_architecture)"
        )
    token = None if max_parameters is None else _BUDGET.set([max_parameters])
    try:
        model = entry.build({k: v for k, v in architecture.items() if k != "type"})
    finally:
        if token is not None:
            _BUDGET.reset(token)
    if type(model) is not entry.cls:
        raise TypeError(f"the build function of {entry.name} returned a {type(model).__name__}")
    return model


def reserve_parameters(count: int, what: str) -> None:
    """For builders: claim `count` parameter values before allocating them (see `build`)."""
    budget = _BUDGET.get()
    if budget is not None:
        if count > budget[0]:
            raise ValueError(f"{what} needs {count:,} parameter values, but only {budget[0]:,} remain")
        budget[0] -= count


# ---- checking untrusted fields ----------------------------------------------------------------
def _fields(spec: dict[str, Any], kind: str, required: tuple[str, ...]) -> None:
    missing = [k for k in required if k not in spec]
    unknown = [k for k in spec if k not in required]
    if missing or unknown:
        raise ValueError(f"{kind} architecture: missing fields {missing}, unknown fields {unknown}")


def _int(spec: dict[str, Any], key: str, kind: str) -> int:
    value = spec[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{kind} architecture: `{key}` must be a positive integer, got {value!r:.50}")
    return value


def _choice(spec: dict[str, Any], key: str, kind: str, choices: Any) -> Any:
    value = spec[key]
    if not (value is None or isinstance(value, str)) or value not in choices:
        raise ValueError(f"{kind} architecture: `{key}` must be one of {sorted(choices, key=str)}, got {value!r:.50}")
    return value


def _names(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a non-empty list of strings, got {value!r:.80}")
    return value


def _dtype_name(model: Module) -> str:
    params = model.parameters()
    return params[0].data.dtype.name if params else "float32"


# ---- the built-in types ------------------------------------------------------------------------
def _build_linear(spec: dict[str, Any]) -> Linear:
    _fields(spec, "Linear", ("in_features", "out_features", "bias", "dtype"))
    n_in, n_out = _int(spec, "in_features", "Linear"), _int(spec, "out_features", "Linear")
    bias = spec["bias"]
    if not isinstance(bias, bool):
        raise ValueError(f"Linear architecture: `bias` must be true or false, got {spec['bias']!r:.50}")
    reserve_parameters(n_in * n_out + (n_out if bias else 0), "Linear")
    return Linear(n_in, n_out, bias=bias, generator=0, dtype=_choice(spec, "dtype", "Linear", DTYPES))


def _build_mlp(spec: dict[str, Any]) -> MLP:
    _fields(spec, "MLP", ("sizes", "activation", "output_activation", "dtype"))
    sizes = spec["sizes"]
    if not isinstance(sizes, list) or len(sizes) < 2:
        raise ValueError(f"MLP architecture: `sizes` must be a list of at least 2 sizes, got {sizes!r:.80}")
    sizes = [_int({"sizes": n}, "sizes", "MLP") for n in sizes]
    activation = _choice(spec, "activation", "MLP", [None, *ACTIVATIONS])
    output = _choice(spec, "output_activation", "MLP", [None, *ACTIVATIONS])
    reserve_parameters(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])), "MLP")
    dtype = _choice(spec, "dtype", "MLP", DTYPES)
    return MLP(sizes, activation, output, generator=0, dtype=dtype)  # type: ignore[arg-type]


def _build_sequential(spec: dict[str, Any]) -> Sequential:
    _fields(spec, "Sequential", ("modules",))
    if not isinstance(spec["modules"], list):
        raise ValueError(f"Sequential architecture: `modules` must be a list, got {spec['modules']!r:.50}")
    return Sequential(*[build(child) for child in spec["modules"]])


def _build_leaky_relu(spec: dict[str, Any]) -> LeakyReLU:
    _fields(spec, "LeakyReLU", ("negative_slope",))
    slope = spec["negative_slope"]
    if isinstance(slope, bool) or not isinstance(slope, (int, float)) or not math.isfinite(slope):
        raise ValueError(f"LeakyReLU architecture: `negative_slope` must be a finite number, got {slope!r:.50}")
    return LeakyReLU(slope)


def _build_neuron(spec: dict[str, Any]) -> Neuron:
    _fields(spec, "Neuron", ("n_inputs", "activation", "dtype"))
    n_inputs = _int(spec, "n_inputs", "Neuron")
    activation = _choice(spec, "activation", "Neuron", [None, *ACTIVATION_FUNCTIONS])
    reserve_parameters(n_inputs + 1, "Neuron")
    return Neuron(n_inputs, activation, generator=0, dtype=_choice(spec, "dtype", "Neuron", DTYPES))


def _describe_graph(graph: NeuronGraph) -> dict[str, Any]:
    if not graph.wiring:
        raise ValueError("cannot describe a NeuronGraph with no neurons; add some with .neuron(...)")
    neurons = [
        {"name": name, "inputs": [list(terms) for terms in wiring], "activation": getattr(graph, name).activation}
        for name, wiring in graph.wiring.items()
    ]
    return {"inputs": list(graph.inputs), "neurons": neurons, "outputs": graph.outputs, "dtype": _dtype_name(graph)}


def _build_graph(spec: dict[str, Any]) -> NeuronGraph:
    _fields(spec, "NeuronGraph", ("inputs", "neurons", "outputs", "dtype"))
    graph = NeuronGraph(_names(spec["inputs"], "NeuronGraph `inputs`"), generator=0,
                        dtype=_choice(spec, "dtype", "NeuronGraph", DTYPES))
    if not isinstance(spec["neurons"], list):
        raise ValueError(f"NeuronGraph architecture: `neurons` must be a list, got {spec['neurons']!r:.50}")
    for i, neuron in enumerate(spec["neurons"]):
        where = f"NeuronGraph `neurons[{i}]`"
        if not isinstance(neuron, dict):
            raise ValueError(f"{where} must be a JSON object, got {neuron!r:.50}")
        _fields(neuron, where, ("name", "inputs", "activation"))
        if not isinstance(neuron["name"], str) or not isinstance(neuron["inputs"], list) or not neuron["inputs"]:
            raise ValueError(f"{where} needs a string `name` and a non-empty list `inputs`, got {neuron!r:.80}")
        wiring = [" + ".join(_names(terms, f"{where} inputs")) for terms in neuron["inputs"]]
        activation = _choice(neuron, "activation", where, [None, *ACTIVATION_FUNCTIONS])
        reserve_parameters(len(wiring) + 1, where)
        graph.neuron(neuron["name"], *wiring, activation=activation)
    graph.outputs = _names(spec["outputs"], "NeuronGraph `outputs`")
    return graph


def _no_fields(cls: type[Module]) -> Build:
    def build_activation(spec: dict[str, Any]) -> Module:
        _fields(spec, cls.__name__, ())
        return cls()

    return build_activation


register_architecture(
    Linear,
    lambda m: {"in_features": m.in_features, "out_features": m.out_features, "bias": m.bias is not None,
               "dtype": _dtype_name(m)},
    _build_linear,
)
register_architecture(
    MLP,
    lambda m: {"sizes": [int(n) for n in m.sizes], "activation": m.activation,
               "output_activation": m.output_activation, "dtype": _dtype_name(m)},
    _build_mlp,
)
register_architecture(Sequential, lambda m: {"modules": [architecture(c) for c in m]}, _build_sequential)
register_architecture(LeakyReLU, lambda m: {"negative_slope": m.negative_slope}, _build_leaky_relu)
for _cls in (layers.Sigmoid, layers.Tanh, layers.ReLU, layers.Identity):
    register_architecture(_cls, lambda m: {}, _no_fields(_cls))
del _cls
for _cls in (layers.SiLU, layers.SELU, layers.LogSigmoid):
    register_architecture(_cls, lambda m: {}, _no_fields(_cls))
del _cls


def _options(cls: type[Module], defaults: dict[str, Any]) -> tuple[Describe, Build]:
    """describe/build for an activation whose constructor takes these options. A field left
    out takes its default (files written before Softplus had options have none)."""

    def describe(module: Module) -> dict[str, Any]:
        return {name: getattr(module, name) for name in defaults}

    def build_activation(spec: dict[str, Any]) -> Module:
        unknown = [k for k in spec if k not in defaults]
        if unknown:
            raise ValueError(f"{cls.__name__} architecture: unknown fields {unknown}")
        options = {**defaults, **spec}
        for name, value in options.items():
            if isinstance(defaults[name], str):
                if not isinstance(value, str):
                    raise ValueError(f"{cls.__name__} architecture: `{name}` must be a string, got {value!r:.50}")
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{cls.__name__} architecture: `{name}` must be a finite number, got {value!r:.50}")
        return cls(**options)

    return describe, build_activation


register_architecture(layers.Softplus, *_options(layers.Softplus, {"beta": 1.0, "threshold": 20.0}))
register_architecture(layers.GELU, *_options(layers.GELU, {"approximate": "none"}))
register_architecture(layers.ELU, *_options(layers.ELU, {"alpha": 1.0}))
register_architecture(layers.Hardtanh, *_options(layers.Hardtanh, {"min_val": -1.0, "max_val": 1.0}))
register_architecture(
    Neuron,
    lambda m: {"n_inputs": m.n_inputs, "activation": m.activation, "dtype": _dtype_name(m)},
    _build_neuron,
)
register_architecture(NeuronGraph, _describe_graph, _build_graph)

# The tower modules register themselves the same way (imported last: it uses the helpers above).
from nnwork.io import tower_architectures as _tower_architectures  # noqa: E402, F401
from nnwork.io import layer_architectures as _layer_architectures  # noqa: E402, F401
