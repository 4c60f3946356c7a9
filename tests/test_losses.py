"""Every loss and option against torch 2.13 (values and the gradient of every input that
torch differentiates, float64) and against finite differences; errors where torch raises."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nnwork as nw
import nnwork.functional as F
from helpers import helper_gradcheck, helper_test_op, rand

pytestmark = pytest.mark.filterwarnings("error")
REDUCTIONS = ("mean", "sum", "none")
T = lambda a: torch.tensor(np.asarray(a))  # noqa: E731  (constants for torch: labels, weights)


def probabilities(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Values in (0, 1) with exact 0s and 1s mixed in."""
    p = rand(shape, 0.05, 0.95, seed=seed)
    flat = p.reshape(-1)
    flat[::5], flat[1::7] = 0.0, 1.0
    return p


# ---- regression losses ------------------------------------------------------------------
REGRESSION: list[tuple[str, Callable[..., nw.Tensor], Callable[..., torch.Tensor]]] = [
    ("mse", F.mse_loss, TF.mse_loss),
    ("l1", F.l1_loss, TF.l1_loss),
    ("huber_0.5", lambda a, b, **k: F.huber_loss(a, b, delta=0.5, **k), lambda a, b, **k: TF.huber_loss(a, b, delta=0.5, **k)),
    ("huber_2", lambda a, b, **k: F.huber_loss(a, b, delta=2.0, **k), lambda a, b, **k: TF.huber_loss(a, b, delta=2.0, **k)),
    ("smooth_l1_0.5", lambda a, b, **k: F.smooth_l1_loss(a, b, beta=0.5, **k),
     lambda a, b, **k: TF.smooth_l1_loss(a, b, beta=0.5, **k)),
    ("smooth_l1_1", F.smooth_l1_loss, TF.smooth_l1_loss),
    ("smooth_l1_0", lambda a, b, **k: F.smooth_l1_loss(a, b, beta=0.0, **k),
     lambda a, b, **k: TF.smooth_l1_loss(a, b, beta=0.0, **k)),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, ours, theirs", REGRESSION, ids=[r[0] for r in REGRESSION])
@pytest.mark.parametrize("shape", [(4, 3), (), (1,), (0, 3)], ids=str)
def test_regression_losses_match_torch(name: str, ours: Callable, theirs: Callable, shape: tuple, reduction: str) -> None:
    x, y = rand(shape, -3, 3, seed=1), rand(shape, -3, 3, seed=2)
    helper_test_op([x, y], lambda a, b: ours(a, b, reduction=reduction),
                   lambda a, b: theirs(a, b, reduction=reduction), name=name)
    if x.size and name != "l1" and "_0" != name[-2:]:
        helper_gradcheck([x, y], lambda a, b: ours(a, b, reduction=reduction))


@pytest.mark.parametrize("name, ours, theirs", REGRESSION, ids=[r[0] for r in REGRESSION])
def test_regression_losses_at_huge_errors_and_ties(name: str, ours: Callable, theirs: Callable) -> None:
    x = np.array([1e4, -1e4, 0.5, 2.0, -0.25])
    y = np.array([-1e4, 1e4, 0.5, 0.0, 0.25])  # a zero difference, and |d| exactly at δ = β = 0.5 or 2
    helper_test_op([x, y], lambda a, b: ours(a, b, reduction="sum"), lambda a, b: theirs(a, b, reduction="sum"), name=name)


WEIGHTED = [("mse", F.mse_loss, TF.mse_loss), ("l1", F.l1_loss, TF.l1_loss), ("huber", F.huber_loss, TF.huber_loss)]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, ours, theirs", WEIGHTED, ids=[w[0] for w in WEIGHTED])
def test_weighted_regression_losses_match_torch(name: str, ours: Callable, theirs: Callable, reduction: str) -> None:
    """torch 2.13's `weight`: the mean is Σwℓ/Σw for mse and l1, mean(wℓ) for huber; the
    weight gets a gradient."""
    specs = [rand((4, 3), -3, 3, seed=1), rand((4, 3), -3, 3, seed=2), rand((4, 3), 0.1, 2, seed=3)]
    helper_test_op(specs, lambda a, b, w: ours(a, b, reduction=reduction, weight=w),
                   lambda a, b, w: theirs(a, b, reduction=reduction, weight=w), name=name)
    if name != "l1":
        helper_gradcheck(specs, lambda a, b, w: ours(a, b, reduction=reduction, weight=w))


def test_weighted_mean_of_no_weight_is_nan_as_in_torch() -> None:
    zeros = np.zeros(3)
    helper_test_op([rand((3,)), rand((3,), seed=1), zeros], lambda a, b, w: F.mse_loss(a, b, weight=w),
                   lambda a, b, w: TF.mse_loss(a, b, weight=w))
    helper_test_op([np.zeros(0), np.zeros(0), np.zeros(0)], lambda a, b, w: F.l1_loss(a, b, weight=w),
                   lambda a, b, w: TF.l1_loss(a, b, weight=w))


def test_empty_means_are_nan_without_a_warning() -> None:
    empty = nw.tensor(np.zeros((0, 3)), requires_grad=True)
    for loss in (F.mse_loss, F.l1_loss, F.huber_loss, F.smooth_l1_loss, F.binary_cross_entropy_with_logits,
                 F.binary_cross_entropy):
        out = loss(empty, np.zeros((0, 3)))
        assert np.isnan(out.item()), loss.__name__
        out.backward()
        assert empty.grad.shape == (0, 3)
        empty.grad = None
    assert F.mse_loss(empty, np.zeros((0, 3)), reduction="sum").item() == 0.0


def test_regression_loss_errors() -> None:
    t = nw.tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"mse_loss.*\(2, 3\).*\(2, 1\).*must match"):
        F.mse_loss(t, np.ones((2, 1)))  # torch warns and broadcasts: see docs/pytorch-differences.md
    for loss in (F.mse_loss, F.l1_loss, F.huber_loss, F.smooth_l1_loss, F.binary_cross_entropy,
                 F.binary_cross_entropy_with_logits, F.nll_loss, F.cross_entropy):
        with pytest.raises(ValueError, match="`reduction` must be one of .* got 'avg'"):
            loss(t * 0.5, np.zeros((2, 3)) if loss not in (F.nll_loss, F.cross_entropy) else [0, 1], reduction="avg")
    with pytest.raises(ValueError, match="non-positive values for `delta`, got 0"):
        F.huber_loss(t, t, delta=0)
    with pytest.raises(ValueError, match="negative values for `beta`, got -1"):
        F.smooth_l1_loss(t, t, beta=-1)
    with pytest.raises(ValueError, match=r"`weight` has shape \(3,\) but the input has shape \(2, 3\)"):
        F.mse_loss(t, t, weight=np.ones(3))


