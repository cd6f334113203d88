"""The ``beans`` Typer application: the top-level callback and command registration."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import Annotated

import typer

from .. import __version__
from . import signals
from .environment import check_environment
from .errors import OneLineErrors

app = typer.Typer(
    name="beans",
    cls=OneLineErrors,
    help="Train the bean-toxicity lesson's network (1-2-1, or any width and depth) over many seeds at once.",
    invoke_without_command=True,  # bare `beans` reaches main_callback, which shows the help
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"beans {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Train the bean-toxicity lesson's network (1-2-1, or any width and depth) over many seeds at once, with numba."""
    signals.install()  # SIGTERM and SIGHUP clean up like Ctrl-C
    check_environment()  # values numba and matplotlib would fail on deep inside the command
    if ctx.invoked_subcommand is None:  # no command given: the help, as --help shows it, and click's code 2
        typer.echo(ctx.get_help())
        raise typer.Exit(2)


# Commands: each module imports only typer at the top; numba and matplotlib load inside the command.
from .bench import bench  # noqa: E402
from .data import data  # noqa: E402
from .predict import CONTEXT_SETTINGS as _PREDICT_SETTINGS  # noqa: E402
from .predict import predict  # noqa: E402
from .sweep import sweep  # noqa: E402
from .train import train  # noqa: E402

app.command("train")(train)
app.command("data")(data)
app.command("predict", context_settings=_PREDICT_SETTINGS)(predict)
app.command("bench")(bench)
app.command("sweep")(sweep)


def main() -> None:
    """Console-script entry point: run the command, then leave without the interpreter's teardown."""
    try:
        app()
    except SystemExit as done:
        leave(done)
        raise


def leave(done: SystemExit) -> None:
    """Exit at once with ``done``'s code, once the atexit handlers ran and stdout/stderr are flushed.

    After a command the interpreter's teardown (freeing numba's modules and LLVM's state one by
    one) took a quarter of a second, a quarter of a warm ``beans train``, and does nothing a
    finished command needs: every file is closed and in place by then. Returns without exiting,
    for the ordinary exit, when that is not so plain: another thread still runs (it would be
    cut off), the code is not a number, or flushing fails (the ordinary exit reports that).
    """
    code = done.code or 0
    # Daemon threads (Dask's event loop, a wait given up on) are cut off by the ordinary exit too,
    # after it has run the finalizers of what they hold, such as a Client that would wait to close.
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if not isinstance(code, int) or others:
        return
    atexit._run_exitfuncs()  # temporary folders, logging: what the interpreter would run first
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: Python found the descriptor closed at start-up
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(code)
