"""Levenberg–Marquardt and the per-sample gradients that give it the Jacobian."""

from __future__ import annotations

import numpy as np
import pytest

import nnwork as nw
from nnwork import autograd, nn, optim
from nnwork.optim import lm as lm_module


def finite_difference_jacobian(model: nn.Module, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    params = model.parameters()
    columns = []
    for p in params:
        for index in np.ndindex(*p.shape):
            original = p.data[index]
            p.data[index] = original + eps
            up = model(nw.tensor(x)).data.reshape(-1).copy()
            p.data[index] = original - eps
            down = model(nw.tensor(x)).data.reshape(-1).copy()
            p.data[index] = original
            columns.append((up - down) / (2 * eps))
    return np.stack(columns, axis=1)


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.MLP([3, 5, 4, 1], activation="tanh", generator=0, dtype=np.float64),
        lambda: nn.MLP([2, 4, 2], activation="sigmoid", generator=1, dtype=np.float64),
        lambda: nn.example_network(generator=2, dtype=np.float64),
    ],
)
def test_jacobian_matches_finite_differences(make) -> None:  # type: ignore[no-untyped-def]
    model = make()
    n_in = model.sizes[0] if hasattr(model, "sizes") else 2
    x = np.random.default_rng(0).normal(size=(7, n_in))
    opt = optim.LevenbergMarquardt(model.parameters())
    r, J = opt.jacobian(lambda: model(nw.tensor(x)))
    np.testing.assert_allclose(r, model(nw.tensor(x)).data.reshape(-1))
    np.testing.assert_allclose(J, finite_difference_jacobian(model, x), rtol=1e-6, atol=1e-8)
    assert all(p.grad is None for p in model.parameters())


def test_per_sample_gradients_sum_to_the_ordinary_gradient() -> None:
    model = nn.MLP([2, 6, 1], generator=0, dtype=np.float64)
    x = nw.tensor(np.random.default_rng(1).normal(size=(9, 2)))
    model(x).sum().backward()
    total = [p.grad.copy() for p in model.parameters()]
    per_sample: dict[int, np.ndarray] = {}
    autograd.backprop(model(x), np.ones((9, 1)), per_sample=True,
                      at_leaf=lambda leaf, g: per_sample.__setitem__(id(leaf), g))
    for p, g in zip(model.parameters(), total):
        assert per_sample[id(p)].shape == (9,) + p.shape
        np.testing.assert_allclose(per_sample[id(p)].sum(axis=0), g, rtol=1e-12)


def test_one_step_equals_a_dense_reference_solve() -> None:
    model = nn.MLP([1, 3, 1], activation="tanh", generator=0, dtype=np.float64)
    x = np.linspace(-1, 1, 12)[:, None]
    y = np.sin(2 * x)
    theta = np.concatenate([p.data.reshape(-1) for p in model.parameters()])
    J = finite_difference_jacobian(model, x)
    r = model(nw.tensor(x)).data.reshape(-1) - y.reshape(-1)
    damping = 0.1
    A = J.T @ J
    expected = theta - np.linalg.solve(A + damping * np.diag(np.diag(A)), J.T @ r)
    opt = optim.LevenbergMarquardt(model.parameters(), damping=damping)
    opt.step(lambda: model(nw.tensor(x)) - y)
    assert opt.last_accepted
    got = np.concatenate([p.data.reshape(-1) for p in model.parameters()])
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def test_loss_falls_monotonically_and_fits_well() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(200, 2))
    y = (np.sin(x[:, 0]) * np.cos(x[:, 1]))[:, None]
    model = nn.MLP([2, 10, 10, 1], generator=0, dtype=np.float64)
    opt = optim.LevenbergMarquardt(model.parameters())
    losses = [float(np.mean((model(nw.tensor(x)).data - y) ** 2))]
    for _ in range(40):
        loss = opt.step(lambda: model(nw.tensor(x)) - y)
        assert loss <= losses[-1] * (1 + 1e-12)
        losses.append(loss)
    assert losses[-1] < 1e-4 < losses[0]


