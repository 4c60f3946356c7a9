"""Model files and checkpoints: round trips bit for bit, corrupt files, untrusted headers, atomic writes."""

from __future__ import annotations

import json
import math
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import nnwork as nw
from nnwork import io, limits, nn, towers
from nnwork.io import ModelFileError
from nnwork.io.tree import pack_tree, unpack_tree
from nnwork.optim import LBFGS, SGD, Adam

X = np.random.default_rng(0).uniform(-2, 2, size=(32, 2))
Y = np.sin(X[:, :1]) * X[:, 1:]


def neuron_graph() -> nn.NeuronGraph:
    """Mixed activations, a sum of inputs, and several outputs (one of them a hidden neuron)."""
    g = nn.NeuronGraph(inputs=["x1", "x2"], generator=3, dtype=np.float64)
    g.neuron("f1", "x1", activation="tanh")
    g.neuron("f2", "x2", activation="relu")
    g.neuron("f3", "f2 + f1", "x1", activation="sigmoid")
    g.neuron("f4", "f2", activation="identity")
    g.neuron("f5", "f3", "f4", activation="softplus")
    g.outputs = ["f5", "f3", "f2"]
    return g


def sequential() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(2, 5, generator=1), nn.LeakyReLU(0.2), nn.Linear(5, 3, bias=False, generator=2),
        nn.Sigmoid(), nn.Sequential(nn.Linear(3, 2, generator=4), nn.Tanh(), nn.ReLU(), nn.Softplus()),
        nn.Identity(),
    )


MODELS: dict[str, Callable[[], nn.Module]] = {
    "mlp32": lambda: nn.MLP([2, 16, 16, 1], "tanh", generator=1),
    "mlp64": lambda: nn.MLP([2, 8, 3], "relu", "sigmoid", generator=2, dtype=np.float64),
    "graph": neuron_graph,
    "sequential": sequential,
    "neuron": lambda: nn.Neuron(2, "tanh", generator=5, dtype=np.float64),
    "tower": lambda: towers.tower([(-0.5, 0.7), (-1.0, 0.2)], steepness=40.0, threshold=1.5, height=2.0),
    "tower_sum": lambda: towers.original_four_towers(dtype=np.float32),
    "tower_grid": lambda: towers.TowerGrid([(-2, 2), (-1.5, 2)], np.random.default_rng(6).normal(size=(3, 4)),
                                           steepness=[30.0, 20.0], outer_steepness=25.0),
}


def outputs(model: nn.Module) -> np.ndarray:
    return model(nw.tensor(X, dtype=model.parameters()[0].dtype)).data


def assert_same_parameters(a: nn.Module, b: nn.Module) -> None:
    pa, pb = a.state_dict(), b.state_dict()
    assert list(pa) == list(pb)
    for name in pa:
        assert pa[name].dtype == pb[name].dtype and pa[name].tobytes() == pb[name].tobytes(), name


# ---- round trips -------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_model_round_trip_is_bit_for_bit(tmp_path: Path, kind: str) -> None:
    model = MODELS[kind]()
    path = io.save(model, tmp_path / "model.npz")
    loaded = io.load(path)
    assert type(loaded.model) is type(model)
    assert io.architecture(loaded.model) == io.architecture(model)
    assert_same_parameters(loaded.model, model)
    assert outputs(loaded.model).tobytes() == outputs(model).tobytes()
    assert repr(loaded.model) == repr(model)


@pytest.mark.parametrize("make", [lambda: towers.Step(0.3, steepness=70.0), lambda: towers.Bump(-0.2, 0.4, 90.0)])
def test_steps_and_bumps_round_trip(tmp_path: Path, make: Callable[[], nn.Module]) -> None:
    model = make()
    loaded = io.load(io.save(model, tmp_path / "m.npz")).model
    x = nw.tensor(np.linspace(-1, 1, 41)[:, None], dtype=np.float64)
    assert loaded(x).data.tobytes() == model(x).data.tobytes() and repr(loaded) == repr(model)


def test_architecture_describes_graph_wiring_activations_and_outputs() -> None:
    arch = io.architecture(neuron_graph())
    assert arch["type"] == "NeuronGraph" and arch["inputs"] == ["x1", "x2"]
    assert arch["outputs"] == ["f5", "f3", "f2"] and arch["dtype"] == "float64"
    assert arch["neurons"][2] == {"name": "f3", "inputs": [["f2", "f1"], ["x1"]], "activation": "sigmoid"}
    assert io.build(json.loads(json.dumps(arch))).outputs == ["f5", "f3", "f2"]


def test_save_uses_the_path_as_given_and_returns_it(tmp_path: Path) -> None:
    model = MODELS["mlp32"]()
    for name in ("model.bin", "model", "model.npz"):
        path = io.save(model, str(tmp_path / name))
        assert path == tmp_path / name and path.is_file()
    assert sorted(os.listdir(tmp_path)) == ["model", "model.bin", "model.npz"]


