"""Fit a function end to end: G as a formula or a CSV → data → network → training → report.

This is the job behind `nnwork fit`, usable from Python too:

    result = fit_function(FitSettings(formula="sin(x)*cos(y)", domain="-3:3,-3:3"))
    result.metrics["validation"]["mse"], result.predictor(x)

The network learns in standardised units (inputs and outputs scaled to mean 0, std 1 on the
training rows); the `Predictor` undoes that, so every number reported and every prediction
is in the data's own units.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from nnwork import data as nwdata
from nnwork import optim, targets
from nnwork import threads as nnthreads
from nnwork._grad_mode import no_grad
from nnwork.fit_settings import DEFAULT_HIDDEN as DEFAULT_HIDDEN, DEFAULT_TARGET as DEFAULT_TARGET
from nnwork.fit_settings import FitSettings as FitSettings
from nnwork.optim.choices import make_optimizer, optimizer_class
from nnwork.training import EpochReport, History, fit
from nnwork.nn import MLP, Module
from nnwork.tensor import Tensor

VALIDATION_POINTS = 4096  # at most, on a grid over the domain, for formula targets


def hidden_sizes(settings: FitSettings) -> list[int]:
    """The hidden layer sizes the settings ask for, or the default for their optimizer."""
    if settings.hidden is None:
        return list(optimizer_class(settings.optimizer).needs.hidden or DEFAULT_HIDDEN)
    return [int(h) for h in settings.hidden]


class Predictor:
    """A trained network plus its standardisation: original units in, original units out."""

    def __init__(self, model: Module, standardizer: nwdata.Standardizer) -> None:
        self.model, self.standardizer = model, standardizer

    def __call__(self, x: Any) -> np.ndarray:
        """Predictions (N, k) for inputs x (N, d), both in the data's units."""
        scaled = self.standardizer.transform_x(np.asarray(x, dtype=np.float64))
        dtype = self.model.parameters()[0].dtype
        with no_grad(), nnthreads.working():
            out = self.model(Tensor._wrap(scaled.astype(dtype))).data
        return self.standardizer.inverse_y(out.astype(np.float64))

    def std(self, x: Any) -> np.ndarray:
        """A standard deviation (N, k) per prediction, in the data's units: the members'
        spread for an Ensemble (nnwork.nn.Ensemble). ValueError for a single network."""
        from nnwork.nn import Ensemble

        if not isinstance(self.model, Ensemble):
            raise ValueError("this model has no error bars: fit it with --ensemble K (K ≥ 2)")
        scaled = self.standardizer.transform_x(np.asarray(x, dtype=np.float64))
        dtype = self.model.parameters()[0].dtype
        with nnthreads.working():
            spread = self.model.spread(Tensor._wrap(scaled.astype(dtype))).astype(np.float64)
        assert self.standardizer.y_std is not None
        return spread * self.standardizer.y_std


@dataclass
class FitResult:
    predictor: Predictor
    history: History
    metrics: dict[str, Any]
    train: nwdata.Dataset
    validation: nwdata.Dataset
    target: Callable[[np.ndarray], np.ndarray] | None
    domain: list[tuple[float, float]]
    description: str
    settings: FitSettings
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    test: nwdata.Dataset | None = None  # rows nothing in training or selection saw (nnwork.fit_job)


def measure(predictor: Callable[[np.ndarray], np.ndarray], dataset: nwdata.Dataset) -> dict[str, float | None]:
    """MSE, RMSE, maximum absolute error and R² of `predictor` on `dataset`, original units.
    R² is None for a constant target: 1 − MSE/variance has no meaning with no variance."""
    error = predictor(dataset.x) - dataset.y
    mse = float(np.mean(error**2))
    variance = float(np.mean((dataset.y - dataset.y.mean(axis=0)) ** 2))
    return {
        "mse": mse,
        "rmse": math.sqrt(mse),
        "max_error": float(np.max(np.abs(error))),
        "r2": 1.0 - mse / variance if variance > 0 else None,
    }


