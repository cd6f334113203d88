"""One-line errors for every command: ``Error: <what is wrong>`` on stderr, then an exit code.

Exit codes: 2 for a bad option or argument (click's usage-error code), 1 for I/O, 130 for
Ctrl-C. Typer's default for usage errors is a boxed panel with the usage text; a person
scanning a terminal, and a script reading stderr, both do better with one line. Typer checks
values with pydantic, whose wording ("Value error, ...", "Input should be greater than or
equal to 1") is rewritten here, once for every command, into plain words.
"""

from __future__ import annotations

import re
from typing import NoReturn

import typer
from typer.core import TyperCommand, TyperGroup


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``Error: message`` (squeezed onto one line) to stderr and exit with ``code``."""
    typer.echo(f"Error: {' '.join(str(message).split())}", err=True)
    raise typer.Exit(code)


# pydantic's phrases (as typer passes them on) -> beans' own; applied in this order.
_REWRITES = (
    (re.compile(r"Value error, "), ""),  # a ValueError raised in a parser or validator
    (re.compile(r"Input should be greater than or equal to "), "must be >= "),
    (re.compile(r"Input should be less than or equal to "), "must be <= "),
    (re.compile(r"Input should be greater than "), "must be > "),
    (re.compile(r"Input should be less than "), "must be < "),
    (re.compile(r"Input should be a valid integer(, unable to parse string as an integer)?"), "must be a whole number"),
    (re.compile(r"Input should be a valid number(, unable to parse string as a number)?"), "must be a number"),
    (re.compile(r"Input should be "), "must be "),
)


def plain_message(message: str) -> str:
    """A usage error's text with pydantic's phrasing replaced by plain words."""
    for pattern, replacement in _REWRITES:
        message = pattern.sub(replacement, message)
    return message


def _usage_error(err: typer.TyperException) -> NoReturn:
    """A usage error as one line; one without a message (bare ``beans``: help was shown) just exits."""
    code = getattr(err, "exit_code", 2)
    message = err.format_message()
    if type(err).__name__ == "NoArgsIsHelpError":  # its message is the help itself, unless rich printed it
        if message.strip():
            typer.echo(message)
        raise typer.Exit(code)
    if not message.strip():
        raise typer.Exit(code)
    fail(plain_message(message), code)


class _OneLineErrors:
    """Mixin for click commands: usage errors, found while parsing or while running, are one line."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except typer.TyperException as err:  # click's UsageError and BadParameter, vendored by typer
            _usage_error(err)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except typer.TyperException as err:
            _usage_error(err)


class OneLineErrorCommand(_OneLineErrors, TyperCommand):
    """A beans subcommand with one-line usage errors."""


class OneLineErrorGroup(_OneLineErrors, TyperGroup):
    """The beans program itself: unknown commands and options are one-line errors too."""
