"""What to export from: a model file's path, a LoadedModel, a Predictor or a bare Module.

`prepare(source, keep_scaling)` returns the model's Graph in the data's units (when a
standardisation comes with it) and its metadata: column names, training domain, metrics,
nnwork version. A file's contents are untrusted, so only checked plain values (printable
distinct names, finite numbers, a version of letters, digits and dots) reach the exports.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

from nnwork.export.graph import Graph, with_scaling
from nnwork.export.lowering import lower
from nnwork.nn.module import Module


def prepare(source: Any, keep_scaling: bool = False) -> Graph:
    """The graph of a model file's path, a LoadedModel, a Predictor or a Module, in data units."""
    from nnwork.io import LoadedModel, load

    standardization = training = metrics = None
    version = None
    if isinstance(source, (str, os.PathLike)):
        source = load(source)
    if isinstance(source, LoadedModel):
        model, standardization = source.model, source.standardization
        training, metrics = source.training, source.metrics
        version = source.header.get("nnwork_version")
    elif isinstance(source, Module):
        model = source
    elif isinstance(getattr(source, "model", None), Module) and hasattr(source, "standardizer"):
        model, standardization = source.model, source.standardizer.to_dict()
    else:
        raise TypeError(f"export needs a model file path, a LoadedModel, a Predictor or a Module, "
                        f"got {type(source).__name__}")
    graph = lower(model)
    if standardization is not None:
        from nnwork.data import Standardizer

        s = Standardizer.from_dict(standardization)
        graph = with_scaling(graph, s.x_mean, s.x_std, s.y_mean, s.y_std, keep_scaling)
    training = training or {}
    from nnwork.version import __version__

    graph.metadata = {  # file contents are untrusted: only checked plain values go into exports
        "x_names": _names(training.get("x_names"), "x", graph.n_inputs),
        "y_names": _names(training.get("y_names"), "y", graph.n_outputs),
        "domain": _domain(training.get("domain_used"), graph.n_inputs),
        "metrics": _metrics(metrics),
        "nnwork_version": version if isinstance(version, str) and _VERSION.fullmatch(version) else __version__,
        "model": type(model).__name__,
        "scaling": None if standardization is None else ("separate" if keep_scaling else "folded"),
    }
    return graph


_VERSION = re.compile(r"[0-9A-Za-z.+-]{1,40}")


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _domain(domain: Any, d: int) -> list[list[float]] | None:
    if (isinstance(domain, list) and len(domain) == d
            and all(isinstance(p, list) and len(p) == 2 and all(map(_finite, p)) for p in domain)):
        return [[float(lo), float(hi)] for lo, hi in domain]
    return None


def _metrics(metrics: Any) -> dict[str, dict[str, float]] | None:
    """The train and validation figures (mse, rmse, max_error, r2) that are finite numbers."""
    if not isinstance(metrics, dict):
        return None
    kept = {}
    for part in ("train", "validation"):
        figures = metrics.get(part)
        if isinstance(figures, dict):
            kept[part] = {k: float(figures[k]) for k in ("mse", "rmse", "max_error", "r2") if _finite(figures.get(k))}
    return kept or None


def _names(names: Any, prefix: str, count: int) -> list[str]:
    """The column names, if they are printable and distinct; else x1, x2, ... (y1, ...)."""
    if (isinstance(names, list) and len(names) == count and len(set(names)) == count
            and all(isinstance(n, str) and n and n.isprintable() and len(n) <= 200 for n in names)):
        return list(names)
    return [f"{prefix}{i}" for i in range(1, count + 1)]
