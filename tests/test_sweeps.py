"""nnwork.sweep: a table of fits, the same locally, on local processes and on a Dask cluster."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnwork
from nnwork import data
from nnwork.sweeps import format_table

GRID = {"hidden": [[4], [8, 8]], "optimizer": ["adam", "br"]}
SHARED = {"epochs": 8, "cv": 2, "test_fraction": 0.2, "batch_size": 32}


def table() -> data.Dataset:
    draw = np.random.default_rng(0)
    x = draw.uniform(-1, 1, size=(60, 2))
    return data.Dataset(x, np.tanh(2 * x[:, :1]) - x[:, 1:] ** 2 + 0.05 * draw.normal(size=(60, 1)))


def test_sweep_gives_one_row_per_setting_in_order() -> None:
    rows = nnwork.sweep(GRID, table(), **SHARED)
    assert [(r["hidden"], r["optimizer"]) for r in rows] == [([4], "adam"), ([4], "br"), ([8, 8], "adam"), ([8, 8], "br")]
    for row in rows:
        assert {"train_r2", "validation_r2", "test_r2", "cv_r2", "linear_test_r2", "linear_cv_r2"} <= set(row)
    assert "effective_parameters" in rows[1] and "effective_parameters" not in rows[0]
    assert rows[0]["parameters"] == 2 * 4 + 4 + 4 + 1
    assert rows[0]["linear_cv_r2"] == rows[3]["linear_cv_r2"]  # the same folds for every setting
    text = format_table(rows)
    assert text.splitlines()[0].split()[:2] == ["hidden", "optimizer"] and len(text.splitlines()) == 5


def test_sweep_on_two_processes_equals_one() -> None:
    assert nnwork.sweep(GRID, table(), jobs=2, **SHARED) == nnwork.sweep(GRID, table(), **SHARED)


def test_sweep_refuses_unknown_settings() -> None:
    with pytest.raises(ValueError, match="unknown setting"):
        nnwork.sweep({"hiden": [[4]]}, table())
    with pytest.raises(ValueError, match="unknown setting"):
        nnwork.sweep({"hidden": [[4]]}, table(), base={"epoch": 3})
    with pytest.raises(TypeError, match="list of values"):
        nnwork.sweep({"optimizer": "adam"}, table())


DASK_RUN = """
import json, sys
import distributed, joblib
sys.path.insert(0, "tests")
import nnwork
from test_sweeps import GRID, SHARED, table
with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \\
        distributed.Client(cluster) as client, joblib.parallel_config(backend="dask"):
    rows = nnwork.sweep(GRID, table(), **SHARED)
    print(json.dumps({"rows": rows, "workers": len(client.scheduler_info()["workers"])}))
"""


def test_sweep_on_a_dask_cluster_gives_the_same_table() -> None:
    """In a process of its own: Dask's imports and threads stay out of the other tests."""
    pytest.importorskip("distributed")
    pytest.importorskip("joblib")
    done = subprocess.run([sys.executable, "-c", DASK_RUN], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr[-2000:]
    on_dask = json.loads(done.stdout.strip().splitlines()[-1])
    assert on_dask["workers"] == 1
    assert on_dask["rows"] == json.loads(json.dumps(nnwork.sweep(GRID, table(), **SHARED)))