# ---- binary cross entropy ----------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, (3,), (4, 1)], ids=str)
def test_binary_cross_entropy_matches_torch_at_exact_0_and_1(reduction: str, weight: Any) -> None:
    """torch clamps each log at −100 (loss 100 at p = 0 or 1 against the other label), its
    gradient in p is (p − y)/max(p(1 − p), 1e-12) and in y is ln(1 − p) − ln p (±inf at 0 and 1)."""
    p = probabilities((4, 3))
    y = rand((4, 3), 0, 1, seed=5)
    y.reshape(-1)[::3] = 0.0
    y.reshape(-1)[1::4] = 1.0
    w = None if weight is None else rand(weight, 0.5, 2, seed=6)
    helper_test_op([p, y], lambda a, b: F.binary_cross_entropy(a, b, w, reduction=reduction),
                   lambda a, b: TF.binary_cross_entropy(a, b, None if w is None else T(w), reduction=reduction),
                   rtol=1e-12, grad_rtol=1e-12)


def test_binary_cross_entropy_gradients_by_finite_differences() -> None:
    helper_gradcheck([rand((3, 4), 0.1, 0.9), rand((3, 4), 0, 1, seed=1)], F.binary_cross_entropy)
    w = rand((4,), 0.5, 2, seed=3)
    helper_gradcheck([rand((3, 4), 0.1, 0.9), rand((3, 4), 0, 1, seed=1)],
                     lambda a, b: F.binary_cross_entropy(a, b, weight=w, reduction="sum"))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight, pos_weight", [(None, None), ((3,), None), (None, (3,)), ((4, 1), (3,)), ((), (1,))],
                         ids=str)
