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

import asyncio
import logging
import threading
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
# Seconds added to --timeout before a wait on Dask is given up: Dask's own timeouts come first
# when they work, and its words are better than ours.
GRACE = 2.0


class DaskError(Exception):
    """The cluster cannot be reached or used; the message says why."""


def _bounded(call: Callable[[], Any], seconds: float, gone: str) -> Any:
    """``call()`` in a helper thread, waited for at most ``seconds``; DaskError(``gone``) after that.

    Dask's own waits do not bound every step (a peer that accepts and never answers the
    handshake is waited for forever), and a blocked call cannot be interrupted: the main
    thread only waits here, so Ctrl-C, SIGTERM and SIGHUP still reach it. A call still
    running is left to the daemon thread, which ends with the process.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as err:  # handed to the main thread, which decides
            outcome["error"] = err

    thread = threading.Thread(target=run, name="beans-dask-wait", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise DaskError(gone)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def connect(scheduler: str | None, workers: int | None, timeout: float) -> tuple[Client, LocalCluster | None]:
    """A client of the scheduler at ``scheduler``, or of a new loopback LocalCluster of ``workers``
    single-threaded worker processes. Waits up to ``timeout`` seconds for it and one worker."""
    # The sweep reports what goes wrong in one line of its own; Dask's logged tracebacks would follow it.
    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name.startswith("distributed"):  # Dask's config gives some of its loggers levels of their own
            logging.getLogger(name).setLevel(logging.CRITICAL)
    where = scheduler or "a local cluster"
    cluster = None
    try:
        if scheduler is None:
            # Workers start in the background (scale), so the wait below for one of them is
            # bounded by --timeout, not by the start of every worker.
            cluster = _bounded(
                lambda: LocalCluster(
                    n_workers=0,
                    threads_per_worker=1,
                    processes=True,
                    host=LOOPBACK,
                    dashboard_address=f"{LOOPBACK}:0",
                    silence_logs=logging.CRITICAL,
                ),
                timeout + GRACE,
                f"a local Dask cluster did not start within {timeout:g} s",
            )
            cluster.scale(workers)
            client = _bounded(
                lambda: Client(cluster, timeout=timeout, set_as_default=False),
                timeout + GRACE,
                f"a local Dask cluster did not answer within {timeout:g} s",
            )
        else:
            # Dask's handshake alone first: a peer that is not a Dask scheduler fails it with no
            # half-made Client left behind, whose clean-up at exit would wait and print tracebacks.
            _bounded(
                lambda: asyncio.run(_handshake(scheduler, timeout)),
                timeout + GRACE,
                f"no answer from {scheduler} within {timeout:g} s; is it a Dask scheduler?",
            )
            client = _bounded(
                lambda: Client(scheduler, timeout=timeout, set_as_default=False),
                timeout + GRACE,
                f"no answer from {scheduler} within {timeout:g} s; is it a Dask scheduler?",
            )
    except (OSError, TimeoutError) as err:
        _close_cluster(cluster)
        raise DaskError(f"cannot reach the Dask scheduler at {where} within {timeout:g} s: {err}") from err
    except DaskError:
        _close_cluster(cluster)
        raise
    except Exception as err:  # bytes that are not Dask's: distributed fails on them in its own ways
        _close_cluster(cluster)
        raise DaskError(f"{where} does not answer as a Dask scheduler ({type(err).__name__})") from err
    try:
        _bounded(lambda: client.wait_for_workers(1, timeout=timeout), timeout + GRACE, "")
    except (OSError, TimeoutError, DaskError) as err:
        close(client, cluster)
        raise DaskError(f"the Dask scheduler at {where} has no workers (waited {timeout:g} s)") from err
    return client, cluster


async def _handshake(address: str, timeout: float) -> None:
    """Connect to ``address`` and exchange Dask's handshake, then hang up."""
    from distributed.comm import connect as comm_connect

    comm = await comm_connect(address, timeout=timeout)
    await comm.close()


def _close_cluster(cluster: LocalCluster | None) -> None:
    if cluster is not None:
        try:
            _bounded(lambda: cluster.close(timeout=GRACE), 2 * GRACE, "")
        except Exception:
            pass  # its worker processes are this process's children: they end with it


def close(client: Client, cluster: LocalCluster | None) -> None:
    """Close the client, then the local cluster if beans started one; each wait bounded, no error raised.

    A scheduler that is gone cannot be told goodbye: the client is left to end with the process.
    """
    try:
        _bounded(lambda: client.close(timeout=GRACE), 2 * GRACE, "")
    except Exception:
        pass
    _close_cluster(cluster)


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

    try:
        _run_queue(client, tasks, submit, pending, suspects, on_record, count)
    except (OSError, TimeoutError, asyncio.CancelledError) as err:  # the comm to the scheduler broke
        raise DaskError(f"lost the Dask scheduler ({type(err).__name__}: {_one_line(err)})") from err
    finally:
        if pending:
            try:
                _bounded(lambda: client.cancel(list(pending)), 2 * GRACE, "")
            except Exception:
                pass  # a scheduler that is gone has nothing left to cancel


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())


def _run_queue(client, tasks, submit, pending, suspects, on_record, count) -> None:
    """``run_on_dask``'s loop: hand over each finished task's records, split failed ones, retry suspects."""
    queue = as_completed([submit(task) for task in tasks], loop=client.loop)
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
