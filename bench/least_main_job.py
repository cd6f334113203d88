"""The least a Python script can do for the main job: the yardstick of ``beans train --seeds 50``.

It imports numba (through beans' kernels), trains the lesson's 50 seeds with the kernel
``beans train`` runs (100 beans from data seed 0, lr 0.03, 5000 epochs, seeds 0..49) and saves
one matplotlib figure, the best seed's fit. No checks, no table, no JSON, no other figure.
bench/test_main_job.py runs it against ``beans train`` round by round and prints the ratio.

    python bench/least_main_job.py OUT.png
"""

from __future__ import annotations

import sys

import numpy as np
from matplotlib.figure import Figure

import beans

SEEDS = range(50)
EPOCHS = 5000
LR = 0.03


def main(out: str) -> None:
    xs, ys = beans.get_beans(100, 0)
    params = beans.sgd_many(beans.init_params_many(SEEDS), xs, ys, EPOCHS, LR)
    best = params[np.nanargmin(beans.mse(params, xs, ys))]

    fig = Figure()
    ax = fig.add_subplot()
    ax.scatter(xs, ys)
    grid = np.linspace(xs.min(), xs.max(), 200)
    ax.plot(grid, beans.predict(best, grid))
    fig.savefig(out)


if __name__ == "__main__":
    main(sys.argv[1])
