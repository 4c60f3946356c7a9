"""CSV in and out: every cell checked, every error with its file, line and column."""

from __future__ import annotations

import csv
import difflib
import io
import math
import os
import re
from typing import Any, Mapping, Sequence, TextIO, Union

import numpy as np
from numpy.typing import ArrayLike

from nnwork.atomic import atomic_write
from nnwork.data.dataset import Array, Dataset
from nnwork.data.numbers import is_number, number

Columns = Union[str, int, Sequence[Union[str, int]], None]



def _where(file: str, line: int, column: int | None = None,
           names: Sequence[str] | None = None) -> str:
    text = f"{file}, line {line}"
    if column is not None:
        text += f", column {column}"
        if names is not None and column <= len(names) and names[column - 1]:
            text += f" ({names[column - 1]!r})"
    return text


def _blank(row: list[str]) -> bool:
    return len(row) <= 1 and not any(row)  # "" or spaces; ",," is a row of missing cells


def _rows(path: str) -> tuple[list[list[str]], list[int]]:
    """The rows of cells (stripped) and the 1-based line each ends on; no trailing blanks."""
    rows, lines = [], []
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, delimiter=_delimiter(handle), skipinitialspace=True)
            try:
                for row in reader:
                    rows.append([cell.strip() for cell in row])
                    lines.append(reader.line_num)
            except csv.Error as error:
                raise ValueError(f"{_where(path, reader.line_num)}: {error}") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text: {error.reason} "
                         f"(byte {error.object[error.start:error.end]!r})") from None
    while rows and _blank(rows[-1]):
        rows.pop(), lines.pop()
    if not rows:
        raise ValueError(f"{path} is empty: expected rows of numbers separated by commas")
    for row, line in zip(rows, lines):
        if _blank(row):
            raise ValueError(f"{_where(path, line)} is blank; blank lines may only end the file")
    return rows, lines


DELIMITERS = ",;\t"  # the cell separators read_csv recognises, comma first on a tie


def _delimiter(handle: TextIO) -> str:
    """The separator the file's first non-blank line splits into the most cells by (then
    rewinds): "x;y" and tab-separated files read as well as comma-separated ones."""
    for line in handle:
        if line.strip():
            break
    else:
        line = ""
    handle.seek(0)
    return max(DELIMITERS, key=lambda d: len(next(csv.reader([line], delimiter=d), [])))


def _has_header(first: list[str], header: bool | None, path: str) -> bool:
    if header is not None:
        if not isinstance(header, bool):
            raise TypeError(f"`header` must be True, False or None, got {header!r}")
        return header
    numeric = [is_number(cell) for cell in first if cell]
    if all(numeric):
        return False
    if not any(numeric):
        return True
    raise ValueError(f"{_where(path, 1)} mixes names and numbers ({', '.join(first)}); "
                     "pass header=True if it is a header or header=False if it is data")


def _selection(spec: Columns, which: str, names: Sequence[str] | None, width: int,
               path: str) -> list[int] | None:
    """The 0-based columns chosen by `spec`: names, 1-based numbers, "a,b" or "1,2"."""
    if spec is None:
        return None
    if isinstance(spec, str):
        items: list[Any] = [item.strip() for item in spec.split(",")] if spec.strip() else []
    elif isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        items = [spec]
    elif isinstance(spec, Sequence):
        items = list(spec)
    else:
        raise TypeError(f"`{which}` must be column names or 1-based numbers, got {spec!r}")
    chosen: list[int] = []
    for item in items:
        if isinstance(item, str) and names is not None and item in names:
            index = names.index(item)
        elif isinstance(item, str) and re.fullmatch(r"[0-9]+", item) or (
                isinstance(item, (int, np.integer)) and not isinstance(item, bool)):
            index = int(item) - 1
            if not 0 <= index < width:
                raise ValueError(f"{path}: column {item} in `{which}` is out of range; "
                                 f"columns are numbered from 1 to {width}")
        elif isinstance(item, str) and names is not None:
            close = difflib.get_close_matches(item, names, n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"{path}: unknown column {item!r} in `{which}`{guess}; "
                             f"the columns are {', '.join(names)}")
        elif isinstance(item, str):
            raise ValueError(f"{path} has no header, so choose columns by number (1 to "
                             f"{width}); got {item!r} in `{which}`")
        else:
            raise TypeError(f"`{which}` must hold column names or 1-based numbers, got {item!r}")
        if index in chosen:
            raise ValueError(f"{path}: column {item!r} is chosen twice in `{which}`")
        chosen.append(index)
    return chosen


