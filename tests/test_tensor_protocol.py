"""The Python protocol of Tensor against torch 2.13: comparisons, conversions, method forms
and powers at their edge cases."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch

import nnwork as nw
from helpers import helper_gradcheck, helper_test_op

pytestmark = pytest.mark.filterwarnings("error")


# ---- powers -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "base, exponent",
    [(0.0, 0.0), (0.0, 1.0), (0.0, 2.0), (0.0, -1.0), (0.0, 0.5), (-2.0, 3.0), (-2.0, 0.5), (2.0, 0.0),
     (-3.0, -2.0), (1e4, 100.0)],
    ids=str,
)
def test_powers_at_their_edges_match_torch(base: float, exponent: float) -> None:
    a = nw.tensor(np.array([base]), requires_grad=True)
    b = nw.tensor(np.array([exponent]), requires_grad=True)
    s = nw.tensor(np.array([base]), requires_grad=True)
    ta = torch.tensor([base], dtype=torch.float64, requires_grad=True)
    tb = torch.tensor([exponent], dtype=torch.float64, requires_grad=True)
    tc = torch.tensor([base], dtype=torch.float64, requires_grad=True)
    (a**b).sum().backward()
    (ta**tb).sum().backward()
    (s**exponent).sum().backward()
    (tc**exponent).sum().backward()
    np.testing.assert_array_equal((a**b).data, (ta**tb).detach().numpy())
    np.testing.assert_array_equal((s**exponent).data, (tc**exponent).detach().numpy())
    for mine, theirs in [(a.grad, ta.grad), (b.grad, tb.grad), (s.grad, tc.grad)]:
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-12, equal_nan=True)


def test_pow_of_tensors_broadcasts_and_has_torchs_gradients() -> None:
    helper_test_op([(3, 1), (4,)], lambda a, b: a**b, lambda a, b: a**b, low=[0.5, -2.0], high=[2.0, 2.0])
    helper_test_op([(3,)], lambda a: 2.0**a, lambda a: 2.0**a)
    helper_gradcheck([(3, 1), (4,)], lambda a, b: a.pow(b), low=[0.5, -2.0], high=[2.0, 2.0])


# ---- comparisons and hashing ------------------------------------------------------------
COMPARISONS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("==", lambda a, b: a == b), ("!=", lambda a, b: a != b), ("<", lambda a, b: a < b),
    ("<=", lambda a, b: a <= b), (">", lambda a, b: a > b), (">=", lambda a, b: a >= b),
    ("eq", lambda a, b: a.eq(b)), ("ne", lambda a, b: a.ne(b)), ("lt", lambda a, b: a.lt(b)),
    ("le", lambda a, b: a.le(b)), ("gt", lambda a, b: a.gt(b)), ("ge", lambda a, b: a.ge(b)),
]


@pytest.mark.parametrize("name, compare", COMPARISONS, ids=[c[0] for c in COMPARISONS])
@pytest.mark.parametrize("other", ["tensor", 1.0, "broadcast"])
def test_comparisons_are_elementwise_constant_masks(name: str, compare: Callable, other: Any) -> None:
    values = np.array([[0.0, 1.0, 2.0], [1.0, 1.0, -1.0]])
    others = {"tensor": values[::-1].copy(), "broadcast": np.array([1.0, 0.0, 2.0])}
    b = others.get(other, other)
    ours = compare(nw.tensor(values, requires_grad=True), nw.tensor(b) if isinstance(b, np.ndarray) else b)
    theirs = compare(torch.tensor(values), torch.tensor(b) if isinstance(b, np.ndarray) else b)
    assert isinstance(ours, nw.Tensor) and ours.dtype == np.bool_ and not ours.requires_grad
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_equality_with_other_objects_is_false_as_in_torch() -> None:
    t = nw.tensor([1.0, 2.0])
    assert (t == None) is False and (t != None) is True  # noqa: E711
    assert (t == "a") is False and (t == [1.0, 2.0]) is False
    assert (torch.tensor([1.0]) == None) is False  # noqa: E711


def test_tensors_hash_by_identity_and_stay_usable_as_keys() -> None:
    a, b = nw.tensor([1.0, 2.0]), nw.tensor([1.0, 2.0])
    assert hash(a) != hash(b) and len({a, b}) == 2
    state = {a: "a", b: "b"}
    assert state[a] == "a" and state[b] == "b"
    assert a in [a] and a in {a}


# ---- conversions to Python numbers ------------------------------------------------------
@pytest.mark.parametrize("value", [[3.7], [[-3.7]], 0.0, [-0.5]], ids=str)
def test_one_element_tensors_convert_like_torch(value: Any) -> None:
    ours, theirs = nw.tensor(value), torch.tensor(value)
    assert float(ours) == pytest.approx(float(theirs)) and int(ours) == int(theirs)
    assert bool(ours) == bool(theirs) and bool(ours > 0) == bool(theirs > 0)
    assert bool(nw.tensor(True)) is True and operator_index(nw.tensor([True])) == 1


def operator_index(t: Any) -> int:
    import operator

    return operator.index(t)


@pytest.mark.parametrize("values", [[1.0, 2.0], [], [[1.0], [2.0]]], ids=str)
def test_conversions_of_many_or_no_values_raise_like_torch(values: Any) -> None:
    ours, theirs = nw.tensor(values), torch.tensor(values)
    amount = "no values" if not values else "more than one value"
    with pytest.raises(RuntimeError, match=amount):
        bool(theirs)
    with pytest.raises(RuntimeError, match=f"Boolean value of Tensor with {amount} is ambiguous"):
        bool(ours)
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(ours > 0)
    for convert in (float, int):
        with pytest.raises(ValueError):
            convert(theirs)
        with pytest.raises(ValueError, match="only one element tensors"):
            convert(ours)


def test_float_tensors_are_not_indices() -> None:
    with pytest.raises(TypeError):
        [1, 2][torch.tensor(1.0)]
    with pytest.raises(TypeError, match="only integer tensors"):
        [1, 2][nw.tensor(1.0)]


# ---- methods under torch's names --------------------------------------------------------
METHODS: list[tuple[str, Callable, Callable]] = [
    ("neg", lambda a, b: a.neg(), lambda a, b: a.neg()),
    ("negative", lambda a, b: a.negative(), lambda a, b: a.negative()),
    ("abs", lambda a, b: abs(a), lambda a, b: abs(a)),
    ("add", lambda a, b: a.add(b), lambda a, b: a.add(b)),
    ("add alpha", lambda a, b: a.add(b, alpha=2), lambda a, b: a.add(b, alpha=2)),
    ("add number alpha", lambda a, b: a.add(3, alpha=-0.5), lambda a, b: a.add(3, alpha=-0.5)),
    ("sub alpha", lambda a, b: a.sub(other=b, alpha=3), lambda a, b: a.sub(other=b, alpha=3)),
    ("subtract", lambda a, b: a.subtract(b), lambda a, b: a.subtract(b)),
    ("mul", lambda a, b: a.mul(b), lambda a, b: a.mul(b)),
    ("multiply", lambda a, b: a.multiply(2.0), lambda a, b: a.multiply(2.0)),
    ("div", lambda a, b: a.div(b), lambda a, b: a.div(b)),
    ("divide", lambda a, b: a.divide(b), lambda a, b: a.divide(b)),
    ("true_divide", lambda a, b: a.true_divide(b), lambda a, b: a.true_divide(b)),
    ("pow", lambda a, b: a.abs().pow(b), lambda a, b: a.abs().pow(b)),
    ("pow number", lambda a, b: a.pow(exponent=3), lambda a, b: a.pow(exponent=3)),
]


@pytest.mark.parametrize("name, ours, theirs", METHODS, ids=[m[0] for m in METHODS])
def test_methods_match_torch(name: str, ours: Callable, theirs: Callable) -> None:
    helper_test_op([(2, 3), (3,)], ours, theirs, name=name, low=[-2.0, 0.5], away_from=0.0)


def test_matmul_method_matches_torch() -> None:
    helper_test_op([(2, 3), (3, 4)], lambda a, b: a.matmul(b), lambda a, b: a.matmul(b))
    helper_gradcheck([(2, 3), (3,)], lambda a, b: a.matmul(other=b))


def test_div_rounding_modes_are_refused() -> None:
    with pytest.raises(NotImplementedError, match="rounding_mode"):
        nw.tensor([1.0]).div(2.0, rounding_mode="floor")
    assert not hasattr(torch.Tensor, "rsub")  # torch has only the function torch.rsub


@pytest.mark.parametrize("op", [lambda a, b: a + b, lambda a, b: b - a, lambda a, b: a * b,
                                lambda a, b: b / a, lambda a, b: a ** b, lambda a, b: b ** a])
@pytest.mark.parametrize(("x_dtype", "s_dtype"), [("float32", "float64"), ("float64", "float32")])
def test_a_0d_tensor_does_not_promote_a_tensor_with_dimensions(op, x_dtype: str, s_dtype: str) -> None:
    x, s = np.array([1.5, 2.0], x_dtype), np.array(2.0, s_dtype)
    ours = [nw.tensor(x, requires_grad=True), nw.tensor(s, requires_grad=True)]
    theirs = [torch.tensor(x, requires_grad=True), torch.tensor(s, requires_grad=True)]
    got, want = op(*ours), op(*theirs)
    assert str(got.dtype) == str(want.dtype).removeprefix("torch.")
    got.sum().backward()
    want.sum().backward()
    for a, b in zip(ours, theirs):
        assert str(a.grad.dtype) == str(b.grad.dtype).removeprefix("torch.")
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-6)


def test_division_by_zero_is_torchs_without_a_warning() -> None:
    x, z = [1.0, 0.0, -1.0], [0.0, 0.0, 0.0]
    a, b = nw.tensor(x, requires_grad=True), nw.tensor(z, requires_grad=True)
    ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(z, requires_grad=True)
    (a / b).sum().backward()  # pytest turns a NumPy warning into an error
    (ta / tb).sum().backward()
    np.testing.assert_array_equal((a / b).data, (ta / tb).detach().numpy())
    np.testing.assert_array_equal(a.grad, ta.grad.numpy())
    np.testing.assert_array_equal(b.grad, tb.grad.numpy())