def test_state_dict_keeps_the_damping_and_large_models_are_refused() -> None:
    model = nn.MLP([1, 4, 1], generator=0, dtype=np.float64)
    x = np.linspace(0, 1, 10)[:, None]
    opt = optim.LevenbergMarquardt(model.parameters())
    for _ in range(3):
        opt.step(lambda: model(nw.tensor(x)) - x**2)
    other = optim.LevenbergMarquardt(model.parameters())
    other.load_state_dict(opt.state_dict())
    assert other.damping == opt.damping != 1e-3
    with pytest.raises(ValueError, match=r"Use Adam or L-BFGS"):
        optim.LevenbergMarquardt(nn.MLP([784, 512, 10]).parameters())
    with pytest.raises(ValueError, match="closure"):
        opt.step()


@pytest.mark.parametrize("n", [1, 5, 63, 64, 65, 200])
def test_blocked_triangular_solves_match_a_dense_solve(n: int) -> None:
    rng = np.random.default_rng(n)
    a = rng.normal(size=(n, n))
    lower = np.linalg.cholesky(a @ a.T + n * np.eye(n))
    b = rng.normal(size=n)
    np.testing.assert_allclose(lm_module.solve_lower(lower, b), np.linalg.solve(lower, b), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(lm_module.solve_upper(lower.T, b), np.linalg.solve(lower.T, b), rtol=1e-10, atol=1e-12)
    x = lm_module.solve_upper(lower.T, lm_module.solve_lower(lower, b))
    np.testing.assert_allclose((lower @ lower.T) @ x, b, rtol=1e-9, atol=1e-9)


def test_damping_scale_is_the_largest_curvature_seen_and_survives_a_resume() -> None:
    x = np.linspace(-1, 1, 15)[:, None]
    y = np.tanh(3 * x)

    def make() -> nn.MLP:
        return nn.MLP([1, 4, 1], activation="tanh", generator=5, dtype=np.float64)

    model = make()
    opt = optim.LevenbergMarquardt(model.parameters())
    seen = np.zeros(sum(p.data.size for p in model.parameters()))
    fell = False  # did some coordinate's curvature fall below its maximum (else the test proves nothing)
    for _ in range(4):
        J = finite_difference_jacobian(model, x)
        fell |= bool((np.diag(J.T @ J) < seen * (1 - 1e-3)).any())
        seen = np.maximum(seen, np.diag(J.T @ J))
        opt.step(lambda: model(nw.tensor(x)) - y)
        kept = np.concatenate([opt.state[p]["scale"].reshape(-1) for p in model.parameters()])
        np.testing.assert_allclose(kept, seen, rtol=1e-6)
    assert fell
    # Resume from a state_dict in a fresh model and optimizer: the same steps as going on.
    resumed = make()
    for p, q in zip(resumed.parameters(), model.parameters()):
        p.data[...] = q.data
    resumed_opt = optim.LevenbergMarquardt(resumed.parameters())
    resumed_opt.load_state_dict(opt.state_dict())
    for _ in range(3):
        opt.step(lambda: model(nw.tensor(x)) - y)
        resumed_opt.step(lambda: resumed(nw.tensor(x)) - y)
    for p, q in zip(resumed.parameters(), model.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_the_damped_solve_returns_the_damping_it_had_to_use() -> None:
    """JᵀJ can be singular (here: zero); λ is raised until Cholesky succeeds, and the step's
    predicted reduction and the next λ must start from the λ actually used."""
    gradient = np.array([1.0, -2.0, 0.5])
    delta, used = lm_module._damped_solve(np.zeros((3, 3)), np.ones(3), 0.0, gradient)
    assert used == 1e-12
    np.testing.assert_allclose(delta, -gradient / used)
    delta, used = lm_module._damped_solve(np.eye(3), np.ones(3), 0.5, gradient)
    assert used == 0.5
    np.testing.assert_allclose(delta, -gradient / 1.5)
