"""Data: datasets, sampling a target, CSV in and out, splits, standardising and batches.

Everything between "a formula or a CSV" and "rows of numbers for the network":

    sample(target, domain) or read_csv(path) -> Dataset -> split -> Standardizer -> batches

A `Dataset` holds float64 inputs x (N, d) and outputs y (N, k), with a name per column. It is
checked once, when built (shapes, finiteness), so that the code after it can trust it. Nothing
here prints; bad input raises ValueError or TypeError saying what was wrong and where.
Randomness (uniform samples, splits, shuffles) comes from `nnwork.rng.generator(seed)`, so a
seed repeats bit for bit and seed=None means nnwork's own generator (`nnwork.manual_seed`).
"""

from __future__ import annotations

import csv
import difflib
import math
import numbers
import os
import re
import secrets
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence, TextIO, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nnwork.rng import generator as _generator

Array = NDArray[np.float64]
Index = NDArray[np.intp]
Seed = Union[int, np.random.Generator, None]
Domain = Union[str, Sequence[Sequence[float]]]
Columns = Union[str, int, Sequence[Union[str, int]], None]
MAX_GRID_POINTS = 10_000_000


def _count(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"`{name}` must be at least {minimum}, got {value}")
    return int(value)


def _matrix(values: Any, name: str) -> Array:
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"`{name}` must hold real numbers, got an array of dtype {array.dtype}")
    if array.ndim != 2:
        raise ValueError(f"`{name}` must be 2-D, of shape (N, columns), got shape {array.shape}")
    return np.ascontiguousarray(array, dtype=np.float64)


def _names(given: Sequence[str], count: int, prefix: str) -> tuple[str, ...]:
    """`given` as a tuple of `count` non-empty names; () means prefix1, prefix2, ..."""
    if isinstance(given, str):
        raise TypeError(f"`{prefix}_names` must be a sequence of str, got the str {given!r}")
    names = tuple(given) or tuple(f"{prefix}{i}" for i in range(1, count + 1))
    if len(names) != count:
        raise ValueError(f"`{prefix}_names` must name the {count} column(s) of `{prefix}`, "
                         f"got {len(names)} names: {names!r}")
    for name in names:
        if not isinstance(name, str) or not name:
            raise TypeError(f"`{prefix}_names` must be non-empty strings, got {name!r}")
    return names


@dataclass(frozen=True, eq=False)
class Dataset:
    """Rows of inputs `x` (N, d) and outputs `y` (N, k), float64, finite, with column names.

    Arguments:
        x, y: 2-D arrays with the same number of rows N; d >= 1 and k >= 0 (k = 0 is an
            inputs-only dataset, as read for `nnwork predict`). Both are copied to float64.
        x_names, y_names: one name per column; empty (the default) means x1..xd and y1..yk.
    Raises:
        ValueError for wrong shapes or repeated names, and for a NaN or ±inf, naming its row
        and column; TypeError for values that are not real numbers.
    """

    x: Array
    y: Array
    x_names: tuple[str, ...] = ()
    y_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        x, y = _matrix(self.x, "x"), _matrix(self.y, "y")
        if x.shape[1] == 0:
            raise ValueError(f"`x` must have at least one column, got shape {x.shape}")
        if len(x) != len(y):
            raise ValueError("`x` and `y` must have the same number of rows, "
                             f"got shapes {x.shape} and {y.shape}")
        x_names = _names(self.x_names, x.shape[1], "x")
        y_names = _names(self.y_names, y.shape[1], "y")
        every = x_names + y_names
        repeated = [name for i, name in enumerate(every) if name in every[:i]]
        if repeated:
            raise ValueError(f"column names must be unique, got {repeated[0]!r} twice "
                             f"in x_names={x_names!r}, y_names={y_names!r}")
        for label, array, names in (("x", x, x_names), ("y", y, y_names)):
            bad = ~np.isfinite(array)
            if bad.any():
                row, column = (int(i) for i in np.argwhere(bad)[0])
                raise ValueError(f"`{label}` is not finite at row {row}, column {column} "
                                 f"({names[column]!r}): {float(array[row, column])!r}")
        for key, value in (("x", x), ("y", y), ("x_names", x_names), ("y_names", y_names)):
            object.__setattr__(self, key, value)

    def __len__(self) -> int:
        return len(self.x)

    def __repr__(self) -> str:
        return f"Dataset(N={len(self)}, x_names={self.x_names!r}, y_names={self.y_names!r})"

    @property
    def n_inputs(self) -> int:
        return self.x.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.y.shape[1]

    def subset(self, indices: ArrayLike) -> Dataset:
        """The rows at `indices` (0-based integers, in that order; repeats allowed)."""
        index = np.asarray(indices)
        if index.ndim != 1 or (index.size and index.dtype.kind not in "iu"):
            raise TypeError("`indices` must be a 1-D sequence of integers, got an array of "
                            f"dtype {index.dtype} and shape {index.shape}")
        outside = (index < 0) | (index >= len(self))
        if outside.any():
            raise ValueError(f"`indices` must be from 0 to {len(self) - 1} for a dataset of "
                             f"{len(self)} rows, got {index[outside][0]}")
        index = index.astype(np.intp)
        return Dataset(self.x[index], self.y[index], self.x_names, self.y_names)


