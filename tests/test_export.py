"""nnwork export: every model kind and activation, run by onnxruntime, PyTorch, a NumPy-only
interpreter and a C compiler, against nnwork's own predictions (nnwork predict's Predictor)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx  # test dependencies (the `test` extra): these tests run in CI, never skip
import onnxruntime as ort
import pytest
import torch

import nnwork as nw
from nnwork import data, io, nn
from nnwork.cli import main
from nnwork.export import ExportError, to_c, to_numpy, to_onnx, to_torch
from nnwork.nn import ACTIVATIONS
from nnwork.nn.neuron import example_network
from nnwork.towers import TowerGrid, original_four_towers, original_tower
from nnwork.towers.modules import Bump, Step
from nnwork.workflow import Predictor


DOMAIN = np.array([[-3.0, 3.0], [-1.0, 2.0]])
CC = shutil.which("cc") or shutil.which("gcc")


def _inputs(d: int, n: int = 300, seed: int = 1) -> np.ndarray:
    """Points across the domain and 10 % beyond it on every side."""
    low, high = DOMAIN[:d, 0], DOMAIN[:d, 1]
    margin = 0.1 * (high - low)
    return np.random.default_rng(seed).uniform(low - margin, high + margin, size=(n, d))


def _save(tmp: Path, name: str, model: nn.Module, standardized: bool = True) -> tuple[Path, Predictor | None]:
    """The model saved as `nnwork fit` saves one (with names and a domain), and its Predictor."""
    d = len(model.inputs) if isinstance(model, nn.NeuronGraph) else getattr(model, "n_inputs", 2)
    path = tmp / f"{name}.npz"
    if not standardized:
        io.save(model, path)
        return path, None
    x = np.random.default_rng(0).uniform(DOMAIN[:d, 0], DOMAIN[:d, 1], size=(200, d))
    y = np.column_stack([np.sin(x[:, 0]) + 5.0, 40.0 * x[:, 0] * x[:, -1] - 7.0])
    k = _predict_raw(model, x).shape[1]
    standardizer = data.Standardizer().fit(data.Dataset(x, y[:, :k]))
    training = {"x_names": ["a", "b"][:d], "y_names": ["u", "v"][:k], "domain_used": DOMAIN[:d].tolist()}
    metrics = {"validation": {"mse": 1e-3, "rmse": 0.03, "max_error": 0.1, "r2": 0.99}}
    io.save(model, path, standardization=standardizer.to_dict(), training=training, metrics=metrics)
    return path, Predictor(io.load(path).model, standardizer)


def _predict_raw(model: nn.Module, x: np.ndarray) -> np.ndarray:
    dtype = model.parameters()[0].dtype
    with nw.no_grad():
        y = model(nw.tensor(x.astype(dtype))).data.astype(np.float64)
    return y.reshape(len(x), -1)


def _models() -> dict[str, tuple[nn.Module, bool]]:
    """name -> (model, saved with a standardisation)."""
    models: dict[str, tuple[nn.Module, bool]] = {}
    for activation in ACTIVATIONS:
        for dtype in (np.float32, np.float64):
            models[f"mlp_{activation}_{np.dtype(dtype).name}"] = (nn.MLP([2, 6, 5, 2], activation, generator=3, dtype=dtype), True)
    models["mlp_sigmoid_out"] = (nn.MLP([2, 5, 1], "relu", output_activation="sigmoid", generator=4), True)
    mixed = nn.Sequential(nn.Linear(2, 4, generator=5, dtype=np.float64), nn.Softplus(beta=2.0, threshold=5.0),
                          nn.Linear(4, 3, generator=6, dtype=np.float64), nn.Linear(3, 3, generator=7, dtype=np.float64),
                          nn.ELU(alpha=0.5), nn.GELU("tanh"), nn.Linear(3, 2, bias=False, generator=8, dtype=np.float64))
    models["sequential_mixed"] = (mixed, True)
    models["example_graph"] = (example_network(generator=0, dtype=np.float64), True)
    graph = nn.NeuronGraph(["x1", "x2"], generator=2, dtype=np.float64)  # fan-out, sums, mixed activations
    graph.neuron("h1", "x1", "x2", activation="tanh")
    graph.neuron("h2", "x1 + h1", activation="softplus")
    graph.neuron("h3", "h1", "h2 + x2", "x1", activation="relu")
    graph.neuron("out", "h3 + h1", "h2", activation="identity")
    graph.outputs = ["out", "h2"]
    models["neuron_graph"] = (graph, True)
    models["tower"] = (original_tower(), False)
    models["tower_scaled"] = (original_tower(), True)
    models["tower_sum"] = (original_four_towers(), False)
    heights = np.random.default_rng(0).uniform(-1, 1, size=(3, 4))
    models["tower_grid"] = (TowerGrid(DOMAIN.tolist(), heights, steepness=[8.0, 12.0], outer_steepness=30.0), True)
    models["step"] = (Step(0.3, steepness=50.0), False)
    models["bump"] = (Bump(-0.5, 0.5, steepness=20.0), False)
    models["neuron"] = (nn.Neuron(2, activation="tanh", generator=1, dtype=np.float64), True)
    return models


MODELS = _models()


class Exported:
    """One model saved to a file, its reference predictions, and its tolerance."""

    def __init__(self, tmp: Path, name: str) -> None:
        model, standardized = MODELS[name]
        self.path, predictor = _save(tmp, name, model, standardized)
        self.model = io.load(self.path).model
        self.d = len(self.model.inputs) if isinstance(self.model, nn.NeuronGraph) else getattr(self.model, "n_inputs", 2)
        if isinstance(self.model, (Step, Bump)):
            self.d = 1
        self.x = _inputs(self.d)
        self.reference = predictor(self.x) if predictor else _predict_raw(self.model, self.x)
        self.reference = self.reference.reshape(len(self.x), -1)
        self.dtype = self.model.parameters()[0].dtype
        self.tolerance = 1e-5 if self.dtype == np.float32 else 1e-12

    def check(self, got: np.ndarray, tolerance: float | None = None, what: str = "") -> None:
        got = np.asarray(got, dtype=np.float64).reshape(self.reference.shape)
        scale = np.maximum(np.ptp(self.reference, axis=0), 1e-300)
        error = float(np.max(np.abs(got - self.reference) / scale))
        assert error <= (tolerance or self.tolerance), f"{what}: error {error:.3g} of the output's range"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Exported]:
    tmp = tmp_path_factory.mktemp("models")
    return {name: Exported(tmp, name) for name in MODELS}


def _import(path: Path) -> object:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _clean_python(tmp: Path) -> list[str]:
    """A Python that can import NumPy and nothing else of this environment (so not nnwork)."""
    lib = tmp / "only-numpy"
    if not lib.exists():
        lib.mkdir()
        site = Path(np.__file__).resolve().parent.parent
        for name in ("numpy", "numpy.libs"):
            if (site / name).exists():
                (lib / name).symlink_to(site / name)
    return [sys.executable, "-I", "-S", "-c",
            f"import sys; sys.path.insert(0, {str(lib)!r}); import runpy; script = sys.argv[1]; "
            "sys.argv = sys.argv[1:]; runpy.run_path(script, run_name='__main__')"]


def _run_clean(command: list[str], script: Path, stdin: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run([*command, str(script)], input=stdin, capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=60)


@pytest.mark.parametrize("name", MODELS)
def test_every_target_matches_nnwork(name: str, exported: dict[str, Exported], tmp_path: Path) -> None:
    case = exported[name]
    for keep in (False, True):
        tag = "kept" if keep else "folded"
        # ONNX, through onnxruntime
        onnx_path = tmp_path / f"{tag}.onnx"
        to_onnx(case.path, onnx_path, keep_scaling=keep)
        proto = onnx.load(onnx_path)
        onnx.checker.check_model(proto, full_check=True)
        session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
        (got,) = session.run(None, {session.get_inputs()[0].name: case.x.astype(case.dtype)})
        case.check(got, what=f"onnx {tag}")
        # PyTorch: load() gives a module in data units
        torch_path = tmp_path / f"{tag}_torch.py"
        to_torch(case.path, torch_path, keep_scaling=keep)
        module = _import(torch_path).load()
        with torch.no_grad():
            got = module(torch.tensor(case.x if keep else case.x.astype(case.dtype)))
        case.check(got.double().numpy(), what=f"torch {tag}")
        # NumPy, imported here (the CSV path runs in a clean interpreter below)
        numpy_path = tmp_path / f"{tag}_numpy.py"
        to_numpy(case.path, numpy_path, keep_scaling=keep)
        case.check(_import(numpy_path).predict(case.x), what=f"numpy {tag}")


@pytest.fixture(scope="module")
def clean_python(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The NumPy-only interpreter, checked: it cannot import nnwork."""
    tmp = tmp_path_factory.mktemp("clean")
    python = _clean_python(tmp)
    probe = tmp / "probe.py"
    probe.write_text("import numpy\nimport nnwork\n")
    refused = _run_clean(python, probe, "", tmp)
    assert refused.returncode != 0 and "No module named 'nnwork'" in refused.stderr
    return python


