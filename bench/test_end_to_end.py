"""End to end: ``kernels.train`` on 50 seeds (chunked vs one chunk) and the real ``beans train``.

The lesson's settings: 50 seeds x 5000 epochs x 100 beans = 25M SGD steps per run.
Run: ``pytest bench/test_end_to_end.py --benchmark-only``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

import beans

SEEDS = tuple(range(50))
EPOCHS = 5000
MIN_CONVERGED = 45  # seeds 0..49 with the lesson's settings: 48 converge
CHUNKS = {"chunked (every 100 epochs)": 100, "one chunk": EPOCHS}
MAX_CHUNKING_OVERHEAD = 0.05


def _train(chunk: int):
    return beans.train(seeds=SEEDS, epochs=EPOCHS, snapshot_every=chunk)


@pytest.mark.benchmark(group="end-to-end train")
@pytest.mark.parametrize("chunk", list(CHUNKS.values()), ids=list(CHUNKS))
def test_train_50_seeds(benchmark, chunk):
    benchmark.extra_info["steps"] = len(SEEDS) * EPOCHS * 100
    result = benchmark.pedantic(_train, args=(chunk,), rounds=3, warmup_rounds=1)  # warm-up compiles / loads
    assert result.converged.sum() >= MIN_CONVERGED


@pytest.mark.benchmark(group="end-to-end train: chunking overhead")
def test_chunking_costs_under_5_percent(benchmark):
    """Recording every 100 epochs against one uninterrupted run, interleaved so both see the
    same machine load; the timed function is one chunked/uninterrupted pair."""
    if benchmark.disabled:
        pytest.skip("a timing claim: only with benchmarks enabled (CI runs bench/ with --benchmark-disable)")
    chunked, whole = CHUNKS["chunked (every 100 epochs)"], CHUNKS["one chunk"]
    best = {chunked: float("inf"), whole: float("inf")}

    def pair():
        for chunk in (chunked, whole):
            began = time.perf_counter()
            _train(chunk)
            best[chunk] = min(best[chunk], time.perf_counter() - began)

    benchmark.pedantic(pair, rounds=7, warmup_rounds=1)
    overhead = best[chunked] / best[whole] - 1
    benchmark.extra_info["chunking_overhead"] = overhead
    print(f"chunking overhead (best of 7 interleaved pairs): {overhead:+.2%}")
    assert overhead < MAX_CHUNKING_OVERHEAD


def _beans_train(out) -> subprocess.CompletedProcess:
    exe = shutil.which("beans")
    cmd = [exe] if exe else [sys.executable, "-m", "beans"]
    cmd += ["train", "--seeds", str(len(SEEDS)), "--quiet", "--out", str(out)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


@pytest.mark.benchmark(group="end-to-end train")
def test_beans_train_command(benchmark, tmp_path):
    """The whole program as a user runs it: start-up, imports, warm numba cache, table, plots."""
    out = tmp_path / "out"
    benchmark.extra_info["steps"] = len(SEEDS) * EPOCHS * 100
    run = benchmark.pedantic(_beans_train, args=(out,), rounds=3, warmup_rounds=1)  # warm-up fills the cache
    assert run.returncode == 0, run.stderr
    summary = json.loads((out / "results.json").read_text())["summary"]
    assert summary["seeds"] == len(SEEDS) and summary["converged"] >= MIN_CONVERGED
    assert (out / "fit.png").exists() and (out / "loss.png").exists()
