"""What each optimizer declares it needs, that it really needs it, and the step the training
loop chooses from the declaration."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import numpy as np
import pytest

from nnwork import functional as F
from nnwork import nn, optim
from nnwork.optim.choices import OPTIMIZERS, make_optimizer
from nnwork.optim.needs import STEP_INPUTS, Needs
from nnwork.tensor import Tensor
from nnwork.training import fit
from nnwork.training_step import (CapturedGradientStep, ClosureStep, GradientStep, ResidualStep, Step,
                                  choose_step)
from nnwork.workflow import DEFAULT_HIDDEN, FitSettings, build_model, hidden_sizes, plateau_schedule


def problem(n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    x = np.random.default_rng(0).uniform(-2, 2, size=(n, 2))
    return x, np.sin(x[:, :1]) * x[:, 1:]


def model_and_optimizer(name: str) -> tuple[nn.Module, optim.Optimizer]:
    model = nn.MLP([2, 6, 1], generator=0, dtype=np.float64)
    return model, make_optimizer(name, model.parameters())


def flat(model: nn.Module) -> np.ndarray:
    return np.concatenate([p.data.ravel() for p in model.parameters()])


class Recorder(nn.Module):
    """A model that remembers how many rows each forward pass got."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.rows: list[int] = []

    def forward(self, x: Tensor) -> Tensor:
        self.rows.append(len(x.data))
        return self.inner(x)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_each_optimizer_steps_from_what_it_declares(name: str) -> None:
    model, opt = model_and_optimizer(name)
    needs = opt.needs
    x, y = (Tensor(a) for a in problem())
    before = flat(model)
    F.mse_loss(model(x), y).backward()
    if needs.step == "gradients":
        opt.step()  # the gradients in .grad are all it reads
        assert not np.array_equal(flat(model), before)
        return
    with pytest.raises((TypeError, ValueError), match=re.escape(f"{type(opt).__name__}.step needs {STEP_INPUTS[needs.step]}")):
        opt.step()
    np.testing.assert_array_equal(flat(model), before)
    calls = []

    def closure() -> Any:
        calls.append(1)
        if needs.step == "residuals":
            return model(x) - y
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        return loss.item()

    start = F.mse_loss(model(x), y).item()
    opt.step(closure)
    assert calls and F.mse_loss(model(x), y).item() < start


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_a_full_batch_optimizer_sees_the_whole_training_set_every_step(name: str) -> None:
    model = Recorder(nn.MLP([2, 6, 1], generator=0, dtype=np.float64))
    fit(model, problem(64), optimizer=name, epochs=1, batch_size=16)
    assert set(model.rows) == ({64} if OPTIMIZERS[name].cls.needs.full_batch else {16})


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_the_learning_rate_is_taken_exactly_by_optimizers_that_declare_one(name: str) -> None:
    cls = OPTIMIZERS[name].cls
    model = nn.MLP([2, 3, 1], generator=0)
    if cls.needs.learning_rate:
        assert make_optimizer(name, model.parameters(), lr=0.125).param_groups[0]["lr"] == 0.125
        return
    with pytest.raises(TypeError, match="lr"):
        cls(model.parameters(), lr=0.125)
    with pytest.raises(ValueError, match=r"Levenberg–Marquardt has no learning rate \(it adapts its damping\); drop --lr"):
        make_optimizer(name, model.parameters(), lr=0.125)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_the_fit_job_takes_dtype_size_and_schedule_from_the_declaration(name: str) -> None:
    needs = OPTIMIZERS[name].cls.needs
    settings = FitSettings(optimizer=name)
    model = build_model(settings, 2, 1)
    assert {p.dtype for p in model.parameters()} == {np.dtype(needs.dtype)}
    assert hidden_sizes(settings) == list(needs.hidden or DEFAULT_HIDDEN)
    opt = make_optimizer(name, model.parameters())
    schedule = plateau_schedule(settings, opt, 3277)
    assert (schedule is not None) == needs.lr_schedule
    assert plateau_schedule(dataclasses.replace(settings, plateau=False), opt, 3277) is None


@pytest.mark.parametrize(("rows", "patience"), [(3277, 20), (100_000, 20), (320, 130), (40, 260)])
def test_the_plateau_waits_the_same_number_of_steps_on_any_number_of_rows(rows: int, patience: int) -> None:
    model = build_model(FitSettings(), 2, 1)
    schedule = plateau_schedule(FitSettings(), make_optimizer("adam", model.parameters()), rows)
    assert schedule.patience == patience  # 260 steps of 256 rows, at least 20 epochs


