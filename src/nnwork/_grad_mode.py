"""Whether ops record the graph: on by default, off inside `no_grad()`."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

enabled = True
per_sample = False  # inside per_sample_gradients(): parameter gradients keep the batch axis
# While nnwork.capture records a step, every Function.apply appends (fn, inputs, options,
# result) here; otherwise None.
recorder: list[tuple[Any, ...]] | None = None

F = TypeVar("F", bound=Callable[..., Any])


class no_grad:
    """Context manager (and decorator) in which no op records a graph: for evaluation and
    for in-place parameter updates, where gradients are not wanted and would cost memory."""

    def __enter__(self) -> None:
        global enabled
        self._previous = enabled
        enabled = False

    def __exit__(self, *exc: object) -> None:
        global enabled
        enabled = self._previous

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with no_grad():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def is_grad_enabled() -> bool:
    return enabled


class per_sample_gradients:
    """Context manager in which backward() gives every leaf one gradient per sample.

    Rows of a batch are independent in our networks (row i of the output depends only on
    row i of the input), so the backward pass already carries each sample's gradient in its
    own row; only the last step, where a parameter's gradient sums over the rows, mixes them.
    Inside this context that sum is skipped: a parameter of shape S gets `.grad` of shape
    (N, *S), row i being ∂(output row i)/∂θ. This is how Levenberg–Marquardt gets the
    Jacobian of the residuals in one backward pass instead of one per sample.
    """

    def __enter__(self) -> None:
        global per_sample
        self._previous = per_sample
        per_sample = True

    def __exit__(self, *exc: object) -> None:
        global per_sample
        per_sample = self._previous
