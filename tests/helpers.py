"""Shared test helpers: parity of an nnwork function against PyTorch, and random inputs.

`helper_test_op` follows tinygrad's one-line-per-op style: give the input shapes (or the
arrays), an nnwork function and the matching torch function; both run in float64 on the
same values, and the forward values and the gradient of every input must agree.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import torch

import nnwork as nw

Spec = Any  # a shape tuple, or an array of input values


def rand(
    shape: Sequence[int],
    low: float = -2.0,
    high: float = 2.0,
    *,
    away_from: float | None = None,
    margin: float = 0.1,
    seed: int = 0,
) -> np.ndarray:
    """Uniform float64 values in [low, high]; with `away_from`, none closer than `margin` to it
    (for kinks such as |x| or relu at 0, where the derivative is undefined)."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(low, high, size=tuple(shape))
    if away_from is not None:
        close = np.abs(values - away_from) < margin
        values = np.where(close, away_from + np.copysign(margin, values - away_from) * 2, values)
    return np.asarray(values, dtype=np.float64)


def make_inputs(
    specs: Sequence[Spec],
    low: float | Sequence[float] = -2.0,
    high: float | Sequence[float] = 2.0,
    away_from: float | None = None,
    seed: int = 0,
) -> list[np.ndarray]:
    """float64 arrays for `specs`: shapes are filled at random, arrays are copied.
    `low`/`high` may be one value or one per input."""
    lows = low if isinstance(low, (list, tuple)) else [low] * len(specs)
    highs = high if isinstance(high, (list, tuple)) else [high] * len(specs)
    arrays = []
    for i, spec in enumerate(specs):
        if isinstance(spec, np.ndarray):
            arrays.append(np.array(spec, dtype=np.float64))
        else:
            arrays.append(rand(spec, lows[i], highs[i], away_from=away_from, seed=seed + i))
    return arrays


def helper_test_op(
    specs: Sequence[Spec],
    nnwork_fn: Callable[..., nw.Tensor],
    torch_fn: Callable[..., torch.Tensor],
    *,
    name: str | None = None,
    low: float | Sequence[float] = -2.0,
    high: float | Sequence[float] = 2.0,
    away_from: float | None = None,
    atol: float = 1e-10,
    rtol: float = 1e-7,
    grad_atol: float = 1e-10,
    grad_rtol: float = 1e-7,
    forward_only: bool = False,
    seed: int = 0,
) -> list[np.ndarray]:
    """Run `nnwork_fn` and `torch_fn` on the same float64 inputs; compare the outputs and the
    gradients of (out * w).sum() for the same random weights w. Returns the input arrays."""
    label = name or getattr(nnwork_fn, "__name__", "op")
    arrays = make_inputs(specs, low, high, away_from, seed)
    ours = [nw.tensor(a, requires_grad=not forward_only) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=not forward_only) for a in arrays]
    shapes = [a.shape for a in arrays]

    out = nnwork_fn(*ours)
    expected = torch_fn(*theirs)
    assert isinstance(out, nw.Tensor), f"{label}: nnwork returned {type(out).__name__}"
    assert out.shape == tuple(expected.shape), (
        f"{label} on inputs {shapes}: output shape mismatch: "
        f"nnwork={out.shape} | torch={tuple(expected.shape)}"
    )
    assert out.dtype == np.float64, f"{label}: float64 inputs gave {out.dtype}"
    np.testing.assert_allclose(
        out.data, expected.detach().numpy(), atol=atol, rtol=rtol,
        err_msg=f"{label} on inputs {shapes}: forward values differ",
    )
    if forward_only:
        return arrays

    weights = np.random.default_rng(seed + 1000).uniform(0.5, 1.5, size=out.shape)
    (out * nw.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights, dtype=torch.float64)).sum().backward()
    for i, (mine, reference) in enumerate(zip(ours, theirs)):
        ref_grad = np.zeros(arrays[i].shape) if reference.grad is None else reference.grad.numpy()
        my_grad = np.zeros(arrays[i].shape) if mine.grad is None else mine.grad
        assert my_grad.shape == ref_grad.shape, (
            f"{label}: gradient of input {i} has shape nnwork={my_grad.shape} | "
            f"torch={ref_grad.shape} (input shape {arrays[i].shape})"
        )
        np.testing.assert_allclose(
            my_grad, ref_grad, atol=grad_atol, rtol=grad_rtol,
            err_msg=(
                f"{label}: gradient of input {i} differs (nnwork shape {my_grad.shape}, "
                f"torch shape {ref_grad.shape})"
            ),
        )
    return arrays


def helper_gradcheck(
    specs: Sequence[Spec],
    nnwork_fn: Callable[..., nw.Tensor],
    *,
    low: float | Sequence[float] = -2.0,
    high: float | Sequence[float] = 2.0,
    away_from: float | None = None,
    seed: int = 0,
    **options: Any,
) -> None:
    """`nnwork.gradcheck` of `nnwork_fn` at the same kind of inputs `helper_test_op` uses."""
    arrays = make_inputs(specs, low, high, away_from, seed)
    report = nw.gradcheck(nnwork_fn, *arrays, **options)
    assert report.ok, str(report)
