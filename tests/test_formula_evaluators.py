"""One formula tree, two evaluators: NumPy values and Tensor values (with gradients) agree.

Every function and operator of the formula language is checked on Tensors against NumPy (the
same tree evaluated both ways), against finite differences (nnwork.gradcheck) and against
torch 2.13; random well-formed trees agree between the two evaluators; the named targets are
still the functions their formulas say.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import nnwork as nw
from nnwork import targets
from nnwork.explain import descend, tensor_function
from nnwork.targets import FUNCTIONS, OPERATORS, get_target, parse

from helpers import helper_gradcheck, helper_test_op, make_inputs


def _torch_reduce(pairwise: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    return lambda *args: functools.reduce(pairwise, args)


# name -> (formula text, the same in torch, (low, high) of the inputs, a kink to stay away from)
CASES: dict[str, tuple[str, Callable[..., torch.Tensor], tuple[float, float], float | None]] = {
    "sin": ("sin(x)", torch.sin, (-3, 3), None),
    "cos": ("cos(x)", torch.cos, (-3, 3), None),
    "tan": ("tan(x)", torch.tan, (-1.3, 1.3), None),
    "exp": ("exp(x)", torch.exp, (-3, 3), None),
    "log": ("log(x)", torch.log, (0.1, 4), None),
    "log10": ("log10(x)", torch.log10, (0.1, 4), None),
    "log2": ("log2(x)", torch.log2, (0.1, 4), None),
    "sqrt": ("sqrt(x)", torch.sqrt, (0.1, 4), None),
    "abs": ("abs(x)", torch.abs, (-3, 3), 0.0),
    "tanh": ("tanh(x)", torch.tanh, (-3, 3), None),
    "sinh": ("sinh(x)", torch.sinh, (-3, 3), None),
    "cosh": ("cosh(x)", torch.cosh, (-3, 3), None),
    "arcsin": ("arcsin(x)", torch.asin, (-0.9, 0.9), None),
    "arccos": ("arccos(x)", torch.acos, (-0.9, 0.9), None),
    "arctan": ("arctan(x)", torch.atan, (-3, 3), None),
    "asin": ("asin(x)", torch.asin, (-0.9, 0.9), None),
    "acos": ("acos(x)", torch.acos, (-0.9, 0.9), None),
    "atan": ("atan(x)", torch.atan, (-3, 3), None),
    "sign": ("sign(x)", torch.sign, (-3, 3), 0.0),
    "floor": ("floor(x)", torch.floor, (-3, 3), None),  # random points miss the integers
    "ceil": ("ceil(x)", torch.ceil, (-3, 3), None),
    "sigmoid": ("sigmoid(x)", torch.sigmoid, (-6, 6), None),
    "relu": ("relu(x)", torch.relu, (-3, 3), 0.0),
    "arctan2": ("arctan2(x, y)", torch.atan2, (-3, 3), 0.0),
    "atan2": ("atan2(x, y)", torch.atan2, (-3, 3), 0.0),
    "pow": ("pow(x, y)", torch.pow, (0.2, 3), None),
    "hypot": ("hypot(x, y)", torch.hypot, (-3, 3), 0.0),
    "min": ("min(x, y, z)", _torch_reduce(torch.minimum), (-3, 3), None),
    "max": ("max(x, y, z)", _torch_reduce(torch.maximum), (-3, 3), None),
    "+": ("x + y", torch.add, (-3, 3), None),
    "-": ("x - y", torch.sub, (-3, 3), None),
    "*": ("x * y", torch.mul, (-3, 3), None),
    "/": ("x / y", torch.div, (-3, 3), 0.0),
    "^": ("x^y", torch.pow, (0.2, 3), None),
    "neg": ("-x", torch.neg, (-3, 3), None),
}


def test_every_function_and_operator_has_a_case() -> None:
    assert set(CASES) == set(FUNCTIONS) | set(OPERATORS)
    for name, (text, *_) in CASES.items():
        called = {f.name for f in parse(text).tree.functions()}
        assert called == {name}, f"{text!r} applies {called}, not {name}"


def _on_tensors(text: str) -> Callable[..., nw.Tensor]:
    formula = parse(text)
    return lambda *inputs: formula.on_tensors(*inputs)


def _assert_equal_where_finite(got: np.ndarray, expected: np.ndarray, text: str) -> None:
    """The Tensor values equal the NumPy values wherever those are finite. Elsewhere each
    follows its own library: sign(nan) is nan in NumPy and 0 in torch and in nnwork."""
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(got[finite], expected[finite], err_msg=text)


@pytest.mark.parametrize("name", list(CASES))
def test_numpy_and_tensor_values_agree(name: str) -> None:
    text, _, (low, high), away = CASES[name]
    formula = parse(text)
    columns = make_inputs([(200,)] * formula.n_inputs, low, high, away_from=away, seed=5)
    wide = make_inputs([(200,)] * formula.n_inputs, -50.0, 50.0, seed=6)  # NaN and inf too
    for values in (columns, wide, [np.array([0.0, -0.0, np.inf, -np.inf, np.nan])] * len(columns)):
        expected = formula(np.stack(values, axis=1), check_finite=False)
        got = formula.on_tensors(*[nw.tensor(v) for v in values])
        assert got.dtype == np.float64 and got.shape == expected.shape
        _assert_equal_where_finite(got.data, expected, text)


@pytest.mark.parametrize("name", list(CASES))
def test_tensor_evaluator_matches_torch(name: str) -> None:
    text, torch_fn, (low, high), away = CASES[name]
    shapes = [(7, 3)] * parse(text).n_inputs
    helper_test_op(shapes, _on_tensors(text), torch_fn, name=text, low=low, high=high, away_from=away,
                   atol=1e-12, rtol=1e-10, grad_atol=1e-12, grad_rtol=1e-10)


@pytest.mark.parametrize("name", list(CASES))
def test_tensor_evaluator_matches_finite_differences(name: str) -> None:
    text, _, (low, high), away = CASES[name]
    shapes = [(4, 3)] * parse(text).n_inputs
    helper_gradcheck(shapes, _on_tensors(text), low=low, high=high, away_from=away, atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize("text", ["2*x + pi", "x^2", "2^x", "hypot(x, 3)", "max(x, 0.3, 0.2*x)",
                                  "min(1, 2, x)", "atan2(1, x)", "pow(2, x) + pow(x, 2)", "x/4 - 4/x"])
def test_constant_arguments_meet_tensors_as_numbers(text: str) -> None:
    """A part without a variable is one number on the Tensor side too: values as NumPy, and
    gradients as torch with the same constants."""
    formula = parse(text)
    x = make_inputs([(50,)], 0.3, 3.0, seed=2)[0]
    value = formula.on_tensors(nw.tensor(x, requires_grad=True))
    np.testing.assert_array_equal(value.data, formula(x))
    gradcheck = nw.gradcheck(lambda t: formula.on_tensors(t), x, atol=1e-7, rtol=1e-6)
    assert gradcheck.ok, str(gradcheck)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tensor_values_keep_the_inputs_dtype(dtype: Any) -> None:
    formula = parse("3*x^2 + hypot(x, 2) + max(x, 0.5, 0.25) - e")
    x = nw.tensor(np.linspace(-1, 1, 5), dtype=dtype)
    assert formula.on_tensors(x).dtype == dtype
    constant = parse("2*pi").on_tensors(x)
    assert constant.dtype == dtype and constant.shape == (5,)
    np.testing.assert_allclose(constant.data, 2 * math.pi, rtol=1e-7)


def test_hypot_on_tensors_neither_overflows_nor_underflows() -> None:
    values = np.array([1e-300, 3e-200, 1e200, 1e300, 0.0])
    others = np.array([1e-300, 4e-200, 1e200, -1e300, 0.0])
    got = parse("hypot(x, y)").on_tensors(nw.tensor(values), nw.tensor(others))
    np.testing.assert_allclose(got.data, np.hypot(values, others), rtol=1e-15, atol=0)


def test_on_tensors_checks_its_inputs() -> None:
    with pytest.raises(ValueError, match=r"takes 2 Tensor\(s\), one for each of x, y; got 1"):
        parse("x*y").on_tensors(nw.tensor([1.0]))
    with pytest.raises(TypeError, match=r"input 0 of `on_tensors` must be a Tensor, got ndarray"):
        parse("x").on_tensors(np.ones(3))  # type: ignore[arg-type]


def test_formula_names_the_functions_it_calls() -> None:
    assert parse("sin(x)^2 + max(x, cos(sin(x)), -x) - floor(2)").functions == ("sin", "max", "cos", "floor")
    assert parse("-x^2/(1 + x)").functions == ()


# ---- random well-formed trees: the two evaluators agree ----

UNARY = sorted(name for name, f in FUNCTIONS.items() if f.most == 1)
BINARY = sorted(name for name, f in FUNCTIONS.items() if f.fewest == f.most == 2)
BINARY += ["+", "-", "*", "/", "^", "**"]
MANY = sorted(name for name, f in FUNCTIONS.items() if f.most is None)
LEAVES = st.one_of(
    st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: f"({v!r})"),
    st.sampled_from(["x", "y", "pi", "e"]),
)
TREES = st.recursive(LEAVES, lambda kids: st.one_of(
    kids.map(lambda a: f"-({a})"),
    st.tuples(st.sampled_from(UNARY), kids).map(lambda t: f"{t[0]}({t[1]})"),
    st.tuples(st.sampled_from(BINARY), kids, kids).map(
        lambda t: f"{t[0]}({t[1]}, {t[2]})" if t[0] in FUNCTIONS else f"({t[1]}) {t[0]} ({t[2]})"),
    st.tuples(st.sampled_from(MANY), st.lists(kids, min_size=2, max_size=4)).map(
        lambda t: f"{t[0]}({', '.join(t[1])})"),
), max_leaves=12)
GRID = np.linspace(-2.0, 2.0, 9)
XY = np.stack(np.meshgrid(GRID, GRID[::-1] * 0.7), axis=-1).reshape(-1, 2)


def test_the_random_trees_reach_every_function() -> None:
    assert set(UNARY) | set(BINARY) | set(MANY) >= set(FUNCTIONS) | set(OPERATORS) - {"neg"}


@settings(max_examples=500, deadline=None)
@given(TREES)
def test_random_trees_evaluate_alike_on_arrays_and_on_tensors(text: str) -> None:
    formula = parse(text, n_inputs=2)
    expected = formula(XY, check_finite=False)
    got = formula.on_tensors(nw.tensor(XY[:, 0]), nw.tensor(XY[:, 1])).data
    _assert_equal_where_finite(got, expected, text)


def _on_torch(function: targets.FormulaFunction, args: list[Any]) -> Any:
    """A third `apply` for the same tree, as a reference: torch's function of that name."""
    if not any(isinstance(arg, torch.Tensor) for arg in args):
        return function.numpy(*args)
    return CASES[function.name][1](*[arg if isinstance(arg, torch.Tensor)
                                     else torch.tensor(float(arg), dtype=torch.float64) for arg in args])


