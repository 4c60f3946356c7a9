"""Module types by name: a module describes itself as plain data, and is rebuilt from it.

A Module subclass that defines the classmethod `from_config(fields)` in its own body (and a
`config()` method, its own or inherited) is registered under its class name when the class
is created (see `Module.__init_subclass__`; `class Mine(Module, architecture="pkg.Mine")`
picks another name). Then

    describe(module)  -> {"type": "Linear", **module.config()}
    build(description) -> the named type's from_config(the other fields)

so saving and loading (`nnwork.io`) work for every registered type without knowing any of
them, and a new module type needs no edit outside its own class. Only exactly the registered
type matches: a subclass may compute something else, so it must define its own `from_config`.

`from_config` receives untrusted data (a model file's header). Read it through `Fields`, which
rejects missing and unknown fields and checks each value (ValueError naming the type and the
field), and call `reserve_parameters` before allocating, so that a header claiming 10¹² weights
is refused before any memory is taken.
"""

from __future__ import annotations

import math
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

Module = Any  # a nnwork.nn.Module (not imported: module.py imports this file to register its subclasses)
Describe = Callable[[Any], dict[str, Any]]
Build = Callable[[dict[str, Any]], Any]
DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class _Entry:
    name: str
    cls: type
    describe: Describe
    build: Build


_BY_CLASS: dict[type, _Entry] = {}
_BY_NAME: dict[str, _Entry] = {}
_BUDGET: ContextVar[list[int] | None] = ContextVar("nnwork_parameter_budget", default=None)


def register(cls: type, *, name: str | None = None, describe: Describe | None = None,
             build: Build | None = None) -> None:
    """Make the Module subclass `cls` a module type that `describe`/`build` know (as its class
    creation does for a class with `from_config`; `nnwork.io.register_architecture` checks that
    it is a Module). `describe`/`build` default to `cls.config`/`cls.from_config`; `name` (the
    "type" written to files) to `cls.__name__`."""
    describe = describe or cls.config
    build = build or cls.from_config  # type: ignore[attr-defined]
    if not callable(describe) or not callable(build):
        raise TypeError(f"`describe` and `build` must be callables, got {describe!r} and {build!r}")
    name = cls.__name__ if name is None else name
    if not isinstance(name, str) or not name:
        raise ValueError(f"`name` must be a non-empty string, got {name!r}")
    taken = _BY_NAME.get(name)
    if taken is not None and taken.cls is not cls and not _redefines(cls, taken.cls):
        raise ValueError(f"the architecture name {name!r} is already taken by {taken.cls!r}")
    if cls in _BY_CLASS:
        del _BY_NAME[_BY_CLASS[cls].name]
    if taken is not None:
        _BY_CLASS.pop(taken.cls, None)
    _BY_CLASS[cls] = _BY_NAME[name] = _Entry(name, cls, describe, build)


def _redefines(new: type, old: type) -> bool:
    """Whether `new` is the same class statement run again (a module reloaded, a test re-run)."""
    return (new.__module__, new.__qualname__) == (old.__module__, old.__qualname__)


def is_registered(cls: type) -> bool:
    return cls in _BY_CLASS


def describe(module: Module) -> dict[str, Any]:
    """{"type": its registered name, **its fields}. TypeError if its type is not registered."""
    entry = _BY_CLASS.get(type(module))
    if entry is None:
        kind = type(module)
        raise TypeError(
            f"cannot describe a {kind.__module__}.{kind.__qualname__}: only registered module types "
            f"can be saved ({', '.join(sorted(_BY_NAME))}). Give it config() and from_config(), or "
            f"register it with nnwork.io.register_architecture({kind.__name__}, describe, build)"
        )
    fields = entry.describe(module)
    if not isinstance(fields, dict) or "type" in fields:
        raise TypeError(f"the describe function of {entry.name} must return a dict without 'type', got {fields!r:.100}")
    return {"type": entry.name, **fields}


def build(description: Mapping[str, Any], *, max_parameters: int | None = None) -> Module:
    """A new module of the described type (ValueError if the description is invalid).

    `max_parameters` caps the number of parameter values all the builders may allocate.
    """
    if not isinstance(description, Mapping):
        raise ValueError(f"an architecture must be a JSON object, got {type(description).__name__}")
    kind = description.get("type")
    entry = _BY_NAME.get(kind) if isinstance(kind, str) else None
    if entry is None:
        raise ValueError(
            f"unknown architecture type {kind!r:.80}; known: {sorted(_BY_NAME)} "
            "(others can be added with nnwork.io.register_architecture)"
        )
    token = None if max_parameters is None else _BUDGET.set([max_parameters])
    try:
        module = entry.build({k: v for k, v in description.items() if k != "type"})
    finally:
        if token is not None:
            _BUDGET.reset(token)
    if type(module) is not entry.cls:
        raise TypeError(f"the build function of {entry.name} returned a {type(module).__name__}")
    return module


