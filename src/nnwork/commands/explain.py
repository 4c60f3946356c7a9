"""`nnwork explain`: gradient descent in 1-D, backpropagation factor by factor, one step."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nnwork.commands import UsageError

EXAMPLES = """examples:
  nnwork explain descent                        # three learning rates on x^4 - 3*x^2 + x
  nnwork explain descent "x^2" --lr 0.1 --x0 3  # every step of one run
  nnwork explain descent "cos(x) + x/4"         # learning rates picked and judged for you
  nnwork explain backprop                       # the five-neuron network, every chain-rule factor
  nnwork explain backprop --mlp 2,3,1 --x 0.3,-0.7 --y 0.5
  nnwork explain step --lr 0.5
"""


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "explain", help="see gradient descent and backpropagation at work", epilog=EXAMPLES,
        description="Show how a network learns: gradient descent on a function of one variable, "
        "backpropagation with every chain-rule factor, and one gradient-descent step.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    topics = p.add_subparsers(dest="topic", metavar="TOPIC", required=True)
    d = topics.add_parser("descent", help="gradient descent x ← x − η·h'(x) on a 1-D function",
                          epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    d.add_argument("formula", nargs="?", help="h(x), e.g. 'x^2' or 'cos(x) + x/4' (default: x^4 - 3*x^2 + x)")
    d.add_argument("--lr", help="learning rate(s) η, e.g. 0.1 or 0.01,0.1,1 (default: three, "
                   "chosen to show each regime)")
    d.add_argument("--x0", type=float, help="starting point (default -2)")
    d.add_argument("--steps", type=int, default=30, help="number of steps (default 30)")
    for name, helptext in (("backprop", "every chain-rule factor of ∂L/∂θ for one sample"),
                           ("step", "one step θ ← θ − η·∂L/∂θ: the loss before and after")):
        b = topics.add_parser(name, help=helptext, epilog=EXAMPLES,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
        b.add_argument("--x", help="the sample's inputs, comma-separated (default 1,-0.5)")
        b.add_argument("--y", help="the sample's target(s) (default 0.9)")
        b.add_argument("--mlp", help="use an MLP of these sizes, e.g. 2,3,1 "
                       "(default: the article's five-neuron network)")
        b.add_argument("--activation", default="tanh", help="the MLP's activation (default tanh)")
        b.add_argument("--seed", type=int, default=0, help="seed of the initial weights (default 0)")
        b.add_argument("--lr", type=float, help="learning rate η of the step (default 2 for the "
                       "five-neuron network, whose sigmoid gradients are small; 0.1 for an MLP)")
    for topic in topics.choices.values():
        topic.add_argument("--out", default="nnwork-out", help="folder for the figure (default nnwork-out/)")
        topic.add_argument("--no-plot", action="store_true", help="print only; draw no figure")


def _numbers(text: str | None, what: str) -> list[float] | None:
    if text is None:
        return None
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise UsageError(f"{what} must be numbers separated by commas, got {text!r}") from None
    if not values:
        raise UsageError(f"{what} needs at least one number, got {text!r}")
    return values


def _descent(args: argparse.Namespace) -> int:
    from nnwork.explain import descent as gd

    lrs = _numbers(args.lr, "--lr")
    if args.steps < 1:
        raise UsageError(f"--steps must be at least 1, got {args.steps}")
    if lrs is not None and any(not lr > 0 for lr in lrs):
        raise UsageError(f"--lr must be positive, got {args.lr}")
    formula = args.formula or gd.DEFAULT_FUNCTION
    x0 = gd.DEFAULT_X0 if args.x0 is None else args.x0
    try:
        if lrs is None and args.formula is None:
            runs = gd.compare_learning_rates(formula, x0, gd.DEFAULT_LEARNING_RATES, args.steps)
        elif lrs is None:
            runs = gd.pick_learning_rates(formula, x0, args.steps)
        else:
            runs = gd.compare_learning_rates(formula, x0, lrs, args.steps)
    except (ValueError, TypeError) as error:
        raise UsageError(str(error).replace("\n", " ")) from None
    print(f"Gradient descent x ← x − η·h'(x) on h(x) = {runs[0].label}, from x0 = {x0:g}; "
          "h'(x) by backpropagation")
    every = 1 if len(runs) == 1 else max(1, args.steps // 10)
    for run in runs:
        print(f"\nη = {run.lr:g}: {gd.classify(run)} ({gd.evidence(run)})")
        print(run.table(every))
    if lrs is None and args.formula is not None:
        print("\n(learning rates tried: " + ", ".join(f"{lr:g}" for lr in gd.LADDER) +
              "; shown: one of each kind found)")
    if not args.no_plot:
        from nnwork.explain.descent_view import descent_panels
        from nnwork.plot import save_figure
        from nnwork.plot.explain import descent_figure

        print(f"\nwrote {save_figure(descent_figure(descent_panels(runs)), Path(args.out) / 'descent.png')}")
    return 0


def _network_and_sample(args: argparse.Namespace) -> tuple[Any, list[float], list[float]]:
    import numpy as np

    from nnwork.explain.backprop import DEFAULT_X, DEFAULT_Y, default_network
    from nnwork.nn import MLP, example_network

    if args.mlp:
        sizes = [int(s) for s in _numbers(args.mlp, "--mlp") or []]
        try:
            model = MLP(sizes, args.activation, generator=args.seed, dtype=np.float64)
        except ValueError as error:
            raise UsageError(str(error)) from None
        x = _numbers(args.x, "--x") or [0.5] * sizes[0]
        y = _numbers(args.y, "--y") or [0.5] * sizes[-1]
    else:
        model = default_network() if args.seed == 0 else example_network(args.seed, np.float64)
        x = _numbers(args.x, "--x") or list(DEFAULT_X)
        y = _numbers(args.y, "--y") or list(DEFAULT_Y)
    return model, x, y


def _backprop(args: argparse.Namespace, walk_too: bool) -> int:
    from nnwork.explain.backprop import walk_backprop
    from nnwork.explain.step import gradient_step

    from nnwork.explain.step import DEFAULT_LR

    model, x, y = _network_and_sample(args)
    lr = args.lr if args.lr is not None else 0.1 if args.mlp else DEFAULT_LR
    if not lr > 0:
        raise UsageError(f"--lr must be positive, got {lr}")
    try:
        walk = walk_backprop(model, x, y) if walk_too else None
        if walk is not None:
            print(walk.format())
            print()
        model, report = gradient_step(model, x, y, lr=lr)
    except ValueError as error:
        raise UsageError(str(error)) from None
    print(report.format())
    if not args.no_plot:
        from nnwork.plot import save_figure
        from nnwork.plot.explain import step_figure

        written = [save_figure(step_figure(report), Path(args.out) / "step.png")]
        if walk is not None:
            from nnwork.plot.graph import graph_figure

            written.insert(0, save_figure(graph_figure(walk), Path(args.out) / "backprop.png"))
        print("\nwrote " + ", ".join(str(p) for p in written))
    return 0


def run(args: argparse.Namespace) -> int:
    if args.topic == "descent":
        return _descent(args)
    return _backprop(args, walk_too=args.topic == "backprop")
