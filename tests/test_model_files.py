"""Model files written by earlier nnwork still load, mean the same, and save to the same bytes.

tests/data/model_files/ holds files written by the code of the time (see
tests/data/make_model_files.py, which wrote them): MLPs of several activations, every
activation module, a Neuron and a NeuronGraph, LayerNorm and Dropout in a Sequential, the
tower modules, and a two-output fit written by `nnwork fit`. Loading one must give a model
whose outputs are the same bits as the stored ones, and saving it again with its metadata
must write the same archive: the same entries in the same order, each of the same bytes (the
header's JSON, so the architecture, included). Only the zip's timestamps may differ.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nnwork as nw
from nnwork import io

DATA = Path(__file__).parent / "data" / "model_files"
FILES = sorted(p.stem for p in DATA.glob("*.npz") if p.stem != "expected")


def expected() -> dict[str, np.ndarray]:
    with np.load(DATA / "expected.npz") as npz:
        return {name: npz[name] for name in npz.files}


def entries(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def test_the_files_cover_every_kind_of_module() -> None:
    kinds: set[str] = set()

    def walk(description: dict) -> None:
        kinds.add(description["type"])
        for child in description.get("modules", []):
            walk(child)

    for name in FILES:
        walk(io.load(DATA / f"{name}.npz").header["architecture"])
    assert {"MLP", "Sequential", "Linear", "Neuron", "NeuronGraph", "LayerNorm", "Dropout", "Step", "Bump", "Tower",
            "TowerSum", "TowerGrid", "Softplus", "GELU", "ELU", "Hardtanh", "LeakyReLU", "SiLU", "SELU", "LogSigmoid",
            "Identity", "ReLU", "Sigmoid", "Tanh"} <= kinds
    assert set(expected()) == {f"{name}.{part}" for name in FILES for part in "xy"}


@pytest.mark.parametrize("name", FILES)
def test_an_old_file_loads_to_the_same_outputs(name: str) -> None:
    model = io.load(DATA / f"{name}.npz").model.eval()
    x, y = expected()[f"{name}.x"], expected()[f"{name}.y"]
    with nw.no_grad():
        out = model(nw.tensor(x, dtype=model.parameters()[0].dtype)).data
    assert out.dtype == y.dtype and out.shape == y.shape
    # Within a few rounding errors of the output's scale, not bit for bit: NumPy's exp/tanh take
    # different SIMD paths on different CPUs (seen: 1-6e-8 apart on float32 outputs of size 1,
    # between two machines of one kind).
    tolerance = 8 * np.finfo(y.dtype).eps
    np.testing.assert_allclose(out, y, rtol=tolerance, atol=tolerance * max(1.0, float(np.abs(y).max())))


@pytest.mark.parametrize("name", FILES)
def test_saving_a_loaded_file_again_writes_the_same_bytes(tmp_path: Path, name: str) -> None:
    loaded = io.load(DATA / f"{name}.npz")
    again = io.save(loaded.model, tmp_path / "again.npz", standardization=loaded.standardization,
                    training=loaded.training, metrics=loaded.metrics)
    old, new = entries(DATA / f"{name}.npz"), entries(again)
    assert [n for n, _ in new] == [n for n, _ in old]
    assert json.dumps(io.architecture(loaded.model)) == json.dumps(loaded.header["architecture"])
    for (entry, before), (_, after) in zip(old, new):
        assert after == before, f"{name}: entry {entry} differs"


def test_a_fitted_file_keeps_its_metadata() -> None:
    loaded = io.load(DATA / "fit_two_outputs.npz")
    assert loaded.training["y_names"] == ["u", "v"] and loaded.training["x_names"] == ["a", "b"]
    assert set(loaded.standardization) >= {"x_mean", "x_std", "y_mean", "y_std"}
    assert loaded.model.sizes == [2, 8, 8, 2]
