"""The explanation, checked: gradient descent in 1-D, the backprop walk, one step, the tour, the CLI."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import numpy as np
import pytest

import nnwork as nw
from nnwork import cli, targets
from nnwork.explain import (classify, compare_learning_rates, descend, gradient_step, pick_learning_rates,
                            tensor_function, walk_backprop)
from nnwork.explain.backprop import default_network

QUARTIC = "x^4 - 3*x^2 + x"


# ---- gradient descent in 1-D ------------------------------------------------------------------


@pytest.mark.parametrize("h", [QUARTIC, lambda x: x**4 - 3 * x**2 + x])
def test_descend_uses_autodiff_slope_and_the_update_rule(h):
    run = descend(h, x0=-2.0, lr=0.03, steps=20)
    analytic = 4 * run.x**3 - 6 * run.x + 1
    np.testing.assert_allclose(run.slope, analytic, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run.h, run.x**4 - 3 * run.x**2 + run.x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run.x[1:], run.x[:-1] - 0.03 * run.slope[:-1], rtol=0, atol=0)
    assert len(run.x) == 21


FORMULAS = ["sin(x)*exp(-x/3)", "tan(x/3) + cosh(x/2) - sinh(x/4)", "log10(x^2 + 1) + log2(x + 3)",
            "sqrt(x + 4) * abs(x - 5)", "tanh(2*x) + sigmoid(x) + relu(x + 9)", "2^x - pow(x, 3) + hypot(x, 2)",
            "-x^2/(1 + x^2) + e^(-x) + pi", "3"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_on_tensors_matches_numpy_and_finite_differences(formula):
    function, label = tensor_function(formula)
    x = np.linspace(-2.0, 2.0, 9) + 0.05  # away from the kink of abs and relu
    values, slopes = nw.explain.descent.value_and_slope(function, x)
    numpy_values = targets.parse(formula, n_inputs=1)(x[:, None])
    np.testing.assert_allclose(values, numpy_values, rtol=1e-12, atol=1e-12)
    step = 1e-6
    numeric = (targets.parse(formula, 1)(x[:, None] + step) - targets.parse(formula, 1)(x[:, None] - step)) / (2 * step)
    np.testing.assert_allclose(slopes, numeric, rtol=1e-6, atol=1e-7)
    assert label == formula


@pytest.mark.parametrize("h, x0, expected", [
    ("x^2", 3.0, {0.01: "too small", 0.2: "good", 0.4: "good", 0.95: "too large", 1.05: "too large"}),
    (QUARTIC, -2.0, {0.002: "too small", 0.03: "good", 0.05: "good", 0.2: "too large", 0.25: "too large"}),
    ("cos(x)", 1.0, {0.05: "too small", 1.0: "good", 3.5: "too large"}),
])
def test_three_regimes_are_classified_from_the_numbers(h, x0, expected):
    runs = compare_learning_rates(h, x0, list(expected), steps=30)
    assert {run.lr: classify(run) for run in runs} == expected


def test_diverging_run_stops_and_is_too_large():
    run = descend(QUARTIC, x0=-2.0, lr=0.25, steps=30)
    assert run.diverged and len(run.x) < 31 and classify(run) == "too large"


def test_pick_learning_rates_finds_one_of_each_kind_in_order():
    for h, x0 in (("x^2", 3.0), ("cos(x) + x/4", -2.0)):
        picked = pick_learning_rates(h, x0)
        assert [classify(r) for r in picked] == ["too small", "good", "too large"]
        assert picked[0].lr < picked[1].lr < picked[2].lr


def test_bad_functions_say_what_is_wrong():
    with pytest.raises(ValueError, match="not differentiable here"):
        descend("floor(x) + x^2", 1.0, 0.1, 5)
    with pytest.raises(ValueError, match="one variable"):
        descend("x*y", 1.0, 0.1, 5)
    with pytest.raises(ValueError, match="not finite"):
        descend("log(x)", -1.0, 0.1, 5)
    with pytest.raises(ValueError, match="column"):
        descend("x +", 1.0, 0.1, 5)
    with pytest.raises(ValueError, match="`lr`"):
        descend("x^2", 1.0, -0.1, 5)
    with pytest.raises(ValueError, match="`steps`"):
        descend("x^2", 1.0, 0.1, 0)


# ---- backpropagation, factor by factor ---------------------------------------------------------


def _check_walk(walk):
    """Every printed factor multiplies out; the paths into a node add up; the walk's ∂L/∂θ is
    the engine's; and every gradient matches a central finite difference within 1e-6."""
    assert walk.visits[0].name == "L" and walk.visits[1].name == "ŷ"
    for visit in walk.visits:
        for row in visit.rows:
            product = sum(local * arriving for _, local, arriving in row.terms)
            assert row.passed == pytest.approx(product, rel=1e-12, abs=1e-15)
            if visit.value.size == 1:
                assert len(row.terms) == 1
        if visit.sources:
            np.testing.assert_allclose(visit.arriving, sum(part for _, part in visit.sources), rtol=1e-12)
    for p in walk.parameters:
        assert p.chained == pytest.approx(p.backprop, rel=1e-12, abs=1e-15)
        assert abs(p.backprop - p.numeric) <= 1e-6, f"{p.label}: backprop {p.backprop}, finite difference {p.numeric}"


