"""Optimizers and learning-rate schedules, with torch.optim's names, defaults and numbers.

Each optimizer updates the parameters' `.data` arrays in place from their `.grad` arrays;
`lr_scheduler` changes the learning rates between epochs.
"""

from . import lr_scheduler as lr_scheduler
from .adam import Adam as Adam
from .adamw import AdamW as AdamW
from .lbfgs import LBFGS as LBFGS
from .optimizer import Optimizer as Optimizer
from .rmsprop import RMSprop as RMSprop
from .sgd import SGD as SGD
from .lm import LevenbergMarquardt as LevenbergMarquardt
