"""`nnwork towers`: build a network of sigmoid towers within ε of a function, by hand, no training.

With no FORMULA it draws the article's pictures instead: one tower, four towers summed, the
4.7 % leak on the tower's arms (and prints it), and why neighbouring towers need corner towers.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nnwork.commands import UsageError

EXAMPLES = """examples:
  nnwork towers                                 # the article's towers, the leak and the tiling figures
  nnwork towers "sin(3*x)" --domain -1:1 --eps 0.01
  nnwork towers sincos --eps 0.1 --out towers-out/
  nnwork towers "x1*x2 + tanh(x3)" --domain -1:1 --cells 8
  nnwork towers --study                         # construction vs training, as in docs/towers.md
"""

# eps, when not given, as a fraction of G's range: towers grow as eps^-d, so more in 3-D
DEFAULT_RELATIVE_EPS = {1: 0.02, 2: 0.05}
DEFAULT_RELATIVE_EPS_HIGHER = 0.2


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "towers", help="approximate a function by a sum of sigmoid towers, built by hand", epilog=EXAMPLES,
        description="Build a network of sigmoid towers within --eps of FORMULA on --domain (no "
        "training), print what it measured and write figures of the target, the approximation "
        "and the error to --out. Without FORMULA: draw the article's tower figures and the leak.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("formula", nargs="?", help="a formula such as 'sin(x)*cos(y)' or a named target (e.g. franke)")
    p.add_argument("--domain", help="input ranges, e.g. -3:3,-3:3 (default: the target's own, else -1:1 each)")
    goal = p.add_mutually_exclusive_group()
    goal.add_argument("--eps", type=float,
                      help="the wanted max error (default: 2%% of G's range in 1-D, 5%% in 2-D, 20%% above)")
    goal.add_argument("--cells", help="build on this grid instead: cells per axis, e.g. 20 or 20,10")
    p.add_argument("--max-neurons", type=int, default=50_000,
                   help="refuse to build more neurons than this (default 50000)")
    p.add_argument("--out", default="nnwork-out", help="output folder for the PNG figures (default nnwork-out/)")
    p.add_argument("--study", action="store_true", help="run the construction-vs-training study instead (about 10 s)")


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if args.study:
        return _study(out)
    if args.formula is None:
        if args.domain or args.eps is not None or args.cells:
            raise UsageError("--domain, --eps and --cells need a FORMULA (or a named target) to approximate")
        return _article(out)
    return _approximate(args, out)


def _target(args: argparse.Namespace) -> tuple[Any, list[tuple[float, float]]]:
    from nnwork import targets
    from nnwork.data import parse_domain

    try:
        G = targets.resolve(args.formula)
        if args.domain is None:
            return G, list(getattr(G, "domain", None) or [(-1.0, 1.0)] * G.n_inputs)
        ranges = len(args.domain.split(","))
        if isinstance(G, targets.Formula) and ranges > G.n_inputs:
            G = targets.resolve(args.formula, n_inputs=ranges)  # e.g. "sin(x)" on a 2-D domain
        return G, parse_domain(args.domain, G.n_inputs)
    except ValueError as error:
        raise UsageError(" ".join(str(error).split())) from None


def _approximate(args: argparse.Namespace, out: Path) -> int:
    import numpy as np

    from nnwork.plot import save_figure
    from nnwork.plot import towers as figures
    from nnwork.towers import approximate
    from nnwork.towers.approximation import estimate_variation, evaluate, measuring_points, net_values
    from nnwork.towers.views import approximation_view

    G, domain = _target(args)
    d = len(domain)
    eps, cells = args.eps, None
    if args.cells:
        try:
            cells = [int(c) for c in args.cells.split(",")]
        except ValueError:
            raise UsageError(f"--cells must be whole numbers like 20 or 20,10, got {args.cells!r}") from None
        cells = cells[0] if len(cells) == 1 else cells
    elif eps is None:
        try:
            spread = estimate_variation(G, domain)[2]
        except ValueError as error:
            raise UsageError(" ".join(str(error).split())) from None
        fraction = DEFAULT_RELATIVE_EPS.get(d, DEFAULT_RELATIVE_EPS_HIGHER)
        eps = fraction * spread if spread > 0 else 1e-3
        print(f"--eps not given: using {eps:.4g}, {fraction:.0%} of G's range {spread:.4g} on the domain")
    try:
        net, report = approximate(G, domain, eps=eps, cells=cells, max_neurons=args.max_neurons)
    except ValueError as error:
        raise UsageError(" ".join(str(error).split())) from None
    print(report)
    try:  # G may still fail on the plotting grid, e.g. 1/x exactly at 0
        if d <= 2:
            drawn = figures.approximation_figures(approximation_view(G, net, domain))
        else:
            points = measuring_points(net)[0]
            sample = points[np.random.default_rng(0).permutation(len(points))[:20_000]]
            errors = net_values(net, sample) - evaluate(G, sample)
            drawn = {"error_histogram": figures.error_histogram_figure(errors, eps)}
    except ValueError as error:
        raise UsageError(" ".join(str(error).split())) from None
    for name, fig in drawn.items():
        print(f"wrote {save_figure(fig, out / f'{name}.png')}")
    return 0


def _article(out: Path) -> int:
    from nnwork.plot import save_figure
    from nnwork.plot import towers as figures
    from nnwork.towers import arm_leak, original_tower, tower
    from nnwork.towers.views import article_surfaces, leak_view, tiling_view

    article = original_tower()
    leak = arm_leak(article)
    fair = arm_leak(tower(article.box, threshold=1.5))
    print(f"the article's tower σ(30(z − 1.1)) keeps {leak:.4f} of its height on its arms ({leak:.1%}): "
          f"σ(30·(1 − 1.1)) = σ(−3)")
    print(f"with the threshold d − ½ = 1.5 the arms keep {fair:.2g}, σ(−15)")
    drawn = {name: figures.surface_figure(*surface) for name, surface in article_surfaces().items()}
    drawn.update(leak=figures.leak_figure(leak_view(article)), tiling=figures.tiling_figure(tiling_view()))
    for name, fig in drawn.items():
        print(f"wrote {save_figure(fig, out / f'{name}.png')}")
    return 0


def _study(out: Path) -> int:
    from nnwork.plot import save_figure
    from nnwork.plot.towers import study_figure
    from nnwork.towers import construction_vs_training, format_rows

    rows = construction_vs_training()
    print(format_rows(rows))
    print(f"wrote {save_figure(study_figure(rows), out / 'study.png')}")
    return 0
