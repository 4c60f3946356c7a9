"""Tensor semantics: dtypes, numerical stability, backward() and the graph, no_grad, the
small accessors, error messages, and gradcheck itself."""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from typing import Any, Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nnwork as nw
import nnwork.functional as F
from nnwork.tensor import Function

pytestmark = pytest.mark.filterwarnings("error")  # no NumPy warning anywhere

FLOATS = [np.float32, np.float64]


def leaf(values: Any, dtype: Any = np.float64) -> nw.Tensor:
    return nw.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


# ---- dtypes ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [[1, 2, 3], [1.5, 2.5], 3, 2.5, [[1.0], [2.0]], np.arange(3), np.arange(3, dtype=np.int8),
     np.array([1.0, 2.0], dtype=np.float32), np.float32(1.5), [True, 2]],
    ids=["int list", "float list", "int", "float", "nested", "int64 array", "int8 array",
         "float32 array", "float32 scalar", "bool and int"],
)
def test_default_dtype_is_float32(data: Any) -> None:
    t = nw.tensor(data)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float32))


def test_float64_is_kept_when_given_or_asked_for() -> None:
    assert nw.tensor(np.array([1.0, 2.0])).dtype == np.float64
    assert nw.tensor(np.float64(2.0)).dtype == np.float64
    assert nw.tensor([1, 2], dtype=nw.float64).dtype == np.float64
    assert nw.tensor(np.arange(3, dtype=np.float32), dtype=np.float64).dtype == np.float64
    assert nw.tensor(np.array([1.0, 2.0]), dtype=nw.float32).dtype == np.float32
    assert nw.Tensor(np.ones(2), requires_grad=True).dtype == np.float64


def test_construction_copies_the_data() -> None:
    array = np.array([1.0, 2.0])
    t = nw.tensor(array)
    array[0] = 99.0
    assert t.data[0] == 1.0
    u = nw.tensor(t)
    t.data[1] = 42.0
    assert u.data[1] == 2.0 and u.dtype == np.float64


