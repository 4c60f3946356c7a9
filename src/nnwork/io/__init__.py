"""Saving and loading models and checkpoints: no pickle, no code executed, never half-written.

    nnwork.io.save(model, "model.npz", metrics={"rmse": 0.01})
    loaded = nnwork.io.load("model.npz")          # loaded.model, loaded.metrics, ...

The file format is described in docs/model-format.md.
"""

from nnwork.io.architecture import architecture as architecture, build as build
from nnwork.io.architecture import register_architecture as register_architecture
from nnwork.io.architecture import reserve_parameters as reserve_parameters
from nnwork.atomic import atomic_write as atomic_write
from nnwork.io.model_file import FORMAT as FORMAT, FORMAT_VERSION as FORMAT_VERSION
from nnwork.io.model_file import Checkpoint as Checkpoint, LoadedModel as LoadedModel
from nnwork.io.model_file import ModelFileError as ModelFileError, load as load
from nnwork.io.model_file import load_checkpoint as load_checkpoint, save as save
from nnwork.io.model_file import save_checkpoint as save_checkpoint
