"""The main job as a user feels it: the real ``beans train --seeds 50`` subprocess, plots included.

Warm: numba's cache already holds the kernels (a warm-up run fills it). Cold: every round
gets a fresh, empty ``NUMBA_CACHE_DIR``, as on a first-ever run. Medians are what count
(the machine is shared); ``--no-plot`` shows what the plots cost.

To compare two installs of beans (say, before and after a change) in one session, name
their ``beans`` executables, comma-separated, in ``BEANS_BENCH_EXES``; the interleaved test
then alternates them run by run and prints each median and their ratio::

    BEANS_BENCH_EXES=/tmp/before/bin/beans,.venv/bin/beans \
        pytest bench/test_main_job.py -k interleaved -s --benchmark-disable
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
