"""choice: the cost model picks the kernel that answers soonest, from given numbers; either gives the same bits."""

from __future__ import annotations

import numpy as np
import pytest
from beans.kernels import choice, codegen
from beans.kernels.many import train_rows_inplace
from beans.kernels.shape import Shape

import beans

LESSON_JOB = 50 * 5000 * 100  # seeds x epochs x beans: the lesson's run with --seeds 50
LONG_JOB = 50 * 200_000 * 100


@pytest.mark.parametrize("shape", [Shape((3,)), Shape((5,)), Shape((4, 4), "tanh"), Shape((8, 8), "relu")], ids=str)
def test_a_lesson_sized_run_of_a_new_net_waits_for_no_compile(shape):
    got = choice.plan(LESSON_JOB, shape.n_params, 2, generated_compiled=False, run_time_shaped_compiled=True)
    assert got.kind == choice.RUN_TIME_SHAPED and got.compile_s == 0
    assert "would not pay" in got.reason


def test_a_long_run_compiles_the_net_s_own_kernel():
    got = choice.plan(LONG_JOB, Shape().n_params, 2, generated_compiled=False, run_time_shaped_compiled=True)
    assert got.kind == choice.GENERATED
    assert got.compile_s == pytest.approx(choice.generated_compile_s(Shape().n_params))


def test_a_compiled_generated_kernel_is_always_taken():
    got = choice.plan(1, 7, 1, generated_compiled=True, run_time_shaped_compiled=False)
    assert got == (choice.GENERATED, "this net's own kernel is compiled already", 0.0, False)


def test_the_first_run_on_a_machine_compiles_the_run_time_shaped_kernel_once():
    # its compile serves every net after it, so a short first run pays it rather than a net's own
    got = choice.plan(LESSON_JOB, 7, 2, generated_compiled=False, run_time_shaped_compiled=False)
    assert got.kind == choice.RUN_TIME_SHAPED and got.compile_s == choice.RUN_TIME_SHAPED_COMPILE_S


@pytest.mark.parametrize("rt_compiled", [False, True])
def test_the_lessons_net_always_runs_on_its_own_kernel(rt_compiled):
    """The main job: a first run compiles the 1-2-1's kernel, and every later run loads it."""
    got = choice.plan(LESSON_JOB, 7, 2, generated_compiled=False, run_time_shaped_compiled=rt_compiled, lesson=True)
    assert got.kind == choice.GENERATED and got.compile_s == pytest.approx(choice.generated_compile_s(7))
    assert choice.choose_kernel(Shape(), LESSON_JOB, 2).kind == choice.GENERATED


@pytest.mark.parametrize(
    ("steps", "lesson", "generated_compiled", "rt_compiled", "beside"),
    [
        (LESSON_JOB, True, False, False, True),  # a machine's first run: both compiles, side by side
        (LESSON_JOB, True, False, True, False),
        (LESSON_JOB, True, True, False, False),  # no compile of its own to go beside
        (LONG_JOB, False, False, False, True),
        (LESSON_JOB, False, False, False, False),  # the run compiles the run-time-shaped kernel itself
    ],
)
def test_the_run_time_shaped_kernel_is_compiled_beside_a_generated_compile(
    steps, lesson, generated_compiled, rt_compiled, beside
):
    got = choice.plan(steps, 7, 2, generated_compiled, rt_compiled, lesson=lesson)
    assert got.compile_beside is beside
    if beside:
        assert got.kind == choice.GENERATED and got.compile_s > 0


def test_a_net_too_big_to_generate_runs_run_time_shaped_however_long():
    got = choice.plan(LONG_JOB * 100, 500, 2, False, True, can_generate=False)
    assert got.kind == choice.RUN_TIME_SHAPED and "more than" in got.reason


def test_the_break_even_moves_with_the_compile_and_the_speeds():
    # at the break-even the generated kernel's compile equals what its speed saves
    n = 33
    saved_per_step = choice.run_s(choice.RUN_TIME_SHAPED, 1, n, 2) - choice.run_s(choice.GENERATED, 1, n, 2)
    even = choice.generated_compile_s(n) / saved_per_step
    assert choice.plan(int(even * 0.9), n, 2, False, True).kind == choice.RUN_TIME_SHAPED
    assert choice.plan(int(even * 1.1), n, 2, False, True).kind == choice.GENERATED
    # more threads shorten both runs: the same job no longer pays for the compile
    assert choice.plan(int(even * 1.1), n, 4, False, True).kind == choice.RUN_TIME_SHAPED


def test_a_kernel_run_once_counts_as_compiled_and_either_choice_gives_the_same_bits():
    shape = Shape((2, 2), "tanh")
    xs, ys = beans.get_beans(20, 1)
    start = np.random.default_rng(0).uniform(size=(9, shape.n_params))
    runs = []
    for module in (choice.generated_module(shape), choice.run_time_shaped_module()):
        params = start.copy()
        train_rows_inplace(params, xs, ys, 3, 0.05, 1, shape, module=module)
        assert choice.is_compiled(module)
        runs.append(params)
    np.testing.assert_array_equal(*runs)
    picked = choice.choose_kernel(shape, LESSON_JOB, 2)
    assert picked.kind == choice.GENERATED and picked.module is codegen.kernel_module(shape)
