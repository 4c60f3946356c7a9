"""W5's background load and the child processes of a benchmark, stopped whatever happens.

`Background(2)` runs two CPU-bound busy loops (`python -S -c "while ...: pass"`) while it is
on, and none while it is off. Every process the benchmark starts (busy loops, the JAX
workers, the `nnwork fit` runs, the W5 driver itself) is stopped on every way out:
- normally, and on an exception: `try/finally` and `Children.stop_all()`;
- on SIGINT (KeyboardInterrupt), SIGTERM and SIGHUP: `signals_raise()` turns the last two
  into SystemExit, so the same `finally` runs; while cleaning up, `shielded()` ignores them;
- if the benchmark itself is killed (SIGKILL, a crash): each child asks the kernel to kill
  it when its parent dies (`prctl(PR_SET_PDEATHSIG)`, Linux), and a busy loop also checks
  its parent's pid every few milliseconds (elsewhere).
Every child's command line carries `marker(kind)`, so a test can check that none is left.

Standard library only: the W5 launcher in run.py imports it before NumPy.
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator

TAG_VARIABLE = "NNWORK_BENCH_TAG"  # a test sets it to find its own children in the process table

# A busy loop: dies with its parent (prctl, and a parent-pid check), says "r" once running.
BUSY_LOOP = r"""
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
parent = int(sys.argv[1])
try:
    import ctypes
    ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG = 1, SIGKILL = 9
except Exception:
    pass
if os.getppid() != parent:
    sys.exit(0)
os.write(1, b"r")
while os.getppid() == parent:
    for _ in range(100000):
        pass
"""

# The lines a Python child runs first so that it dies with its parent (argv[1] is the parent's pid).
DIE_WITH_PARENT = (
    "import os, signal, sys\n"
    "try:\n"
    "    import ctypes\n"
    "    ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))\n"
    "except Exception:\n"
    "    pass\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    sys.exit(1)\n"
)


def tag() -> str:
    """What this run's children carry in their command lines (inherited by the W5 driver)."""
    return os.environ.get(TAG_VARIABLE) or f"run{os.getpid()}"


def marker(kind: str) -> str:
    return f"nnwork-bench-{kind}:{tag()}"


def die_with_parent(parent: int, sig: int = signal.SIGTERM) -> None:
    """In a child: have the kernel send `sig` when the parent dies; exit now if it already has."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, int(sig))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent and os.getppid() != parent:
        sys.exit(1)


class Interrupted(SystemExit):
    """SIGTERM or SIGHUP arrived: unwind (running every `finally`) and exit 128 + signal."""


def _raise(signum: int, frame: object) -> None:
    raise Interrupted(128 + signum)


@contextmanager
def signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Interrupted (SIGINT already raises KeyboardInterrupt)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextmanager
def shielded() -> Iterator[None]:
    """Ignore SIGINT, SIGTERM and SIGHUP for a moment: while children are being stopped."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def stop(process: subprocess.Popen, grace: float = 2.0) -> None:
    """Terminate a child (kill it if it does not go within `grace` seconds) and reap it."""
    if process.poll() is None:
        try:
            process.terminate()
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        except OSError:
            pass
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass


class Children:
    """Every child process started through it, stopped by `stop_all()` (and at exit)."""

    def __init__(self) -> None:
        self.live: list[subprocess.Popen] = []
        atexit.register(self.stop_all)

    def start(self, command: list[str], **kwargs: object) -> subprocess.Popen:
        process = subprocess.Popen(command, **kwargs)  # type: ignore[call-overload]
        self.live.append(process)
        return process

    def forget(self, process: subprocess.Popen) -> None:
        stop(process)
        if process in self.live:
            self.live.remove(process)

    def stop_all(self, grace: float = 2.0) -> None:
        with shielded():
            while self.live:
                stop(self.live.pop(), grace)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a live process (Linux /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class Background:
    """`count` busy loops while on; `cpu_per_second()` says how much CPU they really got."""

    def __init__(self, children: Children, count: int = 2) -> None:
        self.children, self.count = children, count
        self.loops: list[subprocess.Popen] = []
        self.on_seconds = 0.0
        self.cpu = 0.0
        self.phases = 0
        self._since = 0.0

    @property
    def running(self) -> bool:
        return bool(self.loops)

    def set(self, on: bool) -> None:
        if on and not self.loops:
            self.start()
        elif not on and self.loops:
            self.stop()

    def start(self) -> None:
        command = [sys.executable, "-S", "-c", BUSY_LOOP, str(os.getpid()), marker("load")]
        try:
            for _ in range(self.count):
                self.loops.append(self.children.start(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                                      stderr=subprocess.DEVNULL))
            for loop in self.loops:  # wait until each one is running
                ready, _, _ = select.select([loop.stdout], [], [], 10.0)
                if not ready or not os.read(loop.stdout.fileno(), 1):  # type: ignore[union-attr]
                    raise RuntimeError("a background busy loop did not start")
        except BaseException:
            self.stop()
            raise
        self._since = time.perf_counter()
        self.phases += 1

    def stop(self) -> None:
        with shielded():
            if self._since:
                self.on_seconds += time.perf_counter() - self._since
                self._since = 0.0
            for loop in self.loops:
                used = cpu_seconds(loop.pid)
                self.cpu += used or 0.0
                self.children.forget(loop)
            self.loops = []

    def cpu_per_second(self) -> float:
        """CPU-seconds the busy loops got per second of load (the load they really put on)."""
        return self.cpu / self.on_seconds if self.on_seconds else float("nan")
