"""A captured training step replays the eager step exactly, and refuses what it cannot see."""

from __future__ import annotations

import numpy as np
import pytest

import nnwork as nw
from nnwork import functional as F
from nnwork import nn, optim


def models(make, opt_class, **settings):  # type: ignore[no-untyped-def]
    a, b = make(), make()
    return a, opt_class(a.parameters(), **settings), b, opt_class(b.parameters(), **settings)


@pytest.mark.parametrize(
    "make, opt_class, settings",
    [
        (lambda: nn.MLP([2, 64, 64, 1], activation="tanh", generator=0), optim.Adam, {"lr": 1e-3}),
        (lambda: nn.MLP([3, 16, 2], activation="relu", generator=1), optim.SGD, {"lr": 0.01, "momentum": 0.9}),
        (lambda: nn.example_network(generator=2), optim.RMSprop, {"lr": 0.01}),
    ],
)
def test_captured_and_eager_steps_give_identical_parameters_after_100_steps(make, opt_class, settings) -> None:  # type: ignore[no-untyped-def]
    eager_model, eager_opt, model, opt = models(make, opt_class, **settings)
    step = nw.capture_step(model, F.mse_loss, opt)
    rng = np.random.default_rng(0)
    n_in = model.sizes[0] if hasattr(model, "sizes") else 2
    n_out = model.sizes[-1] if hasattr(model, "sizes") else 1
    for i in range(100):
        x = rng.normal(size=(32, n_in)).astype(np.float32)
        y = rng.normal(size=(32, n_out)).astype(np.float32)
        eager_opt.zero_grad()
        loss = F.mse_loss(eager_model(nw.tensor(x)), y)
        loss.backward()
        eager_opt.step()
        assert step(x, y) == loss.item(), f"step {i}"
    for p, q in zip(eager_model.parameters(), model.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    assert step.captures == 1


def test_a_new_batch_shape_is_captured_again_and_stays_exact() -> None:
    eager_model, eager_opt, model, opt = models(lambda: nn.MLP([2, 8, 1], generator=0), optim.Adam, lr=0.01)
    step = nw.capture_step(model, F.mse_loss, opt)
    rng = np.random.default_rng(1)
    for n in (16, 16, 5, 16, 5, 7):
        x, y = rng.normal(size=(n, 2)).astype(np.float32), rng.normal(size=(n, 1)).astype(np.float32)
        eager_opt.zero_grad()
        loss = F.mse_loss(eager_model(nw.tensor(x)), y)
        loss.backward()
        eager_opt.step()
        assert step(x, y) == loss.item()
    assert step.captures == 3


def test_data_dependent_ops_are_refused() -> None:
    model = nn.MLP([4, 1], generator=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x, y = np.ones((5, 4), dtype=np.float32), np.zeros((5, 1), dtype=np.float32)
    step = nw.capture_step(model, F.huber_loss, opt)  # its mask |d| < δ comes from the data
    with pytest.raises(nw.CaptureError, match="Where takes the array `condition` from the data"):
        step(x, y)
    as_array = nw.capture_step(model, lambda out, target: F.mse_loss(out, target.data * 2), opt)
    with pytest.raises(nw.CaptureError, match=r"shaped like the batch \(5, 1\)"):
        as_array(x, y)


def test_cross_entropy_is_captured_with_fresh_labels_each_step() -> None:
    eager_model, eager_opt, model, opt = models(lambda: nn.MLP([6, 16, 4], activation="relu", generator=3),
                                                optim.SGD, lr=0.1, momentum=0.9)
    step = nw.capture_step(model, F.cross_entropy, opt)
    rng = np.random.default_rng(2)
    for i in range(30):
        x = rng.normal(size=(8, 6)).astype(np.float32)
        labels = rng.integers(0, 4, size=8)
        eager_opt.zero_grad()
        loss = F.cross_entropy(eager_model(nw.tensor(x)), labels)
        loss.backward()
        eager_opt.step()
        assert step(x, labels) == loss.item(), f"step {i}"
    assert step.captures == 1


def test_fit_trains_eagerly_when_the_loss_cannot_be_captured() -> None:
    x = np.random.default_rng(0).normal(size=(64, 2))
    y = x[:, :1] + 0.5 * x[:, 1:]
    history = nw.fit(nn.MLP([2, 8, 1], generator=0), (x, y), loss=F.huber_loss, epochs=3, batch_size=16)
    assert history.epochs == 3 and history.train_loss[-1] < history.train_loss[0]


def test_a_replay_writes_each_gradient_into_the_optimizers_flat_array() -> None:
    eager_model, eager_opt, model, opt = models(lambda: nn.MLP([2, 16, 16, 1], generator=4), optim.Adam, lr=1e-2)
    step = nw.capture_step(model, F.mse_loss, opt)
    rng = np.random.default_rng(3)
    for _ in range(3):
        x, y = rng.normal(size=(10, 2)).astype(np.float32), rng.normal(size=(10, 1)).astype(np.float32)
        eager_opt.zero_grad()
        F.mse_loss(eager_model(nw.tensor(x)), y).backward()
        eager_grads = [p.grad.copy() for p in eager_model.parameters()]
        eager_opt.step()
        step(x, y)
        for p, g in zip(model.parameters(), eager_grads):
            np.testing.assert_array_equal(p.grad, g)
    homes = opt.gradient_homes()
    assert all(p.grad is homes[id(p)] for p in model.parameters())  # no copy on the way to the update


@pytest.mark.parametrize("bias_shape", [(), (1, 3)])
def test_a_gradient_reduced_to_its_input_shape_is_replayed_exactly(bias_shape: tuple[int, ...]) -> None:
    """A bias of shape () or (1, k) gets a (k,) gradient from the layer, reduced to its shape
    afterwards: the replay must not hand the layer an array of the bias's shape to write into."""
    rng = np.random.default_rng(5)

    def parameters() -> tuple[nw.Tensor, nw.Tensor]:
        return (nw.tensor(rng.normal(size=(3, 2)), requires_grad=True, dtype=np.float32),
                nw.tensor(rng.normal(size=bias_shape), requires_grad=True, dtype=np.float32))

    (w1, b1), (w2, b2) = parameters(), parameters()
    w2.data[...], b2.data[...] = w1.data, b1.data
    eager_opt, opt = optim.SGD([w1, b1], lr=0.1, momentum=0.5), optim.SGD([w2, b2], lr=0.1, momentum=0.5)
    step = nw.capture_step(lambda x: F.linear(x, w2, b2), F.mse_loss, opt)
    for _ in range(10):
        x, y = rng.normal(size=(6, 2)).astype(np.float32), rng.normal(size=(6, 3)).astype(np.float32)
        eager_opt.zero_grad()
        loss = F.mse_loss(F.linear(nw.tensor(x), w1, b1), y)
        loss.backward()
        eager_opt.step()
        assert step(x, y) == loss.item()
    np.testing.assert_array_equal(w1.data, w2.data)
    np.testing.assert_array_equal(b1.data, b2.data)