def test_metadata_round_trips_exactly(tmp_path: Path) -> None:
    standardization = {"x_mean": np.array([0.5, -1.25]), "x_std": [np.float32(0.1), 2.0], "note": "z-score ✓"}
    training = {"epochs": np.int64(12), "lr": 1e-3, "history": [0.1, float("inf"), float("nan"), -0.0, 1e-310],
                "big": 2**127 + 1, "flags": {"early_stop": True, "seed": None}}
    metrics = {"rmse": 0.1 + 0.2, "max_error": 5e-324}
    loaded = io.load(io.save(MODELS["mlp32"](), tmp_path / "m.npz", standardization=standardization,
                             training=training, metrics=metrics))
    assert loaded.standardization == {"x_mean": [0.5, -1.25], "x_std": [float(np.float32(0.1)), 2.0],
                                      "note": "z-score ✓"}
    history = loaded.training.pop("history")
    assert loaded.training == {"epochs": 12, "lr": 1e-3, "big": 2**127 + 1,
                               "flags": {"early_stop": True, "seed": None}}
    assert history[:2] == [0.1, math.inf] and math.isnan(history[2])
    assert math.copysign(1, history[3]) == -1 and history[4] == 1e-310
    assert loaded.metrics == metrics
    assert loaded.header["format"] == "nnwork-model" and loaded.header["kind"] == "model"
    assert loaded.header["nnwork_version"] == nw.__version__


def test_save_rejects_what_it_cannot_describe(tmp_path: Path) -> None:
    class Custom(nn.Module):
        pass

    with pytest.raises(TypeError, match=r"Custom.*register_architecture\(Custom"):
        io.save(Custom(), tmp_path / "m.npz")
    with pytest.raises(TypeError, match=r"`metrics`\['f'\].*function"):
        io.save(MODELS["mlp32"](), tmp_path / "m.npz", metrics={"f": len})
    with pytest.raises(TypeError, match="`training` must be a dict"):
        io.save(MODELS["mlp32"](), tmp_path / "m.npz", training=[1, 2])
    with pytest.raises(TypeError, match="`model`"):
        io.save("model", tmp_path / "m.npz")  # type: ignore[arg-type]
    assert os.listdir(tmp_path) == []


def test_registered_custom_module_round_trips(tmp_path: Path) -> None:
    class Scale(nn.Module):
        def __init__(self, n: int) -> None:
            super().__init__()
            self.n = n
            self.alpha = nn.Parameter(np.ones(n), dtype=np.float64)

        def forward(self, x: Any) -> Any:
            return x * self.alpha

    def build_scale(fields: dict[str, Any]) -> Scale:
        if set(fields) != {"n"} or not isinstance(fields["n"], int) or fields["n"] < 1:
            raise ValueError(f"Scale architecture: bad fields {fields}")
        io.reserve_parameters(fields["n"], "Scale")
        return Scale(fields["n"])

    io.register_architecture(Scale, lambda m: {"n": m.n}, build_scale, name="test_io.Scale")
    model = nn.Sequential(Scale(2), nn.Tanh())
    model[0].alpha.data[:] = [0.5, -3.0]
    loaded = io.load(io.save(model, tmp_path / "m.npz")).model
    assert outputs(loaded).tobytes() == outputs(model).tobytes()
    assert io.architecture(loaded)["modules"][0] == {"type": "test_io.Scale", "n": 2}


def test_a_module_type_that_describes_itself_saves_and_loads_with_no_io_edit(tmp_path: Path) -> None:
    from nnwork.nn.config import Fields, reserve_parameters

    class Shift(nn.Module, architecture="test_io.Shift"):
        def __init__(self, n: int) -> None:
            super().__init__()
            self.n = n
            self.offset = nn.Parameter(np.zeros(n), dtype=np.float64)

        def forward(self, x: Any) -> Any:
            return x + self.offset

        def config(self) -> dict[str, Any]:
            return {"n": self.n}

        @classmethod
        def from_config(cls, fields: dict[str, Any]) -> Shift:
            n = Fields(fields, "Shift", ("n",)).positive_int("n")
            reserve_parameters(n, "Shift")
            return cls(n)

    class Cube(nn.Module):  # neither config nor from_config: not a module type
        def forward(self, x: Any) -> Any:
            return x * x * x

    model = nn.Sequential(Shift(2), nn.Tanh())
    model[0].offset.data[:] = [0.25, -1.5]
    loaded = io.load(io.save(model, tmp_path / "m.npz")).model
    assert outputs(loaded).tobytes() == outputs(model).tobytes()
    assert io.architecture(loaded)["modules"][0] == {"type": "test_io.Shift", "n": 2}
    with pytest.raises(ValueError, match=r"Shift architecture: `n` must be a positive integer, got 0"):
        io.build({"type": "test_io.Shift", "n": 0})
    with pytest.raises(ValueError, match=r"Shift needs 1,000,000 parameter values, but only 10 remain"):
        io.build({"type": "test_io.Shift", "n": 10**6}, max_parameters=10)
    with pytest.raises(TypeError, match="cannot describe a .*Cube"):
        io.architecture(Cube())

    class Shifted(Shift):  # inherits from_config, but may compute something else: not registered
        pass

    with pytest.raises(TypeError, match="cannot describe a .*Shifted"):
        io.architecture(Shifted(2))