def test_binary_cross_entropy_with_logits_matches_torch(reduction: str, weight: Any, pos_weight: Any) -> None:
    x = rand((4, 3), -3, 3)
    x.reshape(-1)[:4] = [1e4, -1e4, 1e4, -1e4]
    y = rand((4, 3), 0, 1, seed=1)
    y.reshape(-1)[:4] = [1.0, 1.0, 0.0, 0.0]
    w = None if weight is None else rand(weight, 0.5, 2, seed=2)
    q = None if pos_weight is None else rand(pos_weight, 0.5, 3, seed=3)
    helper_test_op([x, y], lambda a, b: F.binary_cross_entropy_with_logits(a, b, w, reduction=reduction, pos_weight=q),
                   lambda a, b: TF.binary_cross_entropy_with_logits(
                       a, b, None if w is None else T(w), reduction=reduction, pos_weight=None if q is None else T(q)))
    helper_gradcheck([rand((4, 3), -3, 3), rand((4, 3), 0, 1, seed=1)],
                     lambda a, b: F.binary_cross_entropy_with_logits(a, b, w, reduction=reduction, pos_weight=q))


def test_binary_cross_entropy_errors() -> None:
    p = nw.tensor([0.5, 0.2])
    with pytest.raises(ValueError, match="`input` should be between 0 and 1"):
        F.binary_cross_entropy(nw.tensor([0.5, 1.2]), [0.0, 1.0])
    with pytest.raises(ValueError, match="`input` should be between 0 and 1"):
        F.binary_cross_entropy(nw.tensor([0.5, np.nan]), [0.0, 1.0])
    with pytest.raises(ValueError, match="`target` should be between 0 and 1"):
        F.binary_cross_entropy(p, [0.0, 1.5])
    with pytest.raises(ValueError, match=r"\(2,\).*\(1, 2\)"):
        F.binary_cross_entropy(p, [[0.0, 1.0]])
    with pytest.raises(ValueError, match=r"\(2,\).*\(1, 2\)"):
        F.binary_cross_entropy_with_logits(p, [[0.0, 1.0]])
    with pytest.raises(ValueError, match="not differentiable with respect to `weight`"):
        F.binary_cross_entropy(p, [0.0, 1.0], weight=nw.tensor([1.0, 2.0], requires_grad=True))
    with pytest.raises(ValueError, match="not differentiable with respect to `pos_weight`"):
        F.binary_cross_entropy_with_logits(p, [0.0, 1.0], pos_weight=nw.tensor([2.0], requires_grad=True))
    with pytest.raises(ValueError, match=r"`weight` of shape \(2, 2\) does not broadcast to the input's shape \(2,\)"):
        F.binary_cross_entropy_with_logits(p, [0.0, 1.0], weight=np.ones((2, 2)))
    with pytest.raises(TypeError, match="pass reduction= by keyword"):
        F.binary_cross_entropy(p, [0.0, 1.0], "sum")


# ---- nll_loss and cross_entropy with class indices ---------------------------------------
def labels_for(shape: tuple[int, ...], classes: int, seed: int = 0, ignored: int | None = -100) -> np.ndarray:
    labels = np.random.default_rng(seed).integers(0, classes, size=shape)
    if ignored is not None and labels.size > 2:
        labels.reshape(-1)[1] = ignored
    return labels


INDEX_CASES = [  # (input shape, target shape)
    ((5, 4), (5,)),
    ((3, 4, 2), (3, 2)),
    ((2, 3, 2, 2), (2, 2, 2)),
    ((4,), ()),
    ((1, 4), (1,)),
    ((0, 4), (0,)),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("ignore_index", [-100, 1])
@pytest.mark.parametrize("shape, target_shape", INDEX_CASES, ids=str)
def test_nll_loss_matches_torch(shape: tuple, target_shape: tuple, ignore_index: int, weighted: bool, reduction: str) -> None:
    x = rand(shape, -3, 0)
    labels = labels_for(target_shape, shape[1] if len(shape) > 1 else shape[0], ignored=ignore_index)
    w = rand((shape[1] if len(shape) > 1 else shape[0],), 0.5, 2, seed=4) if weighted else None
    options = {"ignore_index": ignore_index, "reduction": reduction}
    ours = lambda a: F.nll_loss(a, labels, w, **options)  # noqa: E731
    helper_test_op([x], ours, lambda a: TF.nll_loss(a, T(labels), None if w is None else T(w), **options))
    if x.size and reduction != "mean" or x.size > 8:
        helper_gradcheck([x], ours)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2, 1.0])
