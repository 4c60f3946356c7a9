"""`nnwork export`: a saved model as ONNX, PyTorch, standalone NumPy or C, in the data's units."""

from __future__ import annotations

import argparse
from typing import Any

from nnwork.commands import UsageError

EXAMPLES = """examples:
  nnwork export nnwork-out/model.npz --to onnx                 # nnwork-out/model.onnx
  nnwork export nnwork-out/model.npz --to torch                # model_torch.py + model_torch.safetensors
  nnwork export nnwork-out/model.npz --to numpy --output f.py  # predict(x), or: python f.py < x.csv
  nnwork export nnwork-out/model.npz --to c --output fn.c --float   # fn.c, fn.h: void fn(const float *x, float *y)
"""


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "export", help="write a saved model as ONNX, PyTorch, NumPy or C", epilog=EXAMPLES,
        description="Write a model file as code or a model another tool runs. The exported model takes "
        "and returns the data's own units: the standardisation is folded into the first and last layers "
        "(or kept as separate steps with --keep-scaling). The same model gives the same bytes.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", help="a model file (model.npz)")
    p.add_argument("--to", required=True, choices=("onnx", "torch", "numpy", "c"), help="the target format")
    p.add_argument("--output", help="the file to write (default: beside the model, e.g. model.onnx)")
    p.add_argument("--keep-scaling", action="store_true",
                   help="keep the standardisation as separate steps instead of folding it into the layers")
    p.add_argument("--float", action="store_true", help="C only: compute in float instead of double")


def run(args: argparse.Namespace) -> int:
    from nnwork import export, io

    if args.float and args.to != "c":
        raise UsageError("--float is for --to c only")
    output = args.output or export.default_output(args.model, args.to)
    try:
        saved = io.load(args.model)  # refuses a hostile or broken file before anything is written
        export.check_targets(export.planned_outputs(args.to, output), args.model)
        written = export.export(saved, args.to, output, keep_scaling=args.keep_scaling,
                                real="float" if args.float else "double")
    except (ValueError, OSError) as error:  # ExportError and ModelFileError are ValueErrors
        raise UsageError(str(error)) from None
    for path in written:
        print(f"wrote {path}")
    return 0
