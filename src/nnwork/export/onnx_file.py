"""An ONNX model (opset 17): one input (N, d) and one output (N, k), named after the data's columns.

Each layer is Concat (when it reads several values) → Gemm → its activation. Activations that
onnxruntime lacks for float64 are written from ops it has: Softplus as
Where(βx > threshold, x, (Relu(βx) + Log(1 + Exp(−|βx|)))/β), ELU and SELU with Where and Exp,
and exact GELU's erfc from the Chebyshev series nnwork itself uses (float32 uses Erf). With
Relu/Sigmoid/Tanh (and float32 Softplus) a folded MLP is a plain Gemm/activation chain, the form
tools that embed networks in optimisation models read. Needs the `onnx` package (nnwork[onnx]).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from nnwork.export.files import python_identifier, write_bytes
from nnwork.export.graph import Activation, ExportError, Graph
from nnwork.export.numpy_runtime import ERFC_CHEBYSHEV, GELU_KAPPA, SELU_ALPHA, SELU_SCALE, SQRT_2_OVER_PI, SQRT_HALF

OPSET = 17
IR_VERSION = 8  # the IR of opset 17, so that older runtimes read the file too


class _Builder:
    """Nodes and initializers, with fresh internal names (`_nn…`) and deduplicated constants."""

    def __init__(self, dtype: np.dtype[Any]) -> None:
        import onnx

        self.onnx, self.dtype = onnx, dtype
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.constants: dict[tuple[str, float], str] = {}
        self.count = 0

    def fresh(self, what: str) -> str:
        self.count += 1
        return f"_nn{self.count}_{what}"

    def array(self, values: np.ndarray, what: str) -> str:
        name = self.fresh(what)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(values, dtype=self.dtype), name))
        return name

    def constant(self, value: float) -> str:
        key = (self.dtype.name, float(value))
        if key not in self.constants:
            self.constants[key] = self.array(np.array(value), "c")
        return self.constants[key]

    def op(self, op_type: str, *inputs: str, output: str | None = None, **attributes: Any) -> str:
        output = output or self.fresh(op_type.lower())
        self.nodes.append(self.onnx.helper.make_node(op_type, list(inputs), [output], **attributes))
        return output

    # ---- activations, each from a pre-activation name to its output name ----
    def log1p_exp_neg_abs(self, s: str) -> str:
        """Log(1 + Exp(−|s|)): never overflows."""
        return self.op("Log", self.op("Add", self.constant(1), self.op("Exp", self.op("Neg", self.op("Abs", s)))))

    def erfc(self, z: str) -> str:
        """erfc(z) = t·exp(cheb(2t − 1) − z²), t = 2/(2 + |z|), mirrored for z < 0 (Clenshaw as NumPy's chebval)."""
        size = self.op("Abs", z)
        t = self.op("Div", self.constant(2), self.op("Add", self.constant(2), size))
        u = self.op("Sub", self.op("Mul", self.constant(2), t), self.constant(1))
        u2 = self.op("Mul", u, self.constant(2))
        c = [float(v) for v in ERFC_CHEBYSHEV]
        c0, c1 = self.constant(c[-2]), self.constant(c[-1])
        for i in range(3, len(c) + 1):
            c0, c1 = self.op("Sub", self.constant(c[-i]), c1), self.op("Add", c0, self.op("Mul", c1, u2))
        series = self.op("Add", c0, self.op("Mul", c1, u))
        tail = self.op("Mul", t, self.op("Exp", self.op("Sub", series, self.op("Mul", size, size))))
        negative = self.op("Less", z, self.constant(0))
        return self.op("Where", negative, self.op("Sub", self.constant(2), tail), tail)

    def activation(self, activation: Activation, a: str) -> str:
        name, options = activation.name, activation.kwargs
        simple = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu"}
        if name == "identity":
            return a
        if name in simple:
            return self.op(simple[name], a)
        if name == "leaky_relu":
            slope = float(options["negative_slope"])
            if self.dtype == np.float32:  # the attribute is a float32, as nnwork's slope in a float32 model
                return self.op("LeakyRelu", a, alpha=slope)
            return self.op("Where", self.op("Greater", a, self.constant(0)), a, self.op("Mul", a, self.constant(slope)))
        if name == "softplus":
            beta, threshold = float(options["beta"]), float(options["threshold"])
            if self.dtype == np.float32 and beta == 1 and threshold >= 16:  # beyond 16, x + e⁻ˣ rounds to x
                return self.op("Softplus", a)
            s = a if beta == 1 else self.op("Mul", a, self.constant(beta))
            soft = self.op("Add", self.op("Relu", s), self.log1p_exp_neg_abs(s))
            if beta != 1:
                soft = self.op("Div", soft, self.constant(beta))
            return self.op("Where", self.op("Greater", s, self.constant(threshold)), a, soft)
        if name == "gelu":
            if options["approximate"] == "tanh":
                cube = self.op("Mul", self.constant(GELU_KAPPA), self.op("Mul", a, self.op("Mul", a, a)))
                inner = self.op("Tanh", self.op("Mul", self.constant(SQRT_2_OVER_PI), self.op("Add", a, cube)))
                return self.op("Mul", self.op("Mul", self.constant(0.5), a), self.op("Add", self.constant(1), inner))
            if self.dtype == np.float32:
                erf = self.op("Erf", self.op("Mul", a, self.constant(SQRT_HALF)))
                return self.op("Mul", a, self.op("Mul", self.constant(0.5), self.op("Add", self.constant(1), erf)))
            cdf = self.op("Mul", self.constant(0.5), self.erfc(self.op("Mul", a, self.constant(-SQRT_HALF))))
            return self.op("Mul", a, cdf)
        if name == "silu":
            return self.op("Mul", a, self.op("Sigmoid", a))
        if name in ("elu", "selu"):
            alpha, scale = (SELU_ALPHA, SELU_SCALE) if name == "selu" else (float(options["alpha"]), 1.0)
            expm1 = self.op("Sub", self.op("Exp", self.op("Min", a, self.constant(0))), self.constant(1))
            out = self.op("Where", self.op("Greater", a, self.constant(0)), a,
                          self.op("Mul", self.constant(alpha), expm1))
            return out if scale == 1 else self.op("Mul", out, self.constant(scale))
        if name == "logsigmoid":
            return self.op("Sub", self.op("Min", a, self.constant(0)), self.log1p_exp_neg_abs(a))
        if name == "hardtanh":
            return self.op("Clip", a, self.constant(options["min_val"]), self.constant(options["max_val"]))
        raise ExportError(f"the activation {name!r} has no ONNX form")  # pragma: no cover


def _tensor_name(names: list[str]) -> str:
    name = python_identifier("_".join(names))[:100]
    return f"x{name}" if name.startswith("_nn") else name


def onnx_model(graph: Graph) -> Any:
    """The onnx.ModelProto of `graph`, checked with onnx.checker (full_check)."""
    import onnx
    from onnx import helper

    meta = graph.metadata
    build = _Builder(graph.dtype)
    elem = onnx.helper.np_dtype_to_tensor_dtype(graph.dtype)
    x_name = _tensor_name(meta["x_names"])
    y_name = _tensor_name(meta["y_names"])
    if y_name == x_name:
        y_name = f"{y_name}_out"
    values = [x_name]
    if graph.x_scaling is not None:
        mean, std = (build.array(v, n) for v, n in zip(graph.x_scaling, ("x_mean", "x_std")))
        values[0] = build.op("Div", build.op("Sub", x_name, mean), std)
    for i, layer in enumerate(graph.layers):
        reads = [values[s] for s in layer.sources]
        inputs = reads[0] if len(reads) == 1 else build.op("Concat", *reads, axis=1)
        weight, bias = build.array(layer.weight, f"weight{i}"), build.array(layer.bias, f"bias{i}")
        values.append(build.activation(layer.activation, build.op("Gemm", inputs, weight, bias, transB=1)))
    out = values[-1]
    if graph.y_scaling is not None:
        mean, std = (build.array(v, n) for v, n in zip(graph.y_scaling, ("y_mean", "y_std")))
        out = build.op("Add", build.op("Mul", out, std), mean)
    for node in build.nodes:  # the last node writes the output under its own name (no Identity node)
        node.output[:] = [y_name if name == out else name for name in node.output]
    x_info = helper.make_tensor_value_info(x_name, elem, ["N", graph.n_inputs])
    y_info = helper.make_tensor_value_info(y_name, elem, ["N", graph.n_outputs])
    x_info.doc_string = "columns: " + json.dumps(meta["x_names"])
    y_info.doc_string = "columns: " + json.dumps(meta["y_names"])
    onnx_graph = helper.make_graph(build.nodes, "nnwork_model", [x_info], [y_info], build.initializers)
    model = helper.make_model(onnx_graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="nnwork",
                              producer_version=str(meta["nnwork_version"]), ir_version=IR_VERSION,
                              doc_string=f"An nnwork {meta['model']}, exported; inputs and outputs in the data's units.")
    properties = {
        "nnwork_version": meta["nnwork_version"], "model": meta["model"],
        "input_columns": json.dumps(meta["x_names"]), "output_columns": json.dumps(meta["y_names"]),
        "training_domain": json.dumps(meta["domain"]), "metrics": json.dumps(meta["metrics"], sort_keys=True),
        "standardisation": "none" if graph.metadata.get("scaling") is None else graph.metadata["scaling"],
    }
    helper.set_model_props(model, properties)
    onnx.checker.check_model(model, full_check=True)
    return model


def write_onnx(graph: Graph, path: Path) -> list[Path]:
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise ExportError("exporting to ONNX needs the onnx package: pip install 'nnwork[onnx]'") from None
    return [write_bytes(path, onnx_model(graph).SerializeToString())]
