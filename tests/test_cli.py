"""The `nnwork` command as a user meets it: exit codes, messages, files written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnwork import data, io
from nnwork.cli import COMMANDS, main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_fit_sin_cos_from_the_cli_reaches_validation_mse_1e_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "fit", "sin(x)*cos(y)", "--domain", "-3:3,-3:3", "--out", str(out), "--quiet")
    assert code == 0, stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["validation"]["mse"] <= 1e-4
    assert "validation" in stdout and "R²" in stdout
    for name in ("model.npz", "metrics.json", "fit.png", "loss.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "fit.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    loaded = io.load(out / "model.npz")
    assert loaded.metrics is not None and loaded.metrics["validation"]["mse"] == metrics["validation"]["mse"]

    code, stdout, _ = run(capsys, "predict", str(out / "model.npz"), "--x", "1.0,0.5", "--x", "-2,2")
    assert code == 0
    lines = stdout.strip().splitlines()
    assert lines[0] == "x,y,y1"
    for line in lines[1:]:
        x, y, value = (float(v) for v in line.split(","))
        assert value == pytest.approx(np.sin(x) * np.cos(y), abs=0.03)

    code, stdout, _ = run(capsys, "info", str(out / "model.npz"))
    assert code == 0 and "MLP" in stdout and "4,417 parameters" in stdout


def test_default_run_says_what_it_fits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run(capsys, "--epochs", "3", "--out", str(tmp_path), "--quiet", "--no-plots")
    assert code == 0
    assert "built-in default target 'sincos'" in stdout
    assert (tmp_path / "model.npz").exists()


def test_csv_round_trip_recovers_the_function_in_original_units(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, size=(600, 1))
    y = 1000 + 50 * np.sin(x)  # far from mean 0 / std 1: standardisation must be undone
    data.write_csv(tmp_path / "data.csv", {"time": x[:, 0], "height": y[:, 0]})
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "fit", "--csv", str(tmp_path / "data.csv"), "--x", "time", "--y", "height",
                            "--hidden", "32,32", "--epochs", "300", "--out", str(out), "--quiet")
    assert code == 0, err
    points = np.linspace(0.5, 9.5, 7)
    data.write_csv(tmp_path / "points.csv", {"time": points})
    code, _, err = run(capsys, "predict", str(out / "model.npz"), "--csv", str(tmp_path / "points.csv"),
                       "--output", str(tmp_path / "pred.csv"))
    assert code == 0, err
    predicted = data.read_csv(tmp_path / "pred.csv", x="time", y="height")
    np.testing.assert_allclose(predicted.y[:, 0], 1000 + 50 * np.sin(points), atol=1.5)
    assert predicted.x_names == ("time",)


def test_levenberg_marquardt_gets_a_small_network_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "fit", "franke", "--optimizer", "lm", "--epochs", "150", "--out", str(out), "--quiet")
    assert code == 0, err
    assert "network 2-16-16-1 tanh, 337 parameters" in stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["settings"]["hidden"] == [16, 16] and metrics["validation"]["mse"] < 1e-5
    code, stdout, err = run(capsys, "fit", "franke", "--optimizer", "lm", "--hidden", "8", "--epochs", "2",
                            "--out", str(out), "--quiet")
    assert code == 0 and "network 2-8-1" in stdout, err


def test_a_constant_target_has_no_r_squared_and_metrics_stay_strict_json(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "fit", "2.5", "--epochs", "5", "--out", str(out), "--quiet")
    assert code == 0, err
    assert "nan" not in stdout.lower() and stdout.count("—") == 4  # R² of the network and of linear least squares, train and validation

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    metrics = json.loads((out / "metrics.json").read_text(), parse_constant=refuse)  # no NaN/Infinity
    assert metrics["validation"]["r2"] is None and metrics["validation"]["mse"] < 1e-3


HOSTILE = [
    "__import__('os').system('echo hacked')",
    "x.__class__",
    "().__class__.__bases__",
    "lambda: 1",
    "import os",
    "open('/etc/passwd')",
    "exec('1')",
    "eval('x')",
    "getattr(x, 'y')",
    "x[0]",
    "2x",
    "exp(x+2)^99999999",  # overflows: a target must be finite
    "(" * 10_000 + "x" + ")" * 10_000,
    "",
    "   ",
    "sin(x)·cos(y)",
    "π*x",
    "x; y",
]


@pytest.mark.parametrize("formula", HOSTILE)
def test_hostile_formulas_exit_2_with_one_line(formula: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, err = run(capsys, "fit", formula, "--epochs", "1", "--out", str(tmp_path), "--quiet", "--no-plots")
    assert code == 2
    assert err.startswith("nnwork fit: error:") and err.count("\n") == 1
    assert "Traceback" not in err and "hacked" not in stdout
    assert not (tmp_path / "model.npz").exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["fit", "--csv", "missing.csv"], "missing.csv"),
        (["fit", "sin(x)", "--domain", "3:-3"], "domain"),
        (["fit", "sin(x)", "--hidden", "a,b"], "--hidden"),
        (["fit", "sin(x)", "--epochs", "0"], "--epochs"),
        (["fit", "sin(x)", "--activation", "swish"], "swish"),
        (["fit", "sin(x)", "--optimizer", "adamm"], "adamm"),
        (["fit", "log(x)"], "inside the domain [-1, 1]: fit it on a domain where it is defined (`domain=`; "
                            "on the command line --domain LO:HI"),
        (["predict", "no-such-model.npz", "--x", "1"], "no-such-model.npz"),
        (["info", "no-such-model.npz"], "no-such-model.npz"),
    ],
)
def test_bad_input_exit_2(argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *argv, *(["--out", str(tmp_path)] if argv[0] == "fit" else []))
    assert code == 2 and message in err, err


def test_bad_csv_gives_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n3,oops\n")
    code, _, err = run(capsys, "fit", "--csv", str(tmp_path / "bad.csv"), "--out", str(tmp_path))
    assert code == 2 and "line 3" in err and "column 2" in err and "'oops'" in err


def test_corrupt_model_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "model.npz").write_bytes(b"PK\x03\x04 this is not really a zip")
    for command in (["info"], ["predict", "--x", "1,2"]):
        code, _, err = run(capsys, command[0], str(tmp_path / "model.npz"), *command[1:])
        assert code == 2 and "model.npz" in err and "Traceback" not in err


def test_predict_checks_the_number_of_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "fit", "sin(x)", "--epochs", "2", "--out", str(tmp_path), "--quiet", "--no-plots")
    code, _, err = run(capsys, "predict", str(tmp_path / "model.npz"), "--x", "1,2")
    assert code == 2 and "takes 1" in err


def test_a_diverging_run_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "fit", "1e6*x", "--optimizer", "sgd", "--lr", "1e4", "--epochs", "20",
                       "--activation", "relu", "--out", str(tmp_path), "--quiet", "--no-plots")
    assert code == 1 and "learning rate" in err


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run(capsys, command, "--help")
    assert code == 0 and "example" in stdout and f"nnwork {command}" in stdout


def test_console_script_is_installed() -> None:
    result = subprocess.run([sys.executable, "-m", "nnwork.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("nnwork ")


@pytest.mark.parametrize("argv", [["explain", "backprop"], ["explain", "descent", "x^2"], ["--help"]])
def test_a_reader_that_goes_away_ends_the_command_quietly(argv: list[str]) -> None:
    """`nnwork explain backprop | head -1`: the pipe closes before nnwork writes."""
    child = subprocess.Popen([sys.executable, "-m", "nnwork", *argv], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    child.stdout.close()  # no reader: nnwork's first write meets a broken pipe
    with child:
        err = child.stderr.read().decode()
        assert child.wait(timeout=120) == 0
    assert err == ""


def test_csv_values_near_the_float64_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Huge inputs train and give a model that loads; huge outputs are refused before training."""
    column = [1e300, 2e300, -1e300, 5e299, 1e299, 3e300, 1.5e300, 2e300]
    (tmp_path / "x.csv").write_text("x,y\n" + "".join(f"{v!r},{i}\n" for i, v in enumerate(column)))
    (tmp_path / "y.csv").write_text("x,y\n" + "".join(f"{i},{v!r}\n" for i, v in enumerate(column)))
    code, _, err = run(capsys, "fit", "--csv", str(tmp_path / "x.csv"), "--epochs", "3", "--out",
                       str(tmp_path / "x"), "--quiet", "--no-plots")
    assert code == 0 and err == ""
    code, out, err = run(capsys, "predict", str(tmp_path / "x" / "model.npz"), "--x", "1e300")
    assert code == 0 and np.isfinite(float(out.splitlines()[1].split(",")[1]))
    code, _, err = run(capsys, "fit", "--csv", str(tmp_path / "y.csv"), "--out", str(tmp_path / "y"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "'y' reaches 3e+300" in err
    assert not (tmp_path / "y").exists()


def test_fit_options_take_their_defaults_from_fit_settings_and_choices_from_the_tables() -> None:
    import argparse
    from dataclasses import fields

    from nnwork.commands import fit as fit_command
    from nnwork.fit_settings import FitSettings
    from nnwork.nn import ACTIVATIONS
    from nnwork.optim.choices import OPTIMIZERS

    subparsers = argparse.ArgumentParser().add_subparsers()
    fit_command.add_parser(subparsers)
    actions = {action.dest: action for action in subparsers.choices["fit"]._actions}
    defaults = FitSettings()
    settings = {f.name for f in fields(FitSettings)}
    for name in settings & set(actions):
        assert actions[name].default == getattr(defaults, name), name
    assert settings - set(actions) == {"validation", "plateau"}  # not offered on the command line
    assert actions["optimizer"].choices == list(OPTIMIZERS)
    assert actions["activation"].choices == list(ACTIVATIONS)
    parsed = subparsers.choices["fit"].parse_args([])
    assert fit_command._settings(parsed) == defaults


def test_fit_help_shows_the_defaults_it_uses(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run(capsys, "fit", "--help")
    text = " ".join(stdout.split())
    assert code == 0
    assert "(default 64,64; 16,16 with --optimizer lm or br)" in text and "(default 500)" in text
    assert "lm (Levenberg–Marquardt: small networks, least squares), br (Bayesian-regularised" in text
    assert "pull to zero learned) (default adam)" in text


def test_the_readme_csv_example_is_the_data_its_script_makes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """examples/spring.csv is what examples/spring.py writes, and the README's line fits it."""
    import importlib.util

    examples = Path(__file__).parents[1] / "examples"
    spec = importlib.util.spec_from_file_location("spring", examples / "spring.py")
    spring = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(spring)  # our own example script
    on_disk = data.read_csv(examples / "spring.csv")
    np.testing.assert_array_equal(np.hstack([on_disk.x, on_disk.y]), spring.measurements())
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    line = next(l for l in readme.splitlines() if "examples/spring.csv" in l).split("#")[0].split()
    code, out, _ = run(capsys, *line[1:], "--csv", str(examples / "spring.csv"), "--epochs", "50",
                       "--out", str(tmp_path), "--quiet", "--no-plots")
    assert code == 0 and "spring.csv (400 rows; t, damping → displacement)" in out
