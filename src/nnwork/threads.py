"""How many threads nnwork works on — chosen so that the choice never changes a number.

A matrix product is the only part of a training step that can use more than one core (every
other op is one NumPy ufunc call). The obvious way, letting the BLAS library run its own
threads, has two faults on a real machine:

- **Busy machines.** OpenBLAS's threads spin while they wait for each other. When other
  programs share the cores, a thread that lost its core makes the others spin: small products
  became 5–10× slower with two threads than with one on a loaded 2-core machine.
- **Repeatability.** How OpenBLAS splits a product between its threads changes the rounding
  of some products (seen here: 512×784 by 784×512 in float32), so the same seeded run gives
  other numbers with another thread count.

So nnwork keeps the BLAS on one thread while it works and shares out large products itself
(`nnwork.blas`): a product above a size is cut into row blocks fixed by its shape alone, and
those blocks are spread over nnwork's threads. One thread or eight compute the same blocks
with the same single-threaded kernel, so the result is bit-identical whatever the count; and
threads that wait, sleep instead of spinning. Small products (a 64-wide network's) stay one
BLAS call on one thread, which is the fastest way on a busy machine and on a quiet one.

The count for large products is, in order: `fit(threads=n)` / `nnwork fit --threads n`; else
`set_num_threads(n)`; else chosen by measurement: the training loop times its own steps at each
candidate count, interleaved, keeps the fastest, and measures again when the steps slow down
(`ThreadChooser`). Because the count cannot change a result, measuring is safe.
"""

from __future__ import annotations

import math
import operator
import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

MAX_THREADS = 1024
_fixed: int | None = None  # set_num_threads(n); None: chosen by nnwork
_current: int | None = None  # the count large products use right now (None: the default)
_saved_blas: list[tuple[Any, int]] | None = None  # BLAS thread counts to restore, while nnwork holds them
_holders = 0  # nested `working()` scopes
_kept = False  # keep_blas() was called: the BLAS stays held after the scopes end
_lock = threading.Lock()
_controllers: list[Any] | None = None
_scanned_modules = -1  # len(sys.modules) when _controllers were made
large_products = 0  # how many products nnwork.blas has shared out so far (ThreadChooser watches it)


def available() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def check_count(n: Any, name: str = "n") -> int:
    """`n` as a thread count, or a one-line error naming `name`."""
    try:
        if isinstance(n, bool):
            raise TypeError
        n = operator.index(n)  # ints and NumPy integers; not floats, strings or bools
    except TypeError:
        raise TypeError(f"`{name}` must be a whole number of threads, got {n!r} ({type(n).__name__})") from None
    if not 1 <= n <= MAX_THREADS:
        raise ValueError(f"`{name}` must be between 1 and {MAX_THREADS} threads, got {n}")
    return n


def set_num_threads(n: int | None) -> None:
    """Use `n` threads for nnwork's large matrix products from now on (PyTorch's name); None
    gives the choice back to nnwork (measured during training, all cores otherwise).

    Like `torch.set_num_threads`, this holds everywhere, not only inside `fit`: nnwork's own
    threads do the work, so NumPy's BLAS is set to one thread while a count is set (your own
    NumPy products run single-threaded too, until `set_num_threads(None)`).
    """
    global _fixed, _current, _kept
    if n is not None:
        n = check_count(n)
    with _lock:
        _fixed = n
        _current = n
        _kept = False
    if n is not None:
        _hold_blas()
    elif _holders == 0:
        _release_blas()


def get_num_threads() -> int:
    """The number of threads nnwork's large matrix products use now."""
    if _current is not None:
        return _current
    return _fixed if _fixed is not None else available()


def fixed() -> int | None:
    """The count set by `set_num_threads`, or None when nnwork chooses."""
    return _fixed


def use(n: int) -> None:
    """Large products run on `n` threads from here on (the training loop's choice)."""
    global _current
    _current = n


# ---- the BLAS's own threads ----------------------------------------------------------------
def _blas() -> list[Any]:
    """threadpoolctl's controllers of the BLAS libraries loaded in this process.

    Made again whenever modules were imported since the last scan (a scan takes ~5 ms): a
    library imported after nnwork's first step, such as SciPy's or PyTorch's BLAS, is held too.
    """
    global _controllers, _scanned_modules
    if _controllers is None or len(sys.modules) != _scanned_modules:
        from threadpoolctl import ThreadpoolController

        _scanned_modules = len(sys.modules)
        _controllers = [lib for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]
        _scanned_modules = len(sys.modules)  # threadpoolctl's own first import counts as seen
    return _controllers


def blas_threads() -> int:
    """The largest thread count of the loaded BLAS libraries (what threadpoolctl reports)."""
    counts = [lib.get_num_threads() for lib in _blas()]
    return max((c for c in counts if c is not None), default=1)


def _hold_blas() -> None:
    """Put the BLAS libraries on one thread, remembering each one's count the first time
    it is held (a library loaded while nnwork holds the others joins them)."""
    global _saved_blas
    with _lock:
        if _saved_blas is None:
            _saved_blas = []
        held = {lib.filepath for lib, _ in _saved_blas}
        _saved_blas += [(lib, lib.get_num_threads()) for lib in _blas() if lib.filepath not in held]
        for lib, _ in _saved_blas:
            lib.set_num_threads(1)


