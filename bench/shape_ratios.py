"""The issue-11 speed ratios in interleaved rounds: ``python bench/shape_ratios.py [shapes|c|threads]``.

pytest-benchmark times each row's rounds back to back, so on a shared machine a neighbour's job
that starts half-way moves whole rows. Here every round times every row once, in turn, and the
medians of those rounds give the ratios (one process, one run). CPU seconds of this process,
except "threads", which is wall time. 64 seeds x 100 beans, one thread unless said.

- ``shapes``: each shape's time per step relative to the lesson's 1-2-1
- ``c``: the generated 1-8-1 relative to sgd_c.c's 1-H-1 lanes loop built for H = 8 (its own
  clock, training loop only; and its process CPU time)
- ``threads``: the 1-8-1 on 256 seeds, one thread against two

Options: ``--epochs N`` (default 300; 1000 for c and threads), ``--rounds N`` (default 9).
"c" checks that the two 1-8-1 answers agree within 1e-11.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

import numpy as np
from beans.kernels.many import sgd_many
from beans.kernels.shape import Shape

import beans

SHAPES = [(2,), (1,), (4,), (8,), (16,), (4, 4), (8, 8)]
LR = 0.03


def shapes(epochs: int, rounds: int) -> None:
    xs, ys = beans.get_beans(100, 0)
    starts = {h: beans.init_params_many(range(64), Shape(h)) for h in SHAPES}
    runs = {h: (lambda h=h: sgd_many(starts[h], xs, ys, epochs, LR, Shape(h), 1)) for h in SHAPES}
    times = _interleaved(runs, rounds, time.process_time)
    base = times[(2,)]
    for h in SHAPES:
        ns = times[h] / (64 * 100 * epochs) * 1e9
        print(f"{str(Shape(h)):16} {ns:7.2f} ns/step  {times[h] / base:5.2f}x the 1-2-1")


def versus_c(epochs: int, rounds: int) -> None:
    from beans.benchmark import c_reference

    shape = Shape((8,))
    xs, ys = beans.get_beans(100, 0)
    start = beans.init_params_many(range(64), shape)
    binary = c_reference.build("lanes", hidden=8)
    own_clock, answers = [], {}

    def children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def c_run():
        seconds, answers["c"] = binary.run(start, xs, ys, epochs, LR, 1)
        own_clock.extend(seconds)

    def generated():
        answers["generated"] = sgd_many(start, xs, ys, epochs, LR, shape, 1)

    times = _interleaved({"generated": generated, "c": c_run}, rounds, lambda: time.process_time() + children())
    generated_s, c_cpu, c_own = times["generated"], times["c"], statistics.median(own_clock)
    np.testing.assert_allclose(answers["generated"], answers["c"], rtol=0, atol=1e-11)
    print(f"generated 1-8-1 / C 1-8-1: {generated_s / c_own:.2f}x (C's own clock), ", end="")
    print(f"{generated_s / c_cpu:.2f}x (C process CPU)")


def threads(epochs: int, rounds: int) -> None:
    shape = Shape((8,))
    xs, ys = beans.get_beans(100, 0)
    start = beans.init_params_many(range(256), shape)
    runs = {t: (lambda t=t: sgd_many(start, xs, ys, epochs, LR, shape, t)) for t in (1, 2)}
    times = _interleaved(runs, rounds, time.perf_counter)
    one, two = times[1], times[2]
    print(f"1-8-1, 256 seeds: 1 thread {one * 1e3:.1f} ms, 2 threads {two * 1e3:.1f} ms wall: {one / two:.2f}x")


def _interleaved(runs: dict, rounds: int, clock) -> dict:
    """Median seconds of each run over ``rounds`` rounds, each round running every run once in turn."""
    for run in runs.values():
        run()  # compile, warm up
    seconds = {key: [] for key in runs}
    for _ in range(rounds):
        for key, run in runs.items():
            began = clock()
            run()
            seconds[key].append(clock() - began)
    return {key: statistics.median(values) for key, values in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["shapes", "c", "threads"], nargs="?", default="shapes")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    epochs = args.epochs or (300 if args.what == "shapes" else 1000)
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}; {args.rounds} rounds of {epochs} epochs")
    {"shapes": shapes, "c": versus_c, "threads": threads}[args.what](epochs, args.rounds)


if __name__ == "__main__":
    main()
