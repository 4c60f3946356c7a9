"""Reductions and the softmax family against torch 2.13 (values, shapes, gradients, errors)
and against finite differences: 0-d tensors, size-0 and size-1 dims, negative and tuple dims,
keepdim, the axis/keepdims aliases, ties, zeros in prod, ±1e4 magnitudes."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnwork as nw
from nnwork import functional as F
from tests.helpers import helper_gradcheck, helper_test_op

ABSENT = object()  # the argument is not passed at all

# name -> (takes keepdim, takes a tuple dim, accepts dim=None)
OPS = {
    "sum": (True, True, True),
    "mean": (True, True, True),
    "prod": (True, False, False),
    "amax": (True, True, True),
    "amin": (True, True, True),
    "max": (True, False, False),
    "min": (True, False, False),
    "argmax": (True, False, True),
    "argmin": (True, False, True),
    "var": (True, True, True),
    "std": (True, True, True),
    "logsumexp": (True, True, False),
    "cumsum": (False, False, False),
    "softmax": (False, False, False),
    "log_softmax": (False, False, False),
}


def _torch_call(fn: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    with warnings.catch_warnings():  # torch warns for var of too few elements; nnwork must not
        warnings.simplefilter("ignore")
        try:
            return fn(), None
        except (TypeError, IndexError, RuntimeError, ValueError) as error:
            return None, error


def _outputs(result: Any) -> list[Any]:
    return list(result) if isinstance(result, tuple) else [result]


def check_against_torch(values: np.ndarray, name: str, args: tuple, kwargs: dict) -> None:
    """nnwork's `name(*args, **kwargs)` gives torch's values, shapes, dtypes and gradients,
    or raises the same class of error."""
    theirs_in = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    ours_in = nw.tensor(values, dtype=np.float64, requires_grad=True)
    expected, error = _torch_call(lambda: getattr(theirs_in, name)(*args, **kwargs))
    label = f"{name}(*{args}, **{kwargs}) on shape {values.shape}"
    if error is not None:
        with pytest.raises(type(error)):
            getattr(ours_in, name)(*args, **kwargs)
        return
    got = getattr(ours_in, name)(*args, **kwargs)
    assert isinstance(got, tuple) == isinstance(expected, tuple), label
    if isinstance(expected, tuple):
        assert (got.values is got[0]) and (got.indices is got[1]), label
    for mine, reference in zip(_outputs(got), _outputs(expected)):
        assert mine.shape == tuple(reference.shape), f"{label}: shape {mine.shape} vs torch {tuple(reference.shape)}"
        want = reference.detach().numpy()
        assert mine.dtype == want.dtype, f"{label}: dtype {mine.dtype} vs torch {want.dtype}"
        np.testing.assert_allclose(mine.data, want, rtol=1e-7, atol=1e-10, err_msg=label)
    mine, reference = _outputs(got)[0], _outputs(expected)[0]
    if not reference.requires_grad:  # argmax, argmin
        assert not mine.requires_grad, label
        return
    if name in ("var", "std") and args and args[0] in ((), []) and values.ndim:
        return  # torch's gradient for dim=() is wrong (see test_var_over_dim_empty_tuple)
    if name in ("var", "std"):
        noise = (mine.data == 0) & (reference.detach().numpy() != 0)
        if noise.any():  # equal values: exactly 0 here, rounding noise in torch (docs/pytorch-differences.md)
            assert np.all(np.abs(reference.detach().numpy()[noise]) < 1e-7), label
            mine.sum().backward()
            assert np.all(np.isfinite(ours_in.grad)), label
            return
    weights = np.random.default_rng(0).uniform(0.5, 1.5, size=mine.shape)
    (mine * nw.tensor(weights)).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (reference * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours_in.grad, theirs_in.grad.numpy(), rtol=1e-7, atol=1e-10,
                               err_msg=f"{label}: gradient")


# ---- a property test: every reduction, random shapes × dims × keepdim -------------------------
@st.composite
def reduction_calls(draw: st.DrawFn) -> tuple[np.ndarray, str, tuple, dict]:
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
    # few distinct values, so that ties and zeros (max, prod, std) come up often
    elements = st.one_of(st.sampled_from([0.0, 1.0, -1.0, 2.0]),
                         st.floats(-3, 3, allow_nan=False, allow_subnormal=False))
    values = draw(hnp.arrays(np.float64, shape, elements=elements))
    name = draw(st.sampled_from(sorted(OPS)))
    takes_keepdim, takes_tuple, accepts_none = OPS[name]
    one = st.integers(-len(shape) - 1, len(shape))
    choices = [st.just(ABSENT), one, one.map(lambda d: ("axis", d))]
    if takes_tuple:
        choices.append(st.lists(one, max_size=3).map(tuple))
    if accepts_none:
        choices.append(st.none())
    dim = draw(st.one_of(*choices))
    args: tuple = ()
    kwargs: dict = {}
    if isinstance(dim, tuple) and len(dim) == 2 and dim[0] == "axis":
        kwargs["axis"] = dim[1]
    elif dim is not ABSENT:
        args = (dim,)
    # keepdim without a dim: torch takes it only where dim=None is allowed too (see
    # docs/pytorch-differences.md for sum and mean)
    keepdim_allowed = takes_keepdim and (dim is not ABSENT or (accepts_none and name not in ("sum", "mean")))
    if keepdim_allowed and draw(st.booleans()):
        kwargs["keepdims" if draw(st.booleans()) else "keepdim"] = draw(st.booleans())
    if name in ("var", "std") and draw(st.booleans()):
        kwargs["correction"] = draw(st.sampled_from([0, 1, 2, 0.5]))
    return values, name, args, kwargs


@settings(max_examples=400, deadline=None)
@given(call=reduction_calls())
def test_every_reduction_matches_torch(call: tuple[np.ndarray, str, tuple, dict]) -> None:
    values, name, args, kwargs = call
    check_against_torch(values, name, args, kwargs)


# ---- regressions: each case of issue 10 ---------------------------------------------------------
SCALAR = np.array(2.5)
EMPTY = np.zeros((3, 0))
TIES = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, 2.0, 2.0, 0.5], [0.0, -4.0, 0.0, -4.0]])


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("keepdim", [None, False, True])
def test_0d_tensors_reduce_over_dim_0_and_minus_1(name: str, dim: int, keepdim: bool | None) -> None:
    if keepdim is not None and not OPS[name][0]:
        pytest.skip(f"{name} takes no keepdim")
    check_against_torch(SCALAR, name, (dim,), {} if keepdim is None else {"keepdim": keepdim})


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "var", "std", "amax", "max", "argmax", "logsumexp"])
@pytest.mark.parametrize("dim", [ABSENT, 0, 1, (0, 1), -1])
def test_empty_tensors_match_torch(name: str, dim: Any) -> None:
    if isinstance(dim, tuple) and not OPS[name][1]:
        pytest.skip(f"{name} takes one dim")
    args = () if dim is ABSENT else (dim,)
    check_against_torch(EMPTY, name, args, {})
    if dim is not ABSENT:
        check_against_torch(EMPTY, name, args, {"keepdim": True})


def test_empty_tensor_values_and_errors_as_torch() -> None:
    e = nw.tensor(EMPTY, dtype=np.float64)
    assert e.amax(0).shape == (0,)
    assert np.isnan(e.mean().item()) and np.all(np.isnan(e.mean(1).data))
    np.testing.assert_array_equal(e.logsumexp(1).data, [-np.inf] * 3)
    np.testing.assert_array_equal(e.prod(1).data, [1.0] * 3)
    assert e.max(0).values.shape == (0,) and e.max(0).indices.shape == (0,)
    with pytest.raises(IndexError, match=r"dim 1 of size 0.*\(3, 0\)"):
        e.max(1)
    with pytest.raises(IndexError, match=r"dim 1 of size 0"):
        e.amax((0, 1))
    with pytest.raises(RuntimeError, match=r"shape \(3, 0\) is empty"):
        e.max()
    with pytest.raises(IndexError, match=r"shape \(3, 0\) is empty"):
        e.argmax()


def test_max_and_min_along_a_dim_return_values_and_indices() -> None:
    x = nw.tensor(TIES, dtype=np.float64)
    result = x.max(1)
    assert type(result).__name__ == "ValuesIndices" and result._fields == ("values", "indices")
    values, indices = result
    np.testing.assert_array_equal(result[0].data, [3.0, 2.0, 0.0])  # [0] is the values, as in torch
    np.testing.assert_array_equal(indices.data, [1, 0, 0])  # the first of ties, as in torch
    assert indices.dtype == np.int64 and not indices.requires_grad
    np.testing.assert_array_equal(x[np.arange(3), indices].data, values.data)  # indices index
    np.testing.assert_array_equal(nw.min(x, 1, keepdim=True).indices.data, [[3], [3], [1]])
    np.testing.assert_array_equal(x.argmax(1).data, [1, 0, 0])
    assert x.argmax().item() == 1 and x.argmin(keepdim=True).shape == (1, 1)


@pytest.mark.parametrize("call", [
    lambda x: x.max(1).values, lambda x: x.max(0, keepdim=True).values, lambda x: x.min(-1).values,
    lambda x: x.max(), lambda x: x.min(), lambda x: x.amax(1), lambda x: x.amin((0, 1)), lambda x: x.amax(),
], ids=["max(1)", "max(0, keepdim)", "min(-1)", "max()", "min()", "amax(1)", "amin((0,1))", "amax()"])
def test_ties_get_the_gradient_as_in_torch(call: Callable) -> None:
    """max(dim)/min(dim): all of it to the first maximal element; max()/min()/amax/amin:
    split evenly between the ties."""
    helper_test_op([TIES], call, call)
    helper_test_op([TIES], lambda x: nw.max(x, 0).values, lambda x: torch.max(x, 0).values)
    helper_test_op([TIES], lambda x: nw.amin(x, -2, True), lambda x: torch.amin(x, -2, True))


@pytest.mark.parametrize("values", [[2.0, 3.0, 4.0], [2.0, 0.0, 4.0], [0.0, 0.0, 4.0], [0.0, 3.0, 0.0, 0.0],
                                    [[0.0, 2.0, 0.0], [1.0, 0.0, 3.0], [1.0, 2.0, 3.0]]])
@pytest.mark.parametrize("dim", [ABSENT, 0, -1])
def test_prod_gradient_with_zeros(values: list, dim: Any) -> None:
    args = () if dim is ABSENT else (dim,)
    helper_test_op([np.array(values)], lambda x: x.prod(*args), lambda x: x.prod(*args))
    helper_gradcheck([np.array(values)], lambda x: x.prod(*args))


@pytest.mark.parametrize("kwargs", [{}, {"correction": 0}, {"correction": 2}, {"correction": 0.5},
                                    {"unbiased": False}, {"unbiased": True}, {"keepdim": True}])
@pytest.mark.parametrize("dim", [ABSENT, None, 0, 1, -1, (0, 1), (-1,)])
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_and_std_match_torch(name: str, dim: Any, kwargs: dict) -> None:
    if "unbiased" in kwargs and isinstance(dim, tuple):
        pytest.skip("torch takes `unbiased` with an int dim or none")
    args = () if dim is ABSENT else (dim,)
    check_against_torch(np.random.default_rng(3).uniform(-2, 2, (3, 4)), name, args, kwargs)


def test_var_positional_unbiased_and_too_few_elements_without_warnings() -> None:
    x = np.array([[3.0, 4.0, 7.0]])
    check_against_torch(x, "var", (1, False), {})
    check_against_torch(x, "std", (1, True, True), {})
    check_against_torch(x, "var", (False,), {})
    for correction in (2, 3, 5):  # N − correction ≤ 0: inf or nan, as torch, and no warning
        check_against_torch(x, "var", (1,), {"correction": correction})
        check_against_torch(x[:, :2], "std", (1,), {"correction": correction})
    check_against_torch(np.array([[3.0, 3.0]]), "std", (1,), {})  # std 0: gradient 0, as torch
    with pytest.raises(TypeError, match="both `unbiased` and `correction`"):
        nw.tensor(x).var(1, True, correction=1)


@pytest.mark.parametrize("centre", [1e4, -1e4])
def test_large_magnitudes(centre: float) -> None:
    x = centre + np.array([[0.0, 1.0, -2.0, 0.5], [3.0, -1.0, 0.0, 0.25]])
    helper_test_op([x], lambda t: t.logsumexp((0, 1)), lambda t: t.logsumexp((0, 1)), atol=1e-8)
    helper_test_op([x], lambda t: t.softmax(1), lambda t: t.softmax(1))
    helper_test_op([x], lambda t: t.log_softmax(0), lambda t: t.log_softmax(0))
    helper_test_op([x], lambda t: t.var(1), lambda t: t.var(1), rtol=1e-6)
    helper_test_op([x], lambda t: t.std((0, 1)), lambda t: t.std((0, 1)), rtol=1e-6)
    helper_test_op([x * 1e4], lambda t: t.var(), lambda t: t.var(), rtol=1e-6)


def test_softmax_family_of_infinities_as_torch() -> None:
    for values in ([-np.inf, -np.inf], [-np.inf, 1.0], [np.inf, 1.0]):
        for name in ("softmax", "log_softmax", "logsumexp"):
            check_against_torch(np.array(values), name, (0,), {})


def test_cumsum_gradient_is_the_reversed_cumsum() -> None:
    x = nw.tensor([1.0, 2.0, 3.0], requires_grad=True, dtype=np.float64)
    (x.cumsum(0) * nw.tensor([1.0, 10.0, 100.0], dtype=np.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad, [111.0, 110.0, 100.0])


# ---- finite differences for each new op -----------------------------------------------------
FD_CASES = {
    "min(1)": lambda x: x.min(1).values,
    "max(-1, keepdim)": lambda x: x.max(-1, keepdim=True).values,
    "amax((0, 2))": lambda x: x.amax((0, 2)),
    "amin(-1, keepdim)": lambda x: x.amin(-1, keepdim=True),
    "prod(1)": lambda x: x.prod(1),
    "prod()": lambda x: x.prod(),
    "var((0, 2))": lambda x: x.var((0, 2)),
    "var(1, correction=0)": lambda x: x.var(1, correction=0),
    "std(-1, keepdim)": lambda x: x.std(-1, keepdim=True),
    "std()": lambda x: x.std(),
    "cumsum(1)": lambda x: x.cumsum(1),
    "cumsum(-1)": lambda x: nw.cumsum(x, -1),
    "logsumexp((0, 2))": lambda x: x.logsumexp((0, 2)),
    "mean((0, -1))": lambda x: x.mean((0, -1)),
    "softmax(1)": lambda x: x.softmax(1),
}


@pytest.mark.parametrize("shape", [(2, 3, 4), (1, 3, 2)], ids=str)
@pytest.mark.parametrize("fn", list(FD_CASES.values()), ids=list(FD_CASES))
def test_new_ops_against_finite_differences(fn: Callable, shape: tuple) -> None:
    helper_gradcheck([shape], fn, low=0.5, high=2.0)  # positive and distinct: no kinks or ties


@pytest.mark.parametrize("fn", [lambda x: x.sum(0), lambda x: x.mean(-1), lambda x: x.max(0).values,
                                lambda x: x.softmax(0), lambda x: x.log_softmax(-1), lambda x: x.logsumexp(0),
                                lambda x: x.prod(0), lambda x: x.cumsum(0), lambda x: x.amax(-1, True)])
def test_0d_gradients_against_finite_differences(fn: Callable) -> None:
    helper_gradcheck([()], fn, low=0.5, high=2.0)


# ---- arguments: torch's names, aliases and errors -------------------------------------------
X = np.arange(24.0).reshape(2, 3, 4) / 7


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp", "var", "std", "prod", "argmax",
                                  "max", "min"])
def test_axis_and_keepdims_are_aliases_as_in_torch(name: str) -> None:
    check_against_torch(X, name, (), {"axis": 1})
    check_against_torch(X, name, (), {"axis": -1, "keepdims": True})
    check_against_torch(X, name, (1,), {"keepdims": True})
    t = nw.tensor(X)
    with pytest.raises(TypeError, match="both `dim` and its alias `axis`"):
        getattr(t, name)(1, axis=1)
    with pytest.raises(TypeError, match="both `keepdim` and its alias `keepdims`"):
        getattr(t, name)(1, keepdim=True, keepdims=True)


@pytest.mark.parametrize("name", ["cumsum", "softmax", "log_softmax"])
def test_single_dim_ops_need_dim_and_take_axis(name: str) -> None:
    check_against_torch(X, name, (), {"axis": 1})
    with pytest.raises(TypeError, match=f"{name}\\(\\) needs `dim`"):
        getattr(nw.tensor(X), name)()
    with pytest.raises(TypeError, match="must be an int"):
        getattr(nw.tensor(X), name)((0, 1))


def test_functional_and_top_level_names_follow_torch() -> None:
    t = torch.tensor(X)
    pairs = [
        (nw.sum(X, (0, 2)), torch.sum(t, (0, 2))), (nw.mean(X, 1, True), torch.mean(t, 1, True)),
        (nw.prod(X, -1), torch.prod(t, -1)), (nw.var(X, 1, correction=0), torch.var(t, 1, correction=0)),
        (nw.std(X), torch.std(t)), (nw.amax(X, (1, 2)), torch.amax(t, (1, 2))), (nw.amin(X), torch.amin(t)),
        (nw.max(X), torch.max(t)), (nw.min(X, 2).values, torch.min(t, 2).values),
        (nw.argmax(X, 1), torch.argmax(t, 1)), (nw.argmin(X), torch.argmin(t)), (nw.cumsum(X, 1), torch.cumsum(t, 1)),
        (nw.logsumexp(X, (0, 1)), torch.logsumexp(t, (0, 1))), (F.logsumexp(X, 2, keepdim=True), torch.logsumexp(t, 2, True)),
        (F.softmax(nw.tensor(X), dim=1), torch.softmax(t, 1)), (nw.log_softmax(nw.tensor(X), 0), torch.log_softmax(t, 0)),
    ]
    for ours, theirs in pairs:
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)
    with pytest.raises(TypeError, match="needs `dim`"):
        F.softmax(nw.tensor(X))
    with pytest.raises(TypeError, match="logsumexp\\(\\) needs `dim`"):
        nw.logsumexp(X)


@pytest.mark.parametrize("call, error, match", [
    (lambda t: t.sum(3), IndexError, r"sum\(\): dim 3 is out of range for a tensor of shape \(2, 3, 4\)"),
    (lambda t: t.sum(axis=-4), IndexError, r"dim -4 is out of range.*\[-3, 2\]"),
    (lambda t: t.mean((0, 0)), RuntimeError, r"dim 0 appears more than once"),
    (lambda t: t.mean(axis=(0, -3)), RuntimeError, r"dim 0 appears more than once"),
    (lambda t: t.amax(5), IndexError, r"amax\(\): dim 5"),
    (lambda t: t.max((0, 1)), TypeError, r"max\(\): `dim` must be an int"),
    (lambda t: t.max(keepdim=True), TypeError, r"needs `dim`"),
    (lambda t: t.prod((0, 1)), TypeError, r"prod\(\): `dim` must be an int"),
    (lambda t: t.sum(1.0), TypeError, r"`dim` must be an int or a tuple of ints, got float"),
    (lambda t: t.sum(True), TypeError, r"got bool"),
    (lambda t: t.sum(1, keepdim=1), TypeError, r"`keepdim` must be a bool"),
    (lambda t: t.logsumexp(3), IndexError, r"logsumexp\(\): dim 3"),
    (lambda t: t.logsumexp(()), RuntimeError, r"dim=\(\) names no dim"),
    (lambda t: t.softmax(3), IndexError, r"softmax\(\): dim 3"),
    (lambda t: t.log_softmax(axis=-4), IndexError, r"log_softmax\(\): dim -4"),
    (lambda t: t.var(1, 0), TypeError, r"`unbiased` must be a bool"),
    (lambda t: t.var(1, correction="1"), TypeError, r"`correction` must be a number"),
    (lambda t: t.argmax((0, 1)), TypeError, r"argmax\(\): `dim` must be an int"),
    (lambda t: t.cumsum(3), IndexError, r"cumsum\(\): dim 3"),
])
def test_bad_arguments_raise_torchs_error_class(call: Callable, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call(nw.tensor(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error):  # the same class as torch
            call(torch.tensor(X))


def test_var_over_dim_empty_tuple_has_the_gradient_of_its_value() -> None:
    """var(dim=()) is the variance over every dim in torch too, but torch 2.13's backward
    takes N = 1 for it; nnwork gives the derivative, the same as for dim=None."""
    x = np.array([[1.0, 2.0, 4.0]])
    for name in ("var", "std"):
        check_against_torch(x, name, (None,), {})
        ours = nw.tensor(x, requires_grad=True, dtype=np.float64)
        getattr(ours, name)(()).backward()
        reference = torch.tensor(x, requires_grad=True)
        getattr(reference, name)().backward()
        np.testing.assert_allclose(ours.grad, reference.grad.numpy(), rtol=1e-12)
    helper_gradcheck([x], lambda t: t.var(()))