@pytest.mark.parametrize("ignore_index", [-100, 1])
@pytest.mark.parametrize("shape, target_shape", INDEX_CASES, ids=str)
def test_cross_entropy_with_indices_matches_torch(shape: tuple, target_shape: tuple, ignore_index: int, smoothing: float,
                                                  weighted: bool, reduction: str) -> None:
    classes = shape[1] if len(shape) > 1 else shape[0]
    labels = labels_for(target_shape, classes, seed=2, ignored=ignore_index)
    w = rand((classes,), 0.5, 2, seed=4) if weighted else None
    options = {"ignore_index": ignore_index, "reduction": reduction, "label_smoothing": smoothing}
    ours = lambda a: F.cross_entropy(a, labels, w, **options)  # noqa: E731
    helper_test_op([rand(shape, -3, 3)], ours, lambda a: TF.cross_entropy(a, T(labels), None if w is None else T(w), **options))
    if len(shape) == 2 and shape[0] > 2 and not weighted and reduction == "mean":
        helper_gradcheck([rand(shape, -3, 3)], ours)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_fast_path_with_huge_logits_and_ignored_rows(reduction: str) -> None:
    x = rand((6, 4), -3, 3)
    x[0], x[1], x[2, 1] = [1e4, -1e4, 0, 1e4], [-1e4] * 4, 1e4
    labels = np.array([1, 3, 1, -100, 0, -100])
    ours = lambda a: F.cross_entropy(a, labels, reduction=reduction)  # noqa: E731
    assert ours(nw.tensor(x)).grad_fn is None and F.cross_entropy(nw.tensor(x, requires_grad=True), labels).grad_fn.name == "CrossEntropy"
    helper_test_op([x], ours, lambda a: TF.cross_entropy(a, T(labels), reduction=reduction))
    helper_test_op([x], lambda a: F.cross_entropy(a, nw.tensor(labels, dtype=np.float64), reduction=reduction),
                   lambda a: TF.cross_entropy(a, T(labels), reduction=reduction))


def test_one_sample_with_a_target_of_shape_1_matches_torch_forward() -> None:
    """(torch's own backward fails for this case: "size mismatch (got input: [4], target: [1])")."""
    x = rand((4,), -3, 0)
    for reduction in REDUCTIONS:
        for ours, theirs in ((F.nll_loss, TF.nll_loss), (F.cross_entropy, TF.cross_entropy)):
            helper_test_op([x], lambda a: ours(a, [2], reduction=reduction),
                           lambda a: theirs(a, T([2]), reduction=reduction), forward_only=True)


@pytest.mark.parametrize("loss, torch_loss", [(F.cross_entropy, TF.cross_entropy), (F.nll_loss, TF.nll_loss)])
def test_every_target_ignored_or_weighted_zero_gives_torch_nan(loss: Callable, torch_loss: Callable) -> None:
    x = rand((3, 4), -3, 0)
    for labels, w in (([-100, -100, -100], None), ([-100, -100, -100], np.ones(4)), ([0, 1, 2], np.zeros(4))):
        helper_test_op([x], lambda a: loss(a, np.array(labels), w),
                       lambda a: torch_loss(a, T(labels), None if w is None else T(w)))


