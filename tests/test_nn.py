"""Modules: parameter registration, state dicts, layers, neurons and neuron graphs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nnwork as nw
from nnwork import nn


def example_dag(generator: int = 0) -> nn.NeuronGraph:
    """The explanation's network, in float64 for exact comparisons."""
    return nn.example_network(generator=generator, dtype=np.float64)


def test_example_network_is_written_as_in_the_readme() -> None:
    F = nn.NeuronGraph(inputs=["x1", "x2"], generator=0, dtype=np.float64)
    F.neuron("f1", "x1")
    F.neuron("f2", "x2")
    F.neuron("f3", "f2 + f1")
    F.neuron("f4", "f2")
    F.neuron("f5", "f3", "f4")
    assert F.wiring == example_dag().wiring
    assert F.wiring["f3"] == (("f2", "f1"),) and F.wiring["f5"] == (("f3",), ("f4",))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def test_neuron_is_sigmoid_of_weighted_sum() -> None:
    neuron = nn.Neuron(3, weight=[0.5, -1.0, 2.0], bias=0.25, dtype=np.float64)
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]])
    expected = sigmoid(x @ np.array([0.5, -1.0, 2.0]) + 0.25)
    np.testing.assert_allclose(neuron(nw.tensor(x)).data, expected, rtol=1e-14)
    assert neuron(nw.tensor(x[0])).shape == ()


def test_neuron_rejects_wrong_width() -> None:
    with pytest.raises(ValueError, match=r"\(\.\.\., 3\), got \(4, 2\)"):
        nn.Neuron(3)(nw.tensor(np.zeros((4, 2))))
    with pytest.raises(ValueError, match="activation"):
        nn.Neuron(2, activation="swish")
    with pytest.raises(ValueError, match="n_inputs"):
        nn.Neuron(0)


def test_dag_matches_the_formula_written_out() -> None:
    F = example_dag()
    f = {name: (getattr(F, name).weight.data, getattr(F, name).bias.data) for name in F.wiring}

    def neuron(name: str, *inputs: np.ndarray) -> np.ndarray:
        w, b = f[name]
        return sigmoid(np.stack(inputs, axis=-1) @ w + b)

    x = np.random.default_rng(1).normal(size=(7, 2))
    x1, x2 = x[:, 0], x[:, 1]
    expected = neuron("f5", neuron("f3", neuron("f2", x2) + neuron("f1", x1)), neuron("f4", neuron("f2", x2)))
    np.testing.assert_allclose(F(nw.tensor(x)).data[:, 0], expected, rtol=1e-14)


def test_dag_gradient_sums_over_both_paths_of_a_shared_neuron() -> None:
    """f2 feeds f3 and f4: its parameters' gradients must add both paths."""
    x = np.random.default_rng(2).normal(size=(5, 2))
    F = example_dag()
    params = dict(F.named_parameters())
    F(nw.tensor(x)).sum().backward()
    analytic = {n: p.grad.copy() for n, p in params.items()}
    eps = 1e-6
    for name, p in params.items():
        for index in np.ndindex(*p.shape):
            original = p.data[index]
            p.data[index] = original + eps
            up = F(nw.tensor(x)).sum().item()
            p.data[index] = original - eps
            down = F(nw.tensor(x)).sum().item()
            p.data[index] = original
            assert analytic[name][index] == pytest.approx((up - down) / (2 * eps), abs=1e-7), name


