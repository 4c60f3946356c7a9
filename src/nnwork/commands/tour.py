"""`nnwork tour`: the whole explanation, step by step, as figures, texts and one HTML page."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from nnwork.commands import UsageError

EXAMPLES = """examples:
  nnwork tour                         # English, into nnwork-tour/
  nnwork tour --lang zh --out tour-zh # 中文
"""


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "tour", help="run the whole explanation and write a self-contained HTML page", epilog=EXAMPLES,
        description="Run the explanation end to end (a model is a function, a network of neurons, "
        "towers, the loss, gradient descent, backpropagation, one step, training) and write a "
        "figure per step and tour.html, a single page that works offline.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", default="nnwork-tour", help="output folder (default nnwork-tour/)")
    p.add_argument("--lang", default="en", help="language of the texts: en or zh (default en)")


def run(args: argparse.Namespace) -> int:
    from nnwork.explain.tour import run_tour
    from nnwork.explain.tour_text import LANGUAGES

    if args.lang not in LANGUAGES:
        raise UsageError(f"--lang must be one of {', '.join(LANGUAGES)}, got {args.lang!r}")
    def show(step: Any) -> None:
        print(f"\n{step.title}")
        # Chinese has no spaces to break at: leave its lines to the terminal
        print(textwrap.fill(step.text, width=88) if args.lang == "en" else step.text)
        print(f"  → {step.figure}")
        sys.stdout.flush()

    result = run_tour(args.out, args.lang, progress=show)
    print(f"\nwrote {result.html} ({len(result.steps)} steps, {result.seconds:.1f} s)")
    return 0
