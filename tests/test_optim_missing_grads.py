"""Optimizer state when some parameters have no gradient on some steps: against torch.optim.

A parameter without a gradient (p.grad is None: not in the loss, requires_grad off) is skipped
by torch; its step count and buffers stay as they were. nnwork updates a whole group as flat
arrays when every parameter has a gradient, parameter by parameter otherwise: after every
step the parameters and the whole state_dict must equal torch's, whatever the pattern.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import nnwork as nw
from nnwork import nn, optim
import nnwork.functional as F

RTOL, ATOL = 1e-11, 1e-12

CONFIGS = {
    "SGD": [{"lr": 0.1, "momentum": 0.9}, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1},
            {"lr": 0.05, "momentum": 0.9, "nesterov": True}, {"lr": 0.002, "weight_decay": 0.2, "maximize": True}],
    "Adam": [{"lr": 0.1}, {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}, {"lr": 0.05, "maximize": True}],
    "AdamW": [{"lr": 0.1, "amsgrad": True}, {"lr": 0.1, "weight_decay": 0.3}],
    "RMSprop": [{"lr": 0.02, "centered": True}, {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1},
                {"lr": 0.01, "momentum": 0.9, "alpha": 0.9}],
}


def to_numpy(value: Any) -> Any:
    return value.detach().numpy() if isinstance(value, torch.Tensor) else value


def assert_same_state(opt: optim.Optimizer, topt: torch.optim.Optimizer, where: str) -> None:
    """Our full state_dict equals torch's: every state entry (step counts, buffers) and every
    hyperparameter we keep (torch's groups also hold its implementation flags: foreach, fused, ...)."""
    ours, theirs = opt.state_dict(), topt.state_dict()
    assert sorted(ours["state"]) == sorted(theirs["state"]), f"{where}: parameters with state"
    for index, state in ours["state"].items():
        assert sorted(state) == sorted(theirs["state"][index]), f"{where}: entries of state {index}"
        for key, value in state.items():
            np.testing.assert_allclose(value, to_numpy(theirs["state"][index][key]), rtol=RTOL, atol=ATOL,
                                       err_msg=f"{where}: state[{index}][{key!r}]")
    assert len(ours["param_groups"]) == len(theirs["param_groups"])
    for group, tgroup in zip(ours["param_groups"], theirs["param_groups"]):
        for key, value in group.items():
            assert value == tgroup[key], f"{where}: param_groups {key!r}"


class Mirror:
    """Torch parameters and optimizer that take the very same gradients as ours, step by step."""

    def __init__(self, name: str, kwargs: dict[str, Any], params: list[Any]) -> None:
        self.params = params
        self.tparams = [torch.tensor(p.data.copy(), requires_grad=True) for p in params]
        self.topt = getattr(torch.optim, name)(self.tparams, **kwargs)

    def step(self) -> None:
        for p, t in zip(self.params, self.tparams):
            t.grad = None if p.grad is None else torch.from_numpy(np.array(p.grad, copy=True))
        self.topt.step()

    def check(self, opt: optim.Optimizer, where: str) -> None:
        for i, (p, t) in enumerate(zip(self.params, self.tparams)):
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg=f"{where}: param {i}")
        assert_same_state(opt, self.topt, where)


# ---- the models: which parameters take part in a step is set by a mask --------------------------
SHAPES = [(3, 2), (4,), (), (1,)]
RNG = np.random.default_rng(0)
WEIGHTS = [RNG.normal(size=s) for s in SHAPES]


class Loose:
    """Parameters of several shapes (one 0-d), each in its own array; bit i of the mask puts
    parameter i into the output. The batch size says the mask (one capture per mask)."""

    def __init__(self) -> None:
        draw = np.random.default_rng(1)  # the same start in every example: Hypothesis can replay one
        self.params = [nn.Parameter(draw.normal(size=s), dtype=np.float64) for s in SHAPES]
        self.constants = [nw.tensor(w) for w in WEIGHTS]

    def batch(self, mask: int) -> tuple[np.ndarray, np.ndarray]:
        n = 20 + mask
        return np.linspace(-1, 1, n).reshape(n, 1), np.cos(np.arange(n, dtype=np.float64)).reshape(n, 1)

    def __call__(self, x: nw.Tensor) -> nw.Tensor:
        mask = x.shape[0] - 20
        total: Any = 1.0
        for i, (p, w) in enumerate(zip(self.params, self.constants)):
            if mask >> i & 1:
                total = total + (p * p * 0.5 + p * w).sum()
        return x * total

    def prepare(self, mask: int) -> None:
        """Nothing to do: the batch size says the mask."""


class Packed:
    """nn.MLP (its parameters packed in one array); bit i of the mask switches requires_grad
    on for parameter i (a captured step captures again when that changes)."""

    def __init__(self) -> None:
        self.model = nn.MLP([2, 3, 2], "tanh", generator=1, dtype=np.float64)
        self.params = self.model.parameters()

    def batch(self, mask: int) -> tuple[np.ndarray, np.ndarray]:
        n = 20 + mask
        x = np.stack([np.linspace(-1, 1, n), np.sin(np.arange(n))], axis=1)
        return x, np.cos(x)

    def __call__(self, x: nw.Tensor) -> nw.Tensor:
        return self.model(x)

    def prepare(self, mask: int) -> None:
        for i, p in enumerate(self.params):
            p.requires_grad = bool(mask >> i & 1)


