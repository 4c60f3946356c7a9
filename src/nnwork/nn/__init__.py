"""Networks: Module and Parameter, layers, and the explanation's neurons and neuron graphs."""

from nnwork.nn.layers import ACTIVATIONS as ACTIVATIONS, MLP as MLP, Identity as Identity
from nnwork.nn.layers import LeakyReLU as LeakyReLU, Linear as Linear, ReLU as ReLU
from nnwork.nn.layers import Sequential as Sequential, Sigmoid as Sigmoid
from nnwork.nn.layers import Softplus as Softplus, Tanh as Tanh
from nnwork.nn.layers import activation_module as activation_module
from nnwork.nn.layers import ELU as ELU, GELU as GELU, Hardtanh as Hardtanh
from nnwork.nn.layers import LogSigmoid as LogSigmoid, SELU as SELU, SiLU as SiLU
from nnwork.nn.module import Module as Module, Parameter as Parameter
from nnwork.nn.neuron import Neuron as Neuron, NeuronGraph as NeuronGraph
from nnwork.nn.neuron import example_network as example_network
from nnwork.nn.dropout import Dropout as Dropout
from nnwork.nn.normalization import LayerNorm as LayerNorm
