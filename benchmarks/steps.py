"""W1 and W2: training steps per second, every tool measured in the same interleaved repeats.

Each tool's `run(n)` takes n training steps on the fixed batch. Before the repeats, each
tool is calibrated so that one sample (one `run(n)`) lasts about `sample_seconds`; then
every repeat times one sample of each tool, starting each repeat with a different tool
(a rotating order), so that slow changes in the machine's load touch every tool alike.
The first `warmup` repeats are not kept. Between two samples the harness sleeps `SETTLE`
seconds: a BLAS's worker threads busy-wait for about 0.1 s after their last product (OpenBLAS,
measured), and without the pause they would spin on the cores the next tool is timed on. W2 adds the machine's float32 matmul peak
(2048 × 2048 @ 2048 × 2048 in NumPy) as one more "tool" in the same rotation.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from benchmarks import report
from benchmarks.peers import Peer
from benchmarks.workloads import StepWorkload, initial_parameters, step_batch

MATMUL = "NumPy float32 matmul 2048² (peak)"
MATMUL_FLOPS = 2.0 * 2048**3
SETTLE = 0.25  # seconds between two samples, for the last tool's spinning threads to sleep

Runner = Callable[[int], "float | None"]  # n steps; may return its own seconds (a worker process)


@dataclass
class StepResult:
    workload: StepWorkload
    samples: dict[str, list[float]] = field(default_factory=dict)  # label → steps/s, one per repeat
    owners: dict[str, str] = field(default_factory=dict)  # label → the peer it belongs to
    errors: dict[str, str] = field(default_factory=dict)  # label or peer → what went wrong
    missing: dict[str, str] = field(default_factory=dict)  # peer → why it is absent


def rotate(items: list[str], k: int) -> list[str]:
    if not items:
        return items
    k %= len(items)
    return items[k:] + items[:k]


def describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".replace("\n", " ")
    return text if len(text) <= 110 else text[:107] + "..."


def timed(run: Runner, steps: int) -> float:
    """Seconds of `run(steps)`: as the runner reports them, else by the clock here."""
    start = time.perf_counter()
    reported = run(steps)
    return reported if isinstance(reported, float) else time.perf_counter() - start


def calibrate(run: Runner, sample_seconds: float) -> int:
    """How many steps make one sample last about `sample_seconds`."""
    run(1)  # the first call may allocate or capture
    steps = 1
    while True:
        elapsed = timed(run, steps)
        if elapsed >= sample_seconds / 4 or steps >= 1 << 20:
            return max(1, round(steps * sample_seconds / elapsed))
        steps *= 4


def matmul_runner(size: int = 2048) -> Runner:
    draw = np.random.default_rng(0)
    a = draw.standard_normal((size, size), dtype=np.float32)
    b = draw.standard_normal((size, size), dtype=np.float32)
    out = np.empty((size, size), np.float32)

    def run(n: int) -> None:
        for _ in range(n):
            np.matmul(a, b, out=out)

    return run


def interleave(runners: dict[str, Runner], counts: dict[str, int], repeats: int, warmup: int,
               result: StepResult, first: int = 0) -> None:
    """`repeats` samples of each tool after `warmup`; repeat r starts with tool `first + r`."""
    active = list(runners)
    for r in range(warmup + repeats):
        for label in rotate(active, first + r):
            if label in result.errors:
                continue
            gc.collect()
            time.sleep(SETTLE)
            try:
                elapsed = timed(runners[label], counts[label])
            except Exception as error:  # report it and carry on with the others
                result.errors[label] = describe(error)
                continue
            if r >= warmup:
                result.samples.setdefault(label, []).append(counts[label] / elapsed)


def make_runners(workload: StepWorkload, peers: list[Peer], result: StepResult,
                 options: dict[str, dict[str, object]] | None = None) -> dict[str, Runner]:
    """Every present peer's runners on the shared weights and batch; problems go to `result`.
    `options`: extra keyword arguments of a peer's step_runners, by peer module name."""
    params = initial_parameters(workload.sizes, workload.activation, seed=0)
    x, y = step_batch(workload)
    runners: dict[str, Runner] = {}
    for peer in peers:
        if peer.module is None:
            result.missing[peer.display] = peer.problem
            continue
        try:
            made = peer.module.step_runners(workload, params, x, y, **(options or {}).get(peer.name, {}))
        except Exception as error:
            result.errors[peer.display] = describe(error)
            continue
        for label, run in made.items():
            runners[label], result.owners[label] = run, peer.display
    return runners


def calibrate_all(runners: dict[str, Runner], sample_seconds: float, result: StepResult) -> dict[str, int]:
    """Steps per sample for each runner; a runner that fails is reported and dropped."""
    counts = {}
    for label, run in list(runners.items()):
        try:
            counts[label] = calibrate(run, sample_seconds)
        except Exception as error:
            result.errors[label] = describe(error)
            del runners[label]
    return counts


def measure(workload: StepWorkload, peers: list[Peer], repeats: int, warmup: int,
            sample_seconds: float) -> StepResult:
    result = StepResult(workload)
    runners = make_runners(workload, peers, result)
    if workload.name == "W2":
        runners[MATMUL], result.owners[MATMUL] = matmul_runner(), "NumPy"
    counts = calibrate_all(runners, sample_seconds, result)
    interleave(runners, counts, repeats, warmup, result)
    return result


# ---- the table ----------------------------------------------------------------------------
def format_result(result: StepResult, ours: list[str]) -> str:
    """`ours`: nnwork's labels (eager, and captured when present), the ratios' numerators."""
    w = result.workload
    ours = [label for label in ours if label in result.samples]
    wide = w.name == "W2"
    peak = report.median(result.samples.get(MATMUL, [])) * MATMUL_FLOPS / 1e9
    header = ["tool", "steps/s (median)", "min–max"]
    if wide:
        header += ["GFLOP/s", "% of peak"]
    header += [f"{label.split()[0]}{' captured' if 'captured' in label else ''} ÷ tool" for label in ours]
    rows = []
    for label, samples in result.samples.items():
        if label == MATMUL:
            continue
        row = [label, report.number(report.median(samples)), report.spread(samples)]
        if wide:
            gflops = report.median(samples) * w.flops_per_step / 1e9
            row += [report.number(gflops), f"{100 * gflops / peak:.0f} %" if peak else "—"]
        row += [report.ratio(report.paired_ratio(result.samples[o], samples)) for o in ours]
        rows.append(row)
    notes = report.problems(result.errors, result.missing) + [
        "steps/s: training steps per second (forward + backward + update) on one fixed batch; higher is better.",
        "ratio columns: nnwork's steps/s ÷ the tool's, median of the per-repeat ratios; > 1 means nnwork is faster."]
    if wide:
        matmul = result.samples.get(MATMUL, [])
        notes.insert(0, f"machine peak: {MATMUL} = {report.number(peak)} GFLOP/s median "
                        f"({report.spread([s * MATMUL_FLOPS / 1e9 for s in matmul])}), measured in the same rotation.")
        notes.append(f"GFLOP/s = 6 × {w.weights:,} weights × batch {w.batch} × steps/s.")
    return report.table(f"{w.name} — {w.title}", header, rows, notes)
