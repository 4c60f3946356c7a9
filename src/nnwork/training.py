"""The training loop: repeat θ ← θ − η·∂L/∂θ over a dataset, and look after the run.

`fit(model, train, validation)` runs epochs of shuffled mini-batches. Around the one line
that matters (`optimizer.step()`), it measures the validation loss every epoch, keeps the
best weights, stops early when the validation loss stops improving, stops at once when the
loss turns NaN/Inf or explodes (restoring the best weights and saying why), follows a time
budget and a learning-rate schedule, and can write a checkpoint every epoch and resume from
one so that an interrupted run ends exactly where an uninterrupted one would.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from nnwork import functional as F
from nnwork import optim, threads as nnthreads
from nnwork._grad_mode import no_grad
from nnwork.data import batches
from nnwork.nn.module import Module
from nnwork.optim.choices import OPTIMIZERS as OPTIMIZERS, make_optimizer as make_optimizer
from nnwork.tensor import Tensor
from nnwork.training_step import choose_step

LOSSES: dict[str, Callable[..., Tensor]] = {
    "mse": F.mse_loss,
    "l1": F.l1_loss,
    "huber": F.huber_loss,
}
EXPLOSION = 1e6  # a loss this many times the first epoch's is treated as diverging


@dataclass
class History:
    """What happened, epoch by epoch: losses, learning rate, wall-clock seconds."""

    train_loss: list[float] = field(default_factory=list)
    validation_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_epoch: int = -1
    best_loss: float = math.inf
    stop_reason: str = ""
    threads: str = ""  # the threads the large matrix products ran on, and why

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> History:
        return cls(**values)


@dataclass(frozen=True)
class EpochReport:
    """Handed to every callback after each epoch; a callback returning True stops the run."""

    epoch: int  # counted from 1
    epochs: int
    train_loss: float
    validation_loss: float | None
    lr: float
    elapsed: float
    history: History


class TrainingDiverged(RuntimeError):
    """The loss became NaN/Inf or exploded. The best weights were restored; `.history` holds
    the run so far."""

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


def _as_arrays(data: Any, dtype: np.dtype, what: str) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) arrays in the model's dtype, from a Dataset or an (x, y) pair."""
    x, y = (data.x, data.y) if hasattr(data, "x") and hasattr(data, "y") else data
    x, y = np.asarray(x, dtype=dtype), np.asarray(y, dtype=dtype)
    if x.ndim != 2 or y.ndim != 2 or len(x) != len(y) or len(x) == 0:
        raise ValueError(f"`{what}` needs x of shape (N, d) and y of shape (N, k) with N ≥ 1, got {x.shape} and {y.shape}")
    return x, y


def evaluate(model: Module, x: np.ndarray, y: np.ndarray, loss: Callable[..., Tensor], batch_size: int = 65536) -> float:
    """The mean loss of `model` over (x, y), without recording a graph."""
    total = 0.0
    with no_grad():
        for start in range(0, len(x), batch_size):
            xb, yb = x[start : start + batch_size], y[start : start + batch_size]
            total += loss(model(Tensor._wrap(xb)), Tensor._wrap(yb)).item() * len(xb)
    return total / len(x)