def _release_blas() -> None:
    global _saved_blas
    with _lock:
        if _saved_blas is not None:
            for lib, count in _saved_blas:
                lib.set_num_threads(count)
            _saved_blas = None


def keep_blas() -> None:
    """Hold the BLAS on one thread from now on (until `set_num_threads(None)`). Called when a
    large product is shared out outside `working()` (a training loop of your own). Giving
    the BLAS its threads back after every product would be wrong: OpenBLAS's threads spin
    for ~0.15 s after they are used or woken, and take the cores nnwork's threads need —
    measured: a 512×784·784×512 product on two nnwork threads took 4.6 ms while they spun,
    2.5 ms after."""
    global _kept
    _kept = True
    _hold_blas()


def holding_blas() -> bool:
    """Whether the BLAS is on one thread for nnwork right now."""
    return _saved_blas is not None


@contextmanager
def working(threads: int | None = None) -> Iterator[None]:
    """The scope of nnwork's own work (training, prediction): the BLAS on one thread, large
    products on `threads` (or `set_num_threads`'s count, or all cores) — and everything as it
    was afterwards."""
    global _holders, _current
    if threads is not None:
        threads = check_count(threads, "threads")
    previous = _current
    _holders += 1
    _hold_blas()
    _current = threads if threads is not None else get_num_threads()
    try:
        yield
    finally:
        _holders -= 1
        _current = previous
        if _holders == 0 and _fixed is None and not _kept:
            _release_blas()


# ---- choosing by measurement ----------------------------------------------------------------
class ThreadChooser:
    """Chooses the thread count of a loop of similar steps by timing the steps themselves.

    It explores — a few steps at each candidate count, interleaved so that a change of load
    hits every candidate alike — then keeps the count with the lowest median step time. It
    explores again after a while, or at once when steps get much slower than that median (the
    machine got busier). A step that ran no large product (`large_products` did not move)
    says nothing about threads, so a small network never explores and stays on one thread.
    """

    ROUNDS = 3  # steps per candidate in one exploration
    SLOWER = 1.5  # a median this many times the chosen one's starts a new exploration
    WINDOW = 8

    def __init__(self, candidates: list[int] | None = None, clock: Any = time.perf_counter) -> None:
        self.clock = clock
        if candidates is None:
            top = available()
            candidates = sorted({1, top} | {2**i for i in range(1, int(math.log2(max(top, 1))) + 1)})
            if len(candidates) > 4:  # many cores: 1, two middles, all
                candidates = [1, candidates[len(candidates) // 3], candidates[2 * len(candidates) // 3], top]
        self.candidates = candidates
        self.times: dict[int, list[float]] = {}
        self.plan: list[int] = []
        self.chosen = candidates[-1] if len(candidates) > 1 else candidates[0]
        self.chosen_time = math.inf
        self.recent: list[float] = []
        self.explore_at = 0.0
        self.explorations = 0
        self.warmup = 2  # the first steps capture and allocate: not representative
        self.shared = False  # whether any step shared out a product
        self.measured: dict[int, float] = {}
        self._started = 0.0
        self._count = 0
        self._large = 0

    def begin(self) -> None:
        """Before a step: set the count it runs with."""
        count = self.plan[0] if self.plan else self.chosen
        use(count)
        self._count = count
        self._large = large_products
        self._started = self.clock()

    def end(self) -> None:
        """After the step: learn from its time."""
        now = self.clock()
        seconds = now - self._started
        if large_products == self._large:  # nothing shared out: the count did not matter
            return
        self.shared = True
        if self.warmup:
            self.warmup -= 1
            if not self.warmup:
                self._explore()
            return
        if self.plan:
            self.times.setdefault(self.plan.pop(0), []).append(seconds)
            if not self.plan:
                self._decide(now)
            return
        self.recent = (self.recent + [seconds])[-self.WINDOW :]
        slowed = len(self.recent) == self.WINDOW and _median(self.recent) > self.SLOWER * self.chosen_time
        if now >= self.explore_at or slowed:
            self._explore()

    def _explore(self) -> None:
        """Plan the next steps: ROUNDS at each candidate, interleaved."""
        if len(self.candidates) > 1:
            self.times, self.recent = {}, []
            self.plan = [c for _ in range(self.ROUNDS) for c in self.candidates]

    def _decide(self, now: float) -> None:
        medians = {c: _median(t) for c, t in self.times.items()}
        self.chosen = min(medians, key=medians.__getitem__)
        self.chosen_time = medians[self.chosen]
        self.measured = medians
        self.explorations += 1
        spent = sum(sum(t) for t in self.times.values())
        self.explore_at = now + max(1.0, 20 * spent)  # exploring costs at most ~5 % of the run

    def summary(self) -> str:
        """One line: the count used and why."""
        if not self.shared:
            return "1 (the network's matrix products are too small to share out)"
        if not self.explorations:
            return f"{self.chosen} (too few steps to measure)"
        shown = ", ".join(f"{c} → {t * 1e3:.3g} ms" for c, t in sorted(self.measured.items()))
        return f"{self.chosen} (measured per step: {shown})"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else 0.5 * (ordered[middle - 1] + ordered[middle])
