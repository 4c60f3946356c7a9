"""Single neurons, and networks wired from them neuron by neuron.

A neuron is the function f(θ, x) = σ(w·x + b) with its own parameters θ = (w, b). A
NeuronGraph wires named neurons into any directed acyclic graph: each neuron's input is a
network input, another neuron, or a sum of them. The explanation's example network

    F(Θ, x) = f(θ₅, f(θ₃, f(θ₂, x₂) + f(θ₁, x₁)), f(θ₄, f(θ₂, x₂)))

is written

    F = NeuronGraph(inputs=["x1", "x2"])
    F.neuron("f1", "x1")
    F.neuron("f2", "x2")
    F.neuron("f3", "f2 + f1")
    F.neuron("f4", "f2")
    F.neuron("f5", "f3", "f4")
"""

from __future__ import annotations

import keyword
from typing import Any, Sequence

import numpy as np

from nnwork import functional as F
from nnwork import rng
from nnwork.functional import ACTIVATION_FUNCTIONS
from nnwork.functions import stack
from nnwork.nn.config import Fields, dtype_name, reserve_parameters, string_list
from nnwork.nn.module import Module, Parameter
from nnwork.tensor import Tensor


class Neuron(Module):
    """f(θ, x) = activation(w·x + b) for x of shape (..., n_inputs), giving shape (...).

    Arguments:
        n_inputs: how many numbers the neuron reads.
        activation: "sigmoid" (default), "tanh", "relu", "leaky_relu", "softplus" or "identity".
        weight, bias: initial values (default: uniform ±1/√n_inputs, and 0).
        generator: a seed or np.random.Generator for the random initial weights.
    """

    def __init__(
        self,
        n_inputs: int,
        activation: str = "sigmoid",
        weight: Any = None,
        bias: float = 0.0,
        generator: int | np.random.Generator | None = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        if isinstance(n_inputs, bool) or not isinstance(n_inputs, (int, np.integer)) or n_inputs < 1:
            raise ValueError(f"`n_inputs` must be a positive integer, got {n_inputs!r}")
        self._activate = F.activation_function(activation)
        if weight is None:
            limit = 1.0 / np.sqrt(n_inputs)
            weight = rng.generator(generator).uniform(-limit, limit, size=n_inputs)
        weight = np.asarray(weight, dtype=np.float64).reshape(-1)
        if weight.shape != (n_inputs,):
            raise ValueError(f"`weight` must have {n_inputs} values, got shape {weight.shape}")
        self.n_inputs, self.activation = int(n_inputs), activation
        self.weight = Parameter(weight, dtype=dtype)
        self.bias = Parameter(np.asarray(bias, dtype=np.float64).reshape(()), dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim == 0 or x.shape[-1] != self.n_inputs:
            raise ValueError(f"Neuron expects inputs of shape (..., {self.n_inputs}), got {x.shape}")
        return self._activate(x @ self.weight + self.bias)

    def extra_repr(self) -> str:
        return f"n_inputs={self.n_inputs}, activation={self.activation!r}"

    def config(self) -> dict[str, Any]:
        return {"n_inputs": self.n_inputs, "activation": self.activation, "dtype": dtype_name(self)}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> Neuron:
        f = Fields(fields, "Neuron", ("n_inputs", "activation", "dtype"))
        n_inputs, activation = f.positive_int("n_inputs"), f.choice("activation", [None, *ACTIVATION_FUNCTIONS])
        reserve_parameters(n_inputs + 1, "Neuron")
        return cls(n_inputs, activation, generator=0, dtype=f.dtype())


class NeuronGraph(Module):
    """Neurons wired by name into any DAG, evaluated on a whole batch at once.

    `neuron(name, *inputs)` adds a neuron reading one number per input; each input is the
    name of a network input or of an earlier neuron, or a sum of them written "a + b".
    Calling the graph on x of shape (N, len(inputs)) returns (N, len(outputs)); `outputs`
    defaults to the last neuron added.
    """

    def __init__(
        self,
        inputs: Sequence[str],
        generator: int | np.random.Generator | None = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        inputs = list(inputs)
        if not inputs:
            raise ValueError("NeuronGraph needs at least one input name")
        self.inputs: list[str] = []
        for name in inputs:
            self._check_new_name(name)
            self.inputs.append(name)
        self.wiring: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._outputs: list[str] | None = None
        self._generator, self._dtype = rng.generator(generator), dtype

    def _check_new_name(self, name: str) -> None:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise ValueError(f"{name!r} is not a usable name: use letters, digits and _ (e.g. 'f1')")
        if name in getattr(self, "inputs", ()) or name in getattr(self, "wiring", {}) or hasattr(self, name):
            raise ValueError(f"the name {name!r} is already taken in this NeuronGraph")

    def neuron(self, name: str, *inputs: str, activation: str = "sigmoid", **init: Any) -> NeuronGraph:
        """Add neuron `name` reading `inputs` (each "a" or "a + b + …"); returns the graph."""
        self._check_new_name(name)
        if not inputs:
            raise ValueError(f"neuron {name!r} needs at least one input")
        known = self.inputs + list(self.wiring)
        wiring = []
        for spec in inputs:
            terms = tuple(term.strip() for term in str(spec).split("+"))
            for term in terms:
                if term not in known:
                    raise ValueError(
                        f"neuron {name!r}: input {spec!r} refers to {term!r}, which is not an "
                        f"input or an earlier neuron; known names: {known}"
                    )
            wiring.append(terms)
        init.setdefault("generator", self._generator)
        neuron = Neuron(len(wiring), activation=activation, dtype=self._dtype, **init)
        setattr(self, name, neuron)
        self.wiring[name] = tuple(wiring)
        return self

    @property
    def outputs(self) -> list[str]:
        if self._outputs is not None:
            return list(self._outputs)
        return list(self.wiring)[-1:]

    @outputs.setter
    def outputs(self, names: Sequence[str]) -> None:
        names = [names] if isinstance(names, str) else list(names)
        unknown = [n for n in names if n not in self.wiring and n not in self.inputs]
        if not names or unknown:
            raise ValueError(f"outputs must name neurons of the graph; unknown: {unknown or names}")
        self._outputs = names

    def forward(self, x: Tensor, return_all: bool = False) -> Any:
        """Evaluate every neuron in the order added. With `return_all`, also return the dict
        of every node's value (inputs and neurons), shape (N,) each."""
        if not self.wiring:
            raise ValueError("this NeuronGraph has no neurons yet; add some with .neuron(...)")
        if x.ndim != 2 or x.shape[1] != len(self.inputs):
            raise ValueError(
                f"NeuronGraph with inputs {self.inputs} expects x of shape (N, {len(self.inputs)}), got {x.shape}"
            )
        values: dict[str, Tensor] = {name: x[:, i] for i, name in enumerate(self.inputs)}
        for name, wiring in self.wiring.items():
            columns = []
            for terms in wiring:
                total = values[terms[0]]
                for term in terms[1:]:
                    total = total + values[term]
                columns.append(total)
            values[name] = getattr(self, name)(stack(columns, axis=-1))
        out = stack([values[name] for name in self.outputs], axis=-1)
        return (out, values) if return_all else out

    def config(self) -> dict[str, Any]:
        if not self.wiring:
            raise ValueError("cannot describe a NeuronGraph with no neurons; add some with .neuron(...)")
        neurons = [
            {"name": name, "inputs": [list(terms) for terms in wiring], "activation": getattr(self, name).activation}
            for name, wiring in self.wiring.items()
        ]
        return {"inputs": list(self.inputs), "neurons": neurons, "outputs": self.outputs, "dtype": dtype_name(self)}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> NeuronGraph:
        f = Fields(fields, "NeuronGraph", ("inputs", "neurons", "outputs", "dtype"))
        graph = cls(string_list(f.raw("inputs"), "NeuronGraph `inputs`"), generator=0, dtype=f.dtype())
        if not isinstance(f.raw("neurons"), list):
            raise ValueError(f"NeuronGraph architecture: `neurons` must be a list, got {f.raw('neurons')!r:.50}")
        for i, neuron in enumerate(f.raw("neurons")):
            where = f"NeuronGraph `neurons[{i}]`"
            if not isinstance(neuron, dict):
                raise ValueError(f"{where} must be a JSON object, got {neuron!r:.50}")
            n = Fields(neuron, where, ("name", "inputs", "activation"))
            if not isinstance(neuron["name"], str) or not isinstance(neuron["inputs"], list) or not neuron["inputs"]:
                raise ValueError(f"{where} needs a string `name` and a non-empty list `inputs`, got {neuron!r:.80}")
            wiring = [" + ".join(string_list(terms, f"{where} inputs")) for terms in neuron["inputs"]]
            activation = n.choice("activation", [None, *ACTIVATION_FUNCTIONS])
            reserve_parameters(len(wiring) + 1, where)
            graph.neuron(neuron["name"], *wiring, activation=activation)
        graph.outputs = string_list(f.raw("outputs"), "NeuronGraph `outputs`")
        return graph

    def extra_repr(self) -> str:
        wires = "; ".join(f"{n} <- {', '.join(' + '.join(t) for t in w)}" for n, w in self.wiring.items())
        return f"inputs={self.inputs}: {wires}"


def example_network(generator: int | np.random.Generator | None = None, dtype: Any = np.float32) -> NeuronGraph:
    """The explanation's five-neuron network F(Θ, x) = f(θ₅, f(θ₃, f(θ₂,x₂) + f(θ₁,x₁)), f(θ₄, f(θ₂,x₂)))."""
    F = NeuronGraph(inputs=["x1", "x2"], generator=generator, dtype=dtype)
    F.neuron("f1", "x1")
    F.neuron("f2", "x2")
    F.neuron("f3", "f2 + f1")
    F.neuron("f4", "f2")
    F.neuron("f5", "f3", "f4")
    return F
