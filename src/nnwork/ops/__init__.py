"""The kernels: differentiable ops on arrays, each a small `Kernel` with its forward and
backward side by side. They import no Tensor (see nnwork.ops.kernel); `nnwork.tensor.apply`
runs them on tensors. The array library they compute with is looked up once, in ops.backend."""

from nnwork.ops.kernel import Kernel as Kernel, unbroadcast as unbroadcast

from nnwork.ops.arithmetic import Add as Add, Div as Div, Linear as Linear, MatMul as MatMul
from nnwork.ops.arithmetic import Mul as Mul, Neg as Neg, Pow as Pow, PowScalar as PowScalar
from nnwork.ops.arithmetic import Sub as Sub
from nnwork.ops.elementwise import Abs as Abs, Cast as Cast, Clip as Clip, Cos as Cos
from nnwork.ops.elementwise import Exp as Exp, LeakyReLU as LeakyReLU, Log as Log
from nnwork.ops.elementwise import ReLU as ReLU, Sigmoid as Sigmoid, Sin as Sin
from nnwork.ops.elementwise import Softplus as Softplus, Sqrt as Sqrt, Tanh as Tanh
from nnwork.ops.elementwise import Where as Where, stable_sigmoid as stable_sigmoid
from nnwork.ops.elementwise import torch_sign as torch_sign
from nnwork.ops.math import Acos as Acos, Asin as Asin, Atan as Atan, Ceil as Ceil
from nnwork.ops.math import Cosh as Cosh, Expm1 as Expm1, Floor as Floor, Log10 as Log10
from nnwork.ops.math import Log1p as Log1p, Log2 as Log2
from nnwork.ops.math import Reciprocal as Reciprocal, Round as Round, Rsqrt as Rsqrt, Sign as Sign
from nnwork.ops.math import Sinh as Sinh, Square as Square, Tan as Tan
from nnwork.ops.binary import Atan2 as Atan2, Maximum as Maximum, Minimum as Minimum
from nnwork.ops.activations import ELU as ELU, GELU as GELU, Hardtanh as Hardtanh
from nnwork.ops.activations import LogSigmoid as LogSigmoid, SiLU as SiLU, erfc as erfc
from nnwork.ops.activations import normal_cdf as normal_cdf
from nnwork.ops.softmax import LogSoftmax as LogSoftmax, LogSumExp as LogSumExp
from nnwork.ops.softmax import Softmax as Softmax
from nnwork.ops.reductions import Max as Max, Mean as Mean, Sum as Sum
from nnwork.ops.reductions import Amax as Amax, Amin as Amin, Cumsum as Cumsum, Prod as Prod
from nnwork.ops.reductions import PickAlongAxis as PickAlongAxis, extreme_indices as extreme_indices
from nnwork.ops.reductions import normalize_axis as normalize_axis
from nnwork.ops.statistics import Std as Std, Var as Var, correction_of as correction_of
from nnwork.ops.dims import check_nonempty as check_nonempty, dim_and_keepdim as dim_and_keepdim
from nnwork.ops.dims import reduction_dims as reduction_dims
from nnwork.ops.shape import Concatenate as Concatenate
from nnwork.ops.shape import Reshape as Reshape, Stack as Stack, Transpose as Transpose
from nnwork.ops.shape import transpose_axes as transpose_axes
from nnwork.ops.indexing import GetItem as GetItem
from nnwork.ops.indexing import Gather as Gather, MaskedFill as MaskedFill
from nnwork.ops.losses import CrossEntropy as CrossEntropy, SquaredError as SquaredError
from nnwork.ops.losses import BinaryCrossEntropy as BinaryCrossEntropy, WeightedMean as WeightedMean
from nnwork.ops.class_losses import NLLLoss as NLLLoss
from nnwork.ops.normalization import LayerNorm as LayerNorm
from nnwork.ops.dropout import Dropout as Dropout
from nnwork.ops.views import Expand as Expand, Flip as Flip, Outer as Outer, Repeat as Repeat
