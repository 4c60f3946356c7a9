"""The whole fit job with honest scores: test rows, members, folds, and the linear baseline.

`nnwork.workflow.fit_function` trains one network on one split. This is what `nnwork fit` runs
around it:

1. **Test rows first.** `test_fraction` of a CSV's rows are set aside before anything else
   (nnwork.splits): no training step, no early stop, no choice of model sees them; they are
   only measured at the end. (For a formula: fresh points drawn with another seed.)
2. **Members.** `ensemble` K ≥ 2 trains K networks, member k with seed + k and its own
   validation rows drawn from the rest, and predicts their mean (nnwork.nn.Ensemble); one
   scaling, fitted on all the non-test rows, is shared. K = 1 is today's single fit, exactly.
3. **Folds.** `cv` K ≥ 2 repeats steps 2 on K-fold splits of the non-test rows and scores each
   on its held-out fold: a cross-validated score, mean ± sd over the folds.
4. **The simple answer.** Linear least squares (nnwork.linear) is fitted on the same rows and
   scored on the same test rows and folds, so every report shows it beside the network.

Members and folds are independent tasks, each with its own seed and rows, run on `jobs`
processes (nnwork.parallel) with the same numbers as one by one. The score names say what
saw what: "train" (the rows fitted), "validation" (the rows used to stop, so optimistic),
"test" and "cv" (rows nothing chose with).
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from nnwork import data as nwdata
from nnwork import splits
from nnwork.linear import linear_network
from nnwork.nn import Ensemble
from nnwork.parallel import check_jobs, run_all
from nnwork.training import EpochReport, History
from nnwork.workflow import FitResult, FitSettings, Predictor, build_model, fit_split, hidden_sizes, load_data, measure

MAX_MEMBERS, MAX_FOLDS = 64, 50
TEST_SEED_OFFSET = 1_000_003  # a formula's test points: a seed no member trains with


Member = tuple[FitSettings, nwdata.Dataset, nwdata.Dataset, "nwdata.Standardizer | None", "int | None"]


def check(settings: FitSettings, checkpoint: Any = None) -> None:
    """ValueError naming the option for counts out of range, before any work."""
    if isinstance(settings.ensemble, bool) or not isinstance(settings.ensemble, int) \
            or not 1 <= settings.ensemble <= MAX_MEMBERS:
        raise ValueError(f"--ensemble must be from 1 to {MAX_MEMBERS}, got {settings.ensemble!r}")
    if isinstance(settings.cv, bool) or not isinstance(settings.cv, int) or settings.cv == 1 \
            or not 0 <= settings.cv <= MAX_FOLDS:
        raise ValueError(f"--cv must be 0 (none) or from 2 to {MAX_FOLDS}, got {settings.cv!r}")
    if not isinstance(settings.test_fraction, (int, float)) or not 0 <= settings.test_fraction < 1:
        raise ValueError(f"--test-fraction must be in [0, 1), got {settings.test_fraction!r}")
    check_jobs(settings.jobs)
    if checkpoint is not None and settings.ensemble > 1:
        raise ValueError("--checkpoint/--resume follow one network: not with --ensemble")


def small_table_width(settings: FitSettings, n_inputs: int, n_outputs: int,
                      rows: int) -> tuple[list[int], str] | None:
    """For a default-sized network with more parameters than training rows: the widest layers
    of the same shape (at least 2 units) whose parameters fit in the rows, and a note saying
    so. None when the user chose --hidden or the default fits."""
    if settings.hidden is not None:
        return None
    default = hidden_sizes(settings)

    def count(width: int) -> int:
        sizes = [n_inputs, *[width] * len(default), n_outputs]
        return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))

    full = count(default[0]) if len(set(default)) == 1 else None
    if full is None or full <= rows:
        return None
    width = max([w for w in range(2, default[0]) if count(w) <= rows] or [2])
    return [width] * len(default), (
        f"small table: the default {'-'.join(map(str, default))} network has {full:,} parameters for {rows} "
        f"training rows; using {'-'.join([str(width)] * len(default))} ({count(width):,} parameters) "
        "instead (--hidden sets it)")


def member_plan(settings: FitSettings, rows: nwdata.Dataset, threads: int | None) -> list[Member]:
    """The members' tasks on `rows`: settings with seed + k, and (train, validation) drawn with
    that seed. A single member keeps today's scaling (fitted on its training rows)."""
    count = settings.ensemble
    standardizer = nwdata.Standardizer().fit(rows) if count > 1 else None
    plan: list[Member] = []
    for k in range(count):
        member = dataclasses.replace(settings, seed=settings.seed + k)
        train, validation = nwdata.split(rows, settings.validation, seed=member.seed)
        if validation is None or len(validation) == 0:
            raise ValueError("too few rows to hold out validation rows; give more rows")
        plan.append((member, train, validation, standardizer, threads))
    return plan


