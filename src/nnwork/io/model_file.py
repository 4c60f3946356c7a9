"""Model files and checkpoints: one `.npz` format that never executes code (docs/model-format.md).

Longer than 300 lines: writing and reading are one format, side by side, so that every
check on reading faces the write it checks.

A file is a zip of `.npy` entries: `header` (the UTF-8 bytes of a JSON document, as uint8),
`param/<dotted name>` for each parameter, and for checkpoints `optimizer/<n>` and `state/<n>`
for the arrays of the optimizer state and of the user's state. Files are written atomically
(`atomic.atomic_write`) and read with `np.load(..., allow_pickle=False)` only; every way a file
can be wrong is reported as one `ModelFileError` naming the file and the problem.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

import numpy as np

from nnwork import limits
from nnwork.io.architecture import architecture, build, is_registered
from nnwork.atomic import atomic_write
from nnwork.io.tree import pack_tree, to_json, unpack_tree
from nnwork.nn.module import Module
from nnwork.version import __version__

FORMAT = "nnwork-model"
FORMAT_VERSION = 1
KINDS = ("model", "checkpoint")
METADATA = ("standardization", "training", "metrics")
_PREFIXES = ("param/", "optimizer/", "state/")  # every entry but the header starts with one
_READ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, KeyError)


class ModelFileError(ValueError):
    """A model or checkpoint file that cannot be loaded; the message names the file and why."""


@dataclass
class LoadedModel:
    """What `load` returns: the rebuilt model and the metadata saved with it."""

    model: Module
    standardization: dict[str, Any] | None
    training: dict[str, Any] | None
    metrics: dict[str, Any] | None
    header: dict[str, Any]


@dataclass
class Checkpoint(LoadedModel):
    """What `load_checkpoint` returns: also the restored optimizer (or its raw state) and `state`."""

    optimizer: Any = None
    optimizer_state: dict[str, Any] | None = None
    state: dict[str, Any] | None = None


# ---- saving ------------------------------------------------------------------------------------
def save(
    model: Module,
    path: str | os.PathLike[str],
    *,
    standardization: dict[str, Any] | None = None,
    training: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
) -> Path:
    """Write `model` (architecture and parameters) and its metadata to `path`, atomically.

    The metadata are JSON objects (NumPy arrays in them are saved as lists). `path` is used as
    given, whatever its suffix. Returns `path` as a Path.
    """
    _check_model(model)
    header = _header("model", architecture(model), standardization, training, metrics)
    return _write(path, header, _parameters(model))


def save_checkpoint(
    path: str | os.PathLike[str],
    model: Module,
    optimizer: Any = None,
    *,
    state: dict[str, Any] | None = None,
    standardization: dict[str, Any] | None = None,
    training: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
) -> Path:
    """Write everything needed to continue training: the model, `optimizer.state_dict()`, and
    `state` (plain data: epoch, history lists, NumPy arrays, a Generator's `bit_generator.state`).

    A model whose type is not registered is saved without an architecture; `load_checkpoint`
    then needs the model passed in.
    """
    _check_model(model)
    arrays = _parameters(model)
    header = _header("checkpoint", architecture(model) if is_registered(type(model)) else None,
                     standardization, training, metrics)
    if optimizer is not None:
        if not callable(getattr(optimizer, "state_dict", None)):
            raise TypeError(f"`optimizer` must have a state_dict() method, got {type(optimizer).__name__}")
        tree, optimizer_arrays = pack_tree(optimizer.state_dict(), "optimizer")
        header["optimizer"] = {"type": type(optimizer).__name__, "state_dict": tree}
        arrays.update(optimizer_arrays)
    if state is not None:
        if not isinstance(state, dict):
            raise TypeError(f"`state` must be a dict or None, got {type(state).__name__}")
        header["state"], state_arrays = pack_tree(state, "state")
        arrays.update(state_arrays)
    return _write(path, header, arrays)


def _check_model(model: Any) -> None:
    if not isinstance(model, Module):
        raise TypeError(f"`model` must be an nnwork Module, got {type(model).__name__}")


def _parameters(model: Module) -> dict[str, np.ndarray]:
    return {f"param/{name}": p.data for name, p in model.named_parameters()}


def _header(kind: str, arch: dict[str, Any] | None, *metadata: Any) -> dict[str, Any]:
    header = {"format": FORMAT, "format_version": FORMAT_VERSION, "nnwork_version": __version__, "kind": kind,
              "architecture": arch}
    for name, value in zip(METADATA, metadata):
        if value is not None and not isinstance(value, dict):
            raise TypeError(f"`{name}` must be a dict of JSON data or None, got {type(value).__name__}")
        header[name] = None if value is None else to_json(value, f"`{name}`")
    return header


def _write(path: str | os.PathLike[str], header: dict[str, Any], arrays: dict[str, np.ndarray]) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a str or os.PathLike, got {type(path).__name__}")
    text = json.dumps(header, allow_nan=True)  # ASCII, so valid UTF-8 whatever the strings
    entries = {"header": np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **arrays}

    def write(file: BinaryIO) -> None:  # what np.savez does, minus pickle and the ".npz" suffix
        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for name, array in entries.items():
                with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)

    return atomic_write(path, write)


# ---- loading -----------------------------------------------------------------------------------
def load(path: str | os.PathLike[str]) -> LoadedModel:
    """Rebuild the model saved at `path` (by `save` or `save_checkpoint`), with its metadata.

    Raises FileNotFoundError if there is no file, ModelFileError if it is not a valid model file.
    """
    contents = _Contents(Path(path))
    model = contents.build()
    contents.restore(model)
    return LoadedModel(model, *contents.metadata(), header=contents.header)


def load_checkpoint(path: str | os.PathLike[str], model: Module | None = None, optimizer: Any = None) -> Checkpoint:
    """Restore a `save_checkpoint` file: the parameters into `model` in place (or a new model
    built from the file), the optimizer state into `optimizer` via its `load_state_dict`.

    Returns a Checkpoint with `.model`, `.optimizer`, `.state` (the saved user state) and the
    metadata. Nothing is changed if any check fails.
    """
    if model is None and optimizer is not None:
        raise ValueError("`optimizer` was given without `model`: pass the model whose parameters it updates")
    contents = _Contents(Path(path))
    if model is None:
        model = contents.build()
    else:
        _check_model(model)
        saved = contents.header["architecture"]
        if saved is not None and is_registered(type(model)) and architecture(model) != saved:
            contents.fail(f"it was saved from the architecture {saved}, but the model is {architecture(model)}")
    contents.check_parameters(model)
    if optimizer is not None:
        if contents.optimizer is None:
            contents.fail("it holds no optimizer state")
        saved_type = contents.header["optimizer"]["type"]
        if saved_type != type(optimizer).__name__:
            contents.fail(f"it holds the state of a {saved_type} optimizer, not of a {type(optimizer).__name__}")
        try:
            optimizer.load_state_dict(contents.optimizer)
        except (ValueError, TypeError, KeyError) as exc:
            contents.fail(f"its optimizer state does not fit the given optimizer: {exc}", exc)
    contents.restore(model)
    return Checkpoint(model, *contents.metadata(), header=contents.header, optimizer=optimizer,
                      optimizer_state=contents.optimizer, state=contents.state)


class _Contents:
    """A file read and checked: its header, parameter arrays, optimizer state and user state."""

    def __init__(self, path: Path) -> None:
        self.path = path
        arrays = self._read_entries()
        self.header = self._parse_header(arrays.pop("header", None), sorted(arrays))
        self.params = {k[len("param/"):]: arrays.pop(k) for k in list(arrays) if k.startswith("param/")}
        used: set[str] = set()
        self.optimizer = self._unpack("optimizer", arrays, used)
        self.state = self._unpack("state", arrays, used)
        if self.state is not None and not isinstance(self.state, dict):
            self.fail(f"its `state` must be a JSON object, got {type(self.state).__name__}")
        if set(arrays) - used:
            self.fail(f"it has unexpected entries {sorted(set(arrays) - used)[:10]}")

    def fail(self, problem: str, cause: BaseException | None = None) -> NoReturn:
        raise ModelFileError(f"{self.path}: {problem}") from cause

    def _read_entries(self) -> dict[str, Any]:
        with open(self.path, "rb") as file:  # FileNotFoundError names the path
            start = file.read(6)
            if start == b"\x93NUMPY":
                self.fail("not an nnwork model file (a single .npy array, not an .npz archive)")
            if start[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):
                self.fail(f"not an nnwork model file (not a .npz archive: it starts with {start[:4]!r})")
            file.seek(0)
            try:
                npz = np.load(file, allow_pickle=False)
            except _READ_ERRORS as exc:
                self.fail(f"not an nnwork model file (not a complete .npz/zip archive: {exc})", exc)
            with npz:
                self._check_sizes({name: self._declared_size(npz, name) for name in npz.files})
                arrays = {}
                for name in npz.files:
                    try:
                        arrays[name] = npz[name]
                    except _READ_ERRORS as exc:
                        self.fail(f"its entry {name!r} cannot be read: {exc}", exc)
                    if not isinstance(arrays[name], np.ndarray):
                        self.fail(f"its entry {name!r} is not a NumPy array")
        return arrays

    def _declared_size(self, npz: Any, name: str) -> int:
        """The number of values an entry's .npy header declares, read without inflating the
        entry; one that claims more bytes than its zip member holds is refused (a forged
        shape of 10¹³ would otherwise raise MemoryError)."""
        member = f"{name}.npy"  # np.load's names drop the suffix
        if member not in npz.zip.namelist():
            return 0
        with npz.zip.open(member) as file:
            try:
                version = np.lib.format.read_magic(file)
                readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
                if version not in readers:
                    return 0  # NumPy itself reports what it cannot read
                shape, _, dtype = readers[version](file)
            except _READ_ERRORS as exc:
                self.fail(f"its entry {name!r} cannot be read: {exc}", exc)
        values = math.prod(shape)
        claimed, held = values * dtype.itemsize, npz.zip.getinfo(member).file_size
        if claimed > held:
            self.fail(f"its entry {name!r} claims {claimed:,} bytes of {dtype} {shape}, but holds {held:,}")
        return values if dtype.itemsize else 0

    def _check_sizes(self, declared: dict[str, int]) -> None:
        """Refuse, before inflating anything, a file larger than any model nnwork builds
        (nnwork.limits): its parameters, its state and its header."""
        def total(prefix: str) -> int:
            return sum(n for name, n in declared.items() if name.startswith(prefix))

        if "header" not in declared:
            self.fail(f"not an nnwork model file (no 'header' entry; it holds {sorted(declared)[:10]})")
        unknown = sorted(name for name in declared if name != "header" and not name.startswith(_PREFIXES))
        if unknown:
            self.fail(f"it has unexpected entries {unknown[:10]}")

        for what, values, limit in (
            ("parameter values", total("param/"), limits.MAX_PARAMETERS),
            ("optimizer-state values", total("optimizer/"), limits.MAX_STATE_VALUES),
            ("state values", total("state/"), limits.MAX_STATE_VALUES),
            ("header bytes", declared.get("header", 0), limits.MAX_HEADER_BYTES),
        ):
            if values > limit:
                self.fail(f"it declares {values:,} {what}, more than nnwork loads ({limit:,}: "
                          "nnwork.limits); refused before reading it")

    def _parse_header(self, raw: Any, entries: list[str]) -> dict[str, Any]:
        if raw is None:
            self.fail(f"not an nnwork model file (no 'header' entry; it holds {entries[:10]})")
        if raw.dtype != np.uint8 or raw.ndim != 1:
            self.fail(f"its header must be a 1-D uint8 array, got {raw.dtype} of shape {raw.shape}")
        try:
            header = json.loads(raw.tobytes().decode("utf-8"))
        except RecursionError as exc:
            self.fail("its header is nested too deeply to be read", exc)
        except ValueError as exc:
            self.fail(f"its header is not UTF-8 JSON: {exc}", exc)
        if not isinstance(header, dict):
            self.fail(f"its header must be a JSON object, got {type(header).__name__}")
        if header.get("format") != FORMAT:
            self.fail(f"not an nnwork model file (format {header.get('format')!r:.50}, expected {FORMAT!r})")
        version = header.get("format_version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            self.fail(f"its format_version must be a positive integer, got {version!r:.50}")
        if version > FORMAT_VERSION:
            self.fail(f"it has format_version {version}, written by a newer nnwork "
                      f"(this one reads up to {FORMAT_VERSION}): upgrade nnwork to load it")
        if header.get("kind") not in KINDS:
            self.fail(f"its kind must be one of {KINDS}, got {header.get('kind')!r:.50}")
        arch = header.get("architecture")
        if not (isinstance(arch, dict) or (arch is None and header["kind"] == "checkpoint")):
            self.fail(f"its architecture must be a JSON object, got {type(arch).__name__}")
        for name in METADATA:
            if not isinstance(header.get(name), (dict, type(None))):
                self.fail(f"its {name} must be a JSON object or null, got {type(header[name]).__name__}")
        return header

    def _unpack(self, key: str, arrays: dict[str, np.ndarray], used: set[str]) -> Any:
        tree = self.header.get(key)
        if tree is None:
            return None
        if self.header["kind"] != "checkpoint":
            self.fail(f"a {self.header['kind']} file must not hold {key!r}")
        if key == "optimizer":
            if not (isinstance(tree, dict) and set(tree) == {"type", "state_dict"} and isinstance(tree["type"], str)):
                self.fail(f"its optimizer must be {{'type': name, 'state_dict': ...}}, got {tree!r:.80}")
            tree = tree["state_dict"]
        try:
            own = {k: v for k, v in arrays.items() if k.startswith(f"{key}/")}
            return unpack_tree(tree, own, used, key)
        except (ValueError, RecursionError) as exc:
            return self.fail(f"its {key} cannot be read: {exc}", exc)

    def metadata(self) -> tuple[Any, ...]:
        return tuple(self.header.get(name) for name in METADATA)

    def build(self) -> Module:
        """The model the header describes. A header claiming far more parameters than the file
        holds is refused before anything is allocated; a million values of slack let a slightly
        wrong file reach `check_parameters`, which says exactly what is missing."""
        if self.header["architecture"] is None:
            self.fail("it was saved without an architecture (the model type was not registered): "
                      "pass the model, load_checkpoint(path, model)")
        budget = 2 * sum(a.size for a in self.params.values()) + 1_000_000
        try:
            return build(self.header["architecture"], max_parameters=budget)
        except RecursionError as exc:
            return self.fail("its architecture is nested too deeply to be built", exc)
        except (ValueError, TypeError) as exc:
            return self.fail(f"its architecture cannot be built: {exc}", exc)

    def check_parameters(self, model: Module) -> None:
        """Every parameter of `model` is in the file with its shape and dtype, and nothing else."""
        expected = dict(model.named_parameters())
        missing, extra = sorted(expected.keys() - self.params.keys()), sorted(self.params.keys() - expected.keys())
        if missing or extra:
            self.fail(f"its parameters do not fit the {type(model).__name__}: missing {missing[:10]}, "
                      f"unexpected {extra[:10]}")
        for name, p in expected.items():
            array = self.params[name]
            if array.shape != p.data.shape or array.dtype.newbyteorder("=") != p.data.dtype:
                self.fail(f"its parameter {name!r} is {array.dtype} of shape {array.shape}, but the "
                          f"{type(model).__name__} needs {p.data.dtype} of shape {p.data.shape}")

    def restore(self, model: Module) -> None:
        self.check_parameters(model)
        model.load_state_dict(self.params)
