"""The subcommands of `nnwork`, one module each (see nnwork.cli), and what they share: the two
errors that decide the exit code, and the --threads option."""

from __future__ import annotations

from typing import Any


class UsageError(ValueError):
    """Bad usage or input: reported in one line with exit code 2."""


class RunFailed(RuntimeError):
    """A run that started and failed (e.g. diverged): exit code 1."""


def r_squared(value: float | None) -> str:
    """R² for a table: six decimals, or "—" where it is undefined (a constant target)."""
    return "—" if value is None else f"{value:.6f}"


def add_threads_option(parser: Any) -> None:
    """`--threads N`: the one option every command that computes shares."""
    parser.add_argument("--threads", help="threads for large matrix products (default: nnwork chooses by "
                        "measuring; any count gives the same numbers)")


def thread_count(args: Any) -> int | None:
    """The --threads value, checked (None when not given)."""
    from nnwork.threads import MAX_THREADS

    text = getattr(args, "threads", None)
    if text is None:
        return None
    try:
        count = int(text.strip())
    except ValueError:
        raise UsageError(f"--threads must be a whole number from 1 to {MAX_THREADS}, got {text!r}") from None
    if not 1 <= count <= MAX_THREADS:
        raise UsageError(f"--threads must be from 1 to {MAX_THREADS}, got {count}")
    return count
