"""The lesson's beans: sizes in [0, 2), toxic (1) on a band in the middle, else 0."""

from __future__ import annotations

import numbers

import numpy as np

from .checks import as_rng, check_noise


def get_beans(count: int, rng: int | np.random.Generator, noise: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``count`` beans as the lesson's ``dataset.get_beans`` does.

    Sizes are uniform in [0, 2) and sorted. A bean is toxic when
    ``0.7*x + noise*(0.5 - u)/50 + 0.5`` lies strictly between 0.8 and 1.4, with one u uniform
    in [0, 1) per bean (a little noise at the band's edges), so the toxicity is a hill.

    Parameters
    ----------
    count : int >= 1
    rng : int seed or numpy.random.Generator
    noise : float >= 0, finite: the scale of the lesson's noise term; 1 is the lesson's (the
        very same beans as without it), 0 none, 5 five times as wide. The same draws are made
        whatever the scale, so the sizes never change with it.

    Returns
    -------
    xs, ys : float64, shape (count,); ys holds 0.0 or 1.0.
    """
    if not isinstance(count, numbers.Integral) or isinstance(count, bool) or count < 1:
        raise ValueError(f"count must be an integer >= 1, got {count!r}")
    noise = check_noise(noise)
    gen = as_rng(rng, "rng")
    xs = np.sort(gen.random(int(count)) * 2)
    # noise * (0.5 - u) is exactly (0.5 - u) for noise 1, so the lesson's beans come out bit for bit
    level = 0.7 * xs + noise * (0.5 - gen.random(int(count))) / 50 + 0.5
    ys = ((level > 0.8) & (level < 1.4)).astype(np.float64)
    return xs, ys