# Every op with its usual partners; `x` and `y` are (3, 4) tensors of the tested dtype.
OPS: list[tuple[str, Callable[[nw.Tensor, nw.Tensor], nw.Tensor]]] = [
    ("x*2.5", lambda x, y: x * 2.5),
    ("2.5*x", lambda x, y: 2.5 * x),
    ("x*np.float64", lambda x, y: x * np.float64(2.5)),
    ("np.float64*x", lambda x, y: np.float64(2.5) * x),
    ("x+1", lambda x, y: x + 1),
    ("1+x", lambda x, y: 1 + x),
    ("1-x", lambda x, y: 1 - x),
    ("x-0.5", lambda x, y: x - 0.5),
    ("x/3", lambda x, y: x / 3),
    ("3/x", lambda x, y: 3 / x),
    ("x**2", lambda x, y: x**2),
    ("x**3", lambda x, y: x**3),
    ("x**0.5", lambda x, y: x.abs() ** 0.5),
    ("x**-1", lambda x, y: x**-1),
    ("x**0", lambda x, y: x**0),
    ("2**x", lambda x, y: 2**x),
    ("x**y", lambda x, y: x.abs() ** y),
    ("-x", lambda x, y: -x),
    ("x+y", lambda x, y: x + y),
    ("x-y", lambda x, y: x - y),
    ("x*y", lambda x, y: x * y),
    ("x/y", lambda x, y: x / y),
    ("x@y.T", lambda x, y: x @ y.T),
    ("x[0]@y[1]", lambda x, y: x[0] @ y[1]),
    ("exp", lambda x, y: x.exp()),
    ("log", lambda x, y: x.abs().log()),
    ("sqrt", lambda x, y: x.abs().sqrt()),
    ("sin", lambda x, y: nw.sin(x)),
    ("cos", lambda x, y: nw.cos(x)),
    ("sigmoid", lambda x, y: x.sigmoid()),
    ("tanh", lambda x, y: x.tanh()),
    ("relu", lambda x, y: x.relu()),
    ("leaky_relu", lambda x, y: x.leaky_relu(0.2)),
    ("softplus", lambda x, y: x.softplus()),
    ("sum", lambda x, y: x.sum(0)),
    ("mean", lambda x, y: x.mean()),
    ("max", lambda x, y: x.max(1, keepdims=True).values),
    ("logsumexp", lambda x, y: x.logsumexp(1)),
    ("softmax", lambda x, y: x.softmax(0)),
    ("log_softmax", lambda x, y: x.log_softmax(-1)),
    ("reshape", lambda x, y: x.reshape(2, 6)),
    ("transpose", lambda x, y: x.T),
    ("getitem", lambda x, y: x[1:, [0, 0, 2]]),
    ("cat", lambda x, y: nw.cat([x, y], axis=1)),
    ("stack", lambda x, y: nw.stack([x, y])),
    ("where", lambda x, y: nw.where(x > 0, x, 0.0)),
    ("where_tensors", lambda x, y: nw.where(x > y, x, y)),
    ("clip", lambda x, y: x.clip(-0.5, 0.5)),
    ("linear", lambda x, y: F.linear(x, y, y[0, :3])),
    ("mse_loss", lambda x, y: F.mse_loss(x, y)),
    ("mse_loss_list", lambda x, y: F.mse_loss(x[0], [0.0, 1.0, 2.0, 3.0])),
    ("l1_loss", lambda x, y: F.l1_loss(x, y, reduction="sum")),
    ("huber_loss", lambda x, y: F.huber_loss(x, y, delta=0.5)),
    ("bce_with_logits", lambda x, y: F.binary_cross_entropy_with_logits(x, y.sigmoid())),
    ("cross_entropy", lambda x, y: F.cross_entropy(x, [0, 3, 1])),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("op", [fn for _, fn in OPS], ids=[name for name, _ in OPS])
def test_every_op_keeps_the_dtype(op: Callable, dtype: Any) -> None:
    rng = np.random.default_rng(0)
    x = nw.tensor(rng.uniform(0.2, 2.0, (3, 4)) * rng.choice([-1, 1], (3, 4)), dtype=dtype, requires_grad=True)
    y = nw.tensor(rng.uniform(0.2, 2.0, (3, 4)), dtype=dtype, requires_grad=True)
    out = op(x, y)
    assert out.dtype == dtype
    assert isinstance(out.data, np.ndarray)
    out.sum().backward()
    for t in (x, y):
        assert t.grad is None or (t.grad.dtype == dtype and t.grad.shape == t.shape)
        assert t.grad is None or np.all(np.isfinite(t.grad))


def test_mixed_dtypes_promote_and_grads_keep_each_leafs_dtype() -> None:
    x = nw.tensor([1.0, 2.0], requires_grad=True)
    y = nw.tensor([3.0, 4.0], dtype=np.float64, requires_grad=True)
    out = x * y
    assert out.dtype == np.float64
    out.sum().backward()
    assert x.grad.dtype == np.float32 and y.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_cast_is_differentiable() -> None:
    x = nw.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and x.float() is x and y.to(np.float64) is y
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    with pytest.raises(TypeError, match="float32 or float64"):
        x.to(np.int32)


# ---- numerical stability ---------------------------------------------------------------
def _torch(values: np.ndarray) -> torch.Tensor:
    return torch.tensor(values, requires_grad=True)


@pytest.mark.parametrize("dtype", FLOATS)
def test_steep_sigmoid_is_exact_and_silent(dtype: Any) -> None:
    magnitudes = np.logspace(-3, 1, 41)
    values = np.concatenate([-magnitudes[::-1], magnitudes]).astype(dtype)
    x = nw.tensor(values, requires_grad=True)
    y = (1000 * x).sigmoid()
    t = _torch(values)
    reference = torch.sigmoid(1000 * t)
    assert y.dtype == dtype
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(y.data, reference.detach().numpy(), rtol=rtol, atol=0)
    assert y.data[0] == 0.0 and y.data[-1] == 1.0  # ±1e4: the exact limits
    y.sum().backward()
    reference.sum().backward()
    assert np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-30)


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_and_softplus_limits_are_exact(dtype: Any) -> None:
    x = nw.tensor(np.array([-1e4, 1e4], dtype=dtype), requires_grad=True)
    np.testing.assert_array_equal(x.sigmoid().data, [0.0, 1.0])
    np.testing.assert_array_equal(F.sigmoid(x).data, [0.0, 1.0])
    np.testing.assert_array_equal(x.softplus().data, [0.0, 1e4])
    x.softplus().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0])
    x.grad = None
    x.sigmoid().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    huge = nw.tensor(np.array([-np.finfo(dtype).max, np.finfo(dtype).max], dtype=dtype))
    np.testing.assert_array_equal(huge.sigmoid().data, [0.0, 1.0])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("centre", [1e4, -1e4, 0.0])