def train_member(settings: FitSettings, train: nwdata.Dataset, validation: nwdata.Dataset,
                 standardizer: nwdata.Standardizer | None, threads: int | None) -> tuple[dict, dict, dict]:
    """One member, as plain data a worker process can send back: its parameters, its
    history and its metrics."""
    result = fit_split(settings, train, validation, None, [], "", threads=threads, standardizer=standardizer)
    state = {name: np.array(value) for name, value in result.predictor.model.state_dict().items()}
    return state, result.history.to_dict(), result.metrics


def _member_model(settings: FitSettings, state: dict, n_inputs: int, n_outputs: int) -> Any:
    model = build_model(settings, n_inputs, n_outputs)
    model.load_state_dict(state)
    return model


def _assemble(plan: list[Member], trained: list[tuple[dict, dict, dict]], rows: nwdata.Dataset) -> Predictor:
    models = [_member_model(member, state, rows.n_inputs, rows.n_outputs)
              for (member, *_), (state, _, _) in zip(plan, trained)]
    if len(models) == 1:
        standardizer = plan[0][3] or nwdata.Standardizer().fit(plan[0][1])
        return Predictor(models[0], standardizer)
    standardizer = plan[0][3]
    assert standardizer is not None
    return Predictor(Ensemble(*models), standardizer)


def _linear(rows: nwdata.Dataset) -> Predictor:
    standardizer = nwdata.Standardizer().fit(rows)
    return Predictor(linear_network(standardizer.transform(rows)), standardizer)


def _mean_metrics(values: list[dict[str, float | None]]) -> dict[str, float | None]:
    keys = values[0].keys()
    return {key: (None if any(v[key] is None for v in values) else float(np.mean([v[key] for v in values])))
            for key in keys}


def _cv_summary(scores: list[dict[str, float | None]]) -> dict[str, Any]:
    summary: dict[str, Any] = {"folds": len(scores), **_mean_metrics(scores)}
    r2 = [s["r2"] for s in scores]
    summary["r2_sd"] = None if any(v is None for v in r2) else float(np.std(r2))
    summary["per_fold"] = scores
    return summary


def cross_validate(settings: FitSettings, rows: nwdata.Dataset, threads: int | None) -> dict[str, Any]:
    """K-fold scores of the network procedure (members included) and of linear least squares
    on `rows`: {"network": summary, "linear": summary}; each summary holds the folds' mean
    MSE, RMSE, max error and R², the sd of R² and every fold's scores."""
    parts = splits.folds(len(rows), settings.cv, settings.seed)
    plans = [member_plan(settings, rows.subset(fit_rows), threads) for fit_rows, _ in parts]
    tasks = [task for plan in plans for task in plan]
    trained = iter(run_all(train_member, tasks, settings.jobs))
    network, linear = [], []
    for plan, (fit_rows, held_rows) in zip(plans, parts):
        fold_fit, held = rows.subset(fit_rows), rows.subset(held_rows)
        predictor = _assemble(plan, [next(trained) for _ in plan], fold_fit)
        network.append(measure(predictor, held))
        linear.append(measure(_linear(fold_fit), held))
    return {"network": _cv_summary(network), "linear": _cv_summary(linear)}


def _load(settings: FitSettings, dataset: nwdata.Dataset | None, notes: list[str]) -> tuple[Any, ...]:
    """(non-test rows or None for a formula, test rows or None, formula pieces or None, description)."""
    if dataset is not None or settings.csv is not None:
        if dataset is None:
            skipped: list[int] | None = [] if settings.drop_missing else None
            dataset = nwdata.read_csv(settings.csv, x=settings.x_columns, y=settings.y_columns, skipped=skipped)
            if skipped:
                shown = ", ".join(str(line) for line in skipped[:5]) + (", …" if len(skipped) > 5 else "")
                notes.append(f"--drop-missing: skipped {len(skipped)} row(s) with an empty cell (lines {shown})")
        dev_rows, test_rows = splits.test_rows(len(dataset), float(settings.test_fraction), settings.seed)
        names = ", ".join(dataset.x_names) + " → " + ", ".join(dataset.y_names)
        source = settings.csv if settings.csv is not None else "the data"
        description = f"{source} ({len(dataset)} rows; {names})"
        test = dataset.subset(test_rows) if len(test_rows) else None
        return dataset.subset(dev_rows), test, None, description
    formula = load_data(settings)
    test = None
    if settings.test_fraction > 0:
        test_settings = dataclasses.replace(settings, seed=settings.seed + TEST_SEED_OFFSET,
                                            samples=max(1, round(settings.samples * settings.test_fraction)))
        test = load_data(test_settings)[0]
    return None, test, formula, formula[4]


