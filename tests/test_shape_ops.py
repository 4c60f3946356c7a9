"""Shape ops under PyTorch's names (transpose, permute, T/mT/t, flatten, squeeze, unsqueeze,
view, expand, repeat, flip, movedim, split/chunk, cat/stack, dot/outer/mm/mv, size/dim):
values and gradients against torch 2.13 in float64 and against finite differences, the
errors where torch raises, and a property test over random shapes and dims."""

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
from helpers import helper_gradcheck, helper_test_op

pytestmark = pytest.mark.filterwarnings("error")


def _cat_pieces(pieces: Any) -> Any:
    """Pieces flattened and weighted by their position, so each piece's gradient is checked."""
    lib = nw if isinstance(pieces[0], nw.Tensor) else torch
    return lib.cat([p.flatten() * (i + 1) for i, p in enumerate(pieces)])


# (name, input shapes, nnwork function, torch function)
CASES: list[tuple[str, list[Any], Callable, Callable]] = [
    # transpose(dim0, dim1) swaps two dims, as in torch (0-d and 1-D take dims 0 and -1)
    ("transpose_0d", [()], lambda x: x.transpose(0, -1), lambda x: x.transpose(0, -1)),
    ("transpose_1d", [(3,)], lambda x: x.transpose(0, 0), lambda x: x.transpose(0, 0)),
    ("transpose_2d", [(3, 4)], lambda x: x.transpose(0, 1), lambda x: x.transpose(0, 1)),
    ("transpose_2d_same", [(3, 4)], lambda x: x.transpose(1, 1), lambda x: x.transpose(1, 1)),
    ("transpose_3d_12", [(2, 3, 4)], lambda x: x.transpose(1, 2), lambda x: x.transpose(1, 2)),
    ("transpose_3d_neg", [(2, 3, 4)], lambda x: x.transpose(-1, -3), lambda x: x.transpose(-1, -3)),
    ("transpose_kw", [(2, 3, 4)], lambda x: x.transpose(dim0=2, dim1=0), lambda x: x.transpose(dim0=2, dim1=0)),
    ("transpose_size0", [(2, 0, 3)], lambda x: x.transpose(0, 2), lambda x: x.transpose(0, 2)),
    ("nw.transpose", [(2, 3, 4)], lambda x: nw.transpose(x, 0, 1), lambda x: torch.transpose(x, 0, 1)),
    # permute: NumPy's transpose
    ("permute", [(2, 3, 4)], lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1)),
    ("permute_list", [(2, 3, 4)], lambda x: x.permute([1, -1, 0]), lambda x: x.permute([1, -1, 0])),
    ("permute_0d", [()], lambda x: x.permute(()), lambda x: x.permute(())),
    ("nw.permute", [(2, 1, 4)], lambda x: nw.permute(x, (2, 1, 0)), lambda x: torch.permute(x, (2, 1, 0))),
    ("T_2d", [(3, 4)], lambda x: x.T, lambda x: x.T),
    ("mT_2d", [(3, 4)], lambda x: x.mT, lambda x: x.mT),
    ("mT_4d", [(2, 1, 3, 4)], lambda x: x.mT, lambda x: x.mT),
    ("t_0d", [()], lambda x: x.t(), lambda x: x.t()),
    ("t_1d", [(3,)], lambda x: x.t(), lambda x: x.t()),
    ("t_2d", [(3, 4)], lambda x: x.t(), lambda x: x.t()),
    ("nw.t", [(3, 4)], nw.t, torch.t),
    ("movedim", [(2, 3, 4)], lambda x: x.movedim(0, -1), lambda x: x.movedim(0, -1)),
    ("movedim_tuple", [(2, 3, 4, 5)], lambda x: x.movedim((0, 3), (2, 0)), lambda x: x.movedim((0, 3), (2, 0))),
    ("nw.moveaxis", [(2, 3, 4)], lambda x: nw.moveaxis(x, [1], [0]), lambda x: torch.moveaxis(x, [1], [0])),
    # flatten, squeeze, unsqueeze, reshape and view
    ("flatten", [(2, 3, 4)], lambda x: x.flatten(), lambda x: x.flatten()),
    ("flatten_0d", [()], lambda x: x.flatten(), lambda x: x.flatten()),
    ("flatten_0d_dims", [()], lambda x: x.flatten(-1, 0), lambda x: x.flatten(-1, 0)),
    ("flatten_start", [(2, 3, 4)], lambda x: x.flatten(1), lambda x: x.flatten(1)),
    ("flatten_same", [(2, 3, 4)], lambda x: x.flatten(1, 1), lambda x: x.flatten(1, 1)),
    ("flatten_negative", [(2, 3, 4, 5)], lambda x: x.flatten(-3, -2), lambda x: x.flatten(-3, -2)),
    ("flatten_kw", [(2, 3, 4)], lambda x: x.flatten(start_dim=0, end_dim=1),
     lambda x: x.flatten(start_dim=0, end_dim=1)),
    ("flatten_size0", [(2, 0, 3)], lambda x: x.flatten(1), lambda x: x.flatten(1)),
    ("nw.flatten", [(2, 3, 4)], lambda x: nw.flatten(x, 1), lambda x: torch.flatten(x, 1)),
    ("squeeze_all", [(1, 3, 1, 2)], lambda x: x.squeeze(), lambda x: x.squeeze()),
    ("squeeze_dim", [(1, 3, 1)], lambda x: x.squeeze(-1), lambda x: x.squeeze(-1)),
    ("squeeze_not_1", [(1, 3, 1)], lambda x: x.squeeze(1), lambda x: x.squeeze(1)),
    ("squeeze_tuple", [(1, 3, 1)], lambda x: x.squeeze((0, 1, 2)), lambda x: x.squeeze((0, 1, 2))),
    ("squeeze_empty_tuple", [(1, 3, 1)], lambda x: x.squeeze(()), lambda x: x.squeeze(())),
    ("squeeze_0d", [()], lambda x: x.squeeze(0), lambda x: x.squeeze(0)),
    ("squeeze_size0", [(1, 0, 1)], lambda x: x.squeeze(), lambda x: x.squeeze()),
    ("nw.squeeze", [(1, 3, 1)], lambda x: nw.squeeze(x, 0), lambda x: torch.squeeze(x, 0)),
    ("unsqueeze_0d", [()], lambda x: x.unsqueeze(-1), lambda x: x.unsqueeze(-1)),
    ("unsqueeze_end", [(2, 3)], lambda x: x.unsqueeze(2), lambda x: x.unsqueeze(2)),
    ("unsqueeze_negative", [(2, 3)], lambda x: x.unsqueeze(-3), lambda x: x.unsqueeze(-3)),
    ("nw.unsqueeze", [(2, 3)], lambda x: nw.unsqueeze(x, 1), lambda x: torch.unsqueeze(x, 1)),
    ("reshape_ints", [(2, 3, 4)], lambda x: x.reshape(4, -1), lambda x: x.reshape(4, -1)),
    ("reshape_list", [(2, 3, 4)], lambda x: x.reshape([-1, 2, 3]), lambda x: x.reshape([-1, 2, 3])),
    ("reshape_0d_to_1", [()], lambda x: x.reshape(-1), lambda x: x.reshape(-1)),
    ("reshape_size0_infer", [(2, 0, 3)], lambda x: x.reshape(3, -1), lambda x: x.reshape(3, -1)),
    ("reshape_numpy_int", [(2, 3)], lambda x: x.reshape(np.int64(3), 2), lambda x: x.reshape(3, 2)),
    ("view", [(2, 3, 4)], lambda x: x.view(6, 4), lambda x: x.view(6, 4)),
    ("view_tuple", [(2, 3, 4)], lambda x: x.view((-1,)), lambda x: x.view((-1,))),
    ("view_as", [(2, 3), (3, 2)], lambda x, y: x.view_as(y) * y, lambda x, y: x.view_as(y) * y),
    ("reshape_as", [(2, 3), (6, 1)], lambda x, y: x.reshape_as(y) + y, lambda x, y: x.reshape_as(y) + y),
    # expand (gradient: a sum over the copies) and repeat
    ("expand", [(3,)], lambda x: x.expand(2, 3), lambda x: x.expand(2, 3)),
    ("expand_keep", [(1, 3, 1)], lambda x: x.expand(2, -1, 4), lambda x: x.expand(2, -1, 4)),
    ("expand_tuple", [(1, 3, 1)], lambda x: x.expand((4, 2, 3, 5)), lambda x: x.expand((4, 2, 3, 5))),
    ("expand_0d", [()], lambda x: x.expand(2, 3), lambda x: x.expand(2, 3)),
    ("expand_same", [(2, 3)], lambda x: x.expand(2, 3), lambda x: x.expand(2, 3)),
    ("expand_to_0", [(1, 3)], lambda x: x.expand(0, 3), lambda x: x.expand(0, 3)),
    ("expand_new_0", [(3,)], lambda x: x.expand(0, 3), lambda x: x.expand(0, 3)),
    ("expand_as", [(3, 1), (2, 3, 4)], lambda x, y: x.expand_as(y) * y, lambda x, y: x.expand_as(y) * y),
    ("repeat", [(2, 3)], lambda x: x.repeat(2, 3), lambda x: x.repeat(2, 3)),
    ("repeat_new_dims", [(2, 3)], lambda x: x.repeat((3, 1, 2)), lambda x: x.repeat((3, 1, 2))),
    ("repeat_0d", [()], lambda x: x.repeat(4), lambda x: x.repeat(4)),
    ("repeat_zero", [(2, 3)], lambda x: x.repeat(0, 2), lambda x: x.repeat(0, 2)),
    ("flip", [(2, 3, 4)], lambda x: x.flip(0, 2), lambda x: x.flip(0, 2)),
    ("flip_tuple_negative", [(2, 3, 4)], lambda x: x.flip((-1,)), lambda x: x.flip((-1,))),
    ("flip_0d", [()], lambda x: x.flip(0), lambda x: x.flip(0)),
    ("nw.flip", [(2, 3)], lambda x: nw.flip(x, (0, 1)), lambda x: torch.flip(x, (0, 1))),
    # split and chunk
    ("split_size", [(2, 5)], lambda x: _cat_pieces(x.split(2, 1)), lambda x: _cat_pieces(x.split(2, 1))),
    ("split_sections", [(5, 2)], lambda x: _cat_pieces(x.split([1, 0, 4])), lambda x: _cat_pieces(x.split([1, 0, 4]))),
    ("split_big", [(3, 2)], lambda x: _cat_pieces(x.split(5, -1)), lambda x: _cat_pieces(x.split(5, -1))),
    ("nw.split", [(4, 3)], lambda x: _cat_pieces(nw.split(x, 3)), lambda x: _cat_pieces(torch.split(x, 3))),
    ("chunk", [(7, 2)], lambda x: _cat_pieces(x.chunk(4)), lambda x: _cat_pieces(x.chunk(4))),
    ("chunk_many", [(2, 3)], lambda x: _cat_pieces(x.chunk(10, dim=1)), lambda x: _cat_pieces(x.chunk(10, dim=1))),
    ("nw.chunk", [(2, 6)], lambda x: _cat_pieces(nw.chunk(x, 3, -1)), lambda x: _cat_pieces(torch.chunk(x, 3, -1))),
    # cat and stack with torch's `dim` (and its `axis` alias)
    ("cat_dim", [(2, 3), (2, 1)], lambda a, b: nw.cat([a, b], dim=1), lambda a, b: torch.cat([a, b], dim=1)),
    ("cat_axis", [(2, 3), (2, 1)], lambda a, b: nw.cat((a, b), axis=-1), lambda a, b: torch.cat((a, b), axis=-1)),
    ("cat_size0", [(2, 3), (0, 3)], lambda a, b: nw.cat([a, b]), lambda a, b: torch.cat([a, b])),
    ("cat_skips_1d_empty", [(2, 3), (0,), (2, 2)], lambda *t: nw.cat(t, dim=1), lambda *t: torch.cat(t, dim=1)),
    ("cat_only_1d_empty", [(0,), (0,)], lambda *t: nw.cat(t), lambda *t: torch.cat(t)),
    ("stack_dim", [(2, 3), (2, 3)], lambda a, b: nw.stack([a, b], dim=-1), lambda a, b: torch.stack([a, b], dim=-1)),
    ("stack_axis", [(2, 3), (2, 3)], lambda a, b: nw.stack([a, b], axis=1), lambda a, b: torch.stack([a, b], axis=1)),
    ("stack_0d", [(), ()], lambda a, b: nw.stack([a, b], dim=-1), lambda a, b: torch.stack([a, b], dim=-1)),
    # matrix products
    ("dot", [(4,), (4,)], lambda a, b: a.dot(b), lambda a, b: a.dot(b)),
    ("nw.dot_size0", [(0,), (0,)], nw.dot, torch.dot),
    ("outer", [(3,), (4,)], lambda a, b: a.outer(b), lambda a, b: a.outer(b)),
    ("nw.outer_size1", [(1,), (4,)], nw.outer, torch.outer),
    ("mm", [(2, 3), (3, 4)], lambda a, b: a.mm(b), lambda a, b: a.mm(b)),
    ("nw.mm_size1", [(1, 3), (3, 1)], nw.mm, torch.mm),
    ("mv", [(2, 3), (3,)], lambda a, b: a.mv(b), lambda a, b: a.mv(b)),
    ("nw.mv", [(2, 1), (1,)], nw.mv, torch.mv),
]
NAMES = [name for name, *_ in CASES]


