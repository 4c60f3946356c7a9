"""Data: datasets, sampling a target, CSV in and out, splits, standardising and batches.

Everything between "a formula or a CSV" and "rows of numbers for the network":

    sample(target, domain) or read_csv(path) -> Dataset -> split -> Standardizer -> batches

A `Dataset` holds float64 inputs x (N, d) and outputs y (N, k), with a name per column. It is
checked once, when built (shapes, finiteness), so that the code after it can trust it. Nothing
here prints; bad input raises ValueError or TypeError saying what was wrong and where.
Randomness (uniform samples, splits, shuffles) comes from `nnwork.rng.generator(seed)`, so a
seed repeats bit for bit and seed=None means nnwork's own generator (`nnwork.manual_seed`).
"""

from nnwork.data.csv_files import Columns as Columns, read_csv as read_csv, write_csv as write_csv
from nnwork.data.dataset import Array as Array, Dataset as Dataset, Index as Index, Seed as Seed
from nnwork.data.dataset import batches as batches, split as split
from nnwork.data.sampling import MAX_GRID_POINTS as MAX_GRID_POINTS, Domain as Domain
from nnwork.data.sampling import grid as grid, parse_domain as parse_domain, sample as sample
from nnwork.data.scaling import Standardizer as Standardizer
