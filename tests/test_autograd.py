"""The one backward walk (nnwork.autograd) and its hooks, against eager backward, PyTorch and
finite differences; and the kernels' place below it."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import torch

import nnwork as nw
from nnwork import autograd, nn
from nnwork import functional as F


def _graph(x: np.ndarray, w: np.ndarray) -> tuple[nw.Tensor, nw.Tensor, nw.Tensor, nw.Tensor]:
    """(x, w, h, loss) for loss = Σ (3·tanh(x·w) + h²) with h = tanh(x·w) used twice."""
    xt, wt = nw.tensor(x, requires_grad=True), nw.tensor(w, requires_grad=True)
    h = (xt * wt).tanh()
    return xt, wt, h, (h * 3 + h * h).sum()


def test_topological_order_puts_inputs_first_once_each_and_survives_deep_graphs() -> None:
    x, w, h, loss = _graph(np.array([0.5, -1.0]), np.array([2.0, 0.3]))
    order = autograd.topological_order(loss)
    position = {id(t): i for i, t in enumerate(order)}
    assert len(position) == len(order) and order[-1] is loss
    for node in order:
        for parent in node.grad_fn.parents if node.grad_fn is not None else ():
            if parent.requires_grad:
                assert position[id(parent)] < position[id(node)]
    deep = nw.tensor([1.0], requires_grad=True)
    out = deep
    for _ in range(5000):
        out = out * 1.0
    assert len(autograd.topological_order(out)) == 5001


def test_topological_order_does_not_look_behind_a_stop() -> None:
    x, w, h, loss = _graph(np.array([0.5, -1.0]), np.array([2.0, 0.3]))
    order = autograd.topological_order(loss, stop={id(h)})
    assert any(t is h for t in order)
    assert not any(t is x or t is w for t in order)


def test_the_walk_stopped_at_a_node_gives_that_nodes_gradient_as_torch() -> None:
    x, w = np.array([0.5, -1.0, 0.2]), np.array([2.0, 0.3, -1.5])
    xt, wt, h, loss = _graph(x, w)
    reached: dict[int, np.ndarray] = {}
    autograd.backprop(loss, np.ones(()), retain_graph=True, stop={id(h)},
                      at_leaf=lambda node, g: reached.__setitem__(id(node), g))
    assert list(reached) == [id(h)]  # nothing behind h is reached
    assert xt.grad is None and wt.grad is None  # the leaf callback replaces accumulation
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    th = torch.tanh(tx * tw)
    th.retain_grad()
    (th * 3 + th * th).sum().backward()
    np.testing.assert_allclose(reached[id(h)], th.grad.numpy(), rtol=1e-14)
    loss.backward()  # the graph was retained: the eager walk still goes through it
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), rtol=1e-14)


def test_the_leaf_callback_sees_each_leaf_once_with_the_sum_of_its_paths() -> None:
    x, w = np.array([0.5, -1.0]), np.array([2.0, 0.3])
    xt, wt, h, loss = _graph(x, w)
    seen: list[tuple[int, np.ndarray]] = []
    autograd.backprop(loss, np.ones(()), retain_graph=True, at_leaf=lambda leaf, g: seen.append((id(leaf), g)))
    assert sorted(key for key, _ in seen) == sorted([id(xt), id(wt)])
    loss.backward()
    collected = dict(seen)
    np.testing.assert_array_equal(collected[id(xt)], xt.grad)  # the same walk: the same bits
    np.testing.assert_array_equal(collected[id(wt)], wt.grad)
    eps = 1e-6  # and right: against a central difference of loss in x[0]
    above = _graph(x + [eps, 0], w)[3].item()
    below = _graph(x - [eps, 0], w)[3].item()
    assert collected[id(xt)][0] == pytest.approx((above - below) / (2 * eps), rel=1e-7)


def test_a_freed_graph_refuses_a_second_walk() -> None:
    _, _, _, loss = _graph(np.array([0.5]), np.array([2.0]))
    autograd.backprop(loss, np.ones(()))
    with pytest.raises(RuntimeError, match="already freed"):
        autograd.backprop(loss, np.ones(()))


def test_a_recorded_walk_replays_to_the_same_bits_as_eager() -> None:
    rng = np.random.default_rng(0)
    model = nn.MLP([3, 8, 2], activation="tanh", generator=0)
    x, y = nw.tensor(rng.normal(size=(5, 3))), nw.tensor(rng.normal(size=(5, 2)))
    F.mse_loss(model(x), y).backward()
    eager = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    loss = F.mse_loss(model(x), y)
    walk = autograd.RecordedWalk(loss)
    autograd.backprop(loss, np.ones_like(loss.data), retain_graph=True, record=walk)
    for p, g in zip(model.parameters(), eager):
        np.testing.assert_array_equal(p.grad, g)
    model.zero_grad()
    walk.replay(np.ones_like(loss.data))
    for p, g in zip(model.parameters(), eager):
        np.testing.assert_array_equal(p.grad, g)


def _per_sample(model: nn.Module, x: np.ndarray, seed: np.ndarray) -> dict[int, np.ndarray]:
    rows: dict[int, np.ndarray] = {}
    autograd.backprop(model(nw.tensor(x)), seed, per_sample=True,
                      at_leaf=lambda leaf, g: rows.__setitem__(id(leaf), g))
    return rows


@pytest.mark.parametrize("make", [
    lambda: nn.MLP([3, 5, 4, 2], activation="tanh", generator=0, dtype=np.float64),
    lambda: nn.example_network(generator=2, dtype=np.float64),
])
def test_per_sample_rows_are_each_samples_own_gradient(make) -> None:  # type: ignore[no-untyped-def]
    model = make()
    n_in, n_out = (model.sizes[0], model.sizes[-1]) if hasattr(model, "sizes") else (2, 1)
    x = np.random.default_rng(1).normal(size=(6, n_in))
    seed = np.random.default_rng(2).normal(size=(6, n_out))
    rows = _per_sample(model, x, seed)
    for i in range(len(x)):  # one eager backward per sample
        model.zero_grad()
        model(nw.tensor(x[i:i + 1])).backward(seed[i:i + 1])
        for p in model.parameters():
            assert rows[id(p)].shape == (6,) + p.shape
            np.testing.assert_allclose(rows[id(p)][i], p.grad, rtol=1e-12, atol=1e-15)


def test_per_sample_rows_of_a_plain_matmul_match_finite_differences() -> None:
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    wt, bt = nw.tensor(w, requires_grad=True), nw.tensor(b, requires_grad=True)
    rows: dict[int, np.ndarray] = {}
    out = (nw.tensor(x) @ wt + bt).sin()
    autograd.backprop(out, np.ones((4, 2)), per_sample=True, at_leaf=lambda leaf, g: rows.__setitem__(id(leaf), g))
    eps = 1e-6
    for i in range(4):
        for index in np.ndindex(w.shape):
            up, down = w.copy(), w.copy()
            up[index] += eps
            down[index] -= eps
            numeric = (np.sin(x[i] @ up + b).sum() - np.sin(x[i] @ down + b).sum()) / (2 * eps)
            assert rows[id(wt)][(i, *index)] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    np.testing.assert_allclose(rows[id(bt)], np.cos(x @ w + b), rtol=1e-12)


def test_jacobian_equals_a_loop_of_per_sample_backward_calls() -> None:
    model = nn.MLP([2, 4, 3], activation="sigmoid", generator=1, dtype=np.float64)
    x = np.random.default_rng(4).normal(size=(5, 2))
    params = model.parameters()
    r, J = autograd.jacobian(lambda: model(nw.tensor(x)), params)
    assert J.shape == (5 * 3, sum(p.data.size for p in params))
    np.testing.assert_array_equal(r, model(nw.tensor(x)).data.reshape(-1))
    for i in range(5):
        for k in range(3):
            model.zero_grad()
            seed = np.zeros((1, 3))
            seed[0, k] = 1
            model(nw.tensor(x[i:i + 1])).backward(seed)
            row = np.concatenate([p.grad.reshape(-1) for p in params])
            np.testing.assert_allclose(J[i * 3 + k], row, rtol=1e-12, atol=1e-15)


def test_jacobian_reuses_the_blocks_it_is_given() -> None:
    model = nn.MLP([2, 3, 1], generator=0, dtype=np.float64)
    x = nw.tensor(np.random.default_rng(5).normal(size=(4, 2)))
    blocks: dict[int, np.ndarray] = {}
    _, first = autograd.jacobian(lambda: model(x), model.parameters(), blocks)
    _, second = autograd.jacobian(lambda: model(x), model.parameters(), blocks)
    assert first is second is blocks[0]
    assert all(p.grad is None for p in model.parameters())  # no .grad was touched


def test_a_kernel_that_sums_over_the_samples_is_named_in_per_sample_mode() -> None:
    model = nn.Sequential(nn.Linear(3, 4, generator=0), nn.LayerNorm(4), nn.Linear(4, 1, generator=1))
    x = np.random.default_rng(6).normal(size=(5, 3)).astype(np.float32)
    with pytest.raises(ValueError, match=r"LayerNorm gave a tensor of shape \(4,\).*no per_sample_backward"):
        autograd.jacobian(lambda: model(nw.tensor(x)), model.parameters())


def test_jacobian_of_residuals_without_a_graph_is_refused() -> None:
    model = nn.MLP([2, 3, 1], generator=0)
    with nw.no_grad():
        with pytest.raises(ValueError, match="do not require grad"):
            autograd.jacobian(lambda: model(nw.tensor(np.zeros((2, 2), np.float32))), model.parameters())


def test_the_kernels_import_nothing_above_them() -> None:
    """ops/ is below the Tensor and the walk: it may import only itself and the array helpers."""
    allowed = {"nnwork.ops", "nnwork.blas", "nnwork.rng", "nnwork.threads"}
    ops = Path(nw.__file__).parent / "ops"
    for path in sorted(ops.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nnwork"):
                names = [node.module] if node.module != "nnwork" else [f"nnwork.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("nnwork")]
            for name in names:
                assert any(name == a or name.startswith(a + ".") for a in allowed), f"{path.name} imports {name}"