@pytest.mark.parametrize(("name", "specs", "ours", "theirs"), CASES, ids=NAMES)
def test_matches_torch(name: str, specs: list[Any], ours: Callable, theirs: Callable) -> None:
    helper_test_op(specs, ours, theirs, name=name)


@pytest.mark.parametrize(("name", "specs", "ours", "theirs"), CASES, ids=NAMES)
def test_gradcheck(name: str, specs: list[Any], ours: Callable, theirs: Callable) -> None:
    helper_gradcheck(specs, ours)


def test_case_names_are_unique() -> None:
    assert len(NAMES) == len(set(NAMES))


def test_large_magnitudes_move_exactly() -> None:
    values = np.array([[1e4, -1e4, 3.5], [-2.5e-4, 0.0, 7e3]])
    def moved(x: Any) -> Any:
        return x.transpose(0, 1).expand(2, 3, 2).flip(0)

    helper_test_op([values], moved, moved)


# ---- T on other than 2 dims: reversed, with torch's deprecation warning ---------------------------
@pytest.mark.parametrize("shape", [(), (3,), (2, 3, 4), (2, 1, 3, 2)], ids=["0d", "1d", "3d", "4d"])
def test_T_reverses_the_dims_and_warns_as_torch(shape: tuple[int, ...]) -> None:
    data = np.random.default_rng(0).normal(size=shape)
    x = nw.tensor(data, requires_grad=True)
    with pytest.warns(UserWarning, match="deprecated"):
        out = x.T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns once per process: do not depend on it
        expected = torch.tensor(data, requires_grad=True).T
    assert out.shape == tuple(expected.shape)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    np.testing.assert_array_equal(out.data, data.transpose())


