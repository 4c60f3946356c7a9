"""Tests for nnwork.targets: the formula parser, its safety limits, and the named targets."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnwork import targets
from nnwork.targets import get_target, parse, resolve

GRID = np.linspace(0.1, 0.9, 7)
XY = np.stack(np.meshgrid(GRID, GRID[::-1] * 0.9), axis=-1).reshape(-1, 2)  # x, y in (0, 1)
x, y = XY[:, 0], XY[:, 1]


def check(text: str, expected: Any, X: np.ndarray = XY) -> None:
    """parse(text) on X matches the NumPy value `expected` (broadcast to one value per row)."""
    got = parse(text, n_inputs=X.shape[1])(X)
    assert got.shape == (len(X),) and got.dtype == np.float64
    np.testing.assert_allclose(got, np.broadcast_to(expected, got.shape), rtol=1e-14, atol=1e-15)


# ---- known values ----


@pytest.mark.parametrize("text, expected", [
    ("-x^2", -x**2), ("-x**2", -x**2), ("x**2", x**2), ("2^3^2", 512.0), ("2**3**2", 512.0),
    ("(2^3)^2", 64.0), ("2*-x", -2 * x), ("2^-x", 2.0**-x), ("-2^2", -4.0), ("(-2)^2", 4.0),
    ("--x", x), ("+x", x), ("-+-x", x), ("1 - 2 - 3", -4.0), ("8/4/2", 1.0), ("2 + 3*4", 14.0),
    ("2*3^2", 18.0), ("x^2^-1", x ** (2.0**-1)), ("2^-x^2", 2.0 ** -(x**2)), ("x - -y", x + y),
    ("(x + y)*(x - y)", (x + y) * (x - y)), ("x/y/2", x / y / 2), ("  x\t*\ny ", x * y),
])
def test_precedence_and_associativity(text: str, expected: Any) -> None:
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("pi", math.pi), ("e", math.e), ("2*pi*e", 2 * math.pi * math.e), ("1e5", 1e5),
    ("1e-3", 1e-3), ("1E+2", 100.0), (".5", 0.5), ("5.", 5.0), ("1.5e2", 150.0), ("1.e1", 10.0),
    ("e^x", np.exp(x)), ("e*1e1", math.e * 10), ("007", 7.0), ("1e-999", 0.0),
])
def test_numbers_and_constants(text: str, expected: Any) -> None:
    check(text, expected)


def _sigmoid_reference(z: Any) -> Any:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


FUNCTION_CASES = {
    "sin(x)": np.sin(x), "cos(x)": np.cos(x), "tan(x)": np.tan(x), "exp(x)": np.exp(x),
    "log(x)": np.log(x), "log10(x)": np.log10(x), "log2(x)": np.log2(x), "sqrt(x)": np.sqrt(x),
    "abs(x - 0.5)": np.abs(x - 0.5), "tanh(x)": np.tanh(x), "sinh(x)": np.sinh(x),
    "cosh(x)": np.cosh(x), "arcsin(x)": np.arcsin(x), "arccos(x)": np.arccos(x),
    "arctan(x)": np.arctan(x), "asin(x)": np.arcsin(x), "acos(x)": np.arccos(x),
    "atan(x)": np.arctan(x), "arctan2(y, x - 0.5)": np.arctan2(y, x - 0.5),
    "atan2(y, x - 0.5)": np.arctan2(y, x - 0.5), "min(x, y)": np.minimum(x, y),
    "max(x, y)": np.maximum(x, y),
    "min(x, y, 0.3, x*y)": np.minimum.reduce([x, y, 0.3 + 0 * x, x * y]),
    "max(x, y, 0.3, x*y)": np.maximum.reduce([x, y, 0.3 + 0 * x, x * y]),
    "sign(x - 0.5)": np.sign(x - 0.5), "floor(10*x)": np.floor(10 * x),
    "ceil(10*x)": np.ceil(10 * x),
    "sigmoid(10*x - 5)": _sigmoid_reference(10 * x - 5), "relu(x - 0.5)": np.maximum(x - 0.5, 0),
    "pow(x, y)": x**y, "hypot(x, y)": np.hypot(x, y),
}


@pytest.mark.parametrize("text", list(FUNCTION_CASES))
def test_every_function(text: str) -> None:
    check(text, FUNCTION_CASES[text])


def test_every_listed_function_is_tested() -> None:
    tested = {re.match(r"\w+", text).group() for text in FUNCTION_CASES}  # type: ignore[union-attr]
    assert tested == set(targets.FUNCTIONS)


def test_sigmoid_is_stable_and_exact_in_the_limits() -> None:
    z = np.array([[-1e4], [-1000.0], [-40.0], [0.0], [40.0], [1000.0], [1e4]])
    got = parse("sigmoid(x)")(z)
    np.testing.assert_allclose(got, _sigmoid_reference(z[:, 0]), rtol=1e-15, atol=0)
    assert got[0] == 0.0 and got[-1] == 1.0 and got[3] == 0.5


@pytest.mark.parametrize("text, message", [
    ("sin()", r"column 1: sin\(\) takes exactly 1 argument, got 0"),
    ("sin(x, y)", r"column 1: sin\(\) takes exactly 1 argument, got 2"),
    ("x + atan2(x)", r"column 5: atan2\(\) takes exactly 2 arguments, got 1"),
    ("hypot(x, y, 1)", r"column 1: hypot\(\) takes exactly 2 arguments, got 3"),
    ("max(x)", r"column 1: max\(\) takes at least 2 arguments, got 1"),
    ("min()", r"column 1: min\(\) takes at least 2 arguments, got 0"),
])
def test_arity_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(text)


# ---- variables, dimensions and inputs ----


@pytest.mark.parametrize("text, variables", [
    ("x", ("x",)), ("y", ("x", "y")), ("z + 1", ("x", "y", "z")), ("x1", ("x1",)),
    ("x3", ("x1", "x2", "x3")), ("x12 - x2", tuple(f"x{i}" for i in range(1, 13))), ("2", ("x",)),
])
def test_variables_and_dimension(text: str, variables: tuple[str, ...]) -> None:
    formula = parse(text)
    assert formula.variables == variables and formula.n_inputs == len(variables)


def test_variables_pick_their_columns() -> None:
    X = np.arange(12.0).reshape(4, 3)
    np.testing.assert_array_equal(parse("y")(X[:, :2]), X[:, 1])
    np.testing.assert_array_equal(parse("x1 + 10*x3")(X), X[:, 0] + 10 * X[:, 2])
    np.testing.assert_array_equal(parse("z - x")(X), X[:, 2] - X[:, 0])


def test_n_inputs_forces_a_larger_dimension() -> None:
    formula = parse("sin(x)", n_inputs=2)
    assert formula.variables == ("x", "y")
    np.testing.assert_allclose(formula(XY), np.sin(x))
    assert parse("x1", n_inputs=5).variables == ("x1", "x2", "x3", "x4", "x5")
    assert parse("1", n_inputs=4).variables == ("x1", "x2", "x3", "x4")
    with pytest.raises(ValueError, match=r"`n_inputs` must be from 2 .* got 1"):
        parse("x*y", n_inputs=1)
    with pytest.raises(ValueError, match=r"x1, x2, \.\.\. instead"):
        parse("x*y", n_inputs=4)
    with pytest.raises(ValueError, match=r"got 0"):
        parse("1", n_inputs=0)
    with pytest.raises(TypeError, match=r"`n_inputs` must be an int or None, got float"):
        parse("x", n_inputs=2.0)  # type: ignore[arg-type]


def test_repr_and_equality() -> None:
    assert repr(parse("sin(x)*cos(y)")) == "Formula('sin(x)*cos(y)', variables=('x', 'y'))"
    assert parse("x + 1") == parse("x + 1") and parse("x") != parse("x", n_inputs=2)
    assert "tower" in repr(get_target("tower"))


def test_inputs_shapes_and_dtypes() -> None:
    formula = parse("2*x")
    np.testing.assert_array_equal(formula([1, 2, 3]), [2.0, 4.0, 6.0])  # (N,) is fine in 1-D
    np.testing.assert_array_equal(formula(np.array([[1], [2]], dtype=np.int64)), [2.0, 4.0])
    assert parse("3")(np.zeros((5, 1))).tolist() == [3.0] * 5
    assert parse("x*y")(np.zeros((0, 2))).shape == (0,)
    with pytest.raises(ValueError, match=r"shape \(N, 2\) .* got shape \(3,\)"):
        parse("x*y")(np.zeros(3))
    with pytest.raises(ValueError, match=r"got shape \(3, 3\)"):
        parse("x*y")(np.zeros((3, 3)))
    with pytest.raises(TypeError, match=r"real numbers, got an array of dtype complex128"):
        formula(np.zeros(3, dtype=complex))
    with pytest.raises(TypeError, match=r"`text` must be a str, got bytes"):
        parse(b"x")  # type: ignore[arg-type]


def test_result_is_a_fresh_array_not_a_view_of_the_input() -> None:
    X = np.ones((3, 1))
    result = parse("x")(X)
    result[:] = 7.0
    assert X[0, 0] == 1.0


# ---- finiteness ----


def test_non_finite_results_are_errors_that_name_the_point() -> None:
    X = np.array([1.0, 2.0, 3.0, -1.0, -2.0])
    with pytest.raises(ValueError, match=r"'log\(x\)' is not finite at x=-1\.0 \(row 3 of X\)"):
        parse("log(x)")(X)
    np.testing.assert_array_equal(np.isnan(parse("log(x)")(X, check_finite=False)), [0, 0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"at x=0\.0, y=1\.0 \(row 0 of X\): it gives inf"):
        parse("y/x")([[0.0, 1.0]])
    with pytest.raises(ValueError, match=r"not finite at x=2\.0"):
        parse("x^99999999")([0.5, 2.0])  # parses; only the value is a problem


def test_non_finite_inputs_may_give_non_finite_results() -> None:
    got = parse("x + 1")([np.nan, np.inf, 1.0])
    assert np.isnan(got[0]) and got[1] == np.inf and got[2] == 2.0


# ---- hostile and malformed text ----


DEEP = 10_000
HOSTILE = [
    ("__import__('os')", r"column 1: unknown name '__import__'"),
    ("x.__class__", r"column 2: unexpected character '\.'.*attribute access is not allowed"),
    ("().__class__", r"column 2: expected a number, a variable, a function or '\(', got '\)'"),
    ("lambda: 1", r"column 1: unknown name 'lambda'"),
    ("import os", r"column 1: unknown name 'import'"),
    ("open('f')", r"column 1: unknown name 'open'"),
    ("x[0]", r"column 2: unexpected character '\['"),
    ("{}", r"column 1: unexpected character '\{'"),
    ("exec(1)", r"column 1: unknown name 'exec'"),
    ("eval(x)", r"column 1: unknown name 'eval'"),
    ("os.system('ls')", r"column 1: unknown name 'os'"),
    ("sin", r"column 4: expected '\(' after the function 'sin', got the end of the formula"),
    ("sin()", r"column 1: sin\(\) takes exactly 1 argument"),
    ("sin(x,y)", r"column 1: sin\(\) takes exactly 1 argument, got 2"),
    ("2x", r"column 2: expected an operator.*got 'x'; implicit multiplication is not allowed"),
    ("x y", r"column 3: expected an operator.*got 'y'"),
    ("2(x)", r"column 2: expected an operator.*got '\('"),
    ("x(2)", r"column 2: expected an operator, got '\(': 'x' is not a function"),
    ("pi(2)", r"column 3: .*'pi' is not a function"),
    ("(" * DEEP, r"column 101: nesting is deeper than 100 levels"),
    ("(" * (DEEP // 2 - 1) + "x" + ")" * (DEEP // 2 - 1), r"column 101: nesting is deeper"),
    ("-" * DEEP + "x", r"column 10001: the formula is 10001 characters long"),
    ("-" * (DEEP - 1) + "x", r"column 101: nesting is deeper than 100 levels"),
    ("2" + "^2" * 4000, r"column 202: nesting is deeper"),
    ("sin(" * 150 + "x" + ")" * 150, r"column 404: nesting is deeper"),
    ("x" * (DEEP + 1), r"column 10001: the formula is 10001 characters long; at most 10000"),
    ("1e999", r"column 1: the number '1e999' is too large for float64"),
    ("1" * 400, r"column 1: the number '1111.*too large"),
    ("x + 1e400", r"column 5: the number '1e400'"),
    ("", r"formula '' at column 1: the formula is empty"),
    ("   ", r"column 1: the formula is empty"),
    ("sin(x)·cos(y)", r"column 7: non-ASCII character '·' \(U\+00B7\); write '\*'"),
    ("π", r"column 1: non-ASCII character 'π'.*write 'pi'"),
    ("x\u00a0+ 1", r"column 2: non-ASCII character"),
    ("x;y", r"column 2: unexpected character ';'"),
    ("x=1", r"column 2: unexpected character '='.*not an assignment"),
    ('"x"', r"column 1: unexpected character '\"'.*strings are not allowed"),
    ("x, y", r"column 2: expected an operator or the end of the formula, got ','"),
    ("(x, y)", r"column 3: expected an operator or '\)', got ','"),
    ("x)", r"column 2: unexpected '\)' with no matching '\('"),
    ("(x", r"(?m)column 3: expected an operator or '\)', got the end of the formula$"),
    ("sin(x", r"column 6: expected an operator, ',' or '\)', got the end"),
    ("sin(x,)", r"column 7: expected a number, a variable, a function or '\(', got '\)'"),
    ("x +", r"column 4: expected a number, a variable, a function or '\(', got the end"),
    ("x ** * 2", r"column 6: expected a number"),
    ("x^", r"column 3: expected a number"),
    ("x + x1", r"column 5: variable 'x1' mixes the names x1, x2, \.\.\. with the names x, y, z"),
    ("x2 * y", r"column 6: variable 'y' mixes"),
    ("x0", r"column 1: unknown name 'x0'"),
    ("x1001", r"column 1: variable 'x1001' is past the limit of x1000"),
    ("x" + "9" * 5000, r"column 1: variable 'x999.* is past the limit"),
    ("Sin(x)", r"column 1: unknown name 'Sin' \(did you mean 'sin'\?\); known functions are abs"),
    ("1..2", r"column 3: expected an operator"),
    ("x # comment", r"column 3: unexpected character '#'"),
    ("x\x00", r"column 2: unexpected character '\\x00'"),
    # the first mistake is the one reported, even when a later character is also bad
    ("sin()$", r"column 1: sin\(\) takes exactly 1 argument, got 0"),
    ("-" * 101 + "$", r"column 101: nesting is deeper"),
    ("1e999$", r"column 1: the number '1e999'"),
    ("foo$", r"column 1: unknown name 'foo'"),
]


@pytest.mark.parametrize("text, message", HOSTILE, ids=[repr(t[:20]) for t, _ in HOSTILE])
def test_hostile_and_malformed_text_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        parse(text)
    assert str(info.value).startswith("formula ")


def test_error_shows_the_text_with_a_caret_under_the_column() -> None:
    with pytest.raises(ValueError) as info:
        parse("sin(x) + 2x")
    first, shown, caret = str(info.value).split("\n")
    assert first.startswith("formula 'sin(x) + 2x' at column 11: expected an operator")
    assert shown.strip() == "sin(x) + 2x" and caret.index("^") == shown.index("x", 10)
    with pytest.raises(ValueError) as info:  # a long text is shown around the column
        parse("x + " * 1000 + "2x")
    _, shown, caret = str(info.value).split("\n")
    column = caret.index("^")
    assert len(shown) < 100 and shown[column - 1 : column + 1] == "2x"


def test_nesting_up_to_the_limit_is_fine() -> None:
    assert parse("(" * 100 + "x" + ")" * 100)([3.0]).tolist() == [3.0]
    assert parse("-" * 100 + "x")([3.0]).tolist() == [3.0]
    # the deepest tree the limit allows (4 nodes per level) evaluates without recursion trouble
    deepest = parse("1+2*sin(" * 100 + "x" + ")^2" * 100)
    assert np.isfinite(deepest([0.5]))[0]
    flat = parse("+".join(["x"] * 4999))  # long sums are flat, not deep
    assert flat([1.0]).tolist() == [4999.0]


# ---- fuzzing: nothing but ValueError, ever ----

GRAMMAR_CHARS = "0123456789.eExyz123+-*/^()(),,  _pisncoqrtlgabmhf\t\n[]{};='\"#:@!<>|&~`\\π·−é\x00"
TOKENS = ["x", "y", "z", "x1", "x2", "x1000", "x1001", "pi", "e", "1", "0", "2.5", ".5", "1e3",
          "1e999",
          "+", "-", "*", "/", "^", "**", "(", ")", ",", " ", "sin", "max", "atan2", "log", "sqrt",
          "__class__", ".", "foo", "lambda", "[", "'", "π", "((", "))", "-(", "^-"]
FUZZ = st.one_of(
    st.text(alphabet=GRAMMAR_CHARS, max_size=40),
    st.lists(st.sampled_from(TOKENS), max_size=30).map("".join),
    st.text(max_size=40),
)


def _parse_and_evaluate(text: str) -> None:
    try:
        formula = parse(text)
        formula(np.linspace(-2.0, 2.0, 3 * formula.n_inputs).reshape(3, formula.n_inputs))
    except ValueError as error:
        assert str(error)


# 1,250 examples of 8 strings: 10,000 strings, at a fifth of the time of one string per example
@settings(max_examples=1_250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FUZZ, min_size=8, max_size=8))
def test_fuzz_random_text_raises_only_value_error(texts: list[str]) -> None:
    for text in texts:
        _parse_and_evaluate(text)


# ---- fuzzing: random well-formed trees evaluate like NumPy ----

ONE = {"sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
       "log10": np.log10, "log2": np.log2, "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh,
       "sinh": np.sinh, "cosh": np.cosh, "arcsin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
       "sign": np.sign, "floor": np.floor, "ceil": np.ceil, "relu": lambda a: np.maximum(a, 0.0),
       "sigmoid": lambda a: np.where(a >= 0, 1 / (1 + np.exp(-np.abs(a))),
                                     np.exp(-np.abs(a)) / (1 + np.exp(-np.abs(a))))}
TWO = {"atan2": np.arctan2, "pow": np.power, "hypot": np.hypot,
       "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide,
       "^": np.power, "**": np.power}
MANY = {"min": np.minimum, "max": np.maximum}

LEAVES = st.one_of(
    st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: ("num", v)),
    st.sampled_from(["x", "y", "pi", "e"]).map(lambda v: ("name", v)),
)
TREES = st.recursive(LEAVES, lambda kids: st.one_of(
    st.tuples(st.just("neg"), kids),
    st.tuples(st.sampled_from(sorted(ONE)), kids),
    st.tuples(st.sampled_from(sorted(TWO)), kids, kids),
    st.tuples(st.sampled_from(sorted(MANY)), st.lists(kids, min_size=2, max_size=4).map(tuple)),
), max_leaves=12)


def render(tree: tuple) -> str:
    head, *rest = tree
    if head == "num":
        return f"({rest[0]!r})" if rest[0] < 0 or str(rest[0]).startswith("-") else repr(rest[0])
    if head == "name":
        return rest[0]
    if head == "neg":
        return f"-({render(rest[0])})"
    if head in ("+", "-", "*", "/", "^", "**"):
        return f"({render(rest[0])}) {head} ({render(rest[1])})"
    args = rest[0] if head in MANY else rest
    return f"{head}({', '.join(render(arg) for arg in args)})"


def reference(tree: tuple, x: np.ndarray, y: np.ndarray) -> Any:
    head, *rest = tree
    if head == "num":
        return np.float64(rest[0])
    if head == "name":
        return {"x": x, "y": y, "pi": np.float64(np.pi), "e": np.float64(np.e)}[rest[0]]
    if head == "neg":
        return np.negative(reference(rest[0], x, y))
    if head in MANY:
        values = [reference(arg, x, y) for arg in rest[0]]
        result = values[0]
        for value in values[1:]:
            result = MANY[head](result, value)
        return result
    return (ONE | TWO)[head](*[reference(arg, x, y) for arg in rest])


@settings(max_examples=1_000, deadline=None)
@given(TREES)
def test_fuzz_well_formed_trees_evaluate_like_numpy(tree: tuple) -> None:
    text = render(tree)
    with np.errstate(all="ignore"):
        expected = np.broadcast_to(reference(tree, x, y), x.shape)
    got = parse(text, n_inputs=2)(XY, check_finite=False)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=0, equal_nan=True, err_msg=text)


# ---- named targets ----


def naive_sigmoid(z: Any) -> Any:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def naive_tower(X: np.ndarray, x_box: tuple, y_box: tuple, slope: float) -> np.ndarray:
    x, y = X[:, 0], X[:, 1]
    z = (naive_sigmoid(1000 * (x - x_box[0])) - naive_sigmoid(1000 * (x - x_box[1]))
         + naive_sigmoid(1000 * (y - y_box[0])) - naive_sigmoid(1000 * (y - y_box[1])))
    return naive_sigmoid(slope * (z - 1.1))


EDGES = np.array([-5, -4.0001, -4, -2, -1, -0.7, -0.5, -0.3, -0.2, -0.2999, 0, 0.3, 0.5, 0.7,
                  0.69999, 0.8, 0.8001, 1, 2, 3.9999, 4, 5])
EDGE_GRID = np.stack(np.meshgrid(EDGES, EDGES), axis=-1).reshape(-1, 2)


def test_tower_matches_the_naive_formula() -> None:
    expected = naive_tower(EDGE_GRID, (-0.3, 0.7), (-0.2, 0.8), 30.0)
    np.testing.assert_allclose(get_target("tower")(EDGE_GRID), expected, rtol=0, atol=1e-12)
    inside, outside = get_target("tower")([[0.2, 0.3], [3.0, 3.0]])
    assert inside > 0.99 and outside < 1e-12


def test_four_towers_matches_the_naive_formula() -> None:
    expected = sum(naive_tower(EDGE_GRID, (-a, a), (-a, a), 4.0) for a in (0.5, 1, 2, 4))
    np.testing.assert_allclose(get_target("four_towers")(EDGE_GRID), expected, rtol=0, atol=1e-12)


def franke_by_hand(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    term1 = 0.75 * np.exp(-(9 * x - 2) ** 2 / 4 - (9 * y - 2) ** 2 / 4)
    term2 = 0.75 * np.exp(-((9 * x + 1) ** 2) / 49 - (9 * y + 1) / 10)
    term3 = 0.5 * np.exp(-(9 * x - 7) ** 2 / 4 - (9 * y - 3) ** 2 / 4)
    term4 = -0.2 * np.exp(-(9 * x - 4) ** 2 - (9 * y - 7) ** 2)
    return term1 + term2 + term3 + term4


@pytest.mark.parametrize("name, point, expected", [
    ("franke", (0.0, 0.0), franke_by_hand(np.array(0.0), np.array(0.0))),
    ("franke", (0.5, 0.5), franke_by_hand(np.array(0.5), np.array(0.5))),
    ("franke", (0.2, 0.9), franke_by_hand(np.array(0.2), np.array(0.9))),
    ("franke", (2 / 9, 2 / 9), 0.75 + 0.75 * np.exp(-9 / 49 - 0.3) + 0.5 * np.exp(-(25 + 1) / 4)
     - 0.2 * np.exp(-4 - 25)),
    ("sincos", (1.0, 2.0), np.sin(1.0) * np.cos(2.0)),
    ("rosenbrock", (1.0, 1.0), 0.0), ("rosenbrock", (-2.0, -1.0), 9.0 + 100 * 25),
    ("himmelblau", (3.0, 2.0), 0.0), ("himmelblau", (0.0, 0.0), 170.0),
    ("gaussian", (1.0, 1.0), np.exp(-1.0)), ("ripple", (3.0, 4.0), np.sin(5.0)),
    ("sine", (np.pi / 2,), 1.0), ("runge", (0.2,), 0.5), ("step", (-0.1,), 0.0),
    ("step", (0.0,), 0.5), ("step", (1e-300,), 1.0), ("sphere3", (1.0, 2.0, 3.0), 14.0),
    ("mixed3", (2.0, 3.0, 0.5), 6.0 + np.tanh(0.5)),
])
def test_named_targets_at_known_points(name: str, point: tuple, expected: float) -> None:
    got = get_target(name)(np.array([point]))
    np.testing.assert_allclose(got, [expected], rtol=1e-13, atol=1e-15)


def test_franke_on_a_grid_matches_the_formula_by_hand() -> None:
    np.testing.assert_allclose(get_target("franke")(XY), franke_by_hand(x, y), rtol=1e-13)


@pytest.mark.parametrize("name", list(targets.TARGETS))
def test_every_target_is_finite_on_its_domain(name: str) -> None:
    target = get_target(name)
    assert target.name == name and target.description and len(target.domain) == target.n_inputs
    assert {"sincos", "franke", "rosenbrock", "sine", "tower", "four_towers", "gaussian", "ripple",
            "step", "runge", "himmelblau"} <= set(targets.TARGETS)
    rng = np.random.default_rng(0)
    low, high = np.array(target.domain).T
    X = low + (high - low) * rng.random((500, target.n_inputs))
    assert np.isfinite(target(X)).all()  # raises on a non-finite value; warnings are errors


def test_step_is_described_as_a_hard_discontinuous_case() -> None:
    assert "discontinuity" in get_target("step").description
    assert any(t.n_inputs == 3 for t in targets.TARGETS.values())


def test_get_target_and_resolve() -> None:
    with pytest.raises(ValueError, match=r"unknown target 'frank' \(did you mean 'franke'\?\)"):
        get_target("frank")
    with pytest.raises(TypeError, match=r"`name` must be a str, got int"):
        get_target(3)  # type: ignore[arg-type]
    assert resolve("franke") is get_target("franke")
    assert resolve(" sine ") is get_target("sine")
    formula = resolve("x*y")
    assert isinstance(formula, targets.Formula) and formula.n_inputs == 2
    assert resolve("sin(x)", n_inputs=2).n_inputs == 2
    with pytest.raises(ValueError, match=r"target 'franke' has 2 inputs, got `n_inputs`=3"):
        resolve("franke", n_inputs=3)
    with pytest.raises(ValueError, match=r"column 1: unknown name 'frankee'"):
        resolve("frankee")
