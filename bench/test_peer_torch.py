"""PyTorch on the same job, beside sgd_many: the idiomatic autograd loop and a batched version.

Skipped unless PyTorch is installed (no dependency of beans; CI skips it, as PyTorch's default
Linux wheel brings gigabytes of GPU libraries): ``pip install "beans[peers-torch]"``, or the
CPU wheel from https://download.pytorch.org/whl/cpu. The code is
``beans.benchmark.peers``'s, the very rows ``beans bench --peers`` times, with one PyTorch
thread (its best setting for ops this small). ns per step = time / (seeds * epochs * 100).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import LR

import beans

pytest.importorskip("torch", reason='PyTorch is not installed: pip install "beans[peers-torch]"')

from beans.benchmark.peers import train_torch_autograd, train_torch_batched  # noqa: E402

SEEDS, EPOCHS = 50, 20  # the autograd loop takes ~100 us a step: a few seeds, a few epochs
AUTOGRAD_SEEDS, AUTOGRAD_EPOCHS = 2, 2


@pytest.fixture(scope="module")
def job(lesson_beans):
    xs, ys = lesson_beans
    return beans.init_params_many(range(SEEDS)), xs, ys


@pytest.mark.benchmark(group="peer: torch vs sgd_many")
def test_torch_batched(benchmark, job):
    start, xs, ys = job
    train_torch_batched(start, xs, ys, 1, LR)
    out = benchmark.pedantic(train_torch_batched, args=(start, xs, ys, EPOCHS, LR), rounds=3, warmup_rounds=0)
    benchmark.extra_info["steps"] = SEEDS * EPOCHS * xs.size
    np.testing.assert_allclose(out, beans.sgd_many(start, xs, ys, EPOCHS, LR), rtol=0, atol=1e-9)


@pytest.mark.benchmark(group="peer: torch vs sgd_many")
def test_torch_autograd(benchmark, job):
    start, xs, ys = job
    start = start[:AUTOGRAD_SEEDS]
    args = (start, xs, ys, AUTOGRAD_EPOCHS, LR)
    out = benchmark.pedantic(train_torch_autograd, args=args, rounds=3, warmup_rounds=1)
    benchmark.extra_info["steps"] = AUTOGRAD_SEEDS * AUTOGRAD_EPOCHS * xs.size
    np.testing.assert_allclose(out, beans.sgd_many(*args), rtol=0, atol=1e-9)


@pytest.mark.benchmark(group="peer: torch vs sgd_many")
def test_sgd_many(benchmark, job):
    start, xs, ys = job
    beans.sgd_many(start, xs, ys, 1, LR, threads=1)
    benchmark.extra_info["steps"] = SEEDS * EPOCHS * xs.size
    benchmark.pedantic(
        beans.sgd_many, args=(start, xs, ys, EPOCHS, LR), kwargs={"threads": 1}, rounds=3, warmup_rounds=1
    )
