"""Checks an optimizer makes on what it is given: a gradient that fits its parameter, a
hyperparameter in range (with messages that start like torch's)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .param_state import Param


def check_grad(p: Param, where: str) -> None:
    """Raise if p.grad cannot be p's gradient (wrong type, shape or dtype)."""
    grad = p.grad
    if not isinstance(grad, np.ndarray):
        raise TypeError(f"the gradient of {where} must be a NumPy array or None, got {type(grad).__name__}")
    if grad.shape != p.data.shape:
        raise ValueError(f"the gradient of {where} has shape {grad.shape}, but the parameter has shape {p.data.shape}")
    if grad.dtype != p.data.dtype:
        raise TypeError(f"the gradient of {where} has dtype {grad.dtype}, but the parameter has dtype {p.data.dtype}")


def check_range(value: Any, name: str, label: str, low: float, high: float | None = None) -> None:
    """Raise unless `value` is a real number with low <= value (< high when high is given).

    The message starts like torch's ("Invalid learning rate: -1") and names the argument.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number, got {value!r} ({type(value).__name__})")
    if not (low <= value and (high is None or value < high)):  # NaN fails too
        bound = f">= {low}" if high is None else f"in [{low}, {high})"
        raise ValueError(f"Invalid {label}: {value} (`{name}` must be {bound})")
