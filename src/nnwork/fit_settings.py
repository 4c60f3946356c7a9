"""The settings of a fit (`nnwork fit`, `nnwork.workflow.fit_function`) and their defaults.

Kept apart from the job itself (nnwork.workflow) so the command line can read the defaults
without loading the training code: every option of `nnwork fit` takes its default from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

DEFAULT_TARGET = "sincos"


@dataclass
class FitSettings:
    """Everything that decides a fit; stored in the model file as its training config."""

    formula: str | None = None  # a formula or a named target; None with no csv: the default
    domain: str | Sequence[tuple[float, float]] | None = None  # default: the target's own
    csv: str | None = None
    x_columns: str | None = None
    y_columns: str | None = None
    hidden: Sequence[int] | None = None  # default: the optimizer's `needs.hidden`, else DEFAULT_HIDDEN
    activation: str = "tanh"
    optimizer: str = "adam"
    lr: float | None = None
    epochs: int = 500
    batch_size: int = 256
    seed: int = 0
    samples: int = 4096
    validation: float = 0.2  # fraction held out of a CSV
    patience: int | None = 100
    time_budget: float | None = None
    target_mse: float | None = None  # stop once the validation MSE (original units) is this low
    plateau: bool = True  # halve the learning rate when the validation loss stalls
    test_fraction: float = 0.0  # rows set aside before anything else; only measured (nnwork.splits)
    cv: int = 0  # K-fold cross-validated scores when K ≥ 2 (nnwork.fit_job)
    ensemble: int = 1  # members, each with its own seed and validation rows (nnwork.nn.Ensemble)
    jobs: int = 1  # processes for ensemble members and folds (nnwork.parallel); any count, same numbers
    drop_missing: bool = False  # skip CSV rows with an empty cell instead of refusing the file


DEFAULT_HIDDEN = (64, 64)  # unless the optimizer declares its own (Levenberg–Marquardt's is smaller)
