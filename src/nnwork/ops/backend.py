"""The array library every kernel computes with, looked up once, here: NumPy.

Kernels write `xp.exp(a)`, `xp.matmul(a, b)`, ... against this one name (NumPy's API, which
the array-API libraries share), so another array library (a GPU one, say) could stand in by
changing this module, without touching the kernels' maths. NumPy is the only backend today.
"""

import numpy as xp

__all__ = ["xp"]