def test_dag_gradients_match_torch() -> None:
    F = example_dag(generator=3)
    x = np.random.default_rng(4).normal(size=(6, 2))
    target = np.random.default_rng(5).uniform(size=(6, 1))
    nw.functional.mse_loss(F(nw.tensor(x)), target).backward()

    t = {n: torch.tensor(p.data, requires_grad=True) for n, p in F.named_parameters()}

    def f(name: str, *inputs: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(torch.stack(inputs, -1) @ t[f"{name}.weight"] + t[f"{name}.bias"])

    tx = torch.tensor(x)
    f2 = f("f2", tx[:, 1])
    out = f("f5", f("f3", f2 + f("f1", tx[:, 0])), f("f4", f2))
    torch.nn.functional.mse_loss(out[:, None], torch.tensor(target)).backward()
    for name, p in F.named_parameters():
        np.testing.assert_allclose(p.grad, t[name].grad.numpy(), rtol=1e-10, err_msg=name)


def test_neuron_graph_rejects_bad_wiring() -> None:
    F = nn.NeuronGraph(inputs=["x1", "x2"])
    with pytest.raises(ValueError, match="'f9'.*not an input or an earlier neuron"):
        F.neuron("f1", "x1 + f9")
    F.neuron("f1", "x1")
    with pytest.raises(ValueError, match="already taken"):
        F.neuron("f1", "x2")
    with pytest.raises(ValueError, match="already taken"):
        F.neuron("forward", "x2")
    with pytest.raises(ValueError, match="not a usable name"):
        F.neuron("my neuron", "x2")
    with pytest.raises(ValueError, match=r"expects x of shape \(N, 2\), got \(3, 3\)"):
        F(nw.tensor(np.zeros((3, 3))))
    with pytest.raises(ValueError, match="unknown"):
        F.outputs = ["nope"]


def test_neuron_graph_several_outputs() -> None:
    F = example_dag()
    F.outputs = ["f3", "f4", "f5"]
    out, values = F(nw.tensor(np.ones((4, 2))), return_all=True)
    assert out.shape == (4, 3)
    np.testing.assert_array_equal(out.data[:, 1], values["f4"].data)


def test_module_registers_parameters_and_submodules() -> None:
    model = nn.MLP([2, 5, 3, 1], activation="tanh", generator=0)
    names = [n for n, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert model.num_parameters() == 2 * 5 + 5 + 5 * 3 + 3 + 3 + 1
    assert "MLP" in repr(model) and "Linear(in_features=2, out_features=5" in repr(model)
    assert "37 parameters" in repr(model)


def test_shared_parameter_listed_once() -> None:
    class Tied(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = nn.Linear(3, 3, generator=0)
            self.b = self.a

        def forward(self, x: nw.Tensor) -> nw.Tensor:
            return self.b(self.a(x))

    assert len(Tied().parameters()) == 2


def test_setattr_before_init_is_a_clear_error() -> None:
    class Forgot(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(np.zeros(2))

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first in Forgot"):
        Forgot()


def test_state_dict_round_trip_and_errors() -> None:
    a = nn.MLP([2, 4, 1], generator=0)
    b = nn.MLP([2, 4, 1], generator=1)
    weight_before = b[0].weight.data  # the same array object must be updated in place
    b.load_state_dict(a.state_dict())
    assert b[0].weight.data is weight_before
    x = nw.tensor(np.random.default_rng(0).normal(size=(3, 2)))
    np.testing.assert_array_equal(a(x).data, b(x).data)

    state = a.state_dict()
    state["0.weight"][:] = 99  # a copy: the model is untouched
    assert not np.any(a[0].weight.data == 99)

    with pytest.raises(ValueError, match=r"missing keys \['2.bias'\].*unexpected keys \['extra'\]"):
        bad = a.state_dict()
        del bad["2.bias"]
        bad["extra"] = np.zeros(1)
        b.load_state_dict(bad)
    with pytest.raises(ValueError, match=r"state_dict\['0.weight'\] has shape \(2, 4\).*\(4, 2\)"):
        bad = a.state_dict()
        bad["0.weight"] = np.zeros((2, 4))
        b.load_state_dict(bad)


def test_zero_grad_and_train_eval() -> None:
    model = nn.MLP([2, 3, 1], generator=0)
    model(nw.tensor(np.ones((2, 2)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(np.all(p.grad == 0) for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.eval()
    assert not any(m.training for _, m in model.named_modules())
    model.train()
    assert all(m.training for _, m in model.named_modules())


def test_linear_matches_torch_and_initialisers() -> None:
    layer = nn.Linear(3, 2, generator=0, dtype=np.float64)
    ref = torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(layer.weight.data))
        ref.bias.copy_(torch.tensor(layer.bias.data))
    x = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_allclose(layer(nw.tensor(x)).data, ref(torch.tensor(x)).detach().numpy(), rtol=1e-12)

    wide = nn.Linear(400, 300, init="xavier", generator=0)
    limit = np.sqrt(6 / 700)
    assert np.abs(wide.weight.data).max() <= limit
    assert wide.weight.data.std() == pytest.approx(limit / np.sqrt(3), rel=0.02)
    he = nn.Linear(400, 300, init="he", generator=0)
    assert he.weight.data.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert wide.weight.dtype == np.float32
    with pytest.raises(ValueError, match="`init`"):
        nn.Linear(2, 2, init="zeros")
    with pytest.raises(ValueError, match="`in_features` must be a positive integer, got 0"):
        nn.Linear(0, 2)


def test_seeded_initialisation_repeats() -> None:
    nw.manual_seed(7)
    a = nn.MLP([2, 8, 1])
    nw.manual_seed(7)
    b = nn.MLP([2, 8, 1])
    c = nn.MLP([2, 8, 1])
    for (_, p), (_, q), (_, r) in zip(a.named_parameters(), b.named_parameters(), c.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    assert not np.array_equal(a[0].weight.data, c[0].weight.data)


def test_mlp_float32_end_to_end() -> None:
    model = nn.MLP([2, 16, 1], activation="relu", generator=0)
    out = model(nw.tensor(np.zeros((3, 2), dtype=np.float32)))
    nw.functional.mse_loss(out, np.zeros((3, 1), dtype=np.float32)).backward()
    assert out.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in model.parameters())


def test_mlp_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="at least an input and an output"):
        nn.MLP([3])
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        nn.MLP([2, 3, 1], activation="swish")
    with pytest.raises(TypeError, match="argument 1 is a int"):
        nn.Sequential(nn.Tanh(), 3)


def test_activation_modules_and_functions_name_the_same_activations_and_agree() -> None:
    """Layers take activation modules (nn.ACTIVATIONS), neurons take functions
    (functional.ACTIVATION_FUNCTIONS): one set of names, the same numbers."""
    from nnwork import functional

    assert set(nn.ACTIVATIONS) == set(functional.ACTIVATION_FUNCTIONS)
    x = nw.tensor(np.linspace(-3, 3, 13), dtype=np.float64)
    for name, module in nn.ACTIVATIONS.items():
        np.testing.assert_array_equal(module()(x).data, functional.activation_function(name)(x).data, err_msg=name)


@pytest.mark.parametrize("as_data", [lambda x: x, lambda x: x.tolist()], ids=["ndarray", "list"])
def test_modules_take_arrays_and_lists_as_constant_inputs(as_data) -> None:
    x = np.random.default_rng(3).normal(size=(5, 2)).astype(np.float32)
    for model in (nn.MLP([2, 4, 1], generator=0), nn.example_network(), nn.Linear(2, 3)):
        expected = model(nw.Tensor(x)).data
        out = model(as_data(x))
        np.testing.assert_array_equal(out.data, expected)
        out.sum().backward()  # the input is a constant: the parameters get their gradients
        assert all(p.grad is not None for p in model.parameters())