def test_backprop_walk_of_the_articles_network():
    walk = walk_backprop()
    _check_walk(walk)
    names = [v.name for v in walk.visits]
    assert sorted(names) == sorted(["L", "ŷ", "f1", "f2", "f3", "f4", "f5"])
    assert names.index("f2") > max(names.index("f3"), names.index("f4"))  # after both of its users
    f2 = next(v for v in walk.visits if v.name == "f2")
    assert sorted(name for name, _ in f2.sources) == ["f3", "f4"]
    assert len(walk.parameters) == 11 and walk.max_difference < 1e-8


def test_printed_factors_multiply_out_to_the_printed_gradients():
    walk = walk_backprop()
    text = walk.format()
    products = re.findall(r"∂\S+/∂\S+ = (\S+) +× (\S+) += (\S+)", text)
    assert len(products) == sum(len(v.rows) for v in walk.visits) == 18
    for local, arriving, passed in products:
        assert float(local) * float(arriving) == pytest.approx(float(passed), rel=2e-5, abs=1e-12)
    assert "the paths add up" in text and "largest difference" in text


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_backprop_walk_of_a_user_mlp(dtype):
    model = nw.nn.MLP([2, 4, 3, 1], "tanh", generator=3, dtype=dtype)
    before = {name: p.data.copy() for name, p in model.named_parameters()}
    walk = walk_backprop(model, [0.3, -0.7], [0.5])
    _check_walk(walk)
    assert [v.name for v in walk.visits] == ["L", "ŷ", "a2", "z2", "a1", "z1"]
    assert len(walk.parameters) == model.num_parameters()
    for name, p in model.named_parameters():  # the model is left exactly as it was
        assert p.data.dtype == dtype and np.array_equal(p.data, before[name]) and p.grad is None


