"""A one-line live progress display for training, written to stderr.

On a terminal the line is redrawn in place; elsewhere (a log file, CI) one line is printed
every tenth of the run, so logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from nnwork.training import EpochReport

WIDTH = 24


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


class ProgressBar:
    """Callback for `fit`: shows epoch, losses, learning rate, elapsed time and ETA."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_draw = 0.0

    def __call__(self, report: EpochReport) -> None:
        done = report.epoch / max(report.epochs, 1)
        last = report.epoch == report.epochs
        now = time.perf_counter()
        if self.live and not last and now - self._last_draw < 0.1:
            return
        if not self.live and not last and report.epoch % max(1, report.epochs // 10):
            return
        self._last_draw = now
        filled = int(WIDTH * done)
        eta = report.elapsed / done * (1 - done) if done > 0 else 0.0
        validation = f"  val {report.validation_loss:.3e}" if report.validation_loss is not None else ""
        line = (
            f"epoch {report.epoch:>{len(str(report.epochs))}}/{report.epochs} "
            f"[{'#' * filled}{'.' * (WIDTH - filled)}] loss {report.train_loss:.3e}{validation}"
            f"  lr {report.lr:.1e}  {_clock(report.elapsed)} ETA {_clock(eta)}"
        )
        if self.live:
            self.stream.write("\r" + line + "\x1b[K")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
