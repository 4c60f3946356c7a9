"""The optimizers offered by name, each with the settings it fits functions with.

This is the one table of names: `nnwork.fit(optimizer="adam")`, `FitSettings.optimizer` and
the choices of `nnwork fit --optimizer` all read it. What each optimizer needs from the
training loop is declared by its class (`needs`, see nnwork.optim.needs), not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .adam import Adam
from .adamw import AdamW
from .lbfgs import LBFGS
from .lm import LevenbergMarquardt
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD


@dataclass(frozen=True)
class Choice:
    """An optimizer class, the settings it gets when chosen by name, and a note for --help."""

    cls: type[Optimizer]
    settings: dict[str, Any] = field(default_factory=dict)
    note: str = ""


OPTIMIZERS: dict[str, Choice] = {
    "adam": Choice(Adam, {"lr": 3e-3}),
    "adamw": Choice(AdamW, {"lr": 3e-3}),
    "sgd": Choice(SGD, {"lr": 1e-2, "momentum": 0.9}),
    "rmsprop": Choice(RMSprop, {"lr": 1e-3}),
    "lbfgs": Choice(LBFGS, {"lr": 1.0, "max_iter": 20, "history_size": 50, "line_search_fn": "strong_wolfe"}),
    "lm": Choice(LevenbergMarquardt, {}, "Levenberg–Marquardt: small networks, least squares"),
    "br": Choice(LevenbergMarquardt, {"regularization": "bayes"},
                 "Bayesian-regularised Levenberg–Marquardt: noisy data, the weights' pull to zero learned"),
}


def optimizer_class(name: str) -> type[Optimizer]:
    """The class of the optimizer called `name`; ValueError naming the choices if none is."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}")
    return OPTIMIZERS[name].cls


def make_optimizer(name: str, params: Sequence[Any], lr: float | None = None) -> Optimizer:
    """An optimizer by name ("adam", "sgd", "lbfgs", ...) with its settings for fitting;
    `lr` replaces the learning rate, for an optimizer that has one."""
    cls = optimizer_class(name)
    settings = dict(OPTIMIZERS[name].settings)
    if lr is not None:
        if not cls.needs.learning_rate:
            raise ValueError(f"{cls.title} has no learning rate ({cls.needs.no_learning_rate}); drop --lr")
        settings["lr"] = lr
    return cls(list(params), **settings)
