"""`nnwork.sweep(settings_grid, data)`: many fits of the same data, one row of scores each.

    table = nnwork.sweep({"hidden": [[8], [32, 32]], "optimizer": ["adam", "br"]}, (x, y), cv=5)
    for row in table: print(row["hidden"], row["optimizer"], row["cv_r2"], row["linear_cv_r2"])

A grid is a dict of FitSettings fields to lists of values (every combination, the last field
changing fastest) or a list of dicts (exactly those settings). `base` holds the settings every
fit shares. Each fit is `nnwork.fit_job.fit` on the same rows: the same test rows, folds and
seeds for every setting, so the rows of the table differ only by what the grid changes.

The fits run through joblib (`pip install 'nnwork[parallel]'`), so they run wherever
`joblib.parallel_config` sends them — local processes (`jobs=N`), or a Dask cluster
(`with joblib.parallel_config(backend="dask"):` after making a `distributed.Client`), or Ray
— with no change here, and the same table whatever ran it (tested on a Dask LocalCluster).
A row holds the grid's values and every score, never timings, so tables compare exactly.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any, Mapping, Sequence

import numpy as np

from nnwork import data as nwdata
from nnwork.fit_settings import FitSettings
from nnwork.parallel import run_all

MAX_FITS = 10_000
PARTS = ("train", "validation", "test", "cv")


def _grid(settings_grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    known = {f.name for f in dataclasses.fields(FitSettings)}
    if isinstance(settings_grid, Mapping):
        for name, values in settings_grid.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
                raise TypeError(f"settings_grid[{name!r}] must be a list of values, got {values!r:.60}")
        combos = [dict(zip(settings_grid, values)) for values in itertools.product(*settings_grid.values())]
    else:
        combos = [dict(combo) for combo in settings_grid]
    if not combos or len(combos) > MAX_FITS:
        raise ValueError(f"a sweep needs 1 to {MAX_FITS:,} settings, got {len(combos):,}")
    for combo in combos:
        unknown = sorted(set(combo) - known)
        if unknown:
            raise ValueError(f"unknown setting(s) {unknown}; FitSettings has {sorted(known)}")
    return combos


def _dataset(given: Any) -> nwdata.Dataset:
    if isinstance(given, nwdata.Dataset):
        return given
    if isinstance(given, str):
        return nwdata.read_csv(given)
    x, y = given
    y = np.asarray(y, dtype=np.float64)
    return nwdata.Dataset(x, y.reshape(len(y), -1))


def _one(settings: FitSettings, dataset: nwdata.Dataset, changed: dict[str, Any]) -> dict[str, Any]:
    from nnwork.fit_job import fit

    result = fit(settings, dataset=dataset, threads=1)
    row = dict(changed)
    for part in PARTS:
        if part in result.metrics:
            row[f"{part}_r2"], row[f"{part}_rmse"] = result.metrics[part]["r2"], result.metrics[part]["rmse"]
        linear = result.metrics["linear"].get(part)
        if linear is not None:
            row[f"linear_{part}_r2"] = linear["r2"]
    row["parameters"] = result.metrics["parameters"]
    row["epochs"] = result.history.epochs
    if "effective_parameters" in result.metrics:
        row["effective_parameters"] = result.metrics["effective_parameters"]
    return row


def sweep(settings_grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]], data: Any,
          base: Mapping[str, Any] | None = None, jobs: int = 1, **shared: Any) -> list[dict[str, Any]]:
    """One row of scores per setting of the grid, in the grid's order (see the module doc).

    `data`: a Dataset, (x, y) arrays, or a CSV path. `base` and keyword arguments: settings for
    every fit (e.g. cv=5, test_fraction=0.2). `jobs`: joblib's n_jobs under its default backend;
    under another backend (Dask, Ray) that backend decides.
    """
    combos = _grid(settings_grid)
    dataset = _dataset(data)
    common = {**dict(base or {}), **shared}
    _grid([common])  # unknown names in `base` fail here
    tasks = [(FitSettings(**{**common, **combo, "jobs": 1}), dataset, combo) for combo in combos]
    return run_all(_one, tasks, jobs, backend=True)


def format_table(rows: list[dict[str, Any]]) -> str:
    """The rows as aligned text columns (numbers to 4 significant digits)."""
    if not rows:
        return ""
    columns = list(dict.fromkeys(key for row in rows for key in row))

    def cell(value: Any) -> str:
        return f"{value:.4g}" if isinstance(value, float) else "—" if value is None else str(value)

    cells = [columns] + [[cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    return "\n".join("  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in cells)