# ---- domains, grids and samples of a target ----


def _bound(text: str) -> float:
    word = text.strip().lower()
    if word in ("pi", "+pi", "-pi"):
        return -math.pi if word.startswith("-") else math.pi
    try:
        return float(word)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None


def _checked_domain(pairs: list[tuple[float, float]], n_inputs: int | None,
                    what: str) -> list[tuple[float, float]]:
    for number, (low, high) in enumerate(pairs, 1):
        where = f"{what}, range {number} ({low!r}:{high!r})" if len(pairs) > 1 else what
        if math.isnan(low) or math.isnan(high):
            raise ValueError(f"{where}: a bound is not a number")
        if math.isinf(low) or math.isinf(high):
            raise ValueError(f"{where}: a bound is infinite; give a finite low:high")
        if not low < high:
            raise ValueError(f"{where}: low {low!r} must be less than high {high!r}")
    if n_inputs is not None and len(pairs) == 1:
        return pairs * n_inputs
    if n_inputs is not None and len(pairs) != n_inputs:
        raise ValueError(f"{what} has {len(pairs)} ranges; expected one per input "
                         f"({n_inputs}), or a single one for all of them")
    return pairs


def parse_domain(text: str, n_inputs: int | None = None) -> list[tuple[float, float]]:
    """Parse command-line text such as "-3:3,-1:1" or "-pi:pi" into (low, high) pairs.

    Each comma-separated range is low:high; a bound is a number, pi or -pi. With `n_inputs`,
    a single range is repeated for every input and any other count but n_inputs is an error.
    ValueError names the range at fault: not a number, infinite, low >= high or wrong count.

    >>> parse_domain("0:1", n_inputs=2)
    [(0.0, 1.0), (0.0, 1.0)]
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str such as '-3:3,0:1', got {type(text).__name__}")
    if n_inputs is not None:
        _count(n_inputs, "n_inputs", 1)
    what = f"domain {text!r}"
    pairs = []
    for number, part in enumerate(text.split(","), 1):
        where = f"{what}, range {number} ({part.strip()!r})"
        bounds = part.split(":")
        if len(bounds) != 2:
            raise ValueError(f"{where}: expected low:high, such as -3:3")
        try:
            pairs.append((_bound(bounds[0]), _bound(bounds[1])))
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        _checked_domain(pairs[-1:], None, where)
    return _checked_domain(pairs, n_inputs, what)


def _domain(domain: Domain, n_inputs: int | None) -> list[tuple[float, float]]:
    """A domain given as text or as (low, high) pairs, checked and broadcast to n_inputs."""
    if isinstance(domain, str):
        return parse_domain(domain, n_inputs)
    try:
        pairs = np.asarray(domain, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("`domain` must be text such as '-3:3' or (low, high) pairs, "
                        f"got {domain!r}") from None
    if pairs.ndim != 2 or pairs.shape[1] != 2 or len(pairs) == 0:
        raise ValueError(f"`domain` must be (low, high) pairs, got shape {pairs.shape}: {domain!r}")
    return _checked_domain([(float(lo), float(hi)) for lo, hi in pairs], n_inputs, "`domain`")


def grid(domain: Domain, points_per_axis: int | Sequence[int]) -> Array:
    """Every point of a regular grid over `domain`, as rows of an (N, d) float64 array.

    Each axis has `points_per_axis` evenly spaced values (at least 2, or one count per axis)
    from its low to its high end, both ends included. Rows are in "ij" (matrix) order: the
    first input varies slowest, the last fastest, so the result reshapes to (p1, ..., pd).
    At most MAX_GRID_POINTS points in all.
    """
    if isinstance(points_per_axis, (int, np.integer)):
        counts = [_count(points_per_axis, "points_per_axis", 2)]
        bounds = _domain(domain, None)
        counts *= len(bounds)
    else:
        counts = [_count(c, "points_per_axis", 2) for c in points_per_axis]
        bounds = _domain(domain, len(counts))
    if len(counts) != len(bounds):
        raise ValueError(f"`points_per_axis` has {len(counts)} counts for {len(bounds)} axes")
    total = math.prod(counts)
    if total > MAX_GRID_POINTS:
        raise ValueError(f"a grid of {' x '.join(map(str, counts))} = {total} points is more "
                         f"than MAX_GRID_POINTS = {MAX_GRID_POINTS}; use fewer points per axis")
    axes = [np.linspace(low, high, count) for (low, high), count in zip(bounds, counts)]
    return np.stack([axis.ravel() for axis in np.meshgrid(*axes, indexing="ij")], axis=1)


def _outputs(target: Callable[[Array], Any], x: Array) -> Array:
    """target(x) as an (N, k) float64 array, or a clear error about its shape or values."""
    values = np.asarray(target(x))
    if values.dtype.kind not in "biuf":
        raise TypeError(f"the target must return real numbers, got dtype {values.dtype}")
    if values.shape == (len(x),):
        values = values[:, None]
    if values.ndim != 2 or len(values) != len(x):
        raise ValueError(f"the target must return shape ({len(x)},) or ({len(x)}, k) for x of "
                         f"shape {x.shape}, got shape {values.shape}")
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"the target is not finite at x = {x[row].tolist()} (row {row}): "
                         f"it gives {values[row].tolist()}")
    return values.astype(np.float64, copy=False)


def sample(target: Callable[[Array], Any], domain: Domain | None = None, n: int = 4096,
           method: str = "uniform", seed: Seed = 0, points_per_axis: int | None = None) -> Dataset:
    """Inputs drawn over `domain` and the target's outputs there: the dataset for a formula.

    Arguments:
        target: a callable from (N, d) to (N,) or (N, k), e.g. a `Formula` or `Target`; its
            `n_inputs` (if it has one) fixes d and its `variables` name the input columns.
        domain: "-3:3,0:1" or [(-3, 3), (0, 1)], one range for all inputs or one per input;
            default the target's own `.domain`.
        n: the number of points: exactly n for "uniform" (independent, uniform in [low, high)
            per axis); for "grid", p = max(2, round(n ** (1/d))) points per axis, p**d in all.
        method: "uniform" or "grid" (see `grid`: both ends of each axis included).
        seed: an int, a np.random.Generator, or None for nnwork's generator ("uniform" only).
        points_per_axis: for "grid", the count per axis instead of deriving it from n.
    Returns:
        A Dataset with x of shape (N, d) and y of shape (N, k).
    """
    if not callable(target):
        raise TypeError("`target` must be callable on an (N, d) array, "
                        f"got {type(target).__name__}")
    n_inputs = getattr(target, "n_inputs", None)
    if domain is None:
        domain = getattr(target, "domain", None)
        if domain is None:
            raise ValueError("`domain` is needed for a target without one, e.g. '-1:1'")
    bounds = _domain(domain, n_inputs)
    d = len(bounds)
    if method == "uniform":
        if points_per_axis is not None:
            raise ValueError("`points_per_axis` applies only to method='grid'")
        low, high = np.array(bounds).T
        x = _generator(seed).uniform(low, high, size=(_count(n, "n", 1), d))
    elif method == "grid":
        if points_per_axis is None:
            points_per_axis = max(2, round(_count(n, "n", 1) ** (1 / d)))
        x = grid(bounds, points_per_axis)
    else:
        raise ValueError(f"`method` must be 'uniform' or 'grid', got {method!r}")
    variables = tuple(getattr(target, "variables", ()))
    return Dataset(x, _outputs(target, x), variables if len(variables) == d else ())


# ---- CSV ----


def _where(file: str, line: int, column: int | None = None,
           names: Sequence[str] | None = None) -> str:
    text = f"{file}, line {line}"
    if column is not None:
        text += f", column {column}"
        if names is not None and column <= len(names):
            text += f" ({names[column - 1]!r})"
    return text


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _blank(row: list[str]) -> bool:
    return len(row) <= 1 and not any(row)  # "" or spaces; ",," is a row of missing cells


def _rows(path: str) -> tuple[list[list[str]], list[int]]:
    """The rows of cells (stripped) and the 1-based line each ends on; no trailing blanks."""
    rows, lines = [], []
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, skipinitialspace=True)
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
        raise ValueError(f"{path} is empty: expected rows of comma-separated numbers")
    for row, line in zip(rows, lines):
        if _blank(row):
            raise ValueError(f"{_where(path, line)} is blank; blank lines may only end the file")
    return rows, lines


def _has_header(first: list[str], header: bool | None, path: str) -> bool:
    if header is not None:
        if not isinstance(header, bool):
            raise TypeError(f"`header` must be True, False or None, got {header!r}")
        return header
    numeric = [_is_number(cell) for cell in first if cell]
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
    if inputs is None:
        outputs = [width - 1] if outputs is None else outputs
        inputs = [i for i in range(width) if i not in outputs]
    elif outputs is None:
        outputs = [i for i in range(width) if i not in inputs]
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
             header: bool | None = None) -> Dataset:
    """Read a comma-separated file of numbers into a Dataset, checking every cell.

    Arguments:
        path: a UTF-8 text file (a byte-order mark is fine). Cells are separated by commas
            only (not ';' or tabs); cells may be quoted and surrounded by spaces; there are
            no comments; blank lines are allowed only at the end.
        x, y: the input and output columns, by header name or 1-based number: "a,b", "1,2",
            3 or ["a", 2]. Default: every column but the last is an input, the last is the
            output; give one of them and the other gets all remaining columns (y=[] or a
            file that x uses up gives an inputs-only dataset, as `nnwork predict` reads).
            Only the chosen columns need to hold numbers.
        header: True, False, or None to detect one: the first row is a header when none of
            its cells is a number, data when all are, and an error when it mixes the two.
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
        if not name:
            raise ValueError(f"{_where(path, lines[0], column)}: the header has an empty name")
        if name in rows[0][: column - 1]:
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
    values = np.empty((len(data), len(chosen)))
    for r, (row, line) in enumerate(zip(data, data_lines)):
        try:
            values[r] = [float(row[c]) for c in chosen]
            if np.isfinite(values[r]).all():
                continue
        except ValueError:
            pass
        for c in sorted(chosen):  # the first bad cell of the row, in file order
            where, cell = _where(path, line, c + 1, names), row[c]
            if not cell:
                raise ValueError(f"{where}: missing value (an empty cell)")
            if not _is_number(cell):
                raise ValueError(f"{where}: {cell!r} is not a number")
            if not math.isfinite(float(cell)):
                raise ValueError(f"{where}: {cell!r} is not finite; a dataset must be")
    d = len(inputs)
    x_names = tuple(names[c] for c in inputs) if names else ()
    y_names = tuple(names[c] for c in outputs) if names else ()
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
    path = os.fspath(path_or_file)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot write {path}: there is no directory {directory}")
    temporary = f"{path}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        with open(temporary, "x", newline="", encoding="utf-8") as handle:  # "x": never reuse
            _write(handle, names, matrix)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