def test_logsumexp_and_log_softmax_of_huge_logits(dtype: Any, centre: float) -> None:
    values = (centre + np.array([[0.0, 1.0, -2.0, 0.5], [3.0, -1.0, 0.0, 0.25]])).astype(dtype)
    # float32 cannot resolve logits of 1e4 to better than ~1e-3, float64 to ~2e-12
    atol = 4 * np.finfo(dtype).eps * max(abs(centre), 1.0)
    x = nw.tensor(values, requires_grad=True)
    t = _torch(values)
    for ours, theirs in [(x.logsumexp(1), torch.logsumexp(t, 1)), (x.log_softmax(1), torch.log_softmax(t, 1)),
                         (F.logsumexp(x, (0, 1)), torch.logsumexp(t, (0, 1))), (x.softmax(0), torch.softmax(t, 0))]:
        assert ours.dtype == dtype and np.all(np.isfinite(ours.data))
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=0, atol=atol)
    weights = np.arange(1.0, 9.0).reshape(2, 4)
    (x.log_softmax(1) * weights.astype(dtype)).sum().backward()
    (torch.log_softmax(t, 1) * torch.tensor(weights, dtype=t.dtype)).sum().backward()
    assert np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-5, atol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("dtype", FLOATS)
def test_cross_entropy_with_huge_logits(dtype: Any) -> None:
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0], [3e4, 3e4, -3e4]], dtype=dtype)
    labels = np.array([1, 1, 0])
    x = nw.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(x, labels, reduction="none")
    np.testing.assert_allclose(loss.data, [2e4, 0.0, np.log(2)], rtol=1e-6)
    t = _torch(logits)
    F.cross_entropy(x, labels).backward()
    TF.cross_entropy(t, torch.from_numpy(labels)).backward()
    assert np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(x.grad, t.grad.numpy(), atol=1e-7)


@pytest.mark.parametrize("dtype", FLOATS)
def test_bce_with_logits_and_huber_with_huge_inputs(dtype: Any) -> None:
    logits = np.array([-1e4, 1e4, -1e4, 1e4], dtype=dtype)
    target = np.array([0.0, 1.0, 1.0, 0.0], dtype=dtype)
    x = nw.tensor(logits, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, target, reduction="none")
    np.testing.assert_array_equal(loss.data, [0.0, 0.0, 1e4, 1e4])
    loss.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, -1.0, 1.0])
    big = nw.tensor(np.array([1e15, -1e15], dtype=dtype), requires_grad=True)
    F.huber_loss(big, np.zeros(2, dtype=dtype), reduction="sum").backward()
    np.testing.assert_array_equal(big.grad, [1.0, -1.0])


# ---- backward() -------------------------------------------------------------------------
def test_gradients_accumulate_across_backward_calls() -> None:
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [3 + 2, 3 + 4])


def test_a_plus_a_and_x_times_x_sum_both_uses() -> None:
    a = leaf([1.0, -2.0])
    (a + a).sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])
    x = leaf([3.0, -0.5])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, -1.0])
    s = leaf(2.0)
    (s * s * s).backward()
    assert s.grad == 12.0


