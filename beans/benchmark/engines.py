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
    "jit-many-rts": "the run-time-shaped kernel (numba, one for every shape), all seeds together, every thread",
    "c-scalar": "sgd_c.c one seed after another (C, -O3, unfused like jit)",
    "c-lanes": "sgd_c.c seeds in SIMD lanes (C, vectorised exp, fused like jit-many)",
}

# ``beans bench --hidden``/``--activation`` at any other shape: the engines that train every
# shape, what each runs there, and the one every speedup is then over.
SHAPE_BASELINE = "python"
ANY_SHAPE: dict[str, str] = {
    SHAPE_BASELINE: "sgd_python: the reference loop for any shape, Python floats, math.exp",
    "jit-many-1": "sgd_many (numba, kernel written out for the shape), all seeds together, 1 thread",
    "jit-many-all": "sgd_many (numba), all seeds together, every thread numba may use",
    "jit-many-rts": "the run-time-shaped kernel (numba, compiled once for every shape), all seeds, every thread",
    "c-lanes": "sgd_c.c's 1-H-1 loop, seeds in SIMD lanes (C, H fixed at compile time, fused, vectorised exp)",
}
# why the other engines sit out at another shape: each is written for the 1-2-1 alone
LESSON_ONLY: dict[str, str] = {
    BASELINE: "the lesson's own loop is written for the 1-2-1 only",
    "numpy": "sgd_numpy is written for the 1-2-1 only",
    "jit": "sgd_jit is written for the 1-2-1 only",
    "c-scalar": "sgd_c.c's scalar loop is written for the 1-2-1 only",
}