def test_second_order_methods_prefer_float64_and_lm_a_small_network() -> None:
    assert optim.LBFGS.needs.dtype == optim.LevenbergMarquardt.needs.dtype == "float64"
    assert optim.Adam.needs.dtype == "float32"
    assert hidden_sizes(FitSettings(optimizer="lm")) == [16, 16]
    assert hidden_sizes(FitSettings(optimizer="lbfgs")) == [64, 64]


@pytest.mark.parametrize(
    "name, strategy",
    [("adam", CapturedGradientStep), ("adamw", CapturedGradientStep), ("sgd", CapturedGradientStep),
     ("rmsprop", CapturedGradientStep), ("lbfgs", ClosureStep), ("lm", ResidualStep)],
)
def test_the_step_is_chosen_from_the_declaration(name: str, strategy: type[Step]) -> None:
    model, opt = model_and_optimizer(name)
    step = choose_step(model, F.mse_loss, opt)
    assert type(step) is strategy and step.full_batch == opt.needs.full_batch
    x, y = problem()
    start = F.mse_loss(model(Tensor(x)), Tensor(y)).item()
    value = step(x, y)
    after = F.mse_loss(model(Tensor(x)), Tensor(y)).item()
    assert after != start
    # Levenberg–Marquardt reports the loss after its step; the others the batch's loss before it
    assert value == pytest.approx(after if strategy is ResidualStep else start, rel=1e-12)


def test_an_optimizer_of_ones_own_is_stepped_as_it_declares() -> None:
    class LineSearchSGD(optim.SGD):
        needs = Needs(step="closure", full_batch=True, capture=False)

        def step(self, closure: Any = None) -> Any:
            loss = closure()
            super().step()
            return loss

    class EagerSGD(optim.SGD):
        needs = Needs(capture=False)

    model = nn.MLP([2, 3, 1], generator=0)
    assert type(choose_step(model, F.mse_loss, LineSearchSGD(model.parameters(), lr=0.1))) is ClosureStep
    assert type(choose_step(model, F.mse_loss, EagerSGD(model.parameters(), lr=0.1))) is GradientStep
    assert LineSearchSGD.title == "LineSearchSGD" and optim.LBFGS.title == "L-BFGS"


def test_captured_and_eager_gradient_steps_give_the_same_numbers() -> None:
    x, y = (a.astype(np.float32) for a in problem())
    results = []
    for strategy in (GradientStep, CapturedGradientStep):
        model = nn.MLP([2, 8, 1], generator=1)
        step = strategy(model, F.mse_loss, optim.Adam(model.parameters(), lr=1e-2))
        losses = [step(x, y) for _ in range(3)]
        results.append((losses, flat(model)))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_a_step_that_does_not_fit_the_optimizer_is_refused_with_its_own_message() -> None:
    model = nn.MLP([2, 3, 1], generator=0, dtype=np.float64)
    lbfgs = optim.LBFGS(model.parameters())
    with pytest.raises(TypeError) as own:
        lbfgs.step()
    with pytest.raises(TypeError) as refused:
        GradientStep(model, F.mse_loss, lbfgs)
    assert str(refused.value).startswith(str(own.value))
    assert "LBFGS.step needs a `closure` that re-evaluates the loss and the gradients" in str(refused.value)
    lm = optim.LevenbergMarquardt(model.parameters())
    with pytest.raises(ValueError) as own:
        lm.step()
    for strategy in (GradientStep, CapturedGradientStep, ClosureStep):
        with pytest.raises(TypeError) as refused:
            strategy(model, F.mse_loss, lm)
        assert str(refused.value).startswith(str(own.value))
    with pytest.raises(TypeError, match=r"Adam.step needs the gradients in `.grad`"):
        ResidualStep(model, F.mse_loss, optim.Adam(model.parameters()))


def test_least_squares_refuses_any_loss_but_the_squared_error() -> None:
    model = nn.MLP([2, 3, 1], generator=0, dtype=np.float64)
    message = "Levenberg–Marquardt minimises squared errors: use loss='mse' with it"
    with pytest.raises(ValueError, match=message):
        ResidualStep(model, F.l1_loss, optim.LevenbergMarquardt(model.parameters()))
    with pytest.raises(ValueError, match=message):
        fit(model, problem(), optimizer="lm", loss="l1", epochs=1)


def test_needs_are_frozen_and_checked() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        optim.Adam.needs.full_batch = True  # type: ignore[misc]
    with pytest.raises(ValueError, match="`step` must be one of"):
        Needs(step="hessian")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="only a step from gradients can be captured"):
        Needs(step="closure")
    with pytest.raises(ValueError, match="without a learning rate cannot follow a learning-rate schedule"):
        Needs(no_learning_rate="it has none")
    with pytest.raises(ValueError, match="`dtype`"):
        Needs(dtype="float16")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`hidden`"):
        Needs(hidden=(16, 0))