def test_activation_subclasses_register_themselves_and_names_stay_unique() -> None:
    class Cubic(nn.activations.Activation):
        function = staticmethod(lambda x: x * x * x)

    assert io.architecture(Cubic()) == {"type": "Cubic"} and type(io.build({"type": "Cubic"})) is Cubic
    with pytest.raises(ValueError, match=r"Cubic architecture: unknown fields \['power'\]"):
        io.build({"type": "Cubic", "power": 3})
    with pytest.raises(ValueError, match="the architecture name 'Tanh' is already taken"):
        class Tanh(nn.activations.Activation):  # noqa: F841 - another class under a taken name
            pass
    assert io.architecture(nn.Tanh()) == {"type": "Tanh"} and type(io.build({"type": "Tanh"})) is nn.Tanh


# ---- the generic tree packing --------------------------------------------------------------------
def test_pack_unpack_round_trips_plain_data() -> None:
    tree = {
        "ints": {0: "zero", 1: (1, 2), -3: None, 2.5: True}, "tag": {"$array": "not one"},
        "big": [2**128 - 1, -(2**100)], "floats": [math.pi, -0.0, float("inf")],
        "arrays": [np.arange(3, dtype=np.int8), np.ones((2, 0)), np.array(2.0), np.array(["a", "bc"])],
        "scalars": (np.float32(0.1), np.int64(7), np.bool_(True)),
    }
    packed, arrays = pack_tree(tree, "state")
    assert sorted(arrays) == ["state/0", "state/1", "state/2", "state/3"]
    text = json.dumps(packed)
    back = unpack_tree(json.loads(text), arrays, used := set())
    assert used == set(arrays)
    assert back["ints"] == {0: "zero", 1: (1, 2), -3: None, 2.5: True} and back["tag"] == {"$array": "not one"}
    assert back["big"] == tree["big"] and back["floats"][:1] == [math.pi]
    assert math.copysign(1, back["floats"][1]) == -1 and back["floats"][2] == math.inf
    assert back["scalars"] == (float(np.float32(0.1)), 7, True)
    assert type(back["scalars"][1]) is int and type(back["scalars"][2]) is bool
    for a, b in zip(back["arrays"], tree["arrays"]):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


@pytest.mark.parametrize(
    ("tree", "match"),
    [
        ({"a": [1, {"f": lambda: 0}]}, r"\['a'\]\[1\]\['f'\]: function is not plain data"),
        ({"o": object()}, r"\['o'\]: object is not plain data"),
        ({"x": np.array([None, 1])}, r"\['x'\].*dtype object"),
        ({(1, 2): 3}, "dict key must be"),
        ({"c": np.complex128(1j)}, r"\['c'\].*complex128"),
    ],
)
def test_pack_rejects_non_plain_data_naming_the_key_path(tree: Any, match: str) -> None:
    with pytest.raises(TypeError, match=match):
        pack_tree(tree, "state")


def test_pack_rejects_cycles() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        pack_tree({"loop": loop}, "state")


# ---- checkpoints -------------------------------------------------------------------------------
def loss_of(model: nn.Module) -> Any:
    x, y = (nw.tensor(a, dtype=model.parameters()[0].dtype) for a in (X, Y))
    return ((model(x) - y) ** 2).mean()


def train(model: nn.Module, optimizer: Any, steps: int) -> None:
    def closure() -> float:
        optimizer.zero_grad()
        loss = loss_of(model)
        loss.backward()
        return loss.item()

    for _ in range(steps):
        optimizer.step(closure)


