"""Real tables: repeated K-fold cross-validation of nnwork's CLI defaults against simple baselines.

    python benchmarks/realdata.py                        # 5 folds × 2 repeats on every table
    python benchmarks/realdata.py --quick                # CI: 2 folds × 1 repeat, 2 small tables, short caps
    python benchmarks/realdata.py --tables diabetes,engel --folds 5 --repeats 1 --json out.json

The tables (benchmarks/realdata_tables.py) are every regression table that ships inside
scikit-learn and statsmodels with at least 50 rows, plus Friedman #1 (the goal of issue 13).
nnwork runs as a user runs it: `nnwork fit
--csv` with its defaults in a fresh process on the training fold written to a CSV, then
`nnwork predict` on the held-out fold, so its seconds include the process start-up (about
0.5–1 s). The baselines run in this process. Everything uses one thread; every method sees the
same seeded folds. A failed fit is reported, never a crash: the command exits 0 whatever the
figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.realdata_tables import LEFT_OUT, MIN_ROWS, QUICK_TABLES, TABLES, Table  # noqa: E402

__all__ = ["LEFT_OUT", "MIN_ROWS", "QUICK_TABLES", "TABLES", "Table", "cross_validate", "report", "main"]


# ---- the methods -----------------------------------------------------------------------------
@dataclass
class Fold:
    table: Table
    train: np.ndarray  # row indices
    test: np.ndarray
    folder: Path  # an empty temporary folder for this fit


Method = Callable[[Fold, bool], tuple[np.ndarray, float]]  # (fold, quick) -> (test predictions, fit seconds)


def _write_csv(path: Path, header: list[str], rows: np.ndarray) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([[repr(float(v)) for v in row] for row in rows])


def _command(args: list[str], timeout: float) -> float:
    """Run `python -m nnwork ARGS`; its wall-clock seconds, or RuntimeError with the end of stderr."""
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "nnwork", *args], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"nnwork {args[0]} did not finish in {timeout:g} s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise RuntimeError(f"nnwork {args[0]}: {last[:300]}")
    return time.perf_counter() - start


def nnwork_cli(*options: str, timeout: float = 900.0) -> Method:
    """`nnwork fit` with these options (and nothing else but one thread) on the training fold."""

    def run(fold: Fold, quick: bool) -> tuple[np.ndarray, float]:
        t, folder = fold.table, fold.folder
        _write_csv(folder / "train.csv", [*t.inputs, t.target], np.column_stack([t.x[fold.train], t.y[fold.train]]))
        _write_csv(folder / "test.csv", t.inputs, t.x[fold.test])
        caps = ["--epochs", "20"] if quick else []
        seconds = _command(["fit", "--csv", str(folder / "train.csv"), "--x", ",".join(t.inputs), "--y", t.target,
                            "--out", str(folder / "fit"), "--quiet", "--no-plots", "--threads", "1",
                            *options, *caps], timeout)
        _command(["predict", str(folder / "fit" / "model.npz"), "--csv", str(folder / "test.csv"),
                  "--output", str(folder / "predictions.csv"), "--threads", "1"], timeout)
        with open(folder / "predictions.csv", newline="") as handle:
            predictions = np.array([float(row[t.target]) for row in csv.DictReader(handle)])
        return predictions, seconds

    return run


def sklearn_model(build: Callable[[bool], object]) -> Method:
    """A scikit-learn regressor built by `build(quick)`, fitted in this process."""

    def run(fold: Fold, quick: bool) -> tuple[np.ndarray, float]:
        model, t = build(quick), fold.table
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # MLP's ConvergenceWarning: the cap is part of its defaults
            model.fit(t.x[fold.train], t.y[fold.train])  # type: ignore[attr-defined]
        seconds = time.perf_counter() - start
        return np.asarray(model.predict(t.x[fold.test]), float).reshape(-1), seconds  # type: ignore[attr-defined]

    return run


def _linear(quick: bool):
    from sklearn.linear_model import LinearRegression

    return LinearRegression()


def _ridge(quick: bool):  # α by efficient leave-one-out CV over 10⁻³…10³ on standardised inputs
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 25)))


def _mlp(quick: bool):  # scikit-learn's defaults (100 ReLU units, Adam) with early stopping, scaled x and y
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    mlp = MLPRegressor(early_stopping=True, random_state=0, max_iter=20 if quick else 200)
    return TransformedTargetRegressor(regressor=make_pipeline(StandardScaler(), mlp), transformer=StandardScaler())


def _boosted(quick: bool):
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(random_state=0, max_iter=20 if quick else 100)


METHODS: dict[str, Method] = {
    "nnwork": nnwork_cli(),
    "nnwork lm": nnwork_cli("--optimizer", "lm"),
    "nnwork ×5": nnwork_cli("--ensemble", "5"),  # five default fits averaged (issue 13: helped everywhere)
    "linear": sklearn_model(_linear),
    "ridge": sklearn_model(_ridge),
    "MLP": sklearn_model(_mlp),
    "boosted": sklearn_model(_boosted),
}
BEST_SIMPLE = ("linear", "ridge")  # the goal: nnwork ≥ the better of these − 0.01 on every table


# ---- cross-validation ------------------------------------------------------------------------
@dataclass
class Scores:
    r2: list[float | None] = field(default_factory=list)  # one per fold; None when the fit failed
    seconds: list[float | None] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def r2_score(y: np.ndarray, predicted: np.ndarray) -> float:
    """1 − SSE/SST about the held-out fold's own mean (scikit-learn's r2_score)."""
    return float(1 - np.sum((y - predicted) ** 2) / np.sum((y - y.mean()) ** 2))


def cross_validate(table: Table, methods: dict[str, Method], folds: int, repeats: int, seed: int,
                   quick: bool = False) -> dict[str, Scores]:
    """R² on each held-out fold for every method, on the same seeded folds."""
    from sklearn.model_selection import RepeatedKFold

    scores = {name: Scores() for name in methods}
    splitter = RepeatedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    for number, (train, test) in enumerate(splitter.split(table.x), start=1):
        for name, method in methods.items():
            with tempfile.TemporaryDirectory(prefix="nnwork-realdata-") as folder:
                try:
                    predicted, seconds = method(Fold(table, train, test, Path(folder)), quick)
                    if predicted.shape != test.shape or not np.all(np.isfinite(predicted)):
                        raise RuntimeError(f"{predicted.shape} predictions for {len(test)} rows, or not finite")
                    scores[name].r2.append(r2_score(table.y[test], predicted))
                    scores[name].seconds.append(seconds)
                except Exception as error:  # one failed fit is reported, never the end of the run
                    scores[name].r2.append(None)
                    scores[name].seconds.append(None)
                    scores[name].errors.append(f"fold {number}: {type(error).__name__}: {error}")
    return scores


# ---- the report ------------------------------------------------------------------------------
def _ok(values: list[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def _mean(values: list[float | None]) -> float | None:
    kept = _ok(values)
    return sum(kept) / len(kept) if kept else None


def _cell(values: list[float | None], digits: int, spread: bool) -> str:
    kept = _ok(values)
    if not kept:
        return "failed"
    text = f"{np.mean(kept):.{digits}f}" + (f" ± {np.std(kept, ddof=1) if len(kept) > 1 else 0:.{digits}f}"
                                              if spread else "")
    return text + ("*" if len(kept) < len(values) else "")


def report(results: dict[str, dict], folds: int, repeats: int) -> str:
    names = list(METHODS)
    head = f"{'table':<19}{'rows × in':>11}  " + "".join(f"{n:>16}" for n in names)
    lines = [f"R² on the held-out fold, mean ± sd over {folds} folds × {repeats} repeat{'s' * (repeats > 1)} "
             "(the same folds for every method; * = some folds failed, see below)", head]
    for table, entry in results.items():
        shape = f"{entry['rows']} × {entry['inputs']}"
        lines.append(f"{table:<19}{shape:>11}  " + "".join(
            f"{_cell(entry['methods'][n]['r2'], 3, True):>16}" for n in names))
    means = {n: _mean([_mean(e["methods"][n]["r2"]) for e in results.values()]) for n in names}
    lines.append(f"{'mean over tables':<32}" + "".join(f"{'—' if means[n] is None else f'{means[n]:.3f}':>16}"
                                                          for n in names))
    lines.append(goal_line(results))
    lines += ["", "seconds per fit, mean over folds (nnwork: the whole `nnwork fit` command, start-up included; "
              "a shared machine makes these noisy)", head]
    for table, entry in results.items():
        shape = f"{entry['rows']} × {entry['inputs']}"
        lines.append(f"{table:<19}{shape:>11}  " + "".join(
            f"{_cell(entry['methods'][n]['seconds'], 2, False):>16}" for n in names))
    errors = [f"  {table} / {n}: {e}" for table, entry in results.items() for n in names
              for e in entry["methods"][n]["errors"]]
    if errors:
        lines += ["", "failed fits:", *errors]
    lines += ["", "the tables:", *[f"  {t}: {e['choice']}" for t, e in results.items()],
              "left out:", *[f"  {k}: {v}" for k, v in LEFT_OUT.items()]]
    return "\n".join(lines)


def goal_line(results: dict[str, dict]) -> str:
    """How many tables nnwork's default reaches the better of linear and ridge − 0.01 on."""
    reached, missed = [], []
    for table, entry in results.items():
        ours = _mean(entry["methods"]["nnwork"]["r2"])
        simple = [m for m in (_mean(entry["methods"][n]["r2"]) for n in BEST_SIMPLE) if m is not None]
        if ours is not None and simple:
            (reached if ours >= max(simple) - 0.01 else missed).append(table)
    text = f"nnwork default ≥ best of linear/ridge − 0.01 on {len(reached)} of {len(reached) + len(missed)} tables"
    return text + (f" (not on: {', '.join(missed)})" if missed else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 folds × 1 repeat on two small tables, short caps")
    parser.add_argument("--tables", help=f"comma-separated subset of: {', '.join(TABLES)}")
    parser.add_argument("--folds", type=int, help="K of K-fold (default 5; 2 with --quick)")
    parser.add_argument("--repeats", type=int, help="repeats of K-fold with new shuffles (default 2; 1 with --quick)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the folds (default 0)")
    parser.add_argument("--json", type=Path, help="also write every fold's figures here")
    args = parser.parse_args(argv)
    names = args.tables.split(",") if args.tables else list(QUICK_TABLES if args.quick else TABLES)
    unknown = [n for n in names if n not in TABLES]
    if unknown:
        parser.error(f"unknown table(s) {', '.join(unknown)}; choose from {', '.join(TABLES)}")
    folds = args.folds or (2 if args.quick else 5)
    repeats = args.repeats or (1 if args.quick else 2)

    from benchmarks import system

    for variable in system.THREAD_VARIABLES:  # for the OpenMP pool boosted trees load later, and nnwork's processes
        os.environ[variable] = "1"
    system.limit_blas(1)  # for the BLAS already loaded with NumPy
    print(f"nnwork on real tables — {time.strftime('%Y-%m-%d %H:%M:%S')} — {'quick' if args.quick else 'full'}; "
          f"{system.cpu_model()}, {os.cpu_count()} cores, load average {system.load_average()}; one thread each",
          flush=True)
    results: dict[str, dict] = {}
    for name in names:
        start = time.perf_counter()
        try:
            table = TABLES[name]()
        except Exception as error:  # e.g. statsmodels not installed: report and go on
            print(f"  {name}: not loaded ({type(error).__name__}: {error})", file=sys.stderr)
            continue
        if len(table.y) < MIN_ROWS:
            print(f"  {name}: {len(table.y)} rows, under {MIN_ROWS}: left out", file=sys.stderr)
            continue
        scores = cross_validate(table, METHODS, folds, repeats, args.seed, quick=args.quick)
        results[name] = {"rows": len(table.y), "inputs": table.x.shape[1], "target": table.target,
                         "input_names": table.inputs, "choice": table.choice,
                         "methods": {n: vars(s) for n, s in scores.items()}}
        print(f"  {name}: {len(table.y)} × {table.x.shape[1]} done in {time.perf_counter() - start:.0f} s",
              file=sys.stderr, flush=True)
        if args.json:  # after every table, so that a stopped run keeps what it measured
            summary = {n: _mean([_mean(e["methods"][n]["r2"]) for e in results.values()]) for n in METHODS}
            args.json.write_text(json.dumps({"folds": folds, "repeats": repeats, "seed": args.seed,
                                             "quick": args.quick, "tables": results, "mean_r2": summary,
                                             "goal": goal_line(results)}, indent=1))
    print(report(results, folds, repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
