"""Flat buffers: the one place where nnwork's copy-free training step is agreed.

Three parts cooperate so that a training step copies no parameter and no gradient:

1. **A model packs its parameters** (`pack`): their values lie back to back in ONE 1-D
   array, each `p.data` a view of its own part. `nnwork.nn.MLP` does this in its constructor,
   before anyone holds the old arrays.
2. **An elementwise optimizer** (SGD, Adam, RMSprop; see `nnwork.optim.flat.FlatGroup`)
   keeps one flat array per buffer — gradients, moments — laid out by a `FlatLayout`. When
   the parameters tile one array (`tiling`), the update runs on that array itself; otherwise
   it copies them in and the new values back out.
3. **A captured step** (`nnwork.capture`) asks the optimizer where it reads each gradient
   (`GradientHomes`) and has the layers write the gradients there directly.

The rules each side keeps:

- Nobody rebinds `p.data` after a model is built; an optimizer that finds it rebound
  (`FlatGroup.fits` is False) lays the group out again and copies from then on. Values
  are always updated in place.
- A gradient home is a view of the optimizer's flat gradient array. Whoever writes a
  parameter's gradient there sets `p.grad` to that very view; the optimizer skips copying a
  gradient exactly when `p.grad is` its home. So after a captured step `p.grad` is
  overwritten by the next step: copy it to keep it.
- One dtype per flat array: parameters of mixed dtypes are never packed or updated flat.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class FlatLayout:
    """Where each of several arrays (in order) lives inside one flat 1-D array."""

    shapes: tuple[tuple[int, ...], ...]
    dtype: np.dtype

    @classmethod
    def of(cls, arrays: Sequence[Array]) -> FlatLayout:
        """The layout that puts `arrays` back to back, in order (they must share one dtype)."""
        dtypes = {a.dtype for a in arrays}
        if len(dtypes) != 1:
            raise ValueError(f"a flat layout needs arrays of one dtype, got {sorted(map(str, dtypes))}")
        return cls(tuple(a.shape for a in arrays), dtypes.pop())

    @property
    def sizes(self) -> list[int]:
        return [int(np.prod(shape, dtype=np.int64)) for shape in self.shapes]

    @property
    def size(self) -> int:
        return sum(self.sizes)

    def empty(self) -> Array:
        """A new flat array of this layout (uninitialised)."""
        return np.empty(self.size, self.dtype)

    def split(self, flat: Array) -> list[Array]:
        """Views of `flat`, one per array of the layout, each in its own shape."""
        views, start = [], 0
        for size, shape in zip(self.sizes, self.shapes):
            views.append(flat[start : start + size].reshape(shape))
            start += size
        return views

    def join(self, arrays: Sequence[Array], out: Array | None = None) -> Array:
        """The arrays' values back to back in one flat array (`out`, when given)."""
        return np.concatenate([a.reshape(-1) for a in arrays], out=out)


def pack(arrays: Sequence[Array]) -> list[Array]:
    """New views of ONE fresh contiguous array holding `arrays`' values back to back.

    The caller rebinds its parameters to the views (see rule 1 of the module docstring).
    """
    layout = FlatLayout.of(arrays)
    return layout.split(layout.join(arrays))


def tiling(arrays: Sequence[Array]) -> Array | None:
    """The 1-D array that `arrays` tile exactly, back to back in this order, or None.

    True when the arrays are C-contiguous views of one 1-D array, each starting where the
    previous one ends: then the whole group can be updated through that one array.
    """
    first = arrays[0]
    base = first.base
    if not isinstance(base, np.ndarray) or base.ndim != 1 or not base.flags.c_contiguous:
        return None
    itemsize = base.itemsize
    start = first.__array_interface__["data"][0]
    address = start
    for a in arrays:
        if a.base is not base or a.dtype != base.dtype or not a.flags.c_contiguous:
            return None
        if a.__array_interface__["data"][0] != address:
            return None
        address += a.size * itemsize
    offset = (start - base.__array_interface__["data"][0]) // itemsize
    return base[offset : offset + (address - start) // itemsize]


class GradientHomes(Mapping[int, Array]):
    """{id(parameter): the array an optimizer's next update reads that gradient from}.

    Empty for an optimizer that does not update flat (or before its first update). A writer
    may put a parameter's gradient into its home and set `p.grad` to it (rule 2 above).
    """

    def __init__(self, homes: Mapping[int, Array] | None = None) -> None:
        self._homes = dict(homes or {})

    def of(self, parameter: Any) -> Array | None:
        """The home of `parameter`'s gradient, or None."""
        return self._homes.get(id(parameter))

    def __getitem__(self, key: int) -> Array:
        return self._homes[key]

    def __iter__(self) -> Iterator[int]:
        return iter(self._homes)

    def __len__(self) -> int:
        return len(self._homes)
