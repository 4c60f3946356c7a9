"""W3 and W4: time to accuracy, and the best accuracy each tool reaches within the time cap.

1. Adam (the workload's recipe), for each seed: every tool trains from the same initial
   weights on the same batches until its validation MSE reaches the target or the cap runs
   out. The tools take turns in a rotating order (one run each per seed). With
   `adam_to_cap`, the first seed's runs go on to the cap (recording when the target was
   first reached), which gives Adam's best MSE within the cap too.
2. Each tool's full-batch optimizers (L-BFGS; nnwork's Levenberg–Marquardt when present)
   run for the whole cap on the first seed, and for the first checkpoint's time (10 s in a
   full run) on every other seed: the best accuracy within that time, and whether and when
   the target was reached, on every seed. (Skipped with `full_batch=False`: one
   Levenberg–Marquardt step cannot be interrupted and may outlast a short cap.)
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass, field

from benchmarks import report
from benchmarks.fitting import FitRun, train_to_target
from benchmarks.peers import Peer
from benchmarks.steps import describe, rotate
from benchmarks.workloads import FitProblem, fit_data, initial_parameters


@dataclass
class AccuracyResult:
    problem: FitProblem
    seeds: tuple[int, ...]
    cap: float
    checkpoints: tuple[float, ...]
    adam_to_cap: bool
    full_batch: bool
    adam: dict[str, list[FitRun]] = field(default_factory=dict)  # label → one run per seed
    best: dict[str, FitRun] = field(default_factory=dict)  # label → first seed's full-batch run
    short: dict[str, list[FitRun]] = field(default_factory=dict)  # label → other seeds' short runs
    errors: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


def measure(problem: FitProblem, peers: list[Peer], seeds: tuple[int, ...], cap: float,
            checkpoints: tuple[float, ...], adam_to_cap: bool, full_batch: bool = True) -> AccuracyResult:
    result = AccuracyResult(problem, seeds, cap, checkpoints, adam_to_cap, full_batch)
    data = fit_data(problem)
    present = []
    for peer in peers:
        if peer.module is None:
            result.missing[peer.display] = peer.problem
        else:
            present.append(peer)
    for k, seed in enumerate(seeds):
        params = initial_parameters(problem.sizes, problem.activation, seed)
        trainers = {}
        for peer in present:
            try:
                trainers.update(peer.module.adam_trainers(problem, params, data, seed))
            except Exception as error:
                result.errors[f"{peer.display} (Adam)"] = describe(error)
        for label in rotate(list(trainers), k):
            if label in result.errors:
                continue
            gc.collect()
            try:
                run = train_to_target(trainers[label], problem, data, seed, cap,
                                      run_to_cap=adam_to_cap and k == 0, checkpoints=checkpoints)
            except Exception as error:
                result.errors[label] = describe(error)
                continue
            result.adam.setdefault(label, []).append(run)

    if not full_batch:
        return result
    for k, seed in enumerate(seeds):
        seed_cap = cap if k == 0 else min(cap, checkpoints[0] if checkpoints else cap)
        params = initial_parameters(problem.sizes, problem.activation, seed)
        runs = {}
        for peer in present:
            try:
                runs.update(peer.module.best_runs(problem, params, data, seed, seed_cap, checkpoints))
            except Exception as error:
                result.errors[f"{peer.display} (full batch)"] = describe(error)
        for label in rotate(list(runs), len(seeds) + k):
            if label in result.errors:
                continue
            gc.collect()
            try:
                run = runs[label]()
            except Exception as error:
                result.errors[label] = describe(error)
                continue
            if k == 0:
                result.best[label] = run
            else:
                result.short.setdefault(label, []).append(run)
    return result


# ---- the tables ---------------------------------------------------------------------------
TIME_NOTES = (
    "wall-clock includes each epoch's shuffle and validation pass, for every tool; building the model "
    "and JAX's compilation are not counted.",
    "every tool starts from the same weights and sees the same batches, except scikit-learn "
    "(its own seeded Glorot init; same batches).",
    "ratio columns: the tool's time ÷ nnwork's; > 1 means nnwork reached the target sooner.",
)
BEST_NOTES = (
    "validation after every epoch (Adam), every 20 iterations (L-BFGS), every 100 (scikit-learn: one "
    "`fit` call each, which restarts its L-BFGS memory) or every step (Levenberg–Marquardt).",
    "L-BFGS: full batch, strong Wolfe line search, history 50 (SciPy's L-BFGS-B for JAX and the NumPy floor).",
    "MSE ÷ nnwork's best: the row's best MSE within the cap ÷ the best any nnwork optimizer reached; "
    "> 1 means nnwork got more accurate.",
)


def _reached(run: FitRun) -> str:
    return f"{run.reached_at:.2f} s" if run.reached_at is not None else "—"


def _median_time(runs: list[FitRun]) -> float:
    """Median seconds to target over the seeds, a missed seed counting as infinitely slow."""
    return report.median([r.reached_at if r.reached_at is not None else math.inf for r in runs])


def _time_ratio(ours: float, theirs: float, cap: float) -> str:
    """theirs ÷ ours: > 1 means nnwork reached the target sooner."""
    if math.isinf(ours) or math.isnan(ours):
        return "—"
    if math.isinf(theirs):
        return f"> {cap / ours:.1f}×"
    return report.ratio(theirs / ours)


def _per_seed(runs: list[FitRun], seeds: tuple[int, ...]) -> str:
    parts = []
    for seed, run in zip(seeds, runs):
        if run.reached_at is not None:
            parts.append(f"{seed}: {run.reached_at:.2f} s/{run.epochs_at_target} ep")
        else:
            parts.append(f"{seed}: missed ({run.epochs} ep{', ' + run.note if run.note else ''})")
    return "; ".join(parts)


def format_time_to_target(result: AccuracyResult, ours: list[str]) -> str:
    p = result.problem
    ours = [label for label in ours if label in result.adam]
    our_times = {label: _median_time(result.adam[label]) for label in ours}
    header = ["tool (Adam)", "reached", "s to target (median)", "min–max", "epochs (median)",
              "best MSE where missed"]
    header += [f"tool ÷ {label.split()[0]}{' captured' if 'captured' in label else ''}" for label in ours]
    header += ["per seed"]
    rows = []
    for label, runs in result.adam.items():
        reached = [r for r in runs if r.reached_at is not None]
        missed = [r.best_mse for r in runs if r.reached_at is None]
        time = _median_time(runs)
        row = [label, f"{len(reached)}/{len(runs)}",
               report.number(time) if math.isfinite(time) else f"> {result.cap:g}",
               report.spread([r.reached_at for r in reached]),  # type: ignore[misc]
               report.number(report.median([r.epochs_at_target for r in reached])),  # type: ignore[misc]
               report.spread(missed, report.mse) if missed else ""]
        row += [_time_ratio(our_times[o], time, result.cap) for o in ours]
        row += [_per_seed(runs, result.seeds)]
        rows.append(row)
    notes = report.problems(result.errors, result.missing) + [
        f"target: validation MSE ≤ {p.target_mse:g} on the {p.grid}×{p.grid} grid; cap {result.cap:g} s per run; "
        f"seeds {', '.join(map(str, result.seeds))} (median over seeds, a missed seed counting as slower than any).",
        *TIME_NOTES]
    return report.table(f"{p.name} — time to validation MSE ≤ {p.target_mse:g}: {p.title}", header, rows, notes)


def format_best(result: AccuracyResult, ours: list[str]) -> str:
    p = result.problem
    if not result.full_batch and not result.adam_to_cap:
        return f"{p.name} — best validation MSE within the cap: skipped in --quick mode (see W3's)\n"
    rows_runs = dict(result.best)
    if result.adam_to_cap:
        rows_runs = {f"{label} Adam": runs[0] for label, runs in result.adam.items()} | rows_runs
    ours_best = min((run.best_by.get(result.cap, math.inf) for label, run in rows_runs.items()
                     if any(label.startswith(o) for o in ours)), default=math.inf)
    others = result.seeds[1:] if result.short else ()
    first = result.checkpoints[0] if result.checkpoints else result.cap
    header = ["tool and optimizer", *[f"best MSE ≤ {c:g} s" for c in result.checkpoints],
              "epochs or iterations", "target reached at", "MSE ÷ nnwork's best"]
    if others:
        header += [f"seeds {', '.join(map(str, others))}: best MSE ≤ {first:g} s", "target reached at"]
    header += ["note"]
    rows = []
    for label, run in rows_runs.items():
        at_cap = run.best_by.get(result.cap, math.nan)
        note = run.note
        if result.cap not in run.best_by and math.isfinite(run.best_mse):
            note = f"first validation only after the cap: {run.best_mse:.2e} at {run.seconds:.1f} s. {note}"
        row = [label, *[report.mse(run.best_by.get(c, math.nan)) for c in result.checkpoints],
               str(run.epochs), _reached(run), report.ratio(at_cap / ours_best) if 0 < ours_best < math.inf else "—"]
        if others:
            short = result.short.get(label, [])
            row += [" / ".join(report.mse(r.best_mse) for r in short) or "—",
                    " / ".join(_reached(r) for r in short) or "—"]
        rows.append(row + [note.strip()])
    seeds_note = f"seed {result.seeds[0]}; each run lasts the whole cap ({result.cap:g} s) unless its optimizer stops."
    if others:
        seeds_note += (f" Full-batch optimizers also run {first:g} s on each of seeds {', '.join(map(str, others))} "
                       "(same protocol).")
    notes = report.problems(result.errors, result.missing) + [seeds_note, *BEST_NOTES]
    return report.table(f"{p.name} — best validation MSE within the cap, each tool's optimizers", header, rows, notes)