def _columns(x: Columns, y: Columns, names: Sequence[str] | None, width: int,
             path: str) -> tuple[list[int], list[int]]:
    inputs = _selection(x, "x", names, width, path)
    outputs = _selection(y, "y", names, width, path)
    named = [i for i in range(width) if names is None or names[i]]  # unnamed: e.g. pandas' index
    if inputs is None:
        outputs = named[-1:] if outputs is None else outputs
        inputs = [i for i in named if i not in outputs]
    elif outputs is None:
        outputs = [i for i in named if i not in inputs]
    both = [i for i in inputs if i in outputs]
    if both:
        label = repr(names[both[0]]) if names else str(both[0] + 1)
        raise ValueError(f"{path}: column {label} is chosen as both an input (`x`) and an "
                         "output (`y`)")
    if not inputs:
        raise ValueError(f"{path}: no input columns ({width} column(s) in all, outputs "
                         f"{[o + 1 for o in outputs]}); a dataset needs at least one input")
    return inputs, outputs


def read_csv(path: str | os.PathLike[str], x: Columns = None, y: Columns = None,
             header: bool | None = None, skipped: list[int] | None = None) -> Dataset:
    """Read a comma-separated file of numbers into a Dataset, checking every cell.

    Arguments:
        path: a UTF-8 text file (a byte-order mark is fine). Cells are separated by commas
            semicolons or tabs, whichever splits the first line into the most cells; cells
            may be quoted and surrounded by spaces; there are no comments; blank lines are
            allowed only at the end. The header's first cell may be empty (pandas writes its
            index column so): that column is then skipped unless chosen by number.
        x, y: the input and output columns, by header name or 1-based number: "a,b", "1,2",
            3 or ["a", 2]. Default: every column but the last is an input, the last is the
            output; give one of them and the other gets all remaining columns (y=[] or a
            file that x uses up gives an inputs-only dataset, as `nnwork predict` reads).
            Only the chosen columns need to hold numbers.
        header: True, False, or None to detect one: the first row is a header when none of
            its cells is a number, data when all are, and an error when it mixes the two.
        skipped: a list to skip rows with an empty cell in a chosen column instead of
            refusing the file (`nnwork fit --drop-missing`); their 1-based lines are appended
            to it. Other bad cells are still errors.
    Returns:
        A Dataset named after the header's columns (or x1.., y1.. without a header).
    Raises:
        ValueError with the file name, the 1-based line and column (and the column's name):
        an empty file, a header with no rows, a missing, non-numeric, NaN or infinite cell,
        a row with too few or too many cells, unknown or out-of-range columns, a column in
        both x and y.
    """
    path = os.fspath(path)
    if not isinstance(path, str):
        raise TypeError(f"`path` must be a str or os.PathLike of str, got {path!r}")
    rows, lines = _rows(path)
    has_header = _has_header(rows[0], header, path)
    names = rows[0] if has_header else None
    width = len(rows[0])
    for column, name in enumerate(rows[0] if has_header else [], 1):
        if not name and column > 1:  # only the first may be unnamed: pandas' index column
            raise ValueError(f"{_where(path, lines[0], column)}: the header has an empty name")
        if name and name in rows[0][: column - 1]:
            raise ValueError(f"{_where(path, lines[0], column)}: the header repeats the name "
                             f"{name!r} of column {rows[0].index(name) + 1}")
    data, data_lines = rows[has_header:], lines[has_header:]
    if not data:
        raise ValueError(f"{path} has a header (line {lines[0]}) but no rows of data")
    for row, line in zip(rows, lines):
        if len(row) < width:
            raise ValueError(f"{_where(path, line, len(row) + 1, names)}: missing; the row has "
                             f"only {len(row)} of the {width} cells of line {lines[0]}")
        if len(row) > width:
            raise ValueError(f"{_where(path, line, width + 1)}: an extra cell {row[width]!r}; "
                             f"line {lines[0]} has {width} cells")
    inputs, outputs = _columns(x, y, names, width, path)
    chosen = inputs + outputs
    if skipped is not None:
        kept = [(row, line) for row, line in zip(data, data_lines) if all(row[c] for c in chosen)]
        skipped.extend(line for row, line in zip(data, data_lines) if not all(row[c] for c in chosen))
        if not kept:
            raise ValueError(f"{path}: every row has an empty cell in the chosen columns; nothing is left")
        data, data_lines = [row for row, _ in kept], [line for _, line in kept]
    values = np.empty((len(data), len(chosen)))
    for r, (row, line) in enumerate(zip(data, data_lines)):
        try:
            values[r] = [number(row[c]) for c in chosen]
            if np.isfinite(values[r]).all():
                continue
        except ValueError:
            pass
        for c in sorted(chosen):  # the first bad cell of the row, in file order
            where, cell = _where(path, line, c + 1, names), row[c]
            if not cell:
                raise ValueError(f"{where}: missing value (an empty cell)")
            if not is_number(cell):
                comma = " (decimal commas are not read: write a point, 1.5)" if re.fullmatch(r"[+-]?\d*,\d+", cell) else ""
                raise ValueError(f"{where}: {cell!r} is not a number{comma}")
            if not math.isfinite(float(cell)):
                raise ValueError(f"{where}: {cell!r} is not finite; every value in a dataset must be a finite number")
    d = len(inputs)
    x_names = tuple(names[c] or f"column{c + 1}" for c in inputs) if names else ()
    y_names = tuple(names[c] or f"column{c + 1}" for c in outputs) if names else ()
    return Dataset(values[:, :d], values[:, d:], x_names, y_names)


