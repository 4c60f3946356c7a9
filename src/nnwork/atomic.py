"""Writing a file so that it is never half-written: all of the new version, or the old one.

The bytes go to a temporary file `.<name>.tmp-<pid>-<random>` in the target's directory, are
flushed and fsync'ed, and then `os.replace` renames it onto the target in one step (atomic
on POSIX and Windows within one file system); the directory is fsync'ed so the rename itself
survives a power cut. A process killed at any moment leaves the previous target intact. It
may leave its temporary file behind: the next write to the same target removes such leftovers
once they are more than a minute old (younger ones may belong to a writer still at work).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from pathlib import Path
from typing import BinaryIO, Callable

STALE_SECONDS = 60.0


def temp_prefix(path: Path) -> str:
    """The name every temporary file for `path` starts with."""
    return f".{path.name}.tmp-"


def atomic_write(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> Path:
    """Call `write(file)` on a fresh temporary file, then move it onto `path` atomically.

    On any exception (including KeyboardInterrupt) the temporary file is removed and `path`
    is untouched. Returns `path` as a Path.
    """
    path = Path(path)
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the directory {directory} does not exist")
    _remove_stale_temps(path)
    temp = directory / f"{temp_prefix(path)}{os.getpid()}-{secrets.token_hex(4)}"
    try:
        opened = open(temp, "xb")
    except OSError as error:  # name the file asked for, not the temporary one
        raise type(error)(error.errno, error.strerror, str(path)) from None
    try:
        with opened as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_directory(directory)
    return path


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable (POSIX; Windows cannot open a directory, and needs no such step)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse to fsync a directory; the rename is still atomic
        pass
    finally:
        os.close(fd)


def _remove_stale_temps(path: Path) -> None:
    """Delete this target's temporary files left by killed writers, if over a minute old."""
    prefix, cutoff = temp_prefix(path), time.time() - STALE_SECONDS
    with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
        for entry in entries:
            if entry.name.startswith(prefix) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                        os.unlink(entry.path)
