"""Which lane kernel answers a run soonest: the net's own generated one, or the run-time-shaped one.

Both give the same bits (tests/test_many.py), so the choice is one of speed only and can never
change a result. A generated kernel runs faster a step but is compiled for its shape, which
takes seconds more for every new shape; the run-time-shaped kernel is compiled once per
machine for every shape, so a new shape waits for no compiler. ``plan`` weighs the two with
plain numbers (so it can be tested with given ones); ``choose_kernel`` looks up what is
compiled already and loads the module chosen.

The estimates below are of a 2-core x86-64 machine with AVX-512; bench/test_shapes.py (groups
"compile" and "kernels") and ``beans bench --hidden H`` measure them. Only their ratios
matter: a choice that is off by a few tens of percent costs as much, never more.
"""

from __future__ import annotations

from types import ModuleType
from typing import NamedTuple

import numpy as np

from .codegen import GENERATED_MAX_PARAMS, MAX_BLOCK_LANES, _module, block_lanes
from .many import train_rows_recorded
from .shape import Shape

GENERATED = "generated"
RUN_TIME_SHAPED = "run-time-shaped"

# Seconds to compile a generated kernel: a fixed part plus a part that grows with the
# parameter count (the code is written out neuron by neuron).
GENERATED_COMPILE_S = 0.9
GENERATED_COMPILE_S_PER_PARAM = 0.04
# Seconds to compile the run-time-shaped kernel (once per machine, for every shape).
RUN_TIME_SHAPED_COMPILE_S = 3.0
# Nanoseconds per SGD step on one thread: a fixed part plus one per parameter.
GENERATED_NS = 8.0
GENERATED_NS_PER_PARAM = 0.9
RUN_TIME_SHAPED_NS = 12.0
RUN_TIME_SHAPED_NS_PER_PARAM = 1.7


class Plan(NamedTuple):
    """What ``plan`` decided: the kind of kernel, why, and the seconds of compiling it expects (0: none).

    ``compile_beside``: the run compiles a generated kernel while the run-time-shaped one is
    not compiled yet; a caller may compile that one in a second process meanwhile
    (``compile_run_time_shaped``), so that the next new net waits for no compiler.
    """

    kind: str
    reason: str
    compile_s: float
    compile_beside: bool = False


class Choice(NamedTuple):
    """``plan``'s decision with the module to run: ``module`` has ``B``, ``SCRATCH`` and ``_train_blocks``."""

    module: ModuleType
    kind: str
    reason: str
    compile_s: float
    compile_beside: bool = False


def generated_compile_s(n_params: int) -> float:
    """Estimated seconds to compile the generated kernel of a net with ``n_params`` parameters."""
    return GENERATED_COMPILE_S + GENERATED_COMPILE_S_PER_PARAM * n_params


def run_s(kind: str, steps: int, n_params: int, threads: int) -> float:
    """Estimated seconds for ``steps`` SGD steps of a net with ``n_params`` parameters on ``threads`` threads."""
    if kind == GENERATED:
        ns = GENERATED_NS + GENERATED_NS_PER_PARAM * n_params
    else:
        ns = RUN_TIME_SHAPED_NS + RUN_TIME_SHAPED_NS_PER_PARAM * n_params
    return steps * ns * 1e-9 / max(1, threads)


