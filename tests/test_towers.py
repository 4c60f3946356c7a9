"""Towers: the article's construction reproduced exactly, trainable, leak-free, and approximate(G, ε)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import nnwork as nw
from nnwork.ops.elementwise import stable_sigmoid
from nnwork.targets import resolve
from nnwork.towers import (Bump, Step, TowerGrid, TowerSum, approximate, arm_leak,
                           construction_vs_training, format_rows, original_four_towers, original_grid,
                           original_tower, tower)
from nnwork.towers.approximation import grid_points, net_values
from nnwork.towers.modules import on_grid


# ---- the article's formulas, verbatim (NumPy's naive sigmoid overflows there: silence it) ----
def naive_sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def article_tower(x, y, x_min, x_max, y_min, y_max, slope=30):
    with np.errstate(over="ignore"):
        x1 = naive_sigmoid(1000 * (x - x_min))
        x2 = naive_sigmoid(1000 * (x - x_max))
        y1 = naive_sigmoid(1000 * (y - y_min))
        y2 = naive_sigmoid(1000 * (y - y_max))
        z = x1 - x2 + y1 - y2
        return naive_sigmoid(slope * (z - 1.1))


def test_single_tower_matches_the_article_to_1e_12() -> None:
    X, Y = original_grid()
    assert X.shape == (100, 100) and X[0, 0] == -5 and abs(X[0, -1] - 4.9) < 1e-12
    expected = article_tower(X, Y, -0.3, 0.7, -0.2, 0.8)
    ours = on_grid(original_tower(), X, Y)
    assert np.abs(ours - expected).max() <= 1e-12
    assert ours.max() > 0.99 and ours.min() < 1e-12  # it really is a tower


def test_four_towers_match_the_article_to_1e_12() -> None:
    X, Y = original_grid()
    expected = sum(article_tower(X, Y, -a, a, -a, a, slope=4) for a in (0.5, 1, 2, 4))
    assert np.abs(on_grid(original_four_towers(), X, Y) - expected).max() <= 1e-12


def test_the_named_targets_are_the_same_towers() -> None:
    X, Y = original_grid()
    points = np.column_stack([X.ravel(), Y.ravel()])
    assert np.abs(on_grid(original_tower(), X, Y).ravel() - resolve("tower")(points)).max() <= 1e-12
    assert np.abs(on_grid(original_four_towers(), X, Y).ravel() - resolve("four_towers")(points)).max() <= 1e-12


def test_tower_sum_is_the_sum_of_its_towers() -> None:
    towers = [tower([(-1, 0.5), (0, 2)], steepness=20, outer_steepness=8, threshold=1.5, height=2.0),
              tower([(0, 1), (-1, 1)], steepness=50, height=-0.5)]
    total = TowerSum(towers)
    x = nw.tensor(np.random.default_rng(0).uniform(-2, 2, (50, 2)))
    expected = towers[0](x).data + towers[1](x).data  # each tower carries its height
    assert total(x).shape == (50, 1)
    np.testing.assert_allclose(total(x).data[:, 0], expected, atol=1e-14)
    np.testing.assert_allclose(total[0](x).data, towers[0](x).data, atol=1e-15)
    np.testing.assert_allclose(total[1].box, [(0, 1), (-1, 1)], atol=1e-12)


@pytest.mark.parametrize("steepness", [1e3, 1e4, 1e6])
def test_no_warnings_and_exact_limits_at_any_steepness(steepness: float) -> None:
    x = nw.tensor(np.array([[-1e3, -1e3], [-0.5, 0.3], [0.2, 0.3], [1e3, 1e3]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = tower([(-0.3, 0.7), (-0.2, 0.8)], steepness=steepness, outer_steepness=steepness, threshold=1.5)
        values = t(x)
        values.sum().backward()
        grid = TowerGrid([(-1, 1), (-1, 1)], np.ones((3, 3)), steepness, steepness)
        grid_values = grid(x)
        grid_values.sum().backward()
        step = Step(0.0, steepness)(nw.tensor(np.array([[-1e6], [0.0], [1e6]])))
    assert values.data.tolist() == pytest.approx([0.0, 0.0, 1.0, 0.0], abs=1e-12)
    assert np.all(np.isfinite(grid_values.data)) and grid_values.data[2, 0] == pytest.approx(1.0)
    assert step.data.tolist() == [0.0, 0.5, 1.0]
    assert all(np.all(np.isfinite(p.grad)) for p in t.parameters() + grid.parameters())


def test_step_bump_tower_are_modules_of_neurons() -> None:
    step, bump, t = Step(0.5, 10), Bump(-1, 1, 40), tower([(0, 1)] * 3)
    assert isinstance(step.neuron, nw.nn.Neuron) and step.position == pytest.approx(0.5)
    assert len(bump.parameters()) == 4 and isinstance(bump, nw.nn.Module)
    assert len(t.parameters()) == 3 * 4 + 2 + 1  # 6 step neurons, the outer neuron, the height
    x = nw.tensor([[-3.0], [0.0], [3.0]], dtype=np.float64)
    np.testing.assert_allclose(bump(x).data, [0.0, 1.0, 0.0], atol=1e-15 + 2 * math.exp(-40))


def central_difference_check(net: nw.nn.Module, x: np.ndarray, samples: int = 40) -> None:
    """Backprop's ∂L/∂θ against (L(θ + h) − L(θ − h)) / 2h for L = Σ v·net(x), in float64."""
    v = np.random.default_rng(1).uniform(0.5, 1.5, net(nw.tensor(x)).shape)

    def loss() -> float:
        with nw.no_grad():
            return float(np.sum(net(nw.tensor(x)).data * v))

    net.zero_grad()
    (net(nw.tensor(x)) * nw.tensor(v)).sum().backward()
    checked = 0
    for name, p in net.named_parameters():
        for index in list(np.ndindex(*p.shape))[:samples]:
            original, h = p.data[index], 1e-6
            p.data[index] = original + h
            above = loss()
            p.data[index] = original - h
            below = loss()
            p.data[index] = original
            numeric = (above - below) / (2 * h)
            assert abs(p.grad[index] - numeric) <= 1e-6 + 1e-5 * abs(numeric), (name, index, p.grad[index], numeric)
            checked += 1
    assert checked > 0


