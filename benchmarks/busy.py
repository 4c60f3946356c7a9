"""W5 — a busy machine (WORKLOADS.md): W1, W2 and the README's `nnwork` fit, quiet and while
two CPU-bound busy loops run, every tool first with its own default threading, then on one
thread each. `benchmarks/run.py --only W5` runs this module in a fresh process, with the
environment and CPUs a user's process would have (no thread variables, no pinning):

- threading "default": what each tool does by itself — PyTorch's intra-op default, NumPy's
  BLAS default (also scikit-learn's), JAX's default, and nnwork's steps run as nnwork.fit runs
  them (`nnwork_peer.as_fit`: nnwork's own threads, the count chosen by a ThreadChooser);
- threading "1 thread": threadpoolctl limits every BLAS/OpenMP pool to 1, torch.set_num_threads(1),
  nnwork.set_num_threads(1);
- JAX fixes its threads when it starts, so it runs in a worker process per mode (`worker.py`):
  with the driver's CPUs ("default"), then pinned to one CPU ("1 thread"); the worker times
  its own steps, interleaved with the other tools' as one more tool in the rotation;
- W1/W2: the tools are calibrated quiet (steps/s of `steps.py`), then each round is one quiet
  and one loaded repeat of every tool (quiet first in even rounds, loaded first in odd ones),
  the first round a warm-up;
- the fits are `nnwork fit ... --no-plots --quiet` subprocesses (fresh each time), in the
  same quiet/loaded alternation, with `--threads 1` in the second mode.

Test hook: NNWORK_BENCH_FAIL_PEER=torch (or jax, numpy, nnwork, scikit) makes that tool's
steps raise while the load is on, to check that the run reports it and stops its children.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import load, system  # noqa: E402  (standard library only: safe before NumPy)

MODES = ("default", "1 thread")
IN_PROCESS = ("nnwork_peer", "numpy_peer", "torch_peer", "sklearn_peer")
FAIL_VARIABLE = "NNWORK_BENCH_FAIL_PEER"
FIT_CODE = load.DIE_WITH_PARENT + "sys.path.insert(0, sys.argv[3])\nfrom nnwork.cli import main\nsys.exit(main(sys.argv[4:]))\n"


@dataclasses.dataclass(frozen=True)
class Settings:
    repeats: int  # kept rounds (one quiet + one loaded repeat each) after `warmup`
    warmup: int
    sample_seconds: float
    fit_repeats: int
    fit_warmup: int
    fit_epochs: int  # the default `nnwork` fit
    lm_epochs: int  # `nnwork fit franke --optimizer lm`

    def fits(self) -> list[tuple[str, list[str]]]:
        return [(f"nnwork fit --epochs {self.fit_epochs} (the README's `nnwork`)", ["fit", "--epochs", str(self.fit_epochs)]),
                (f"nnwork fit franke --optimizer lm --epochs {self.lm_epochs}",
                 ["fit", "franke", "--optimizer", "lm", "--epochs", str(self.lm_epochs)])]


@dataclasses.dataclass
class FitRuns:
    label: str
    mode: str
    seconds: dict[str, list[float]] = dataclasses.field(default_factory=lambda: {"quiet": [], "loaded": []})
    fit_seconds: dict[str, list[float]] = dataclasses.field(default_factory=lambda: {"quiet": [], "loaded": []})
    threads: list[str] = dataclasses.field(default_factory=list)  # nnwork's own report, per run
    epochs: list[int] = dataclasses.field(default_factory=list)
    error: str = ""


@dataclasses.dataclass
class BusyResult:
    settings: Settings
    steps: dict[str, dict[str, dict[str, Any]]] = dataclasses.field(default_factory=dict)  # mode → W → load → StepResult
    fits: list[FitRuns] = dataclasses.field(default_factory=list)
    threading: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # mode → what each tool had
    versions: dict[str, str] = dataclasses.field(default_factory=dict)
    load_start: str = ""
    load_end: str = ""
    background: str = ""
    stopped: str = ""  # why the run ended early, if it did
    errors: list[str] = dataclasses.field(default_factory=list)


def settings(args: argparse.Namespace) -> Settings:
    if args.quick:
        return Settings(repeats=args.repeats or 1, warmup=0, sample_seconds=0.02, fit_repeats=1, fit_warmup=0,
                        fit_epochs=3, lm_epochs=2)
    return Settings(repeats=args.repeats or 5, warmup=1, sample_seconds=0.4, fit_repeats=3, fit_warmup=1,
                    fit_epochs=100, lm_epochs=20)


@contextmanager
def threading_mode(mode: str) -> Iterator[None]:
    """The in-process tools' threading for `mode` ("default": as they come)."""
    if mode == "default":
        yield
        return
    from threadpoolctl import threadpool_limits

    import nnwork

    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch else 0
    with threadpool_limits(limits=1):
        if torch:
            torch.set_num_threads(1)
        nnwork.set_num_threads(1)
        try:
            yield
        finally:
            nnwork.set_num_threads(None)
            if torch:
                torch.set_num_threads(before)