@settings(max_examples=200, deadline=None)
@given(TREES)
def test_random_trees_on_tensors_match_torch_in_values_and_gradients(text: str) -> None:
    formula = parse(text, n_inputs=2)
    ours = [nw.tensor(column, requires_grad=True) for column in XY.T]
    theirs = [torch.tensor(column, requires_grad=True) for column in XY.T]
    with np.errstate(all="ignore"):  # the backward passes too: 0/x has an infinite slope at 0
        value = formula.on_tensors(*ours)
        expected = formula.tree.evaluate(theirs, _on_torch)
        if not isinstance(expected, torch.Tensor):  # no variable left after folding
            return
        value.sum().backward()
        expected.sum().backward()
    finite = np.isfinite(value.data) & np.isfinite(expected.detach().numpy())
    np.testing.assert_allclose(value.data[finite], expected.detach().numpy()[finite],
                               rtol=1e-9, atol=1e-12, err_msg=text)
    for mine, reference in zip(ours, theirs):
        grad = np.zeros(len(XY)) if mine.grad is None else mine.grad
        ref = np.zeros(len(XY)) if reference.grad is None else reference.grad.numpy()
        both = finite & np.isfinite(grad) & np.isfinite(ref)
        np.testing.assert_allclose(grad[both], ref[both], rtol=1e-7, atol=1e-9, err_msg=text)


