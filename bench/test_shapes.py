"""Networks of any shape: cost per SGD step, threads, and compile and load times of a new shape.

64 seeds x 100 beans on one thread unless the group says otherwise; ns per SGD step =
time / (64 * 100 * EPOCHS), in ``extra_info["ns_per_step"]``, and each shape's row also holds
its cost relative to the 1-2-1 measured in the same run (``extra_info["vs_1_2_1"]``).

- "shapes": ``sgd_many`` for each shape (generated or run-time-shaped, as shipped)
- "kernels": generated vs run-time-shaped on the same shapes (the GENERATED_MAX_PARAMS call)
- "L1 blocks": generated kernels in blocks sized to this machine's L1 data cache
  (``codegen.L1_BYTES``) against blocks sized to the 48 KiB assumed before it was read, on the
  shapes where the two differ on a 32 KiB machine
- "threads": 1-8-1 on one thread and on two
- "1-8-1 vs C": the generated 1-8-1 beside sgd_c.c's hand-written 1-H-1 lanes loop built for
  H = 8 (``c_reference.build("lanes", hidden=8)``), one thread each, 10x the epochs so that
  the C process's start (about a millisecond) is lost in the noise. Both rows are timed in CPU
  seconds of this process plus its finished child processes, whatever ``--benchmark-timer``
  says: the C loop runs in a child, which ``time.process_time`` alone would not see
  (``extra_info["self_timed_ns_per_step"]`` is the C loop's own clock, its start excluded)
- "compile": a new shape in a subprocess with a fresh NUMBA_CACHE_DIR (generate, compile, one
  tiny run), and then loading it from that cache in a second subprocess; the time is
  measured inside the subprocess, imports excluded (``extra_info["seconds"]``, and
  ``"cpu_seconds"``, which a busy machine inflates less)

Every row checks its answer: against ``sgd_python`` (seed 0) or ``sgd_many``.
On a shared machine, time in CPU seconds (``--benchmark-timer=time.process_time``; it counts
every thread, so leave the "threads" group to wall time) and compare rows of one run only.
"""

from __future__ import annotations

import ast
import functools
import os
import resource
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from beans.kernels import codegen
from beans.kernels.many import sgd_many, train_rows_inplace
from beans.kernels.reference import sgd_python
from beans.kernels.shape import Shape
from conftest import LR

import beans

SEEDS, EPOCHS = 64, 100
STEPS = SEEDS * 100 * EPOCHS
TOL = 1e-9  # seed 0 against the plain-Python reference after EPOCHS epochs
SHAPES = [(2,), (1,), (4,), (8,), (16,), (4, 4), (8, 8)]  # (2,) first: the others are relative to it
_medians: dict[str, float] = {}


@pytest.fixture(scope="module")
def reference(lesson_beans):
    """``reference(shape)``: seed 0 trained by sgd_python (cached per shape)."""
    xs, ys = lesson_beans
    done = {}

    def get(shape):
        if shape not in done:
            done[shape] = sgd_python(beans.init_params_many([0], shape)[0], xs, ys, EPOCHS, LR, shape)
        return done[shape]

    return get


def _record(benchmark, key: str) -> None:
    median = benchmark.stats.stats.median if benchmark.stats else None
    if median is None:  # --benchmark-disable
        return
    _medians[key] = median
    benchmark.extra_info["ns_per_step"] = median / STEPS * 1e9
    if "(2,)" in _medians:
        benchmark.extra_info["vs_1_2_1"] = median / _medians["(2,)"]


@pytest.mark.benchmark(group="shapes (1 thread, 64 seeds)")
@pytest.mark.parametrize("hidden", SHAPES, ids=str)
def test_shape(benchmark, lesson_beans, reference, hidden):
    shape = Shape(hidden)
    xs, ys = lesson_beans
    start = beans.init_params_many(range(SEEDS), shape)
    sgd_many(start, xs, ys, 1, LR, shape, threads=1)  # compile before timing
    out = benchmark.pedantic(sgd_many, args=(start, xs, ys, EPOCHS, LR, shape, 1), rounds=7, warmup_rounds=1)
    _record(benchmark, str(hidden))
    np.testing.assert_allclose(out[0], reference(shape), rtol=0, atol=TOL)


@pytest.mark.benchmark(group="kernels (1 thread, 64 seeds)")
@pytest.mark.parametrize("kernel", ["generated", "run-time-shaped"])
@pytest.mark.parametrize("hidden", [(2,), (8,), (4, 4), (8, 8)], ids=str)
def test_kernel(benchmark, lesson_beans, reference, hidden, kernel):
    shape = Shape(hidden)
    module = codegen.kernel_module(shape, max_generated_params=10_000 if kernel == "generated" else 0)
    _time_module(benchmark, lesson_beans, reference, shape, module, f"{hidden}-{kernel}")


def _time_module(benchmark, lesson_beans, reference, shape: Shape, module, key: str) -> None:
    """Time ``module``'s kernel on SEEDS seeds of ``shape`` on one thread; record it as ``key``; check seed 0."""
    xs, ys = lesson_beans
    start = beans.init_params_many(range(SEEDS), shape)

    def run():
        out = start.copy()
        train_rows_inplace(out, xs, ys, EPOCHS, LR, 1, shape, module)
        return out

    run()  # compile before timing
    out = benchmark.pedantic(run, rounds=7, warmup_rounds=1)
    _record(benchmark, key)
    np.testing.assert_allclose(out[0], reference(shape), rtol=0, atol=TOL)