def test_value_used_on_two_paths() -> None:
    x = leaf([0.5, -1.0])
    y = x * 2  # feeds both branches
    (y.sin() + y.exp() * y).sum().backward()
    y_ = 2 * np.array([0.5, -1.0])
    np.testing.assert_allclose(x.grad, 2 * (np.cos(y_) + np.exp(y_) * (1 + y_)), rtol=1e-15)


def test_diamond_graph_counts_each_path_once() -> None:
    x = leaf(1.5)
    a = x * 2
    b = a + 1
    c = a * 3
    d = b * c + a  # d = (2x+1)(6x) + 2x
    d.backward()
    assert x.grad == pytest.approx(24 * 1.5 + 6 + 2)


def test_chain_of_100000_multiplications() -> None:
    x0 = leaf([1.0, -2.0])
    x = x0
    for _ in range(100_000):
        x = x * 1.0000001
    x.sum().backward()
    expected = 1.0
    for _ in range(100_000):
        expected *= 1.0000001
    np.testing.assert_allclose(x0.grad, [expected, expected], rtol=1e-12)


def test_chain_of_100000_additions_and_dropping_an_unfreed_chain() -> None:
    x0 = leaf(3.0)
    x = x0
    for _ in range(100_000):
        x = x + 0
    x.backward(retain_graph=True)
    assert x0.grad == 1.0
    del x  # a 100,000-deep graph that was never freed must not crash on deallocation
    gc.collect()


def test_graph_is_freed_after_backward() -> None:
    x = leaf([1.0, 2.0])
    hidden = x.exp()
    alive = weakref.ref(hidden)
    out = (hidden * 2).sum()
    del hidden
    assert alive() is not None  # the graph holds it until backward
    out.backward()
    assert alive() is None
    np.testing.assert_allclose(x.grad, 2 * np.exp([1.0, 2.0]))


def test_retain_graph_allows_a_second_backward() -> None:
    x = leaf([1.0, 2.0])
    hidden = x.exp()
    alive = weakref.ref(hidden)
    out = (hidden * 2).sum()
    del hidden
    out.backward(retain_graph=True)
    assert alive() is not None
    out.backward()
    np.testing.assert_allclose(x.grad, 4 * np.exp([1.0, 2.0]))
    assert alive() is None


def test_second_backward_through_a_freed_graph_is_an_error() -> None:
    x = leaf([1.0, 2.0])
    out = (x * x).sum()
    out.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        out.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_reusing_an_intermediate_after_its_graph_was_freed_is_an_error() -> None:
    x = leaf([1.0, 2.0])
    hidden = x * 2
    hidden.sum().backward()
    with pytest.raises(RuntimeError, match="freed"):
        (hidden * 3).sum().backward()  # must not silently skip the path back to x


def test_backward_from_an_intermediate_leaves_other_graphs_alone() -> None:
    x = leaf([1.0, 2.0])
    y = x * 3
    z = y.sin()
    z.backward(np.ones(2))
    np.testing.assert_allclose(x.grad, 3 * np.cos([3.0, 6.0]))


def test_memory_does_not_grow_over_training_steps() -> None:
    rng = np.random.default_rng(0)
    x = nw.tensor(rng.normal(size=(8, 3)))
    y = nw.tensor(rng.normal(size=(8, 1)))
    w = nw.tensor(rng.normal(size=(1, 3)), requires_grad=True)
    b = nw.tensor(np.zeros(1), requires_grad=True)

    def step() -> None:
        prediction = F.linear(x, w, b).tanh() * 2 + (x[:, :1] ** 2).sigmoid()
        F.mse_loss(prediction, y).backward()
        with nw.no_grad():
            for p in (w, b):
                p.data -= 0.01 * p.grad
                p.grad = None

    # CPython keeps up to 2000 freed tuples of each small size for reuse; fill those caches
    # first, or their slow filling during the run would look like a leak
    cache = [tuple([i] * n) for n in range(1, 8) for i in range(2000)]
    del cache
    tracemalloc.start()
    try:
        for i in range(10_000):
            step()
            if i == 999:
                after_1000 = tracemalloc.get_traced_memory()[0]
        after_10000 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after_10000 - after_1000 < 4 * 1024, (after_1000, after_10000)


