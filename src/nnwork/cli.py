"""The `nnwork` command: a thin dispatcher over the subcommands in `nnwork.commands`.

Each subcommand module has `add_parser(subparsers)` and `run(args) -> int`. Exit codes:
0 success, 2 bad usage or input (a one-line message, no traceback), 1 a run that failed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from nnwork.commands import RunFailed, UsageError

COMMANDS = ("fit", "predict", "info", "export", "towers", "explain", "tour")
DEFAULT_COMMAND = "fit"
# Options whose values often start with "-" (`--domain -3:3,-3:3`, `--x -1,2`), which argparse
# would otherwise take for an option of their own.
SIGNED_VALUE_OPTIONS = ("--domain", "--x")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnwork",
        description="Fit functions with small neural networks, and see how they work.",
        epilog="With no command, `nnwork` runs `nnwork fit` on its built-in default target.",
    )
    parser.add_argument("--version", action="version", version=f"nnwork {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"nnwork.commands.{name}").add_parser(subparsers)
    return parser


def _version() -> str:
    from nnwork.version import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line `argv` (default: sys.argv[1:]) and return the exit code."""
    try:
        return _main(argv)
    except BrokenPipeError:  # the reader went away (`nnwork explain backprop | head -1`): stop quietly
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail a second time."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0].startswith("-") and args_list[0] not in ("-h", "--help", "--version"):
        args_list.insert(0, DEFAULT_COMMAND)
    args_list = _join_signed_values(args_list)
    parser = _parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exit_:  # argparse already printed its message
        return int(exit_.code or 0)
    module = importlib.import_module(f"nnwork.commands.{args.command}")
    try:
        return int(module.run(args))
    except UsageError as error:
        print(f"nnwork {args.command}: error: {error}", file=sys.stderr)
        return 2
    except RunFailed as error:
        print(f"nnwork {args.command}: failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"nnwork {args.command}: interrupted", file=sys.stderr)
        return 130


def _join_signed_values(argv: list[str]) -> list[str]:
    """Rewrite `--domain -3:3` as `--domain=-3:3` so the value is not read as an option."""
    joined: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in SIGNED_VALUE_OPTIONS and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            joined.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            joined.append(argv[i])
            i += 1
    return joined


if __name__ == "__main__":
    sys.exit(main())