def test_mT_of_0d_warns_and_is_the_identity() -> None:
    with pytest.warns(UserWarning, match="0-D"):
        out = nw.tensor(2.0).mT
    assert out.shape == () and out.item() == 2.0


# ---- size() and dim() --------------------------------------------------------------------------------
def test_size_and_dim() -> None:
    x, scalar = nw.tensor(np.zeros((2, 3, 4))), nw.tensor(1.0)
    reference = torch.zeros(2, 3, 4)
    assert x.size() == tuple(reference.size()) == (2, 3, 4) and isinstance(x.size(), tuple)
    assert [x.size(d) for d in (0, 1, 2, -1, -3)] == [reference.size(d) for d in (0, 1, 2, -1, -3)]
    assert x.size(dim=1) == 3 and isinstance(x.size(1), int)
    assert x.dim() == 3 and scalar.dim() == 0 and scalar.size() == ()
    for call in (lambda t: t.size(0), lambda t: t.size(-1)):
        with pytest.raises(IndexError):
            call(torch.tensor(1.0))
        with pytest.raises(IndexError, match="0-d"):
            call(scalar)
    with pytest.raises(IndexError, match="`dim` = 3"):
        x.size(3)


def test_split_and_chunk_return_tuples_of_torchs_shapes() -> None:
    x, reference = nw.tensor(np.zeros((0, 2))), torch.zeros(0, 2)
    for ours, theirs in [
        (x.chunk(3), reference.chunk(3)),
        (x.split(2), reference.split(2)),
        (x.split(0), reference.split(0)),
        (x.split([0, 0]), reference.split([0, 0])),
        (nw.tensor(np.zeros(5)).chunk(3), torch.zeros(5).chunk(3)),
    ]:
        assert isinstance(ours, tuple) and [p.shape for p in ours] == [tuple(p.shape) for p in theirs]


