"""`nnwork predict`: run a saved model on points or a CSV and write CSV in original units."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from nnwork.commands import UsageError
from nnwork.commands import add_threads_option, thread_count

EXAMPLES = """examples:
  nnwork predict nnwork-out/model.npz --x 0.5,1.2
  nnwork predict nnwork-out/model.npz --x 0,0 --x 1,1
  nnwork predict nnwork-out/model.npz --csv points.csv --output predictions.csv
  nnwork predict nnwork-out/model.npz --x 0.5,1.2 --std   # a model fitted with --ensemble K
"""


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "predict", help="predict with a saved model", epilog=EXAMPLES,
        description="Evaluate a model saved by `nnwork fit` and write CSV (stdout by default): a "
        "header, the input columns, then one column per output, in the data's original units.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", help="a model file written by `nnwork fit` (model.npz)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--x", action="append", help="one input point, e.g. 0.5,1.2 (repeatable)")
    source.add_argument("--csv", help="a CSV of input points (columns by the model's input names, or all columns)")
    p.add_argument("--std", action="store_true",
                   help="also a standard deviation per prediction (<output>_std): the spread of an ensemble")
    p.add_argument("--output", help="write the CSV here instead of stdout")
    add_threads_option(p)


def _points(text: list[str], n_inputs: int) -> np.ndarray:
    rows = []
    for point in text:
        try:
            values = [float(v) for v in point.split(",")]
        except ValueError:
            raise UsageError(f"--x {point!r}: expected {n_inputs} comma-separated numbers") from None
        if len(values) != n_inputs or not np.all(np.isfinite(values)):
            raise UsageError(f"--x {point!r}: the model takes {n_inputs} finite number(s), got {len(values)}")
        rows.append(values)
    return np.array(rows, dtype=np.float64)


def run(args: argparse.Namespace) -> int:
    from nnwork import data
    from nnwork import threads
    from nnwork.fit_files import load_predictor

    count = thread_count(args)
    if count is not None:
        threads.set_num_threads(count)
    try:
        saved = load_predictor(args.model)
    except (ValueError, OSError) as error:
        raise UsageError(str(error)) from None
    n_inputs, x_names, y_names = saved.n_inputs, saved.x_names, saved.y_names
    if args.x:
        x = _points(args.x, n_inputs)
    else:
        try:
            points = _read_inputs(args.csv, x_names, n_inputs)
        except (ValueError, OSError) as error:
            raise UsageError(str(error)) from None
        x = points
    if args.std:
        try:
            std = saved.predictor.std(x)
        except ValueError as error:
            raise UsageError(f"--std: {args.model}: {error}") from None
    prediction = saved.predictor(x)
    columns = {name: x[:, i] for i, name in enumerate(x_names)}
    for k, name in enumerate(y_names):
        column = name if name not in columns else f"{name}_predicted"
        columns[column] = prediction[:, k]
        if args.std:
            columns[f"{column}_std"] = std[:, k]
    try:
        data.write_csv(args.output if args.output else sys.stdout, columns)
    except OSError as error:
        raise UsageError(str(error)) from None
    return 0


def _read_inputs(path: str, x_names: list[str], n_inputs: int) -> np.ndarray:
    """Input columns from a CSV: by the model's input names when the file has them, else
    the file must have exactly the model's number of columns."""
    from nnwork import data

    try:
        dataset = data.read_csv(path, x=",".join(x_names), y=[])
    except ValueError as by_name:
        try:
            dataset = data.read_csv(path, y=[])
        except ValueError:
            raise by_name from None
    if dataset.n_inputs != n_inputs:
        raise ValueError(f"{path} has {dataset.n_inputs} input column(s); the model takes {n_inputs} ({', '.join(x_names)})")
    return dataset.x
