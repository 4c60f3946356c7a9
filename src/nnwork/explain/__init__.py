"""See how it works: gradient descent in 1-D, backpropagation factor by factor, one step, the tour.

    descend("x^2", x0=3, lr=0.1, steps=30)      # a Trajectory; classify(it) → "too small"
    walk_backprop()                              # every chain-rule factor of the article's network
    gradient_step()                              # θ ← θ − η·∂L/∂θ, the loss before and after
    run_tour("nnwork-tour", lang="zh")           # every step as a figure and a text, one HTML page

Nothing here draws or prints: figures are in `nnwork.plot.explain` and `nnwork.plot.graph`,
and the `nnwork explain` / `nnwork tour` commands print.
"""

from nnwork.explain.backprop import BackpropWalk as BackpropWalk, default_network as default_network
from nnwork.explain.backprop import walk_backprop as walk_backprop
from nnwork.explain.descent import Trajectory as Trajectory, classify as classify
from nnwork.explain.descent import compare_learning_rates as compare_learning_rates
from nnwork.explain.descent import descend as descend, evidence as evidence
from nnwork.explain.descent import pick_learning_rates as pick_learning_rates
from nnwork.explain.descent import tensor_function as tensor_function
from nnwork.explain.step import StepReport as StepReport, gradient_step as gradient_step
from nnwork.explain.step import loss_along as loss_along
from nnwork.explain.tour import TourResult as TourResult, run_tour as run_tour