def test_tower_gradients_match_central_differences() -> None:
    x = np.random.default_rng(0).uniform(-1, 2, (30, 2))
    central_difference_check(tower([(-0.3, 0.7), (-0.2, 0.8)], steepness=3, outer_steepness=2, height=1.5), x)
    central_difference_check(TowerGrid([(-1, 2), (-1, 2)], [[1.0, -2.0], [0.5, 3.0]], 2.0, 3.0), x)
    central_difference_check(TowerSum([tower([(0, 1), (0, 1)], 4, 3), tower([(-1, 0), (0, 2)], 2, 5)]), x)


def test_gradients_flow_to_every_parameter_and_training_moves_them() -> None:
    t = tower([(-0.5, 0.5), (-0.5, 0.5)], steepness=4, outer_steepness=4, threshold=1.5)
    x = np.random.default_rng(0).uniform(-1, 1, (200, 2))
    target = nw.tensor((np.abs(x).max(axis=1) < 0.3).astype(float))
    optimizer = nw.optim.Adam(t.parameters(), lr=0.05)
    losses = []
    for _ in range(60):
        optimizer.zero_grad()
        loss = nw.functional.mse_loss(t(nw.tensor(x)), target)
        loss.backward()
        assert all(p.grad is not None and np.any(p.grad != 0) for p in t.parameters())
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


# ---- the leak, and the corner hole of a naive tiling ----
def test_arm_leak_is_sigma_of_minus_3_and_the_fair_threshold_removes_it() -> None:
    leak = arm_leak(original_tower())
    assert leak == pytest.approx(float(stable_sigmoid(np.array(-3.0))), abs=1e-12)
    assert 0.047 < leak < 0.048
    fair = arm_leak(tower(((-0.3, 0.7), (-0.2, 0.8)), threshold=1.5))
    assert fair == pytest.approx(float(stable_sigmoid(np.array(-15.0))), rel=1e-9)