def reserve_parameters(count: int, what: str) -> None:
    """For builders: claim `count` parameter values before allocating them (see `build`)."""
    budget = _BUDGET.get()
    if budget is not None:
        if count > budget[0]:
            raise ValueError(f"{what} needs {count:,} parameter values, but only {budget[0]:,} remain")
        budget[0] -= count


def dtype_name(module: Module) -> str:
    """The dtype of a module's parameters, as its config records it ("float32" if it has none)."""
    params = module.parameters()
    return params[0].data.dtype.name if params else "float32"


# ---- reading untrusted fields ----------------------------------------------------------------------
def positive_int(value: Any, what: str) -> int:
    """`value` if it is an int ≥ 1 (not a bool); else ValueError "<what> must be a positive integer"."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive integer, got {value!r:.50}")
    return value


def string_list(value: Any, what: str) -> list[str]:
    """`value` if it is a non-empty list of strings; else ValueError naming `what`."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a non-empty list of strings, got {value!r:.80}")
    return value


class Fields:
    """The fields of one module's description, checked as they are read.

    `Fields(fields, "Linear", required=("in_features", ...))` raises ValueError if a required
    field is missing or a field is neither required nor in `defaults` (the optional fields,
    with the value each takes when left out). Each reader returns a checked value.
    """

    def __init__(self, fields: Mapping[str, Any], kind: str, required: Sequence[str] = (),
                 defaults: Mapping[str, Any] | None = None) -> None:
        self.kind, self.defaults = kind, dict(defaults or {})
        missing = [k for k in required if k not in fields]
        unknown = [k for k in fields if k not in required and k not in self.defaults]
        if missing or unknown:
            problems = [f"missing fields {missing}"] * bool(missing) + [f"unknown fields {unknown}"] * bool(unknown)
            raise ValueError(f"{kind} architecture: {', '.join(problems)}")
        self.values = {**self.defaults, **fields}

    def what(self, key: str) -> str:
        return f"{self.kind} architecture: `{key}`"

    def raw(self, key: str) -> Any:
        return self.values[key]

    def positive_int(self, key: str) -> int:
        return positive_int(self.values[key], self.what(key))

    def positive_ints(self, key: str, at_least: int = 1) -> list[int]:
        """A list of at least `at_least` positive integers (sizes)."""
        value = self.values[key]
        if not isinstance(value, list) or len(value) < at_least:
            raise ValueError(f"{self.what(key)} must be a list of at least {at_least} sizes, got {value!r:.80}")
        return [positive_int(n, self.what(key)) for n in value]

    def flag(self, key: str) -> bool:
        if not isinstance(self.values[key], bool):
            raise ValueError(f"{self.what(key)} must be true or false, got {self.values[key]!r:.50}")
        return bool(self.values[key])

    def number(self, key: str, low: float = -math.inf, high: float = math.inf) -> float | int:
        """A finite real number in [low, high] (as written: an int stays an int)."""
        value = self.values[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not low <= value <= high:
            wanted = "a finite number" if (low, high) == (-math.inf, math.inf) else f"a number in [{low}, {high}]"
            raise ValueError(f"{self.what(key)} must be {wanted}, got {value!r:.50}")
        return value

    def choice(self, key: str, choices: Iterable[Any]) -> Any:
        choices = list(choices)
        value = self.values[key]
        if not (value is None or isinstance(value, str)) or value not in choices:
            raise ValueError(f"{self.what(key)} must be one of {sorted(choices, key=str)}, got {value!r:.50}")
        return value

    def dtype(self, key: str = "dtype") -> str:
        return self.choice(key, DTYPES)  # type: ignore[no-any-return]

    def options(self) -> dict[str, Any]:
        """Every field as a keyword argument, each of the type of its default: a string where
        the default is one, else a finite number."""
        for key, default in self.defaults.items():
            if isinstance(default, str):
                if not isinstance(self.values[key], str):
                    raise ValueError(f"{self.what(key)} must be a string, got {self.values[key]!r:.50}")
            else:
                self.number(key)
        return dict(self.values)


def option_values(module: Any, defaults: Mapping[str, Any]) -> dict[str, Any]:
    """The config of a module whose constructor takes just these options (see `Fields.options`)."""
    return {name: getattr(module, name) for name in defaults}