def test_cat_and_stack_keep_promoted_dtype_and_give_each_input_its_own() -> None:
    a = nw.tensor(np.ones((2, 2)), dtype=np.float32, requires_grad=True)
    b = nw.tensor(np.ones((2, 2)), dtype=np.float64, requires_grad=True)
    for join in (nw.cat, nw.stack):
        a.grad = b.grad = None
        out = join([a * 1, b * 1])  # grads go through an op to each leaf, in the leaf's dtype
        assert out.dtype == torch.cat([torch.ones(1), torch.ones(1, dtype=torch.float64)]).numpy().dtype
        out.sum().backward()
        assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


# ---- errors where torch raises -----------------------------------------------------------------------
# (id, nnwork call, torch call, nnwork error, match). torch's RuntimeError is a ValueError here.
A2 = np.arange(6.0).reshape(2, 3)
A3 = np.arange(24.0).reshape(2, 3, 4)
ERRORS = [
    ("transpose_out_of_range", lambda m, a: a(A2).transpose(3, 0), IndexError, r"`dim0` = 3 .* \[-2, 1\]"),
    ("transpose_dim1_range", lambda m, a: a(A2).transpose(0, -3), IndexError, r"`dim1` = -3"),
    ("transpose_0d_range", lambda m, a: a(2.0).transpose(0, 1), IndexError, r"`dim1` = 1"),
    ("transpose_three_args", lambda m, a: a(A3).transpose(1, 0, 2), TypeError, "argument"),
    ("transpose_no_args", lambda m, a: a(A2).transpose(), TypeError, "dim0"),
    ("transpose_float_dim", lambda m, a: a(A2).transpose(0.0, 1), TypeError, r"`dim0` must be an int, got float"),
    ("transpose_bool_dim", lambda m, a: a(A2).transpose(True, 0), TypeError, r"`dim0` must be an int, got bool"),
    ("transpose_tuple", lambda m, a: a(A2).transpose((0, 1)), TypeError, "dim"),
    ("permute_too_few", lambda m, a: a(A3).permute(0, 1), ValueError, r"`dims` \(0, 1\) must name each of the tensor's 3"),
    ("permute_no_dims", lambda m, a: a(A3).permute(), TypeError, "`dims`"),
    ("expand_no_sizes", lambda m, a: a(A3).expand(), TypeError, "`sizes`"),
    ("reshape_no_shape", lambda m, a: a(A3).reshape(), TypeError, "`shape`"),
    ("flip_no_dims", lambda m, a: a(A3).flip(), TypeError, "`dims`"),
    ("repeat_no_repeats", lambda m, a: a(A3).repeat(), TypeError, "`repeats`"),
    ("permute_repeated", lambda m, a: a(A3).permute(0, 0, 1), ValueError, r"more than once"),
    ("permute_out_of_range", lambda m, a: a(A3).permute(0, 1, 3), IndexError, r"`dims` = 3"),
    ("t_3d", lambda m, a: a(A3).t(), ValueError, r"<= 2 dimensions, got shape \(2, 3, 4\)"),
    ("mT_1d", lambda m, a: a([1.0, 2.0]).mT, ValueError, "1-D"),
    ("movedim_lengths", lambda m, a: a(A3).movedim((0, 1), (0,)), ValueError, "differ in length"),
    ("movedim_repeated", lambda m, a: a(A3).movedim((0, 0), (1, 2)), ValueError, r"`source` \(0, 0\)"),
    ("movedim_range", lambda m, a: a(A3).movedim(0, 3), IndexError, r"`destination` = 3"),
    ("flatten_start_after_end", lambda m, a: a(A3).flatten(2, 1), ValueError, r"`start_dim` \(2\) comes after `end_dim` \(1\)"),
    ("flatten_range", lambda m, a: a(A3).flatten(0, 3), IndexError, r"`end_dim` = 3"),
    ("flatten_0d_range", lambda m, a: a(1.0).flatten(0, 1), IndexError, r"`end_dim` = 1"),
    ("flatten_float", lambda m, a: a(A3).flatten(1.0), TypeError, r"`start_dim` must be an int"),
    ("squeeze_range", lambda m, a: a(A3).squeeze(3), IndexError, r"`dim` = 3"),
    ("squeeze_0d_range", lambda m, a: a(1.0).squeeze(1), IndexError, r"`dim` = 1"),
    ("squeeze_repeated", lambda m, a: a(A3).squeeze((0, -3)), ValueError, "more than once"),
    ("squeeze_float", lambda m, a: a(A3).squeeze(0.0), TypeError, r"`dim` must be an int"),
    ("unsqueeze_range", lambda m, a: a(A2).unsqueeze(3), IndexError, r"`dim` = 3 .* \[-3, 2\]"),
    ("unsqueeze_negative_range", lambda m, a: a(A2).unsqueeze(-4), IndexError, r"`dim` = -4"),
    ("unsqueeze_tuple", lambda m, a: a(A2).unsqueeze((0, 1)), TypeError, r"`dim` must be an int, got tuple"),
    ("reshape_wrong_size", lambda m, a: a(A2).reshape(4, 2), ValueError, r"\(2, 3\) into \(4, 2\)"),
    ("reshape_two_unknown", lambda m, a: a(A2).reshape(-1, -1), ValueError, "only one size can be -1"),
    ("reshape_negative", lambda m, a: a(A2).reshape(-2, 3), ValueError, "invalid size -2 at index 0"),
    ("reshape_zero_infer", lambda m, a: a(A2).reshape(0, -1), ValueError, r"into \(0, -1\)"),
    ("reshape_size0_ambiguous", lambda m, a: a(np.zeros((2, 0))).reshape(0, -1), ValueError, "could be any size"),
    ("reshape_float", lambda m, a: a(A2).reshape((2.0, 3)), TypeError, r"`shape` must be an int, got float"),
    ("view_wrong_size", lambda m, a: a(A2).view(4, 2), ValueError, r"\(2, 3\) into \(4, 2\)"),
    ("view_as_wrong_size", lambda m, a: a(A2).view_as(a(np.zeros((4, 2)))), ValueError, r"into \(4, 2\)"),
    ("expand_fewer_sizes", lambda m, a: a(A2).expand(3), ValueError, r"`sizes` \(3,\) has fewer dims than .* \(2, 3\)"),
    ("expand_non_singleton", lambda m, a: a([1.0, 2.0, 3.0]).expand(2, 4), ValueError, r"asks for 4 at index 1, .* has 3"),
    ("expand_new_minus_1", lambda m, a: a([1.0, 2.0, 3.0]).expand(-1, 3), ValueError, "new leading dim"),
    ("expand_negative", lambda m, a: a([1.0, 2.0, 3.0]).expand(-2, 3), ValueError, "-2 at index 0"),
    ("expand_float", lambda m, a: a([1.0, 2.0, 3.0]).expand(2, 3.0), TypeError, r"`sizes` must be an int"),
    ("repeat_fewer", lambda m, a: a(A2).repeat(2), ValueError, r"`repeats` \(2,\) .* at least one per dim"),
    ("repeat_negative", lambda m, a: a(A2).repeat(-1, 1), ValueError, r"`repeats` \(-1, 1\)"),
    ("flip_repeated", lambda m, a: a(A3).flip(0, 0), ValueError, "more than once"),
    ("flip_range", lambda m, a: a(A3).flip(3), IndexError, r"`dims` = 3"),
    ("split_0d", lambda m, a: a(1.0).split(1), ValueError, "0-d"),
    ("split_sizes_sum", lambda m, a: a(A3).split([1, 2], 2), ValueError, r"add up to 4"),
    ("split_negative_size", lambda m, a: a(A3).split(-1, 2), ValueError, "= -1 must be positive"),
    ("split_zero_size", lambda m, a: a(A3).split(0, 2), ValueError, "= 0 must be positive"),
    ("split_float", lambda m, a: a(A3).split(2.0), TypeError, "must be an int"),
    ("split_range", lambda m, a: a(A3).split(2, 3), IndexError, r"`dim` = 3"),
    ("chunk_zero", lambda m, a: a(A3).chunk(0), ValueError, r"`chunks` must be positive, got 0"),
    ("chunk_0d", lambda m, a: a(1.0).chunk(2), ValueError, "0-d"),
    ("chunk_range", lambda m, a: a(A3).chunk(2, 3), IndexError, r"`dim` = 3"),
    ("cat_dim_range", lambda m, a: m.cat([a(A2), a(A2)], dim=2), IndexError, r"`dim` = 2 .* \[-2, 1\]"),
    ("cat_0d", lambda m, a: m.cat([a(1.0), a(2.0)]), ValueError, "0-d"),
    ("cat_ndims", lambda m, a: m.cat([a(A2), a(np.zeros(3))]), ValueError, r"\(2, 3\), \(3,\)"),
    ("cat_sizes", lambda m, a: m.cat([a(A2), a(np.zeros((3, 3)))], 1), ValueError, r"\(2, 3\), \(3, 3\) along dim 1"),
    ("cat_empty_list", lambda m, a: m.cat([]), ValueError, "non-empty"),
    ("cat_dim_and_axis", lambda m, a: m.cat([a(A2)], dim=0, axis=0), TypeError, "not both"),
    ("stack_dim_range", lambda m, a: m.stack([a(A2), a(A2)], dim=-4), IndexError, r"`dim` = -4"),
    ("stack_shapes", lambda m, a: m.stack([a(A2), a(np.zeros((3, 2)))]), ValueError, r"\(2, 3\), \(3, 2\)"),
    ("dot_2d", lambda m, a: m.dot(a(A2), a(A2)), ValueError, r"dot: expected a 1-D and a 1-D tensor, got shapes \(2, 3\)"),
    ("dot_0d", lambda m, a: m.dot(a(1.0), a(1.0)), ValueError, r"shapes \(\) and \(\)"),
    ("dot_sizes", lambda m, a: m.dot(a([1.0, 2.0]), a([1.0, 2.0, 3.0])), ValueError, r"\(2,\) and \(3,\) do not fit"),
    ("outer_2d", lambda m, a: m.outer(a(A2), a([1.0])), ValueError, r"outer: expected two 1-D tensors, got shapes \(2, 3\)"),
    ("outer_0d", lambda m, a: m.outer(a(1.0), a([1.0])), ValueError, r"shapes \(\) and \(1,\)"),
    ("mm_1d", lambda m, a: m.mm(a([1.0, 2.0]), a(A2)), ValueError, r"mm: expected a 2-D and a 2-D tensor"),
    ("mm_3d", lambda m, a: m.mm(a(A3), a(A3)), ValueError, r"\(2, 3, 4\)"),
    ("mm_shapes", lambda m, a: m.mm(a(A2), a(A2)), ValueError, r"\(2, 3\) and \(2, 3\) do not fit"),
    ("mv_2d", lambda m, a: m.mv(a(A2), a(A2)), ValueError, r"mv: expected a 2-D and a 1-D tensor"),
    ("mv_sizes", lambda m, a: m.mv(a(A2), a([1.0, 2.0])), ValueError, r"\(2, 3\) and \(2,\) do not fit"),
]
TORCH_CLASS = {IndexError: IndexError, TypeError: TypeError, ValueError: (RuntimeError, ValueError)}


