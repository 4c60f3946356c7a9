"""The sizes a user controls, and how large nnwork lets them be.

Every size that comes from outside — an option, a formula, a CSV, a model file — is checked
against one of these before any long work starts, so that a typo or a hostile file gets a
one-line refusal instead of hours of work or a machine out of memory. They are far above
what the small networks nnwork is for need; change them here if your work needs more.
"""

from __future__ import annotations

MAX_PARAMETERS = 20_000_000  # parameter values of one model (80 MB in float32)
MAX_STATE_VALUES = 4 * MAX_PARAMETERS  # a checkpoint's optimizer or user state (Adam keeps 2–3 per parameter)
MAX_HEADER_BYTES = 64 << 20  # a model file's JSON header
MAX_GRID_POINTS = 10_000_000  # points of one regular grid (a d-dimensional grid grows as n^d)