# ---- descent uses the Tensor evaluator ----


@pytest.mark.parametrize("text", ["arcsin(x/3) + arccos(x/4)", "atan2(x, 2) + atan(x)", "max(x, -x/2, 0.1)",
                                  "min(x^2, 1 + x) + hypot(x, 1)"])
def test_descent_differentiates_every_function_with_a_slope(text: str) -> None:
    function, label = tensor_function(text)
    x = np.linspace(-2.0, 2.0, 9) + 0.05
    values, slopes = nw.explain.descent.value_and_slope(function, x)
    np.testing.assert_array_equal(values, parse(text)(x))
    step = 1e-6
    numeric = (parse(text)(x + step) - parse(text)(x - step)) / (2 * step)
    np.testing.assert_allclose(slopes, numeric, rtol=1e-6, atol=1e-7)
    assert label == text and descend(text, x0=1.0, lr=0.1, steps=3).x.shape == (4,)


@pytest.mark.parametrize("text, name", [("floor(x) + x^2", "floor"), ("x^2 - ceil(x/2)", "ceil"),
                                        ("sign(x)*x", "sign")])
def test_descent_refuses_functions_whose_slope_is_always_zero(text: str, name: str) -> None:
    with pytest.raises(ValueError, match=rf"{name}\(\) is not differentiable here: its slope is 0"):
        tensor_function(text)


