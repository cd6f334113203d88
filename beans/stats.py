"""Error bars for shares: the Wilson score interval of k successes in n trials. Plain Python."""

from __future__ import annotations

import math

# The two-sided 95% quantile of the standard normal distribution.
Z95 = 1.959963984540054


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a share of ``k`` in ``n``: (low, high), inside [0, 1].

    Unlike ``p +- z*sqrt(p(1-p)/n)`` it is never wider than [0, 1] and still says something
    at k = 0 and k = n (2 of 2 is at least 34% at 95%, not a certain 100%). Wilson, JASA 22
    (1927), 209-212. Raises ValueError unless 0 <= k <= n and n >= 1.
    """
    whole = all(isinstance(v, int) and not isinstance(v, bool) for v in (k, n))
    if not whole or n < 1 or not 0 <= k <= n:
        raise ValueError(f"need whole numbers 0 <= k <= n and n >= 1, got k={k!r}, n={n!r}")
    p = k / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # the ends are exact at k = 0 and k = n, where rounding would leave 1e-17 or 1 - 1e-16
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high
