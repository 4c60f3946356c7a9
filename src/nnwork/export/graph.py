"""The one intermediate form every exporter writes: a small DAG of affine layers with activations.

Value 0 is the input x (N, d); layer i computes value i + 1 as

    activation(concat(values[s] for s in sources) @ weightᵀ + bias)

and the last value is the output (N, k). MLPs are chains of such layers, a NeuronGraph groups
its neurons into layers, towers are two sigmoid layers and an output layer. The data's
standardisation is either folded into the layers (`fold_scaling`: an input layer W/σ, b − Wμ/σ
and an output layer σ·W, σ·b + μ, each merged into its neighbours by `inline_identities`) or
kept beside them as `x_scaling` / `y_scaling`, (mean, std) pairs the writers apply as
(x − μ)/σ and y·σ + μ. Weights are float64 here; `dtype` says what the model computes in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import numpy as np

# Options each activation takes, with nnwork's defaults (nnwork.nn.layers, nnwork.functional).
ACTIVATION_OPTIONS: dict[str, dict[str, Any]] = {
    "identity": {}, "sigmoid": {}, "tanh": {}, "relu": {}, "silu": {}, "selu": {}, "logsigmoid": {},
    "leaky_relu": {"negative_slope": 0.01},
    "softplus": {"beta": 1.0, "threshold": 20.0},
    "gelu": {"approximate": "none"},
    "elu": {"alpha": 1.0},
    "hardtanh": {"min_val": -1.0, "max_val": 1.0},
}


class ExportError(ValueError):
    """A model (or a part of it) that cannot be exported; the message names the part."""


@dataclass(frozen=True)
class Activation:
    name: str
    options: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def make(cls, name: str | None, **options: Any) -> Activation:
        name = "identity" if name is None else name
        if name not in ACTIVATION_OPTIONS:
            raise ExportError(f"the activation {name!r} cannot be exported")
        values = {**ACTIVATION_OPTIONS[name], **options}
        return cls(name, tuple((key, values[key]) for key in ACTIVATION_OPTIONS[name]))

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.options)


IDENTITY = Activation("identity")


@dataclass
class Layer:
    sources: tuple[int, ...]
    weight: np.ndarray  # (out, Σ widths of the sources), float64
    bias: np.ndarray  # (out,), float64
    activation: Activation = IDENTITY

    @property
    def width(self) -> int:
        return int(self.weight.shape[0])


@dataclass
class Graph:
    n_inputs: int
    layers: list[Layer]
    dtype: np.dtype[Any]
    x_scaling: tuple[np.ndarray, np.ndarray] | None = None
    y_scaling: tuple[np.ndarray, np.ndarray] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def width(self, value: int) -> int:
        return self.n_inputs if value == 0 else self.layers[value - 1].width

    @property
    def n_outputs(self) -> int:
        return self.width(len(self.layers))

    @property
    def is_chain(self) -> bool:
        """Every layer reads only the one before it (an MLP: a plain Sequential)."""
        return all(layer.sources == (i,) for i, layer in enumerate(self.layers))

    def offsets(self, layer: Layer) -> list[int]:
        """Where each source's columns start in the layer's weight."""
        starts, at = [], 0
        for source in layer.sources:
            starts.append(at)
            at += self.width(source)
        return starts


def with_scaling(graph: Graph, x_mean: Any, x_std: Any, y_mean: Any, y_std: Any, keep: bool) -> Graph:
    """The graph taking and returning data units: the scaling kept beside it, or folded in."""
    x_mean, x_std, y_mean, y_std = (np.asarray(a, dtype=np.float64).reshape(-1) for a in (x_mean, x_std, y_mean, y_std))
    if len(x_mean) != graph.n_inputs or len(y_mean) != graph.n_outputs:
        raise ExportError(f"the standardisation has {len(x_mean)} inputs and {len(y_mean)} outputs, but the model "
                          f"maps {graph.n_inputs} to {graph.n_outputs}")
    if keep:
        return replace(graph, x_scaling=(x_mean, x_std), y_scaling=(y_mean, y_std))
    return fold_scaling(graph, x_mean, x_std, y_mean, y_std)


def fold_scaling(graph: Graph, x_mean: np.ndarray, x_std: np.ndarray, y_mean: np.ndarray, y_std: np.ndarray) -> Graph:
    """W′ = W/σₓ, b′ = b − W′μₓ in the layers reading x; W″ = σ_y·W, b″ = σ_y·b + μ_y in the last."""
    scale_in = Layer((0,), np.diag(1.0 / x_std), -x_mean / x_std)
    shifted = [replace(layer, sources=tuple(s + 1 for s in layer.sources)) for layer in graph.layers]
    last = len(shifted) + 1
    scale_out = Layer((last,), np.diag(y_std), y_mean.copy())
    # Only the scaling merges away (into the first layers, and the model's own affine output
    # layer into the output scaling): the model's layers stay as they are, so an exported MLP
    # keeps its layout (its state_dict keys) whatever its activations.
    merged = [0] + ([len(shifted)] if shifted and shifted[-1].activation == IDENTITY else [])
    return inline_identities(replace(graph, layers=[scale_in, *shifted, scale_out]), merged)


def inline_identities(graph: Graph, only: Sequence[int] | None = None) -> Graph:
    """Merge identity (purely affine) layers into the layers that read them — those at the
    positions `only`, or every one but the output: B(…, A(u), …) with A(u) = W_A·u + b_A reads
    u with weight W_B,A·W_A and gains W_B,A·b_A."""
    layers = list(graph.layers)
    if only is None:
        only = [i for i, layer in enumerate(layers[:-1]) if layer.activation == IDENTITY]
    for index in sorted(only, reverse=True):  # from the last, so earlier positions hold
        layers = _substitute(graph, layers, index)
    return replace(graph, layers=layers)


def _substitute(graph: Graph, layers: list[Layer], index: int) -> list[Layer]:
    """Layers with layer `index` (value index + 1) replaced by its own sources in its readers."""
    inner, value = layers[index], index + 1
    view = replace(graph, layers=layers)
    inner_starts = view.offsets(inner)
    result = []
    for position, layer in enumerate(layers):
        if position == index:
            continue
        columns: dict[int, np.ndarray] = {}
        bias = layer.bias.copy()
        for source, start in zip(layer.sources, view.offsets(layer)):
            block = layer.weight[:, start : start + view.width(source)]
            if source == value:
                bias = bias + block @ inner.bias
                for s, s_start in zip(inner.sources, inner_starts):
                    part = block @ inner.weight[:, s_start : s_start + view.width(s)]
                    columns[s] = columns[s] + part if s in columns else part
            else:
                columns[source] = columns[source] + block if source in columns else block
        renumber = [s - 1 if s > value else s for s in sorted(columns)]
        weight = np.concatenate([columns[s] for s in sorted(columns)], axis=1)
        result.append(Layer(tuple(renumber), weight, bias, layer.activation))
    return result
