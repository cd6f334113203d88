"""``beans sweep``: a grid of training settings over many seeds, here or on a Dask cluster, resumable.

Order of work: options and the grid are checked, the output folder prepared, the cluster (if
any) reached and its versions checked, the journal opened; then the cells run and each is
journaled as it arrives; at the end the tables and heatmaps are written together or not at all.
Dask is imported only with --scheduler or --workers.
"""

from __future__ import annotations

import functools
import re
import signal
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from ..files import OutputError, WrongKindError, prepare_outputs, remove_leftovers
from .errors import fail
from .options import LANG_HELP, data_file, language, output_folder, positive_number, share, whole
from .signals import exit_code

# The files a sweep writes under --out at the end, besides its journal.
TABLES = ("seeds.csv", "cells.csv", "cells.json", "sweep.png")
AXIS_HELP = "Comma list; numbers also as START:STOP:N (evenly) or START:STOP:logN (log scale)."
# What --scheduler takes: Dask's address forms, PROTOCOL://HOST[:PORT] or HOST:PORT.
ADDRESS = re.compile(r"(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::(?P<port>[0-9]{1,5}))?")


# The longest --timeout: a week is longer than any wait a person means, and far below the
# largest timeout a thread's wait takes.
MAX_TIMEOUT = 7 * 24 * 3600


def _timeout(value: str | float) -> float:
    """Typer parser for --timeout: a finite number of seconds > 0, at most ``MAX_TIMEOUT``."""
    seconds = positive_number(value)
    if seconds > MAX_TIMEOUT:
        raise typer.BadParameter(f"must be at most {MAX_TIMEOUT:,} seconds (a week), got {value}")
    return seconds


def _scheduler_address(value: str) -> str:
    """Typer parser for --scheduler: a Dask address, checked before anything is made or reached."""
    match = ADDRESS.fullmatch(value)
    if match is None or not 0 < int(match["port"] or 8786) < 65536:
        raise typer.BadParameter(f"must be a Dask scheduler address like tcp://HOST:8786, got {value!r}")
    return value


def _axis(name: str, help_text: str):
    return typer.Option(f"--{name}", metavar="VALUES", help=f"{help_text} {AXIS_HELP}", show_default="train's")


