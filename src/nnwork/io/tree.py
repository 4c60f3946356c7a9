"""Nested plain data ⇄ a JSON tree plus NumPy arrays, without pickle.

Optimizer state, a user's checkpoint `state` (epoch, history, a Generator's state) and the
metadata of a model file are trees of dicts, lists, tuples, numbers, strings, None and NumPy
arrays. `pack_tree` splits such a tree into a JSON-able tree and the arrays it held, which go into
the `.npz` as entries of their own; `unpack_tree` puts it back together. JSON keeps what matters
exactly: Python ints of any size (a PCG64 state is 128-bit), floats (`repr` round-trips, and
Python's json writes NaN/Infinity), strings. What JSON has no word for becomes a small tagged
object, an object with exactly one of these keys:

    {"$array": "state/3"}            the NumPy array stored in the npz entry "state/3"
    {"$tuple": [...]}                a tuple (JSON only has lists)
    {"$dict": [[key, value], ...]}   a dict whose keys are not all strings (e.g. 0, 1, 2),
                                     or a string-keyed dict that would look like a tag
"""

from __future__ import annotations

from typing import Any

import numpy as np

TAGS = ("$array", "$tuple", "$dict")


def pack_tree(tree: Any, prefix: str) -> tuple[Any, dict[str, np.ndarray]]:
    """Split `tree` into (a JSON-able tree, {npz entry name: array}); entries are `prefix/<n>`.

    NumPy scalars become Python numbers. Anything else that is not plain data (an object, a
    function, an object array, a cycle) raises TypeError/ValueError naming its key path.
    """
    arrays: dict[str, np.ndarray] = {}
    walking: set[int] = set()

    def key(value: Any, where: str) -> Any:
        if isinstance(value, np.generic) and not isinstance(value, np.str_):
            value = _scalar(value, where)
        if value is None or isinstance(value, (bool, int, float, str)):
            return walk(value, where)
        raise TypeError(f"cannot save {where}: a dict key must be a string, number, bool or None, "
                        f"got {type(value).__name__}")

    def walk(value: Any, where: str) -> Any:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            return str(value)
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):  # includes np.float64
            return float(value)
        if isinstance(value, np.generic):
            return _scalar(value, where)
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject:
                raise TypeError(f"cannot save {where}: an array of dtype {value.dtype} holds Python "
                                "objects, which a model file never stores")
            name = f"{prefix}/{len(arrays)}"
            arrays[name] = value
            return {"$array": name}
        if not isinstance(value, (list, tuple, dict)):
            raise TypeError(f"cannot save {where}: {type(value).__name__} is not plain data (use dicts, "
                            "lists, tuples, numbers, strings, bools, None and NumPy arrays)")
        if id(value) in walking:
            raise ValueError(f"cannot save {where}: it contains itself")
        walking.add(id(value))
        try:
            if isinstance(value, list):
                return [walk(v, f"{where}[{i}]") for i, v in enumerate(value)]
            if isinstance(value, tuple):
                return {"$tuple": [walk(v, f"{where}[{i}]") for i, v in enumerate(value)]}
            if all(isinstance(k, str) for k in value) and not (len(value) == 1 and next(iter(value)) in TAGS):
                return {str(k): walk(v, f"{where}[{k!r}]") for k, v in value.items()}
            return {"$dict": [[key(k, f"{where} key {k!r}"), walk(v, f"{where}[{k!r}]")] for k, v in value.items()]}
        finally:
            walking.discard(id(value))

    return walk(tree, prefix), arrays


def _scalar(value: np.generic, where: str) -> bool | int | float:
    """A NumPy bool/integer/float scalar as the Python number with the same value."""
    if isinstance(value, (np.bool_, np.integer, np.floating)):
        return value.item()  # type: ignore[no-any-return]
    raise TypeError(f"cannot save {where}: NumPy scalar of dtype {value.dtype} is not a bool, int or float")


def unpack_tree(tree: Any, arrays: dict[str, np.ndarray], used: set[str], where: str = "") -> Any:
    """The inverse of `pack_tree`. Each "$array" must name an entry of `arrays` not used before;
    the names used are added to `used`. Malformed trees raise ValueError naming the path."""
    if isinstance(tree, list):
        return [unpack_tree(v, arrays, used, f"{where}[{i}]") for i, v in enumerate(tree)]
    if not isinstance(tree, dict):
        return tree  # JSON scalars are already plain data
    if len(tree) != 1 or next(iter(tree)) not in TAGS:
        return {k: unpack_tree(v, arrays, used, f"{where}[{k!r}]") for k, v in tree.items()}
    tag, body = next(iter(tree.items()))
    if tag == "$array":
        if not isinstance(body, str) or body not in arrays:
            raise ValueError(f"{where or 'the tree'} refers to array entry {body!r}, which the file does not hold")
        if body in used:
            raise ValueError(f"{where or 'the tree'} refers to array entry {body!r} a second time")
        used.add(body)
        return arrays[body]
    if not isinstance(body, list):
        raise ValueError(f"{where or 'the tree'}: {tag} must hold a list, got {type(body).__name__}")
    if tag == "$tuple":
        return tuple(unpack_tree(v, arrays, used, f"{where}[{i}]") for i, v in enumerate(body))
    result = {}
    for pair in body:
        if not (isinstance(pair, list) and len(pair) == 2) or isinstance(pair[0], (list, dict)):
            raise ValueError(
                f"{where or 'the tree'}: each $dict item must be a [scalar key, value] pair, got {pair!r:.80}"
            )
        result[pair[0]] = unpack_tree(pair[1], arrays, used, f"{where}[{pair[0]!r}]")
    return result


def to_json(value: Any, where: str) -> Any:
    """`value` as JSON data (for header metadata): arrays become nested lists, tuples lists,
    NumPy scalars Python numbers; dict keys must be strings. Raises TypeError naming the path."""
    if isinstance(value, np.ndarray) and not value.dtype.hasobject:
        return to_json(value.tolist(), where)
    if isinstance(value, dict):
        bad = [k for k in value if not isinstance(k, str)]
        if bad:
            raise TypeError(f"cannot save {where}: JSON object keys must be strings, got {bad[0]!r}")
        return {str(k): to_json(v, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return pack_tree(value, where)[0]  # a scalar (or an object array): checked the same way
