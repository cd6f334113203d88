"""The engines ``beans bench`` knows: their names, in table order, and what each one runs.

The one list of engine names. It imports nothing heavy, so the command line checks
``--engines`` against it before numba loads; ``beans.benchmark.timing`` builds the engines
themselves from it.
"""

from __future__ import annotations

BASELINE = "python-lesson"  # every speedup is over this engine

# name -> what it runs, in table order
ABOUT: dict[str, str] = {
    BASELINE: "the lesson's loop as written: numpy scalars, many temporaries",
    "python": "sgd_python: the same loop on Python floats, math.exp",
    "numpy": "sgd_numpy: every line on all seeds at once, numpy arrays",
    "jit": "sgd_jit (numba) one seed after another",
    "jit-many-1": "sgd_many (numba), all seeds together, 1 thread",
    "jit-many-all": "sgd_many (numba), all seeds together, every thread numba may use",
    "c-scalar": "sgd_c.c one seed after another (C, -O3, unfused like jit)",
    "c-lanes": "sgd_c.c seeds in SIMD lanes (C, vectorised exp, fused like jit-many)",
}
