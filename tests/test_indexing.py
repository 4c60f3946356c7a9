"""Indexing, gather and masked_fill against torch 2.13: values, gradients and errors."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import nnwork as nw
from helpers import helper_gradcheck, helper_test_op

pytestmark = pytest.mark.filterwarnings("error")


class _Index:
    def __getitem__(self, index: Any) -> Any:
        return index


I = _Index()  # I[1, :, [0, 2]] is the index tuple (1, slice(None), [0, 2])


def _torch_index(index: Any) -> Any:
    """The same index for torch: nnwork tensors become torch tensors of their kind."""
    if isinstance(index, tuple):
        return tuple(_torch_index(p) for p in index)
    if isinstance(index, (nw.Tensor, np.ndarray)):  # (torch mishandles NumPy masks next to `...`)
        data = np.asarray(index.data if isinstance(index, nw.Tensor) else index)
        return torch.tensor(data if data.dtype == np.bool_ else data.astype(np.int64))
    return index


def _compare(shape: tuple[int, ...], index: Any, seed: int = 0) -> None:
    values = np.random.default_rng(seed).normal(size=shape)
    helper_test_op([values], lambda x: x[index], lambda x: x[_torch_index(index)], name=f"x[{index!r}]")


# ---- the bugs of issue 10, one regression test each ---------------------------------------
@pytest.mark.parametrize(
    "index",
    [I[:, (1, 1)], I[(0, 0), :], I[((2, 2, 2),)], I[(0, 0)], I[:, ((1, 2), (0, 0))], I[[0, 0, 2]]],
    ids=["tuple in second place", "tuple in first place", "nested tuple", "bare tuple", "2-d tuple", "list"],
)
def test_repeated_indices_in_tuples_add_their_gradients(index: Any) -> None:
    _compare((3, 5, 4), index)


def test_tuple_repeats_count_twice() -> None:
    x = nw.tensor(np.ones((2, 3)), requires_grad=True)
    x[:, (1, 1)].sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 2, 0], [0, 2, 0]])


@pytest.mark.parametrize(
    "mask",
    [nw.tensor([True, False, True]), nw.tensor(np.array([True, False, True])), np.array([True, False, True]),
     [True, False, True], nw.tensor([1.0, 0.0, 2.0]) > 0.5],
    ids=["nw.tensor of bools", "nw.tensor of a bool array", "bool array", "bool list", "comparison"],
)
def test_boolean_masks_select_like_torch(mask: Any) -> None:
    _compare((3, 4), mask)
    _compare((3, 4), I[mask, 1:])


def test_a_tensor_of_bools_is_a_constant_mask() -> None:
    mask = nw.tensor([True, False])
    assert mask.dtype == np.bool_ and not mask.requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        nw.tensor([True], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        mask.requires_grad_()


@pytest.mark.parametrize(
    "mask", [nw.tensor([True, False]), np.array([True, False]), [True, False], np.ones((3, 2), dtype=bool)],
    ids=["nw bool tensor", "bool array", "bool list", "2-d mask"],
)
def test_masks_of_the_wrong_shape_raise(mask: Any) -> None:
    x = nw.tensor(np.ones((3, 4)))
    with pytest.raises(IndexError):
        torch.ones(3, 4)[_torch_index(mask)]
    with pytest.raises(IndexError, match=r"mask \[.*\] does not match"):
        x[mask]


def test_float_indices() -> None:
    x = nw.tensor(np.arange(12.0).reshape(3, 4))
    np.testing.assert_array_equal(x[nw.tensor([2, 0])].data, x.data[[2, 0]])  # integer-valued: accepted
    with pytest.raises(IndexError, match="integers or booleans"):
        x[nw.tensor([0.5])]
    with pytest.raises(IndexError, match="integers or booleans"):
        x[np.array([1.0])]  # as torch refuses float index tensors
    with pytest.raises(IndexError, match="valid indices"):
        x[1.0]
    with pytest.raises(IndexError, match="ambiguous"):
        x[[0, slice(None)]]  # torch reads this list as a tuple, NumPy refuses it


@pytest.mark.parametrize(
    "index",
    [I[1, :, [0, 2]], I[..., 1, :, [0, 2]], I[1, ..., [0, 2]], I[None, 1, :, [0, 2]], I[1, None, [0, 2]],
     I[1, :, [[0, 2], [1, 1]]], I[1, :, [True, False, True, False]], I[:, [0, 1], ..., [0, 1]],
     I[:, [0, 1], None, [0, 1]], I[True, 1, :, [0, 1]], I[:, True, [0, 2]], I[[0, 2], 1, [0, 1]],
     I[nw.tensor(1.0), :, [0, 2]], I[np.array(1), :, [3, 3]]],
    ids=str,
)
def test_integers_apply_before_index_arrays(index: Any) -> None:
    _compare((3, 5, 4), index)


def test_mixed_index_has_torchs_shape() -> None:
    assert nw.tensor(np.zeros((3, 5, 4)))[1, :, [0, 2]].shape == (5, 2)  # NumPy would give (2, 5)


# ---- random index expressions against torch -----------------------------------------------
@st.composite
def _int_array(draw: Any, size: int) -> Any:
    shape = draw(st.lists(st.integers(0, 3), min_size=0, max_size=2))
    values = draw(st.lists(st.integers(-size - 1, size), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    array = np.array(values, dtype=np.int64).reshape(shape)
    form = draw(st.sampled_from(["array", "list", "tuple", "tensor"]))
    if form == "list" and array.ndim:
        return array.tolist()
    if form == "tuple" and array.ndim == 1:
        return tuple(array.tolist())
    return nw.tensor(array) if form == "tensor" else array


@st.composite
def _mask(draw: Any, shape: tuple[int, ...]) -> Any:
    if draw(st.integers(0, 9)) == 0 and shape:  # now and then the wrong shape
        shape = (shape[0] + 1,) + shape[1:]
    mask = np.array(draw(st.lists(st.booleans(), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))),
                    dtype=bool).reshape(shape)
    form = draw(st.sampled_from(["array", "tensor", "list"]))
    if form == "list" and mask.ndim:
        return mask.tolist()
    return nw.tensor(mask) if form == "tensor" else mask


@st.composite
def _indexing_case(draw: Any) -> tuple[tuple[int, ...], Any]:
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=4)))
    parts: list[Any] = []
    dim = 0
    ellipsis_used = False
    for _ in range(draw(st.integers(0, 4))):
        size = shape[dim] if dim < len(shape) else 2
        kind = draw(st.sampled_from(["int", "slice", "slice", "None", "...", "ints", "ints", "mask", "bool"]))
        if kind == "int":
            parts.append(draw(st.integers(-size - 1, size)))
        elif kind == "slice":
            bound = st.none() | st.integers(-6, 6)
            parts.append(slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2, 3, -1, -2]))))
        elif kind == "None":
            parts.append(None)
            continue
        elif kind == "..." and not ellipsis_used:
            parts.append(Ellipsis)
            ellipsis_used = True
            continue
        elif kind == "ints":
            parts.append(draw(_int_array(size)))
        elif kind == "mask":
            k = draw(st.integers(1, 2))
            parts.append(draw(_mask(tuple(shape[dim : dim + k]) or (size,))))
            dim += k - 1
        else:
            parts.append(draw(st.booleans()))
            continue
        dim += 1
    if len(parts) == 1 and not isinstance(parts[0], list) and draw(st.booleans()):
        return shape, parts[0]
    return shape, tuple(parts)


def _flip_negative_steps(x: torch.Tensor, index: tuple[Any, ...]) -> tuple[torch.Tensor, tuple[Any, ...]]:
    """torch has no negative steps: pick those elements with index_select first."""
    used = sum(0 if p is None or p is Ellipsis or isinstance(p, bool) else np.asarray(
        p.data if isinstance(p, nw.Tensor) else p).ndim if np.asarray(
        p.data if isinstance(p, nw.Tensor) else p).dtype == bool else 1 for p in index)
    parts, dim = [], 0
    for p in index:
        if isinstance(p, slice) and p.step is not None and p.step < 0 and dim < x.ndim:
            picks = list(range(x.shape[dim]))[p]
            x = x.index_select(dim, torch.tensor(picks, dtype=torch.long))
            p = slice(None)
        parts.append(p)
        if p is Ellipsis:
            dim += x.ndim - used
        elif not (p is None or isinstance(p, bool)):
            arr = np.asarray(p.data if isinstance(p, nw.Tensor) else p) if not isinstance(p, slice) else None
            dim += arr.ndim if arr is not None and arr.dtype == bool else 1
    return x, tuple(parts)


@settings(max_examples=400, deadline=None)
@given(case=_indexing_case(), seed=st.integers(0, 2**16))
def test_random_index_expressions_match_torch(case: tuple[tuple[int, ...], Any], seed: int) -> None:
    shape, index = case
    values = np.random.default_rng(seed).normal(size=shape)
    x = nw.tensor(values, requires_grad=True)
    t = torch.tensor(values, requires_grad=True)
    parts = index if isinstance(index, tuple) else (index,)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            source, torch_parts = _flip_negative_steps(t, parts)
            expected = source[_torch_index(torch_parts if isinstance(index, tuple) else torch_parts[0])]
    except Exception as error:  # noqa: BLE001 (any torch error: ours must be an IndexError or the same)
        with pytest.raises((IndexError, type(error))):
            x[index]
        return
    if expected.numel() == 0:  # torch skips the bounds check when nothing is picked; we do not
        try:
            out = x[index]
        except IndexError as error:
            assert "out of bounds" in str(error) or "too many indices" in str(error)
            return
    out = x[index]
    assert out.shape == tuple(expected.shape), f"x{shape}[{index!r}]: {out.shape} vs torch {tuple(expected.shape)}"
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    weights = np.random.default_rng(seed + 1).normal(size=out.shape)
    (out * nw.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_negative_steps_follow_numpy() -> None:
    x = nw.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    out = x[::-1, 3:0:-2]
    np.testing.assert_array_equal(out.data, x.data[::-1, 3:0:-2])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.isin(np.arange(4), [3, 1])[None].repeat(3, 0))
    helper_gradcheck([(3, 4)], lambda x: x[::-1, [0, 0, 2]] * x[:, ::-2].sum())


def test_indexing_in_a_captured_step_with_index_arrays_is_refused() -> None:
    from nnwork.capture import _holds_array
    from nnwork.tensor_operators import plain_index

    assert _holds_array(plain_index(I[:, (1, 1)]))
    assert _holds_array(plain_index(nw.tensor([True, False])))
    assert not _holds_array(plain_index(I[1, 2:, None, ...]))


# ---- gather and masked_fill -------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, dim, index",
    [((3, 4), 1, [[0, 0], [1, 3]]), ((3, 4), 0, [[0, 2, 1, 0]]), ((3, 4), 1, np.zeros((3, 5), int)),
     ((3, 4), -1, [[0], [1], [2]]), ((3, 4), 0, np.zeros((0, 4), int)), ((2, 3, 4), -2, np.ones((2, 2, 1), int)),
     ((), 0, 0), ((), 0, [0, 0]), ((5,), 0, 3), ((1, 1), 0, [[0]])],
    ids=str,
)
def test_gather_matches_torch(shape: tuple[int, ...], dim: int, index: Any) -> None:
    array = np.array(index)
    helper_test_op([shape], lambda x: x.gather(dim, array), lambda x: x.gather(dim, torch.tensor(array)))
    helper_test_op([shape], lambda x: nw.gather(x, dim, nw.tensor(array)),
                   lambda x: torch.gather(x, dim, torch.tensor(array)))
    helper_gradcheck([shape], lambda x: x.gather(dim, array))


@pytest.mark.parametrize(
    "dim, index, error, match",
    [(0, [[5]], RuntimeError, "out of bounds"), (0, [[-1]], RuntimeError, "out of bounds"),
     (0, [0], RuntimeError, "same number of dimensions"), (2, [[0]], IndexError, "Dimension out of range"),
     (0, [[0, 0, 0, 0, 0]], RuntimeError, "dimension 1"), (0, np.array([[0.0]]), RuntimeError, "integer")],
    ids=str,
)
def test_gather_errors_like_torch(dim: int, index: Any, error: type, match: str) -> None:
    array = np.array(index)
    with pytest.raises(error):
        torch.ones(3, 4).gather(dim, torch.tensor(array))
    with pytest.raises(error, match=match):
        nw.tensor(np.ones((3, 4))).gather(dim, array)


@pytest.mark.parametrize(
    "shape, mask",
    [((3, 4), [True, False, False, True]), ((3, 4), [[True], [False], [True]]), ((4,), np.ones((3, 4), bool)),
     ((), True), ((0, 4), [True, False, True, False]), ((2, 3), np.array([[True, False, True], [False] * 3]))],
    ids=str,
)
@pytest.mark.parametrize("value", [0.0, -1e4, "tensor"])
def test_masked_fill_matches_torch(shape: tuple[int, ...], mask: Any, value: Any) -> None:
    bools = np.array(mask, dtype=bool)
    if value == "tensor":  # a 0-d tensor value gets the gradient of every filled element
        helper_test_op([shape, ()], lambda x, v: x.masked_fill(nw.tensor(bools), v),
                       lambda x, v: x.masked_fill(torch.tensor(bools), v))
        helper_gradcheck([shape, ()], lambda x, v: nw.masked_fill(x, bools, v))
        return
    helper_test_op([shape], lambda x: x.masked_fill(bools, value), lambda x: x.masked_fill(torch.tensor(bools), value))


def test_masked_fill_errors_like_torch() -> None:
    x, t = nw.tensor(np.ones((3, 4))), torch.ones(3, 4)
    for mask, value, match in [(np.ones(4), 0.0, "boolean"), (np.ones(2, bool), 0.0, "broadcast"),
                               (np.ones(4, bool), nw.tensor([1.0, 2.0]), "0-dimensional")]:
        with pytest.raises(RuntimeError):
            t.masked_fill(torch.tensor(mask), torch.tensor(value.data) if isinstance(value, nw.Tensor) else value)
        with pytest.raises(RuntimeError, match=match):
            x.masked_fill(mask, value)