def run(name: str, kwargs: dict[str, Any], kind: type, captured: bool, masks: list[int], reload_at: int) -> None:
    model = kind()
    opt = getattr(optim, name)(model.params, **kwargs)
    mirror = Mirror(name, kwargs, model.params)
    step = nw.capture_step(model, F.mse_loss, opt) if captured else None
    for k, mask in enumerate(masks):
        x, y = model.batch(mask)
        model.prepare(mask)
        if step is not None:
            step(x, y)
        else:
            opt.zero_grad()
            F.mse_loss(model(nw.tensor(x)), y).backward()
            opt.step()
        had = [p.grad is not None for p in model.params]
        assert had == [bool(mask >> i & 1) for i in range(len(model.params))], "the mask sets who has a gradient"
        mirror.step()
        mirror.check(opt, f"step {k}, mask {mask:b}")
        if k == reload_at:
            saved = opt.state_dict()
            opt.load_state_dict(saved)
            for state in saved["state"].values():  # what was loaded must be a copy
                for value in state.values():
                    if isinstance(value, np.ndarray):
                        value.fill(np.nan)
            mirror.check(opt, f"after load_state_dict at step {k}")


def masks(n_params: int) -> st.SearchStrategy[list[int]]:
    full = 2**n_params - 1  # mask 0 (no gradient at all) would have nothing to backpropagate
    return st.lists(st.one_of(st.just(full), st.integers(1, full)), min_size=20, max_size=22)


@pytest.mark.parametrize("name", sorted(CONFIGS))
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_state_matches_torch_whatever_the_pattern_of_missing_gradients(name: str, data: st.DataObject) -> None:
    kwargs = data.draw(st.sampled_from(CONFIGS[name]), label="kwargs")
    kind = data.draw(st.sampled_from([Loose, Packed]), label="model")
    captured = data.draw(st.booleans(), label="captured")
    pattern = data.draw(masks(4), label="masks")
    reload_at = data.draw(st.integers(-1, len(pattern) - 1), label="reload_at")
    run(name, kwargs, kind, captured, pattern, reload_at)


# ---- the reported cases, by hand ----------------------------------------------------------------
REPORTED = [("Adam", {"lr": 0.1}), ("AdamW", {"lr": 0.1, "amsgrad": True}), ("RMSprop", {"lr": 0.1, "centered": True}),
            ("SGD", {"lr": 0.1, "momentum": 0.9}), ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True})]


@pytest.mark.parametrize("name, kwargs", REPORTED, ids=[f"{n}-{k}" for n, k in REPORTED])
@pytest.mark.parametrize("kind", [Loose, Packed])
@pytest.mark.parametrize("captured", [False, True], ids=["eager", "captured"])
def test_a_step_without_some_gradient_does_not_leave_the_flat_state_stale(name, kwargs, kind, captured) -> None:  # type: ignore[no-untyped-def]
    # full steps (flat), a step with parameters 1 and 2 missing (one by one), full steps again,
    # a parameter's first gradient arriving late (its state empty while the others' are not)
    run(name, kwargs, kind, captured, [15, 15, 0b1001, 15, 15, 0b0111, 15, 15], reload_at=-1)
    run(name, kwargs, kind, captured, [0b1110, 15, 15, 0b1011, 15, 15, 15], reload_at=4)


def test_a_hand_edit_of_a_state_is_seen_by_the_next_flat_update() -> None:
    model = Loose()
    opt, mirror = optim.Adam(model.params, lr=0.1), Mirror("Adam", {"lr": 0.1}, model.params)
    for k in range(6):
        if k == 3:  # edit the state between two flat updates, on both sides
            for p, t in zip(model.params, mirror.tparams):
                opt.state[p]["step"] = 1
                opt.state[p]["exp_avg"] = np.zeros_like(p.data)
                mirror.topt.state[t]["step"].fill_(1.0)
                mirror.topt.state[t]["exp_avg"].zero_()
        opt.zero_grad()
        x, y = model.batch(15)
        F.mse_loss(model(nw.tensor(x)), y).backward()
        opt.step()
        mirror.step()
        mirror.check(opt, f"step {k}")


def test_a_replay_follows_requires_grad_switched_off_and_on_again() -> None:
    eager, replayed = Packed(), Packed()
    eager_opt, opt = optim.Adam(eager.params, lr=0.1), optim.Adam(replayed.params, lr=0.1)
    step = nw.capture_step(replayed, F.mse_loss, opt)
    x, y = eager.batch(0)  # one batch shape throughout: only requires_grad changes
    for k, mask in enumerate([15, 15, 0b1010, 0b1010, 15, 15, 0b0001]):
        eager.prepare(mask)
        replayed.prepare(mask)
        eager_opt.zero_grad()
        F.mse_loss(eager(nw.tensor(x)), y).backward()
        eager_opt.step()
        step(x, y)
        assert [p.grad is not None for p in replayed.params] == [bool(mask >> i & 1) for i in range(4)]
        for p, q in zip(eager.params, replayed.params):
            np.testing.assert_array_equal(p.data, q.data, err_msg=f"step {k}")
    assert step.captures == 4  # once, then at each change of requires_grad
