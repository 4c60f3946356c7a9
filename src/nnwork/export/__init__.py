"""Exporting fitted models: ONNX, PyTorch, standalone NumPy and C (and PyTorch weights back in).

    nnwork.export.to_onnx("nnwork-out/model.npz", "model.onnx")
    nnwork.export.to_c(predictor, "model.c", real="float")

Each writer reads one intermediate form (nnwork.export.graph), made by nnwork.export.lowering.
Importing this package imports neither onnx nor torch; each writer imports what it needs.
"""

from nnwork.export.api import to_c as to_c, to_numpy as to_numpy, to_onnx as to_onnx, to_torch as to_torch
from nnwork.export.api import TARGETS as TARGETS, default_output as default_output, export as export
from nnwork.export.api import planned_outputs as planned_outputs
from nnwork.export.files import check_targets as check_targets
from nnwork.export.graph import ExportError as ExportError
from nnwork.export.lowering import export_problem as export_problem
