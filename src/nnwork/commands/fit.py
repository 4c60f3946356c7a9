"""`nnwork fit`: train a small network on a formula or a CSV, report its errors, save it."""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from nnwork.commands import RunFailed, UsageError
from nnwork.commands import add_threads_option, r_squared, thread_count
from nnwork.commands.progress import ProgressBar
from nnwork.fit_settings import DEFAULT_HIDDEN, DEFAULT_TARGET, FitSettings
from nnwork.nn import ACTIVATIONS
from nnwork.optim.choices import OPTIMIZERS

EXAMPLES = """examples:
  nnwork fit                                   # the built-in default: sin(x)*cos(y) on [-3,3]^2
  nnwork fit "exp(-(x^2+y^2)/2)" --domain -3:3,-3:3
  nnwork fit franke --hidden 32,32 --epochs 300
  nnwork fit franke --optimizer lm --epochs 100
  nnwork fit --csv data.csv --x a,b --y out --out results/
"""


DEFAULTS = FitSettings()


def _sizes(hidden: tuple[int, ...]) -> str:
    return ",".join(str(h) for h in hidden)


def add_parser(subparsers: Any) -> None:
    """The options of `nnwork fit`: one per FitSettings field (under the field's name, with its
    default), and the choices of --optimizer and --activation from their tables."""
    p = subparsers.add_parser(
        "fit", help="fit a network to a formula or a CSV", epilog=EXAMPLES,
        description="Fit a small neural network to G (a formula, a named target or a CSV), print "
        "its errors and write model.npz, metrics.json and figures to --out.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sized: dict[str, list[str]] = {}  # a declared width -> the optimizers that declare it
    for name, choice in OPTIMIZERS.items():
        if choice.cls.needs.hidden:
            sized.setdefault(_sizes(choice.cls.needs.hidden), []).append(name)
    own_hidden = "".join(f"; {sizes} with --optimizer {' or '.join(names)}" for sizes, names in sized.items())
    optimizers = ", ".join(f"{name} ({choice.note})" if choice.note else name for name, choice in OPTIMIZERS.items())
    p.add_argument("formula", nargs="?", help="a formula such as 'sin(x)*cos(y)' or a named target (e.g. franke)")
    p.add_argument("--domain", help="input ranges, e.g. -3:3,-3:3 (default: the target's own)")
    p.add_argument("--csv", help="fit measured data from this CSV file instead of a formula")
    p.add_argument("--x", dest="x_columns", help="input columns of the CSV, by name or 1-based number (default: all but the last)")
    p.add_argument("--y", dest="y_columns", help="output columns of the CSV (default: the last)")
    p.add_argument("--hidden", help=f"hidden layer sizes (default {_sizes(DEFAULT_HIDDEN)}{own_hidden})")
    p.add_argument("--activation", default=DEFAULTS.activation, choices=list(ACTIVATIONS), metavar="NAME",
                   help=f"{', '.join(ACTIVATIONS)} (default %(default)s)")
    p.add_argument("--optimizer", default=DEFAULTS.optimizer, choices=list(OPTIMIZERS), metavar="NAME",
                   help=f"{optimizers} (default %(default)s)")
    p.add_argument("--lr", type=float, default=DEFAULTS.lr, help="learning rate (default: the optimizer's)")
    p.add_argument("--epochs", type=int, default=DEFAULTS.epochs, help="at most this many epochs (default %(default)s)")
    p.add_argument("--batch-size", type=int, default=DEFAULTS.batch_size, help="minibatch size (default %(default)s)")
    p.add_argument("--samples", type=int, default=DEFAULTS.samples,
                   help="training points drawn from a formula (default %(default)s)")
    p.add_argument("--patience", type=int, default=DEFAULTS.patience,
                   help="stop after this many epochs without improvement (default %(default)s)")
    p.add_argument("--target-mse", type=float, default=DEFAULTS.target_mse, help="stop once the validation MSE is this low")
    p.add_argument("--time-budget", type=float, default=DEFAULTS.time_budget, help="stop after this many seconds")
    p.add_argument("--seed", type=int, default=DEFAULTS.seed,
                   help="random seed: the same seed repeats the run bit for bit (default %(default)s)")
    p.add_argument("--test-fraction", type=float, default=DEFAULTS.test_fraction,
                   help="set this fraction of the rows aside before training; only measured (default %(default)s)")
    p.add_argument("--cv", type=int, default=DEFAULTS.cv, help="also K-fold cross-validate the whole fit (K ≥ 2)")
    p.add_argument("--ensemble", type=int, default=DEFAULTS.ensemble,
                   help="train K networks (seeds SEED..SEED+K-1, each its own validation rows) and average them")
    p.add_argument("--jobs", type=int, default=DEFAULTS.jobs,
                   help="processes for ensemble members and folds; the same numbers whatever the count (default %(default)s)")
    p.add_argument("--drop-missing", action="store_true", help="skip CSV rows with an empty cell (and say how many)")
    add_threads_option(p)
    p.add_argument("--out", default="nnwork-out", help="output folder (default %(default)s/)")
    p.add_argument("--checkpoint", help="write a checkpoint here after every epoch")
    p.add_argument("--resume", help="continue from this checkpoint")
    p.add_argument("--no-plots", action="store_true", help="skip the figures")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _settings(args: argparse.Namespace) -> FitSettings:
    """The FitSettings of the parsed options: each field from the option of its name."""
    try:
        hidden = None if args.hidden is None else [int(h) for h in args.hidden.split(",") if h.strip()]
    except ValueError:
        raise UsageError(f"--hidden must be sizes like 64,64, got {args.hidden!r}") from None
    for name in ("epochs", "batch_size", "samples"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    given = vars(args)
    values = {f.name: given[f.name] for f in fields(FitSettings) if f.name in given}
    return FitSettings(**{**values, "hidden": hidden})


PARTS = {"train": "train", "validation": "validation (stopping)", "test": "test", "cv": "cv"}


def results_table(metrics: dict[str, Any]) -> str:
    """The scores per part: train, validation (used for early stopping), test (never seen)
    and cv (K-fold), each with linear least squares' R² beside the network's."""
    linear = metrics.get("linear", {})
    rows = [("", "MSE", "RMSE", "max error", "R²", "linear R²")]
    for part, label in PARTS.items():
        if part not in metrics:
            continue
        m = metrics[part]
        r2 = r_squared(m["r2"]) + (f" ± {m['r2_sd']:.3f}" if m.get("r2_sd") is not None else "")
        lin = linear.get(part)
        lin_r2 = "—" if lin is None else r_squared(lin["r2"]) + (
            f" ± {lin['r2_sd']:.3f}" if lin.get("r2_sd") is not None else "")
        rows.append((label, f"{m['mse']:.3e}", f"{m['rmse']:.3e}", f"{m['max_error']:.3e}", r2, lin_r2))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows)


def _diagnostics(result: Any) -> dict[str, Any]:
    """regression.png and errors.png: predicted against true per split, and the errors."""
    from nnwork.plot.diagnostics import error_histogram, regression

    parts = {"train": result.train, "validation": result.validation, "test": result.test}
    splits = {name: (rows.y[:, 0], result.predictor(rows.x)[:, 0]) for name, rows in parts.items()
              if rows is not None and len(rows)}
    name = result.train.y_names[0] if result.train.y_names else "output"
    return {"regression.png": regression(splits, name), "errors.png": error_histogram(splits, name)}


def run(args: argparse.Namespace) -> int:
    from nnwork.fit_files import save_fit
    from nnwork.training import TrainingDiverged
    from nnwork.fit_job import fit

    settings = _settings(args)
    threads = thread_count(args)
    if settings.formula is None and settings.csv is None:
        print(f"No formula or CSV given: fitting the built-in default target {DEFAULT_TARGET!r} "
              "(sin(x)*cos(y) on [-3,3]^2). See `nnwork fit --help` for your own.")
    bar = None if args.quiet else ProgressBar()
    try:
        result = fit(settings, callbacks=[bar] if bar else [], checkpoint=args.checkpoint, resume=args.resume,
                              threads=threads)
    except TrainingDiverged as error:
        raise RunFailed(str(error)) from None
    except (ValueError, OSError) as error:  # bad formula, domain, CSV, settings, files
        raise UsageError(str(error).replace("\n", " ")) from None
    finally:
        if bar:
            bar.close()
    print(f"Fitted {result.description}")
    model = result.predictor.model
    sizes = getattr(model, "sizes", None) or model[0].sizes  # an Ensemble: its members' shape
    members = f"{len(model)} × " if sizes is not getattr(model, "sizes", None) else ""
    print(f"network {members}{'-'.join(str(s) for s in sizes)} {settings.activation}, "
          f"{result.metrics['parameters']:,} parameters; {result.history.epochs} epochs in "
          f"{result.seconds:.1f} s ({result.history.stop_reason}); best epoch {result.metrics['best_epoch']}")
    if "effective_parameters" in result.metrics:
        print(f"Bayesian regularisation: the data determine {result.metrics['effective_parameters']:.1f} "
              f"of the {result.metrics['parameters']:,} parameters (γ); the prior holds the rest near 0")
    print(f"threads: {result.history.threads.replace('as asked', '--threads')}")
    for note in result.notes:
        print(note)
    print(results_table(result.metrics))
    out = Path(args.out)
    written = save_fit(result, out)
    if not args.no_plots:
        try:
            from nnwork.plot import save_figure
            from nnwork.plot.fitting import comparison, loss_curve

            figures = {"loss.png": loss_curve(result.history.train_loss, result.history.validation_loss),
                       "fit.png": comparison(result.predictor, result.domain, result.target,
                                             (result.train.x, result.train.y), result.description)}
            figures.update(_diagnostics(result))
            written += [save_figure(figure, out / name) for name, figure in figures.items()]
        except ImportError as error:  # the fit itself is saved; only the pictures are missing
            print(f"no figures: {error}")
    print("wrote " + ", ".join(str(p) for p in written))
    sys.stdout.flush()
    return 0