def test_backward_argument_errors() -> None:
    x = leaf(np.ones((2, 3)))
    y = x * 2
    with pytest.raises(ValueError, match=r"single-value.*\(2, 3\)"):
        y.backward()
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        y.backward(np.ones((3, 2)))
    with pytest.raises(ValueError, match="does not require grad"):
        nw.tensor([1.0, 2.0]).sum().backward()
    y.backward(nw.tensor(np.full((2, 3), 0.5)))
    np.testing.assert_array_equal(x.grad, np.ones((2, 3)))


def test_backward_seeds_a_one_element_tensor_and_a_leaf() -> None:
    x = leaf([[2.0]])
    (x * 3).backward()
    assert x.grad.shape == (1, 1) and x.grad[0, 0] == 3.0
    z = leaf([1.0, 2.0])
    z.backward(np.array([5.0, 6.0]))
    np.testing.assert_array_equal(z.grad, [5.0, 6.0])


def test_only_leaves_that_require_grad_get_gradients() -> None:
    x = leaf([1.0, 2.0])
    c = nw.tensor([3.0, 4.0], dtype=np.float64)
    hidden = x * c
    hidden.sum().backward()
    assert c.grad is None and hidden.grad is None and not c.requires_grad
    assert x.is_leaf and not hidden.is_leaf


# ---- no_grad and detach ------------------------------------------------------------
def test_no_grad_context_records_nothing_and_restores() -> None:
    x = leaf([1.0, 2.0])
    assert nw.is_grad_enabled()
    with nw.no_grad():
        assert not nw.is_grad_enabled()
        y = (x * 2).exp().sum()
        with nw.no_grad():
            pass
        assert not nw.is_grad_enabled()
    assert nw.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    with pytest.raises(ValueError):
        y.backward()
    with pytest.raises(KeyError), nw.no_grad():
        raise KeyError("inside")
    assert nw.is_grad_enabled()
    assert (x * 2).requires_grad


def test_no_grad_as_decorator() -> None:
    x = leaf([1.0, 2.0])

    @nw.no_grad()
    def evaluate(t: nw.Tensor) -> nw.Tensor:
        """Doc kept."""
        assert not nw.is_grad_enabled()
        return t * t

    out = evaluate(x)
    assert not out.requires_grad and out.grad_fn is None
    assert evaluate.__doc__ == "Doc kept."
    assert nw.is_grad_enabled()


def test_detach_shares_values_and_stops_gradients() -> None:
    x = leaf([1.0, 2.0])
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.data, x.data)
    (d * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])


# ---- accessors and repr ------------------------------------------------------------
def test_item() -> None:
    assert nw.tensor(3.5).item() == 3.5 and type(nw.tensor(3.5).item()) is float
    assert nw.tensor([[2.0]]).item() == 2.0
    assert leaf([1.0, 2.0]).sum().item() == 3.0
    with pytest.raises(ValueError, match=r"one element.*\(2,\)"):
        nw.tensor([1.0, 2.0]).item()


def test_numpy_is_the_shared_array() -> None:
    t = nw.tensor([1.0, 2.0])
    array = t.numpy()
    assert isinstance(array, np.ndarray) and np.shares_memory(array, t.data)
    array[0] = 5.0
    assert t.data[0] == 5.0
    for result in (t.sum(), t.mean(), t.exp().sum().sigmoid(), nw.tensor(2.0).exp()):
        assert isinstance(result.numpy(), np.ndarray) and result.shape == ()


