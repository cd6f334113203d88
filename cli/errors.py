"""One-line errors for the whole program: ``Error: <what is wrong>`` on stderr, then an exit code.

Exit codes: 2 for a bad option or argument (click's usage-error code), 1 for I/O, 128 + the
signal for Ctrl-C, SIGTERM and SIGHUP (``cli.signals``). Typer's default for a usage error is a
boxed panel with the usage text; a person scanning a terminal, and a script reading stderr,
both do better with one line. So the program runs in click's non-standalone mode
(``standalone_mode=False``), where click's exceptions reach the caller instead of being
printed, and :class:`OneLineErrors` prints each one, once for every command, as ``Error: ``
plus the exception's own message. The words are click's ("No such option: --bogus") or
beans' own (``cli.options``' parsers, ``fail``), never rewritten.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from . import signals


def one_line(message: str) -> str:
    """``message`` with every run of white space, newlines included, squeezed to one space."""
    return " ".join(str(message).split())


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``Error: message`` (on one line) to stderr and exit with ``code``."""
    typer.echo(f"Error: {one_line(message)}", err=True)
    raise typer.Exit(code)


class OneLineErrors(TyperGroup):
    """The beans program: click's usage errors, from parsing or from a command, as one line each.

    ``main`` is click's entry point for the whole program, used by the console script, by
    ``python -m beans`` and by ``typer.testing.CliRunner`` alike, so all of them behave the same.
    """

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            # Non-standalone: click raises its errors instead of printing them, and returns
            # the code of a typer.Exit (None when a command simply returns).
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra) or 0
        except typer.Abort:  # click's "Aborted!" (an interrupted prompt); beans never prompts
            typer.echo("Error: aborted", err=True)
            code = 1
        except typer.TyperException as err:  # click's exceptions: UsageError, BadParameter, ...
            typer.echo(f"Error: {one_line(err.format_message())}", err=True)
            code = err.exit_code
        except Exception:
            interrupted = signals.received()
            if interrupted is None:
                raise
            # the command has cleaned up, as after any failure; C code had turned the signal's
            # exception into this one (see signals._received)
            typer.echo("Error: interrupted", err=True)
            code = signals.exit_code(interrupted)
        if standalone_mode:
            sys.exit(code)
        return code

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as err:
            # a signal that no command met with a message of its own (one that came while the
            # options were parsed, say): typer would exit 130 without a word, whichever it was
            typer.echo("Error: interrupted", err=True)
            raise typer.Exit(signals.exit_code(err)) from None