@pytest.mark.benchmark(group="L1 blocks (1 thread, 64 seeds)")
@pytest.mark.parametrize("l1", ["this machine", "48 KiB"])
@pytest.mark.parametrize("hidden", [(8,), (8, 8)], ids=str)
def test_l1_blocks(benchmark, lesson_beans, reference, hidden, l1):
    shape = Shape(hidden)
    lanes = codegen.block_lanes(shape, l1_bytes=None if l1 == "this machine" else 48 * 1024)
    benchmark.extra_info.update(lanes=lanes, l1_bytes=codegen.L1_BYTES)
    _time_module(benchmark, lesson_beans, reference, shape, codegen._module(shape, lanes), f"{hidden}-{l1}")


@pytest.mark.benchmark(group="threads (1-8-1, 256 seeds)")
@pytest.mark.parametrize("threads", sorted({1, min(2, beans.max_threads())}))
def test_threads(benchmark, lesson_beans, threads):
    shape = Shape((8,))
    xs, ys = lesson_beans
    start = beans.init_params_many(range(256), shape)
    sgd_many(start, xs, ys, 1, LR, shape, threads)
    out = benchmark.pedantic(sgd_many, args=(start, xs, ys, EPOCHS, LR, shape, threads), rounds=5, warmup_rounds=1)
    benchmark.extra_info["ns_per_step"] = (
        benchmark.stats.stats.median / (256 * 100 * EPOCHS) * 1e9 if benchmark.stats else None
    )
    np.testing.assert_array_equal(out, sgd_many(start, xs, ys, EPOCHS, LR, shape, 1))


C_EPOCHS = 10 * EPOCHS


@functools.cache
def _reference_1_8_1(epochs: int) -> np.ndarray:
    """Seed 0 of the 1-8-1 after ``epochs`` epochs on the lesson's beans, by sgd_python."""
    shape = Shape((8,))
    xs, ys = beans.get_beans(100, 0)
    return sgd_python(beans.init_params_many([0], shape)[0], xs, ys, epochs, LR, shape)


def _cpu_with_children() -> float:
    """CPU seconds of this process and of the child processes it has waited for."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@pytest.mark.benchmark(group="1-8-1 vs C (1 thread, 64 seeds)")
@pytest.mark.parametrize("engine", ["generated", "c-lanes"])
def test_vs_c(benchmark, lesson_beans, engine):
    from beans.benchmark import c_reference as c_build

    shape = Shape((8,))
    xs, ys = lesson_beans
    start = beans.init_params_many(range(SEEDS), shape)
    if engine == "generated":
        sgd_many(start, xs, ys, 1, LR, shape, 1)  # compile before timing

        def run():
            return sgd_many(start, xs, ys, C_EPOCHS, LR, shape, 1)

    else:
        try:
            binary = c_build.build("lanes", hidden=8)
        except c_build.CUnavailable as err:
            pytest.skip(f"C reference unavailable: {err}")
        self_timed = []

        def run():
            seconds, out = binary.run(start, xs, ys, C_EPOCHS, LR, 1)
            self_timed.extend(seconds)
            return out

    benchmark._timer = _cpu_with_children  # see the module docstring; pytest-benchmark has no per-test timer option
    out = benchmark.pedantic(run, rounds=7, warmup_rounds=1)
    steps = SEEDS * 100 * C_EPOCHS
    if benchmark.stats:
        benchmark.extra_info["ns_per_step"] = benchmark.stats.stats.median / steps * 1e9
        if engine == "c-lanes":
            benchmark.extra_info["self_timed_ns_per_step"] = float(np.median(self_timed)) / steps * 1e9
    np.testing.assert_allclose(out[0], _reference_1_8_1(C_EPOCHS), rtol=0, atol=TOL)


_FIRST_CALL = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    import beans
    from beans.kernels.many import sgd_many
    from beans.kernels.shape import Shape
    shape = Shape(tuple(int(w) for w in sys.argv[1].split("x")))
    xs, ys = beans.get_beans(10, 0)
    began, cpu = time.perf_counter(), time.process_time()
    out = sgd_many(beans.init_params_many([0], shape), xs, ys, 2, 0.03, shape)
    print(time.perf_counter() - began, time.process_time() - cpu, repr(out[0].tolist()))
    """
)


def _first_call(hidden: str, cache_dir: str) -> tuple[float, float, list[float]]:
    """(wall seconds, CPU seconds, seed 0's result) of a first call in a new process."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    run = subprocess.run([sys.executable, "-c", _FIRST_CALL, hidden], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    wall, cpu, values = run.stdout.split(" ", 2)
    return float(wall), float(cpu), ast.literal_eval(values)


@pytest.mark.benchmark(group="compile (new shape, subprocess)")
@pytest.mark.parametrize("hidden", ["2", "8", "3x3", "8x8", "16x16"])
@pytest.mark.parametrize("cache", ["fresh", "cached"])
def test_compile(benchmark, tmp_path, hidden, cache):
    cache_dir = str(tmp_path / "numba-cache")
    if cache == "cached":
        _first_call(hidden, cache_dir)
    wall, cpu, first = benchmark.pedantic(_first_call, args=(hidden, cache_dir), rounds=1, iterations=1)
    shape = Shape(tuple(int(w) for w in hidden.split("x")))
    benchmark.extra_info.update(seconds=wall, cpu_seconds=cpu, n_params=shape.n_params)
    xs, ys = beans.get_beans(10, 0)
    np.testing.assert_array_equal(first, sgd_many(beans.init_params_many([0], shape), xs, ys, 2, LR, shape)[0])
