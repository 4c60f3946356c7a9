"""nnwork: a small, fast, from-scratch neural-network engine on NumPy.

A model is a function F(Θ, x) fitted to a ground truth G(x); a network is neurons f(θᵢ, x)
wired together; a loss says how far F is from G; backpropagation gives ∂L/∂θ; gradient
descent lowers the loss. Each idea is a module here, under PyTorch's names.
"""

from nnwork._grad_mode import is_grad_enabled as is_grad_enabled, no_grad as no_grad
from nnwork.functions import abs as abs, cat as cat, clamp as clamp, clip as clip
from nnwork.functions import concatenate as concatenate, cos as cos, exp as exp, log as log
from nnwork.functions import matmul as matmul, max as max, mean as mean, reshape as reshape
from nnwork.functions import sin as sin, sqrt as sqrt, stack as stack, sum as sum
from nnwork.functions import transpose as transpose, where as where
from nnwork.functions import gather as gather, masked_fill as masked_fill
from nnwork.functions import acos as acos, arccos as arccos, arcsin as arcsin, arctan as arctan
from nnwork.functions import arctan2 as arctan2, asin as asin, atan as atan, atan2 as atan2
from nnwork.functions import ceil as ceil, cosh as cosh, expm1 as expm1, floor as floor
from nnwork.functions import log10 as log10, log1p as log1p, log2 as log2, maximum as maximum
from nnwork.functions import minimum as minimum, reciprocal as reciprocal, round as round
from nnwork.functions import rsqrt as rsqrt, sign as sign, sinh as sinh, square as square, tan as tan
from nnwork.functions import chunk as chunk, dot as dot, flatten as flatten, flip as flip
from nnwork.functions import mm as mm, moveaxis as moveaxis, movedim as movedim, mv as mv
from nnwork.functions import outer as outer, permute as permute, split as split
from nnwork.functions import squeeze as squeeze, t as t, unsqueeze as unsqueeze
from nnwork.functions import amax as amax, amin as amin, argmax as argmax, argmin as argmin
from nnwork.functions import cumsum as cumsum, min as min, prod as prod, std as std, var as var
from nnwork.functional import leaky_relu as leaky_relu, log_softmax as log_softmax
from nnwork.functional import logsumexp as logsumexp, relu as relu, sigmoid as sigmoid
from nnwork.functional import softmax as softmax, softplus as softplus, tanh as tanh
from nnwork.functional import selu as selu
from nnwork.tensor import Tensor as Tensor, float32 as float32, float64 as float64
from nnwork.tensor import tensor as tensor
from nnwork import functional as functional, nn as nn
from nnwork import towers as towers  # its module types register themselves: a tower file loads

from nnwork.version import __version__ as __version__

# Imported on first use, so that `import nnwork` stays quick: name -> (module, attribute).
_LAZY = {
    "optim": ("nnwork.optim", None),
    "manual_seed": ("nnwork.rng", "manual_seed"),
    "gradcheck": ("nnwork.gradcheck", "gradcheck"),
    "GradcheckError": ("nnwork.gradcheck", "GradcheckError"),
    "save": ("nnwork.io", "save"),
    "load": ("nnwork.io", "load"),
    "fit": ("nnwork.training", "fit"),
    "capture_step": ("nnwork.capture", "capture_step"),
    "CaptureError": ("nnwork.capture", "CaptureError"),
    "set_num_threads": ("nnwork.threads", "set_num_threads"),
    "get_num_threads": ("nnwork.threads", "get_num_threads"),
    "export": ("nnwork.export", None),
    "from_torch": ("nnwork.export.torch_import", "from_torch"),
    "sweep": ("nnwork.sweeps", "sweep"),  # many fits in parallel, on any joblib backend
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'nnwork' has no attribute {name!r}")
    import importlib

    module_name, attribute = _LAZY[name]
    value = importlib.import_module(module_name)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))
