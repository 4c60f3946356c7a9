"""`from_torch`: a torch.nn.Sequential of Linear layers and activations (or its state_dict) as an
nnwork network, with the data's scaling when the module carries it (an nnwork torch export).

Returns a `workflow.Predictor`: `.model` is the nnwork MLP (or a Sequential, when the layers
are not an MLP's: mixed activations, options other than the defaults, a Linear without bias),
`.standardizer` the scaling (the identity for a plain module), and calling it predicts in the
data's units. Save it with `nnwork.io.save(p.model, path, standardization=p.standardizer.to_dict())`.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from nnwork.export.graph import ACTIVATION_OPTIONS
from nnwork import nn as nnl
from nnwork.nn.module import Module

# torch class name -> nnwork activation name (its options are read from the torch module)
_TORCH_ACTIVATIONS = {
    "Sigmoid": "sigmoid", "Tanh": "tanh", "ReLU": "relu", "LeakyReLU": "leaky_relu", "Softplus": "softplus",
    "GELU": "gelu", "SiLU": "silu", "ELU": "elu", "SELU": "selu", "LogSigmoid": "logsigmoid",
    "Hardtanh": "hardtanh", "Identity": "identity",
}
_SCALING = ("x_mean", "x_std", "y_mean", "y_std")


def _numpy(tensor: Any) -> np.ndarray:
    array = tensor.detach().cpu().numpy() if hasattr(tensor, "detach") else np.asarray(tensor)
    if array.dtype not in (np.float32, np.float64):
        raise ValueError(f"from_torch reads float32 or float64 weights, got {array.dtype}")
    return np.array(array)


def _layers_of_module(module: Any) -> tuple[list[tuple[str, Any]], dict[str, np.ndarray]]:
    """[("linear", (weight, bias)) or ("activation", (name, options))] and the state arrays."""
    import torch

    if not isinstance(module, torch.nn.Sequential):
        raise ValueError(f"from_torch reads a torch.nn.Sequential of Linear layers and activations, "
                         f"got a {type(module).__name__}")
    steps: list[tuple[str, Any]] = []
    for child in module:
        kind = type(child).__name__
        if isinstance(child, torch.nn.Linear):
            bias = None if child.bias is None else _numpy(child.bias)
            steps.append(("linear", (_numpy(child.weight), bias)))
        elif kind in _TORCH_ACTIVATIONS and type(child).__module__.startswith("torch.nn"):
            name = _TORCH_ACTIVATIONS[kind]
            steps.append(("activation", (name, {k: getattr(child, k) for k in ACTIVATION_OPTIONS[name]})))
        else:
            raise ValueError(f"from_torch cannot read the {kind} at position {len(steps)}: only Linear layers "
                             f"and the activations {sorted(_TORCH_ACTIVATIONS)}")
    buffers = {name: _numpy(b) for name, b in module.named_buffers(recurse=False)}
    return steps, buffers


def _layers_of_state_dict(state: Mapping[str, Any], activation: str | None) -> tuple[list[tuple[str, Any]], dict]:
    positions = sorted({int(key.split(".")[0]) for key in state if key.split(".")[0].isdigit()})
    unknown = [k for k in state if not k.split(".")[0].isdigit() and k not in _SCALING]
    if unknown or not positions:
        raise ValueError(f"from_torch reads the state_dict of an nn.Sequential ('0.weight', '0.bias', ...), "
                         f"got the keys {sorted(state)[:10]}")
    if len(positions) > 1 and activation is None:
        raise ValueError("a state_dict does not say which activation sits between its layers: "
                         "pass activation=, e.g. from_torch(state_dict, activation='tanh')")
    steps: list[tuple[str, Any]] = []
    for i, position in enumerate(positions):
        bias = state.get(f"{position}.bias")
        steps.append(("linear", (_numpy(state[f"{position}.weight"]), None if bias is None else _numpy(bias))))
        if i < len(positions) - 1:
            steps.append(("activation", (activation, dict(ACTIVATION_OPTIONS.get(activation, {})))))
    return steps, {k: _numpy(state[k]) for k in _SCALING if k in state}


def _as_mlp(steps: list[tuple[str, Any]]) -> tuple[list[int], str, str | None] | None:
    """sizes, activation, output_activation if `steps` are exactly an nnwork MLP's layers."""
    linears = [value for kind, value in steps if kind == "linear"]
    if any(bias is None for _, bias in linears) or steps[0][0] != "linear":
        return None
    pattern = [kind for kind, _ in steps]
    n = len(linears)
    hidden = ["linear", "activation"] * (n - 1) + ["linear"]
    if pattern not in (hidden, hidden + ["activation"]):
        return None
    acts = [value for kind, value in steps if kind == "activation"]
    if any(options != ACTIVATION_OPTIONS[name] for name, options in acts):
        return None
    between = {name for name, _ in acts[: n - 1]}
    if len(between) > 1 or "identity" in between:
        return None
    sizes = [linears[0][0].shape[1]] + [w.shape[0] for w, _ in linears]
    output = acts[n - 1][0] if len(acts) == n else None
    return sizes, (between.pop() if between else "tanh"), output


def _nnwork_modules(steps: list[tuple[str, Any]], dtype: Any) -> list[Module]:
    modules: list[Module] = []
    for kind, value in steps:
        if kind == "linear":
            weight, bias = value
            modules.append(nnl.Linear(weight.shape[1], weight.shape[0], bias=bias is not None, generator=0, dtype=dtype))
        else:
            name, options = value
            modules.append(nnl.ACTIVATIONS[name](**options))
    return modules


def from_torch(source: Any, *, activation: str | None = None) -> Any:
    """An nnwork Predictor from a torch.nn.Sequential (Linear + activations) or its state_dict.

    activation: for a state_dict only, the activation between its layers (a module says it).
    """
    from nnwork.data import Standardizer
    from nnwork.workflow import Predictor

    if activation is not None and activation not in nnl.ACTIVATIONS:
        raise ValueError(f"`activation` must be one of {sorted(nnl.ACTIVATIONS)}, got {activation!r}")
    if isinstance(source, Mapping):
        steps, buffers = _layers_of_state_dict(source, activation)
    else:
        steps, buffers = _layers_of_module(source)
    linears = [value for kind, value in steps if kind == "linear"]
    if not linears:
        raise ValueError("from_torch needs at least one Linear layer")
    dtype = linears[0][0].dtype
    if steps[0][0] != "linear":
        raise ValueError("from_torch needs the Sequential to start with a Linear layer (its input size)")
    mlp = _as_mlp(steps)
    if mlp is not None:
        model: Module = nnl.MLP(mlp[0], mlp[1], mlp[2], generator=0, dtype=dtype)
    else:
        model = nnl.Sequential(*_nnwork_modules(steps, dtype))
    state = {}
    for position, (kind, value) in enumerate(steps):
        if kind == "linear":
            state[f"{position}.weight"] = value[0].astype(dtype)
            if value[1] is not None:
                state[f"{position}.bias"] = value[1].astype(dtype)
    model.load_state_dict(state)
    d, k = linears[0][0].shape[1], linears[-1][0].shape[0]
    if set(_SCALING) <= set(buffers):
        scaling = {name: buffers[name].astype(np.float64).tolist() for name in _SCALING}
    else:
        scaling = {"x_mean": [0.0] * d, "x_std": [1.0] * d, "y_mean": [0.0] * k, "y_std": [1.0] * k}
    return Predictor(model, Standardizer.from_dict(scaling))
