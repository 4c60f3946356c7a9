"""Real tables: repeated K-fold cross-validation of nnwork's CLI defaults against simple baselines.

    python benchmarks/realdata.py                        # 5 folds × 2 repeats on every table
    python benchmarks/realdata.py --quick                # CI: 2 folds × 1 repeat, 2 small tables, short caps
    python benchmarks/realdata.py --tables diabetes,engel --folds 5 --repeats 1 --json out.json

The tables are every regression table that ships inside scikit-learn and statsmodels (no
download) with at least 50 rows, plus Friedman #1; each loader's docstring is the one-line
choice of target and inputs (the goal of issue 13). nnwork runs as a user runs it: `nnwork fit
--csv` with its defaults in a fresh process on the training fold written to a CSV, then
`nnwork predict` on the held-out fold, so its seconds include the process start-up (about
0.5–1 s). The baselines run in this process. Everything uses one thread; every method sees the
same seeded folds. A failed fit is reported, never a crash: the command exits 0 whatever the
figures. (Over 300 lines: the twenty table loaders are one line of choice each.)
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

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # before NumPy and scikit-learn load their thread pools

import numpy as np  # noqa: E402

MIN_ROWS = 50
LAGS = 4


@dataclass
class Table:
    name: str
    x: np.ndarray
    y: np.ndarray
    inputs: list[str]
    target: str
    choice: str  # what the target and the inputs are, and why


# ---- the tables ------------------------------------------------------------------------------
def _sm(name: str):  # a statsmodels dataset as a pandas DataFrame
    import importlib

    return importlib.import_module(f"statsmodels.datasets.{name}").load_pandas().data


def _frame(name: str, data, target: str, inputs: list[str], loader: Callable) -> Table:
    data = data[[*inputs, target]].dropna()
    return Table(name, data[inputs].to_numpy(float), data[target].to_numpy(float), inputs, target,
                 (loader.__doc__ or "").strip())


def _lagged(name: str, series, lags: int, loader: Callable, extra: dict | None = None) -> Table:
    """Predict series[t] from series[t-1], …, series[t-lags] (and the same lags of `extra`)."""
    columns = {"": np.asarray(series, float), **{k: np.asarray(v, float) for k, v in (extra or {}).items()}}
    n = len(columns[""])
    x = np.column_stack([values[lags - k:n - k] for values in columns.values() for k in range(1, lags + 1)])
    inputs = [f"{key or 'y'}_lag{k}" for key in columns for k in range(1, lags + 1)]
    return Table(name, x, columns[""][lags:], inputs, "y", (loader.__doc__ or "").strip())


def diabetes() -> Table:
    """scikit-learn: disease progression after one year from age, sex, BMI, blood pressure and six serum measures."""
    from sklearn.datasets import load_diabetes

    d = load_diabetes()
    return Table("diabetes", d.data, d.target, list(d.feature_names), "progression", diabetes.__doc__.strip())


def friedman1() -> Table:
    """make_friedman1: 400 rows, 10 inputs (5 unused), noise σ = 1, seed 0: the best possible R² is about 0.96."""
    from sklearn.datasets import make_friedman1

    x, y = make_friedman1(n_samples=400, n_features=10, noise=1.0, random_state=0)
    return Table("friedman1", x, y, [f"x{i + 1}" for i in range(10)], "y", friedman1.__doc__.strip())


def cancer() -> Table:
    """statsmodels' own choice: cancer deaths from the county's population (a count)."""
    return _frame("cancer", _sm("cancer"), "cancer", ["population"], cancer)


def ccard() -> Table:
    """statsmodels' own choice: average credit-card spending from age, income, income², owning a home."""
    return _frame("ccard", _sm("ccard"), "AVGEXP", ["AGE", "INCOME", "INCOMESQ", "OWNRENT"], ccard)


def co2() -> Table:
    """Mauna Loa weekly CO₂ as monthly means (the weeks have gaps): this month's change from the previous 4 changes."""
    monthly = _sm("co2")["co2"].resample("MS").mean().interpolate()
    return _lagged("co2", monthly.diff().dropna(), LAGS, co2)


def danish_data() -> Table:
    """Johansen's Danish money demand: log real money from log real income, log prices and two interest rates."""
    return _frame("danish_data", _sm("danish_data"), "lrm", ["lry", "lpy", "ibo", "ide"], danish_data)


def elnino() -> Table:
    """Sea temperature per year: December's from January–August of the same year (four months ahead)."""
    months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG"]
    return _frame("elnino", _sm("elnino"), "DEC", months, elnino)