@pytest.fixture(scope="module")
def standalone_predictions(exported: dict[str, Exported], clean_python: list[str],
                           tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    """Every model's NumPy file run by the clean interpreter (one process for all of them)."""
    tmp = tmp_path_factory.mktemp("standalone")
    for name, case in exported.items():
        to_numpy(case.path, tmp / f"{name}.py")
        np.save(tmp / f"{name}_x.npy", case.x)
    driver = tmp / "driver.py"
    driver.write_text(
        "import runpy, sys\nimport numpy as np\n"
        f"for name in {list(exported)!r}:\n"
        f"    module = runpy.run_path({str(tmp)!r} + '/' + name + '.py')\n"
        f"    np.save({str(tmp)!r} + '/' + name + '_y.npy', module['predict'](np.load({str(tmp)!r} + '/' + name + '_x.npy')))\n")
    result = _run_clean(clean_python, driver, "", tmp)
    assert result.returncode == 0, result.stderr
    return {name: np.load(tmp / f"{name}_y.npy") for name in exported}


@pytest.mark.parametrize("name", MODELS)
def test_numpy_file_runs_without_nnwork(name: str, exported: dict[str, Exported],
                                        standalone_predictions: dict[str, np.ndarray]) -> None:
    exported[name].check(standalone_predictions[name], what="numpy without nnwork")


@pytest.mark.parametrize("name", ["mlp_tanh_float32", "neuron_graph", "tower_grid"])
def test_numpy_file_filters_csv(name: str, exported: dict[str, Exported], clean_python: list[str],
                                tmp_path: Path) -> None:
    case = exported[name]
    script = tmp_path / "standalone.py"
    to_numpy(case.path, script)
    names = _import(script).INPUTS
    csv = ",".join(names) + "\n" + "\n".join(",".join(repr(float(v)) for v in row) for row in case.x) + "\n"
    result = _run_clean(clean_python, script, csv, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split(",")[: case.d] == names
    table = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    np.testing.assert_array_equal(table[:, : case.d], case.x)
    case.check(table[:, case.d :], what="numpy __main__")


def _c_program(tmp: Path, source: Path, real: str) -> Path:
    header = source.with_suffix(".h").name
    name = source.stem
    driver = tmp / "driver.c"
    driver.write_text(
        f'#include <stdio.h>\n#include "{header}"\n'
        f"int main(void) {{\n    static {real} x[{name.upper()}_INPUTS * 64], y[{name.upper()}_OUTPUTS * 64];\n"
        "    double v;\n    size_t n = 0;\n"
        f"    for (;;) {{\n        int ok = 1;\n        for (size_t j = 0; j < {name.upper()}_INPUTS; j++) {{\n"
        "            if (scanf(\"%lf\", &v) != 1) { ok = 0; break; }\n"
        f"            x[n * {name.upper()}_INPUTS + j] = ({real})v;\n        }}\n"
        "        if (ok) n++;\n"
        f"        if (!ok || n == 64) {{\n            {name}_batch(x, y, n);\n"
        f"            for (size_t i = 0; i < n * {name.upper()}_OUTPUTS; i++)\n"
        f"                printf(\"%.17g%c\", (double)y[i], (i + 1) % {name.upper()}_OUTPUTS ? ' ' : '\\n');\n"
        "            n = 0;\n        }\n        if (!ok) return 0;\n    }\n}\n")
    program = tmp / f"{name}-{real}"
    compiled = subprocess.run([CC, "-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", "-o", str(program),
                               str(source), str(driver), "-lm"], capture_output=True, text=True, timeout=120)
    assert compiled.returncode == 0, compiled.stderr
    return program


@pytest.mark.skipif(CC is None, reason="no C compiler")
@pytest.mark.parametrize("name", MODELS)
def test_c_program_matches_nnwork(name: str, exported: dict[str, Exported], tmp_path: Path) -> None:
    case = exported[name]
    reals = ("double", "float") if name in ("mlp_tanh_float32", "neuron_graph", "tower_grid") else ("double",)
    for real in reals:
        source = tmp_path / f"net_{real}.c"
        to_c(case.path, source, real=real, keep_scaling=real == "float")
        program = _c_program(tmp_path, source, real)
        text = "\n".join(" ".join(repr(float(v)) for v in row) for row in case.x)
        out = subprocess.run([str(program)], input=text, capture_output=True, text=True, timeout=60).stdout
        got = np.array([[float(v) for v in line.split()] for line in out.splitlines()])
        # a double program computes in double (more precisely than a float32 model); float in float32
        case.check(got, tolerance=1e-5 if real == "float" else None, what=f"C {real}")


def test_onnx_interface_and_metadata(exported: dict[str, Exported], tmp_path: Path) -> None:
    case = exported["mlp_tanh_float32"]
    path = tmp_path / "m.onnx"
    to_onnx(case.path, path)
    model = onnx.load(path)
    assert model.opset_import[0].version >= 17
    (x,), (y,) = model.graph.input, model.graph.output
    assert (x.name, y.name) == ("a_b", "u_v")
    assert x.type.tensor_type.shape.dim[0].dim_param == "N" and x.type.tensor_type.shape.dim[1].dim_value == 2
    props = {p.key: p.value for p in model.metadata_props}
    assert props["nnwork_version"] == nw.__version__ and props["input_columns"] == '["a", "b"]'
    assert props["training_domain"] == "[[-3.0, 3.0], [-1.0, 2.0]]" and '"mse": 0.001' in props["metrics"]
    assert {node.op_type for node in model.graph.node} == {"Gemm", "Tanh"}  # the folded plain chain
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for n in (1, 7):  # the batch is dynamic
        assert session.run(None, {"a_b": case.x[:n].astype(np.float32)})[0].shape == (n, 2)


def test_float64_softplus_has_no_softplus_node(exported: dict[str, Exported], tmp_path: Path) -> None:
    to_onnx(exported["mlp_softplus_float64"].path, tmp_path / "m.onnx")
    ops = {node.op_type for node in onnx.load(tmp_path / "m.onnx").graph.node}
    assert "Softplus" not in ops and {"Relu", "Log", "Exp", "Where"} <= ops


@pytest.mark.parametrize("name", ["mlp_tanh_float64", "mlp_identity_float32", "mlp_relu_float64"])
def test_torch_layout_matches_nnwork(exported: dict[str, Exported], tmp_path: Path, name: str) -> None:
    case = exported[name]
    for keep in (False, True):
        to_torch(case.path, tmp_path / "t.py", keep_scaling=keep)
        module = _import(tmp_path / "t.py").load()
        keys = set(module.state_dict())
        assert set(case.model.state_dict()) <= keys
        assert keys - set(case.model.state_dict()) == ({"x_mean", "x_std", "y_mean", "y_std"} if keep else set())
        from safetensors.torch import load_file

        assert set(load_file(tmp_path / "t.safetensors")) == keys
        assert not (tmp_path / "t.safetensors").read_bytes().startswith(b"PK")  # not a torch.save zip/pickle


def test_round_trip_through_torch_is_identical(exported: dict[str, Exported], tmp_path: Path) -> None:
    for name in ("mlp_tanh_float32", "mlp_gelu_float64"):
        case = exported[name]
        to_torch(case.path, tmp_path / "t.py", keep_scaling=True)
        back = nw.from_torch(_import(tmp_path / "t.py").load())
        assert type(back.model) is nn.MLP
        np.testing.assert_array_equal(back(case.x), case.reference)
        to_torch(case.path, tmp_path / "f.py")  # folded: the torch module's own numbers come back
        module = _import(tmp_path / "f.py").load()
        with torch.no_grad():
            expected = module(torch.tensor(case.x.astype(case.dtype))).double().numpy()
        case.check(nw.from_torch(module)(case.x), what="folded round trip")
        np.testing.assert_allclose(nw.from_torch(module)(case.x), expected, rtol=1e-6, atol=1e-6 * np.ptp(expected))


def test_trained_further_in_torch_comes_back(exported: dict[str, Exported], tmp_path: Path) -> None:
    case = exported["mlp_softplus_float64"]
    to_torch(case.path, tmp_path / "t.py", keep_scaling=True)
    module = _import(tmp_path / "t.py").load()
    x = torch.tensor(case.x)
    target = torch.tensor(np.column_stack([np.cos(case.x[:, 0]), case.x[:, 1]]))
    for _ in range(5):  # plain gradient steps (torch.optim's first use alone takes seconds)
        module.zero_grad()
        torch.nn.functional.mse_loss(module(x), target).backward()
        with torch.no_grad():
            for parameter in module.parameters():
                parameter -= 0.05 * parameter.grad
    with torch.no_grad():
        trained = module(x).numpy()
    assert np.abs(trained - case.reference).max() > 1e-3  # it did move
    back = nw.from_torch(module)
    saved = io.save(back.model, tmp_path / "back.npz", standardization=back.standardizer.to_dict())
    loaded = io.load(saved)
    again = Predictor(loaded.model, data.Standardizer.from_dict(loaded.standardization))
    np.testing.assert_allclose(again(case.x), trained, rtol=0, atol=1e-12 * np.ptp(trained))


def test_from_torch_reads_plain_modules_and_state_dicts() -> None:
    torch.manual_seed(0)
    seq = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    x = np.random.default_rng(0).normal(size=(10, 3)).astype(np.float32)
    with torch.no_grad():
        expected = seq(torch.tensor(x)).numpy()
    np.testing.assert_allclose(nw.from_torch(seq)(x), expected, rtol=1e-6, atol=1e-6)
    from_state = nw.from_torch(seq.state_dict(), activation="relu")
    np.testing.assert_allclose(from_state(x), expected, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="pass activation="):
        nw.from_torch(seq.state_dict())
    mixed = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Softplus(beta=2), torch.nn.Linear(4, 2), torch.nn.Tanh())
    with torch.no_grad():
        expected = mixed(torch.tensor(x)).numpy()
    back = nw.from_torch(mixed)
    assert type(back.model) is nn.Sequential
    np.testing.assert_allclose(back(x), expected, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="Conv1d at position 1"):
        nw.from_torch(torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Conv1d(1, 1, 1)))
    with pytest.raises(ValueError, match="nn.Sequential"):
        nw.from_torch(torch.nn.Linear(3, 4))