def _validation_grid(domain: list[tuple[float, float]]) -> np.ndarray:
    per_axis = max(2, int(VALIDATION_POINTS ** (1 / len(domain))))
    return nwdata.grid(domain, per_axis)


def load_data(settings: FitSettings) -> tuple[nwdata.Dataset, nwdata.Dataset, Any, list[tuple[float, float]], str]:
    """Training and validation data, the target function (None for a CSV), domain, and a
    one-line description. Formula targets train on uniform random points and validate on a
    grid that includes the domain's edges and corners."""
    if settings.csv is not None:
        if settings.formula is not None:
            raise ValueError("give either a FORMULA or --csv, not both")
        dataset = nwdata.read_csv(settings.csv, x=settings.x_columns, y=settings.y_columns)
        train, validation = nwdata.split(dataset, settings.validation, seed=settings.seed)
        if validation is None or len(validation) == 0:
            raise ValueError("the CSV is too small to hold out validation rows; give more rows")
        domain = [(float(lo), float(hi)) for lo, hi in zip(dataset.x.min(axis=0), dataset.x.max(axis=0))]
        names = ", ".join(dataset.x_names) + " → " + ", ".join(dataset.y_names)
        return train, validation, None, domain, f"{settings.csv} ({len(dataset)} rows; {names})"
    spec = settings.formula if settings.formula is not None else DEFAULT_TARGET
    target = targets.resolve(spec)
    n_inputs = target.n_inputs
    if settings.domain is None:
        domain = list(getattr(target, "domain", None) or [(-1.0, 1.0)] * n_inputs)
    elif isinstance(settings.domain, str):
        domain = nwdata.parse_domain(settings.domain, n_inputs)
    else:
        domain = [(float(lo), float(hi)) for lo, hi in settings.domain]
    if len(domain) != n_inputs:
        raise ValueError(f"{spec!r} has {n_inputs} input(s) but the domain gives {len(domain)} ranges")
    ranges = " × ".join(f"[{lo:g}, {hi:g}]" for lo, hi in domain)
    grid = _validation_grid(domain)
    try:
        train = nwdata.sample(target, domain, n=settings.samples, method="uniform", seed=settings.seed)
        validation = nwdata.Dataset(grid, np.asarray(target(grid), dtype=np.float64).reshape(len(grid), -1))
    except targets.NotFiniteError as error:
        raise ValueError(f"{error.where}, inside the domain {ranges}: fit it on a domain where it is "
                         "defined (`domain=`; on the command line --domain LO:HI, one range per input)") from None
    function = lambda x: np.asarray(target(x), dtype=np.float64).reshape(len(x), -1)  # noqa: E731
    described = getattr(target, "description", None)  # a named target says what it is
    label = f"{spec}: {described}" if described else spec
    return train, validation, function, domain, f"{label} on {ranges}"


def build_model(settings: FitSettings, n_inputs: int, n_outputs: int) -> MLP:
    hidden = hidden_sizes(settings)
    if any(h < 1 for h in hidden):
        raise ValueError(f"hidden layer sizes must be positive, got {hidden}")
    dtype = np.dtype(optimizer_class(settings.optimizer).needs.dtype)
    return MLP([n_inputs, *hidden, n_outputs], activation=settings.activation, generator=settings.seed, dtype=dtype)


# The plateau's patience was tuned on the default fit: 20 epochs of 13 minibatches (3,277 rows
# in batches of 256), 260 steps. On fewer rows an epoch is fewer steps, so the patience is kept
# in steps: on 320 rows (2 steps an epoch) 130 epochs, or the rate halves before Adam has
# moved (measured on examples/spring.csv: R² 0.00 with 20 epochs, 0.998 with 130).
PLATEAU_EPOCHS, PLATEAU_STEPS = 20, 260


