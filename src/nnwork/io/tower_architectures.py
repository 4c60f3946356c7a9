"""The tower modules (nnwork.towers) as architectures, so tower networks can be saved and loaded.

Each description holds only what shapes the module: the number of inputs, of towers or of
grid cells, and the dtype. Steepness, positions and heights are parameters, so the model
file carries them and loading fills them in; a builder makes the module with placeholder
values of the right shape. As for every architecture, the fields are untrusted data: each is
checked, and the parameter count is reserved before anything is allocated.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnwork.io.architecture import DTYPES, _choice, _dtype_name, _fields, _int, register_architecture, reserve_parameters
from nnwork.towers.grid import TowerGrid
from nnwork.towers.modules import Bump, Step, Tower, TowerSum, check_box


def _build_step(spec: dict[str, Any]) -> Step:
    _fields(spec, "Step", ("dtype",))
    reserve_parameters(2, "Step")
    return Step(0.0, dtype=_choice(spec, "dtype", "Step", DTYPES))


def _build_bump(spec: dict[str, Any]) -> Bump:
    _fields(spec, "Bump", ("dtype",))
    reserve_parameters(4, "Bump")
    return Bump(0.0, 1.0, dtype=_choice(spec, "dtype", "Bump", DTYPES))


def _build_tower(spec: dict[str, Any]) -> Tower:
    _fields(spec, "Tower", ("n_inputs", "dtype"))
    d = _int(spec, "n_inputs", "Tower")
    reserve_parameters(4 * d + d + 2, "Tower")  # 2d steps (weight, bias), the outer neuron, the height
    return Tower([(0.0, 1.0)] * d, dtype=_choice(spec, "dtype", "Tower", DTYPES))


def _build_tower_sum(spec: dict[str, Any]) -> TowerSum:
    _fields(spec, "TowerSum", ("towers", "n_inputs", "dtype"))
    m, d = _int(spec, "towers", "TowerSum"), _int(spec, "n_inputs", "TowerSum")
    reserve_parameters(m * (5 * d + 2) + 1, "TowerSum")  # reserved before the m placeholder towers
    dtype = _choice(spec, "dtype", "TowerSum", DTYPES)
    return TowerSum([Tower([(0.0, 1.0)] * d, dtype=dtype) for _ in range(m)])


def _build_tower_grid(spec: dict[str, Any]) -> TowerGrid:
    _fields(spec, "TowerGrid", ("domain", "cells", "dtype"))
    try:
        domain = check_box(spec["domain"], "domain")
    except ValueError as error:
        raise ValueError(f"TowerGrid architecture: {error}") from None
    cells = spec["cells"]
    if not isinstance(cells, list) or len(cells) != len(domain):
        raise ValueError(f"TowerGrid architecture: `cells` must list one count per domain axis ({len(domain)}), "
                         f"got {cells!r:.80}")
    cells = [_int({"cells": n}, "cells", "TowerGrid") for n in cells]
    total = math.prod(cells)
    reserve_parameters(2 * sum(cells) + (len(cells) + 2) * total + 1, "TowerGrid")
    return TowerGrid(domain, np.zeros(cells), steepness=1.0, outer_steepness=1.0,
                     dtype=_choice(spec, "dtype", "TowerGrid", DTYPES))


register_architecture(Step, lambda m: {"dtype": _dtype_name(m)}, _build_step)
register_architecture(Bump, lambda m: {"dtype": _dtype_name(m)}, _build_bump)
register_architecture(Tower, lambda m: {"n_inputs": m.n_inputs, "dtype": _dtype_name(m)}, _build_tower)
register_architecture(TowerSum, lambda m: {"towers": len(m), "n_inputs": m.n_inputs, "dtype": _dtype_name(m)},
                      _build_tower_sum)
register_architecture(TowerGrid, lambda m: {"domain": [list(pair) for pair in m.domain], "cells": list(m.cells),
                                            "dtype": _dtype_name(m)}, _build_tower_grid)
