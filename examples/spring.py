"""Write spring.csv: measurements of a damped spring, the README's `nnwork fit --csv` example.

The displacement of a spring released from 1 at time 0 is x(t) = exp(−c·t)·cos(2πt) for a
damping c; each of the 400 rows is one measurement at a random time t in [0, 3] s and damping
c in [0.2, 1.5] /s, with Gaussian measurement noise of standard deviation 0.01. Seeded, so the
file is the same on every machine:

    python examples/spring.py      # rewrites examples/spring.csv
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROWS, NOISE, SEED = 400, 0.01, 0


def measurements() -> np.ndarray:
    draw = np.random.default_rng(SEED)
    t = draw.uniform(0.0, 3.0, ROWS)
    damping = draw.uniform(0.2, 1.5, ROWS)
    x = np.exp(-damping * t) * np.cos(2 * np.pi * t) + draw.normal(0.0, NOISE, ROWS)
    return np.round(np.stack([t, damping, x], axis=1), 4)


def main() -> None:
    rows = "".join(f"{t:.4f},{c:.4f},{x:.4f}\n" for t, c, x in measurements())
    (Path(__file__).with_name("spring.csv")).write_text("t,damping,displacement\n" + rows, encoding="utf-8")


if __name__ == "__main__":
    main()