def sweep(
    lr: Annotated[str | None, _axis("lr", "Learning rates, > 0.")] = None,
    hidden: Annotated[
        str | None,
        typer.Option("--hidden", metavar="SHAPES", help="Hidden layer widths, e.g. 1,2,4x4.", show_default="2"),
    ] = None,
    activation: Annotated[
        str | None, typer.Option("--activation", metavar="NAMES", help="Activations.", show_default="sigmoid")
    ] = None,
    beans: Annotated[str | None, _axis("beans", "Training beans, >= 2.")] = None,
    noise: Annotated[str | None, _axis("noise", "Scales of the lesson's label noise, >= 0 (1: the lesson's).")] = None,
    epochs: Annotated[str | None, _axis("epochs", "Passes over the beans.")] = None,
    data_seed: Annotated[str | None, _axis("data-seed", "Seeds of the training beans.")] = None,
    curve: Annotated[
        str | None,
        typer.Option("--curve", metavar="NAMES", help="Curves: hill, step, two-hills, bump.", show_default="hill"),
    ] = None,
    init: Annotated[
        str | None,
        typer.Option(
            "--init", metavar="RULES", help="Start values: lesson, xavier, he, normal:SCALE.", show_default="lesson"
        ),
    ] = None,
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            metavar="FILES",
            help="Beans CSV files (size,toxicity, as beans data --csv writes), comma-separated; "
            "each cell trains on one. Not with --beans, --noise, --curve.",
            show_default="the built-in beans",
        ),
    ] = None,
    seeds: Annotated[int, typer.Option("--seeds", **whole(1), help="Random starts of every cell.")] = 20,
    seed_start: Annotated[int, typer.Option("--seed-start", **whole(0), help="First seed.")] = 0,
    test_beans: Annotated[
        int | None,
        typer.Option(
            "--test-beans", **whole(0), show_default="100", help="Held-out beans (from DATA_SEED+1); 0: none."
        ),
    ] = None,
    test_data: Annotated[
        Any, typer.Option("--test-data", **data_file(), help="Test every cell on the beans of this CSV instead.")
    ] = None,
    test_share: Annotated[
        float | None,
        typer.Option(
            "--test-share", **share(), help="Hold out this share of each --data file (rows chosen by --data-seed)."
        ),
    ] = None,
    snapshot_every: Annotated[
        int, typer.Option("--snapshot-every", **whole(1), help="Check the accuracy every this many epochs.")
    ] = 100,
    out: Annotated[
        Path, typer.Option("--out", parser=output_folder, help="Folder for the journal, tables and heatmaps.")
    ] = Path("sweep-out"),
    x: Annotated[str | None, typer.Option("--x", help="Heatmap x axis.", show_default="first varying axis")] = None,
    y: Annotated[str | None, typer.Option("--y", help="Heatmap y axis.", show_default="second varying axis")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the sweep journaled in --out.")] = False,
    threads: Annotated[
        int | None,
        typer.Option("--threads", **whole(1), help="numba threads (per task on Dask).", show_default="all; 1 on Dask"),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            parser=_scheduler_address,
            help="Run on this Dask scheduler (tcp://HOST:8786).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", **whole(1), help="Run on a local Dask cluster of this many worker processes."),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            parser=_timeout,
            metavar="SECONDS",
            help="Seconds to wait for the scheduler and a worker.",
        ),
    ] = 10.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no messages.")] = False,
    no_plot: Annotated[bool, typer.Option("--no-plot", help="Skip sweep.png.")] = False,
    lang: Annotated[str, typer.Option("--lang", **language(), help=LANG_HELP)] = "en",
) -> None:
    """Train every combination of the settings given, from the same random starts, and compare.

    Writes under --out: journal.jsonl (every cell as it finishes), seeds.csv (one row per cell
    and seed), cells.csv and cells.json (one row per cell) and sweep.png; prints the cells best
    first. Run the same command with --resume to finish an interrupted sweep.
    """
    from ..sweep.grid import AXES, Grid, GridError, parse_axis, read_files

    if scheduler is not None and workers is not None:
        raise typer.BadParameter("give --scheduler or --workers, not both", param_hint="'--workers'")
    given = dict(lr=lr, hidden=hidden, activation=activation, beans=beans, noise=noise, epochs=epochs)
    given |= {"data_seed": data_seed, "curve": curve, "init": init, "data": data}
    try:
        axes = {name: parse_axis(name, text) for name, text in given.items() if text is not None}
        files = read_files(axes.get("data", ()))  # every file checked before any cell runs
        grid = Grid(
            axes,
            range(seed_start, seed_start + seeds),
            test_beans,
            snapshot_every,
            files=files,
            test_data=test_data,
            test_share=test_share,
        )
        # the tasks running at once on this machine: a local cluster's workers, or this process
        grid.check_memory(workers if workers is not None else 0 if scheduler is not None else 1)
    except GridError as err:
        raise typer.BadParameter(str(err).removeprefix(f"{err.option}: "), param_hint=f"'{err.option}'") from err
    varying = grid.varying()
    for option, name in (("--x", x), ("--y", y)):
        if name is not None and name.replace("-", "_") not in AXES:
            raise typer.BadParameter(f"must be one of {', '.join(AXES)}, got {name!r}", param_hint=f"'{option}'")
    x_axis = x.replace("-", "_") if x else None
    y_axis = y.replace("-", "_") if y else None
    if x_axis is not None and x_axis == y_axis:
        raise typer.BadParameter("must differ from --x", param_hint="'--y'")
    rest = [name for name in varying + list(AXES) if name not in (x_axis, y_axis)]
    x_axis = x_axis or rest.pop(0)
    y_axis = y_axis or next(name for name in rest if name != x_axis)

    try:
        prepared = prepare_outputs([("--out", out, True)])
    except OutputError as err:
        fail(str(err), 2 if isinstance(err, WrongKindError) else 1)
    try:
        code = _run(grid, out, resume, threads, scheduler, workers, timeout, quiet, no_plot, (x_axis, y_axis), lang)
    except BaseException:
        prepared.cleanup()  # removes only folders this command made and left empty
        raise
    if code:
        raise typer.Exit(code)


