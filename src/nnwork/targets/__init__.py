"""Targets: formula text turned into a safe, vectorised function, plus named test functions.

A target G is the function a network learns to imitate. Type it as text
(`parse("sin(x)*cos(y)")`) or pick it by name (`get_target("franke")`); `resolve` does either.
Formula text never reaches Python: no eval, exec, compile or ast, only a parser of our own.

One tree, two evaluators: calling a Formula applies one NumPy ufunc per node to whole columns
of X; `Formula.on_tensors` applies the matching Tensor op per node, so that our autodiff can
differentiate the formula. One idea per module:

    functions  the table of the language's functions and operators, each in both forms
    tree       the typed nodes the parser builds, and the two evaluators
    parser     the tokenizer, the recursive-descent parser and its error messages
    formula    `parse` and `Formula`
    catalogue  the built-in targets as formula text
    named      `Target`, `TARGETS`, `get_target`, `resolve`
"""

from nnwork.targets.formula import Array as Array, Formula as Formula
from nnwork.targets.formula import NotFiniteError as NotFiniteError, parse as parse
from nnwork.targets.functions import CONSTANTS as CONSTANTS, FUNCTIONS as FUNCTIONS
from nnwork.targets.functions import OPERATORS as OPERATORS, FormulaFunction as FormulaFunction
from nnwork.targets.named import TARGETS as TARGETS, Target as Target
from nnwork.targets.named import get_target as get_target, resolve as resolve
from nnwork.targets.parser import MAX_DEPTH as MAX_DEPTH, MAX_INPUTS as MAX_INPUTS
from nnwork.targets.parser import MAX_LENGTH as MAX_LENGTH
