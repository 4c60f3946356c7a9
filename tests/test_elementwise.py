"""Elementwise maths and activations against PyTorch (values and gradients, float64) and finite
differences, one line per op; then every elementwise op, old and new, at the special values
(±inf, nan, ±0, ±1e4 and the domain edges), where nan == nan counts as agreement."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import nnwork as nw
import nnwork.functional as F
from helpers import helper_gradcheck, helper_test_op
from strategies import broadcastable_shape_pairs, float_arrays, shapes

pytestmark = pytest.mark.filterwarnings("error")

POSITIVE = {"low": 0.1, "high": 2.0}
INSIDE_UNIT = {"low": -0.9, "high": 0.9}
NONZERO = {"away_from": 0.0}

# (name, nnwork, torch, input range; fd=False where the derivative is 0 or a kink is near)
UNARY: list[tuple[str, Callable, Callable, dict[str, Any]]] = [
    ("log1p", lambda a: a.log1p(), torch.log1p, {"low": -0.9}),
    ("nw.log1p", nw.log1p, torch.log1p, {"low": -0.9}),
    ("expm1", lambda a: a.expm1(), torch.expm1, {}),
    ("nw.expm1", nw.expm1, torch.expm1, {}),
    ("log2", lambda a: a.log2(), torch.log2, POSITIVE),
    ("nw.log2", nw.log2, torch.log2, POSITIVE),
    ("log10", lambda a: a.log10(), torch.log10, POSITIVE),
    ("nw.log10", nw.log10, torch.log10, POSITIVE),
    ("tan", lambda a: a.tan(), torch.tan, {"low": -1.2, "high": 1.2}),
    ("nw.tan", nw.tan, torch.tan, {"low": -1.2, "high": 1.2}),
    ("asin", lambda a: a.asin(), torch.asin, INSIDE_UNIT),
    ("arcsin", lambda a: a.arcsin(), torch.arcsin, INSIDE_UNIT),
    ("nw.asin", nw.asin, torch.asin, INSIDE_UNIT),
    ("nw.arcsin", nw.arcsin, torch.arcsin, INSIDE_UNIT),
    ("acos", lambda a: a.acos(), torch.acos, INSIDE_UNIT),
    ("arccos", lambda a: a.arccos(), torch.arccos, INSIDE_UNIT),
    ("nw.acos", nw.acos, torch.acos, INSIDE_UNIT),
    ("nw.arccos", nw.arccos, torch.arccos, INSIDE_UNIT),
    ("atan", lambda a: a.atan(), torch.atan, {}),
    ("arctan", lambda a: a.arctan(), torch.arctan, {}),
    ("nw.atan", nw.atan, torch.atan, {}),
    ("nw.arctan", nw.arctan, torch.arctan, {}),
    ("sinh", lambda a: a.sinh(), torch.sinh, {}),
    ("nw.sinh", nw.sinh, torch.sinh, {}),
    ("cosh", lambda a: a.cosh(), torch.cosh, {}),
    ("nw.cosh", nw.cosh, torch.cosh, {}),
    ("reciprocal", lambda a: a.reciprocal(), torch.reciprocal, {"low": 0.3, "high": 3.0}),
    ("nw.reciprocal", nw.reciprocal, torch.reciprocal, {"low": 0.3, "high": 3.0}),
    ("rsqrt", lambda a: a.rsqrt(), torch.rsqrt, POSITIVE),
    ("nw.rsqrt", nw.rsqrt, torch.rsqrt, POSITIVE),
    ("square", lambda a: a.square(), torch.square, {}),
    ("nw.square", nw.square, torch.square, {}),
    ("gelu", F.gelu, TF.gelu, {"low": -4, "high": 4}),
    ("gelu_tanh", lambda a: F.gelu(a, approximate="tanh"), lambda a: TF.gelu(a, approximate="tanh"), {"low": -4, "high": 4}),
    ("silu", F.silu, TF.silu, {"low": -6, "high": 6}),
    ("elu", F.elu, TF.elu, NONZERO),
    ("elu_alpha_0.5", lambda a: F.elu(a, 0.5), lambda a: TF.elu(a, 0.5), NONZERO),
    ("selu", F.selu, TF.selu, NONZERO),
    ("nw.selu", nw.selu, torch.selu, NONZERO),
    ("logsigmoid", F.logsigmoid, TF.logsigmoid, {"low": -8, "high": 8}),
    ("hardtanh", F.hardtanh, TF.hardtanh, {"low": -0.95, "high": 0.95}),
    ("hardtanh_wide", lambda a: F.hardtanh(a, -0.5, 1.5), lambda a: TF.hardtanh(a, -0.5, 1.5), {"away_from": -0.5}),
    ("softplus_beta_2", lambda a: F.softplus(a, beta=2.0), lambda a: TF.softplus(a, beta=2.0), {"low": -6, "high": 6}),
    ("softplus_threshold_1", lambda a: F.softplus(a, 1.0, 1.0), lambda a: TF.softplus(a, 1.0, 1.0), {"away_from": 1.0}),
    ("softplus_beta_3_threshold_2", lambda a: a.softplus(3.0, 2.0), lambda a: TF.softplus(a, 3.0, 2.0),
     {"away_from": 2 / 3}),
    ("softplus_beta_minus_1", lambda a: F.softplus(a, -1.0), lambda a: TF.softplus(a, -1.0), {}),
]
ZERO_GRADIENT = [  # step functions: gradient 0, nothing for finite differences to check
    ("sign", lambda a: a.sign(), torch.sign, NONZERO),
    ("nw.sign", nw.sign, torch.sign, NONZERO),
    ("floor", lambda a: a.floor(), torch.floor, {}),
    ("nw.floor", nw.floor, torch.floor, {}),
    ("ceil", lambda a: a.ceil(), torch.ceil, {}),
    ("nw.ceil", nw.ceil, torch.ceil, {}),
    ("round", lambda a: a.round(), torch.round, {}),
    ("nw.round", nw.round, torch.round, {}),
    ("round_decimals_2", lambda a: a.round(decimals=2), lambda a: torch.round(a, decimals=2), {}),
    ("nw.round_decimals_minus_1", lambda a: nw.round(a * 40, -1), lambda a: torch.round(a * 40, decimals=-1), {}),
]
SHAPES = [(3, 4), (), (0,), (1,), (2, 0, 3)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name, ours, theirs, options", UNARY + ZERO_GRADIENT, ids=[u[0] for u in UNARY + ZERO_GRADIENT])
def test_unary_matches_torch(name: str, ours: Callable, theirs: Callable, options: dict[str, Any], shape: tuple) -> None:
    helper_test_op([shape], ours, theirs, name=name, **options)


@pytest.mark.parametrize("shape", [(3, 4), ()], ids=str)
@pytest.mark.parametrize("name, ours, theirs, options", UNARY, ids=[u[0] for u in UNARY])
def test_unary_gradcheck(name: str, ours: Callable, theirs: Callable, options: dict[str, Any], shape: tuple) -> None:
    helper_gradcheck([shape], ours, **options)


BINARY = [
    ("maximum", nw.maximum, torch.maximum),
    ("Tensor.maximum", lambda a, b: a.maximum(b), lambda a, b: a.maximum(b)),
    ("minimum", nw.minimum, torch.minimum),
    ("Tensor.minimum", lambda a, b: a.minimum(b), lambda a, b: a.minimum(b)),
    ("atan2", nw.atan2, torch.atan2),
    ("arctan2", nw.arctan2, torch.arctan2),
    ("Tensor.atan2", lambda a, b: a.atan2(b), lambda a, b: a.atan2(b)),
]
PAIRS = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), (3,)), ((3,), ()), ((0, 2), (1, 2)), ((1,), ())]


@pytest.mark.parametrize("pair", PAIRS, ids=str)
@pytest.mark.parametrize("name, ours, theirs", BINARY, ids=[b[0] for b in BINARY])
def test_binary_matches_torch_and_finite_differences(name: str, ours: Callable, theirs: Callable, pair: tuple) -> None:
    arrays = helper_test_op(list(pair), ours, theirs, name=name, seed=3)
    if all(a.size for a in arrays):
        helper_gradcheck(list(pair), ours, seed=3)


TIES = np.array([[1.0, 2.0, -3.0], [0.5, 0.5, 0.0]])
OTHER = np.array([[1.0, 1.0, -3.0], [0.7, 0.5, -0.0]])


@pytest.mark.parametrize("name, ours, theirs", BINARY[:4], ids=[b[0] for b in BINARY[:4]])
def test_maximum_minimum_ties_split_the_gradient_in_half_as_torch(name: str, ours: Callable, theirs: Callable) -> None:
    helper_test_op([TIES, OTHER], ours, theirs, name=name)
    a = nw.tensor(TIES, requires_grad=True)
    b = nw.tensor(OTHER, requires_grad=True)
    ours(a, b).sum().backward()
    tie = TIES == OTHER
    np.testing.assert_array_equal(a.grad[tie], 0.5)
    np.testing.assert_array_equal(b.grad[tie], 0.5)


def test_maximum_takes_numbers_in_the_tensors_dtype() -> None:
    x = nw.tensor([-1.0, 2.0], requires_grad=True)
    y = nw.maximum(x, 0.5)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.data, [0.5, 2.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0])


# ---- special values ------------------------------------------------------------------------------
SPECIAL = np.array([-np.inf, -1e4, -20.5, -1.5, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 1.5, 2.0, 20.5, 1e4, np.inf, np.nan])

# Every elementwise op, old and new: (name, nnwork, torch)
SPECIAL_OPS: list[tuple[str, Callable, Callable]] = [
    ("exp", nw.exp, torch.exp),
    ("log", nw.log, torch.log),
    ("sqrt", nw.sqrt, torch.sqrt),
    ("abs", nw.abs, torch.abs),
    ("sin", nw.sin, torch.sin),
    ("cos", nw.cos, torch.cos),
    ("sigmoid", nw.sigmoid, torch.sigmoid),
    ("tanh", nw.tanh, torch.tanh),
    ("relu", nw.relu, torch.relu),
    ("leaky_relu", nw.leaky_relu, TF.leaky_relu),
    ("softplus", F.softplus, TF.softplus),
    ("softplus_beta_2_threshold_1", lambda a: F.softplus(a, 2.0, 1.0), lambda a: TF.softplus(a, 2.0, 1.0)),
    ("softplus_beta_0", lambda a: F.softplus(a, 0.0), lambda a: TF.softplus(a, 0.0)),
    ("clip", lambda a: a.clip(-1.0, 1.0), lambda a: a.clamp(-1.0, 1.0)),
    ("clip_min", lambda a: a.clip(min=0.0), lambda a: a.clamp(min=0.0)),
    ("clip_max", lambda a: nw.clamp(a, max=0.5), lambda a: torch.clamp(a, max=0.5)),
    ("where", lambda a: nw.where(a > 0, a, 2 * a), lambda a: torch.where(a > 0, a, 2 * a)),
    ("neg", lambda a: -a, lambda a: -a),
    ("log1p", nw.log1p, torch.log1p),
    ("expm1", nw.expm1, torch.expm1),
    ("log2", nw.log2, torch.log2),
    ("log10", nw.log10, torch.log10),
    ("tan", nw.tan, torch.tan),
    ("asin", nw.asin, torch.asin),
    ("acos", nw.acos, torch.acos),
    ("atan", nw.atan, torch.atan),
    ("sinh", nw.sinh, torch.sinh),
    ("cosh", nw.cosh, torch.cosh),
    ("reciprocal", nw.reciprocal, torch.reciprocal),
    ("rsqrt", nw.rsqrt, torch.rsqrt),
    ("square", nw.square, torch.square),
    ("sign", nw.sign, torch.sign),
    ("floor", nw.floor, torch.floor),
    ("ceil", nw.ceil, torch.ceil),
    ("round", nw.round, torch.round),
    ("round_decimals_1", lambda a: nw.round(a, 1), lambda a: torch.round(a, decimals=1)),
    ("gelu", F.gelu, TF.gelu),
    ("gelu_tanh", lambda a: F.gelu(a, "tanh"), lambda a: TF.gelu(a, approximate="tanh")),
    ("silu", F.silu, TF.silu),
    ("elu", F.elu, TF.elu),
    ("elu_alpha_2", lambda a: F.elu(a, 2.0), lambda a: TF.elu(a, 2.0)),
    ("selu", F.selu, TF.selu),
    ("logsigmoid", F.logsigmoid, TF.logsigmoid),
    ("hardtanh", F.hardtanh, TF.hardtanh),
    ("maximum_0.5", lambda a: nw.maximum(a, 0.5), lambda a: torch.maximum(a, torch.tensor(0.5, dtype=a.dtype))),
    ("minimum_1", lambda a: nw.minimum(1.0, a), lambda a: torch.minimum(torch.tensor(1.0, dtype=a.dtype), a)),
]


def _values_and_gradient(fn: Callable, x: Any, make: Callable, requires_grad: Callable) -> tuple[np.ndarray, np.ndarray]:
    t = make(x)
    out = fn(t)
    out.backward(make(np.linspace(0.5, 1.5, out.shape[0])))
    values = out.data if isinstance(out, nw.Tensor) else out.detach().numpy()
    grad = t.grad if isinstance(t, nw.Tensor) else t.grad.numpy()
    return np.asarray(values), np.asarray(grad)


@pytest.mark.parametrize("name, ours, theirs", SPECIAL_OPS, ids=[s[0] for s in SPECIAL_OPS])
def test_special_values_match_torch(name: str, ours: Callable, theirs: Callable) -> None:
    """Values and gradients at ±inf, nan, ±0, ±1e4, ±1 (domain edges) agree with torch, with no
    NumPy warning (they are errors here)."""
    mine, my_grad = _values_and_gradient(ours, SPECIAL, lambda v: nw.tensor(v, requires_grad=True), None)
    ref, ref_grad = _values_and_gradient(theirs, SPECIAL, lambda v: torch.tensor(v, requires_grad=True), None)
    # atol: gelu(−20.5) is −2e−92, which torch's ½x(1 + erf(x/√2)) rounds to −0
    np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-15, equal_nan=True,
                               err_msg=f"{name}: values at {SPECIAL}")
    np.testing.assert_allclose(my_grad, ref_grad, rtol=1e-12, atol=1e-15, equal_nan=True,
                               err_msg=f"{name}: gradients at {SPECIAL}")


@pytest.mark.parametrize("name, ours, theirs", [b for b in BINARY if not b[0].startswith("Tensor")],
                         ids=[b[0] for b in BINARY if not b[0].startswith("Tensor")])
def test_binary_special_values_match_torch(name: str, ours: Callable, theirs: Callable) -> None:
    """Every pair of special values (ties, nan on either side, ±inf, ±0)."""
    a_values, b_values = (v.ravel() for v in np.meshgrid(SPECIAL, SPECIAL))
    a, b = nw.tensor(a_values, requires_grad=True), nw.tensor(b_values, requires_grad=True)
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (a_values, b_values))
    out, expected = ours(a, b), theirs(ta, tb)
    out.sum().backward()
    expected.sum().backward()
    for mine, ref, what in [(out.data, expected.detach().numpy(), "values"), (a.grad, ta.grad.numpy(), "∂/∂a"),
                            (b.grad, tb.grad.numpy(), "∂/∂b")]:
        np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-300, equal_nan=True, err_msg=f"{name}: {what}")


@pytest.mark.parametrize("name, ours, theirs", SPECIAL_OPS, ids=[s[0] for s in SPECIAL_OPS])
def test_float32_keeps_its_dtype_and_warns_nowhere(name: str, ours: Callable, theirs: Callable) -> None:
    x = nw.tensor(SPECIAL.astype(np.float32), requires_grad=True)
    out = ours(x)
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
    finite = np.isfinite(SPECIAL) & (np.abs(SPECIAL) < 100)
    expected = theirs(torch.tensor(SPECIAL[finite], dtype=torch.float32)).numpy()
    np.testing.assert_allclose(out.data[finite], expected, rtol=2e-6, atol=1e-6, equal_nan=True, err_msg=name)


def test_domain_edges_exactly_as_torch() -> None:
    """The examples of the issue, spelled out."""
    edges = nw.tensor([-1.0, 1.0], dtype=np.float64, requires_grad=True)
    edges.acos().sum().backward()
    np.testing.assert_array_equal(edges.grad, [-np.inf, -np.inf])
    assert np.isnan(nw.asin(nw.tensor(2.0)).item()) and np.isnan(nw.log(nw.tensor(-1.0)).item())
    assert nw.log(nw.tensor(0.0)).item() == -np.inf
    zero = nw.tensor(0.0, requires_grad=True)
    zero.sqrt().backward()
    assert zero.grad == np.inf
    minus_inf = nw.tensor([-np.inf], requires_grad=True)
    minus_inf.relu().sum().backward()
    assert minus_inf.relu().item() == 0.0 and minus_inf.grad[0] == 0.0


def test_relu_writes_into_given_arrays_with_the_same_numbers() -> None:
    from nnwork import ops

    x = np.array([[-np.inf, -1.0, 0.0], [2.0, np.inf, np.nan]], dtype=np.float32)
    grad = np.full(x.shape, 3.0, dtype=np.float32)
    eager, into = ops.ReLU(), ops.ReLU()
    out, grad_out = np.full_like(x, 7.0), np.full_like(x, 7.0)
    np.testing.assert_array_equal(into.forward(x, out=out), eager.forward(x))
    np.testing.assert_array_equal(into.backward(grad, out=(grad_out,))[0], eager.backward(grad)[0])
    np.testing.assert_array_equal(out, [[0, 0, 0], [2, np.inf, np.nan]])
    np.testing.assert_array_equal(grad_out, [[0, 0, 0], [3, 3, 3]])


# ---- rounding, options and errors ------------------------------------------------------------
@pytest.mark.parametrize("decimals", [-2, -1, 0, 1, 2, 3])
def test_round_decimals_is_torchs_bit_for_bit(decimals: int) -> None:
    values = np.concatenate([np.random.default_rng(5).uniform(-500, 500, 2000), np.arange(-10, 10) + 0.5,
                             np.array([0.125, 0.375, 2.675, -1.005, 15.0, 25.0, 250.0])])
    np.testing.assert_array_equal(nw.round(values, decimals).data,
                                  torch.round(torch.from_numpy(values), decimals=decimals).numpy())


def test_round_halves_go_to_even() -> None:
    np.testing.assert_array_equal(nw.round([0.5, 1.5, 2.5, -0.5, -2.5]).data, [0.0, 2.0, 2.0, -0.0, -2.0])


def test_option_errors_name_the_argument() -> None:
    x = nw.tensor([1.0, -1.0])
    with pytest.raises(ValueError, match="`approximate` must be one of .*'none', 'tanh'.*got 'fast'"):
        F.gelu(x, approximate="fast")
    with pytest.raises(ValueError, match="`approximate` must be one of"):
        nw.nn.GELU("erf")
    with pytest.raises(ValueError, match=r"`min_val` \(2.0\) cannot be greater than `max_val` \(1.0\)"):
        F.hardtanh(x, 2.0, 1.0)
    with pytest.raises(ValueError, match="cannot be greater"):
        nw.nn.Hardtanh(0.5, -0.5)
    with pytest.raises(TypeError, match="`beta` must be a real number, got 'two'"):
        x.softplus(beta="two")
    with pytest.raises(TypeError, match="`alpha` must be a real number"):
        nw.nn.ELU(alpha=None)
    with pytest.raises(TypeError, match="`decimals` must be an integer, got 1.5"):
        x.round(1.5)


def test_softplus_keeps_its_old_one_argument_calls() -> None:
    x = nw.tensor(np.linspace(-30, 30, 13), dtype=np.float64)
    expected = TF.softplus(torch.from_numpy(x.data)).numpy()
    for result in (F.softplus(x), x.softplus(), nw.softplus(x), nw.nn.Softplus()(x)):
        np.testing.assert_allclose(result.data, expected, rtol=1e-14)
    assert nw.nn.Softplus()(nw.tensor([25.0])).item() == 25.0  # linear above the threshold, exactly


def test_logsigmoid_is_stable_at_large_magnitudes() -> None:
    x = nw.tensor([-1e4, -800.0, 800.0, 1e4], dtype=np.float64, requires_grad=True)
    y = F.logsigmoid(x)
    y.sum().backward()
    np.testing.assert_array_equal(y.data, [-1e4, -800.0, 0.0, 0.0])
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 0.0, 0.0])


# ---- modules -------------------------------------------------------------------------------------
MODULES = [
    (lambda: nw.nn.GELU(), lambda: torch.nn.GELU()),
    (lambda: nw.nn.GELU(approximate="tanh"), lambda: torch.nn.GELU(approximate="tanh")),
    (lambda: nw.nn.SiLU(), lambda: torch.nn.SiLU()),
    (lambda: nw.nn.ELU(alpha=0.3), lambda: torch.nn.ELU(alpha=0.3)),
    (lambda: nw.nn.SELU(), lambda: torch.nn.SELU()),
    (lambda: nw.nn.LogSigmoid(), lambda: torch.nn.LogSigmoid()),
    (lambda: nw.nn.Softplus(beta=2.0, threshold=3.0), lambda: torch.nn.Softplus(beta=2.0, threshold=3.0)),
    (lambda: nw.nn.Hardtanh(-2.0, 0.5), lambda: torch.nn.Hardtanh(-2.0, 0.5)),
]


@pytest.mark.parametrize("ours, theirs", MODULES, ids=[type(m[0]()).__name__ + m[0]().extra_repr() for m in MODULES])
def test_activation_modules_match_torch_and_survive_save_and_load(ours: Callable, theirs: Callable) -> None:
    module, reference = ours(), theirs()
    assert type(module).__name__ == type(reference).__name__
    assert module.extra_repr() == reference.extra_repr().replace(", inplace=False", "").replace("inplace=False", "")
    helper_test_op([(4, 3)], module, reference, name=repr(module), low=-4, high=4, seed=1)
    model = nw.nn.Sequential(nw.nn.Linear(3, 2, dtype=np.float64), module)
    with tempfile.TemporaryDirectory() as folder:
        nw.save(model, Path(folder) / "model.npz")
        loaded = nw.load(Path(folder) / "model.npz").model
    x = nw.tensor(np.linspace(-3, 3, 12).reshape(4, 3))
    assert repr(loaded[1]) == repr(module)
    np.testing.assert_array_equal(loaded(x).data, model(x).data)


@pytest.mark.parametrize("activation", ["gelu", "silu", "elu", "selu", "logsigmoid", "hardtanh"])
def test_mlp_takes_the_new_activations_by_name_and_saves_them(activation: str) -> None:
    model = nw.nn.MLP([2, 5, 1], activation, generator=0)
    with tempfile.TemporaryDirectory() as folder:
        nw.save(model, Path(folder) / "model.npz")
        loaded = nw.load(Path(folder) / "model.npz").model
    x = nw.tensor([[0.5, -1.0], [2.0, 0.1]])
    assert loaded.activation == activation
    np.testing.assert_array_equal(loaded(x).data, model(x).data)


def test_softplus_files_without_options_still_load() -> None:
    from nnwork.io.architecture import build

    module = build({"type": "Softplus"})
    assert (module.beta, module.threshold) == (1.0, 20.0)
    with pytest.raises(ValueError, match="Softplus architecture: unknown fields"):
        build({"type": "Softplus", "slope": 1.0})
    with pytest.raises(ValueError, match="`alpha` must be a finite number"):
        build({"type": "ELU", "alpha": float("nan")})


# ---- property-based: random shapes and broadcasting -------------------------------------------------
PROPERTY = settings(max_examples=15, deadline=None)
DOMAINS = {  # name -> (nnwork, torch, low, high, min |x|)
    "log1p": (nw.log1p, torch.log1p, -0.9, 3, 0.0),
    "asin": (nw.asin, torch.asin, -0.9, 0.9, 0.0),
    "atan": (nw.atan, torch.atan, -3, 3, 0.0),
    "rsqrt": (nw.rsqrt, torch.rsqrt, 0.2, 3, 0.0),
    "gelu": (F.gelu, TF.gelu, -3, 3, 0.0),
    "silu": (F.silu, TF.silu, -3, 3, 0.0),
    "elu": (F.elu, TF.elu, -3, 3, 0.01),
}


@pytest.mark.parametrize("name", list(DOMAINS))
@PROPERTY
@given(data=st.data())
def test_random_shapes(data: st.DataObject, name: str) -> None:
    ours, theirs, low, high, margin = DOMAINS[name]
    x = data.draw(float_arrays(data.draw(shapes()), low, high, margin), label="x")
    helper_test_op([x], ours, theirs, name=name)
    nw.gradcheck(ours, x)


@pytest.mark.parametrize("name, ours, theirs", [BINARY[0], BINARY[2], BINARY[4]], ids=["maximum", "minimum", "atan2"])
@PROPERTY
@given(data=st.data(), pair=broadcastable_shape_pairs())
def test_binary_random_broadcasting(data: st.DataObject, pair: tuple, name: str, ours: Callable, theirs: Callable) -> None:
    a = data.draw(float_arrays(pair[0], -3, 3, 0.5), label="a")
    b = data.draw(float_arrays(pair[1], -3, 3, 0.5), label="b")
    if name != "atan2":  # keep a and b apart: at a tie max has no derivative for finite differences
        b = np.where(np.abs(a - b) < 0.1, b + 0.5, b) if a.shape == b.shape else b
    helper_test_op([a, b], ours, theirs, name=name)
    if name == "atan2" or a.shape == b.shape:
        nw.gradcheck(ours, a, b)