def test_backprop_walk_of_a_hand_built_graph_and_any_module():
    graph = nw.nn.NeuronGraph(["a", "b"], generator=5, dtype=np.float64)
    graph.neuron("h", "a + b", activation="tanh").neuron("k", "a", "h").neuron("out", "h + k", "k")
    _check_walk(walk_backprop(graph, [0.4, -1.2], [0.1]))

    class Quadratic(nw.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nw.nn.Parameter(np.array([[0.5], [-1.5]]), dtype=np.float64)

        def forward(self, x):
            return (x @ self.w) ** 2

    walk = walk_backprop(Quadratic(), [1.0, 2.0], [3.0])
    _check_walk(walk)
    assert [v.name for v in walk.visits] == ["L", "ŷ"]


def test_walk_rejects_bad_samples():
    with pytest.raises(ValueError, match="expects x of shape"):
        walk_backprop(None, [1.0, 2.0, 3.0], [0.5])
    with pytest.raises(ValueError, match="`y`"):
        walk_backprop(None, [1.0, 2.0], [[0.5, 0.1], [0.2, 0.3]])


def test_one_gradient_step():
    model, report = gradient_step(default_network(), lr=2.0)
    assert report.loss_after < report.loss_before
    for u in report.updates:
        np.testing.assert_allclose(u.after, u.before - 2.0 * u.gradient, rtol=1e-15, atol=1e-15)
    assert report.line[1][0] == pytest.approx(report.loss_before)
    _, small = gradient_step(default_network(), lr=0.01)  # to first order, ΔL = −η·Σ(∂L/∂θ)²
    assert small.loss_after - small.loss_before == pytest.approx(small.predicted_change, rel=0.02)
    assert "loss before" in report.format()


def test_figures_render_without_a_display(tmp_path, monkeypatch):
    from nnwork.explain.descent_view import descent_panels
    from nnwork.plot import save_figure
    from nnwork.plot.explain import descent_figure, step_figure
    from nnwork.plot.graph import graph_figure

    monkeypatch.delenv("DISPLAY", raising=False)
    paths = [
        save_figure(descent_figure(descent_panels(compare_learning_rates("x^2", 3.0, (0.01, 0.3, 1.05)))),
                    tmp_path / "d.png"),
        save_figure(descent_figure(descent_panels(compare_learning_rates(QUARTIC, -2.0, (0.25,)))),
                    tmp_path / "diverged.png"),
        save_figure(graph_figure(walk_backprop(nw.nn.MLP([2, 3, 1], generator=0), [0.1, 0.2], [0.3])),
                    tmp_path / "g.png"),
        save_figure(step_figure(gradient_step()[1]), tmp_path / "s.png"),
    ]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_importing_explain_does_not_import_matplotlib():
    code = "import sys, nnwork.explain; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---- the commands -------------------------------------------------------------------------------


@pytest.fixture
def nnwork_main(monkeypatch):
    """cli.main with our two commands registered (and only the registered ones that exist)."""
    present = [c for c in cli.COMMANDS if importlib.util.find_spec(f"nnwork.commands.{c}") is not None]
    monkeypatch.setattr(cli, "COMMANDS", tuple(dict.fromkeys(present + ["explain", "tour"])))
    return cli.main


def test_explain_descent_command(nnwork_main, tmp_path, capsys):
    assert nnwork_main(["explain", "descent", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "η = 0.002: too small" in out and "η = 0.03: good" in out and "η = 0.2: too large" in out
    assert (tmp_path / "descent.png").exists()
    assert nnwork_main(["explain", "descent", "x^2", "--lr", "0.1", "--x0", "3", "--steps", "4", "--no-plot"]) == 0
    out = capsys.readouterr().out
    assert len([line for line in out.splitlines() if re.match(r"\s+\d+\s", line)]) == 5


@pytest.mark.parametrize("argv", [
    ["explain", "descent", "x^^2"], ["explain", "descent", "floor(x)"], ["explain", "descent", "x*y"],
    ["explain", "descent", "--lr", "0"], ["explain", "descent", "--lr", "fast"], ["explain", "descent", "--steps", "0"],
    ["explain"], ["explain", "backprop", "--x", "1,2,3"], ["explain", "step", "--lr", "-1"],
    ["explain", "backprop", "--mlp", "2,x"], ["tour", "--lang", "fr"],
])
def test_bad_input_exits_with_2(nnwork_main, argv, capsys):
    assert nnwork_main(argv + ["--no-plot"] if argv[0] == "explain" and len(argv) > 1 else argv) == 2
    assert "error" in capsys.readouterr().err


def test_explain_backprop_and_step_commands(nnwork_main, tmp_path, capsys):
    assert nnwork_main(["explain", "backprop", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "largest difference" in out and "loss before" in out
    assert (tmp_path / "backprop.png").exists() and (tmp_path / "step.png").exists()
    assert nnwork_main(["explain", "backprop", "--mlp", "2,3,1", "--x", "0.3,-0.7", "--y", "0.5", "--no-plot"]) == 0
    assert "z1" in capsys.readouterr().out
    assert nnwork_main(["explain", "step", "--lr", "0.5", "--out", str(tmp_path / "s")]) == 0
    assert (tmp_path / "s" / "step.png").exists()


# ---- the tour ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang, phrase", [("en", "Backpropagation"), ("zh", "反向传播")])
def test_tour_writes_every_figure_and_one_self_contained_page(nnwork_main, tmp_path, monkeypatch, capsys, lang, phrase):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    out = tmp_path / lang
    assert nnwork_main(["tour", "--out", str(out), "--lang", lang]) == 0
    printed = capsys.readouterr().out
    figures = sorted(out.glob("*.png"))
    assert [f.name[:2] for f in figures] == ["01", "02", "03", "04", "05", "06", "07", "08"]
    page = (out / "tour.html").read_text(encoding="utf-8")
    assert phrase in page and phrase in printed and f'lang="{"zh-CN" if lang == "zh" else "en"}"' in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == 8 and all(s.startswith("data:image/png;base64,") for s in sources)
    # Outside the base64 payloads (where any 4 letters may occur by chance): no address at all.
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:", page)
    for forbidden in ("http", "href=", "url(", "<script", "<link", "//"):
        assert forbidden not in text.lower(), forbidden
    assert "{" not in re.sub(r"<style>.*?</style>", "", text, flags=re.S)  # every field filled in