def rounds(repeats: int) -> Iterator[tuple[int, bool]]:
    """(round, load on?) in the order quiet, loaded, loaded, quiet, quiet, loaded, ..."""
    for r in range(repeats):
        for on in ((False, True) if r % 2 == 0 else (True, False)):
            yield r, on


def failing(run: Any, background: load.Background) -> Any:
    def wrapped(steps: int) -> Any:
        if background.running:
            raise RuntimeError(f"failure injected by {FAIL_VARIABLE} while loaded (a test of the harness)")
        return run(steps)

    return wrapped


def measure_workload(workload: Any, peers: list[Any], worker: Any, background: load.Background, s: Settings,
                     result: BusyResult, mode: str) -> dict[str, Any]:
    """Quiet and loaded StepResults of one workload in one threading mode; returns the runners."""
    from benchmarks import steps

    quiet = steps.StepResult(workload)
    loaded = steps.StepResult(workload, owners=quiet.owners, errors=quiet.errors, missing=quiet.missing)
    spare = steps.StepResult(workload, errors=quiet.errors)  # the warm-up round's samples
    result.steps.setdefault(mode, {})[workload.name] = {"quiet": quiet, "loaded": loaded}
    runners = steps.make_runners(workload, peers, quiet, {"nnwork_peer": {"fit_threads": True}})
    if worker is not None:
        try:
            for label, run in worker.step_runners(workload.name).items():
                runners[label], quiet.owners[label] = run, "JAX"
        except Exception as error:
            quiet.errors["JAX"] = steps.describe(error)
    fail = os.environ.get(FAIL_VARIABLE, "").lower()
    for label in list(runners):
        if fail and fail in quiet.owners.get(label, "").lower():
            runners[label] = failing(runners[label], background)
    counts = steps.calibrate_all(runners, s.sample_seconds, quiet)
    for r, on in rounds(s.warmup + s.repeats):
        background.set(on)
        target = spare if r < s.warmup else loaded if on else quiet
        steps.interleave(runners, counts, 1, 0, target, first=r)
    background.set(False)
    return runners


def run_fit(children: load.Children, arguments: list[str], out: str) -> tuple[float, dict[str, Any]]:
    """One fresh `nnwork fit` process: its wall seconds and its metrics.json."""
    import nnwork

    source = str(Path(nnwork.__file__).resolve().parent.parent)  # the nnwork measured in-process
    command = [sys.executable, "-c", FIT_CODE, str(os.getpid()), load.marker("fit"), source, *arguments,
               "--no-plots", "--quiet", "--out", out]
    start = time.perf_counter()
    process = children.start(command, stdin=-3, stdout=-1, stderr=-1, text=True)
    _, err = process.communicate()
    seconds = time.perf_counter() - start
    children.forget(process)
    if process.returncode != 0:
        raise RuntimeError(f"exit {process.returncode}: {(err.strip().splitlines() or [''])[-1][:100]}")
    return seconds, json.loads((Path(out) / "metrics.json").read_text())


def measure_fits(mode: str, children: load.Children, background: load.Background, s: Settings,
                 result: BusyResult) -> None:
    extra = [] if mode == "default" else ["--threads", "1"]
    runs = [FitRuns(label, mode) for label, _ in s.fits()]
    result.fits += runs
    with tempfile.TemporaryDirectory(prefix="nnwork-w5-") as out:
        order = [(r, False) for r in range(s.fit_warmup)] + [(r + s.fit_warmup, on) for r, on in rounds(s.fit_repeats)]
        for r, on in order:
            background.set(on)
            for fit, (_, arguments) in zip(runs, s.fits()):
                if fit.error:
                    continue
                try:
                    seconds, metrics = run_fit(children, arguments + extra, out)
                except Exception as error:
                    fit.error = str(error)
                    continue
                if r >= s.fit_warmup:
                    key = "loaded" if on else "quiet"
                    fit.seconds[key].append(seconds)
                    fit.fit_seconds[key].append(float(metrics["seconds"]))
                    fit.threads.append(str(metrics.get("threads", "")))
                    fit.epochs.append(int(metrics["epochs"]))
    background.set(False)


