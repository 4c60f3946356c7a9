"""Universal approximation, built by hand: steps, bumps and towers made of sigmoid neurons.

`tower(box)` is the article's tower (a Module of real neurons); `TowerSum` adds many;
`approximate(G, domain, eps=...)` builds a tiling sum of towers within ε of any continuous G
and measures it; `construction_vs_training` compares building with training. The module types
describe themselves for saving; `towers.views` computes what the figures of `nnwork.plot.towers` show.
"""

from nnwork.towers.approximation import ApproximationReport as ApproximationReport
from nnwork.towers.approximation import approximate as approximate
from nnwork.towers.grid import TowerGrid as TowerGrid
from nnwork.towers.modules import Bump as Bump, Step as Step, Tower as Tower
from nnwork.towers.modules import TowerSum as TowerSum, arm_leak as arm_leak
from nnwork.towers.modules import original_four_towers as original_four_towers
from nnwork.towers.modules import original_grid as original_grid
from nnwork.towers.modules import original_tower as original_tower, tower as tower


def __getattr__(name: str) -> object:
    """The study (which trains networks, so needs the optimizers) loads on first use: the
    package itself is imported with `nnwork`, so that its module types are always known."""
    if name in ("construction_vs_training", "format_rows"):
        from nnwork.towers import study

        return getattr(study, name)
    raise AttributeError(f"module 'nnwork.towers' has no attribute {name!r}")
