"""The lesson's beans: sizes in [0, 2), toxic (1) on a band in the middle, else 0; and other curves.

Every curve is drawn by the lesson's rule: sorted sizes uniform in [0, 2), then one noise draw u
per bean shifting the bean's level ``0.7*x + 0.5`` by ``noise*(0.5 - u)/50``; the curve maps the
level to a toxicity. The hill is the lesson's band; the others keep its level and its noise.
"""

from __future__ import annotations

import numbers

import numpy as np

from .checks import DEFAULT_CURVE, as_rng, check_curve, check_noise


def _toxicity(level: np.ndarray, curve: str) -> np.ndarray:
    """A curve's toxicity at each bean's noisy level (0.5 at size 0 to 1.9 at size 2). float64."""
    if curve == "hill":  # the lesson's band, from size 0.43 to 1.29
        return ((level > 0.8) & (level < 1.4)).astype(np.float64)
    if curve == "step":  # from size 0.86 on
        return (level > 1.1).astype(np.float64)
    if curve == "two-hills":  # sizes 0.29 to 0.71 and 1.14 to 1.57
        return (((level > 0.7) & (level < 1.0)) | ((level > 1.3) & (level < 1.6))).astype(np.float64)
    # bump: a bell centred on size 0.86, above 0.5 from about 0.58 to 1.14
    return np.exp(-0.5 * ((level - 1.1) / 0.17) ** 2)


def get_beans(
    count: int, rng: int | np.random.Generator, noise: float = 1.0, curve: str = DEFAULT_CURVE
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``count`` beans as the lesson's ``dataset.get_beans`` does, on the curve ``curve``.

    Sizes are uniform in [0, 2) and sorted. With the lesson's curve, ``hill``, a bean is toxic
    when ``0.7*x + noise*(0.5 - u)/50 + 0.5`` lies strictly between 0.8 and 1.4, with one u
    uniform in [0, 1) per bean (a little noise at the band's edges), so the toxicity is a hill.
    The other ``CURVES`` read the same noisy level differently.

    Parameters
    ----------
    count : int >= 1
    rng : int seed or numpy.random.Generator
    noise : float >= 0, finite: the scale of the lesson's noise term; 1 is the lesson's (the
        very same beans as without it), 0 none, 5 five times as wide. The same draws are made
        whatever the scale, so the sizes never change with it.
    curve : one of ``CURVES``; ``hill``, the default, is the lesson's beans bit for bit

    Returns
    -------
    xs, ys : float64, shape (count,); ys holds 0.0 or 1.0 (any value in [0, 1] for ``bump``).
    """
    if not isinstance(count, numbers.Integral) or isinstance(count, bool) or count < 1:
        raise ValueError(f"count must be an integer >= 1, got {count!r}")
    noise = check_noise(noise)
    curve = check_curve(curve)
    gen = as_rng(rng, "rng")
    xs = np.sort(gen.random(int(count)) * 2)
    # noise * (0.5 - u) is exactly (0.5 - u) for noise 1, so the lesson's beans come out bit for bit
    level = 0.7 * xs + noise * (0.5 - gen.random(int(count))) / 50 + 0.5
    return xs, _toxicity(level, curve)
