"""A PyTorch `.py` defining `load() -> torch.nn.Module`, with its weights beside it as safetensors.

An MLP becomes an `nn.Sequential` whose state_dict keys are nnwork's own ("0.weight", "2.bias",
…); with the standardisation kept separate it is a Sequential subclass holding it as float64
buffers (x_mean, x_std, y_mean, y_std). Other graphs become a small module reading the layers
as a DAG ("layers.0.weight", …). The weights file is the safetensors format, written here
byte for byte (so the same model gives the same bytes) and read by `load()` without the
safetensors package; `safetensors.torch.load_file` reads it too. Nothing is pickled.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

from nnwork.export.files import write_bytes, write_text
from nnwork.export.graph import Graph

_SAFETENSORS_DTYPES = {"float32": "F32", "float64": "F64"}

_TEMPLATE = '''"""An nnwork {model}, exported: `load()` gives a torch.nn.Module in the data's units.

    module = load()                      # weights from the .safetensors file beside this one
    y = module(x)                        # x (N, {d}) with the columns INPUTS, y (N, {k}): OUTPUTS

{call}
"""

import json
import struct
from pathlib import Path

import torch
from torch import nn

NNWORK_VERSION = {version!r}
INPUTS = {x_names!r}
OUTPUTS = {y_names!r}
TRAINING_DOMAIN = {domain!r}
DTYPE = torch.{dtype}
# one (sources, in_features, out_features, activation, options) per layer; source 0 is x,
# source i the output of layer i - 1
LAYERS = {layers}
CHAIN = {chain!r}  # every layer reads the one before: an nn.Sequential
SCALING = {scaling!r}  # x -> (x - x_mean) / x_std before the layers, y * y_std + y_mean after

ACTIVATIONS = {{
    "sigmoid": lambda o: nn.Sigmoid(), "tanh": lambda o: nn.Tanh(), "relu": lambda o: nn.ReLU(),
    "leaky_relu": lambda o: nn.LeakyReLU(o["negative_slope"]), "softplus": lambda o: nn.Softplus(**o),
    "gelu": lambda o: nn.GELU(**o), "silu": lambda o: nn.SiLU(), "elu": lambda o: nn.ELU(**o),
    "selu": lambda o: nn.SELU(), "logsigmoid": lambda o: nn.LogSigmoid(), "hardtanh": lambda o: nn.Hardtanh(**o),
}}


def _add_scaling(module):
    for name, size in (("x_mean", {d}), ("x_std", {d}), ("y_mean", {k}), ("y_std", {k})):
        module.register_buffer(name, torch.ones(size, dtype=torch.float64))


def _scaled(module, x, network):
    kind = x.dtype if x.is_floating_point() else torch.float64
    z = ((x.to(torch.float64) - module.x_mean) / module.x_std).to(DTYPE)
    return (network(z).to(torch.float64) * module.y_std + module.y_mean).to(kind)


class StandardizedSequential(nn.Sequential):
    """An nn.Sequential between the data's scaling, computed in float64 as nnwork does."""

    def __init__(self, *modules):
        super().__init__(*modules)
        _add_scaling(self)

    def forward(self, x):
        return _scaled(self, x, super().forward)


class Graph(nn.Module):
    """Linear layers wired as a DAG: layer i reads the columns of its sources side by side."""

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(n_in, n_out, dtype=DTYPE) for _, n_in, n_out, _, _ in LAYERS)
        self.activations = nn.ModuleList(
            nn.Identity() if act == "identity" else ACTIVATIONS[act](options) for _, _, _, act, options in LAYERS)
        if SCALING:
            _add_scaling(self)

    def network(self, x):
        values = [x]
        for (sources, _, _, _, _), layer, activation in zip(LAYERS, self.layers, self.activations):
            inputs = values[sources[0]] if len(sources) == 1 else torch.cat([values[s] for s in sources], dim=1)
            values.append(activation(layer(inputs)))
        return values[-1]

    def forward(self, x):
        return _scaled(self, x, self.network) if SCALING else self.network(x)