def plan(
    steps: int,
    n_params: int,
    threads: int,
    generated_compiled: bool,
    run_time_shaped_compiled: bool,
    can_generate: bool = True,
    lesson: bool = False,
) -> Plan:
    """The kernel that answers ``steps`` SGD steps of an ``n_params`` net soonest, and why.

    A generated kernel already compiled always wins (it is the faster a step). Otherwise the
    generated kernel's compile plus its run is set against the run-time-shaped kernel's run.
    The run-time-shaped kernel's own compile is not charged to the run: it happens once per
    machine and serves every shape after it, so a learner who tries a new net waits for no
    compiler (issue 20); it is returned in ``compile_s`` when it is still to come. A run that
    compiles a generated kernel while the run-time-shaped one is still to compile says so in
    ``compile_beside``: the two compiles can run side by side, each on a core of its own.

    The lesson's 1-2-1 (``lesson``) always runs on its own kernel: it is the main job, the one
    the speed of ``beans train --seeds 50`` is measured on (bench/test_main_job.py), and its
    compile is the one every first run on a machine meets anyway.
    """
    rt_compile = 0.0 if run_time_shaped_compiled else RUN_TIME_SHAPED_COMPILE_S
    rt_run = run_s(RUN_TIME_SHAPED, steps, n_params, threads)
    if not can_generate:
        reason = f"{n_params} parameters: more than a generated kernel is written for ({GENERATED_MAX_PARAMS})"
        return Plan(RUN_TIME_SHAPED, reason, rt_compile)
    gen_run = run_s(GENERATED, steps, n_params, threads)
    if generated_compiled:
        return Plan(GENERATED, "this net's own kernel is compiled already", 0.0)
    gen_compile = generated_compile_s(n_params)
    if lesson:
        reason = "the lesson's 1-2-1 runs on its own kernel, compiled once"
        return Plan(GENERATED, reason, gen_compile, not run_time_shaped_compiled)
    if gen_compile + gen_run < rt_run:
        reason = (
            f"a long run (~{_s(rt_run)} on the run-time-shaped kernel): compiling this net's own kernel"
            f" (~{_s(gen_compile)}) makes it ~{_s(rt_run - gen_run - gen_compile)} sooner"
        )
        return Plan(GENERATED, reason, gen_compile, not run_time_shaped_compiled)
    reason = (
        f"a short run (~{_s(rt_run)}): compiling this net's own kernel (~{_s(gen_compile)})"
        f" would not pay; the run-time-shaped kernel runs any net"
    )
    return Plan(RUN_TIME_SHAPED, reason, rt_compile)


def _s(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 60 else f"{seconds / 60:.0f} min"


def is_compiled(module: ModuleType) -> bool:
    """True when numba's cache holds ``module``'s entry point for this CPU: a load, not a compile.

    Reads the index numba keeps beside the cached code (its ``Cache`` object on the
    dispatcher): the index is void when the module's file changed, and its keys name the CPU
    the code was compiled for. Loading the module is cheap: nothing compiles until a call.
    """
    entry = module._train_blocks
    if entry.overloads:  # compiled, or loaded, in this process
        return True
    cache = getattr(entry, "_cache", None)
    index_file = getattr(cache, "_cache_file", None)
    if index_file is None:  # a numba without this layout: say not compiled, the cautious answer
        return False
    magic = entry.targetctx.codegen().magic_tuple()
    try:
        overloads = index_file._load_index()
    except Exception:  # an unreadable index is a cache miss to numba too
        return False
    return any(key[1] == magic for key in overloads)


def compile_run_time_shaped() -> None:
    """Compile the run-time-shaped kernel into numba's cache (or load it from there), by one tiny run.

    Every run calls the kernel with the same argument types whatever its shape, so the one
    compile serves them all.
    """
    shape, no_beans = Shape((1,)), np.empty(0)
    xs = np.array([0.25, 0.75])
    chunk_epochs = np.ones(1, dtype=np.int64)
    params = np.full((1, shape.n_params), 0.5)
    module = run_time_shaped_module()
    train_rows_recorded(params, xs, xs, no_beans, no_beans, chunk_epochs, 0.03, 1, shape, module=module)


def generated_module(shape: Shape) -> ModuleType:
    """The module generated for ``shape`` (written and imported, not compiled)."""
    return _module(shape, block_lanes(shape))


def run_time_shaped_module() -> ModuleType:
    """The run-time-shaped module (written and imported, not compiled)."""
    return _module(None, MAX_BLOCK_LANES)


def choose_kernel(shape: Shape, steps: int, threads: int) -> Choice:
    """The lane-kernel module that answers ``steps`` SGD steps of ``shape`` soonest, with its ``plan``."""
    can_generate = shape.n_params <= GENERATED_MAX_PARAMS
    run_time_shaped = run_time_shaped_module()
    generated = generated_module(shape) if can_generate else None
    decided = plan(
        steps,
        shape.n_params,
        threads,
        generated_compiled=generated is not None and is_compiled(generated),
        run_time_shaped_compiled=is_compiled(run_time_shaped),
        can_generate=can_generate,
        lesson=shape == Shape(),
    )
    module = generated if decided.kind == GENERATED else run_time_shaped
    return Choice(module, *decided)