def _table(columns: Mapping[str, ArrayLike] | Sequence[str],
           data: ArrayLike | None) -> tuple[list[str], Array]:
    if isinstance(columns, Mapping):
        if data is not None:
            raise TypeError("pass `data` only with a sequence of column names, not with a dict")
        names = list(columns)
        arrays = [np.asarray(values) for values in columns.values()]
        for name, array in zip(names, arrays):
            if array.ndim != 1 or len(array) != len(arrays[0]):
                raise ValueError(f"column {name!r} must have shape ({len(arrays[0])},) like "
                                 f"column {names[0]!r}, got shape {array.shape}")
        matrix = np.stack(arrays, axis=1) if arrays else np.empty((0, 0))
    elif isinstance(columns, Sequence) and not isinstance(columns, str) and data is not None:
        names, matrix = list(columns), np.asarray(data)
        if matrix.ndim != 2 or matrix.shape[1] != len(names):
            raise ValueError(f"`data` must have shape (N, {len(names)}) for the names {names!r}, "
                             f"got shape {matrix.shape}")
    else:
        raise TypeError("`columns` must be a dict of name -> 1-D array, or a list of names "
                        f"with a 2-D `data` array; got {type(columns).__name__}")
    if not names:
        raise ValueError("`columns` must name at least one column")
    for i, name in enumerate(names):
        if not isinstance(name, str) or not name or name in names[:i]:
            raise ValueError(f"column names must be unique non-empty strings, got {name!r}")
    if matrix.dtype.kind not in "biuf":
        raise TypeError(f"the columns must hold real numbers, got dtype {matrix.dtype}")
    return names, matrix.astype(np.float64, copy=False)


def _write(handle: TextIO, names: list[str], matrix: Array) -> None:
    csv.writer(handle, lineterminator="\n").writerow(names)
    for row in matrix.tolist():
        handle.write(",".join(map(repr, row)) + "\n")  # repr: the shortest exact float text


def write_csv(path_or_file: str | os.PathLike[str] | TextIO,
              columns: Mapping[str, ArrayLike] | Sequence[str],
              data: ArrayLike | None = None) -> None:
    """Write a header and rows of numbers, each float in the shortest text that reads back
    exactly (Python's repr), so that write_csv then read_csv loses nothing.

    Arguments:
        path_or_file: a path, written atomically (a temporary file then a rename, so an old
            file is never left half-overwritten), or an open text file such as sys.stdout.
        columns: a dict of name -> 1-D array, or a list of names with `data` of shape
            (N, len(names)). Names should not look like numbers, or read_csv will not see
            the header. NaN and ±inf are written as nan, inf, -inf (read_csv rejects them).
    """
    names, matrix = _table(columns, data)
    if not isinstance(path_or_file, (str, os.PathLike)):
        if not hasattr(path_or_file, "write"):
            raise TypeError(f"`path_or_file` must be a path or a text file, got {path_or_file!r}")
        _write(path_or_file, names, matrix)
        return

    def write(binary: Any) -> None:
        handle = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        _write(handle, names, matrix)
        handle.flush()
        handle.detach()  # leave the binary file open: atomic_write syncs and closes it

    atomic_write(os.fspath(path_or_file), write)