def test_shape_dtype_ndim_T_len_iter() -> None:
    t = nw.tensor(np.arange(6.0).reshape(2, 3))
    assert t.shape == (2, 3) and t.ndim == 2 and t.dtype == np.float64 and t.numel() == 6
    assert t.T.shape == (3, 2)
    np.testing.assert_array_equal(t.T.data, np.arange(6.0).reshape(2, 3).T)
    assert len(t) == 2
    rows = list(t)
    assert len(rows) == 2 and rows[1].tolist() == [3.0, 4.0, 5.0]
    with pytest.raises(TypeError, match="0-d"):
        len(nw.tensor(1.0))
    assert nw.tensor(1.0).shape == () and nw.tensor(1.0).ndim == 0


def test_repr() -> None:
    text = repr(nw.tensor([1.5, -2.0]))
    assert text.startswith("tensor([") and "1.5" in text and "-2." in text
    text = repr(nw.tensor(np.array([0.25, 3.0])))
    assert "0.25" in text and "3." in text and "dtype=float64" in text
    x = leaf([1.0, 2.0])
    assert "requires_grad=True" in repr(x)
    assert "grad_fn=<Mul>" in repr(x * 2)
    assert "grad_fn=<Sum>" in repr((x * 2).sum())
    assert "dtype" not in repr(nw.tensor([1.0]))


def test_requires_grad_() -> None:
    x = nw.tensor([1.0])
    assert x.requires_grad_() is x and x.requires_grad
    with pytest.raises(ValueError, match="detach"):
        (x * 2).requires_grad_(False)


# ---- errors -----------------------------------------------------------------------------
def test_matmul_shape_errors_name_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"\(2, 3\) @ \(4, 5\)"):
        nw.tensor(np.ones((2, 3))) @ nw.tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"\(2, 3, 4\) @ \(5, 4, 2\)"):
        nw.tensor(np.ones((2, 3, 4))) @ nw.tensor(np.ones((5, 4, 2)))
    with pytest.raises(ValueError, match=r"\(\) @ \(3,\)"):
        nw.tensor(1.0) @ nw.tensor(np.ones(3))


def test_reshape_stack_cat_errors() -> None:
    with pytest.raises(ValueError, match=r"\(2, 3\) into \(4, 2\)"):
        nw.tensor(np.ones((2, 3))).reshape(4, 2)
    with pytest.raises(ValueError, match=r"\(2, 3\), \(3, 2\)"):
        nw.stack([nw.tensor(np.ones((2, 3))), nw.tensor(np.ones((3, 2)))])
    with pytest.raises(ValueError, match=r"\(2, 3\), \(2, 4\)"):
        nw.cat([nw.tensor(np.ones((2, 3))), nw.tensor(np.ones((2, 4)))], axis=0)
    with pytest.raises(ValueError, match=r"\(2, 3\), \(3,\)"):
        nw.cat([nw.tensor(np.ones((2, 3))), nw.tensor(np.ones(3))], axis=1)
    with pytest.raises(ValueError, match="non-empty"):
        nw.stack([])


@pytest.mark.parametrize(
    "data", ["abc", ["a", "b"], [1 + 2j], np.array([1j]), object(), [object()], None, {"a": 1}],
    ids=["str", "str list", "complex list", "complex array", "object", "object list", "None", "dict"],
)
def test_non_numbers_raise_type_error(data: Any) -> None:
    with pytest.raises(TypeError, match="real numbers"):
        nw.tensor(data)


def test_bad_dtype_raises_type_error() -> None:
    with pytest.raises(TypeError, match="float32 or float64"):
        nw.tensor([1.0], dtype=np.int32)


