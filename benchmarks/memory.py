"""M: peak memory of a process that trains W1 for 1,000 steps, and import (start-up) time.

Peak memory: for each tool, a fresh Python process (`python -m benchmarks.memory TOOL STEPS
THREADS`) imports only that tool, runs W1 and prints its own peak resident set (VmHWM),
interpreter and libraries included. Import time: the wall time of
`python -c "import X"` in fresh processes (interpreter start-up included; `python -c pass`
is shown for reference), in rotating order, median of the repeats.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import report

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = (("python -c pass", "pass"), ("import numpy", "import numpy"), ("import nnwork", "import nnwork"),
           ("import torch", "import torch"), ("import jax", "import jax"))


@dataclass
class MemoryResult:
    steps: int
    peak_mb: dict[str, float] = field(default_factory=dict)  # tool label → MB
    import_s: dict[str, list[float]] = field(default_factory=dict)  # command label → seconds
    peak_errors: dict[str, str] = field(default_factory=dict)
    import_errors: dict[str, str] = field(default_factory=dict)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def peak_memory(peer_names: list[str], steps: int, threads: int, result: MemoryResult) -> None:
    for name in peer_names:
        done = subprocess.run([sys.executable, "-m", "benchmarks.memory", name, str(steps), str(threads)],
                              capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=600)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            result.peak_errors[name] = (done.stderr.strip().splitlines() or ["no output"])[-1][:110]
            continue
        answer = json.loads(lines[-1])
        if "error" in answer:
            result.peak_errors[answer["label"]] = answer["error"]
        else:
            result.peak_mb[answer["label"]] = answer["peak_kb"] / 1024


def import_times(repeats: int, result: MemoryResult) -> None:
    labels = [label for label, _ in IMPORTS]
    code = dict(IMPORTS)
    for r in range(repeats + 1):  # the first round warms the file cache and is not kept
        k = r % len(labels)
        for label in labels[k:] + labels[:k]:
            if label in result.import_errors:
                continue
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", code[label]], capture_output=True, text=True, env=_env())
            elapsed = time.perf_counter() - start
            if done.returncode != 0:
                last = (done.stderr.strip().splitlines() or ["failed"])[-1]
                result.import_errors[label] = "not installed" if "ModuleNotFoundError" in last else last[:110]
            elif r > 0:
                result.import_s.setdefault(label, []).append(elapsed)


def format_result(result: MemoryResult, ours: str) -> str:
    """`ours`: nnwork's label, the ratios' reference."""
    mine = result.peak_mb.get(ours)
    rows = [[label, f"{mb:.0f}", report.ratio(mb / mine) if mine else "—"] for label, mb in result.peak_mb.items()]
    memory = report.table(
        f"M — peak resident memory of a fresh process training W1 for {result.steps:,} steps",
        ["tool", "peak RSS (MB)", "tool ÷ nnwork"], rows,
        report.problems(result.peak_errors) + [
            "peak RSS (VmHWM) of the child: interpreter, imported libraries and training together; "
            "> 1 means nnwork needs less memory."])
    ours_import = report.median(result.import_s.get("import nnwork", []))
    rows = []
    for label, code in IMPORTS:
        if label in result.import_s:
            seconds = result.import_s[label]
            rows.append([f'python -c "{code}"', report.number(report.median(seconds)),
                         report.spread(seconds), report.ratio(report.median(seconds) / ours_import)])
    startup = report.table(
        'M — start-up: wall time of a fresh `python -c "import X"`',
        ["command", "seconds (median)", "min–max", "÷ import nnwork"], rows,
        report.problems(result.import_errors) + [
            "interpreter start-up included (see `pass`); > 1 means importing nnwork is faster."])
    return memory + "\n" + startup


def _child(name: str, steps: int, threads: int) -> dict[str, object]:
    """Runs in the fresh process: import one tool only, train W1, report the peak RSS."""
    from benchmarks import system

    system.limit_threads(threads)
    from benchmarks import peers
    from benchmarks.workloads import W1, initial_parameters, step_batch

    peer = peers.load(name)
    if peer.module is None:
        return {"label": peer.display, "error": peer.problem}
    peer.module.configure(threads)
    system.limit_blas(threads)
    label, run = next(iter(peer.module.step_runners(W1, initial_parameters(W1.sizes, W1.activation, 0),
                                                    *step_batch(W1)).items()))
    run(steps)
    return {"label": label, "peak_kb": _peak_rss_kb()}


def _peak_rss_kb() -> int:
    """This process's peak resident set since it started. On Linux, read VmHWM: getrusage's
    ru_maxrss would carry over the parent's peak across fork + exec."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
