"""Targets: formula text turned into a safe, vectorised NumPy function, plus named test functions.

Longer than 300 lines: the tokenizer, the parser and the evaluator are one small language,
read together.

A target G is the function a network learns to imitate. Type it as text
(`parse("sin(x)*cos(y)")`) or pick it by name (`get_target("franke")`); `resolve` does either.

Formula text never reaches Python: there is no eval, exec, compile or ast here. A tokenizer
and a recursive-descent parser of our own accept only this grammar and build a small tree:

    sum     := product (('+' | '-') product)*
    product := factor (('*' | '/') factor)*
    factor  := ('-' | '+')* primary (('^' | '**') factor)?     # -x^2 = -(x^2); 2^3^2 = 2^9
    primary := number | pi | e | variable | function '(' sum (',' sum)* ')' | '(' sum ')'

Evaluating the tree applies one NumPy ufunc per node to whole columns of X. Variables are
x, y, z or x1, x2, ... (never both). Every rejected text raises ValueError naming the column,
with a caret under it. Nesting is counted while parsing, so hostile input fails fast with a
ValueError and can never reach Python's recursion limit.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, NamedTuple

import numpy as np
from numpy.typing import NDArray

from nnwork.named_targets import CATALOGUE
from nnwork.ops.elementwise import stable_sigmoid

Array = NDArray[np.float64]

MAX_LENGTH = 10_000  # characters of formula text
MAX_DEPTH = 100  # nested parentheses, calls, signs and exponents
MAX_INPUTS = 1_000  # highest variable index, x1000


_ONE_ARGUMENT: dict[str, Callable[[Array], Array]] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
    "log10": np.log10, "log2": np.log2, "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh,
    "sinh": np.sinh, "cosh": np.cosh, "arcsin": np.arcsin, "arccos": np.arccos,
    "arctan": np.arctan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
    "sign": np.sign, "floor": np.floor, "ceil": np.ceil, "sigmoid": stable_sigmoid,
    "relu": lambda z: np.maximum(z, 0.0),
}
# name -> (function, fewest arguments, most arguments or None for "any number")
FUNCTIONS: dict[str, tuple[Callable[..., Array], int, int | None]] = {
    **{name: (fn, 1, 1) for name, fn in _ONE_ARGUMENT.items()},
    "arctan2": (np.arctan2, 2, 2), "atan2": (np.arctan2, 2, 2),
    "pow": (np.power, 2, 2), "hypot": (np.hypot, 2, 2),
    "min": (lambda *v: functools.reduce(np.minimum, v), 2, None),
    "max": (lambda *v: functools.reduce(np.maximum, v), 2, None),
}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
_KNOWN = sorted(FUNCTIONS) + sorted(CONSTANTS) + ["x", "y", "z", "x1", "x2", "x3"]
_INFIX = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}


# ---- the expression tree: each node evaluates itself on the whole (N, d) input array ----


class _Node:
    def evaluate(self, X: Array) -> Array:
        raise NotImplementedError


@dataclass(frozen=True)
class _Number(_Node):
    value: float

    def evaluate(self, X: Array) -> Array:
        return np.float64(self.value)  # type: ignore[return-value]  # broadcast later


@dataclass(frozen=True)
class _Variable(_Node):
    index: int

    def evaluate(self, X: Array) -> Array:
        return X[:, self.index]


@dataclass(frozen=True)
class _Apply(_Node):
    """A function, a sign or a power: `function` (a NumPy ufunc or alike) on its arguments."""

    function: Callable[..., Array]
    args: tuple[_Node, ...]

    def evaluate(self, X: Array) -> Array:
        return self.function(*[arg.evaluate(X) for arg in self.args])


@dataclass(frozen=True)
class _Chain(_Node):
    """a op b op c ... of one precedence level, kept flat so that a long sum is not a deep tree."""

    first: _Node
    rest: tuple[tuple[str, _Node], ...]

    def evaluate(self, X: Array) -> Array:
        value = self.first.evaluate(X)
        for operator, operand in self.rest:
            value = _INFIX[operator](value, operand.evaluate(X))
        return value


# ---- tokenizer and parser ----


class _Token(NamedTuple):
    kind: str  # "number", "name", "op" or "end"
    text: str
    column: int  # 1-based


_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_]\w*)"
    r"|(?P<op>\*\*|[-+*/^(),])",
    re.ASCII,
)
_CHARACTER_HINTS = {
    "=": "a formula is an expression, not an assignment",
    ";": "write a single expression",
    ".": "a '.' belongs in a number such as 0.5; attribute access is not allowed",
    "'": "strings are not allowed", '"': "strings are not allowed",
    "·": "write '*' to multiply", "×": "write '*' to multiply", "−": "write '-' for minus",
    "π": "write 'pi'", "²": "write '^2'", "√": "write 'sqrt(...)'",
}
_SYNTAX = "numbers, names, + - * / ^ **, parentheses and commas between function arguments"


def _short(text: str, limit: int = 50) -> str:
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}... ({len(text)} characters)"


def _pointer(text: str, column: int) -> str:
    """The text around `column` (1-based) and, below it, a caret under that column."""
    start = max(0, column - 41)
    shown = "".join(c if c.isprintable() else " " for c in text[start : start + 80])
    prefix, suffix = ("..." if start else ""), ("..." if start + 80 < len(text) else "")
    return f"    {prefix}{shown}{suffix}\n    {' ' * (len(prefix) + column - 1 - start)}^"


def _error(text: str, column: int, message: str) -> ValueError:
    where = f"formula {_short(text)} at column {column}"
    return ValueError(f"{where}: {message}\n{_pointer(text, column)}")


def _tokens(text: str) -> Iterator[_Token]:
    """Yield tokens lazily, so that the first mistake in the text is the one reported."""
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            kind = "non-ASCII character" if ord(char) > 127 else "unexpected character"
            hint = _CHARACTER_HINTS.get(char, f"a formula may contain only {_SYNTAX}")
            raise _error(text, position + 1, f"{kind} {char!r} (U+{ord(char):04X}); {hint}")
        if match.lastgroup != "space":
            yield _Token(str(match.lastgroup), match.group(), position + 1)
        position = match.end()
    yield _Token("end", "", len(text) + 1)


class _Parser:
    """Recursive descent, one method per grammar rule; `depth` bounds the recursion."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.stream = _tokens(text)
        self.token = next(self.stream)
        self.depth = 0
        self.family: str | None = None  # "x, y, z" or "x1, x2, ..."
        self.n_used = 0

    def advance(self) -> _Token:
        """Move to the next token. Check the current one first: reading on may raise an error
        about a later column, and the first mistake in the text is the one to report."""
        token, self.token = self.token, next(self.stream)
        return token

    def fail(self, message: str, token: _Token | None = None) -> ValueError:
        return _error(self.text, (token or self.token).column, message)

    def expected(self, what: str) -> ValueError:
        got = "the end of the formula" if self.token.kind == "end" else repr(self.token.text)
        hint = ""
        operand_next = self.token.kind in ("number", "name") or self.token.text == "("
        if what.startswith("an operator") and operand_next:
            hint = "; implicit multiplication is not allowed, write '*'"
        return self.fail(f"expected {what}, got {got}{hint}")

    def nest(self) -> _Token:
        """Go one level deeper at the current token (a sign, '^', '(' or call), and pass it."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"nesting is deeper than {MAX_DEPTH} levels "
                            "(parentheses, function calls, signs and exponents count)")
        return self.advance()

    def formula(self) -> _Node:
        node = self.sum()
        if self.token.text == ")":
            raise self.fail("unexpected ')' with no matching '('")
        if self.token.kind != "end":
            raise self.expected("an operator or the end of the formula")
        return node

    def sum(self) -> _Node:
        first, rest = self.product(), []
        while self.token.kind == "op" and self.token.text in ("+", "-"):
            rest.append((self.advance().text, self.product()))
        return _Chain(first, tuple(rest)) if rest else first

    def product(self) -> _Node:
        first, rest = self.factor(), []
        while self.token.kind == "op" and self.token.text in ("*", "/"):
            rest.append((self.advance().text, self.factor()))
        return _Chain(first, tuple(rest)) if rest else first

    def factor(self) -> _Node:
        depth, negate = self.depth, False
        while self.token.kind == "op" and self.token.text in ("+", "-"):
            negate ^= self.nest().text == "-"  # many signs make one negation or none
        node = self.primary()
        if self.token.text in ("^", "**"):
            self.nest()
            # the exponent is a factor, so 2^3^2 = 2^(3^2) and 2^-x work
            node = _Apply(np.power, (node, self.factor()))
        self.depth = depth
        return _Apply(np.negative, (node,)) if negate else node

    def primary(self) -> _Node:
        token = self.token
        if token.kind == "number":
            value = float(token.text)
            if not math.isfinite(value):
                raise self.fail(f"the number {_short(token.text, 20)} is too large for float64")
            self.advance()
            return _Number(value)
        if token.kind == "name":
            if token.text in FUNCTIONS:
                return self.call(self.advance())
            node = self.constant_or_variable(token)
            self.advance()
            if self.token.text == "(":
                raise self.fail(f"expected an operator, got '(': {token.text!r} is not a function "
                                "(and implicit multiplication is not allowed, write '*')")
            return node
        if token.text == "(":
            depth = self.depth
            self.nest()
            node = self.sum()
            if self.token.text != ")":
                raise self.expected("an operator or ')'")
            self.advance()
            self.depth = depth
            return node
        raise self.expected("a number, a variable, a function or '('")

    def call(self, name: _Token) -> _Node:
        if self.token.text != "(":
            raise self.expected(f"'(' after the function {name.text!r}")
        depth = self.depth
        self.nest()
        args: list[_Node] = []
        while self.token.text != ")" or args:
            args.append(self.sum())
            if self.token.text == ")":
                break
            if self.token.text != ",":
                raise self.expected("an operator, ',' or ')'")
            self.advance()
        function, fewest, most = FUNCTIONS[name.text]
        if len(args) < fewest or (most is not None and len(args) > most):
            wanted = f"exactly {fewest}" if most == fewest else f"at least {fewest}"
            plural = "" if fewest == 1 else "s"
            raise self.fail(f"{name.text}() takes {wanted} argument{plural}, got {len(args)}", name)
        self.advance()
        self.depth = depth
        return _Apply(function, tuple(args))

    def constant_or_variable(self, token: _Token) -> _Node:
        name = token.text
        if name in CONSTANTS:
            return _Number(CONSTANTS[name])
        indexed = re.fullmatch(r"x([1-9][0-9]*)", name)
        if name in ("x", "y", "z"):
            family, index = "x, y, z", "xyz".index(name)
        elif indexed and len(indexed.group(1)) <= 4 and int(indexed.group(1)) <= MAX_INPUTS:
            family, index = "x1, x2, ...", int(indexed.group(1)) - 1
        elif indexed:
            raise self.fail(f"variable {_short(name, 20)} is past the limit of x{MAX_INPUTS}")
        else:
            close = difflib.get_close_matches(name, _KNOWN, n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.fail(
                f"unknown name {_short(name, 30)}{guess}; known functions are "
                f"{', '.join(sorted(FUNCTIONS))}; constants are pi and e; "
                "variables are x, y, z or x1, x2, ...")
        if self.family not in (None, family):
            raise self.fail(f"variable {name!r} mixes the names {family} with the names "
                            f"{self.family} used before it; use one kind")
        self.family, self.n_used = family, max(self.n_used, index + 1)
        return _Variable(index)


# ---- the public objects ----


def _as_inputs(X: Any, n_inputs: int) -> Array:
    """X as a float64 array of shape (N, n_inputs); (N,) is accepted when n_inputs is 1."""
    array = np.asarray(X)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"`X` must hold real numbers, got an array of dtype {array.dtype}")
    if array.ndim == 1 and n_inputs == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[1] != n_inputs:
        also = " or (N,)" if n_inputs == 1 else ""
        raise ValueError(f"`X` must have shape (N, {n_inputs}){also} for a function of "
                         f"{n_inputs} input(s), got shape {array.shape}")
    return array.astype(np.float64, copy=False)


@dataclass(frozen=True)
class Formula:
    """A parsed formula: `f(X)` maps an (N, n_inputs) float array to an (N,) float64 array.

    `variables` names the input columns in order: ('x', 'y') for a formula in x and y (or in y
    alone), ('x1', 'x2', 'x3') for one whose highest variable is x3. Build it with `parse`.
    """

    text: str
    variables: tuple[str, ...]
    _tree: _Node = field(repr=False, compare=False)

    @property
    def n_inputs(self) -> int:
        return len(self.variables)

    def __repr__(self) -> str:
        return f"Formula({self.text!r}, variables={self.variables!r})"

    def __call__(self, X: Any, check_finite: bool = True) -> Array:
        """Evaluate on every row of X, never warning. NaN or ±inf where the inputs are finite
        raises ValueError naming the first such point, unless `check_finite` is False."""
        inputs = _as_inputs(X, self.n_inputs)
        result = np.empty(len(inputs))
        with np.errstate(all="ignore"):
            result[...] = self._tree.evaluate(inputs)  # also broadcasts a constant formula
        if check_finite:
            bad = ~np.isfinite(result) & np.isfinite(inputs).all(axis=1)
            if bad.any():
                row = int(np.argmax(bad))
                pairs = zip(self.variables, inputs[row][:8])
                point = ", ".join(f"{name}={float(value)!r}" for name, value in pairs)
                raise NotFiniteError(
                    f"formula {_short(self.text)} is not finite at {point}"
                    f"{', ...' if self.n_inputs > 8 else ''} (row {row} of X): it gives "
                    f"{float(result[row])!r}")
        return result


class NotFiniteError(ValueError):
    """A formula gave NaN or ±inf where its inputs are finite; `where` says where and what."""

    def __init__(self, where: str) -> None:
        self.where = where
        super().__init__(f"{where}; a target must be finite wherever its inputs are "
                         "(pass check_finite=False to allow it)")


def parse(text: str, n_inputs: int | None = None) -> Formula:
    """Parse formula text into a vectorised `Formula`, never executing it as Python.

    Arguments:
        text: e.g. "sin(x)*cos(y)" or "x1^2 + tanh(x3)"; at most MAX_LENGTH characters.
        n_inputs: force more inputs than the formula uses, e.g. parse("sin(x)", 2) is a
            function of (x, y) that ignores y. Default: the highest variable used (at least 1).
    Returns:
        A Formula; `formula(X)` with X of shape (N, n_inputs) gives shape (N,).
    Raises:
        ValueError naming the column, for anything outside the grammar in the module docstring.

    >>> parse("2^3^2")([[0.0]])
    array([512.])
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str, got {type(text).__name__}")
    if n_inputs is not None and (isinstance(n_inputs, bool) or not isinstance(n_inputs, int)):
        raise TypeError(f"`n_inputs` must be an int or None, got {type(n_inputs).__name__}")
    if len(text) > MAX_LENGTH:
        length = f"the formula is {len(text)} characters long"
        raise _error(text, MAX_LENGTH + 1, f"{length}; at most {MAX_LENGTH} are allowed")
    if not text.strip(" \t\n\r\f\v"):
        expected = "expected a number, a variable, a function or '('"
        raise _error(text, 1, f"the formula is empty; {expected}")
    parser = _Parser(text)
    tree = parser.formula()
    fewest = max(parser.n_used, 1)
    n = fewest if n_inputs is None else n_inputs
    if not fewest <= n <= MAX_INPUTS:
        raise ValueError(f"`n_inputs` must be from {fewest} (the inputs {_short(text)} uses) "
                         f"to {MAX_INPUTS}, got {n_inputs}")
    if parser.family == "x, y, z" and n > 3:
        raise ValueError(f"`n_inputs`={n} is more than the names x, y, z can cover; "
                         f"write the formula {_short(text)} with x1, x2, ... instead")
    xyz = parser.family == "x, y, z" or (parser.family is None and n <= 3)
    variables = tuple("xyz"[:n]) if xyz else tuple(f"x{i}" for i in range(1, n + 1))
    return Formula(text, variables, tree)


