"""Honest scores (nnwork.fit_job, nnwork.splits, nnwork.linear): test rows nothing else sees,
K-fold scores, the linear baseline, ensembles with error bars, and --jobs giving the same bits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nnwork import data, splits
from nnwork.cli import main
from nnwork.fit_files import load_predictor, save_fit
from nnwork.fit_job import fit
from nnwork.linear import linear_network
from nnwork.nn import MLP, Ensemble
from nnwork.workflow import FitSettings


def noisy_table(n: int = 120, seed: int = 0) -> data.Dataset:
    draw = np.random.default_rng(seed)
    x = draw.uniform(-1, 1, size=(n, 2))
    y = np.cos(3 * x[:, :1]) + 0.5 * x[:, 1:] + 0.05 * draw.normal(size=(n, 1))  # a straight line misses the cos
    return data.Dataset(x, y, ("a", "b"), ("out",))


def quick(**changes: object) -> FitSettings:
    return FitSettings(**{"epochs": 150, "hidden": [8], "batch_size": 32, **changes})  # type: ignore[arg-type]


def parameters(result: object) -> list[np.ndarray]:
    return [p.data.copy() for p in result.predictor.model.parameters()]  # type: ignore[attr-defined]


# ---- splits ---------------------------------------------------------------------------------------
def test_test_rows_and_folds_deal_every_row_once() -> None:
    dev, test = splits.test_rows(101, 0.15, seed=3)
    assert len(test) == 15 and len(dev) == 86 and not set(dev) & set(test)
    assert sorted(np.concatenate([dev, test])) == list(range(101))
    held = np.concatenate([h for _, h in splits.folds(86, 5, seed=3)])
    assert sorted(held) == list(range(86))
    for train, h in splits.folds(86, 5, seed=3):
        assert not set(train) & set(h) and len(train) + len(h) == 86
    assert np.array_equal(splits.test_rows(101, 0.15, 3)[1], test)  # seeded
    assert not np.array_equal(splits.test_rows(101, 0.15, 4)[1], test)
    with pytest.raises(ValueError, match="test fraction"):
        splits.test_rows(3, 0.5, 0)
    with pytest.raises(ValueError, match="2 ≤ K"):
        splits.folds(5, 6, 0)


# ---- the test split is never touched ------------------------------------------------------------------
def test_poisoned_test_rows_change_nothing_but_the_test_score() -> None:
    table = noisy_table()
    settings = quick(test_fraction=0.25, seed=1)
    clean = fit(settings, dataset=table)
    _, test_rows = splits.test_rows(len(table), 0.25, 1)
    x, y = table.x.copy(), table.y.copy()
    x[test_rows] = 1e3  # far outside the data, and wrong targets
    y[test_rows] = -1e6
    poisoned = fit(settings, dataset=data.Dataset(x, y, table.x_names, table.y_names))
    for a, b in zip(parameters(clean), parameters(poisoned)):
        assert np.array_equal(a, b)
    assert poisoned.history.train_loss == clean.history.train_loss
    assert poisoned.metrics["validation"] == clean.metrics["validation"]
    assert poisoned.metrics["linear"]["train"] == clean.metrics["linear"]["train"]
    assert clean.metrics["test"]["r2"] > 0.5
    assert poisoned.metrics["test"]["mse"] > 1e9  # the test rows were measured, and only measured
    assert len(clean.test) == 30 and len(clean.train) + len(clean.validation) == 90


def test_poisoned_test_rows_do_not_move_ensemble_or_cv_either() -> None:
    table = noisy_table(80)
    settings = quick(test_fraction=0.2, cv=3, ensemble=2, epochs=15)
    clean = fit(settings, dataset=table)
    _, test_rows = splits.test_rows(len(table), 0.2, 0)
    y = table.y.copy()
    y[test_rows] = 1e6
    poisoned = fit(settings, dataset=data.Dataset(table.x, y))
    for a, b in zip(parameters(clean), parameters(poisoned)):
        assert np.array_equal(a, b)
    assert poisoned.metrics["cv"]["per_fold"] == clean.metrics["cv"]["per_fold"]
    assert poisoned.metrics["linear"]["cv"] == clean.metrics["linear"]["cv"]


# ---- the linear baseline and cross-validation -------------------------------------------------------
def test_linear_network_is_least_squares() -> None:
    draw = np.random.default_rng(5)
    x = draw.normal(size=(50, 3))
    y = x @ np.array([[1.0, 0.5], [-2.0, 0.0], [0.3, 1.0]]) + np.array([4.0, -1.0]) + 0.1 * draw.normal(size=(50, 2))
    model = linear_network(data.Dataset(x, y))
    with_ones = np.column_stack([x, np.ones(50)])
    reference = with_ones @ np.linalg.lstsq(with_ones, y, rcond=None)[0]
    from nnwork.tensor import Tensor

    assert model.sizes == [3, 2]
    np.testing.assert_allclose(model(Tensor(x)).data, reference, rtol=1e-10, atol=1e-10)


def test_cv_scores_the_linear_baseline_on_the_same_folds_as_numpy() -> None:
    table = noisy_table(60, seed=2)
    result = fit(quick(cv=4, epochs=5), dataset=table)
    r2 = []
    for train, held in splits.folds(60, 4, seed=0):
        ones = lambda rows: np.column_stack([table.x[rows], np.ones(len(rows))])  # noqa: E731
        coefficients = np.linalg.lstsq(ones(train), table.y[train], rcond=None)[0]
        error = ones(held) @ coefficients - table.y[held]
        r2.append(1 - np.mean(error**2) / np.var(table.y[held]))
    linear = result.metrics["linear"]["cv"]
    assert linear["folds"] == 4
    assert linear["r2"] == pytest.approx(np.mean(r2), abs=1e-10)
    assert linear["r2_sd"] == pytest.approx(np.std(r2), abs=1e-10)
    assert len(result.metrics["cv"]["per_fold"]) == 4


# ---- ensembles ------------------------------------------------------------------------------------
def test_ensemble_jobs_2_equals_jobs_1_bit_for_bit() -> None:
    table = noisy_table(90)
    one = fit(quick(ensemble=3, cv=2, jobs=1), dataset=table)
    two = fit(quick(ensemble=3, cv=2, jobs=2), dataset=table)
    assert isinstance(one.predictor.model, Ensemble) and len(one.predictor.model) == 3
    for a, b in zip(parameters(one), parameters(two)):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert one.metrics["cv"] == two.metrics["cv"] and one.metrics["train"] == two.metrics["train"]


def test_a_single_member_on_jobs_2_is_the_single_fit() -> None:
    table = noisy_table(70)
    here, there = fit(quick(), dataset=table), fit(quick(jobs=2), dataset=table)
    for a, b in zip(parameters(here), parameters(there)):
        assert np.array_equal(a, b)


def test_members_differ_and_predict_their_mean() -> None:
    result = fit(quick(ensemble=3, epochs=10), dataset=noisy_table(60))
    ensemble = result.predictor.model
    first, second = (m.parameters()[0].data for m in list(ensemble)[:2])
    assert not np.array_equal(first, second)
    from nnwork.tensor import Tensor

    x = Tensor(np.random.default_rng(0).normal(size=(7, 2)).astype(np.float32))
    members = ensemble.outputs(x)
    np.testing.assert_allclose(ensemble(x).data, members.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(ensemble.spread(x), members.std(axis=0), rtol=1e-6)
    assert result.metrics["ensemble"]["members"] == 3 and result.metrics["ensemble"]["seeds"] == [0, 1, 2]


def test_std_is_larger_far_from_the_data() -> None:
    draw = np.random.default_rng(0)
    x = draw.uniform(-1, 1, size=(150, 1))
    table = data.Dataset(x, np.sin(3 * x) + 0.05 * draw.normal(size=x.shape))
    result = fit(quick(ensemble=5, epochs=60, hidden=[16, 16]), dataset=table)
    near = result.predictor.std(np.linspace(-0.9, 0.9, 50)[:, None])
    far = result.predictor.std(np.linspace(4, 6, 50)[:, None])
    assert far.mean() > 5 * near.mean()
    assert result.metrics["train"]["r2"] > 0.9


def test_an_ensemble_file_saves_loads_and_predicts_the_same(tmp_path: Path) -> None:
    result = fit(quick(ensemble=2, epochs=5), dataset=noisy_table(50))
    save_fit(result, tmp_path)
    saved = load_predictor(tmp_path / "model.npz")
    points = np.random.default_rng(1).normal(size=(9, 2))
    assert np.array_equal(saved.predictor(points), result.predictor(points))
    assert np.array_equal(saved.predictor.std(points), result.predictor.std(points))
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["ensemble"]["members"] == 2 and "linear" in metrics


def test_ensemble_architecture_checks_its_members() -> None:
    from nnwork.nn.config import build

    with pytest.raises(ValueError, match="members"):
        build({"type": "Ensemble", "members": []})
    with pytest.raises(ValueError, match="unknown architecture"):
        build({"type": "Ensemble", "members": [{"type": "Nope"}]})
    with pytest.raises(TypeError, match="member 1"):
        Ensemble(MLP([1, 1]), "not a module")  # type: ignore[arg-type]


# ---- through the command line ---------------------------------------------------------------------
def write_table(path: Path, table: data.Dataset) -> Path:
    data.write_csv(path, {"a": table.x[:, 0], "b": table.x[:, 1], "out": table.y[:, 0]})
    return path


def test_cli_labels_every_split_and_shows_linear_beside(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = write_table(tmp_path / "t.csv", noisy_table(80))
    out = tmp_path / "out"
    code = main(["fit", "--csv", str(csv), "--test-fraction", "0.2", "--cv", "3", "--ensemble", "2", "--epochs", "300",
                 "--hidden", "8", "--quiet", "--no-plots", "--out", str(out)])
    stdout = capsys.readouterr().out
    assert code == 0
    for label in ("train", "validation (stopping)", "test", "cv", "linear R²", "16 rows set aside"):
        assert label in stdout, label
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["linear"]) >= {"train", "test", "cv"} and metrics["settings"]["test_fraction"] == 0.2
    code = main(["predict", str(out / "model.npz"), "--x", "0,0", "--std"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and lines[0] == "a,b,out,out_std" and float(lines[1].split(",")[3]) > 0


@pytest.mark.parametrize("option, value, message", [
    ("--cv", "1", "--cv must be 0"), ("--ensemble", "0", "--ensemble must be"),
    ("--test-fraction", "1.5", "--test-fraction must be"), ("--jobs", "0", "--jobs must be"),
])
def test_cli_refuses_bad_counts_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str,
                                            value: str, message: str) -> None:
    csv = write_table(tmp_path / "t.csv", noisy_table(30))
    code = main(["fit", "--csv", str(csv), option, value, "--quiet", "--no-plots", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_drop_missing_skips_and_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ["a,b,out"] + [f"{i / 40},{(i % 7) / 7},{np.sin(i / 10):.6f}" for i in range(40)]
    rows[5], rows[9] = "0.1,,0.3", "0.2,0.4,"
    path = tmp_path / "m.csv"
    path.write_text("\n".join(rows) + "\n")
    code = main(["fit", "--csv", str(path), "--epochs", "2", "--quiet", "--no-plots", "--out", str(tmp_path / "o")])
    assert code == 2 and "line 6, column 2" in capsys.readouterr().err
    code = main(["fit", "--csv", str(path), "--drop-missing", "--epochs", "2", "--quiet", "--no-plots",
                 "--out", str(tmp_path / "o")])
    stdout = capsys.readouterr().out
    assert code == 0 and "skipped 2 row(s) with an empty cell (lines 6, 10)" in stdout and "38 rows" in stdout


# ---- the simple answer, and small tables ------------------------------------------------------------
def test_cv_keeps_linear_least_squares_when_it_is_as_good(tmp_path: Path) -> None:
    draw = np.random.default_rng(3)
    x = draw.uniform(-1, 1, size=(80, 3))
    linear_table = data.Dataset(x, x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3 * draw.normal(size=(80, 1)))
    result = fit(quick(cv=3, epochs=30), dataset=linear_table)
    assert result.metrics["linear"]["cv"]["r2"] >= result.metrics["cv"]["r2"]
    assert result.metrics["chosen"]["model"] == "linear"
    assert result.predictor.model.sizes == [3, 1]
    assert any("the simple answer is as good" in note for note in result.notes)
    save_fit(result, tmp_path)
    saved = load_predictor(tmp_path / "model.npz")
    assert saved.predictor.model.sizes == [3, 1]
    assert json.loads((tmp_path / "metrics.json").read_text())["chosen"]["model"] == "linear"
    curved = fit(quick(cv=3, epochs=300, hidden=[16]), dataset=noisy_table(120))
    assert curved.metrics["chosen"]["model"] == "network" and curved.predictor.model.sizes == [2, 16, 1]


def test_a_small_table_gets_a_network_with_fewer_parameters_than_rows() -> None:
    result = fit(FitSettings(epochs=5), dataset=noisy_table(60))
    rows = len(result.train)
    assert result.predictor.model.num_parameters() <= rows < 4353
    assert result.predictor.model.sizes[1:3] == [result.predictor.model.sizes[1]] * 2
    assert any(f"for {rows} training rows" in note for note in result.notes)
    chosen = fit(FitSettings(epochs=5, hidden=[64, 64]), dataset=noisy_table(60))
    assert chosen.predictor.model.sizes == [2, 64, 64, 1] and not any("small table" in n for n in chosen.notes)


def test_cv_of_a_formula_is_refused_and_its_test_points_are_fresh(capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    code = main(["fit", "sin(x)", "--cv", "3", "--quiet", "--no-plots", "--out", str(tmp_path / "o")])
    assert code == 2 and "--cv folds measured rows" in capsys.readouterr().err
    result = fit(FitSettings(formula="sin(x)", epochs=3, samples=200, test_fraction=0.25))
    assert len(result.test) == 50 and not np.isin(result.test.x, result.train.x).any()
    assert result.metrics["linear"]["test"]["r2"] is not None
