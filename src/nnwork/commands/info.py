"""`nnwork info`: show what a model file holds, without running anything in it."""

from __future__ import annotations

import argparse
import json
from typing import Any

from nnwork.commands import UsageError
from nnwork.commands import r_squared

EXAMPLES = """example:
  nnwork info nnwork-out/model.npz
"""


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "info", help="describe a saved model file", epilog=EXAMPLES,
        description="Print a model file's architecture, parameter count, standardisation, "
        "training settings and metrics.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", help="a model file (model.npz)")
    p.add_argument("--json", action="store_true", help="print the whole header as JSON")


def run(args: argparse.Namespace) -> int:
    from nnwork import io

    try:
        saved = io.load(args.model)
    except (ValueError, OSError) as error:
        raise UsageError(str(error)) from None
    if args.json:
        print(json.dumps(saved.header, indent=2))
        return 0
    header = saved.header
    print(f"{args.model}: nnwork model file, format {header.get('format_version')}, "
          f"written by nnwork {header.get('nnwork_version')}")
    print(f"model: {saved.model!r}")
    from nnwork.export import TARGETS, export_problem

    problem = export_problem(saved.model)
    print(f"export: {problem} (nnwork export refuses it)" if problem else f"export: to {', '.join(TARGETS)} (nnwork export)")
    if saved.standardization:
        s = saved.standardization
        print(f"inputs: {len(s['x_mean'])} (standardised), outputs: {len(s['y_mean'])} (standardised)")
    training = saved.training or {}
    for key in ("formula", "csv", "domain", "hidden", "activation", "optimizer", "lr", "epochs", "batch_size", "seed"):
        if training.get(key) is not None:
            print(f"  {key}: {training[key]}")
    metrics = saved.metrics or {}
    for part in ("train", "validation"):
        if part in metrics:
            m = metrics[part]
            print(f"{part}: MSE {m['mse']:.3e}, max error {m['max_error']:.3e}, R² {r_squared(m['r2'])}")
    return 0
