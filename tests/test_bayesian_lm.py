"""Bayesian regularisation of Levenberg–Marquardt (nnwork.optim.evidence): α, β, γ as MacKay's
evidence framework defines them, and what they do to a fit of noisy data."""

from __future__ import annotations

import numpy as np
import pytest

import nnwork as nw
from nnwork import nn, optim
from nnwork.optim import evidence

from tests.test_lm import finite_difference_jacobian


def test_effective_parameters_are_the_eigenvalue_sum() -> None:
    """γ = P − α·tr(H⁻¹) equals MacKay's Σ βλᵢ/(βλᵢ + α) over the eigenvalues λᵢ of JᵀJ."""
    draw = np.random.default_rng(0)
    j = draw.normal(size=(30, 8)) @ np.diag([10, 5, 2, 1, 0.5, 0.1, 0.01, 0.001])
    r, theta = draw.normal(size=30), draw.normal(size=8)
    alpha, beta = 0.7, 3.0
    found = evidence.reestimate(j.T @ j, alpha, beta, r, theta)
    eigen = np.linalg.eigvalsh(j.T @ j)
    gamma = float(np.sum(beta * eigen / (beta * eigen + alpha)))
    assert found.gamma == pytest.approx(gamma, rel=1e-12)
    assert found.alpha == pytest.approx(gamma / (theta @ theta), rel=1e-12)
    assert found.beta == pytest.approx((30 - gamma) / (r @ r), rel=1e-12)


def test_the_first_estimate_without_a_prior_counts_every_parameter() -> None:
    draw = np.random.default_rng(1)
    j, r, theta = draw.normal(size=(20, 5)), draw.normal(size=20), draw.normal(size=5)
    found = evidence.reestimate(j.T @ j, 0.0, 1.0, r, theta)
    assert found.gamma == 5 and found.alpha == pytest.approx(5 / (theta @ theta))
    many = evidence.reestimate(np.eye(5), 0.0, 1.0, r[:4], theta)  # P ≥ N: γ ≤ N − 1 keeps β > 0
    assert many.gamma == 3 and many.beta > 0


def _data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    draw = np.random.default_rng(seed)
    x = np.sort(draw.uniform(-3, 3, (n, 1)), axis=0)
    return x, np.sin(x) + draw.normal(0, 0.2, (n, 1))


def _fit(regularization: str | None, steps: int, x: np.ndarray, y: np.ndarray,
         seed: int = 0) -> tuple[nn.MLP, optim.LevenbergMarquardt]:
    model = nn.MLP([1, 12, 12, 1], activation="tanh", generator=seed, dtype=np.float64)
    opt = optim.LevenbergMarquardt(model.parameters(), regularization=regularization)
    xt, yt = nw.tensor(x), nw.tensor(y)
    for _ in range(steps):
        opt.step(lambda: model(xt) - yt)
    return model, opt


def test_each_step_reestimates_alpha_beta_gamma_from_the_jacobian_and_the_accepted_point() -> None:
    x, y = _data(25, 2)
    model, opt = _fit("bayes", 3, x, y)
    group = opt.param_groups[0]
    before = (group["alpha"], group["beta"])
    theta_before = opt._flat()
    j = finite_difference_jacobian(model, x)
    opt.step(lambda: model(nw.tensor(x)) - nw.tensor(y))
    assert opt.last_accepted
    r = (model(nw.tensor(x)).data - y).reshape(-1)
    expected = evidence.reestimate(j.T @ j, *before, r, opt._flat())
    assert not np.array_equal(theta_before, opt._flat())
    assert group["gamma"] == pytest.approx(expected.gamma, rel=1e-6)
    assert group["alpha"] == pytest.approx(expected.alpha, rel=1e-6)
    assert group["beta"] == pytest.approx(expected.beta, rel=1e-6)


def test_on_noisy_data_bayes_uses_few_effective_parameters_and_generalises_better() -> None:
    x, y = _data(40, 3)  # 40 noisy points for 193 parameters
    grid = np.linspace(-3, 3, 301)[:, None]
    errors = {}
    for regularization in (None, "bayes"):
        model, opt = _fit(regularization, 60, x, y)
        with nw.no_grad():
            errors[regularization] = float(np.mean((model(nw.tensor(grid)).data - np.sin(grid)) ** 2))
    gamma, beta = opt.param_groups[0]["gamma"], opt.param_groups[0]["beta"]
    assert 3 < gamma < 193 / 4  # a sine needs a handful of directions, not 193
    assert 0.15 < beta**-0.5 < 0.26  # 1/√β estimates the noise's standard deviation, 0.2
    assert errors["bayes"] < 0.5 * errors[None]
    assert errors["bayes"] < 0.02  # noise variance 0.04: the fit is close to the true sine


def test_a_resumed_run_continues_exactly() -> None:
    x, y = _data(30, 4)
    whole_model, whole = _fit("bayes", 8, x, y)
    model, opt = _fit("bayes", 4, x, y)
    saved_model, saved_opt = model.state_dict(), opt.state_dict()
    fresh = nn.MLP([1, 12, 12, 1], activation="tanh", generator=9, dtype=np.float64)
    fresh.load_state_dict(saved_model)
    resumed = optim.LevenbergMarquardt(fresh.parameters(), regularization="bayes")
    resumed.load_state_dict(saved_opt)
    for _ in range(4):
        resumed.step(lambda: fresh(nw.tensor(x)) - nw.tensor(y))
    for a, b in zip(whole_model.parameters(), fresh.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    assert resumed.param_groups[0]["gamma"] == whole.param_groups[0]["gamma"]


def test_plain_lm_is_unchanged_by_the_option() -> None:
    x, y = _data(30, 5)
    plain, _ = _fit(None, 5, x, y)
    model = nn.MLP([1, 12, 12, 1], activation="tanh", generator=0, dtype=np.float64)
    opt = optim.LevenbergMarquardt(model.parameters())
    assert "alpha" not in opt.param_groups[0]
    for _ in range(5):
        opt.step(lambda: model(nw.tensor(x)) - nw.tensor(y))
    for a, b in zip(plain.parameters(), model.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize(("change", "match"), [
    ({"regularization": "ridge"}, "`regularization` must be None or 'bayes'"),
])
def test_bad_options_are_refused(change: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        optim.LevenbergMarquardt(nn.Linear(1, 1).parameters(), **change)


@pytest.mark.parametrize(("key", "value"), [("alpha", -1.0), ("beta", 0.0), ("alpha", float("inf"))])
def test_a_state_dict_with_impossible_precisions_is_refused(key: str, value: float) -> None:
    opt = optim.LevenbergMarquardt(nn.Linear(1, 1, dtype=np.float64).parameters(), regularization="bayes")
    state = opt.state_dict()
    state["param_groups"][0][key] = value
    with pytest.raises(ValueError):
        opt.load_state_dict(state)


def test_nnwork_fit_optimizer_br_reports_the_effective_parameters(tmp_path, capsys) -> None:
    import json

    from nnwork.cli import main

    x, y = _data(60, 6)
    (tmp_path / "noisy.csv").write_text("x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in zip(x[:, 0].tolist(), y[:, 0].tolist())))
    code = main(["fit", "--csv", str(tmp_path / "noisy.csv"), "--optimizer", "br", "--epochs", "30",
                 "--out", str(tmp_path / "out"), "--quiet", "--no-plots"])
    out = capsys.readouterr().out
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert code == 0 and 0 < metrics["effective_parameters"] < metrics["parameters"] / 2
    assert f"the data determine {metrics['effective_parameters']:.1f} of the {metrics['parameters']:,}" in out
