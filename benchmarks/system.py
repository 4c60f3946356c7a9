"""Thread limits and the facts printed above every table: versions, BLAS, CPU, load.

`limit_threads` must run before NumPy, PyTorch or JAX is imported. How each tool is held
to the same number of threads:
- NumPy's BLAS (and scikit-learn through it): threadpoolctl's `threadpool_limits`, applied
  once every library is loaded (it reaches only libraries already loaded), plus the usual
  OMP/OPENBLAS/MKL environment variables;
- PyTorch: `torch.set_num_threads` (in its peer module);
- JAX: XLA has no working thread-count flag in current releases (the often quoted
  `XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=N"` does not
  stop XLA's CPU client from running on more threads); it sizes its thread pool from the
  process's CPU affinity, so when the machine has more cores than `threads`, the whole
  process (every tool alike, and the subprocesses of workload M) is pinned to `threads` cores.
"""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


_user: dict[str, Any] = {}  # the thread variables and CPU affinity before limit_threads changed them


def limit_threads(threads: int) -> str:
    """Set the thread variables and, if needed, the CPU affinity; say what was done."""
    _user.setdefault("env", {name: os.environ.get(name) for name in THREAD_VARIABLES})
    if hasattr(os, "sched_getaffinity"):
        _user.setdefault("cpus", sorted(os.sched_getaffinity(0)))
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    if not hasattr(os, "sched_getaffinity"):
        return f"{threads} threads (CPU affinity not available on this system)"
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) > threads:
        os.sched_setaffinity(0, cores[:threads])
        return f"{threads} threads; process pinned to CPUs {cores[:threads]} (of {len(cores)}) for JAX"
    return f"{threads} threads; the process may use {len(cores)} CPU(s), so no pinning was needed"


def user_defaults() -> tuple[dict[str, str], list[int] | None]:
    """The environment and CPUs a user's process would have (as before limit_threads), for W5."""
    env = dict(os.environ)
    for name, value in _user.get("env", {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    cpus = _user.get("cpus")
    if cpus is None and hasattr(os, "sched_getaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
    return env, cpus


_limits: Any = None  # keeps threadpoolctl's limits in force for the life of the process


def limit_blas(threads: int) -> str:
    """Apply threadpoolctl's limit to every BLAS/OpenMP library loaded so far."""
    global _limits
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return "threadpoolctl not installed: BLAS threads set by environment variables only"
    _limits = threadpool_limits(limits=threads)
    return ""


def blas() -> list[str]:
    """One line per native thread pool (BLAS, OpenMP) loaded in this process."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["threadpoolctl not installed: BLAS unknown"]
    lines = []
    for pool in threadpool_info():
        where = os.path.basename(pool.get("filepath", ""))
        extra = f", {pool['architecture']}" if pool.get("architecture") else ""
        lines.append(f"{pool.get('internal_api', pool.get('user_api'))} {pool.get('version') or ''} "
                     f"({pool.get('user_api')}, {pool.get('num_threads')} threads{extra}) — {where}")
    return lines


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    if not hasattr(os, "getloadavg"):
        return "unknown"
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def busy_warning(threads: int) -> str:
    """A warning when other processes keep the cores busy: then threads that must meet (a
    BLAS call split in `threads` parts) wait for the scheduler, and multi-threaded figures
    can drop tenfold. Empty when the machine looks idle."""
    if not hasattr(os, "getloadavg"):
        return ""
    load = os.getloadavg()[0]
    if load < 1.0:
        return ""
    return (f"WARNING: the load average is {load:.1f} before starting: other processes share the CPU, "
            f"and figures with {threads} threads per tool may measure the scheduler more than the tools "
            f"(compare with --threads 1).")


def machine() -> dict[str, str]:
    return {
        "CPU": cpu_model(),
        "cores": f"{os.cpu_count()} logical",
        "python": f"{platform.python_version()} ({sys.executable})",
        "system": platform.platform(),
    }