def build():
    """The module with placeholder weights (see `load`)."""
    if not CHAIN:
        return Graph()
    modules = []
    for i, (_, n_in, n_out, activation, options) in enumerate(LAYERS):
        modules.append(nn.Linear(n_in, n_out, dtype=DTYPE))
        if activation != "identity":
            modules.append(ACTIVATIONS[activation](options))
        elif i < len(LAYERS) - 1:  # nnwork's MLP keeps an Identity between layers: the same keys
            modules.append(nn.Identity())
    return StandardizedSequential(*modules) if SCALING else nn.Sequential(*modules)


def read_safetensors(path):
    """The tensors of a safetensors file (8-byte header size, JSON header, raw little-endian data)."""
    data = Path(path).read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    body = data[8 + size :]
    kinds = {{"F32": torch.float32, "F64": torch.float64}}
    tensors = {{}}
    for name, info in header.items():
        if name != "__metadata__":
            start, end = info["data_offsets"]
            flat = torch.frombuffer(bytearray(body[start:end]), dtype=kinds[info["dtype"]])
            tensors[name] = flat.reshape(info["shape"])
    return tensors


def load(weights=None):
    """The exported module, its weights read from `weights` (default: this file's .safetensors)."""
    module = build()
    module.load_state_dict(read_safetensors(weights or Path(__file__).with_suffix(".safetensors")))
    return module
'''


def weights_path(path: Path) -> Path:
    return path.with_suffix(".safetensors")


def state_dict(graph: Graph) -> dict[str, np.ndarray]:
    """The arrays `load()`'s module expects, by name."""
    tensors: dict[str, np.ndarray] = {}
    position = 0
    for i, layer in enumerate(graph.layers):
        prefix = f"{position}." if graph.is_chain else f"layers.{i}."
        tensors[prefix + "weight"] = np.asarray(layer.weight, dtype=graph.dtype)
        tensors[prefix + "bias"] = np.asarray(layer.bias, dtype=graph.dtype)
        last = i == len(graph.layers) - 1
        position += 1 if last and layer.activation.name == "identity" else 2
    for which, scaling in (("x", graph.x_scaling), ("y", graph.y_scaling)):
        if scaling is not None:
            tensors[f"{which}_mean"], tensors[f"{which}_std"] = scaling
    return tensors


def safetensors_bytes(tensors: dict[str, np.ndarray], metadata: dict[str, str]) -> bytes:
    """The safetensors encoding of `tensors`, in name order, header padded to 8 bytes."""
    header: dict[str, object] = {"__metadata__": metadata}
    chunks, offset = [], 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name], dtype=tensors[name].dtype.newbyteorder("<"))
        raw = array.tobytes()
        header[name] = {"dtype": _SAFETENSORS_DTYPES[array.dtype.name], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def torch_source(graph: Graph) -> str:
    meta = graph.metadata
    layers = "[\n" + "".join(
        f"    ({layer.sources!r}, {layer.weight.shape[1]}, {layer.width}, {layer.activation.name!r}, "
        f"{layer.activation.kwargs!r}),\n" for layer in graph.layers) + "]"
    call = ("It takes and returns float64 or float32 tensors; the layers compute in DTYPE."
            if graph.x_scaling is not None else "x must have the layers' dtype, DTYPE.")
    return _TEMPLATE.format(model=meta["model"], d=graph.n_inputs, k=graph.n_outputs, call=call,
                            version=meta["nnwork_version"], x_names=meta["x_names"], y_names=meta["y_names"],
                            domain=meta["domain"], dtype=graph.dtype.name, layers=layers, chain=graph.is_chain,
                            scaling=graph.x_scaling is not None)


def write_torch(graph: Graph, path: Path) -> list[Path]:
    metadata = {"format": "pt", "nnwork_version": str(graph.metadata["nnwork_version"]),
                "inputs": json.dumps(graph.metadata["x_names"]), "outputs": json.dumps(graph.metadata["y_names"])}
    weights = write_bytes(weights_path(path), safetensors_bytes(state_dict(graph), metadata))
    return [write_text(path, torch_source(graph)), weights]