# ---- splits, standardising and batches ----


def split(dataset: Dataset, validation: float = 0.2,
          seed: Seed = 0) -> tuple[Dataset, Dataset | None]:
    """Shuffle the rows and deal them into (train, validation).

    `validation` is the fraction in [0, 1) held out: round(validation * N) rows, at least 1
    when it is above 0. 0 gives (dataset, None), unshuffled. At least one row must be left
    for training. `seed` as in `sample`.
    """
    if not isinstance(dataset, Dataset):
        raise TypeError(f"`dataset` must be a Dataset, got {type(dataset).__name__}")
    if isinstance(validation, bool) or not isinstance(validation, numbers.Real):
        raise TypeError(f"`validation` must be a fraction in [0, 1), got {validation!r}")
    if not 0 <= validation < 1:
        raise ValueError(f"`validation` must be a fraction in [0, 1), got {validation!r}")
    if validation == 0:
        return dataset, None
    n_validation = max(1, round(float(validation) * len(dataset)))
    if n_validation >= len(dataset):
        raise ValueError(f"`validation`={validation!r} of a dataset of {len(dataset)} rows "
                         "leaves no rows for training; use more rows or validation=0")
    order = _generator(seed).permutation(len(dataset))
    return dataset.subset(order[n_validation:]), dataset.subset(order[:n_validation])


