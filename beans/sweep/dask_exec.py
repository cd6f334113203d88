"""Running a sweep's tasks on a Dask cluster (``distributed``), an optional extra.

Import this module only when a cluster is asked for: ``distributed`` is slow to import. The
task function is ``runner.run_task`` from the installed package, shipped by name, so every
worker must run the same beans and numba: ``check_versions`` says which differ before anything
is submitted. A worker that dies is retried by Dask (its ``allowed-failures``); a task that
fails for good is split into single cells. A worker that dies takes the tasks queued on it
along, so a single cell that still fails is tried once more at the end, alone on the cluster;
only if it fails then too is it recorded as failed, with its reason, while the others finish.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

try:
    from distributed import Client, LocalCluster, as_completed
except ImportError as err:  # the optional extra is missing
    raise ImportError('Dask is not installed; install it with: pip install "beans[dask]"') from err

from .grid import task_cells
from .runner import failed_record, run_task, task_steps, versions, worker_versions

# Local clusters listen on loopback only; the dashboard (when bokeh is installed) too.
LOOPBACK = "127.0.0.1"


class DaskError(Exception):
    """The cluster cannot be reached or used; the message says why."""


def connect(scheduler: str | None, workers: int | None, timeout: float) -> tuple[Client, LocalCluster | None]:
    """A client of the scheduler at ``scheduler``, or of a new loopback LocalCluster of ``workers``
    single-threaded worker processes. Waits up to ``timeout`` seconds for it and one worker."""
    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host=LOOPBACK,
                dashboard_address=f"{LOOPBACK}:0",
                silence_logs=logging.ERROR,
            )
            client = Client(cluster, timeout=timeout, set_as_default=False)
        else:
            client = Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as err:
        if cluster is not None:
            cluster.close()
        where = scheduler or "a local cluster"
        raise DaskError(f"cannot reach the Dask scheduler at {where} within {timeout:g} s: {err}") from err
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError) as err:
        close(client, cluster)
        raise DaskError(f"the Dask scheduler at {scheduler} has no workers (waited {timeout:g} s)") from err
    return client, cluster


def close(client: Client, cluster: LocalCluster | None) -> None:
    """Close the client, then the local cluster if beans started one."""
    client.close()
    if cluster is not None:
        cluster.close()


def check_versions(client: Client) -> None:
    """Raise DaskError unless every worker runs this beans and numba, naming each that differs."""
    here = versions()
    try:
        found = client.run(worker_versions)
    except Exception as err:  # a worker without beans cannot even unpickle the function
        reason = f"{type(err).__name__}: {err}"
        raise DaskError(f"the Dask workers cannot run beans ({reason}); install beans there") from err
    differ = []
    for address, theirs in sorted(found.items()):
        changed = [f"{name} {theirs.get(name)} (here {here[name]})" for name in here if theirs.get(name) != here[name]]
        if changed:
            differ.append(f"{address}: {', '.join(changed)}")
    if differ:
        raise DaskError("Dask workers run other versions: " + "; ".join(differ))


def run_on_dask(
    client: Client,
    tasks: list[dict[str, Any]],
    threads: int,
    on_record: Callable[[dict[str, Any]], None],
    on_steps: Callable[[int], None] | None = None,
    task_function: Callable = run_task,
) -> None:
    """Submit every task, hand each cell's record to ``on_record`` as its task finishes.

    Each task passes ``threads`` to the kernel. A task that fails (its worker kept dying, or it
    raised) is split into single-cell tasks; a single cell that fails is run again alone once
    the rest are done, and recorded as failed if it fails then too. On any exception here
    (Ctrl-C included) the pending tasks are cancelled.
    """
    pending: dict[Any, dict[str, Any]] = {}
    suspects: list[dict[str, Any]] = []
    steps = 0

    def count(task: dict[str, Any]) -> None:
        nonlocal steps
        steps += task_steps(task)
        if on_steps is not None:
            on_steps(steps)

    def submit(task: dict[str, Any]):
        future = client.submit(task_function, task, threads, pure=False)
        pending[future] = task
        return future

    queue = as_completed([submit(task) for task in tasks], loop=client.loop)
    try:
        for future in queue:
            task = pending.pop(future)
            if future.status == "finished":
                for record in future.result():
                    on_record(record)
            elif future.status == "error":
                error = future.exception()
                if len(task["lrs"]) > 1:  # find the cell at fault: retry each cell on its own
                    for lr in task["lrs"]:
                        queue.add(submit({**task, "lrs": [lr]}))
                    future.release()
                    continue
                suspects.append(task)
                future.release()
                continue
            elif future.status == "lost":  # done, but its worker died before the result was fetched
                queue.add(submit(task))
                future.release()
                continue
            else:
                raise DaskError(f"a task ended as {future.status!r}; the scheduler may have gone away")
            future.release()
            count(task)
        for task in suspects:  # one at a time: a cell that kills its worker takes no other cell along
            future = submit(task)
            try:
                records = future.result()
            except Exception as error:
                if future.status != "error":
                    raise
                records = [failed_record(task_cells(task)[0], f"{type(error).__name__}: {error}")]
            pending.pop(future)
            future.release()
            for record in records:
                on_record(record)
            count(task)
    finally:
        if pending:
            client.cancel(list(pending))
