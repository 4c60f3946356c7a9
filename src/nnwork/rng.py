"""One seeded random generator for everything nnwork draws at random (initial weights,
shuffles), so that `nnwork.manual_seed(s)` makes a whole run repeat bit for bit."""

from __future__ import annotations

import numpy as np

_generator: np.random.Generator | None = None  # made on first use: numpy.random is slow to import


def _checked(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer, got {seed!r}")
    return int(seed)


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed nnwork's generator (PyTorch's name) and return it."""
    global _generator
    _generator = np.random.default_rng(_checked(seed))
    return _generator


def generator(seed: int | np.random.Generator | None = None) -> np.random.Generator:
    """The generator to draw from: nnwork's own (None), a given one, or a new one from a
    seed (leaving nnwork's own untouched)."""
    global _generator
    if seed is None:
        if _generator is None:
            _generator = np.random.default_rng(0)
        return _generator
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(_checked(seed))
