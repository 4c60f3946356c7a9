"""Differentiable ops: each a small `Function` with its forward and backward side by side."""

from nnwork.ops.arithmetic import Add as Add, Div as Div, Linear as Linear, MatMul as MatMul
from nnwork.ops.arithmetic import Mul as Mul, Neg as Neg, Pow as Pow, PowScalar as PowScalar
from nnwork.ops.arithmetic import Sub as Sub
from nnwork.ops.elementwise import Abs as Abs, Cast as Cast, Clip as Clip, Cos as Cos
from nnwork.ops.elementwise import Exp as Exp, LeakyReLU as LeakyReLU, Log as Log
from nnwork.ops.elementwise import ReLU as ReLU, Sigmoid as Sigmoid, Sin as Sin
from nnwork.ops.elementwise import Softplus as Softplus, Sqrt as Sqrt, Tanh as Tanh
from nnwork.ops.elementwise import Where as Where, stable_sigmoid as stable_sigmoid
from nnwork.ops.softmax import LogSoftmax as LogSoftmax, LogSumExp as LogSumExp
from nnwork.ops.softmax import Softmax as Softmax
from nnwork.ops.reductions import Max as Max, Mean as Mean, Sum as Sum
from nnwork.ops.reductions import Amax as Amax, Amin as Amin, Cumsum as Cumsum, Prod as Prod
from nnwork.ops.reductions import PickAlongAxis as PickAlongAxis, extreme_indices as extreme_indices
from nnwork.ops.reductions import normalize_axis as normalize_axis
from nnwork.ops.statistics import Std as Std, Var as Var, correction_of as correction_of
from nnwork.ops.dims import check_nonempty as check_nonempty, dim_and_keepdim as dim_and_keepdim
from nnwork.ops.dims import reduction_dims as reduction_dims
from nnwork.ops.shape import Concatenate as Concatenate, GetItem as GetItem
from nnwork.ops.shape import Reshape as Reshape, Stack as Stack, Transpose as Transpose
from nnwork.ops.shape import plain_index as plain_index, transpose_axes as transpose_axes
from nnwork.ops.losses import CrossEntropy as CrossEntropy, SquaredError as SquaredError
