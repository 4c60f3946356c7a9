"""Run nnwork's benchmarks (W1–W5 and M of WORKLOADS.md) side by side with the peers.

    python benchmarks/run.py                  # the full run (about 40 minutes)
    python benchmarks/run.py --quick          # about two minutes: fewer repeats, short caps
    python benchmarks/run.py --only W1,W3 --repeats 7 --json out.json

Everything runs in ONE process (M's measurements in fresh subprocesses), every tool on the
same number of threads, in interleaved repeats; each table gives absolute figures and
ratios against nnwork. W5 (a busy machine) runs last, in its own process with each tool's
default threading and then one thread (benchmarks/busy.py; --threads does not apply). Peers that are not installed are reported, never a crash; the
command reports, it does not judge: it exits 0 whatever the figures are.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import system  # noqa: E402  (standard library only: safe before the thread limits)

if TYPE_CHECKING:
    from benchmarks.peers import Peer

SECTIONS = ("W1", "W2", "W3", "W4", "M", "W5")


@dataclasses.dataclass(frozen=True)
class Settings:
    repeats: int  # kept repeats of W1/W2 (after `warmup`), and of each import timing
    warmup: int
    sample_seconds: float  # length of one W1/W2 timing sample per tool
    seeds: tuple[int, ...]  # W3/W4
    cap: float  # W3/W4 seconds per run
    adam_to_cap: bool  # run the first seed's Adam runs to the cap (for the best-accuracy table)
    memory_steps: int
    threads: int

    @property
    def checkpoints(self) -> tuple[float, ...]:
        """Times at which the best MSE so far is reported (10 s is issue 6's budget)."""
        return (10.0, self.cap) if self.cap > 10 else (self.cap,)


def settings(args: argparse.Namespace) -> Settings:
    if args.quick:
        return Settings(repeats=args.repeats or 3, warmup=1, sample_seconds=0.05, seeds=(0,),
                        cap=args.cap or 2.0, adam_to_cap=False, memory_steps=1000, threads=args.threads)
    return Settings(repeats=args.repeats or 7, warmup=1, sample_seconds=0.4, seeds=(0, 1, 2),
                    cap=args.cap or 60.0, adam_to_cap=True, memory_steps=1000, threads=args.threads)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="about one minute: 3 repeats, one seed, 2 s caps, full-batch optimizers on W3 only")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help="comma-separated sections, e.g. W1,W3 (default: all)")
    parser.add_argument("--repeats", type=int, default=0, help="kept repeats after warm-up (default 7; quick 3)")
    parser.add_argument("--cap", type=float, default=0.0, help="W3/W4 seconds per run (default 60; quick 2)")
    parser.add_argument("--threads", type=int, default=2, help="threads for every tool (default 2)")
    parser.add_argument("--json", metavar="FILE", help="also write every sample to this JSON file")
    args = parser.parse_args(argv)
    args.sections = [s.strip().upper() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        parser.error(f"--only: unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}")
    if args.repeats < 0 or args.cap < 0 or args.threads < 1:
        parser.error("--repeats and --cap must be positive, --threads at least 1")
    return args


def source_version() -> str:
    """The nnwork checkout's commit (read-only git), so a table can be traced to its code."""
    try:
        done = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parent, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


def header(loaded: list[Peer], s: Settings, threads_note: str, mode: str) -> str:
    versions: dict[str, str] = {"python": sys.version.split()[0]}
    features: dict[str, bool] = {}
    for peer in loaded:
        if peer.module is not None:
            versions.update(peer.module.versions())
            if peer.name == "nnwork_peer":
                features = peer.module.features()
    machine = system.machine()
    lines = [f"nnwork benchmarks — {time.strftime('%Y-%m-%d %H:%M:%S')} — {mode}",
             f"CPU: {machine['CPU']}, {machine['cores']} cores; {threads_note}",
             f"system: {machine['system']}; load average (1/5/15 min) at start: {system.load_average()}",
             "versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + f"; nnwork source {source_version()}",
             "BLAS and thread pools (threadpoolctl):", *[f"  {line}" for line in system.blas()]]
    if features:
        lines.append("nnwork features: " + ", ".join(f"{k}: {'yes' if v else 'not yet'}" for k, v in features.items()))
    warning = system.busy_warning(s.threads)
    if warning:
        lines.append(warning)
    missing = [f"{p.display}: {p.problem}" for p in loaded if p.module is None]
    if missing:
        lines.append("peers missing: " + "; ".join(missing))
    lines.append(f"settings: {s.repeats} repeats after {s.warmup} warm-up, ~{s.sample_seconds:g} s per sample; "
                 f"W3/W4 seeds {list(s.seeds)}, cap {s.cap:g} s; M {s.memory_steps:,} steps")
    return "\n".join(lines) + "\n"


def run_busy(args: argparse.Namespace) -> tuple[int, object]:
    """W5 in a fresh process with a user's environment and CPUs; its exit code and results."""
    import tempfile

    from benchmarks import load

    env, cpus = system.user_defaults()
    children = load.Children()
    with tempfile.TemporaryDirectory(prefix="nnwork-w5-") as folder:
        out = Path(folder) / "w5.json"
        command = [sys.executable, str(Path(__file__).resolve().parent / "busy.py"), "--parent", str(os.getpid()),
                   "--json", str(out), *(["--quick"] if args.quick else []),
                   *(["--repeats", str(args.repeats)] if args.repeats else []),
                   *(["--cpus", ",".join(str(c) for c in cpus)] if cpus else [])]
        sys.stdout.flush()
        with load.signals_raise():
            driver = children.start(command, env=env)
            try:
                code = driver.wait()
            except KeyboardInterrupt:  # the driver had the Ctrl-C too (or gets SIGTERM below)
                code = 130
                try:
                    driver.wait(5)
                except subprocess.TimeoutExpired:
                    pass
            finally:
                children.stop_all(grace=10)  # SIGTERM: the driver stops its own children
        return code, json.loads(out.read_text()) if out.exists() else None


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    code, results = 0, {}
    if [s for s in args.sections if s != "W5"]:
        results = run_sections(args)
    if "W5" in args.sections:
        code, results["W5"] = run_busy(args)
    if args.json:
        def plain(value: object) -> object:
            return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else str(value)

        Path(args.json).write_text(json.dumps(results, default=plain, indent=1))
    return code


def run_sections(args: argparse.Namespace) -> dict[str, object]:
    """W1–W4 and M, in this process, every tool on --threads threads."""
    s = settings(args)
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    threads_note = system.limit_threads(s.threads)

    # Only now may NumPy, PyTorch and JAX be imported.
    from benchmarks import accuracy, memory, peers, steps
    from benchmarks.workloads import W1, W2, W3, W4

    loaded = peers.load_all()
    for peer in loaded:
        if peer.module is not None:
            peer.module.configure(s.threads)
    blas_note = system.limit_blas(s.threads)
    if blas_note:
        threads_note += f"; {blas_note}"
    nnwork = next((p.module for p in loaded if p.name == "nnwork_peer" and p.module is not None), None)
    ours = [nnwork.LABEL, nnwork.CAPTURED] if nnwork else []

    mode = "quick mode" if args.quick else "full run"
    top = header(loaded, s, threads_note, mode)
    print(top, flush=True)
    results: dict[str, object] = {"settings": dataclasses.asdict(s), "header": top}
    for name, workload in (("W1", W1), ("W2", W2)):
        if name in args.sections:
            result = steps.measure(workload, loaded, s.repeats, s.warmup, s.sample_seconds)
            print(steps.format_result(result, ours), flush=True)
            results[name] = result
    for name, problem in (("W3", W3), ("W4", W4)):
        if name in args.sections:
            full_batch = not args.quick or name == "W3"  # quick: W3's full-batch runs stand for both
            result = accuracy.measure(problem, loaded, s.seeds, s.cap, s.checkpoints, s.adam_to_cap, full_batch)
            print(accuracy.format_time_to_target(result, ours), flush=True)
            print(accuracy.format_best(result, ours), flush=True)
            results[name] = result
    if "M" in args.sections:
        result = memory.MemoryResult(s.memory_steps)
        memory.peak_memory([p.name for p in loaded if p.module is not None], s.memory_steps, s.threads, result)
        memory.import_times(s.repeats, result)
        print(memory.format_result(result, nnwork.LABEL if nnwork else ""), flush=True)
        results["M"] = result
    wall, cpu = time.perf_counter() - started_wall, time.process_time() - started_cpu
    print(f"load average (1/5/15 min) at the end: {system.load_average()}; this process used "
          f"{cpu / wall:.2f} CPU-seconds per second over {wall / 60:.1f} min (up to {s.threads} if the "
          f"machine were its own; much less means other processes shared the cores)", flush=True)
    return results


if __name__ == "__main__":
    sys.exit(main())