def threading_facts(mode: str, runners: dict[str, dict[str, Any]], worker: Any) -> list[str]:
    """What each tool really had in this mode (read after its runs)."""
    import nnwork

    facts = ["NumPy hand-written, scikit-learn (and nnwork outside its own work): "
             + "; ".join(system.blas())]
    torch = sys.modules.get("torch")
    if torch:
        facts.append(f"PyTorch: torch.get_num_threads() = {torch.get_num_threads()}, "
                     f"inter-op threads {torch.get_num_interop_threads()} (unused by eager training steps)")
    threads = getattr(nnwork, "threads", None)
    if threads is not None:
        chosen = [f"{w} {'captured' if 'captured' in label else 'eager'}: "
                  f"{run.chooser.summary() if getattr(run, 'chooser', None) else threads.get_num_threads()}"
                  for w, made in runners.items() for label, run in made.items() if label.startswith("nnwork")]
        facts.append(f"nnwork: set_num_threads {threads.fixed()}, get_num_threads() = {threads.get_num_threads()}; "
                     f"steps as in fit, threads chosen per step: {'; '.join(chosen)}")
    if worker is not None:
        info = worker.info()
        facts.append(f"JAX (worker process {info['pid']}): CPUs {info['cpus']}, {info['os_threads']} OS threads")
    return facts


def measure_all(s: Settings, children: load.Children, background: load.Background, result: BusyResult) -> None:
    from benchmarks import peers
    from benchmarks.steps import describe
    from benchmarks.workloads import W1, W2
    from benchmarks.worker import Worker

    present = peers.load_all(IN_PROCESS)
    for peer in present:
        if peer.module is not None:
            result.versions.update(peer.module.versions())
    for mode in MODES:
        with threading_mode(mode):
            worker = None
            try:
                worker = Worker(children, "jax_peer", None if mode == "default" else [min(os.sched_getaffinity(0))])
                if worker.problem:
                    result.errors.append(f"JAX: {worker.problem}")
                    worker.close()
                    worker = None
                else:
                    result.versions.update(worker.versions)
            except Exception as error:
                result.errors.append(f"JAX worker ({mode}): {describe(error)}")
            try:
                runners = {w.name: measure_workload(w, present, worker, background, s, result, mode) for w in (W1, W2)}
                result.threading[mode] = threading_facts(mode, runners, worker)
            finally:
                if worker is not None:
                    worker.close()
        measure_fits(mode, children, background, s, result)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="W5 (run it through benchmarks/run.py --only W5)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=0)
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--parent", type=int, default=0, help="stop when this process dies")
    parser.add_argument("--cpus", default="", help="the CPUs a user's process would have, e.g. 0,1")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.parent:
        load.die_with_parent(args.parent)
    if args.cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, [int(c) for c in args.cpus.split(",")])
    s = settings(args)
    result = BusyResult(s, load_start=system.load_average())
    children = load.Children()
    background = load.Background(children)
    code = 0
    with load.signals_raise():
        try:
            measure_all(s, children, background, result)
        except KeyboardInterrupt:
            result.stopped, code = "interrupted (SIGINT): the figures below are what was measured so far", 130
        except load.Interrupted as stop:
            result.stopped, code = f"stopped by signal {int(stop.code or 0) - 128}: figures so far", int(stop.code or 1)
        finally:
            background.stop()
            children.stop_all()
    result.load_end = system.load_average()
    result.background = (f"the busy loops got {background.cpu_per_second():.2f} CPU-seconds per second over "
                         f"{background.on_seconds:.0f} s in {background.phases} loaded phases")
    from benchmarks import busy_report

    print(busy_report.format_all(result), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(dataclasses.asdict(result), default=str, indent=1))
    return code


if __name__ == "__main__":
    sys.exit(main())
