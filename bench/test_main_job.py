"""The main job as a user feels it: the real ``beans train --seeds 50`` subprocess, plots included.

Warm: numba's cache already holds the kernels (a warm-up run fills it). Cold: every round
gets a fresh, empty ``NUMBA_CACHE_DIR``, as on a first-ever run. Medians are what count
(the machine is shared); ``--no-plot`` shows what the plots cost.

To compare two installs of beans (say, before and after a change) in one session, name
their ``beans`` executables, comma-separated, in ``BEANS_BENCH_EXES``; the interleaved test
then alternates them run by run and prints each median and their ratio::

    BEANS_BENCH_EXES=/tmp/before/bin/beans,.venv/bin/beans \
        pytest bench/test_main_job.py -k interleaved -s --benchmark-disable

The yardstick is the least a Python script can do for the same job (bench/least_main_job.py:
import numba, train the 50 seeds with beans' kernel, save one figure): ``test_against_the_least_script``
prints ``beans train``'s median over the script's. The start-up tests put each piece of
``beans train``'s start-up and exit beside the plain alternative, in the same run::

    pytest bench/test_main_job.py -k "least_script or teardown or figure_helper" -s --benchmark-disable
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

SEEDS = 50
MIN_CONVERGED = 45  # seeds 0..49 with the lesson's settings: 48 converge
INTERLEAVED_ROUNDS = 9


def _installed_beans() -> list[str]:
    exe = shutil.which("beans", path=str(Path(sys.executable).parent)) or shutil.which("beans")
    return [exe] if exe else [sys.executable, "-m", "beans"]


def _run(cmd: list[str], out: Path, *extra: str, cache_dir: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    args = [*cmd, "train", "--seeds", str(SEEDS), "--quiet", "--out", str(out), *extra]
    return subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)


def _check(run: subprocess.CompletedProcess, out: Path, plots: bool = True) -> None:
    assert run.returncode == 0, run.stderr
    summary = json.loads((out / "results.json").read_text())["summary"]
    assert summary["seeds"] == SEEDS and summary["converged"] >= MIN_CONVERGED
    assert (out / "fit.png").exists() == plots and (out / "loss.png").exists() == plots


@pytest.mark.benchmark(group="main job: beans train --seeds 50 (subprocess)")
@pytest.mark.parametrize("plots", [True, False], ids=["plots", "no-plot"])
def test_warm(benchmark, tmp_path, plots):
    out = tmp_path / "out"
    extra = () if plots else ("--no-plot",)
    cmd = _installed_beans()
    run = benchmark.pedantic(_run, args=(cmd, out, *extra), rounds=5, warmup_rounds=1)
    _check(run, out, plots)


@pytest.mark.benchmark(group="main job: first-ever run (empty numba cache)")
def test_cold(benchmark, tmp_path):
    out = tmp_path / "out"
    cmd = _installed_beans()
    caches = iter(range(1000))

    def setup():
        cache = tmp_path / f"numba-cache-{next(caches)}"
        cache.mkdir()
        return (cmd, out), {"cache_dir": str(cache)}

    run = benchmark.pedantic(_run, setup=setup, rounds=3, warmup_rounds=0)
    _check(run, out)


def _alternate(commands: dict[str, list[str]], out: Path, rounds: int = INTERLEAVED_ROUNDS) -> dict[str, float]:
    """Each command once per round, in turn (reversed every other round), after one warm-up run each.

    Every command writes under ``out``, which is emptied after each run. Prints each median and
    its ratio to the first command's; returns the medians.
    """
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(-1, rounds):  # round -1: warm-up, not timed
        for name, cmd in commands.items() if round_ % 2 == 0 else reversed(commands.items()):
            out.mkdir(exist_ok=True)
            began = time.perf_counter()
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            took = time.perf_counter() - began
            if "train" in cmd:
                _check(run, out, plots="--no-plot" not in cmd)
            else:  # the least script
                assert run.returncode == 0 and (out / "fit.png").exists(), f"{name}: {run.stderr}"
            if round_ >= 0:
                seconds[name].append(took)
            shutil.rmtree(out)
    medians = {name: statistics.median(times) for name, times in seconds.items()}
    first = next(iter(medians.values()))
    print()
    for name, median in medians.items():
        print(f"{name}: median {median:.3f} s (min {min(seconds[name]):.3f} s), {median / first:.2f}x the first")
    return medians


def _train_args(out: Path, *extra: str) -> list[str]:
    return ["train", "--seeds", str(SEEDS), "--quiet", "--out", str(out), *extra]


# The console script's entry point as it is (``main``), and the plain one (typer's ``app()``);
# either one run inside ``drawn_here()``, where beans train draws its figures in-process.
ENTRY = "import sys; from beans.cli.app import {entry}; sys.argv[0] = 'beans'; {entry}()"
ENTRY_DRAWN_HERE = (
    "import sys; from beans.cli.app import {entry}; from beans.cli.figure_process import drawn_here\n"
    "sys.argv[0] = 'beans'\n"
    "with drawn_here():\n    {entry}()"
)


def _python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def test_against_the_least_script(tmp_path):
    """``beans train --seeds 50`` (three figures, the table, results.json) over the least script (one figure)."""
    out = tmp_path / "out"
    script = str(Path(__file__).with_name("least_main_job.py"))
    _alternate(
        {
            "least script (one figure)": [sys.executable, script, str(out / "fit.png")],
            "beans train --seeds 50": [*_installed_beans(), *_train_args(out)],
            "beans train --seeds 50 --no-plot": [*_installed_beans(), *_train_args(out, "--no-plot")],
        },
        out,
    )


def test_exit_teardown(tmp_path):
    """The console script's exit (``main``: gc.freeze() first) against typer's plain ``app()``."""
    out = tmp_path / "out"
    _alternate(
        {
            "plain app()": _python(ENTRY.format(entry="app"), *_train_args(out, "--no-plot")),
            "main()": _python(ENTRY.format(entry="main"), *_train_args(out, "--no-plot")),
        },
        out,
    )


def test_figure_helper(tmp_path):
    """The figures drawn by the helper process (as the command does) against drawn in-process."""
    out = tmp_path / "out"
    _alternate(
        {
            "drawn in-process": _python(ENTRY_DRAWN_HERE.format(entry="main"), *_train_args(out)),
            "figure helper": _python(ENTRY.format(entry="main"), *_train_args(out)),
        },
        out,
    )


def test_interleaved(tmp_path):
    """Each install in ``BEANS_BENCH_EXES`` in turn, warm and cold, round by round; prints medians."""
    exes = [exe for exe in os.environ.get("BEANS_BENCH_EXES", "").split(",") if exe]
    if len(exes) < 2:
        pytest.skip("set BEANS_BENCH_EXES to two or more beans executables to compare them")
    seconds: dict[tuple[str, str], list[float]] = {}
    for exe in exes:  # warm-up: fill each install's own cache
        _check(_run([exe], tmp_path / "warm-up"), tmp_path / "warm-up")
    for round_ in range(INTERLEAVED_ROUNDS):
        for exe in exes if round_ % 2 == 0 else exes[::-1]:
            for kind in ("warm", "warm --no-plot", "cold"):
                out = tmp_path / f"out-{round_}"
                extra = ("--no-plot",) if kind.endswith("--no-plot") else ()
                cache = tempfile.mkdtemp(dir=tmp_path) if kind == "cold" else None
                if kind == "cold" and round_ >= 3:
                    continue  # three cold rounds are enough and each costs seconds
                began = time.perf_counter()
                run = _run([exe], out, *extra, cache_dir=cache)
                seconds.setdefault((exe, kind), []).append(time.perf_counter() - began)
                _check(run, out, not extra)
                shutil.rmtree(out)
    for kind in ("warm", "warm --no-plot", "cold"):
        medians = [statistics.median(seconds[exe, kind]) for exe in exes]
        mins = [min(seconds[exe, kind]) for exe in exes]
        cells = ", ".join(
            f"{exe}: median {m:.3f} s, min {lo:.3f} s" for exe, m, lo in zip(exes, medians, mins, strict=True)
        )
        print(f"\n{kind}: {cells}; ratio of medians last/first {medians[-1] / medians[0]:.2f}")