def fit(settings: FitSettings, callbacks: Sequence[Callable[[EpochReport], Any]] = (),
        checkpoint: str | Path | None = None, resume: str | Path | None = None,
        threads: int | None = None, dataset: nwdata.Dataset | None = None) -> FitResult:
    """The fit job (see the module doc). `dataset`: rows given in memory instead of a CSV
    (nnwork.sweep). Returns a FitResult whose metrics hold train / validation / test / cv and
    the linear baseline's scores, and whose predictor is one network or an Ensemble."""
    started = time.perf_counter()
    check(settings, checkpoint or resume)
    notes: list[str] = []
    if settings.cv and dataset is None and settings.csv is None:
        raise ValueError("--cv folds measured rows: give --csv (a formula's fresh test points: --test-fraction)")
    rows, test, formula, description = _load(settings, dataset, notes)
    worker_threads = threads if threads is not None or settings.jobs == 1 else 1
    cv = cross_validate(settings, rows, worker_threads) if settings.cv and rows is not None else None
    if formula is not None:  # a formula: each member samples its own training points
        plan_rows = None
        members = [dataclasses.replace(settings, seed=settings.seed + k) for k in range(settings.ensemble)]
        loaded = [formula] + [load_data(m) for m in members[1:]]
        target, domain = formula[2], formula[3]
        if settings.ensemble > 1:
            pooled = nwdata.Dataset(np.concatenate([f[0].x for f in loaded]), np.concatenate([f[0].y for f in loaded]))
            shared = nwdata.Standardizer().fit(pooled)
        else:
            shared = None
        plan = [(m, f[0], f[1], shared, worker_threads) for m, f in zip(members, loaded)]
    else:
        assert rows is not None
        plan_rows, target = rows, None
        domain = [(float(lo), float(hi)) for lo, hi in zip(rows.x.min(axis=0), rows.x.max(axis=0))]
        plan = member_plan(settings, rows, worker_threads)
        smaller = small_table_width(settings, rows.n_inputs, rows.n_outputs, len(plan[0][1]))
        if smaller is not None:
            sizes, note = smaller
            notes.append(note)
            settings = dataclasses.replace(settings, hidden=sizes)
            plan = member_plan(settings, rows, worker_threads)
    if len(plan) == 1 and settings.jobs == 1:  # one network here: progress bar, checkpoints
        member, train, validation, standardizer, _ = plan[0]
        single = fit_split(member, train, validation, target, domain, description, callbacks=callbacks,
                           checkpoint=checkpoint, resume=resume, threads=threads, standardizer=standardizer)
        predictor, history, member_metrics = single.predictor, single.history, [single.metrics]
    else:
        trained = run_all(train_member, plan, settings.jobs)
        rows_for_shape = plan[0][1]
        predictor = _assemble(plan, trained, rows_for_shape)
        history = History.from_dict(trained[0][1])
        member_metrics = [metrics for _, _, metrics in trained]
    first_train, first_validation = plan[0][1], plan[0][2]
    if len(plan) == 1:
        metrics = dict(member_metrics[0])
        fitted_rows = first_train
    else:
        fitted_rows = plan_rows if plan_rows is not None else nwdata.Dataset(
            np.concatenate([p[1].x for p in plan]), np.concatenate([p[1].y for p in plan]))
        metrics = {key: value for key, value in member_metrics[0].items() if key not in ("train", "validation")}
        metrics["train"] = measure(predictor, fitted_rows)
        metrics["validation"] = _mean_metrics([m["validation"] for m in member_metrics])
        metrics["parameters"] = predictor.model.num_parameters()
        spread = predictor.std(fitted_rows.x)
        metrics["ensemble"] = {"members": len(plan), "seeds": [p[0].seed for p in plan],
                               "mean_std": float(spread.mean()),
                               "member_validation_r2": [m["validation"]["r2"] for m in member_metrics]}
        notes.append(f"ensemble of {len(plan)} networks (seeds {plan[0][0].seed}–{plan[-1][0].seed}, each with its "
                     f"own validation rows); predictions are their mean, --std their spread")
    if test is not None:
        metrics["test"] = measure(predictor, test)
        notes.append(f"test: {len(test)} rows set aside before training; no training, stopping or choice saw them")
    linear = _linear(fitted_rows)
    metrics["linear"] = {"train": measure(linear, fitted_rows), "fitted_on": "the network's training rows"}
    if len(plan) == 1:
        metrics["linear"]["validation"] = measure(linear, first_validation)
    if test is not None:
        metrics["linear"]["test"] = measure(linear, test)
    if cv is not None:
        metrics["cv"], metrics["linear"]["cv"] = cv["network"], cv["linear"]
        notes.append(f"cv: {settings.cv}-fold cross-validation of the non-test rows, each fold fitted as above")
    if cv is not None and cv["linear"]["r2"] is not None and cv["network"]["r2"] is not None \
            and cv["linear"]["r2"] >= cv["network"]["r2"]:
        chosen = f"linear least squares: its cv R² {cv['linear']['r2']:.4f} ≥ the network's {cv['network']['r2']:.4f}"
        notes.append(f"the simple answer is as good: saved {chosen} (the network's scores are above)")
        metrics["chosen"] = {"model": "linear", "reason": chosen}
        predictor = _linear(plan_rows if plan_rows is not None else fitted_rows)
    elif cv is not None:
        metrics["chosen"] = {"model": "network", "reason": "its cv R² is above linear least squares'"}
    metrics["seconds"] = time.perf_counter() - started
    train_rows = fitted_rows if len(plan) > 1 else first_train
    return FitResult(predictor, history, metrics, train_rows, first_validation, target, domain, description,
                     settings, metrics["seconds"], notes, test)
