"""The ``beans`` Typer application: the top-level callback and command registration."""

from __future__ import annotations

import gc
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
from .check import check  # noqa: E402
from .data import data  # noqa: E402
from .explain import explain  # noqa: E402
from .predict import CONTEXT_SETTINGS as _PREDICT_SETTINGS  # noqa: E402
from .predict import predict  # noqa: E402
from .sweep import sweep  # noqa: E402
from .train import train  # noqa: E402

app.command("train")(train)
app.command("data")(data)
app.command("predict", context_settings=_PREDICT_SETTINGS)(predict)
app.command("bench")(bench)
app.command("sweep")(sweep)
app.command("explain")(explain)
app.command("check")(check)


def main() -> None:
    """Console-script entry point: run the command, then exit as Python does, minus its last garbage collections."""
    try:
        app()
    finally:
        # At exit Python clears every module and runs its cyclic garbage collector over what is
        # still alive (numba's and LLVM's objects are many), which a finished command does not
        # need. Frozen objects are left out of those collections; atexit handlers, flushing
        # stdout and stderr, and waiting for other threads still happen as in any exit.
        # bench/test_main_job.py's test_exit_teardown measures it against the plain exit.
        gc.freeze()