def _run(grid, out: Path, resume, threads, scheduler, workers, timeout, quiet, no_plot, heat_axes, lang="en") -> int:
    """Reach the cluster, open the journal, run the cells, write the files; returns the exit code."""
    from rich.console import Console

    from ..sweep import outcome, pending
    from ..sweep.journal import Journal, JournalError
    from ..sweep.runner import run_in_process, versions
    from .progress import say_compile

    messages = Console(stderr=True, quiet=quiet)
    client = cluster = journal = None
    try:
        if scheduler is not None or workers is not None:
            client, cluster = _connect(scheduler, workers, timeout)
        try:
            journal = Journal.open(out, grid.describe(), resume)
        except JournalError as err:
            fail(str(err), 2 if err.usage else 1)
        # the journal is ours now (a new one, or --resume's): what a killed run of it left goes
        remove_leftovers(out, TABLES)
        current = versions()
        todo = pending(grid, journal.records, current)
        if resume and not quiet:
            done = grid.n_cells - len(todo)
            messages.print(f"resuming: {done} of {grid.n_cells} cells already done", highlight=False)
        began = time.perf_counter()
        steps_todo = sum(grid.cell_steps(cell) for cell in todo)
        with _progress(len(todo), steps_todo, quiet) as (on_record_done, on_steps):

            def on_record(record: dict[str, Any]) -> None:
                journal.append(record)
                on_record_done()

            if client is None:
                on_kernel = functools.partial(say_compile, messages)  # messages is quiet with --quiet
                run_in_process(grid.tasks(todo), threads or _all_threads(), on_record, on_steps, on_kernel)
            else:
                from ..sweep.dask_exec import run_on_dask

                total_threads = sum(client.nthreads().values()) or 1
                run_on_dask(client, grid.tasks(todo, 2 * total_threads), threads or 1, on_record, on_steps)
        seconds = time.perf_counter() - began
        records, summaries = outcome(grid, journal.records, current)
    except KeyboardInterrupt as err:  # Ctrl-C, SIGTERM, SIGHUP (cli.signals)
        if journal is None:
            fail(f"{_stopped(err)} before any cell ran; nothing was written", exit_code(err))
        fail(
            f"{_stopped(err)}: {_saved(grid, journal)} of {grid.n_cells} cells saved in {journal.path}; "
            "run the same command with --resume to finish",
            exit_code(err),
        )
    except JournalError as err:
        fail(f"{err}; {_saved(grid, journal)} of {grid.n_cells} cells saved", 1)
    except _dask_error() as err:
        fail(f"{err}; {_saved(grid, journal)} of {grid.n_cells} cells saved, --resume continues", 1)
    finally:
        if journal is not None:
            journal.close()
        if client is not None:
            from ..sweep.dask_exec import close

            close(client, cluster)

    journal_path = out / "journal.jsonl"
    try:
        if not quiet:
            done_steps = sum(grid.cell_steps(r["cell"]) for r in records if r["status"] == "ok")
            rate = done_steps / seconds if seconds > 0 and steps_todo else None
            from .report import format_duration, format_rate

            messages.print(
                f"{grid.n_cells} cells x {len(grid.seeds)} seeds, {done_steps:,} SGD steps; "
                f"this run {format_duration(seconds)}, {format_rate(rate)}",
                highlight=False,
            )
        written = _write_files(grid, out, records, summaries, current, None if no_plot else heat_axes, lang)
    except OutputError as err:
        fail(f"{err}; every cell is in {journal_path}, --resume writes the files again", 1)
    except KeyboardInterrupt as err:  # the staged tables are gone again; the previous ones, if any, kept
        fail(
            f"{_stopped(err)} while the tables were written: none was; every cell is in {journal_path}, "
            "--resume writes them",
            exit_code(err),
        )
    from ..files import to_stdout
    from .sweep_report import render_cells

    try:  # after the files: the table is a view of them, and a closed or full stdout loses no cell
        to_stdout(
            lambda stdout: render_cells(grid, summaries, Console(file=stdout, soft_wrap=not stdout.isatty()), lang)
        )
    except OutputError as err:
        fail(f"{err}; the tables are written in {out}", 1)
    except KeyboardInterrupt as err:
        fail(f"{_stopped(err)} while the table was printed; the tables are written in {out}", exit_code(err))
    for path in written:
        messages.print(f"wrote {path}", highlight=False, soft_wrap=True)
    failed = [s for s in summaries if s["status"] != "ok"]
    if failed:
        first = failed[0]
        messages.print(
            f"Error: {len(failed)} of {grid.n_cells} cells failed (first: {first['reason']}); --resume runs them again",
            highlight=False,
            soft_wrap=True,
        )
        return 1
    return 0