# ---- cross_entropy with class probabilities ---------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 2), (4,), (0, 3)], ids=str)
def test_cross_entropy_with_probabilities_matches_torch(shape: tuple, smoothing: float, weighted: bool, reduction: str) -> None:
    x = rand(shape, -3, 3)
    if x.size:
        x.reshape(-1)[:2] = [1e4, -1e4]
    target = rand(shape, 0, 1, seed=1)
    classes = shape[1] if len(shape) > 1 else shape[0]
    w = rand((classes,), 0.5, 2, seed=4) if weighted else None
    options = {"reduction": reduction, "label_smoothing": smoothing}
    ours = lambda a, b: F.cross_entropy(a, b, w, **options)  # noqa: E731
    helper_test_op([x, target], ours, lambda a, b: TF.cross_entropy(a, b, None if w is None else T(w), **options))
    if x.size:
        helper_gradcheck([rand(shape, -3, 3), target], ours)


def test_class_loss_errors() -> None:
    t = nw.tensor(np.zeros((2, 3)))
    with pytest.raises(IndexError, match=r"Target 3 is out of bounds.*\[0, 2\]"):
        F.nll_loss(t, [0, 3])
    with pytest.raises(IndexError, match="Target -5 is out of bounds"):
        F.cross_entropy(t, [0, -5])
    with pytest.raises(IndexError, match="Target 1 is out of bounds"):
        F.cross_entropy(nw.tensor(np.zeros((2, 1))), [0, 1])
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(t, [0, 3], ignore_index=0, weight=[1.0, 1.0, 1.0], label_smoothing=0.1)
    with pytest.raises(ValueError, match=r"batch_size \(2\) to match target batch_size \(3\)"):
        F.cross_entropy(t, [0, 1, 2])
    with pytest.raises(ValueError, match=r"\(3, 3, 4\).*must have shape \(3, 4\), got \(3,\)"):
        F.cross_entropy(nw.tensor(np.zeros((3, 3, 4))), [0, 1, 2])
    with pytest.raises(ValueError, match=r"\(3,\).*\(\) or \(1,\), got \(2,\)"):
        F.nll_loss(nw.tensor(np.zeros(3)), [0, 1])
    with pytest.raises(ValueError, match="0-d"):
        F.cross_entropy(nw.tensor(1.0), 0)
    with pytest.raises(TypeError, match="integer class indices"):
        F.nll_loss(t, [0.5, 1.0])
    with pytest.raises(TypeError, match="floating point, got dtype int"):
        F.cross_entropy(t, np.zeros((2, 3), dtype=int))
    with pytest.raises(ValueError, match=r"one value per class, shape \(3,\), got \(2,\)"):
        F.cross_entropy(t, [0, 1], weight=np.ones(2))
    with pytest.raises(ValueError, match="not differentiable with respect to `weight`"):
        F.nll_loss(t, [0, 1], weight=nw.tensor(np.ones(3), requires_grad=True))
    with pytest.raises(ValueError, match="`label_smoothing` must be between 0.0 and 1.0, got 1.5"):
        F.cross_entropy(t, [0, 1], label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"`ignore_index` \(1\) is not supported for class-probability"):
        F.cross_entropy(t, np.full((2, 3), 1 / 3), ignore_index=1)
    with pytest.raises(TypeError, match="pass reduction= by keyword"):
        F.cross_entropy(t, [0, 1], "sum")


def test_a_captured_cross_entropy_reads_ignored_and_bad_labels_of_each_batch() -> None:
    """The plain fused op checks and masks the labels itself, so replays see each batch's."""
    from nnwork import nn, optim

    eager, model = nn.MLP([3, 8, 4], generator=0), nn.MLP([3, 8, 4], generator=0)
    eager_opt, opt = optim.SGD(eager.parameters(), lr=0.1), optim.SGD(model.parameters(), lr=0.1)
    step = nw.capture_step(model, F.cross_entropy, opt)
    rng = np.random.default_rng(1)
    for i in range(4):
        x = rng.normal(size=(6, 3)).astype(np.float32)
        labels = rng.integers(0, 4, size=6)
        labels[: i] = -100  # none ignored in the captured step, more and more after
        eager_opt.zero_grad()
        loss = F.cross_entropy(eager(nw.tensor(x)), labels)
        loss.backward()
        eager_opt.step()
        assert step(x, labels) == loss.item(), i
    assert step.captures == 1
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        step(x, np.array([0, 1, 2, 3, 7, 0]))