def test_naive_tiling_has_a_hole_at_corners_and_the_tower_grid_does_not() -> None:
    boxes = [[(a, a + 1), (b, b + 1)] for a in (-1, 0) for b in (-1, 0)]
    naive = TowerSum([tower(box, steepness=50, outer_steepness=30, threshold=1.5) for box in boxes])
    grid = TowerGrid([(-1, 1), (-1, 1)], np.ones((2, 2)), 50.0, 30.0)
    corner, face, inside = np.array([[0.0, 0.0]]), np.array([[0.0, 0.5]]), np.array([[0.5, 0.5]])
    assert net_values(naive, corner)[0] == pytest.approx(4 * float(stable_sigmoid(np.array(-15.0))), rel=1e-6)
    assert net_values(naive, face)[0] == pytest.approx(1.0, abs=1e-6)  # faces add up: ½ + ½
    for point in (corner, face, inside):
        assert net_values(grid, point)[0] == pytest.approx(1.0, abs=1e-6)


def test_tower_grid_heights_round_trip() -> None:
    heights = np.random.default_rng(0).normal(size=(3, 4, 2))
    grid = TowerGrid([(0, 1)] * 3, heights, 200.0, 40.0)
    np.testing.assert_allclose(grid.heights(), heights, atol=1e-12)
    assert grid.neurons == 3 + 4 + 2 + 24 + 1
    centre = grid_points([(np.arange(n) + 0.5) / n for n in (3, 4, 2)])
    np.testing.assert_allclose(net_values(grid, centre), heights.ravel(), atol=1e-6)


# ---- approximate(G, domain, eps) ----
def independent_max_error(net, G, domain, cells, per_cell: int) -> float:
    """Max |net − G| on our own grid: per_cell points per cell per axis, edges and corners included."""
    axes = [np.linspace(lo, hi, per_cell * n + 1) for (lo, hi), n in zip(domain, cells)]
    points = grid_points(axes)
    return float(np.abs(net_values(net, points) - G(points)).max())


CASES = [
    ("sin(3*x)", [(-1, 1)], 0.05, 10),
    ("abs(x - 0.3)", [(-1, 1)], 0.02, 10),
    ("1/(1 + 25*x^2)", [(-1, 1)], 0.03, 10),
    ("sin(x)*cos(y)", [(-3, 3), (-3, 3)], 0.15, 6),
    ("abs(x - y)", [(-1, 1), (-1, 1)], 0.15, 6),
    ("exp(-(x^2 + y^2))", [(-2, 2), (-1, 1.5)], 0.1, 6),
    ("x1 + x2*x3", [(0, 1)] * 3, 0.25, 3),
]


@pytest.mark.parametrize("formula, domain, eps, per_cell", CASES)
def test_approximate_meets_eps_on_a_finer_grid(formula, domain, eps, per_cell) -> None:
    G = resolve(formula, n_inputs=len(domain))
    net, report = approximate(G, domain, eps=eps)
    assert report.max_error <= eps and report.rms_error <= report.max_error
    assert report.neurons == net.neurons == sum(report.cells) + math.prod(report.cells) + 1
    assert all(points > cells for points, cells in zip(report.eval_grid, report.cells))
    assert independent_max_error(net, G, domain, report.cells, per_cell) <= eps
    assert net(nw.tensor(np.zeros((5, len(domain))))).shape == (5, 1)
    assert "max error" in str(report) and "neurons" in str(report)


def test_cells_can_be_given_instead_of_eps() -> None:
    net, report = approximate(lambda X: X[:, 0] ** 2, [(0, 2), (0, 1)], cells=(8, 3))
    assert report.cells == (8, 3) and report.eps is None and net.cells == (8, 3)
    assert report.max_error < 0.6  # one cell of x² on [0, 2] spans 0.5 at most


def test_neuron_count_grows_as_theory_says() -> None:
    # a Lipschitz 1-D function: cells ∝ 1/ε
    epss = [0.08, 0.04, 0.02, 0.01]
    cells = [approximate(resolve("abs(x)"), [(-1, 1)], eps=e)[1].cells[0] for e in epss]
    assert cells == sorted(cells) and len(set(cells)) == len(cells)
    slope = np.polyfit(np.log(1 / np.array(epss)), np.log(cells), 1)[0]
    assert 0.9 < slope < 1.1
    # in 2-D the towers grow as ε^−2
    epss = [0.4, 0.2, 0.1]
    towers = [math.prod(approximate(resolve("x + y"), [(-1, 1)] * 2, eps=e)[1].cells) for e in epss]
    slope = np.polyfit(np.log(1 / np.array(epss)), np.log(towers), 1)[0]
    assert towers == sorted(towers) and 1.8 < slope < 2.2


