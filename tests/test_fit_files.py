"""A fit's result on disk and back: the model file and metrics.json `nnwork fit` writes, and
the predictor `nnwork predict` loads from them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nnwork import data, io, nn
from nnwork.fit_files import load_predictor, save_fit
from nnwork.workflow import FitSettings, fit_function, settings_dict


def test_a_saved_fit_loads_back_as_the_same_predictor(tmp_path: Path) -> None:
    result = fit_function(FitSettings(formula="sin(x)*y + 3", domain="-2:2,0:1", epochs=3, samples=256, hidden=[8]))
    written = save_fit(result, tmp_path / "out")
    assert written == [tmp_path / "out" / "model.npz", tmp_path / "out" / "metrics.json"]
    saved = load_predictor(written[0])
    assert (saved.n_inputs, saved.x_names, saved.y_names) == (2, ["x", "y"], ["y1"])
    points = np.random.default_rng(1).uniform(-2, 2, size=(50, 2))
    np.testing.assert_array_equal(saved.predictor(points), result.predictor(points))
    assert saved.training == {**settings_dict(result.settings), "x_names": ["x", "y"], "y_names": ["y1"],
                              "domain_used": [[-2.0, 2.0], [0.0, 1.0]]}
    header = io.load(written[0])
    assert header.metrics == json.loads(json.dumps(result.metrics))
    metrics = json.loads(written[1].read_text())
    assert metrics["settings"] == settings_dict(result.settings) and metrics["description"] == result.description
    assert metrics["history"]["train_loss"] == result.history.train_loss
    assert metrics["validation"] == result.metrics["validation"]


def test_a_csv_fit_keeps_its_column_names(tmp_path: Path) -> None:
    x = np.random.default_rng(0).uniform(0, 1, size=(80, 1))
    data.write_csv(tmp_path / "d.csv", {"t": x[:, 0], "a": 2 * x[:, 0], "b": 10 + x[:, 0]})
    result = fit_function(FitSettings(csv=str(tmp_path / "d.csv"), x_columns="t", y_columns="a,b", epochs=2))
    saved = load_predictor(save_fit(result, tmp_path)[0])
    assert (saved.n_inputs, saved.x_names, saved.y_names) == (1, ["t"], ["a", "b"])
    assert saved.predictor(x).shape == (80, 2)


def test_a_model_file_without_a_standardisation_is_not_a_fit(tmp_path: Path) -> None:
    path = io.save(nn.MLP([2, 3, 1], generator=0), tmp_path / "plain.npz")
    with pytest.raises(ValueError, match=r"plain\.npz holds no standardisation: it was not written by `nnwork fit`"):
        load_predictor(path)
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        load_predictor(tmp_path / "missing.npz")
