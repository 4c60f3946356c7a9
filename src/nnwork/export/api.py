"""The Python entry points: `to_onnx`, `to_torch`, `to_numpy`, `to_c`, and `export(source, target, path)`.

`source` is a model file's path, a LoadedModel, a Predictor or a Module. The model is read and
checked (a path through nnwork.io.load, which refuses hostile files) and turned into the
intermediate form before any file is written; every file is written atomically, never onto
the model file itself. Each returns the paths it wrote.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from nnwork.export.files import check_targets
from nnwork.export.sources import prepare

TARGETS = ("onnx", "torch", "numpy", "c")


def _model_path(source: Any) -> str | os.PathLike[str] | None:
    return source if isinstance(source, (str, os.PathLike)) else None


def default_output(model_path: str | os.PathLike[str], target: str) -> Path:
    """Where `nnwork export` writes by default, beside the model: model.onnx, model_torch.py,
    model_numpy.py, model.c."""
    path = Path(model_path)
    return {"onnx": path.with_suffix(".onnx"), "torch": path.with_name(f"{path.stem}_torch.py"),
            "numpy": path.with_name(f"{path.stem}_numpy.py"), "c": path.with_suffix(".c")}[target]


def planned_outputs(target: str, path: str | os.PathLike[str]) -> list[Path]:
    """Every file an export to `target` at `path` writes."""
    path = Path(path)
    if target == "c":
        from nnwork.export.c_file import header_paths

        return list(header_paths(path))
    if target == "torch":
        from nnwork.export.torch_file import weights_path

        return [path, weights_path(path)]
    return [path]


def export(source: Any, target: str, path: str | os.PathLike[str], *, keep_scaling: bool = False,
           real: str = "double") -> list[Path]:
    """Write `source` as `target` ("onnx", "torch", "numpy" or "c") to `path`; returns the files.

    keep_scaling: keep the standardisation as separate steps instead of folding it into the
    first and last layers. real: "double" or "float", for C only.
    """
    if target not in TARGETS:
        raise ValueError(f"`target` must be one of {TARGETS}, got {target!r}")
    if real not in ("double", "float"):
        raise ValueError(f"`real` must be 'double' or 'float', got {real!r}")
    path = Path(path)
    targets = planned_outputs(target, path)
    check_targets(targets, _model_path(source))
    graph = prepare(source, keep_scaling)
    if target == "onnx":
        from nnwork.export.onnx_file import write_onnx

        return write_onnx(graph, path)
    if target == "torch":
        from nnwork.export.torch_file import write_torch

        return write_torch(graph, path)
    if target == "numpy":
        from nnwork.export.numpy_file import write_numpy

        return write_numpy(graph, path)
    from nnwork.export.c_file import write_c

    return write_c(graph, path, real)


def to_onnx(source: Any, path: str | os.PathLike[str], *, keep_scaling: bool = False) -> list[Path]:
    """An ONNX model (opset 17): one input (N, d), one output (N, k), a dynamic batch (needs `onnx`)."""
    return export(source, "onnx", path, keep_scaling=keep_scaling)


def to_torch(source: Any, path: str | os.PathLike[str], *, keep_scaling: bool = False) -> list[Path]:
    """A `.py` defining `load() -> torch.nn.Module`, and its weights beside it as `.safetensors`."""
    return export(source, "torch", path, keep_scaling=keep_scaling)


def to_numpy(source: Any, path: str | os.PathLike[str], *, keep_scaling: bool = False) -> list[Path]:
    """One self-contained `.py` (NumPy only) with `predict(x)` and a CSV filter as `__main__`."""
    return export(source, "numpy", path, keep_scaling=keep_scaling)


def to_c(source: Any, path: str | os.PathLike[str], *, keep_scaling: bool = False, real: str = "double") -> list[Path]:
    """`NAME.c` and `NAME.h` (C99): `void NAME(const T *x, T *y)` and `NAME_batch`, T double or float."""
    return export(source, "c", path, keep_scaling=keep_scaling, real=real)