def test_other_argument_errors() -> None:
    t = nw.tensor(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="empty"):  # as torch
        nw.tensor(np.ones((0, 2))).max()
    with pytest.raises(ValueError, match="min"):
        t.clip()
    with pytest.raises(TypeError, match="boolean"):
        nw.where(np.ones((2, 3)), t, 0.0)
    with pytest.raises(IndexError, match=r"\(2, 3\)"):
        t[5]
    with pytest.raises(IndexError, match="integers"):
        t[np.array([0.5])]
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        F.mse_loss(t, np.ones((3, 2)))
    with pytest.raises(ValueError, match="reduction"):
        F.l1_loss(t, t, reduction="average")
    with pytest.raises(ValueError, match="delta"):
        F.huber_loss(t, t, delta=0)
    with pytest.raises(IndexError, match=r"\[0, 2\]"):  # as torch
        F.cross_entropy(t, [0, 3])
    with pytest.raises(TypeError, match="integer"):
        F.cross_entropy(t, [0.5, 1.0])
    with pytest.raises(ValueError, match=r"\(2,\)"):
        F.cross_entropy(t, [0, 1, 2])
    with pytest.raises(ValueError, match=r"\(\.\.\., 3\)"):
        F.linear(nw.tensor(np.ones((2, 4))), t)


# ---- custom Functions and gradcheck -------------------------------------------------------
class Cube(Function):
    """x³, written the way every op is."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return a**3

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * 3 * self.a**2,)


class WrongMul(Function):
    """a · b whose backward is right for a and off by 0.5 at element (1, 2) of b."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        return a * b

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        grad_b = grad * self.a
        grad_b[1, 2] += 0.5
        return grad * self.b, grad_b


def test_custom_function_works_with_backward_and_gradcheck() -> None:
    x = leaf([1.0, -2.0])
    (Cube.apply(x) * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 24.0])
    report = nw.gradcheck(lambda t: Cube.apply(t).sin(), np.array([0.3, -1.2, 2.0]))
    assert report.ok and "gradients match" in str(report)
    with nw.no_grad():
        assert Cube.apply(x).grad_fn is None


def test_gradcheck_passes_on_correct_functions() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(3, 2))
    assert nw.gradcheck(lambda x, y: (x @ y).tanh().sum(0), a, b).ok
    assert nw.gradcheck(lambda x: F.cross_entropy(x, [1, 0]), a).ok
    float32_input = np.array([0.1, 0.2], dtype=np.float32)
    seen = []
    nw.gradcheck(lambda x: seen.append(x.dtype) or x.exp(), float32_input)
    assert set(seen) == {np.dtype(np.float64)}


def test_gradcheck_reports_a_wrong_backward() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    with pytest.raises(nw.GradcheckError) as raised:
        nw.gradcheck(WrongMul.apply, a, b)
    message = str(raised.value)
    assert isinstance(raised.value, AssertionError)
    assert "input 1" in message and "element (1, 2)" in message
    weight = np.random.default_rng(0).uniform(0.5, 1.5, size=(2, 3))[1, 2]  # gradcheck's seed 0
    expected = weight * a[1, 2]
    report = nw.gradcheck(WrongMul.apply, a, b, raise_exception=False)
    assert not report.ok
    assert (report.input_index, report.element) == (1, (1, 2))
    assert report.analytic == pytest.approx(expected + 0.5, rel=1e-12)
    assert report.numeric == pytest.approx(expected, rel=1e-6)
    assert f"{report.analytic:.10g}" in message and f"{report.numeric:.10g}" in message


def test_gradcheck_argument_errors() -> None:
    with pytest.raises(ValueError, match="at least one input"):
        nw.gradcheck(lambda: nw.tensor(1.0))
    with pytest.raises(TypeError, match="Tensor"):
        nw.gradcheck(lambda x: x.data, np.ones(2))


def test_import_nnwork_loads_neither_matplotlib_nor_the_heavy_parts() -> None:
    """`import nnwork` stays quick: plotting, training, files and numpy.random load on use."""
    import subprocess
    import sys

    code = (
        "import sys, nnwork; "
        "print(sorted(m for m in ('matplotlib', 'nnwork.training', 'nnwork.io', 'numpy.random') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    lazily = subprocess.run([sys.executable, "-c", "import nnwork; print(nnwork.fit.__module__, nnwork.optim.Adam.__name__)"],
                            capture_output=True, text=True, check=True)
    assert lazily.stdout.split() == ["nnwork.training", "Adam"]