OPTIMIZERS: dict[str, Callable[[list[Any]], Any]] = {
    "sgd": lambda params: SGD(params, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda params: Adam(params, lr=0.01, betas=(0.8, 0.99), amsgrad=True),
    "lbfgs": lambda params: LBFGS(params, lr=0.5, max_iter=4, history_size=3),
    "lbfgs_wolfe": lambda params: LBFGS(params, max_iter=3, history_size=2, line_search_fn="strong_wolfe"),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_checkpoint_continues_training_bit_for_bit(tmp_path: Path, name: str, dtype: Any) -> None:
    model = nn.MLP([2, 12, 1], "tanh", generator=1, dtype=dtype)
    optimizer = OPTIMIZERS[name](model.parameters())
    train(model, optimizer, 3)
    path = io.save_checkpoint(tmp_path / "ckpt.npz", model, optimizer, state={"epoch": 3})

    other = nn.MLP([2, 12, 1], "tanh", generator=99, dtype=dtype)  # different weights, same shape
    other_optimizer = OPTIMIZERS[name](other.parameters())
    checkpoint = io.load_checkpoint(path, other, other_optimizer)
    assert checkpoint.model is other and checkpoint.optimizer is other_optimizer
    assert checkpoint.state == {"epoch": 3} and checkpoint.header["kind"] == "checkpoint"
    assert_same_parameters(other, model)

    built = io.load_checkpoint(path)  # no model given: built from the header
    built_optimizer = OPTIMIZERS[name](built.model.parameters())
    built_optimizer.load_state_dict(built.optimizer_state)

    train(model, optimizer, 3)
    train(other, other_optimizer, 3)
    train(built.model, built_optimizer, 3)
    assert_same_parameters(other, model)
    assert_same_parameters(built.model, model)


def test_checkpoint_state_restores_a_generator_and_history(tmp_path: Path) -> None:
    pcg, mt = np.random.default_rng(2024), np.random.Generator(np.random.MT19937(7))
    pcg.random(3), mt.random(3)
    state = {"epoch": 7, "history": {"loss": [0.5, 0.25], "lr": (1e-3, 1e-4)}, "rng": pcg.bit_generator.state,
             "mt": mt.bit_generator.state, "best": np.array([1.0, 2.0], dtype=np.float32)}
    assert state["rng"]["state"]["state"] > 2**64  # a 128-bit integer
    io.save_checkpoint(tmp_path / "ckpt", MODELS["mlp32"](), state=state, metrics={"rmse": 0.5})
    checkpoint = io.load_checkpoint(tmp_path / "ckpt")
    restored = checkpoint.state
    assert restored["epoch"] == 7 and restored["history"] == {"loss": [0.5, 0.25], "lr": (1e-3, 1e-4)}
    assert restored["best"].dtype == np.float32 and restored["best"].tolist() == [1.0, 2.0]
    assert checkpoint.metrics == {"rmse": 0.5} and checkpoint.optimizer_state is None
    pcg2, mt2 = np.random.default_rng(), np.random.Generator(np.random.MT19937())
    pcg2.bit_generator.state, mt2.bit_generator.state = restored["rng"], restored["mt"]
    assert pcg2.random(8).tobytes() == pcg.random(8).tobytes()
    assert mt2.integers(0, 2**62, 8).tolist() == mt.integers(0, 2**62, 8).tolist()


def test_checkpoint_of_an_unregistered_model_needs_the_model(tmp_path: Path) -> None:
    class Custom(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = nn.Parameter(np.arange(3.0), dtype=np.float64)

    path = io.save_checkpoint(tmp_path / "c.npz", Custom(), state={"step": 1})
    with pytest.raises(ModelFileError, match="without an architecture"):
        io.load_checkpoint(path)
    model = Custom()
    model.w.data[:] = 0
    assert io.load_checkpoint(path, model).state == {"step": 1} and model.w.data.tolist() == [0, 1, 2]


def test_load_checkpoint_checks_before_changing_anything(tmp_path: Path) -> None:
    model = nn.MLP([2, 4, 1], generator=1)
    optimizer = Adam(model.parameters())
    train(model, optimizer, 1)
    path = io.save_checkpoint(tmp_path / "c.npz", model, optimizer)
    other = nn.MLP([2, 4, 1], "relu", generator=2)
    before = other.state_dict()
    with pytest.raises(ModelFileError, match=r"c\.npz.*saved from the architecture"):
        io.load_checkpoint(path, other)
    same = nn.MLP([2, 4, 1], generator=2)
    with pytest.raises(ModelFileError, match=r"c\.npz.*state of a Adam optimizer, not of a SGD"):
        io.load_checkpoint(path, same, SGD(same.parameters()))
    with pytest.raises(ModelFileError, match="does not fit the given optimizer"):
        io.load_checkpoint(path, same, Adam([same.parameters()[0]]))
    with pytest.raises(ModelFileError, match="no optimizer state"):
        io.load_checkpoint(io.save(model, tmp_path / "m.npz"), same, Adam(same.parameters()))
    with pytest.raises(ValueError, match="without `model`"):
        io.load_checkpoint(path, None, Adam(same.parameters()))
    assert all(np.array_equal(before[k], v) for k, v in other.state_dict().items())
    assert_same_parameters(same, nn.MLP([2, 4, 1], generator=2))


def test_checkpoint_rejects_unsaveable_state(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"state\['callbacks'\]\[0\]: builtin_function"):
        io.save_checkpoint(tmp_path / "c.npz", MODELS["mlp32"](), state={"callbacks": [print]})
    with pytest.raises(TypeError, match="`state` must be a dict"):
        io.save_checkpoint(tmp_path / "c.npz", MODELS["mlp32"](), state=[1])  # type: ignore[arg-type]
    assert os.listdir(tmp_path) == []


# ---- corrupt and foreign files -------------------------------------------------------------------
def write_npz(path: Path, entries: dict[str, Any], header: Any = None) -> Path:
    """An npz with these entries and (if given) a JSON (dict/list) or raw-bytes header."""
    if header is not None:
        raw = header if isinstance(header, bytes) else json.dumps(header).encode()
        entries = {"header": np.frombuffer(raw, dtype=np.uint8), **entries}
    with open(path, "wb") as file:  # a file object: np.savez keeps the name as it is
        np.savez(file, **entries)
    return path


def rewrite(path: Path, change_header: Callable[[dict[str, Any]], None] = lambda h: None,
            change_entries: Callable[[dict[str, Any]], None] = lambda e: None) -> Path:
    with np.load(path) as npz:
        entries = {k: npz[k] for k in npz.files}
    header = json.loads(entries.pop("header").tobytes())
    change_header(header)
    change_entries(entries)
    return write_npz(path, entries, header)


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    return io.save(nn.MLP([2, 3, 1], generator=0, dtype=np.float64), tmp_path / "model.npz")


def assert_bad_file(path: Path, match: str) -> None:
    with pytest.raises(ModelFileError, match=match) as info:
        io.load(path)
    assert str(path) in str(info.value)
    with pytest.raises(ModelFileError):
        io.load_checkpoint(path)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nothing-here.npz"):
        io.load(tmp_path / "nothing-here.npz")


@pytest.mark.parametrize(
    "content", [b"", b"sizes,activation\n2,tanh\n", bytes(random.Random(0).randbytes(5000)), b"PK\x03\x04garbage"]
)
def test_files_that_are_not_npz(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    assert_bad_file(path, "not an nnwork model file")


def test_a_single_npy_file(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    with open(path, "wb") as file:
        np.save(file, np.arange(3))
    assert_bad_file(path, "single .npy")


def test_truncated_files(saved: Path) -> None:
    data = saved.read_bytes()
    lengths = {1, 4, 30, 100, 500, len(data) // 3, len(data) // 2, len(data) - 100, len(data) - 22, len(data) - 1}
    for length in sorted(lengths):
        saved.write_bytes(data[:length])
        assert_bad_file(saved, "not an nnwork model file")
    saved.write_bytes(data)
    io.load(saved)


def test_foreign_npz_without_header(tmp_path: Path) -> None:
    path = write_npz(tmp_path / "weights.npz", {"W": np.ones((2, 2)), "b": np.zeros(2)})
    assert_bad_file(path, r"no 'header' entry; it holds \['W', 'b'\]")


@pytest.mark.parametrize(
    ("header", "match"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8 JSON"),
        (b"{'format': 'nnwork-model'", "not UTF-8 JSON"),
        (b"[" * 100_000, "nested too deeply"),
        ([1, 2, 3], "must be a JSON object, got list"),
        ({"format": "keras", "format_version": 1}, "format 'keras'"),
        ({"format": "nnwork-model", "format_version": 2, "kind": "model"}, "newer nnwork.*upgrade"),
        ({"format": "nnwork-model", "format_version": "1"}, "format_version must be a positive integer"),
        ({"format": "nnwork-model", "format_version": 1, "kind": "pickle"}, "kind must be one of"),
    ],
)
def test_bad_headers(tmp_path: Path, header: Any, match: str) -> None:
    assert_bad_file(write_npz(tmp_path / "m.npz", {"param/x": np.zeros(2)}, header), match)


def test_header_of_the_wrong_dtype(saved: Path) -> None:
    with np.load(saved) as npz:
        entries = {k: npz[k] for k in npz.files}
    entries["header"] = np.array(entries["header"].tobytes().decode())  # a unicode array, not uint8 bytes
    write_npz(saved, entries)
    assert_bad_file(saved, "header must be a 1-D uint8 array")


def test_newer_format_version_is_refused(saved: Path) -> None:
    rewrite(saved, lambda h: h.update(format_version=99))
    assert_bad_file(saved, "format_version 99, written by a newer nnwork")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda e: e.pop("param/2.bias"), r"missing \['2.bias'\]"),
        (lambda e: e.update({"param/9.weight": np.zeros(2)}), r"unexpected \['9.weight'\]"),
        (lambda e: e.update({"param/0.weight": np.zeros((2, 3))}), "'0.weight' is float64 of shape \\(2, 3\\), but"),
        (lambda e: e.update({"param/0.bias": np.zeros(3, np.float32)}), "'0.bias' is float32.*needs float64"),
        (lambda e: e.update({"param/0.bias": np.zeros(3, np.int64)}), "'0.bias' is int64"),
        (lambda e: e.update({"extra": np.zeros(3)}), r"unexpected entries \['extra'\]"),
        (lambda e: e.update({"state/0": np.zeros(3)}), r"unexpected entries \['state/0'\]"),
    ],
)
def test_missing_extra_or_misshaped_parameters(saved: Path, change: Callable[[Any], Any], match: str) -> None:
    rewrite(saved, change_entries=change)
    assert_bad_file(saved, match)


class Exploit:
    """Unpickling this would call `mark_exploited`: a model file must never get that far."""

    def __reduce__(self) -> Any:
        return (mark_exploited, ())


EXPLOITED: list[bool] = []


def mark_exploited() -> None:
    EXPLOITED.append(True)


def test_object_arrays_are_refused_without_unpickling(saved: Path) -> None:
    with np.load(saved) as npz:
        entries = {k: npz[k] for k in npz.files}
    header = json.loads(entries.pop("header").tobytes())
    exploit = np.array([Exploit()], dtype=object)
    write_npz(saved, {**entries, "param/0.bias": exploit}, header)
    assert_bad_file(saved, r"entry 'param/0.bias' cannot be read.*allow_pickle")
    header.update(kind="checkpoint", state={"x": {"$array": "state/0"}})
    write_npz(saved, {**entries, "state/0": exploit}, header)
    assert_bad_file(saved, "entry 'state/0' cannot be read")
    assert EXPLOITED == []


def test_forged_array_shape_is_refused_before_allocating(saved: Path) -> None:
    with np.load(saved) as npz:
        entries = {k: npz[k] for k in npz.files}
    with zipfile.ZipFile(saved, "w") as archive:
        for name, array in entries.items():
            with archive.open(f"{name}.npy", "w") as member:
                if name == "param/0.bias":  # claims 80 TB, holds 24 bytes
                    header = {"descr": "<f8", "fortran_order": False, "shape": (10**13,)}
                    np.lib.format.write_array_header_1_0(member, header)
                    member.write(bytes(24))
                else:
                    np.lib.format.write_array(member, array)
    assert_bad_file(saved, r"model.npz: its entry 'param/0.bias' claims 80,000,000,000,000 bytes of float64 \(10000000000000,\)")


def test_loading_the_model_of_a_checkpoint(tmp_path: Path) -> None:
    model = MODELS["graph"]()
    path = io.save_checkpoint(tmp_path / "c.npz", model, SGD(model.parameters()), state={"epoch": 1})
    loaded = io.load(path)
    assert outputs(loaded.model).tobytes() == outputs(model).tobytes() and loaded.header["kind"] == "checkpoint"


def test_register_and_build_check_their_arguments() -> None:
    with pytest.raises(TypeError, match="`cls` must be a Module subclass"):
        io.register_architecture(dict, lambda m: {}, lambda f: nn.Tanh())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="already taken"):
        io.register_architecture(nn.Tanh, lambda m: {}, lambda f: nn.Tanh(), name="MLP")
    with pytest.raises(ValueError, match="must be a JSON object, got list"):
        io.build([1, 2])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no neurons"):
        io.architecture(nn.NeuronGraph(["x"]))


@pytest.mark.parametrize(
    ("architecture", "match"),
    [
        ({"type": "MLP", "sizes": [2, 10**12, 1], "activation": "tanh", "output_activation": None,
          "dtype": "float64"}, "MLP needs 4,000,000,000,001 parameter values, but only"),
        ({"type": "MLP", "sizes": [2, "3", 1], "activation": "tanh", "output_activation": None,
          "dtype": "float64"}, "`sizes` must be a positive integer, got '3'"),
        ({"type": "MLP", "sizes": [2, True, 1], "activation": "tanh", "output_activation": None,
          "dtype": "float64"}, "positive integer, got True"),
        ({"type": "MLP", "sizes": [2, 3, 1], "activation": "__import__('os').system('ls')",
          "output_activation": None, "dtype": "float64"}, "`activation` must be one of"),
        ({"type": "MLP", "sizes": [2, 3, 1], "activation": "tanh", "output_activation": None,
          "dtype": "object"}, "`dtype` must be one of"),
        ({"type": "MLP", "sizes": [2, 3, 1], "activation": "tanh", "dtype": "float64", "output_activation": None,
          "code": "print(1)"}, r"unknown fields \['code'\]"),
        ({"type": "MLP", "sizes": 3}, r"missing fields \['activation', 'output_activation', 'dtype'\]"),
        ({"type": "os.system", "command": "ls"}, "unknown architecture type 'os.system'"),
        ({"type": ["MLP"]}, "unknown architecture type"),
        ({"type": "Linear", "in_features": -2, "out_features": 1, "bias": True, "dtype": "float64"},
         "`in_features` must be a positive integer"),
        ({"type": "Linear", "in_features": 2, "out_features": 1, "bias": "yes", "dtype": "float64"},
         "`bias` must be true or false"),
        ({"type": "Sequential", "modules": [{"type": "eval"}]}, "unknown architecture type 'eval'"),
        ({"type": "Sequential", "modules": "Linear"}, "`modules` must be a list"),
        ({"type": "LeakyReLU", "negative_slope": float("nan")}, "finite number"),
        ({"type": "NeuronGraph", "inputs": ["x1", "x2"], "outputs": ["f"], "dtype": "float64",
          "neurons": [{"name": "__class__", "inputs": [["x1"]], "activation": "tanh"}]}, "not a usable name"),
        ({"type": "NeuronGraph", "inputs": ["x1"], "outputs": ["f"], "dtype": "float64",
          "neurons": [{"name": "f", "inputs": [["nowhere"]], "activation": "tanh"}]}, "refers to 'nowhere'"),
        ({"type": "NeuronGraph", "inputs": "x1", "outputs": ["f"], "dtype": "float64", "neurons": []},
         "`inputs` must be a non-empty list of strings"),
        ({"type": "TowerSum", "towers": 10**9, "n_inputs": 2, "dtype": "float64"},
         "TowerSum needs 12,000,000,001 parameter values, but only"),
        ({"type": "TowerGrid", "domain": [[0, 1], [0, 1]], "cells": [10**5, 10**5], "dtype": "float64"},
         "TowerGrid needs 40,000,400,001 parameter values"),
        ({"type": "TowerGrid", "domain": [[1, 0]], "cells": [3], "dtype": "float64"},
         r"TowerGrid architecture: `domain` axis 0 must have finite low < high, got \(1.0, 0.0\)"),
        ({"type": "TowerGrid", "domain": [[0, 1], [0, 1]], "cells": [3], "dtype": "float64"},
         r"`cells` must list one count per domain axis \(2\)"),
        ({"type": "Tower", "n_inputs": 0, "dtype": "float64"}, "`n_inputs` must be a positive integer"),
        ({"type": "Step", "dtype": "float64", "at": 3}, r"unknown fields \['at'\]"),
    ],
)
def test_untrusted_architectures_are_refused(saved: Path, architecture: dict[str, Any], match: str) -> None:
    rewrite(saved, lambda h: h.update(architecture=architecture))
    assert_bad_file(saved, "architecture cannot be built: .*" + match)


def test_deeply_nested_architecture_is_refused(saved: Path) -> None:
    for depth in (450, 100_000):  # too deep for building, then too deep for the JSON parser
        nested = '{"type": "Sequential", "modules": [' * depth + '{"type": "Identity"}' + "]}" * depth
        header = json.dumps({"format": "nnwork-model", "format_version": 1, "kind": "model", "architecture": 0})
        write_npz(saved, {}, header.replace('"architecture": 0', '"architecture": ' + nested).encode())
        assert_bad_file(saved, "nested too deeply")


@pytest.mark.parametrize(
    ("state", "match"),
    [
        ({"$array": "param/0.weight"}, "refers to array entry 'param/0.weight'"),
        ([{"$array": "state/0"}, {"$array": "state/0"}], "a second time"),
        ({"$dict": [[["list", "key"], 1]]}, r"\[scalar key, value\] pair"),
        ({"$tuple": "abc"}, r"\$tuple must hold a list"),
        ([1, 2], "`state` must be a JSON object"),
    ],
)
def test_bad_placeholders_in_checkpoint_state(saved: Path, state: Any, match: str) -> None:
    rewrite(saved, lambda h: h.update(kind="checkpoint", state=state),
            lambda e: e.update({"state/0": np.zeros(2)}) if "state/0" in json.dumps(state) else None)
    assert_bad_file(saved, match)


# ---- atomic writes -------------------------------------------------------------------------------
def test_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = io.save(nn.MLP([2, 3, 1], generator=0), tmp_path / "m.npz", metrics={"version": 1})

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        io.save(nn.MLP([2, 3, 1], generator=1), path, metrics={"version": 2})
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["m.npz"] and io.load(path).metrics == {"version": 1}


def test_save_removes_only_stale_temps_of_its_own_target(tmp_path: Path) -> None:
    stale, fresh = tmp_path / ".m.npz.tmp-1-dead", tmp_path / ".m.npz.tmp-2-live"
    other = tmp_path / ".other.npz.tmp-1-dead"
    for temp in (stale, fresh, other):
        temp.write_bytes(b"partial")
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    os.utime(other, (an_hour_ago, an_hour_ago))
    io.save(nn.MLP([2, 3, 1]), tmp_path / "m.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, other.name, "m.npz"])


def test_save_into_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        io.save(nn.MLP([2, 1]), tmp_path / "no" / "m.npz")


WRITER = """
import sys
import numpy as np
from nnwork import io, nn
path, start = sys.argv[1], int(sys.argv[2])
model = nn.MLP([1, 1500, 1500, 1], dtype=np.float64)  # 2.25 M parameters, 18 MB
for version in range(start, start + 10**6):
    for p in model.parameters():
        p.data.fill(version)
    io.save(model, path, metrics={"version": version})
    if version == start:
        print("ready", flush=True)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_a_killed_writer_never_leaves_a_half_written_file(tmp_path: Path) -> None:
    target = tmp_path / "big.npz"
    src = str(Path(io.__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    draw = random.Random(20240601)
    for run in range(12):  # at least 4 kills, and more until one has landed mid-write
        start = 1000 * (run + 1)
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(start)],
                                  stdout=subprocess.PIPE, env=env)
        try:
            assert writer.stdout is not None and writer.stdout.readline() == b"ready\n"
            time.sleep(draw.uniform(0.0, 0.5))
        finally:
            os.kill(writer.pid, signal.SIGKILL)
            writer.wait()
            writer.stdout.close()  # type: ignore[union-attr]
        loaded = io.load(target)  # whole, never half-written
        version = loaded.metrics["version"]
        assert start <= version
        assert all((p.data == version).all() for p in loaded.model.parameters()), "a mix of two versions"
        leftovers = [name for name in os.listdir(tmp_path) if name != target.name]
        assert all(name.startswith(".big.npz.tmp-") for name in leftovers), leftovers
        if leftovers and run >= 3:
            break
    # A kill mid-write leaves its temporary file (removed by a save a minute later). Most kills
    # land mid-write (a save is ~40 ms of writing), but a kill between two saves leaves none: the
    # loop goes on until one has, so that the test surely covered that case.
    assert leftovers, "no kill landed in the middle of a write"


def test_a_file_that_is_not_a_zip_is_named_so(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))  # a renamed picture
    assert_bad_file(path, r"not an nnwork model file \(not a \.npz archive: it starts with b'\\x89PNG'\)")
    with pytest.raises(ModelFileError) as info:
        io.load(path)
    assert "pickle" not in str(info.value)


def _zip_with_zeros(path: Path, entry: str, values: int) -> Path:
    """An npz whose `entry` holds `values` float32 zeros, written in chunks (it deflates to little)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("header.npy", "w") as file:
            np.lib.format.write_array(file, np.frombuffer(json.dumps({"format": "nnwork-model"}).encode(), np.uint8))
        with archive.open(f"{entry}.npy", "w", force_zip64=True) as file:
            np.lib.format.write_array_header_1_0(file, {"descr": "<f4", "fortran_order": False, "shape": (values,)})
            chunk = bytes(1 << 22)
            for start in range(0, values * 4, len(chunk)):
                file.write(chunk[: min(len(chunk), values * 4 - start)])
    return path


def _info_exit_and_peak_bytes(path: Path) -> tuple[int, str, int]:
    """`nnwork info path` in a child process: its exit code, stderr and peak resident bytes."""
    child = subprocess.Popen([sys.executable, "-m", "nnwork", "info", str(path)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with child:
        err = child.stderr.read().decode()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, err, usage.ru_maxrss * 1024


@pytest.mark.parametrize(("entry", "values", "match"), [
    ("param/w", limits.MAX_PARAMETERS + 1, "declares 20,000,001 parameter values"),
    ("weights", 1000, r"unexpected entries \['weights'\]"),
])
def test_oversized_entries_are_refused_before_they_are_inflated(tmp_path: Path, entry: str, values: int,
                                                                match: str) -> None:
    path = _zip_with_zeros(tmp_path / "big.npz", entry, values)
    assert_bad_file(path, match)
    code, err, peak = _info_exit_and_peak_bytes(path)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    _, _, baseline = _info_exit_and_peak_bytes(_zip_with_zeros(tmp_path / "small.npz", "weights", 10))
    assert peak < baseline + values * 4 // 2  # the entry was never inflated


@pytest.mark.parametrize("entry", ["optimizer/0", "state/0"])
def test_oversized_state_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str) -> None:
    monkeypatch.setattr(limits, "MAX_STATE_VALUES", 100)
    assert_bad_file(_zip_with_zeros(tmp_path / "big.npz", entry, 101), r"declares 101 .*state values")


def test_an_unwritable_target_is_named_not_its_temporary_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root writes anywhere: /proc refuses new files even then
            locked = Path("/proc")
        with pytest.raises(OSError) as info:
            io.save(nn.MLP([2, 1]), locked / "m.npz")
        assert info.value.filename == str(locked / "m.npz") and ".tmp-" not in str(info.value)
    finally:
        (tmp_path / "locked").chmod(0o700)
