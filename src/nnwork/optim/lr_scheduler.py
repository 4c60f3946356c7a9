"""Learning-rate schedules: `torch.optim.lr_scheduler`'s names, semantics and numbers.

A scheduler sets every group's "lr" when it is made (epoch 0) and at each `step()` (one epoch).
Each uses torch's recursive form, computed from the group's current lr, so the sequences agree
with torch's to the last bit; the closed forms are in the docstrings (η₀ = the initial lr).
Call `optimizer.step()` first, then `scheduler.step()`.
"""

from __future__ import annotations

import copy
import math
import numbers
from typing import Any

from .optimizer import Optimizer


class LRScheduler:
    """Base class: subclasses give `get_lr()`, the new lr of each group at epoch `last_epoch`."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"`optimizer` must be an nnwork Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self) -> None:
        """Advance one epoch and set each group's lr."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last `step()` (or by the constructor)."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's settings and counters as plain data (everything but the optimizer)."""
        return {key: copy.deepcopy(value) for key, value in vars(self).items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a `state_dict()` of the same kind of scheduler, for an optimizer with as many groups."""
        expected = set(vars(self)) - {"optimizer"}
        if not isinstance(state_dict, dict) or set(state_dict) != expected:
            got = set(state_dict) if isinstance(state_dict, dict) else set()
            raise ValueError(
                f"`state_dict` does not fit {type(self).__name__}: missing keys {sorted(expected - got)}, "
                f"unexpected keys {sorted(got - expected)}"
            )
        n_groups = len(self.optimizer.param_groups)
        if len(state_dict["_last_lr"]) != n_groups:
            raise ValueError(
                f"`state_dict` has learning rates for {len(state_dict['_last_lr'])} parameter groups, "
                f"but the optimizer has {n_groups}"
            )
        self.__dict__.update(copy.deepcopy(state_dict))


def _check_int(value: Any, name: str, low: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"`{name}` must be an int >= {low}, got {value!r}")


def _check_real(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number, got {value!r} ({type(value).__name__})")


class StepLR(LRScheduler):
    """Decay by γ every `step_size` epochs: η_t = η₀ · γ^⌊t / step_size⌋."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        _check_int(step_size, "step_size")
        _check_real(gamma, "gamma")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class MultiStepLR(LRScheduler):
    """Decay by γ at each milestone epoch: η_t = η₀ · γ^(number of milestones ≤ t)."""

    def __init__(self, optimizer: Optimizer, milestones: list[int], gamma: float = 0.1) -> None:
        milestones = list(milestones)
        if not all(isinstance(m, numbers.Integral) and not isinstance(m, bool) for m in milestones):
            raise TypeError(f"`milestones` must be a list of ints, got {milestones!r}")
        _check_real(gamma, "gamma")
        self.milestones = sorted(int(m) for m in milestones)  # a repeated milestone decays twice, as in torch
        self.gamma = gamma
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        count = self.milestones.count(self.last_epoch)
        if count == 0:
            return self._current_lrs()
        return [lr * self.gamma**count for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """Decay by γ every epoch: η_t = η₀ · γ^t."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        _check_real(gamma, "gamma")
        self.gamma = gamma
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing (SGDR without restarts): η_t = η_min + (η₀ − η_min)(1 + cos(πt / T_max)) / 2.

    Past T_max it keeps following the cosine, back up towards η₀, as torch's does.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        _check_int(T_max, "T_max")
        _check_real(eta_min, "eta_min")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        t, t_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if (t - 1 - t_max) % (2 * t_max) == 0:  # at a trough the ratio form below would divide by 0
            return [
                lr + (base_lr - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                for base_lr, lr in zip(self.base_lrs, self._current_lrs())
            ]
        ratio = (1 + math.cos(math.pi * t / t_max)) / (1 + math.cos(math.pi * (t - 1) / t_max))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]


class LinearLR(LRScheduler):
    """Scale linearly from `start_factor` to `end_factor` over `total_iters` epochs, then hold:
    η_t = η₀ · (s + (e − s) · min(t, T) / T)."""

    def __init__(
        self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5
    ) -> None:
        _check_real(start_factor, "start_factor")
        _check_real(end_factor, "end_factor")
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or equal to 1 "
                f"(got `start_factor`={start_factor})"
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError(f"Ending multiplicative factor expected to be between 0 and 1 (got `end_factor`={end_factor})")
        _check_int(total_iters, "total_iters")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        s, e, t = self.start_factor, self.end_factor, self.last_epoch
        if t == 0:
            return [lr * s for lr in self._current_lrs()]
        if self._is_initial or t > self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 + (e - s) / (self.total_iters * s + (t - 1) * (e - s))) for lr in self._current_lrs()]


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by `factor` when a metric has not improved for `patience` epochs.

    `step(metric)` once per epoch. "Improved" means below best·(1 − threshold) ("min", "rel"),
    below best − threshold ("min", "abs"), or the mirror images for mode "max". After a
    reduction, `cooldown` epochs pass before bad epochs count again; the lr never goes below
    `min_lr` (a number, or one per group), and changes smaller than `eps` are skipped.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: list[float] | float = 0,
        eps: float = 1e-8,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"`optimizer` must be an nnwork Optimizer, got {type(optimizer).__name__}")
        _check_real(factor, "factor")
        if factor >= 1.0:
            raise ValueError(f"Factor should be < 1.0 (got `factor`={factor})")
        if mode not in ("min", "max"):
            raise ValueError(f"`mode` must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"`threshold_mode` must be 'rel' or 'abs', got {threshold_mode!r}")
        _check_int(patience, "patience", 0)
        _check_int(cooldown, "cooldown", 0)
        _check_real(threshold, "threshold")
        n_groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n_groups:
                raise ValueError(f"expected {n_groups} min_lrs (one per parameter group), got {len(min_lr)}")
            self.min_lrs = list(min_lr)
        else:
            self.min_lrs = [min_lr] * n_groups
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = self._current_lrs()

    def _is_better(self, a: float, best: float) -> bool:
        if self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold) if self.mode == "min" else a > best * (self.threshold + 1.0)
        return a < best - self.threshold if self.mode == "min" else a > best + self.threshold

    def step(self, metrics: float) -> None:  # type: ignore[override]
        """Record this epoch's metric; reduce the lr after more than `patience` bad epochs."""
        current = float(metrics)
        self.last_epoch += 1
        if self._is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in the cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                old_lr = float(group["lr"])
                new_lr = max(old_lr * self.factor, min_lr)
                if old_lr - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = self._current_lrs()