def _moments(columns: Array) -> tuple[Array, Array]:
    """Per-column mean and standard deviation; a constant column gets its value and std 1,
    so that it maps to exactly 0 instead of dividing by zero."""
    mean, std = columns.mean(axis=0), columns.std(axis=0)
    constant = (columns.min(axis=0) == columns.max(axis=0)) | (std == 0)
    return np.where(constant, columns[0], mean), np.where(constant, 1.0, std)


def _floats(value: Any, key: str) -> Array:
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"`{key}` must be a list of numbers, got {type(value).__name__}")
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise TypeError(f"`{key}`[{i}] must be a number, got {item!r}")
    array = np.array(value, dtype=np.float64).reshape(-1)
    if not np.isfinite(array).all():
        raise ValueError(f"`{key}` must be finite, got {array.tolist()}")
    return array


class Standardizer:
    """z = (v − mean) / std per column of x and of y, fitted on the training rows only.

    Networks train best on inputs and outputs of order 1; `transform` maps a dataset there,
    `inverse_y` brings predictions back to the original units. `to_dict` / `from_dict` store
    it with a model as plain JSON-able lists of floats.
    """

    _KEYS = ("x_mean", "x_std", "y_mean", "y_std")

    def __init__(self) -> None:
        self.x_mean: Array | None = None
        self.x_std: Array | None = None
        self.y_mean: Array | None = None
        self.y_std: Array | None = None

    def __repr__(self) -> str:
        if self.x_mean is None or self.y_mean is None:
            return "Standardizer(not fitted)"
        return f"Standardizer(n_inputs={len(self.x_mean)}, n_outputs={len(self.y_mean)})"

    def fit(self, dataset: Dataset) -> Standardizer:
        """Learn each column's mean and std from `dataset` (the training rows); returns self."""
        if not isinstance(dataset, Dataset):
            raise TypeError(f"`dataset` must be a Dataset, got {type(dataset).__name__}")
        if len(dataset) == 0:
            raise ValueError("cannot fit a Standardizer on an empty dataset")
        self.x_mean, self.x_std = _moments(dataset.x)
        self.y_mean, self.y_std = _moments(dataset.y)
        return self

    def _scale(self, values: ArrayLike, which: str, inverse: bool) -> Array:
        mean, std = getattr(self, f"{which}_mean"), getattr(self, f"{which}_std")
        if mean is None:
            raise ValueError("the Standardizer is not fitted; call fit(train) first")
        array = np.asarray(values, dtype=np.float64)
        k = len(mean)
        if array.ndim == 1 and k == 1:
            mean, std = mean[0], std[0]
        elif array.ndim != 2 or array.shape[1] != k:
            also = " or (N,)" if k == 1 else ""
            raise ValueError(f"`{which}` must have shape (N, {k}){also}, as the data the "
                             f"Standardizer was fitted on, got shape {array.shape}")
        return array * std + mean if inverse else (array - mean) / std

    def transform(self, dataset: Dataset) -> Dataset:
        """The dataset in standard units: both x and y, names kept."""
        if not isinstance(dataset, Dataset):
            raise TypeError(f"`dataset` must be a Dataset, got {type(dataset).__name__}")
        return Dataset(self.transform_x(dataset.x), self.transform_y(dataset.y),
                       dataset.x_names, dataset.y_names)

    def transform_x(self, x: ArrayLike) -> Array:
        """Inputs (N, d) in standard units, as float64."""
        return self._scale(x, "x", inverse=False)

    def transform_y(self, y: ArrayLike) -> Array:
        """Outputs (N, k) (or (N,) when k = 1) in standard units, as float64."""
        return self._scale(y, "y", inverse=False)

    def inverse_y(self, y: ArrayLike) -> Array:
        """Outputs in standard units, e.g. predictions, back in the original units."""
        return self._scale(y, "y", inverse=True)

    def to_dict(self) -> dict[str, list[float]]:
        if self.x_mean is None:
            raise ValueError("the Standardizer is not fitted; call fit(train) first")
        return {key: getattr(self, key).tolist() for key in self._KEYS}

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Standardizer:
        """Rebuild from `to_dict()`, checking it: four lists of finite floats, x and y lists
        of matching lengths (at least one input), every std above 0."""
        if not isinstance(state, Mapping):
            raise TypeError(f"`state` must be a dict, got {type(state).__name__}")
        missing = [key for key in cls._KEYS if key not in state]
        unknown = [key for key in state if key not in cls._KEYS]
        if missing or unknown:
            raise ValueError(f"a Standardizer needs the keys {', '.join(cls._KEYS)}; "
                             f"missing {missing}, unknown {unknown}")
        arrays = {key: _floats(state[key], key) for key in cls._KEYS}
        for which in ("x", "y"):
            mean, std = arrays[f"{which}_mean"], arrays[f"{which}_std"]
            if len(mean) != len(std):
                raise ValueError(f"`{which}_mean` has {len(mean)} values and `{which}_std` "
                                 f"has {len(std)}; they must match")
            if (std <= 0).any():
                raise ValueError(f"`{which}_std` must be above 0, got {std.tolist()}")
        if len(arrays["x_mean"]) == 0:
            raise ValueError("`x_mean` must have at least one value (one per input)")
        standardizer = cls()
        for key, array in arrays.items():
            setattr(standardizer, key, array)
        return standardizer


def batches(n: int, batch_size: int, generator: Seed = None,
            shuffle: bool = True) -> Iterator[Index]:
    """Index arrays that cover 0..n-1 once: one epoch of minibatches.

    Batches hold `batch_size` indices, the last one possibly fewer. With `shuffle` the order
    is a permutation drawn (when called) from `generator`: a np.random.Generator, a seed, or
    None for nnwork's own. Pass one Generator to every epoch for a new order each epoch (an
    int seed gives the same order every call); the same seed repeats the run bit for bit.
    """
    n, batch_size = _count(n, "n", 0), _count(batch_size, "batch_size", 1)
    order = _generator(generator).permutation(n) if shuffle else np.arange(n)
    return (order[start : start + batch_size] for start in range(0, n, batch_size))