def test_too_few_neurons_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"eps = 0.001 needs about \d+ neurons .* max_neurons = 100"):
        approximate(resolve("sin(x)*cos(y)"), [(-3, 3)] * 2, eps=1e-3, max_neurons=100)


@pytest.mark.parametrize("kwargs, message", [
    ({"eps": 0.1, "cells": 4}, "exactly one of `eps`"),
    ({}, "exactly one of `eps`"),
    ({"eps": -1.0}, "`eps` must be a positive number"),
    ({"cells": [3, 0]}, "`cells` must be a positive integer"),
    ({"eps": 0.1, "max_neurons": 0}, "`max_neurons` must be a positive integer"),
])
def test_bad_arguments(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        approximate(resolve("x*y"), [(-1, 1)] * 2, **kwargs)


def test_bad_domain_and_bad_g() -> None:
    with pytest.raises(ValueError, match="`domain` axis 0 must have finite low < high"):
        approximate(resolve("x"), [(1, 0)], eps=0.1)
    with pytest.raises(ValueError, match="G must map"):
        approximate(lambda X: X, [(0, 1), (0, 1)], eps=0.1)
    with pytest.raises(ValueError, match="not finite"):
        approximate(lambda X: np.where(X[:, 0] > 0.5, np.nan, X[:, 0]), [(-1, 1)], eps=0.1)


# ---- the study ----
def test_construction_vs_training_runs_and_reports_every_method() -> None:
    functions = [("sin(3x)", "sin(3*x)", [(-1, 1)], (4, 16)), ("bump", "exp(-(x^2+y^2))", [(-2, 2)] * 2, (3,))]
    rows = construction_vs_training(functions, steps=60)
    assert len(rows) == 3 * 5
    assert {r["method"] for r in rows} == {"towers", "towers + Adam", "soft towers", "soft towers + Adam", "MLP"}
    built = {r["neurons"]: r["max_error"] for r in rows if r["function"] == "sin(3x)" and r["method"] == "towers"}
    assert built[33] < built[9]  # more towers, smaller error
    soft = [r for r in rows if r["function"] == "sin(3x)" and r["neurons"] == 33 and "soft" in r["method"]]
    assert soft[1]["rms_error"] < soft[0]["rms_error"]  # training improves the soft towers
    table = format_rows(rows)
    assert table.count("\n") == 2 + 3 - 1 and "| sin(3x) | 9 |" in table
    from nnwork.plot.towers import study_figure

    assert len(study_figure(rows).axes) == 2


# ---- the command ----
@pytest.fixture
def cli(monkeypatch):
    from nnwork import cli as module

    if "towers" not in module.COMMANDS:  # until the dispatcher lists it
        monkeypatch.setattr(module, "COMMANDS", (*module.COMMANDS, "towers"))
    return module


def test_cli_without_formula_draws_the_article_and_prints_the_leak(cli, tmp_path, capsys) -> None:
    assert cli.main(["towers", "--out", str(tmp_path)]) == 0
    for name in ("tower", "four_towers", "leak", "tiling"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    assert f"{float(stable_sigmoid(np.array(-3.0))):.4f}" in capsys.readouterr().out


@pytest.mark.parametrize("argv, files", [
    (["sin(3*x)", "--domain", "-1:1", "--eps", "0.05"], ("target", "approximation", "error")),
    (["gaussian", "--cells", "12"], ("target", "approximation", "error")),
    (["x1*x2 + x3", "--domain", "-1:1", "--cells", "4"], ("error_histogram",)),
])
def test_cli_with_a_formula_prints_the_report_and_writes_figures(cli, tmp_path, capsys, argv, files) -> None:
    assert cli.main(["towers", *argv, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "max error" in out and "neurons" in out
    for name in files:
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000


@pytest.mark.parametrize("argv", [
    ["__import__('os').system('echo hi')"],
    ["sin(x"],
    ["sin(x)", "--domain", "3:1"],
    ["sin(x)*cos(y)", "--eps", "1e-4", "--max-neurons", "100"],
])
def test_cli_bad_input_exits_2_with_one_line(cli, tmp_path, capsys, argv) -> None:
    assert cli.main(["towers", *argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnwork towers: error:") and err.count("\n") == 1
    assert not list(tmp_path.iterdir())