@pytest.mark.parametrize(("call", "error", "match"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors_where_torch_raises(call: Callable, error: type, match: str) -> None:
    with pytest.raises(TORCH_CLASS[error]):
        call(torch, lambda data: torch.tensor(data, dtype=torch.float64))
    with pytest.raises(error, match=match):
        call(nw, lambda data: nw.tensor(data, dtype=np.float64))


def test_matrix_products_need_one_dtype_as_torch() -> None:
    a32, a64 = np.ones(3, dtype=np.float32), np.ones(3)
    for name in ("dot", "mm", "mv"):
        first = a32 if name == "dot" else np.ones((2, 3), np.float32)
        second = np.ones((3, 2)) if name == "mm" else a64
        with pytest.raises(RuntimeError):
            getattr(torch, name)(torch.tensor(first), torch.tensor(second))
        with pytest.raises(TypeError, match=rf"{name}: .*same dtype, got float32 and float64"):
            getattr(nw, name)(nw.tensor(first), nw.tensor(second))


# ---- property: random shapes and dims against torch ----------------------------------------------------
side = st.integers(0, 3)


@st.composite
def shape_op(draw: st.DrawFn) -> tuple[tuple[int, ...], str, tuple[Any, ...]]:
    """A shape (sides 0-3, 0-4 dims) and a shape op with valid random arguments."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3))
    ndim, wrapped = len(shape), max(len(shape), 1)
    dim = st.integers(-wrapped, wrapped - 1)
    op = draw(st.sampled_from(["transpose", "permute", "squeeze", "squeeze_dims", "unsqueeze", "flatten", "expand"]))
    if op == "transpose":
        return shape, op, (draw(dim), draw(dim))
    if op == "permute":
        perm = draw(st.permutations(range(ndim)))
        return shape, op, (tuple(p - ndim * draw(st.booleans()) for p in perm),)
    if op == "squeeze":
        return shape, op, (draw(dim),)
    if op == "squeeze_dims":
        return shape, "squeeze", (tuple(draw(st.sets(st.integers(0, wrapped - 1)))),)
    if op == "unsqueeze":
        return shape, op, (draw(st.integers(-ndim - 1, ndim)),)
    if op == "flatten":
        start, end = sorted([draw(st.integers(0, wrapped - 1)), draw(st.integers(0, wrapped - 1))])
        return shape, op, (start - wrapped * draw(st.booleans()), end)
    lead = tuple(draw(st.lists(side, max_size=2)))
    sizes = tuple(draw(st.sampled_from([-1, n])) if n != 1 else draw(st.sampled_from([-1, 0, 1, 3])) for n in shape)
    return shape, op, (lead + sizes,)


@settings(max_examples=250, deadline=None)
@given(shape_op(), st.integers(0, 2**16))
def test_random_shape_ops_match_torch(example: tuple[tuple[int, ...], str, tuple[Any, ...]], seed: int) -> None:
    shape, op, args = example
    def apply(x: Any) -> Any:
        return getattr(x, op)(*args)

    helper_test_op([shape], apply, apply, name=f"{op}{args}", seed=seed)
