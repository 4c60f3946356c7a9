"""nn.LayerNorm and nn.Dropout (and their functional forms) against torch 2.13 and finite
differences; dropout's statistics, scaling, modes and seeding; capture and saving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nnwork as nw
import nnwork.functional as F
from helpers import helper_gradcheck, helper_test_op, rand
from nnwork import io, nn, optim

pytestmark = pytest.mark.filterwarnings("error")


# ---- layer_norm ---------------------------------------------------------------------------
@pytest.mark.parametrize("normalized_shape", [(4,), (3, 4), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("params", ["weight+bias", "weight", "bias", "none"])
@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_layer_norm_matches_torch(normalized_shape: tuple, params: str, scale: float) -> None:
    x = rand((2, 3, 4), -2, 2) * scale
    specs = [x] + [rand(normalized_shape, 0.5, 2, seed=1 + i) for i, p in enumerate(("weight", "bias")) if p in params]

    def call(fn: Any, a: Any, *p: Any) -> Any:
        weight = p[0] if "weight" in params else None
        bias = p[-1] if "bias" in params else None
        return fn(a, normalized_shape, weight, bias, 1e-5)

    helper_test_op(specs, lambda *t: call(F.layer_norm, *t), lambda *t: call(TF.layer_norm, *t),
                   grad_atol=1e-9, grad_rtol=1e-6)
    if scale == 1.0:
        helper_gradcheck(specs, lambda *t: call(F.layer_norm, *t))


def test_layer_norm_of_an_empty_batch_and_of_one_element() -> None:
    helper_test_op([np.zeros((0, 3)), np.ones(3), np.zeros(3)], lambda a, w, b: F.layer_norm(a, 3, w, b),
                   lambda a, w, b: TF.layer_norm(a, (3,), w, b))
    helper_test_op([rand((2, 1))], lambda a: F.layer_norm(a, 1), lambda a: TF.layer_norm(a, (1,)))


@pytest.mark.parametrize("normalized_shape, affine, bias", [(5, True, True), ((2, 5), True, False), ((5,), False, True)])
def test_layer_norm_module_matches_torch_with_copied_weights(normalized_shape: Any, affine: bool, bias: bool) -> None:
    ours = nn.LayerNorm(normalized_shape, eps=1e-3, elementwise_affine=affine, bias=bias, dtype=np.float64)
    theirs = torch.nn.LayerNorm(normalized_shape, eps=1e-3, elementwise_affine=affine, bias=bias, dtype=torch.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for name, value in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[name], value.numpy())  # ones and zeros
    state = {k: rand(v.shape, 0.5, 2, seed=i) for i, (k, v) in enumerate(theirs.state_dict().items())}
    ours.load_state_dict(state)
    theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    x = rand((3, 2, 5), -3, 3)
    mine, reference = nw.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    weights = rand((3, 2, 5), seed=9)
    out, expected = ours(mine), theirs(reference)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    (out * nw.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, getattr(theirs, name).grad.numpy(), rtol=1e-10, atol=1e-12)
    assert repr(ours).startswith(repr(theirs).split("(", 1)[0]) and "eps=0.001" in repr(ours)


def test_layer_norm_errors() -> None:
    x = nw.tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"normalized_shape=\[4\], expected input with shape \[\*, 4\].*\[2, 3\]"):
        F.layer_norm(x, 4)
    with pytest.raises(ValueError, match=r"normalized_shape=\[2, 2, 3\]"):
        F.layer_norm(x, (2, 2, 3))
    with pytest.raises(ValueError, match=r"`weight` must have shape normalized_shape=\(3,\), got \(2,\)"):
        F.layer_norm(x, 3, np.ones(2))
    with pytest.raises(ValueError, match="`normalized_shape` must be"):
        nn.LayerNorm(-1)


# ---- dropout ------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_zeroes_a_binomial_fraction_and_scales_the_rest(p: float) -> None:
    nw.manual_seed(0)
    x = nw.tensor(rand((100, 100), 1, 2), requires_grad=True)
    out = F.dropout(x, p)
    zeroed = out.data == 0
    assert abs(zeroed.mean() - p) < 4.5 * np.sqrt(p * (1 - p) / zeroed.size)  # seeded: exact, not flaky
    np.testing.assert_allclose(out.data[~zeroed], x.data[~zeroed] / (1 - p), rtol=1e-15)
    out.backward(np.full(x.shape, 3.0))
    np.testing.assert_allclose(x.grad, 3.0 * ~zeroed / (1 - p), rtol=1e-15)


def test_dropout_module_modes_and_limits() -> None:
    x = nw.tensor(rand((4, 5), 1, 2))
    layer = nn.Dropout(0.5)
    model = nn.Sequential(nn.Linear(5, 5, generator=0), nn.Sequential(layer))
    assert layer.training and model.eval() is model and not layer.training
    assert layer(x) is x and F.dropout(x, 0.5, training=False) is x
    assert model.train() is model and layer.training and (layer(x).data == 0).any()
    assert F.dropout(x, 0.0) is x and nn.Dropout(0.0)(x) is x
    t = nw.tensor([1.0, -2.0, np.inf], requires_grad=True)
    out = F.dropout(t, 1.0)
    expected = torch.nn.functional.dropout(torch.tensor([1.0, -2.0, np.inf]), 1.0)  # x·0, as torch
    np.testing.assert_array_equal(out.data, expected.numpy())
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 0.0, 0.0])
    assert F.dropout(nw.tensor(np.zeros((0, 3))), 0.5).shape == (0, 3)
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match=f"dropout probability has to be between 0 and 1, but got {p}"):
            nn.Dropout(p)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(x, p)
    assert repr(nn.Dropout(0.25)).startswith("Dropout(p=0.25)")


def test_dropout_repeats_bit_for_bit_after_manual_seed() -> None:
    x = nw.tensor(rand((50, 7)))
    nw.manual_seed(3)
    first = [F.dropout(x, 0.3).data for _ in range(3)]
    nw.manual_seed(3)
    again = [F.dropout(x, 0.3).data for _ in range(3)]
    for a, b in zip(first, again):
        assert a.tobytes() == b.tobytes()
    assert first[0].tobytes() != first[1].tobytes()  # a new mask every call
    float32 = F.dropout(nw.tensor(rand((10, 10)), dtype=np.float32), 0.5)
    assert float32.dtype == np.float32


def test_a_captured_step_draws_a_fresh_mask_each_replay_as_eager_does() -> None:
    def make() -> nn.Module:
        return nn.Sequential(nn.Linear(4, 16, generator=0), nn.Tanh(), nn.Dropout(0.5), nn.Linear(16, 1, generator=1))

    rng = np.random.default_rng(0)
    batches = [(rng.normal(size=(8, 4)).astype(np.float32), rng.normal(size=(8, 1)).astype(np.float32)) for _ in range(6)]
    eager, eager_opt = make(), None
    eager_opt = optim.SGD(eager.parameters(), lr=0.1)
    nw.manual_seed(11)
    eager_losses = []
    for x, y in batches:
        eager_opt.zero_grad()
        loss = F.mse_loss(eager(nw.tensor(x)), y)
        loss.backward()
        eager_opt.step()
        eager_losses.append(loss.item())
    model = make()
    step = nw.capture_step(model, F.mse_loss, optim.SGD(model.parameters(), lr=0.1))
    nw.manual_seed(11)
    assert [step(x, y) for x, y in batches] == eager_losses
    assert step.captures == 1
    for a, b in zip(model.parameters(), eager.parameters()):
        assert a.data.tobytes() == b.data.tobytes()


# ---- saving -----------------------------------------------------------------------------
def test_a_sequential_with_layer_norm_and_dropout_round_trips(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Linear(3, 4, generator=0, dtype=np.float64), nn.LayerNorm(4, eps=1e-3, dtype=np.float64),
                          nn.Dropout(0.2), nn.LayerNorm((4,), bias=False, dtype=np.float64),
                          nn.LayerNorm(4, elementwise_affine=False))
    model[1].weight.data[:] = [1.0, 2.0, 3.0, 4.0]
    model[1].bias.data[:] = [0.5, 0.0, -0.5, 1.0]
    loaded = io.load(io.save(model, tmp_path / "m.npz")).model.eval()
    model.eval()
    assert io.architecture(loaded) == io.architecture(model) and repr(loaded) == repr(model)
    assert list(loaded.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias", "3.weight"]
    for name, value in model.state_dict().items():
        assert loaded.state_dict()[name].tobytes() == value.tobytes(), name
    x = nw.tensor(rand((5, 3)))
    assert loaded(x).data.tobytes() == model(x).data.tobytes()
    with pytest.raises(ValueError, match=r"Dropout architecture: `p` must be a number in \[0.0, 1.0\]"):
        io.build({"type": "Dropout", "p": 2})
    with pytest.raises(ValueError, match="`normalized_shape` must be a non-empty list"):
        io.build({"type": "LayerNorm", "normalized_shape": [0], "eps": 1e-5, "elementwise_affine": True,
                  "bias": True, "dtype": "float32"})
    with pytest.raises(ValueError, match="needs 2,000,000 parameter values"):
        io.build({"type": "LayerNorm", "normalized_shape": [1000, 1000], "eps": 1e-5, "elementwise_affine": True,
                  "bias": True, "dtype": "float32"}, max_parameters=10)
