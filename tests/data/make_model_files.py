"""Writes tests/data/model_files/: model files as nnwork wrote them, for tests/test_model_files.py.

Each `<name>.npz` is a model file (format version 1) of one kind of module; `expected.npz`
holds, for each, the inputs `<name>.x` and the model's outputs `<name>.y` (in eval mode) at the
time of writing. The test loads the committed files with today's code and checks that the
outputs are the same bits and that saving the loaded model again writes the same bytes, so a
change of the code that would change the format (or what a file means) cannot pass unnoticed.

    PYTHONPATH=src python tests/data/make_model_files.py

Regenerate only on purpose, when the format is meant to change (and then say so in the
format's version and in docs/model-format.md): the point of the files is that they are old.
"""

from __future__ import annotations

import contextlib
import io as text_io
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

import nnwork as nw
from nnwork import io, nn, towers

HERE = Path(__file__).resolve().parent / "model_files"


def neuron_graph() -> nn.NeuronGraph:
    g = nn.NeuronGraph(inputs=["x1", "x2"], generator=3, dtype=np.float64)
    g.neuron("f1", "x1", activation="tanh")
    g.neuron("f2", "x2", activation="relu")
    g.neuron("f3", "f2 + f1", "x1", activation="sigmoid")
    g.neuron("f4", "f2", activation="identity")
    g.neuron("f5", "f3", "f4", activation="softplus")
    g.outputs = ["f5", "f3", "f2"]
    return g


def activations() -> nn.Sequential:
    """Every activation module, the ones with options set away from their defaults."""
    return nn.Sequential(
        nn.Linear(2, 4, generator=1), nn.Softplus(beta=2.0, threshold=10.0), nn.Linear(4, 4, bias=False, generator=2),
        nn.GELU("tanh"), nn.ELU(0.5), nn.Hardtanh(-0.5, 2.0), nn.LeakyReLU(0.2), nn.Linear(4, 3, generator=3),
        nn.SiLU(), nn.SELU(), nn.Sequential(nn.LogSigmoid(), nn.Identity(), nn.ReLU()), nn.Sigmoid(), nn.Tanh(),
        nn.GELU(),
    )


def normalised() -> nn.Sequential:
    model = nn.Sequential(
        nn.Linear(3, 4, generator=0, dtype=np.float64), nn.LayerNorm(4, eps=1e-3, dtype=np.float64), nn.Dropout(0.2),
        nn.LayerNorm((4,), bias=False, dtype=np.float64), nn.Tanh(), nn.Linear(4, 2, generator=1, dtype=np.float64),
        nn.LayerNorm(2, elementwise_affine=False, dtype=np.float64),
    )
    model[1].weight.data[:] = [1.0, 2.0, 3.0, 4.0]
    model[1].bias.data[:] = [0.5, 0.0, -0.5, 1.0]
    model[3].weight.data[:] = [0.25, -1.0, 1.5, 2.0]
    return model


MODELS: dict[str, Callable[[], nn.Module]] = {
    "mlp_tanh": lambda: nn.MLP([2, 6, 6, 1], "tanh", generator=1),
    "mlp_relu_sigmoid_float64": lambda: nn.MLP([3, 5, 2], "relu", "sigmoid", generator=2, dtype=np.float64),
    "mlp_gelu": lambda: nn.MLP([1, 4, 1], "gelu", generator=3),
    "mlp_leaky_relu": lambda: nn.MLP([2, 4, 3], "leaky_relu", generator=4),
    "mlp_softplus_float64": lambda: nn.MLP([2, 3, 1], "softplus", "tanh", generator=5, dtype=np.float64),
    "activations": activations,
    "neuron": lambda: nn.Neuron(2, "tanh", generator=5, dtype=np.float64),
    "neuron_graph": neuron_graph,
    "layer_norm_dropout": normalised,
    "step": lambda: towers.Step(0.3, steepness=70.0),
    "bump": lambda: towers.Bump(-0.2, 0.4, 90.0, dtype=np.float32),
    "tower": lambda: towers.tower([(-0.5, 0.7), (-1.0, 0.2)], steepness=40.0, threshold=1.5, height=2.0),
    "tower_sum": lambda: towers.original_four_towers(dtype=np.float32),
    "tower_grid": lambda: towers.TowerGrid([(-2, 2), (-1.5, 2)], np.random.default_rng(6).normal(size=(3, 4)),
                                           steepness=[30.0, 20.0], outer_steepness=25.0),
}
N_INPUTS = {"mlp_relu_sigmoid_float64": 3, "mlp_gelu": 1, "layer_norm_dropout": 3, "step": 1, "bump": 1}


def fitted(folder: Path) -> Path:
    """A model file written by `nnwork fit` itself: two outputs from a CSV, with its metadata."""
    from nnwork.cli import main

    x = np.random.default_rng(0).uniform(-1, 1, size=(200, 2))
    table = np.column_stack([x, np.sin(2 * x[:, 0]) * x[:, 1], np.cos(x[:, 0] + x[:, 1])])
    np.savetxt(folder / "data.csv", table, delimiter=",", header="a,b,u,v", comments="", fmt="%.6f")
    with contextlib.redirect_stdout(text_io.StringIO()):
        code = main(["fit", "--csv", str(folder / "data.csv"), "--x", "a,b", "--y", "u,v", "--hidden", "8,8",
                     "--epochs", "20", "--seed", "0", "--out", str(folder / "fit"), "--no-plots", "--quiet"])
    assert code == 0, code
    return folder / "fit" / "model.npz"


def outputs(model: nn.Module, x: np.ndarray) -> np.ndarray:
    with nw.no_grad():
        return model.eval()(nw.tensor(x, dtype=model.parameters()[0].dtype)).data


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    expected: dict[str, Any] = {}
    draw = np.random.default_rng(2024)
    for name, make in MODELS.items():
        model = make()
        io.save(model, HERE / f"{name}.npz")
        x = draw.uniform(-2, 2, size=(7, N_INPUTS.get(name, 2)))
        expected[f"{name}.x"], expected[f"{name}.y"] = x, outputs(model, x)
    with tempfile.TemporaryDirectory() as folder:
        (HERE / "fit_two_outputs.npz").write_bytes(fitted(Path(folder)).read_bytes())
    model = io.load(HERE / "fit_two_outputs.npz").model
    x = draw.uniform(-2, 2, size=(7, 2))
    expected["fit_two_outputs.x"], expected["fit_two_outputs.y"] = x, outputs(model, x)
    with open(HERE / "expected.npz", "wb") as file:
        np.savez(file, **expected)
    print(f"wrote {len(MODELS) + 1} model files and expected.npz to {HERE}")


if __name__ == "__main__":
    main()
