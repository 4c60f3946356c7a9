"""The flat-buffer contract (nnwork.buffers): layouts, packing, tiling and gradient homes."""

from __future__ import annotations

import numpy as np
import pytest

import nnwork as nw
from nnwork import buffers, nn, optim
from nnwork import functional as F


def test_a_layout_joins_and_splits_arrays_back_to_back() -> None:
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=shape) for shape in [(2, 3), (3,), (), (1, 4)]]
    layout = buffers.FlatLayout.of(arrays)
    assert layout.size == 6 + 3 + 1 + 4 and layout.sizes == [6, 3, 1, 4]
    flat = layout.join(arrays)
    views = layout.split(flat)
    for a, v in zip(arrays, views):
        assert v.shape == a.shape and np.shares_memory(v, flat)
        np.testing.assert_array_equal(v, a)
    out = layout.empty()
    assert layout.join(arrays, out=out) is out
    np.testing.assert_array_equal(out, flat)


def test_a_layout_refuses_mixed_dtypes() -> None:
    with pytest.raises(ValueError, match="one dtype"):
        buffers.FlatLayout.of([np.zeros(2, np.float32), np.zeros(2)])


def test_packed_arrays_tile_one_block_and_keep_their_values() -> None:
    arrays = [np.arange(6.0).reshape(2, 3), np.arange(3.0) + 10]
    views = buffers.pack(arrays)
    block = buffers.tiling(views)
    assert block is not None and block.size == 9
    np.testing.assert_array_equal(block, np.concatenate([a.reshape(-1) for a in arrays]))
    assert buffers.tiling(views[::-1]) is None


def test_a_captured_step_writes_each_gradient_into_its_home() -> None:
    model = nn.MLP([2, 8, 1], generator=0)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    assert len(opt.gradient_homes()) == 0  # no flat update yet
    step = nw.capture_step(model, F.mse_loss, opt)
    x = np.random.default_rng(1).normal(size=(16, 2)).astype(np.float32)
    y = np.sin(x[:, :1])
    for _ in range(3):
        step(x, y)
    homes = opt.gradient_homes()
    assert set(homes) == {id(p) for p in model.parameters()}
    assert all(p.grad is homes.of(p) for p in model.parameters())
    assert homes.of(object()) is None


def test_an_optimizer_that_does_not_update_flat_has_no_homes() -> None:
    model = nn.MLP([2, 4, 1], generator=0)
    opt = optim.LBFGS(model.parameters())
    assert len(opt.gradient_homes()) == 0
