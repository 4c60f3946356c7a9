"""The tools compared, one module each, all with the same small interface:

    LABEL                       the tool's name in the tables (with its version)
    versions()                  {library: version}
    configure(threads)          set the library's own thread count
    step_runners(workload, params, x, y)       {label: run(steps)} for W1/W2 and M
    adam_trainers(problem, params, data, seed) {label: trainer} for W3/W4 (see fitting.Trainer)
    best_runs(problem, params, data, seed, cap, checkpoints)  {label: run() -> FitRun}

A module whose library is not installed is reported as "not installed", never a crash.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

# (module, display name, the import that must succeed)
PEERS = (
    ("nnwork_peer", "nnwork", "nnwork"),
    ("numpy_peer", "NumPy hand-written", "numpy"),
    ("torch_peer", "PyTorch", "torch"),
    ("jax_peer", "JAX", "jax"),
    ("sklearn_peer", "scikit-learn", "sklearn"),
)
NAMES = tuple(name for name, _, _ in PEERS)


@dataclass
class Peer:
    name: str  # module name, e.g. "torch_peer"
    display: str
    module: ModuleType | None
    problem: str = ""  # why it is missing


def load(name: str) -> Peer:
    """Import one peer module; a missing library gives a Peer with `module=None`."""
    display, library = next((d, lib) for n, d, lib in PEERS if n == name)
    try:
        importlib.import_module(library)
    except ImportError as error:
        return Peer(name, display, None, f"not installed ({error})")
    try:
        module = importlib.import_module(f"benchmarks.peers.{name}")
    except Exception as error:  # the library is there but our adapter fails: report it
        return Peer(name, display, None, f"failed to load: {error!r}")
    return Peer(name, display, module)


def load_all(names: tuple[str, ...] = NAMES) -> list[Peer]:
    return [load(name) for name in names]
