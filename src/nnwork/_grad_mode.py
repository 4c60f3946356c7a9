"""Whether ops record the graph: on by default, off inside `no_grad()`."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

enabled = True
# While nnwork.capture records a step, every nnwork.tensor.apply appends (fn, inputs, options,
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
