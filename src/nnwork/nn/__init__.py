"""Networks: Module and Parameter, layers, and the explanation's neurons and neuron graphs."""

from nnwork.nn.activations import ACTIVATIONS as ACTIVATIONS, Identity as Identity
from nnwork.nn.activations import LeakyReLU as LeakyReLU, ReLU as ReLU
from nnwork.nn.activations import Sigmoid as Sigmoid, Softplus as Softplus, Tanh as Tanh
from nnwork.nn.activations import activation_module as activation_module
from nnwork.nn.activations import ELU as ELU, GELU as GELU, Hardtanh as Hardtanh
from nnwork.nn.activations import LogSigmoid as LogSigmoid, SELU as SELU, SiLU as SiLU
from nnwork.nn.layers import MLP as MLP, Linear as Linear, Sequential as Sequential
from nnwork.nn.module import Module as Module, Parameter as Parameter
from nnwork.nn.neuron import Neuron as Neuron, NeuronGraph as NeuronGraph
from nnwork.nn.neuron import example_network as example_network
from nnwork.nn.dropout import Dropout as Dropout
from nnwork.nn.normalization import LayerNorm as LayerNorm
from nnwork.nn.ensemble import Ensemble as Ensemble
