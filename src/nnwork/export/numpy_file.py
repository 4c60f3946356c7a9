"""A standalone NumPy `.py` file: `predict(x)` for x (N, d) → (N, k), and CSV from stdin to stdout.

The file needs NumPy alone: the activations (nnwork.export.numpy_runtime, copied in), the
weights as literal lists (every float written with repr, so exactly), and a loop over the layers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nnwork.export.graph import Graph

_MAIN = '''

def predict(x):
    """Predictions (N, {k}) for inputs x (N, {d}), both in the data's units, as float64."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != {d}:
        raise ValueError(f"x must have shape (N, {d}) (columns {{INPUTS}}), got {{x.shape}}")
    if X_SCALING is not None:
        x = (x - X_SCALING[0]) / X_SCALING[1]
    values = [x.astype(DTYPE)]
    for sources, weight, bias, activation, options in LAYERS:
        inputs = values[sources[0]] if len(sources) == 1 else np.concatenate([values[s] for s in sources], axis=1)
        values.append(ACTIVATIONS[activation](inputs @ weight.T + bias, **options))
    y = values[-1].astype(np.float64)
    return y if Y_SCALING is None else y * Y_SCALING[1] + Y_SCALING[0]


def _main():
    """CSV on stdin (a header naming the inputs, or just {d} numbers a row) → CSV on stdout."""
    import sys

    rows = [line.split(",") for line in sys.stdin.read().splitlines() if line.strip()]
    columns = list(range({d}))
    if rows and rows[0]:
        try:
            [float(cell) for cell in rows[0]]
        except ValueError:
            header = [cell.strip() for cell in rows.pop(0)]
            if all(name in header for name in INPUTS):
                columns = [header.index(name) for name in INPUTS]
    x = np.array([[float(row[c]) for c in columns] for row in rows], dtype=np.float64).reshape(-1, {d})
    y = predict(x)
    print(",".join(INPUTS + OUTPUTS))
    for inputs, outputs in zip(x, y):
        print(",".join(repr(float(v)) for v in (*inputs, *outputs)))


if __name__ == "__main__":
    _main()
'''


def _floats(array: np.ndarray) -> str:
    return "[" + ", ".join(repr(float(v)) for v in np.asarray(array).ravel()) + "]"


def _array(array: np.ndarray, dtype: str) -> str:
    shape = ", ".join(str(n) for n in np.shape(array))
    return f"np.array({_floats(array)}, dtype={dtype}).reshape({shape})"


def _scaling(pair: tuple[np.ndarray, np.ndarray] | None) -> str:
    if pair is None:
        return "None"
    return f"({_array(pair[0], 'np.float64')}, {_array(pair[1], 'np.float64')})"


def numpy_source(graph: Graph) -> str:
    """The text of the standalone file for `graph`."""
    meta = graph.metadata
    dtype = f"np.{graph.dtype.name}"
    runtime = (Path(__file__).parent / "numpy_runtime.py").read_text(encoding="utf-8")
    runtime = runtime.split('"""', 2)[2].lstrip("\n")  # without its own docstring
    layers = []
    for layer in graph.layers:
        weight = np.asarray(layer.weight, dtype=graph.dtype)
        bias = np.asarray(layer.bias, dtype=graph.dtype)
        layers.append(f"    ({layer.sources!r}, {_array(weight, 'DTYPE')}, {_array(bias, 'DTYPE')}, "
                      f"{layer.activation.name!r}, {layer.activation.kwargs!r}),")
    head = (f'"""An nnwork {meta.get("model", "model")}, exported: predictions in '
            "the data's units, with NumPy alone.\n\n"
            f"predict(x): x (N, {graph.n_inputs}) with the columns INPUTS -> (N, {graph.n_outputs}) with the "
            "columns OUTPUTS.\n"
            "Run as a script, it reads CSV on stdin and writes CSV on stdout.\n"
            '"""\n\n')
    data = (f"\nNNWORK_VERSION = {meta.get('nnwork_version')!r}\nTRAINING_DOMAIN = {meta.get('domain')!r}\n"
            f"DTYPE = {dtype}\nINPUTS = {meta.get('x_names')!r}\nOUTPUTS = {meta.get('y_names')!r}\n"
            f"X_SCALING = {_scaling(graph.x_scaling)}\nY_SCALING = {_scaling(graph.y_scaling)}\n"
            "# (sources: 0 is x, i the output of layer i - 1; weight (out, in); bias; activation; options)\n"
            "LAYERS = [\n" + "\n".join(layers) + "\n]\n")
    return head + runtime + data + _MAIN.format(d=graph.n_inputs, k=graph.n_outputs)


def write_numpy(graph: Graph, path: Path) -> list[Path]:
    from nnwork.export.files import write_text

    return [write_text(path, numpy_source(graph))]


def default_path(model_path: Path) -> Path:
    return model_path.with_name(f"{model_path.stem}_numpy.py")
