"""W5's tables: W1/W2 steps/s quiet and loaded per threading mode, with ratios against JAX
`jit` under the same load and threading; the fits' seconds and their loaded ÷ quiet."""

from __future__ import annotations

import sys
import time
from typing import Any

from benchmarks import report, system


def _jax(samples: dict[str, list[float]]) -> list[float]:
    return next((v for label, v in samples.items() if label.startswith("JAX")), [])


def format_steps(name: str, mode: str, phases: dict[str, Any]) -> str:
    quiet, loaded = phases["quiet"], phases["loaded"]
    w = quiet.workload
    header = ["tool", "quiet steps/s", "min–max", "loaded steps/s", "min–max", "loaded ÷ quiet",
              "÷ JAX quiet", "÷ JAX loaded"]
    rows = []
    jax_quiet, jax_loaded = _jax(quiet.samples), _jax(loaded.samples)
    for label in dict.fromkeys([*quiet.samples, *loaded.samples]):
        q, b = quiet.samples.get(label, []), loaded.samples.get(label, [])
        rows.append([label, report.number(report.median(q)), report.spread(q), report.number(report.median(b)),
                     report.spread(b), report.ratio(report.paired_ratio(b, q)),
                     report.ratio(report.paired_ratio(q, jax_quiet)), report.ratio(report.paired_ratio(b, jax_loaded))])
    notes = report.problems(quiet.errors, quiet.missing) + [
        "steps/s: training steps per second on one fixed batch (median of the kept repeats); higher is better.",
        "loaded ÷ quiet: the loaded repeat's steps/s ÷ the quiet repeat's of the same round (median); "
        "÷ JAX: the tool's steps/s ÷ JAX jit's in the same repeat (median), both quiet or both loaded."]
    return report.table(f"W5 — {name} ({w.title}), {mode} threading", header, rows, notes)


def format_fits(fits: list[Any]) -> str:
    header = ["command", "threading", "quiet s", "min–max", "loaded s", "min–max", "loaded ÷ quiet",
              "in-fit s quiet / loaded", "epochs", "nnwork's threads (each distinct report)"]
    rows, notes = [], []
    for fit in fits:
        q, b = fit.seconds["quiet"], fit.seconds["loaded"]
        fq, fb = fit.fit_seconds["quiet"], fit.fit_seconds["loaded"]
        threads = "; ".join(dict.fromkeys(_short(t) for t in fit.threads)) or "—"
        rows.append([fit.label, fit.mode, report.number(report.median(q)), report.spread(q),
                     report.number(report.median(b)), report.spread(b),
                     report.ratio(report.paired_ratio(q, b, higher_is_better=False)),
                     f"{report.number(report.median(fq))} / {report.number(report.median(fb))}",
                     ",".join(str(e) for e in sorted(set(fit.epochs))) or "—", threads])
        if fit.error:
            notes.append(f"{fit.label} ({fit.mode}): error: {fit.error}")
    notes += ["s: wall seconds of the whole `nnwork fit ... --no-plots --quiet` process (start-up, data, "
              "training, metrics, files), median; in-fit s: the fit's own `seconds` in metrics.json.",
              "loaded ÷ quiet: the loaded run's seconds ÷ the quiet run's of the same round (median); > 1 is slower.",
              "threading 1 thread: `--threads 1`; default: nnwork chooses (its report in the last column)."]
    return report.table("W5 — the README's `nnwork` fit on a busy machine", header, rows, notes)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def format_all(result: Any) -> str:
    machine = system.machine()
    lines = [f"nnwork benchmarks W5 — a busy machine — {time.strftime('%Y-%m-%d %H:%M:%S')}",
             f"CPU: {machine['CPU']}, {machine['cores']} cores; {machine['system']}; python {sys.version.split()[0]}",
             f"load average (1/5/15 min) at the start of W5: {result.load_start}; at its end: {result.load_end}",
             "versions: " + ", ".join(f"{k} {v}" for k, v in result.versions.items()),
             f"background load: 2 busy-loop processes started and stopped by the benchmark; {result.background}",
             f"settings: {result.settings.repeats} rounds (one quiet and one loaded repeat of every tool) after "
             f"{result.settings.warmup} warm-up round, ~{result.settings.sample_seconds:g} s per quiet sample; "
             f"fits: {result.settings.fit_repeats} rounds after {result.settings.fit_warmup} warm-up run"]
    for mode, facts in result.threading.items():
        lines.append(f"threading {mode!r}, as the tools had it:")
        lines += [f"  {fact}" for fact in facts]
    lines += [f"error: {e}" for e in result.errors]
    if result.stopped:
        lines.append(f"STOPPED EARLY: {result.stopped}")
    out = ["\n".join(lines) + "\n"]
    for mode, workloads in result.steps.items():
        for name, phases in workloads.items():
            out.append(format_steps(name, mode, phases))
    if result.fits:
        out.append(format_fits(result.fits))
    return "\n".join(out)