@dataclass(frozen=True)
class Target:
    """A named test function G with its natural domain: one (low, high) pair per input."""

    name: str
    description: str
    domain: tuple[tuple[float, float], ...]
    formula: Formula = field(repr=False)

    @property
    def n_inputs(self) -> int:
        return self.formula.n_inputs

    @property
    def variables(self) -> tuple[str, ...]:
        return self.formula.variables

    def __repr__(self) -> str:
        return f"Target({self.name!r}, n_inputs={self.n_inputs}, domain={self.domain!r})"

    def __call__(self, X: Any, check_finite: bool = True) -> Array:
        """G on every row of X: shape (N, n_inputs) (or (N,) for one input) to shape (N,)."""
        return self.formula(X, check_finite)


TARGETS: dict[str, Target] = {
    d.name: Target(d.name, d.description, d.domain, parse(d.text, n_inputs=len(d.domain)))
    for d in CATALOGUE
}


def get_target(name: str) -> Target:
    """The built-in target called `name` (see TARGETS)."""
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a str, got {type(name).__name__}")
    if name not in TARGETS:
        close = difflib.get_close_matches(name, TARGETS, n=1)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        known = ", ".join(TARGETS)
        raise ValueError(f"unknown target {_short(name)}{guess}; known targets are {known}")
    return TARGETS[name]


def resolve(spec: str, n_inputs: int | None = None) -> Formula | Target:
    """A built-in target if `spec` is one's name, otherwise `spec` parsed as a formula."""
    if not isinstance(spec, str):
        raise TypeError(f"`spec` must be a str, got {type(spec).__name__}")
    target = TARGETS.get(spec.strip())
    if target is None:
        return parse(spec, n_inputs)
    if n_inputs is not None and n_inputs != target.n_inputs:
        raise ValueError(f"target {target.name!r} has {target.n_inputs} inputs, "
                         f"got `n_inputs`={n_inputs}")
    return target
