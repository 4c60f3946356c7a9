"""Which rows each part of a fit may see: a test split, K folds, each member's validation rows.

Honest scores need rows that nothing in training or model selection has looked at. These
functions only deal out row indices, seeded, so every part of nnwork (the fit, the
cross-validation, the ensemble, a sweep) draws the same rows for the same seed, in any process.

Each purpose draws from its own stream (`numpy.random.SeedSequence([seed, purpose])`), so the
test rows do not move when the validation fraction or the number of folds changes, and they
are never the rows the seed alone would shuffle first.
"""

from __future__ import annotations

import numpy as np

from nnwork.data import Dataset

TEST, FOLDS = 0x7E57, 0xF01D  # stream numbers: any fixed, distinct integers


def _stream(seed: int, purpose: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), purpose]))


def test_rows(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(development rows, test rows) of n rows: round(fraction·n) test rows (at least 1 when
    fraction > 0), sorted; ValueError if that leaves fewer than 2 rows to develop on."""
    if not 0 <= fraction < 1:
        raise ValueError(f"the test fraction must be in [0, 1), got {fraction!r}")
    if fraction == 0:
        return np.arange(n), np.arange(0)
    count = max(1, round(fraction * n))
    if n - count < 2:
        raise ValueError(f"a test fraction of {fraction:g} of {n} rows leaves {n - count} to train on; "
                         "give more rows or a smaller --test-fraction")
    order = _stream(seed, TEST).permutation(n)
    return np.sort(order[count:]), np.sort(order[:count])


def folds(n: int, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """K-fold cross-validation of n rows: k (training rows, held-out rows) pairs; every row is
    held out exactly once, the folds' sizes differ by at most one."""
    if not 2 <= k <= n:
        raise ValueError(f"K-fold cross-validation needs 2 ≤ K ≤ the {n} rows, got K = {k}")
    parts = np.array_split(_stream(seed, FOLDS).permutation(n), k)
    return [(np.sort(np.concatenate(parts[:i] + parts[i + 1:])), np.sort(part)) for i, part in enumerate(parts)]

