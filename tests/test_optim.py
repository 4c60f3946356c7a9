"""nnwork.optim against torch.optim: the same parameters after every step (float64 to ~1e-10)."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from nnwork import nn, optim
from nnwork.optim import lr_scheduler
from nnwork import buffers


class P:
    """A minimal parameter: `.data` and `.grad` (nnwork.nn.Parameter has the same protocol)."""

    def __init__(self, data: np.ndarray) -> None:
        self.data = data
        self.grad: np.ndarray | None = None


RNG = np.random.default_rng(0)
A = RNG.standard_normal((5, 4))
B = RNG.standard_normal((5, 3))
INIT = [RNG.standard_normal((4, 3)), RNG.standard_normal((5, 3)), RNG.standard_normal(6), np.array(0.3)]
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}


def loss_and_grads(x1, x2, x3, x4):
    """f = Σ(A·x1 + x2 − B)² + Σ sin x1 + 0.1·Σ x3⁴ + (x4 − ½)², and its gradient by hand."""
    a, b = A.astype(x1.dtype), B.astype(x1.dtype)
    r = a @ x1 + x2 - b
    f = np.sum(r * r) + np.sum(np.sin(x1)) + np.sum(0.1 * x3**4 + 0.5 * x3**2) + (x4 - 0.5) ** 2
    grads = [2 * a.T @ r + np.cos(x1), 2 * r, 0.4 * x3**3 + x3, 2 * (x4 - 0.5)]
    return float(f), [np.asarray(g, dtype=x1.dtype) for g in grads]


def torch_loss(t1, t2, t3, t4):
    a, b = torch.from_numpy(A).to(t1.dtype), torch.from_numpy(B).to(t1.dtype)
    r = a @ t1 + t2 - b
    return (r * r).sum() + torch.sin(t1).sum() + (0.1 * t3**4 + 0.5 * t3**2).sum() + (t4 - 0.5) ** 2


def make_params(dtype=np.float64):
    ours = [P(x.astype(dtype)) for x in INIT]
    theirs = [torch.tensor(x, dtype=TORCH_DTYPE[dtype], requires_grad=True) for x in INIT]
    return ours, theirs


def our_closure(params, frozen=()):
    def closure():
        f, grads = loss_and_grads(*[p.data for p in params])
        for i, (p, g) in enumerate(zip(params, grads)):
            p.grad = None if i in frozen else g
        return f

    return closure


def torch_closure(opt, params, frozen=(), hand=False):
    """Loss and gradients by autograd, or with hand=True the very same numbers as our side gets."""

    def closure():
        opt.zero_grad()
        if hand:
            f, grads = loss_and_grads(*[t.detach().numpy() for t in params])
            for t, g in zip(params, grads):
                t.grad = torch.from_numpy(g)
            loss = torch.tensor(f, dtype=torch.float64)
        else:
            loss = torch_loss(*params)
            loss.backward()
        for i in frozen:
            params[i].grad = None
        return loss.detach()  # torch's LBFGS calls float() on it, which warns when it requires grad

    return closure


def flat(ps):
    return [p.data for p in ps]


def two_groups(ps):
    return [{"params": ps[:2], "lr": 0.02, "momentum": 0.9}, {"params": ps[2:]}]


# (optimizer name, keyword arguments, how the parameters are grouped)
CASES = [
    ("SGD", {"lr": 0.01}, None),
    ("SGD", {"lr": 0.01, "momentum": 0.9}, None),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}, None),
    ("SGD", {"lr": 0.01, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1}, None),
    ("SGD", {"lr": 0.005, "momentum": 0.5, "weight_decay": 0.05, "maximize": True}, None),
    ("SGD", {"lr": 0.01}, two_groups),
    ("Adam", {"lr": 0.01}, None),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}, None),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-3, "maximize": True}, None),
    ("AdamW", {"lr": 0.01}, None),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True}, None),
    ("RMSprop", {}, None),
    ("RMSprop", {"lr": 0.005, "centered": True, "momentum": 0.9, "weight_decay": 0.1}, None),
    ("RMSprop", {"lr": 0.001, "momentum": 0.5, "alpha": 0.9, "maximize": True}, None),
    ("LBFGS", {"lr": 0.5, "max_iter": 4}, None),
    ("LBFGS", {"max_iter": 3, "line_search_fn": "strong_wolfe"}, None),
    ("LBFGS", {"max_iter": 2, "history_size": 3, "line_search_fn": "strong_wolfe"}, None),
]
CASE_IDS = [f"{name}-{kw}-{'groups' if layout else 'flat'}" for name, kw, layout in CASES]
ONE_PER_OPTIMIZER = [CASES[i] for i in (2, 7, 10, 12, 15)]


def build(case, ours, theirs):
    name, kwargs, layout = case
    layout = layout or (lambda ps: ps)
    return getattr(optim, name)(layout(ours), **kwargs), getattr(torch.optim, name)(layout(theirs), **kwargs)


def run_against_torch(case, steps=20, dtype=np.float64, frozen=(), rtol=1e-10, atol=1e-10, hand=False):
    ours, theirs = make_params(dtype)
    opt, topt = build(case, ours, theirs)
    arrays = [p.data for p in ours]
    closure, tclosure = our_closure(ours, frozen), torch_closure(topt, theirs, frozen, hand)
    for step in range(steps):
        loss = opt.step(closure)
        tloss = topt.step(tclosure)
        assert loss == pytest.approx(float(tloss), rel=max(rtol, 1e-12)), f"loss at step {step}"
        for i, (p, t) in enumerate(zip(ours, theirs)):
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=rtol, atol=atol, err_msg=f"param {i}, step {step}")
    assert all(p.data is a for p, a in zip(ours, arrays)), "the optimizer must update .data in place"
    return opt, ours


def test_hand_gradient_matches_autograd():
    ours, theirs = make_params()
    _, grads = loss_and_grads(*flat(ours))
    torch_loss(*theirs).backward()
    for g, t in zip(grads, theirs):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_matches_torch_every_step(case):
    _, ours = run_against_torch(case)
    moved = [not np.allclose(p.data, x) for p, x in zip(ours, INIT)]
    assert all(moved), "every parameter should have moved"


@pytest.mark.parametrize("case", ONE_PER_OPTIMIZER + [CASES[14]], ids=lambda c: c[0])
def test_float32_stays_float32_and_matches_torch(case):
    # Both sides get the same float32 gradients, so this compares the optimizers' float32 arithmetic.
    # L-BFGS's quasi-Newton steps amplify float32 rounding (1 ulp grows to ~1e-4 in a few steps),
    # so it is compared on its first step (several iterations), then only its dtype is checked.
    lbfgs = case[0] == "LBFGS"
    opt, ours = run_against_torch(case, steps=1 if lbfgs else 20, dtype=np.float32, rtol=1e-5, atol=1e-5, hand=True)
    closure = our_closure(ours)
    for _ in range(19 if lbfgs else 0):
        opt.step(closure)
    assert all(p.data.dtype == np.float32 for p in ours)
    for _, state in opt.state.items():
        for value in state.values():
            for array in value if isinstance(value, list) else [value]:
                if isinstance(array, np.ndarray):
                    assert array.dtype == np.float32


@pytest.mark.parametrize("case", ONE_PER_OPTIMIZER, ids=lambda c: c[0])
def test_parameters_without_gradient_are_skipped(case):
    opt, ours = run_against_torch(case, frozen=(2,), steps=5)
    np.testing.assert_array_equal(ours[2].data, INIT[2])
    if case[0] != "LBFGS":  # L-BFGS keeps one global state on the first parameter
        assert ours[2] not in opt.state


def assert_plain(x: Any, where: str = "state_dict") -> None:
    if isinstance(x, dict):
        for k, v in x.items():
            assert isinstance(k, (str, int)), f"{where} has key {k!r}"
            assert_plain(v, f"{where}[{k!r}]")
    elif isinstance(x, (list, tuple)):
        for i, v in enumerate(x):
            assert_plain(v, f"{where}[{i}]")
    else:
        ok = x is None or isinstance(x, (bool, int, float, str, np.ndarray)) and not isinstance(x, np.generic)
        assert ok, f"{where} is {type(x).__name__}, not plain data"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_state_dict_resume_equals_uninterrupted_run(case):
    ours, _ = make_params()
    opt, _ = build(case, ours, make_params()[1])
    closure = our_closure(ours)
    for _ in range(6):
        opt.step(closure)
    sd = opt.state_dict()
    assert_plain(sd)
    resumed = [P(p.data.copy()) for p in ours]
    opt2, _ = build(case, resumed, make_params()[1])
    opt2.load_state_dict(sd)
    for value in sd["state"].values():  # the loaded state must be a copy
        for v in value.values():
            if isinstance(v, np.ndarray):
                v.fill(np.nan)
    closure2 = our_closure(resumed)
    for step in range(8):
        assert opt.step(closure) == opt2.step(closure2)
        for p, q in zip(ours, resumed):
            np.testing.assert_array_equal(p.data, q.data, err_msg=f"step {step} after resuming")


def test_zero_grad():
    ours, _ = make_params()
    opt = optim.SGD(ours, lr=0.1)
    our_closure(ours)()
    grad = ours[0].grad
    opt.zero_grad(set_to_none=False)
    assert ours[0].grad is grad and not grad.any()
    opt.zero_grad()
    assert all(p.grad is None for p in ours)


def test_lbfgs_minimises_rosenbrock():
    p = P(np.array([-1.5, 2.0]))

    def closure():
        x, y = p.data
        p.grad = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    opt = optim.LBFGS([p], line_search_fn="strong_wolfe", max_iter=100)
    for _ in range(3):
        opt.step(closure)
    assert closure() < 1e-8
    np.testing.assert_allclose(p.data, [1.0, 1.0], atol=1e-4)


def bad_param():
    return P(np.zeros(3))


BAD_HYPERPARAMETERS = [
    (lambda ps: optim.SGD(ps, lr=-1), ValueError, "Invalid learning rate: -1 \\(`lr` must be >= 0"),
    (lambda ps: optim.SGD(ps, lr="fast"), TypeError, "`lr` must be a real number, got 'fast'"),
    (lambda ps: optim.SGD(ps, momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
    (lambda ps: optim.SGD(ps, weight_decay=-1e-3), ValueError, "Invalid weight_decay value: -0.001"),
    (lambda ps: optim.SGD(ps, nesterov=True), ValueError, "Nesterov momentum requires a momentum and zero dampening"),
    (lambda ps: optim.SGD([{"params": ps, "lr": -2}]), ValueError, "Invalid learning rate: -2"),
    (lambda ps: optim.Adam(ps, betas=(1.0, 0.999)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    (lambda ps: optim.Adam(ps, betas=(0.9, -0.1)), ValueError, "Invalid beta parameter at index 1: -0.1"),
    (lambda ps: optim.Adam(ps, betas=0.9), TypeError, "`betas` must be a pair"),
    (lambda ps: optim.Adam(ps, eps=-1), ValueError, "Invalid epsilon value: -1"),
    (lambda ps: optim.AdamW(ps, weight_decay=-0.1), ValueError, "Invalid weight_decay value: -0.1"),
    (lambda ps: optim.RMSprop(ps, alpha=-0.9), ValueError, "Invalid alpha value: -0.9"),
    (lambda ps: optim.RMSprop(ps, lr=float("nan")), ValueError, "Invalid learning rate: nan"),
    (lambda ps: optim.LBFGS(ps, lr=-1), ValueError, "Invalid learning rate: -1"),
    (lambda ps: optim.LBFGS(ps, max_iter=0), ValueError, "Invalid max_iter value: 0"),
    (lambda ps: optim.LBFGS(ps, line_search_fn="armijo"), ValueError, "must be None or 'strong_wolfe', got 'armijo'"),
    (lambda ps: optim.LBFGS([{"params": ps[:1]}, {"params": ps[1:]}]), ValueError, "doesn't support per-parameter"),
    (lambda ps: optim.SGD([]), ValueError, "optimizer got an empty parameter list"),
    (lambda ps: optim.SGD(ps[0]), TypeError, "`params` must be an ordered iterable .* got P"),
    (lambda ps: optim.SGD({"params": ps}), TypeError, "`params` must be an ordered iterable .* got dict"),
    (lambda ps: optim.SGD([object()]), TypeError, "parameter 0 of the group is object"),
    (lambda ps: optim.SGD([P(np.zeros(3, dtype=int))]), TypeError, "parameter 0 of the group is P with .data"),
    (lambda ps: optim.SGD([ps[0], ps[0]]), ValueError, "the same parameter more than once"),
    (lambda ps: optim.SGD([{"params": ps}, {"params": ps[:1]}]), ValueError, "more than one parameter group"),
]


@pytest.mark.parametrize("make, error, match", BAD_HYPERPARAMETERS)
def test_bad_arguments_raise_clear_errors(make, error, match):
    with pytest.raises(error, match=match):
        make([bad_param(), bad_param()])


def test_bad_gradients_and_missing_closure_raise():
    p = bad_param()
    opt = optim.Adam([p])
    p.grad = np.zeros(4)
    with pytest.raises(ValueError, match=r"gradient of parameter 0 of group 0 has shape \(4,\), but .* \(3,\)"):
        opt.step()
    p.grad = np.zeros(3, dtype=np.float32)
    with pytest.raises(TypeError, match="has dtype float32, but the parameter has dtype float64"):
        opt.step()
    with pytest.raises(TypeError, match="LBFGS.step needs a `closure`"):
        optim.LBFGS([p]).step()


def trained(name, params, layout=None):
    opt = getattr(optim, name)(layout(params) if layout else params)
    closure = our_closure(params)
    for _ in range(2):
        opt.step(closure)
    return opt


def test_mismatched_state_dicts_raise_and_change_nothing():
    ours, _ = make_params()
    sd = trained("Adam", ours).state_dict()
    two = trained("Adam", ours, two_groups).state_dict()
    target = optim.Adam(make_params()[0][:3])
    cases = [
        ({"state": {}}, "must be a dict with keys 'state' and 'param_groups', got \\['state'\\]"),
        (two, "loaded state dict has 2 parameter groups, but the optimizer has 1"),
        (sd, "parameter group 0 of the loaded state dict has 4 parameters, but the optimizer's group 0 has 3"),
    ]
    for bad, match in cases:
        with pytest.raises(ValueError, match=match):
            target.load_state_dict(bad)

    transposed = optim.Adam([P(np.zeros((3, 4))), *make_params()[0][1:]])
    with pytest.raises(ValueError, match=r"state\[0\]\['exp_avg'\] has shape \(4, 3\), but .* shape \(3, 4\)"):
        transposed.load_state_dict(sd)
    assert len(transposed.state) == 0, "a failed load must leave the optimizer as it was"

    extra = copy.deepcopy(sd)
    extra["state"][7] = {}
    with pytest.raises(ValueError, match="state for parameter index 7"):
        optim.Adam(make_params()[0]).load_state_dict(extra)
    negative = copy.deepcopy(sd)
    negative["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match="Invalid learning rate: -1.0"):
        optim.Adam(make_params()[0]).load_state_dict(negative)

    lbfgs = trained("LBFGS", ours).state_dict()
    with pytest.raises(ValueError, match=r"state\[0\]\['d'\] has shape \(34,\), but .* shape \(33,\)"):
        optim.LBFGS([P(np.zeros((4, 3))), P(np.zeros((5, 3))), P(np.zeros(5)), P(np.array(0.0))]).load_state_dict(lbfgs)


# --- learning-rate schedules ---------------------------------------------------------------

SCHEDULES = [
    ("StepLR", {"step_size": 7, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [5, 12, 12, 30], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.93}),
    ("CosineAnnealingLR", {"T_max": 15, "eta_min": 0.001}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.9, "total_iters": 10}),
    ("ReduceLROnPlateau", {"factor": 0.5, "patience": 2, "cooldown": 1, "threshold": 0.01, "min_lr": [0.01, 0.0]}),
    ("ReduceLROnPlateau", {"mode": "max", "threshold_mode": "abs", "threshold": 0.05, "patience": 1}),
]
METRICS = [1.0 / (1 + (e % 9)) + 0.01 * math.sin(e) for e in range(60)]


def scheduled(name, kwargs, library):
    params = [P(np.zeros(2)), P(np.zeros(3))] if library is optim else [torch.zeros(2), torch.zeros(3)]
    opt = library.SGD([{"params": params[:1], "lr": 0.1}, {"params": params[1:], "lr": 0.03}])
    return opt, getattr(library.lr_scheduler, name)(opt, **kwargs)


def advance(opt, sched, epoch):
    opt.step()
    if isinstance(sched, (lr_scheduler.ReduceLROnPlateau, torch.optim.lr_scheduler.ReduceLROnPlateau)):
        sched.step(METRICS[epoch])
    else:
        sched.step()


@pytest.mark.parametrize("name, kwargs", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_schedule_matches_torch(name, kwargs):
    opt, sched = scheduled(name, kwargs, optim)
    topt, tsched = scheduled(name, kwargs, torch.optim)
    assert sched.get_last_lr() == tsched.get_last_lr()
    for epoch in range(50):  # the same recursive formulas, so the same floats, bit for bit
        advance(opt, sched, epoch)
        advance(topt, tsched, epoch)
        assert sched.get_last_lr() == tsched.get_last_lr(), f"epoch {epoch}"
        assert [g["lr"] for g in opt.param_groups] == sched.get_last_lr()
    assert len(set(sched.get_last_lr())) > 1 or name == "ReduceLROnPlateau"


@pytest.mark.parametrize("name, kwargs", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_schedule_state_dict_resume(name, kwargs):
    opt, sched = scheduled(name, kwargs, optim)
    for epoch in range(20):
        advance(opt, sched, epoch)
    opt_sd, sched_sd = opt.state_dict(), sched.state_dict()
    assert_plain(sched_sd)
    opt2, sched2 = scheduled(name, kwargs, optim)  # as in torch: scheduler first, then the states
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sched_sd)
    for epoch in range(20, 50):
        advance(opt, sched, epoch)
        advance(opt2, sched2, epoch)
        assert sched.get_last_lr() == sched2.get_last_lr()


def test_schedule_bad_arguments():
    opt, _ = scheduled("StepLR", {"step_size": 1}, optim)
    with pytest.raises(ValueError, match="`step_size` must be an int >= 1, got 0"):
        lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="`mode` must be 'min' or 'max', got 'mid'"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="mid")
    with pytest.raises(ValueError, match="expected 2 min_lrs"):
        lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1])
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        lr_scheduler.LinearLR(opt, start_factor=0)
    with pytest.raises(TypeError, match="`optimizer` must be an nnwork Optimizer, got SGD"):
        lr_scheduler.ExponentialLR(torch.optim.SGD([torch.zeros(1)]), gamma=0.9)
    step_sd = lr_scheduler.StepLR(opt, step_size=3).state_dict()
    with pytest.raises(ValueError, match=r"does not fit ExponentialLR: missing keys \[\], unexpected keys \['step_size'\]"):
        lr_scheduler.ExponentialLR(opt, gamma=0.9).load_state_dict(step_sd)


def test_public_api():
    names: list[Callable[..., Any]] = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.LBFGS]
    assert all(issubclass(cls, optim.Optimizer) for cls in names)
    assert "Parameter Group 0" in repr(optim.Adam([bad_param()]))


# ---- flat updates over packed parameters ------------------------------------------------------
class Loose:
    """A parameter with its own array (not packed with the others)."""

    def __init__(self, data: np.ndarray) -> None:
        self.data, self.grad = data.copy(), None


@pytest.mark.parametrize("name, settings", [("Adam", {"lr": 0.01}), ("SGD", {"lr": 0.1, "momentum": 0.9}),
                                            ("RMSprop", {"lr": 0.01, "centered": True}), ("AdamW", {"lr": 0.01})])
def test_packed_parameters_are_updated_in_place_and_exactly_like_loose_ones(name, settings) -> None:  # type: ignore[no-untyped-def]
    model = nn.MLP([3, 5, 4, 2], generator=0)
    packed = model.parameters()
    block = buffers.tiling([p.data for p in packed])
    assert block is not None and block.size == sum(p.data.size for p in packed)
    loose = [Loose(p.data) for p in packed]
    opt_packed, opt_loose = getattr(optim, name)(packed, **settings), getattr(optim, name)(loose, **settings)
    arrays = [p.data for p in packed]
    rng = np.random.default_rng(0)
    for step in range(25):
        if step == 12:  # someone rebinds a parameter's array: the update must follow it
            assert opt_packed._flat_groups[0].packed  # until now: updated through the block itself
            packed[1].data = packed[1].data.copy()
            arrays[1] = packed[1].data
        for p, q in zip(packed, loose):
            p.grad = rng.normal(size=p.data.shape).astype(p.data.dtype)
            q.grad = p.grad.copy()
        opt_packed.step()
        opt_loose.step()
        for p, q, a in zip(packed, loose, arrays):
            np.testing.assert_array_equal(p.data, q.data)
            assert p.data is a  # updated in place, never rebound by the optimizer
    assert not opt_packed._flat_groups[0].packed  # after the rebinding it copies in and out


def test_tiling_only_accepts_arrays_laid_back_to_back_in_order() -> None:
    base = np.arange(10.0)
    a, b, c = base[0:4].reshape(2, 2), base[4:7], base[7:10]
    assert buffers.tiling([a, b, c]) is not None
    np.testing.assert_array_equal(buffers.tiling([b, c]), base[4:10])
    assert buffers.tiling([b, a, c]) is None  # out of order
    assert buffers.tiling([a, c]) is None  # a gap
    assert buffers.tiling([a, b.copy()]) is None  # another array
    assert buffers.tiling([base[::2][:2], base[::2][2:]]) is None  # strided
    assert buffers.tiling([np.zeros(3)]) is None  # owns its memory: no base