def plateau_schedule(settings: FitSettings, optimizer: optim.Optimizer, rows: int) -> Any:
    """Halve the learning rate when the validation loss stalls for 260 steps (at least 20
    epochs), if the settings ask for it and the optimizer follows a learning rate (None
    otherwise)."""
    if not (settings.plateau and optimizer.needs.lr_schedule):
        return None
    steps_per_epoch = 1 if optimizer.needs.full_batch else math.ceil(rows / settings.batch_size)
    patience = max(PLATEAU_EPOCHS, math.ceil(PLATEAU_STEPS / steps_per_epoch))
    return optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=patience, min_lr=1e-6)


def fit_function(settings: FitSettings, callbacks: Sequence[Callable[[EpochReport], Any]] = (),
                 checkpoint: str | Path | None = None, resume: str | Path | None = None,
                 threads: int | None = None) -> FitResult:
    """Load the data, build the network, train it, and measure it (see the module doc).
    `threads`: the thread count for large matrix products (None: chosen; see nnwork.threads)."""
    started = time.perf_counter()
    train, validation, target, domain, description = load_data(settings)
    return fit_split(settings, train, validation, target, domain, description, callbacks=callbacks,
                     checkpoint=checkpoint, resume=resume, threads=threads, started=started)


def fit_split(settings: FitSettings, train: nwdata.Dataset, validation: nwdata.Dataset, target: Any,
              domain: list[tuple[float, float]], description: str,
              callbacks: Sequence[Callable[[EpochReport], Any]] = (), checkpoint: str | Path | None = None,
              resume: str | Path | None = None, threads: int | None = None,
              standardizer: nwdata.Standardizer | None = None, started: float | None = None) -> FitResult:
    """Train and measure one network on rows already split (the second half of fit_function;
    nnwork.fit_job calls it once per ensemble member and fold). `standardizer`: a scaling
    fitted elsewhere (an ensemble's members share one), else fitted on `train`."""
    started = time.perf_counter() if started is None else started
    standardizer = standardizer or nwdata.Standardizer().fit(train)
    scaled_train, scaled_validation = standardizer.transform(train), standardizer.transform(validation)
    model = build_model(settings, train.n_inputs, train.n_outputs)
    predictor = Predictor(model, standardizer)
    optimizer = make_optimizer(settings.optimizer, model.parameters(), settings.lr)
    schedule = plateau_schedule(settings, optimizer, len(train))
    stops = list(callbacks)
    if settings.target_mse is not None:
        wanted = settings.target_mse
        stops.append(lambda report: measure(predictor, validation)["mse"] <= wanted)
    history = fit(
        model, (scaled_train.x, scaled_train.y), (scaled_validation.x, scaled_validation.y),
        optimizer=optimizer, epochs=settings.epochs, batch_size=settings.batch_size,
        seed=settings.seed, schedule=schedule, patience=settings.patience,
        time_budget=settings.time_budget, callbacks=stops, checkpoint=checkpoint, resume=resume,
        threads=threads,
    )
    metrics = {
        "train": measure(predictor, train),
        "validation": measure(predictor, validation),
        "epochs": history.epochs,
        "best_epoch": history.best_epoch + 1,
        "stop_reason": history.stop_reason,
        "seconds": time.perf_counter() - started,
        "parameters": model.num_parameters(),
        "threads": history.threads,
    }
    group = optimizer.param_groups[0]
    if group.get("gamma") is not None:  # Bayesian regularisation: how many parameters the data determine
        metrics["effective_parameters"] = group["gamma"]
        metrics["evidence"] = {"alpha": group.get("alpha"), "beta": group.get("beta")}
    return FitResult(predictor, history, metrics, train, validation, target, domain, description,
                     settings, metrics["seconds"])


def settings_dict(settings: FitSettings) -> dict[str, Any]:
    """The settings as JSON-able data (for the model file and metrics.json)."""
    values = asdict(settings)
    values["hidden"] = hidden_sizes(settings)
    if values["domain"] is not None and not isinstance(values["domain"], str):
        values["domain"] = [list(pair) for pair in values["domain"]]
    return values