def test_exports_are_deterministic(exported: dict[str, Exported], tmp_path: Path) -> None:
    case = exported["neuron_graph"]
    for run in ("one", "two"):
        (tmp_path / run).mkdir()
        to_onnx(case.path, tmp_path / run / "m.onnx")
        to_torch(case.path, tmp_path / run / "m.py", keep_scaling=True)
        to_numpy(case.path, tmp_path / run / "n.py")
        to_c(case.path, tmp_path / run / "c.c")
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == ["c.c", "c.h", "m.onnx", "m.py", "m.safetensors", "n.py"]
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_beside_the_model_and_never_over_it(exported: dict[str, Exported], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "model.npz"
    shutil.copy(exported["mlp_relu_float32"].path, model)
    before = model.read_bytes()
    for target, files in (("onnx", ["model.onnx"]), ("torch", ["model_torch.py", "model_torch.safetensors"]),
                          ("numpy", ["model_numpy.py"]), ("c", ["model.h", "model.c"])):
        code, out, err = _cli(capsys, "export", str(model), "--to", target)
        assert code == 0 and err == "" and out.split() == [w for f in files for w in ("wrote", str(tmp_path / f))]
    code, out, err = _cli(capsys, "export", str(model), "--to", "onnx", "--output", str(model))
    assert code == 2 and len(err.splitlines()) == 1 and "overwrite its input" in err
    assert model.read_bytes() == before
    code, out, err = _cli(capsys, "export", str(model), "--to", "numpy", "--float")
    assert code == 2 and "--float is for --to c only" in err
    code, out, _ = _cli(capsys, "info", str(model))
    assert code == 0 and "export: to onnx, torch, numpy, c" in out


def test_cli_refuses_what_cannot_be_exported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layer_norm = nn.Sequential(nn.Linear(2, 3, generator=0), nn.LayerNorm(3), nn.Linear(3, 1, generator=1))
    io.save(layer_norm, tmp_path / "ln.npz")
    code, out, err = _cli(capsys, "export", str(tmp_path / "ln.npz"), "--to", "c")
    assert code == 2 and len(err.splitlines()) == 1 and "LayerNorm" in err
    code, out, _ = _cli(capsys, "info", str(tmp_path / "ln.npz"))
    assert code == 0 and "export: the LayerNorm in the Sequential cannot be exported" in out
    broken = nn.MLP([2, 3, 1], generator=0)
    broken[0].weight.data[0, 0] = np.nan
    io.save(broken, tmp_path / "nan.npz")
    code, out, err = _cli(capsys, "export", str(tmp_path / "nan.npz"), "--to", "onnx")
    assert code == 2 and "'0.weight' holds values that are not finite" in err
    (tmp_path / "renamed.npz").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    code, out, err = _cli(capsys, "export", str(tmp_path / "renamed.npz"), "--to", "torch")
    assert code == 2 and len(err.splitlines()) == 1 and "not an nnwork model file" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ln.npz", "nan.npz", "renamed.npz"]  # nothing written


def test_hostile_column_names_stay_data(tmp_path: Path) -> None:
    model = nn.MLP([2, 3, 1], generator=0, dtype=np.float64)
    names = ['a"""\nimport os  #', "b*/ int evil; /*"]
    stats = {"x_mean": [0.0, 0.0], "x_std": [1.0, 1.0], "y_mean": [0.0], "y_std": [1.0]}
    io.save(model, tmp_path / "m.npz", standardization=stats, training={"x_names": names, "y_names": ["y"]})
    to_numpy(tmp_path / "m.npz", tmp_path / "m_numpy.py")  # names with newlines are not printable: replaced
    assert _import(tmp_path / "m_numpy.py").INPUTS == ["x1", "x2"]
    io.save(model, tmp_path / "m.npz", standardization=stats, training={"x_names": ['a"""', "b*/ x"], "y_names": ["y"]})
    assert _import(to_numpy(tmp_path / "m.npz", tmp_path / "m2.py")[0]).INPUTS == ['a"""', "b*/ x"]
    if CC is not None:
        to_c(tmp_path / "m.npz", tmp_path / "m.c")
        compiled = subprocess.run([CC, "-std=c99", "-Wall", "-Wextra", "-Werror", "-c", "-o", str(tmp_path / "m.o"),
                                   str(tmp_path / "m.c")], capture_output=True, text=True)
        assert compiled.returncode == 0, compiled.stderr


def test_c_names_are_identifiers(exported: dict[str, Exported], tmp_path: Path) -> None:
    written = to_c(exported["neuron"].path, tmp_path / "3d-fit.c")
    assert [p.name for p in written] == ["nn_3d_fit.h", "3d-fit.c"]
    assert "void nn_3d_fit(const double *x, double *y);" in written[0].read_text()
    with pytest.raises(ExportError, match="overwrite its input"):
        to_onnx(exported["neuron"].path, exported["neuron"].path)


def test_import_nnwork_imports_neither_onnx_nor_torch() -> None:
    code = "import sys, nnwork, nnwork.export; print(any(m in sys.modules for m in ('onnx', 'torch')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(nw.__file__).parent.parent)})
    assert result.stdout.strip() == "False", result.stderr


def test_the_numpy_runtime_copies_the_engines_constants() -> None:
    """The exported NumPy file cannot import nnwork, so it carries copies: they must not drift."""
    from nnwork.export import numpy_runtime
    from nnwork.ops import activations

    for name in ("SELU_ALPHA", "SELU_SCALE", "GELU_KAPPA", "SQRT_HALF", "SQRT_2_OVER_PI", "ERFC_CHEBYSHEV"):
        np.testing.assert_array_equal(getattr(numpy_runtime, name), getattr(activations, name), err_msg=name)
