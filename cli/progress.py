"""A rich progress bar for a training run, advanced from kernels.train's ``on_chunk`` callback.

Import only inside commands: it imports rich.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .report import format_rate


def animate_progress(quiet: bool) -> bool:
    """Draw a live bar only for a person watching: not with --quiet, not into a pipe or file."""
    # a stream closed at start-up (``>&-``) is None
    return not quiet and all(stream is not None and stream.isatty() for stream in (sys.stdout, sys.stderr))


@contextlib.contextmanager
def training_progress(
    *, epochs: int, seeds: int, beans: int, enabled: bool, console: Console | None = None
) -> Iterator[Callable[[int, int], None]]:
    """One task over epochs x seeds; yields the ``on_chunk(done, total)`` callback.

    The bar goes to ``console`` (default: a stderr console), is redrawn once per chunk (not per
    sample: a redraw costs milliseconds) and is removed when the run ends, leaving the terminal
    to the results table. Elapsed and remaining time (rich's estimate from the recent rate)
    show beside it. The steps/s rate counts from the first callback, so loading the
    kernels (and a first compile) does not drag it down.
    """
    progress = Progress(
        TextColumn("training"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed:,.0f}/{task.total:,.0f} seed-epochs"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[rate]}"),
        console=console if console is not None else Console(stderr=True),
        transient=True,
        disable=not enabled,
    )
    task = progress.add_task("train", total=epochs * seeds, rate="")
    first: list[tuple[float, int]] = []  # (time, epochs done) at the first callback

    def on_chunk(epochs_done: int, _epochs_total: int) -> None:
        now = time.perf_counter()
        if not first:
            first.append((now, epochs_done))
        began, done_then = first[0]
        elapsed = now - began
        rate = (epochs_done - done_then) * seeds * beans / elapsed if elapsed > 0 else None
        progress.update(task, completed=epochs_done * seeds, rate=format_rate(rate))

    with progress:
        yield on_chunk


def say_compile(console: Console, choice) -> None:
    """Say on ``console`` that a one-time compile is under way, if ``choice`` (a ``kernels.choice.Choice``) has one.

    Printed before the kernel's first call: the wait that follows is the compiler's, once per
    machine (the run-time-shaped kernel) or per net (a generated one), never again after.
    """
    if choice.compile_s <= 0:
        return
    what = "the kernel for this machine" if choice.kind == "run-time-shaped" else "this net's own kernel"
    console.print(f"compiling {what}, once: ~{choice.compile_s:.0f} s", highlight=False)
