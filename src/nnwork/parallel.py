"""Run independent fits (ensemble members, cross-validation folds, a sweep's settings) at once.

`run_all(function, tasks, jobs)` is `[function(*task) for task in tasks]`, in that order, with
`jobs` worker processes. Every task carries its own seed and data, so a result does not depend
on which process ran it or when: `jobs=2` gives exactly the numbers of `jobs=1` (tested).

The workers come from joblib when it is installed (the optional extra `nnwork[parallel]`):
joblib is the one layer that Dask (`joblib.parallel_config(backend="dask")`), Ray and others
plug into, so the same call runs on a cluster with no change and nnwork needs no scheduler of
its own. Without joblib, `jobs > 1` uses the standard library's process pool (this machine only).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence, TypeVar

Result = TypeVar("Result")
MAX_JOBS = 256


def check_jobs(jobs: int) -> int:
    """`jobs` as a worker count: 1..MAX_JOBS, or -1 for one per CPU."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not (jobs == -1 or 1 <= jobs <= MAX_JOBS):
        raise ValueError(f"--jobs must be from 1 to {MAX_JOBS} (or -1: one per CPU), got {jobs!r}")
    return (os.cpu_count() or 1) if jobs == -1 else jobs


def run_all(function: Callable[..., Result], tasks: Sequence[tuple[Any, ...]], jobs: int = 1,
            backend: bool = False) -> list[Result]:
    """function(*task) for every task, in order, on `jobs` processes. With `backend` the work
    always goes through joblib (whatever backend `joblib.parallel_config` chose), even for
    jobs=1: how `nnwork.sweep` reaches a cluster."""
    jobs = check_jobs(jobs)
    if backend or jobs > 1:
        try:
            import joblib
        except ImportError:
            if backend:
                raise ImportError("nnwork.sweep on a joblib backend needs joblib: "
                                  "pip install 'nnwork[parallel]'") from None
        else:
            return list(joblib.Parallel(n_jobs=None if backend and jobs == 1 else jobs)(
                joblib.delayed(function)(*task) for task in tasks))
    if jobs == 1 or len(tasks) <= 1:
        return [function(*task) for task in tasks]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
        return list(pool.map(function, *zip(*tasks)))