# ---- the named targets are the functions their formulas say ----


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))


def _tower(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float], slope: float) -> np.ndarray:
    x_low, x_high, y_low, y_high = box
    z = (_sigmoid(1000 * (x - x_low)) - _sigmoid(1000 * (x - x_high))
         + _sigmoid(1000 * (y - y_low)) - _sigmoid(1000 * (y - y_high)))
    return _sigmoid(slope * (z - 1.1))


# Each target written again in NumPy, from its definition rather than from its formula text.
BY_HAND: dict[str, Callable[..., np.ndarray]] = {
    "sine": lambda x: np.sin(x),
    "step": lambda x: np.heaviside(x, 0.5),
    "runge": lambda x: 1 / (1 + 25 * x**2),
    "sincos": lambda x, y: np.sin(x) * np.cos(y),
    "franke": lambda x, y: (0.75 * np.exp(-((9 * x - 2) ** 2) / 4 - (9 * y - 2) ** 2 / 4)
                            + 0.75 * np.exp(-((9 * x + 1) ** 2) / 49 - (9 * y + 1) / 10)
                            + 0.5 * np.exp(-((9 * x - 7) ** 2) / 4 - (9 * y - 3) ** 2 / 4)
                            - 0.2 * np.exp(-((9 * x - 4) ** 2) - (9 * y - 7) ** 2)),
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "gaussian": lambda x, y: np.exp(-(x**2 + y**2) / 2),
    "ripple": lambda x, y: np.sin(np.hypot(x, y)),
    "tower": lambda x, y: _tower(x, y, (-0.3, 0.7, -0.2, 0.8), 30.0),
    "four_towers": lambda x, y: sum(_tower(x, y, (-a, a, -a, a), 4.0) for a in (0.5, 1.0, 2.0, 4.0)),
    "sphere3": lambda x1, x2, x3: x1**2 + x2**2 + x3**2,
    "mixed3": lambda x1, x2, x3: x1 * x2 + np.tanh(x3),
}


def _points(target: targets.Target) -> np.ndarray:
    """500 random points of the target's domain, and its corners and centre."""
    low, high = np.array(target.domain).T
    inside = low + (high - low) * np.random.default_rng(11).random((500, target.n_inputs))
    corners = np.array(np.meshgrid(*zip(low, high, (low + high) / 2))).reshape(target.n_inputs, -1).T
    return np.vstack([inside, corners, np.zeros((1, target.n_inputs))])


def test_every_named_target_is_written_by_hand() -> None:
    assert set(BY_HAND) == set(targets.TARGETS)


@pytest.mark.parametrize("name", list(BY_HAND))
def test_named_targets_are_their_formulas(name: str) -> None:
    target = get_target(name)
    X = _points(target)
    with np.errstate(over="ignore"):
        expected = BY_HAND[name](*X.T)
    np.testing.assert_allclose(target(X), expected, rtol=1e-12, atol=1e-14, err_msg=name)
    on_tensors = target.formula.on_tensors(*[nw.tensor(column) for column in X.T])
    np.testing.assert_array_equal(on_tensors.data, target(X))
