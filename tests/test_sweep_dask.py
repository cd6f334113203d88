"""The sweep on Dask: a LocalCluster and a real ``dask scheduler`` + ``dask worker`` pair, on loopback,
bit for bit against the in-process run; a worker killed mid-sweep; a cell that kills every worker."""

from __future__ import annotations

import functools
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow  # Dask clusters: scheduler and worker processes

import cloudpickle  # noqa: E402  (a dependency of distributed)
import dask  # noqa: E402
import sweep_faults  # noqa: E402
from beans.kernels.data import get_beans  # noqa: E402
from test_sweep_cli import GRID, final_bytes, sweep  # noqa: E402

from beans.bean_files import beans_csv  # noqa: E402
from beans.sweep import outcome  # noqa: E402
from beans.sweep.dask_exec import check_versions, close, connect, run_on_dask  # noqa: E402
from beans.sweep.grid import Grid, read_files  # noqa: E402
from beans.sweep.runner import run_in_process, versions  # noqa: E402

cloudpickle.register_pickle_by_value(sweep_faults)  # workers cannot import the tests folder
GRID_AXES = {"lr": (0.1, 0.7, 2.0), "beans": (20, 30), "epochs": (200,)}


def small_grid() -> Grid:
    return Grid(GRID_AXES, range(5), test_beans=30, snapshot_every=50)


def in_process(grid: Grid) -> list[dict]:
    got: list[dict] = []
    run_in_process(grid.tasks(list(grid.cells())), 1, got.append)
    return outcome(grid, got, versions())[0]


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of 2 single-threaded worker processes on 127.0.0.1; a task may meet one dead worker."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        client, local = connect(None, 2, timeout=30)
    assert all(address.startswith("tcp://127.0.0.1:") for address in client.nthreads())
    yield client
    close(client, local)


def on_dask(client, grid: Grid, min_tasks: int = 4, **kwargs) -> list[dict]:
    got: list[dict] = []
    run_on_dask(client, grid.tasks(list(grid.cells()), min_tasks=min_tasks), 1, got.append, **kwargs)
    return outcome(grid, got, versions())[0]


def test_a_local_cluster_gives_the_in_process_results_bit_for_bit(cluster):
    check_versions(cluster)
    grid = small_grid()
    assert on_dask(cluster, grid) == in_process(grid)


def test_a_worker_killed_mid_sweep_changes_nothing(cluster, tmp_path):
    grid = small_grid()
    task = functools.partial(sweep_faults.die_once, marker=str(tmp_path / "died"))
    got = on_dask(cluster, grid, task_function=task)
    assert (tmp_path / "died").exists()
    assert got == in_process(grid)


def test_the_beans_of_data_files_reach_the_workers_without_the_files(cluster, tmp_path):
    paths = []
    for data_seed, count in ((3, 30), (4, 20)):
        paths.append(tmp_path / f"beans-{data_seed}.csv")
        paths[-1].write_text(beans_csv(*get_beans(count, data_seed)))
    files = read_files(tuple(str(path) for path in paths))
    axes = {"lr": (0.1, 0.7), "data": tuple(files), "data_seed": (0, 1), "epochs": (200,)}
    grid = Grid(axes, range(5), snapshot_every=50, files=files, test_share=0.3)
    for path in paths:
        path.unlink()  # the tasks carry the beans: no worker reads a file
    got = on_dask(cluster, grid)
    assert all(record["status"] == "ok" for record in got) and got == in_process(grid)


def test_a_cell_that_kills_every_worker_fails_alone(cluster):
    grid = small_grid()
    poison = functools.partial(sweep_faults.die_on_cell, lr=0.7, beans=30)
    got = on_dask(cluster, grid, min_tasks=6, task_function=poison)
    want = in_process(grid)
    for record, expected in zip(got, want, strict=True):
        if (record["cell"]["lr"], record["cell"]["beans"]) == (0.7, 30):
            assert record["status"] == "failed" and "KilledWorker" in record["reason"]
        else:
            assert record == expected


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask_command() -> list[str]:
    exe = Path(sys.executable).parent / "dask"
    return [str(exe)] if exe.exists() else [shutil.which("dask") or "dask"]


def test_a_real_scheduler_and_worker_give_the_in_process_files(tmp_path, beans_command):
    reference = tmp_path / "here"
    assert sweep(reference, *GRID).exit_code == 0
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    loopback = ["--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0"]
    scheduler = subprocess.Popen(
        [*_dask_command(), "scheduler", "--port", str(port), *loopback],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    try:
        worker = subprocess.Popen(
            [*_dask_command(), "worker", address, "--nthreads", "2", *loopback],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        out = tmp_path / "there"
        run = subprocess.run(
            [*beans_command, "sweep", "--out", str(out), *GRID, "--scheduler", address, "--timeout", "30"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        assert final_bytes(out, ("seeds.csv", "cells.csv", "cells.json")) == final_bytes(
            reference, ("seeds.csv", "cells.csv", "cells.json")
        )
    finally:
        for process in (worker, scheduler):  # workers first: stopping both at once takes seconds
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        time.sleep(0)
