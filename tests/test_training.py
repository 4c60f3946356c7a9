"""Training works end to end: the engine, a network and an optimizer lower a real loss."""

from __future__ import annotations

import numpy as np

import nnwork as nw
from nnwork import functional as F
from nnwork import nn, optim
from nnwork.training import fit, evaluate


def test_xor_with_a_2_2_1_sigmoid_network() -> None:
    """XOR is not linearly separable: two hidden sigmoid neurons are the fewest that fit it."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    model = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", generator=3, dtype=np.float64)
    opt = optim.Adam(model.parameters(), lr=0.05)
    for _ in range(3000):
        opt.zero_grad()
        loss = F.mse_loss(model(nw.tensor(x)), y)
        loss.backward()
        opt.step()
    prediction = model(nw.tensor(x)).data
    assert loss.item() < 1e-3
    np.testing.assert_array_equal(prediction > 0.5, y > 0.5)


def test_the_example_dag_fits_a_target_by_gradient_descent() -> None:
    """The explanation's network F(Θ, x) learns a target made by the same wiring."""
    truth = nn.example_network(generator=11, dtype=np.float64)
    for name, param in truth.named_parameters():  # a target with sizeable weights
        param.data *= 4
    x = np.random.default_rng(0).uniform(-2, 2, size=(256, 2))
    with nw.no_grad():
        y = truth(nw.tensor(x)).data
    model = nn.example_network(generator=12, dtype=np.float64)
    start = evaluate(model, x, y, F.mse_loss)
    fit(model, (x, y), optimizer="adam", lr=0.05, epochs=400, batch_size=256)
    end = evaluate(model, x, y, F.mse_loss)
    assert end < start / 100 and end < 1e-4, (start, end)


def test_mlp_fits_sin_x_cos_y_to_validation_mse_1e_4() -> None:
    """W3's task: 2→64→64→1 tanh, Adam 3e-3, batch 256, 4,096 points on [−3, 3]²."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, size=(4096, 2))
    y = (np.sin(x[:, 0]) * np.cos(x[:, 1]))[:, None]
    axis = np.linspace(-3, 3, 64)
    grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
    target = (np.sin(grid[:, 0]) * np.cos(grid[:, 1]))[:, None]
    model = nn.MLP([2, 64, 64, 1], activation="tanh", generator=1)
    history = fit(
        model, (x, y), (grid, target), optimizer="adam", lr=3e-3, epochs=600, batch_size=256,
        callbacks=[lambda report: report.validation_loss <= 1e-4],
    )
    assert evaluate(model, grid, target, F.mse_loss) <= 1e-4, history.best_loss
