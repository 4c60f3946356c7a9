"""The formula parser: a tokenizer and a recursive-descent parser of our own, and the error
messages that show where a text goes wrong.

Formula text never reaches Python: there is no eval, exec, compile or ast here. The parser
accepts only this grammar and builds the small tree of `nnwork.targets.tree`:

    sum     := product (('+' | '-') product)*
    product := factor (('*' | '/') factor)*
    factor  := ('-' | '+')* primary (('^' | '**') factor)?     # -x^2 = -(x^2); 2^3^2 = 2^9
    primary := number | pi | e | variable | function '(' sum (',' sum)* ')' | '(' sum ')'

Variables are x, y, z or x1, x2, ... (never both). Every rejected text raises ValueError
naming the column, with a caret under it. Nesting is counted while parsing, so hostile input
fails fast with a ValueError and can never reach Python's recursion limit.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Iterator, NamedTuple

from nnwork.targets.functions import CONSTANTS, FUNCTIONS, OPERATORS
from nnwork.targets.tree import Call, Chain, Node, Number, Variable

MAX_LENGTH = 10_000  # characters of formula text
MAX_DEPTH = 100  # nested parentheses, calls, signs and exponents
MAX_INPUTS = 1_000  # highest variable index, x1000

_KNOWN = sorted(FUNCTIONS) + sorted(CONSTANTS) + ["x", "y", "z", "x1", "x2", "x3"]


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


def shorten(text: str, limit: int = 50) -> str:
    """`text` quoted, or its start and its length when it is longer than `limit`."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}... ({len(text)} characters)"


def _pointer(text: str, column: int) -> str:
    """The text around `column` (1-based) and, below it, a caret under that column."""
    start = max(0, column - 41)
    shown = "".join(c if c.isprintable() else " " for c in text[start : start + 80])
    prefix, suffix = ("..." if start else ""), ("..." if start + 80 < len(text) else "")
    return f"    {prefix}{shown}{suffix}\n    {' ' * (len(prefix) + column - 1 - start)}^"


def formula_error(text: str, column: int, message: str) -> ValueError:
    """The error for `text` at `column`: where, what, and the text with a caret under it."""
    where = f"formula {shorten(text)} at column {column}"
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
            raise formula_error(text, position + 1, f"{kind} {char!r} (U+{ord(char):04X}); {hint}")
        if match.lastgroup != "space":
            yield _Token(str(match.lastgroup), match.group(), position + 1)
        position = match.end()
    yield _Token("end", "", len(text) + 1)


class Parser:
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
        return formula_error(self.text, (token or self.token).column, message)

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

    def formula(self) -> Node:
        node = self.sum()
        if self.token.text == ")":
            raise self.fail("unexpected ')' with no matching '('")
        if self.token.kind != "end":
            raise self.expected("an operator or the end of the formula")
        return node

    def sum(self) -> Node:
        first, rest = self.product(), []
        while self.token.kind == "op" and self.token.text in ("+", "-"):
            rest.append((OPERATORS[self.advance().text], self.product()))
        return Chain(first, tuple(rest)) if rest else first

    def product(self) -> Node:
        first, rest = self.factor(), []
        while self.token.kind == "op" and self.token.text in ("*", "/"):
            rest.append((OPERATORS[self.advance().text], self.factor()))
        return Chain(first, tuple(rest)) if rest else first

    def factor(self) -> Node:
        depth, negate = self.depth, False
        while self.token.kind == "op" and self.token.text in ("+", "-"):
            negate ^= self.nest().text == "-"  # many signs make one negation or none
        node = self.primary()
        if self.token.text in ("^", "**"):
            self.nest()
            # the exponent is a factor, so 2^3^2 = 2^(3^2) and 2^-x work
            node = Call(OPERATORS["^"], (node, self.factor()))
        self.depth = depth
        return Call(OPERATORS["neg"], (node,)) if negate else node

    def primary(self) -> Node:
        token = self.token
        if token.kind == "number":
            value = float(token.text)
            if not math.isfinite(value):
                raise self.fail(f"the number {shorten(token.text, 20)} is too large for float64")
            self.advance()
            return Number(value)
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

    def call(self, name: _Token) -> Node:
        if self.token.text != "(":
            raise self.expected(f"'(' after the function {name.text!r}")
        depth = self.depth
        self.nest()
        args: list[Node] = []
        while self.token.text != ")" or args:
            args.append(self.sum())
            if self.token.text == ")":
                break
            if self.token.text != ",":
                raise self.expected("an operator, ',' or ')'")
            self.advance()
        function = FUNCTIONS[name.text]
        fewest, most = function.fewest, function.most
        if len(args) < fewest or (most is not None and len(args) > most):
            wanted = f"exactly {fewest}" if most == fewest else f"at least {fewest}"
            plural = "" if fewest == 1 else "s"
            raise self.fail(f"{name.text}() takes {wanted} argument{plural}, got {len(args)}", name)
        self.advance()
        self.depth = depth
        return Call(function, tuple(args))

    def constant_or_variable(self, token: _Token) -> Node:
        name = token.text
        if name in CONSTANTS:
            return Number(CONSTANTS[name])
        indexed = re.fullmatch(r"x([1-9][0-9]*)", name)
        if name in ("x", "y", "z"):
            family, index = "x, y, z", "xyz".index(name)
        elif indexed and len(indexed.group(1)) <= 4 and int(indexed.group(1)) <= MAX_INPUTS:
            family, index = "x1, x2, ...", int(indexed.group(1)) - 1
        elif indexed:
            raise self.fail(f"variable {shorten(name, 20)} is past the limit of x{MAX_INPUTS}")
        else:
            close = difflib.get_close_matches(name, _KNOWN, n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.fail(
                f"unknown name {shorten(name, 30)}{guess}; known functions are "
                f"{', '.join(sorted(FUNCTIONS))}; constants are pi and e; "
                "variables are x, y, z or x1, x2, ...")
        if self.family not in (None, family):
            raise self.fail(f"variable {name!r} mixes the names {family} with the names "
                            f"{self.family} used before it; use one kind")
        self.family, self.n_used = family, max(self.n_used, index + 1)
        return Variable(index)