def fit(
    model: Module,
    train: Any,
    validation: Any = None,
    *,
    loss: str | Callable[..., Tensor] = "mse",
    optimizer: str | optim.Optimizer = "adam",
    lr: float | None = None,
    epochs: int = 100,
    batch_size: int = 256,
    seed: int = 0,
    schedule: Any = None,
    patience: int | None = None,
    restore_best: bool = True,
    time_budget: float | None = None,
    callbacks: Sequence[Callable[[EpochReport], Any]] = (),
    checkpoint: str | Path | None = None,
    resume: str | Path | None = None,
    threads: int | None = None,
) -> History:
    """Train `model` on `train` (a Dataset or (x, y) arrays) and return the History.

    **Arguments:**
        validation: data measured after every epoch; it decides "best" and early stopping
            (without it, the training loss does).
        loss: "mse" (default), "l1", "huber", or a function (ŷ, y) → scalar Tensor.
        optimizer: a name from OPTIMIZERS (with `lr`) or an optimizer built on the model's
            parameters. Its `needs` decide the step (nnwork.training_step): L-BFGS and
            Levenberg–Marquardt get the full training set as one batch; first-order steps
            are captured once per batch shape and replayed (nnwork.capture): the same
            numbers as eager steps, with less Python work per step.
        epochs, batch_size, seed: the seed fixes the shuffles, so runs repeat bit for bit.
        schedule: an lr scheduler from nnwork.optim.lr_scheduler, stepped once per epoch
            (ReduceLROnPlateau is given the monitored loss).
        patience: stop after this many epochs without improvement (None: never).
        restore_best: end with the weights of the best epoch.
        time_budget: stop after the epoch that passes this many seconds.
        callbacks: called with an EpochReport after each epoch; returning True stops.
        checkpoint: a file written (atomically) after every epoch with everything needed
            to continue: weights, optimizer state, shuffle state, history.
        resume: a checkpoint to continue from; the run then ends bit-identical to one that
            was never interrupted.
        threads: run large matrix products on this many threads (default: the count of
            `nnwork.set_num_threads`, else chosen by timing the steps). Any count gives the
            same numbers (see nnwork.threads); the History says which was used.

    **Raises:** TrainingDiverged when the loss becomes NaN/Inf or explodes.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"`epochs` must be a non-negative integer, got {epochs!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer, got {batch_size!r}")
    if threads is not None:
        nnthreads.check_count(threads, "threads")
    params = model.parameters()
    if not params:
        raise ValueError("the model has no parameters to train")
    dtype = params[0].dtype
    x, y = _as_arrays(train, dtype, "train")
    val = _as_arrays(validation, dtype, "validation") if validation is not None else None
    loss_fn = LOSSES.get(loss) if isinstance(loss, str) else loss
    if loss_fn is None:
        raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(LOSSES)}")
    opt = make_optimizer(optimizer, params, lr) if isinstance(optimizer, str) else optimizer
    run = _Run(model, loss_fn, opt, seed, schedule)
    if resume is not None:
        run.resume(resume)
    asked = threads if threads is not None else nnthreads.fixed()
    run.chooser = nnthreads.ThreadChooser() if asked is None else None
    run.history.threads = "" if asked is None else f"{asked} (as asked)"
    with nnthreads.working(threads), np.errstate(over="ignore", invalid="ignore"):
        # (a diverging run is detected and reported)
        for epoch in range(run.start_epoch, epochs):
            train_loss = run.train_epoch(epoch, x, y, batch_size)
            report = run.end_epoch(epoch, epochs, train_loss, val)
            stop = any([bool(callback(report)) for callback in callbacks])  # a list: every callback runs
            if checkpoint is not None:
                run.save(checkpoint, epoch)
            why = run.why_stop(stop, patience, time_budget)
            if why:
                run.history.stop_reason = why
                break
        else:
            run.history.stop_reason = run.history.stop_reason or "all epochs done"
        if run.chooser is not None:
            run.history.threads = run.chooser.summary()
    if restore_best and run.history.best_epoch >= 0:
        model.load_state_dict(run.best_state)
    return run.history


class _Run:
    """One training run's state, kept between epochs: the shuffle, the history, the best
    weights so far and how long since they improved; all of it goes into a checkpoint."""

    def __init__(self, model: Module, loss_fn: Callable[..., Tensor], opt: optim.Optimizer, seed: int,
                 schedule: Any) -> None:
        self.model, self.loss_fn, self.opt, self.schedule = model, loss_fn, opt, schedule
        self.step = choose_step(model, loss_fn, opt)  # from what the optimizer needs, once
        self.shuffle = np.random.default_rng(seed)
        self.history = History()
        self.best_state = model.state_dict()
        self.stale = 0
        self.start_epoch = 0
        self.started = time.perf_counter()
        self.chooser: nnthreads.ThreadChooser | None = None

    def resume(self, path: str | Path) -> None:
        from nnwork import io

        saved = io.load_checkpoint(path, self.model, self.opt).state
        self.shuffle.bit_generator.state = saved["shuffle"]
        self.history = History.from_dict(saved["history"])
        self.best_state, self.stale, self.start_epoch = saved["best_state"], saved["stale"], saved["epoch"]
        if self.schedule is not None and saved.get("schedule") is not None:
            self.schedule.load_state_dict(saved["schedule"])
        self.started = time.perf_counter() - (self.history.seconds[-1] if self.history.seconds else 0.0)

    def train_epoch(self, epoch: int, x: np.ndarray, y: np.ndarray, batch_size: int) -> float:
        """One pass over the shuffled training set; returns its mean loss."""
        total, count = 0.0, 0
        chooser = self.chooser
        for index in batches(len(x), len(x) if self.step.full_batch else batch_size, self.shuffle):
            if chooser is not None:
                chooser.begin()
            value = self.step(x[index], y[index])
            if chooser is not None:
                chooser.end()
            if not math.isfinite(value):
                raise self.diverged(f"the training loss became {value} in epoch {epoch + 1}")
            total += value * len(index)
            count += len(index)
        train_loss = total / count
        first = self.history.train_loss[0] if self.history.train_loss else math.inf
        if train_loss > EXPLOSION * max(first, 1e-12):
            raise self.diverged(f"the training loss exploded to {train_loss:.3g} in epoch {epoch + 1}")
        return train_loss

    def end_epoch(self, epoch: int, epochs: int, train_loss: float,
                  validation: tuple[np.ndarray, np.ndarray] | None) -> EpochReport:
        """Measure, record, keep the best weights, step the schedule; the epoch's report."""
        history = self.history
        val_loss = evaluate(self.model, *validation, self.loss_fn) if validation is not None else None
        if val_loss is not None and not math.isfinite(val_loss):
            raise self.diverged(f"the validation loss became {val_loss} in epoch {epoch + 1}")
        monitored = val_loss if val_loss is not None else train_loss
        history.train_loss.append(train_loss)
        history.validation_loss.append(math.nan if val_loss is None else val_loss)
        history.lr.append(float(self.opt.param_groups[0].get("lr", math.nan)))
        history.seconds.append(time.perf_counter() - self.started)
        if monitored < history.best_loss:
            history.best_loss, history.best_epoch, self.stale = monitored, epoch, 0
            self.best_state = self.model.state_dict()
        else:
            self.stale += 1
        if isinstance(self.schedule, optim.lr_scheduler.ReduceLROnPlateau):
            self.schedule.step(monitored)
        elif self.schedule is not None:
            self.schedule.step()
        return EpochReport(epoch + 1, epochs, train_loss, val_loss, history.lr[-1], history.seconds[-1], history)

    def why_stop(self, stopped_by_callback: bool, patience: int | None, time_budget: float | None) -> str:
        """Why the run stops after this epoch, or "" to go on."""
        if stopped_by_callback:
            return "stopped by a callback"
        if patience is not None and self.stale >= patience:
            return f"no improvement in {patience} epochs"
        if time_budget is not None and self.history.seconds[-1] >= time_budget:
            return f"time budget of {time_budget:g} s used"
        return ""

    def save(self, path: str | Path, epoch: int) -> None:
        """A checkpoint after `epoch`: everything needed to go on exactly as if never stopped."""
        from nnwork import io

        state = {
            "epoch": epoch + 1,
            "shuffle": self.shuffle.bit_generator.state,
            "history": self.history.to_dict(),
            "best_state": self.best_state,
            "stale": self.stale,
            "schedule": self.schedule.state_dict() if self.schedule is not None else None,
        }
        io.save_checkpoint(path, self.model, self.opt, state=state)

    def diverged(self, why: str) -> TrainingDiverged:
        """The error to raise, after putting the best weights back."""
        self.model.load_state_dict(self.best_state)
        self.history.stop_reason = "diverged"
        rate = self.opt.param_groups[0].get("lr", math.nan)
        return TrainingDiverged(
            f"{why}. The learning rate ({rate:g}) is the likely cause: try {rate / 10:g} or lower "
            f"(or standardise the data). The best weights (epoch {self.history.best_epoch + 1}) were kept.",
            self.history,
        )
