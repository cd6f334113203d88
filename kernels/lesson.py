"""The lesson's training loop, kept as written: the oracle every faster loop is held to.

This is ``one_hidden_layer_net.py`` from the lesson with the plotting removed and the
module-level globals turned into a function's locals, so it can be fed given data and start
parameters. The arithmetic, its order and its many named temporaries are the lesson's own
(numpy scalars throughout); only ``range(100)`` became ``range(len(xs))`` and ``alpha = 0.03``
became the ``lr`` argument. Do not tidy it: its untidiness is what it is there to measure.
"""

from __future__ import annotations

import numpy as np


def sgd_lesson(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float) -> np.ndarray:
    """Run the lesson's per-sample SGD loop; returns the new (7,) float64 params.

    No input checks and no numba: it is the lesson, not a tool. The input is not modified.
    """
    # the lesson draws these with np.random.rand(), which returns Python floats
    w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2 = (float(v) for v in params)

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    def forward_propgation(xs):
        z1_1 = w11_1 * xs + b1_1
        a1_1 = sigmoid(z1_1)
        z2_1 = w12_1 * xs + b2_1
        a2_1 = sigmoid(z2_1)
        z1_2 = w11_2 * a1_1 + w21_2 * a2_1 + b1_2
        a1_2 = sigmoid(z1_2)
        return a1_2, z1_2, a2_1, z2_1, a1_1, z1_1

    with np.errstate(over="ignore"):  # a diverging run overflows exp; the lesson just warns
        for _ in range(epochs):
            for i in range(len(xs)):
                x = xs[i]
                y = ys[i]
                # 先来一次前向传播
                a1_2, z1_2, a2_1, z2_1, a1_1, z1_1 = forward_propgation(x)
                # 反向传播
                # 误差代价e
                e = (y - a1_2) ** 2  # noqa: F841 - computed and unused in the lesson too
                ####
                deda1_2 = -2 * (y - a1_2)
                da1_2dz1_2 = a1_2 * (1 - a1_2)
                dz1_2dw11_2 = a1_1
                dz1_2dw21_2 = a2_1
                dedw11_2 = deda1_2 * da1_2dz1_2 * dz1_2dw11_2
                dedw21_2 = deda1_2 * da1_2dz1_2 * dz1_2dw21_2
                dz1_2db1_2 = 1
                dedb1_2 = deda1_2 * da1_2dz1_2 * dz1_2db1_2
                ####
                dz1_2da1_1 = w11_2
                da1_1dz1_1 = a1_1 * (1 - a1_1)
                dz1_1dw11_1 = x
                dedw11_1 = deda1_2 * da1_2dz1_2 * dz1_2da1_1 * da1_1dz1_1 * dz1_1dw11_1
                dz1_1db1_1 = 1
                dedb1_1 = deda1_2 * da1_2dz1_2 * dz1_2da1_1 * da1_1dz1_1 * dz1_1db1_1
                dz1_2da2_1 = w21_2
                da2_1dz2_1 = a2_1 * (1 - a2_1)
                dz2_1dw12_1 = x
                dedw12_1 = deda1_2 * da1_2dz1_2 * dz1_2da2_1 * da2_1dz2_1 * dz2_1dw12_1
                dz2_1db2_1 = 1
                dedb2_1 = deda1_2 * da1_2dz1_2 * dz1_2da2_1 * da2_1dz2_1 * dz2_1db2_1
                # alpha为学习率
                alpha = lr
                w11_2 = w11_2 - alpha * dedw11_2
                w21_2 = w21_2 - alpha * dedw21_2
                b1_2 = b1_2 - alpha * dedb1_2
                w12_1 = w12_1 - alpha * dedw12_1
                b2_1 = b2_1 - alpha * dedb2_1
                w11_1 = w11_1 - alpha * dedw11_1
                b1_1 = b1_1 - alpha * dedb1_1
    return np.array([w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2], dtype=np.float64)
