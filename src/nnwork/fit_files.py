"""A fit's result on disk and back: what `nnwork fit` writes and `nnwork predict` reads.

`save_fit(result, folder)` writes

    model.npz     the network, with a header holding its standardisation, the settings that
                  made it (plus the data's column names and the domain used) and its metrics
                  (see docs/model-format.md)
    metrics.json  the metrics, the description, the settings and the whole history

and `load_predictor(path)` turns a model.npz back into a `Predictor` in the data's units,
with the names of its inputs and outputs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnwork import data as nwdata
from nnwork import io
from nnwork.workflow import FitResult, Predictor, settings_dict

MODEL_FILE = "model.npz"
METRICS_FILE = "metrics.json"


def save_fit(result: FitResult, folder: str | os.PathLike[str]) -> list[Path]:
    """Write the model file and metrics.json of `result` into `folder` (made if missing);
    returns the paths written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    settings = settings_dict(result.settings)
    training = {**settings, "x_names": list(result.train.x_names), "y_names": list(result.train.y_names),
                "domain_used": [list(d) for d in result.domain]}
    model = io.save(result.predictor.model, out / MODEL_FILE, standardization=result.predictor.standardizer.to_dict(),
                    training=training, metrics=result.metrics)
    metrics = {**result.metrics, "description": result.description, "settings": settings,
               "history": result.history.to_dict()}
    (out / METRICS_FILE).write_text(json.dumps(metrics, indent=2, default=float) + "\n")
    return [Path(model), out / METRICS_FILE]


@dataclass
class SavedFit:
    """A model file written by `save_fit`, ready to predict with."""

    predictor: Predictor
    n_inputs: int
    x_names: list[str]
    y_names: list[str]
    training: dict[str, Any]  # the settings it was fitted with (empty if the file has none)


def load_predictor(path: str | os.PathLike[str]) -> SavedFit:
    """The predictor in a model file written by `nnwork fit`. ValueError (or OSError) says what
    is wrong with a file that is not one."""
    saved = io.load(path)
    if saved.standardization is None:
        raise ValueError(f"{path} holds no standardisation: it was not written by `nnwork fit`")
    standardization = saved.standardization
    training = saved.training or {}
    n_inputs, n_outputs = len(standardization["x_mean"]), len(standardization["y_mean"])
    x_names = list(training.get("x_names") or [f"x{i}" for i in range(1, n_inputs + 1)])
    y_names = list(training.get("y_names") or [f"y{i}" for i in range(1, n_outputs + 1)])
    predictor = Predictor(saved.model, nwdata.Standardizer.from_dict(standardization))
    return SavedFit(predictor, n_inputs, x_names, y_names, training)
