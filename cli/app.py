"""The ``beans`` Typer application: the top-level callback and command registration."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import __version__
from . import signals
from .errors import OneLineErrorCommand, OneLineErrorGroup

app = typer.Typer(
    name="beans",
    cls=OneLineErrorGroup,
    help="Train the bean-toxicity lesson's 1-2-1 network over many seeds at once, with numba.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"beans {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Train the bean-toxicity lesson's 1-2-1 network over many seeds at once, with numba."""
    signals.install()  # SIGTERM and SIGHUP clean up like Ctrl-C


# Commands: each module imports only typer at the top; numba and matplotlib load inside the command.
from .bench import bench  # noqa: E402
from .data import data  # noqa: E402
from .predict import CONTEXT_SETTINGS as _PREDICT_SETTINGS  # noqa: E402
from .predict import predict  # noqa: E402
from .train import train  # noqa: E402

app.command("train", cls=OneLineErrorCommand)(train)
app.command("data", cls=OneLineErrorCommand)(data)
app.command("predict", cls=OneLineErrorCommand, context_settings=_PREDICT_SETTINGS)(predict)
app.command("bench", cls=OneLineErrorCommand)(bench)


def main() -> None:
    """Console-script entry point."""
    app()
