"""The real tables of benchmarks/realdata.py: every regression table that ships inside
scikit-learn and statsmodels (no download) with at least 50 rows, plus Friedman #1.

Each loader's docstring is its one-line choice of target and inputs; series without a stated
regression (sunspots, nile, …) predict the next value from the previous `LAGS`. A K-fold split
of lagged rows lets neighbouring years sit on both sides of it, as in issue 13's measurements.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

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


def _sm(name: str):  # a statsmodels dataset as a pandas DataFrame
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
    """statsmodels' own choice: doctor visits from the nine insurance and health inputs.

    4,000 of the 20,190 rows (seed 0): all of them would double the full run; fair has 6,366."""
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