def engel() -> Table:
    """Koenker's Engel curve: household food expenditure from income (statsmodels names them the other way round)."""
    return _frame("engel", _sm("engel"), "foodexp", ["income"], engel)


def fair() -> Table:
    """statsmodels' own choice: time spent in affairs from the eight survey answers (6,366 rows)."""
    data = _sm("fair")
    return _frame("fair", data, "affairs", [c for c in data.columns if c != "affairs"], fair)


def fertility() -> Table:
    """Births per woman by country: 2010 from 1960, 1970, 1980, 1990 and 2000 (countries with a gap left out)."""
    years = {str(year): f"births{year}" for year in (1960, 1970, 1980, 1990, 2000, 2010)}  # `--x 1960`: column 1960
    data = _sm("fertility").rename(columns=years)
    return _frame("fertility", data, "births2010", list(years.values())[:-1], fertility)


def grunfeld() -> Table:
    """Grunfeld's investment equation: gross investment from the firm's market value and capital stock."""
    return _frame("grunfeld", _sm("grunfeld"), "invest", ["value", "capital"], grunfeld)


def interest_inflation() -> Table:
    """German quarterly inflation from its previous 4 quarters and the interest rate's previous 4."""
    data = _sm("interest_inflation")
    return _lagged("interest_inflation", data["Dp"], LAGS, interest_inflation, {"R": data["R"]})


def macrodata() -> Table:
    """US real GDP growth (annualised log change, %) from the previous 4 quarters' growth."""
    growth = 400 * np.diff(np.log(_sm("macrodata")["realgdp"].to_numpy(float)))
    return _lagged("macrodata", growth, LAGS, macrodata)


def nile() -> Table:
    """Annual flow of the Nile at Aswan from the previous 4 years' flows."""
    return _lagged("nile", _sm("nile")["volume"], LAGS, nile)


def randhie() -> Table:
    """statsmodels' own choice: doctor visits from the nine insurance and health inputs; 4,000 of the 20,190 rows (seed 0) keep the run short."""
    data = _sm("randhie").sample(n=4000, random_state=0)
    return _frame("randhie", data, "mdvis", [c for c in data.columns if c != "mdvis"], randhie)


def star98() -> Table:
    """California schools: the fraction of pupils above the national maths median from statsmodels' 20 inputs."""
    from statsmodels.datasets import star98 as source

    loaded = source.load_pandas()
    data = loaded.data.assign(FRACABOVE=loaded.data["NABOVE"] / (loaded.data["NABOVE"] + loaded.data["NBELOW"]))
    return _frame("star98", data, "FRACABOVE", list(loaded.exog_name), star98)


def statecrime() -> Table:
    """statsmodels' own choice: murder rate per US state (51 rows) from urban, poverty, high school, single parents."""
    return _frame("statecrime", _sm("statecrime"), "murder", ["urban", "poverty", "hs_grad", "single"], statecrime)


def strikes() -> Table:
    """statsmodels' own choice: strike duration from industrial production (62 rows)."""
    return _frame("strikes", _sm("strikes"), "duration", ["iprod"], strikes)


def sunspots() -> Table:
    """Yearly sunspot activity from the previous 4 years'."""
    return _lagged("sunspots", _sm("sunspots")["SUNACTIVITY"], LAGS, sunspots)


TABLES = {f.__name__: f for f in (diabetes, friedman1, cancer, ccard, co2, danish_data, elnino, engel, fair,
                                  fertility, grunfeld, interest_inflation, macrodata, nile, randhie, star98,
                                  statecrime, strikes, sunspots)}
QUICK_TABLES = ("diabetes", "engel")
LEFT_OUT = {  # the other bundled tables, and why
    "linnerud, longley, stackloss, copper, cpunish, committee, scotland, spector, china_smoking": "under 50 rows",
    "anes96, modechoice": "categorical targets (party, travel mode): for a classification benchmark",
    "heart": "a censored survival time, not a plain regression target",
    "california_housing and the other fetch_* tables": "downloaded, not shipped",
}


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

    import sklearn  # noqa: F401  (load its thread pools, then hold them to one thread)
    from benchmarks import system

    system.limit_blas(1)
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
    print(report(results, folds, repeats))
    if args.json:
        summary = {n: _mean([_mean(e["methods"][n]["r2"]) for e in results.values()]) for n in METHODS}
        args.json.write_text(json.dumps({"folds": folds, "repeats": repeats, "seed": args.seed, "quick": args.quick,
                                         "tables": results, "mean_r2": summary, "goal": goal_line(results)},
                                        indent=1))
    return 0


if __name__ == "__main__":
    if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