def _stopped(err: KeyboardInterrupt) -> str:
    """How the sweep was stopped, in a word: ``terminated`` by SIGTERM, else ``interrupted``."""
    return "terminated" if exit_code(err) == 128 + signal.SIGTERM else "interrupted"


def _all_threads() -> int:
    from ..kernels.many import max_threads

    return max_threads()


def _saved(grid, journal) -> int:
    """Cells done in the journal's file, read back as --resume will read it (not ``journal.records``,
    which a signal between a record's write and its count leaves one short)."""
    if journal is None:
        return 0
    from ..sweep import pending
    from ..sweep.runner import versions

    return grid.n_cells - len(pending(grid, journal.read_back(), versions()))


def _dask_error():
    """The Dask executor's error class, or one nothing raises when Dask was never imported."""
    module = sys.modules.get("beans.sweep.dask_exec")
    return module.DaskError if module is not None else _NeverRaised


class _NeverRaised(Exception):
    pass


def _connect(scheduler: str | None, workers: int | None, timeout: float):
    """A Dask client (and local cluster), versions checked; one-line errors otherwise."""
    try:
        from ..sweep import dask_exec
    except ImportError as err:
        fail(str(err), 1)
    try:
        client, cluster = dask_exec.connect(scheduler, workers, timeout)
    except dask_exec.DaskError as err:
        fail(str(err), 1)
    try:
        dask_exec.check_versions(client)
    except dask_exec.DaskError as err:
        dask_exec.close(client, cluster)
        fail(str(err), 1)
    return client, cluster


class _progress:
    """A rich bar of cells and SGD steps on stderr (only for a person watching); yields two callbacks."""

    def __init__(self, cells: int, steps: int, quiet: bool):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        from .progress import animate_progress

        self.progress = Progress(
            TextColumn("sweep"),
            BarColumn(),
            TextColumn("{task.fields[cells]}/{task.fields[total_cells]} cells"),
            TextColumn("{task.completed:,.0f}/{task.total:,.0f} SGD steps"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
            disable=not animate_progress(quiet),
        )
        self.task = self.progress.add_task("sweep", total=max(steps, 1), cells=0, total_cells=cells)
        self.cells = 0

    def __enter__(self):
        self.progress.__enter__()

        def on_record() -> None:
            self.cells += 1
            self.progress.update(self.task, cells=self.cells)

        def on_steps(done: int) -> None:
            self.progress.update(self.task, completed=done)

        return on_record, on_steps

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)


def _write_files(grid, out: Path, records, summaries, current, heat_axes, lang="en") -> list[Path]:
    """seeds.csv, cells.csv, cells.json and sweep.png, all or none."""
    from ..files import StagedFiles
    from ..sweep.summary import cells_csv, cells_document, seeds_csv

    texts = {
        "seeds.csv": seeds_csv(records),
        "cells.csv": cells_csv(summaries),
        "cells.json": cells_document(grid.describe(), summaries, current),
    }
    with StagedFiles() as staged:
        for name, text in texts.items():
            staged.write(out / name, lambda tmp, text=text: tmp.write_text(text, encoding="utf-8"))
        if heat_axes is not None:
            from .sweep_plots import save_sweep_figure, sweep_figure

            fig = sweep_figure(summaries, grid.axes, heat_axes[0], heat_axes[1], len(grid.seeds), lang)
            staged.write(out / "sweep.png", lambda tmp: save_sweep_figure(fig, tmp))
    return staged.written
