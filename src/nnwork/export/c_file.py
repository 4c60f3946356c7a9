"""C99 source: `NAME.c` and `NAME.h` with `void NAME(const T *x, T *y)` and `NAME_batch`.

T is double, or float with `real="float"`. No allocation and nothing beyond <math.h> (and
<stddef.h> for size_t): the weights are `static const` arrays, each layer a loop into a local
array of its width. Only the activations the model uses are written (an unused static
function would fail `-Wall -Werror`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nnwork.export.files import c_identifier, comment_text, write_text
from nnwork.export.graph import Activation, Graph
from nnwork.export.numpy_runtime import SELU_ALPHA, SELU_SCALE, SQRT_2_OVER_PI, SQRT_HALF, GELU_KAPPA

# The body of each activation, of `a` (and its options), with {f} the math.h suffix ("" or "f").
_BODIES = {
    "sigmoid": "return 1 / (1 + exp{f}(-a));",
    "tanh": "return tanh{f}(a);",
    "relu": "return a <= 0 ? 0 : a;",
    "leaky_relu": "return a > 0 ? a : a * negative_slope;",
    "softplus": ("{T} s = a * beta;\n    if (s > threshold) return a;\n"
                 "    return (fmax{f}(s, 0) + log1p{f}(exp{f}(-fabs{f}(s)))) / beta;"),
    "gelu": ("if (tanh_form) return ({T})0.5 * a * (1 + tanh{f}(({T}){k1} * (a + ({T}){k2} * a * a * a)));\n"
             "    return a * ({T})(0.5 * erfc(-(double)a * {h}));"),
    "silu": "return a / (1 + exp{f}(-a));",
    "elu": "return (a > 0 ? a : alpha * expm1{f}(a)) * scale;",
    "logsigmoid": "return fmin{f}(a, 0) - log1p{f}(exp{f}(-fabs{f}(a)));",
    "hardtanh": "return a < min_val ? min_val : (a > max_val ? max_val : a);",
}
_PARAMETERS = {
    "leaky_relu": ("negative_slope",), "softplus": ("beta", "threshold"), "gelu": ("tanh_form",),
    "elu": ("alpha", "scale"), "hardtanh": ("min_val", "max_val"),
}


def _literal(value: float, real: str) -> str:
    text = repr(float(value))
    if "e" not in text and "." not in text:
        text += ".0"
    return text + ("f" if real == "float" else "")


def _array(name: str, values: np.ndarray, real: str) -> str:
    items = [_literal(v, real) for v in np.asarray(values, dtype=np.float64).ravel()]
    lines = [", ".join(items[i : i + 6]) for i in range(0, len(items), 6)]
    return f"static const {real} {name}[{len(items)}] = {{\n    " + ",\n    ".join(lines) + "\n};\n"


def _call(activation: Activation, argument: str, real: str) -> str:
    name, options = activation.name, activation.kwargs
    if name == "identity":
        return argument
    if name == "selu":
        name, options = "elu", {"alpha": SELU_ALPHA, "scale": SELU_SCALE}
    elif name == "elu":
        options = {"alpha": options["alpha"], "scale": 1.0}
    elif name == "gelu":
        options = {"tanh_form": 1.0 if options["approximate"] == "tanh" else 0.0}
    extra = "".join(f", {_literal(options[p], real)}" for p in _PARAMETERS.get(name, ()))
    return f"nn_{name}({argument}{extra})"


def _function(name: str, real: str) -> str:
    f = "f" if real == "float" else ""
    params = "".join(f", {real} {p}" for p in _PARAMETERS.get(name, ()))
    body = _BODIES[name].format(f=f, T=real, k1=repr(SQRT_2_OVER_PI), k2=repr(GELU_KAPPA), h=repr(SQRT_HALF))
    return f"static {real} nn_{name}({real} a{params}) {{\n    {body}\n}}\n"


def c_sources(graph: Graph, name: str, real: str = "double") -> tuple[str, str]:
    """The texts of NAME.c and NAME.h."""
    meta = graph.metadata
    d, k = graph.n_inputs, graph.n_outputs
    about = comment_text(f"{name}: an nnwork {meta.get('model')}, exported by nnwork {meta.get('nnwork_version')}. "
                         f"x: {d} inputs ({', '.join(meta.get('x_names', []))}); "
                         f"y: {k} outputs ({', '.join(meta.get('y_names', []))}), in the data's units.")
    guard = f"{name.upper()}_H_"
    header = (f"/* {about} */\n#ifndef {guard}\n#define {guard}\n\n#include <stddef.h>\n\n"
              f"#define {name.upper()}_INPUTS {d}\n#define {name.upper()}_OUTPUTS {k}\n\n"
              f"/* y[0..{k - 1}] = the model at x[0..{d - 1}] */\nvoid {name}(const {real} *x, {real} *y);\n"
              f"/* the same for n points: x is n x {d}, y is n x {k}, row after row */\n"
              f"void {name}_batch(const {real} *x, {real} *y, size_t n);\n\n#endif\n")
    used = sorted({("elu" if l.activation.name == "selu" else l.activation.name) for l in graph.layers} - {"identity"})
    parts = [f"/* {about} */\n#include <math.h>\n\n#include \"{name}.h\"\n\n"]
    for i, layer in enumerate(graph.layers):
        parts.append(_array(f"weight{i}", layer.weight, real))
        parts.append(_array(f"bias{i}", layer.bias, real))
    for which, scaling in (("x", graph.x_scaling), ("y", graph.y_scaling)):
        if scaling is not None:
            parts.append(_array(f"{which}_mean", scaling[0], real) + _array(f"{which}_std", scaling[1], real))
    parts.append("\n" + "\n".join(_function(a, real) for a in used) + "\n")
    body = [f"void {name}(const {real} *x, {real} *y)\n{{"]
    if graph.x_scaling is not None:
        body.append(f"    {real} v0[{d}];\n    for (size_t j = 0; j < {d}; j++) v0[j] = (x[j] - x_mean[j]) / x_std[j];")
    else:
        body.append(f"    const {real} *v0 = x;")
    for i, layer in enumerate(graph.layers):
        reads = []
        for source, start in zip(layer.sources, graph.offsets(layer)):
            width = graph.width(source)
            reads.append(f"        for (size_t j = 0; j < {width}; j++) z += w[{start} + j] * v{source}[j];")
        columns = layer.weight.shape[1]
        body.append(f"    {real} v{i + 1}[{layer.width}];\n    for (size_t o = 0; o < {layer.width}; o++) {{\n"
                    f"        const {real} *w = weight{i} + o * {columns};\n        {real} z = 0;\n"
                    + "\n".join(reads) + f"\n        z += bias{i}[o];\n"
                    f"        v{i + 1}[o] = {_call(layer.activation, 'z', real)};\n    }}")
    last = f"v{len(graph.layers)}[o]"
    if graph.y_scaling is not None:
        last = f"{last} * y_std[o] + y_mean[o]"
    body.append(f"    for (size_t o = 0; o < {k}; o++) y[o] = {last};\n}}\n")
    body.append(f"void {name}_batch(const {real} *x, {real} *y, size_t n)\n{{\n"
                f"    for (size_t i = 0; i < n; i++) {name}(x + i * {d}, y + i * {k});\n}}\n")
    return "".join(parts) + "\n".join(body), header


def write_c(graph: Graph, path: Path, real: str = "double") -> list[Path]:
    """Write `path` (NAME.c) and NAME.h beside it; NAME is the file's stem as a C identifier."""
    source, header = c_sources(graph, c_identifier(path.stem), real)
    header_path = header_paths(path)[1]
    return [write_text(header_path, header), write_text(path, source)]


def header_paths(path: Path) -> tuple[Path, Path]:
    return path, path.with_name(f"{c_identifier(path.stem)}.h")
