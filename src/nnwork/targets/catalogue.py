"""The catalogue of built-in targets, written as formula text for `nnwork.targets` to parse.

Plain data, so that every built-in target is also an example of the formula language and
goes through the same safe evaluator. `nnwork.targets.named` turns each entry into a
`Target` (re-exported as `nnwork.targets.TARGETS`); import them from there.
"""

from __future__ import annotations

import math
from typing import NamedTuple


class Definition(NamedTuple):
    name: str
    text: str  # the formula, in the grammar of nnwork.targets
    domain: tuple[tuple[float, float], ...]  # one (low, high) pair per input
    description: str


def box_tower(x_low: float, x_high: float, y_low: float, y_high: float, slope: float) -> str:
    """The formula σ(slope·(z − 1.1)) for z = σ(1000(x−x_low)) − σ(1000(x−x_high)) + (in y).

    z is 2 inside the box, about 1 beside it (inside in x only, or in y only) and 0 elsewhere,
    so the outer sigmoid keeps the inside: a 2-D tower made of five sigmoid neurons.
    """
    steps = [f"sigmoid(1000*({v} - ({at!r})))"
             for v, low, high in (("x", x_low, x_high), ("y", y_low, y_high)) for at in (low, high)]
    return f"sigmoid({slope!r}*({steps[0]} - {steps[1]} + {steps[2]} - {steps[3]} - 1.1))"


_SQUARE = ((-5.0, 5.0), (-5.0, 5.0))

CATALOGUE = (
    Definition("sine", "sin(x)", ((-math.pi, math.pi),),
               "sin(x) over one period: the simplest smooth target"),
    Definition("step", "(sign(x) + 1)/2", ((-1.0, 1.0),),
               "Heaviside step H(x), with H(0) = 1/2: a jump discontinuity, a deliberately hard "
               "case; smooth networks can only approach it, and their error gathers at x = 0"),
    Definition("runge", "1/(1 + 25*x^2)", ((-1.0, 1.0),),
               "Runge's function, on which polynomial interpolation famously fails"),
    Definition("sincos", "sin(x)*cos(y)", ((-3.0, 3.0), (-3.0, 3.0)),
               "sin(x)·cos(y): smooth hills and valleys"),
    Definition("franke",
               "0.75*exp(-((9*x - 2)^2 + (9*y - 2)^2)/4)"
               " + 0.75*exp(-(9*x + 1)^2/49 - (9*y + 1)/10)"
               " + 0.5*exp(-((9*x - 7)^2 + (9*y - 3)^2)/4)"
               " - 0.2*exp(-(9*x - 4)^2 - (9*y - 7)^2)",
               ((0.0, 1.0), (0.0, 1.0)),
               "Franke's function: two peaks and a dip, the classic 2-D fitting test"),
    Definition("rosenbrock", "(1 - x)^2 + 100*(y - x^2)^2", ((-2.0, 2.0), (-1.0, 3.0)),
               "Rosenbrock's banana-shaped valley; values span 0 to about 2500"),
    Definition("himmelblau", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", _SQUARE,
               "Himmelblau's function: four minima of 0, one of them at (3, 2)"),
    Definition("gaussian", "exp(-(x^2 + y^2)/2)", ((-3.0, 3.0), (-3.0, 3.0)),
               "a Gaussian bump"),
    Definition("ripple", "sin(sqrt(x^2 + y^2))", ((-10.0, 10.0), (-10.0, 10.0)),
               "concentric ripples 2π apart, with a cone-shaped point at the centre"),
    Definition("tower", box_tower(-0.3, 0.7, -0.2, 0.8, 30.0), _SQUARE,
               "one sigmoid tower: about 1 over the box [-0.3, 0.7] × [-0.2, 0.8], 0 elsewhere, "
               "from four steep sigmoid steps z and the output σ(30(z − 1.1))"),
    Definition("four_towers",
               " + ".join(box_tower(-a, a, -a, a, 4.0) for a in (0.5, 1.0, 2.0, 4.0)), _SQUARE,
               "the sum of four towers over nested boxes of half-width 0.5, 1, 2 and 4, each "
               "with the soft output σ(4(z − 1.1)): a stepped pyramid"),
    Definition("sphere3", "x1^2 + x2^2 + x3^2", ((-1.0, 1.0),) * 3,
               "the 3-D sum of squares"),
    Definition("mixed3", "x1*x2 + tanh(x3)", ((-2.0, 2.0),) * 3,
               "a 3-D mix: a saddle in x1, x2 plus a smooth step in x3"),
)
