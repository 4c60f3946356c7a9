"""What an optimizer holds: parameters (anything with `.data` and `.grad`), parameter groups,
and the per-parameter state, keyed by the parameter object itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from numpy.typing import NDArray

Array = NDArray[Any]
ParamGroup = dict[str, Any]


class Param(Protocol):
    """What an optimizer needs from a parameter."""

    data: Array
    grad: Array | None


class ParamState:
    """Per-parameter state dicts keyed by the parameter object itself.

    Keys compare by identity (as torch's tensors do), so parameters need not be hashable.
    Reading a missing parameter gives a new empty dict, like torch's `defaultdict(dict)`.

    `version` counts the moments a state may have changed: each time one is handed out
    (`state[p]`, `items()`, so its holder may change it) or replaced (`state[p] = ...`). A
    flat copy of the states (see `FlatGroup`) is made again when the version has moved.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[Param, dict[str, Any]]] = {}
        self.version = 0

    def __getitem__(self, p: Param) -> dict[str, Any]:
        self.version += 1
        return self.peek(p)

    def peek(self, p: Param) -> dict[str, Any]:
        """p's state (created empty if missing), for a reader that will not change it."""
        entry = self._entries.get(id(p))
        if entry is None:
            entry = self._entries[id(p)] = (p, {})
        return entry[1]

    def __setitem__(self, p: Param, value: dict[str, Any]) -> None:
        self.version += 1
        self._entries[id(p)] = (p, value)

    def __contains__(self, p: object) -> bool:
        return id(p) in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Param]:
        return (p for p, _ in self._entries.values())

    def items(self) -> list[tuple[Param, dict[str, Any]]]:
        self.version += 1
        return list(self._entries.values())
