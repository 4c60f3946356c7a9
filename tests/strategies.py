"""Shared hypothesis strategies: shapes, broadcastable shape pairs, well-conditioned arrays."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_DIMS = 3
MAX_SIDE = 4


def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, max_side: int = MAX_SIDE) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes with every side at least 1 (empty arrays have no gradient to check)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def broadcastable_shape_pairs(
    max_dims: int = MAX_DIMS, max_side: int = MAX_SIDE
) -> st.SearchStrategy[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Two shapes that broadcast together, such as (3, 1) & (1, 4) or () & (2, 3)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side
    ).map(lambda shapes: shapes.input_shapes)


@st.composite
def float_arrays(
    draw: st.DrawFn,
    shape: Sequence[int],
    low: float = -3.0,
    high: float = 3.0,
    min_magnitude: float = 0.0,
) -> np.ndarray:
    """float64 arrays in [low, high] whose values are at least `min_magnitude` away from 0
    (so a kink at 0 or a division stays well-conditioned for finite differences)."""
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    if min_magnitude > 0:
        elements = elements.filter(lambda v: abs(v) >= min_magnitude)
    return draw(hnp.arrays(np.float64, tuple(shape), elements=elements))


@st.composite
def arrays_of_some_shape(
    draw: st.DrawFn, low: float = -3.0, high: float = 3.0, min_magnitude: float = 0.0
) -> np.ndarray:
    """A well-conditioned float64 array of a random shape."""
    return draw(float_arrays(draw(shapes()), low, high, min_magnitude))
