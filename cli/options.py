"""Parsers for option values, so that a bad value is reported in beans' own words.

Typer checks ``int``/``float`` options and their ``min=``/``max=`` with pydantic, whose
messages ("Input should be greater than or equal to 1") read like a library's internals.
These parsers, given as an option's ``parser=``, do the checking themselves and raise
``typer.BadParameter``, which click reports against the option: ``Invalid value for
'--seeds': must be >= 1, got 0``. They also receive the option's default (already a number).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from ..checks import DECIMAL, WHOLE  # numbers as people write them: one rule, everywhere
from ..files import PLOT_SUFFIXES, output_dir, output_file
from ..kernels.checks import INITS, parse_init
from ..kernels.shape import MAX_HIDDEN_LAYERS, MAX_WIDTH, parse_hidden  # numpy only: --help stays fast

# ".png, .svg or .pdf": the figure formats beans writes, for help texts
SUFFIXES_TEXT = f"{', '.join(PLOT_SUFFIXES[:-1])} or {PLOT_SUFFIXES[-1]}"


def whole(minimum: int | None = None, maximum: int | None = None) -> dict[str, Any]:
    """``parser`` and ``metavar`` for an integer option in ``[minimum, maximum]`` (either end open).

    Use as ``typer.Option("--seeds", **whole(1), help=...)``.
    """

    def parse(value: str | int) -> int:
        if isinstance(value, int) and not isinstance(value, bool):  # the default
            number = value
        elif isinstance(value, str) and WHOLE.fullmatch(value):
            number = int(value)
        else:
            raise typer.BadParameter(f"must be a whole number, got {value!r}")
        if minimum is not None and number < minimum:
            raise typer.BadParameter(f"must be >= {minimum:,}, got {number:,}")
        if maximum is not None and number > maximum:
            raise typer.BadParameter(f"must be <= {maximum:,}, got {number:,}")
        return number

    return {"parser": parse, "metavar": _range_text(minimum, maximum)}


def _range_text(minimum: int | None, maximum: int | None) -> str:
    """An integer option's metavar: ``INTEGER``, ``INTEGER >= 1``, ``INTEGER 0..10^12``."""

    def short(n: int) -> str:
        return f"10^{len(str(n)) - 1}" if n >= 10**6 and str(n).strip("0") == "1" else f"{n:,}"

    if minimum is not None and maximum is not None:
        return f"INTEGER {short(minimum)}..{short(maximum)}"
    if minimum is not None:
        return f"INTEGER >= {short(minimum)}"
    return "INTEGER" if maximum is None else f"INTEGER <= {short(maximum)}"


def choice(names: tuple[str, ...]) -> dict[str, Any]:
    """``parser``, ``metavar`` and shell completion for an option that takes one of ``names``."""

    def parse(value: str) -> str:
        if value not in names:
            raise typer.BadParameter(f"must be one of {', '.join(names)}; got {value!r}")
        return value

    return {"parser": parse, "metavar": "|".join(names), "autocompletion": lambda: list(names)}


def language() -> dict[str, Any]:
    """``parser``, ``metavar`` and completion for ``--lang``: one of ``cli.words.LANGUAGES`` whose font is here."""
    from .words import LANGUAGES, missing_font  # plain Python: --help stays fast

    named = choice(LANGUAGES)

    def parse(value: str) -> str:
        value = named["parser"](value)
        why = missing_font(value)
        if why is not None:  # before anything runs: a run would fail only at its pictures
            raise typer.BadParameter(why)
        return value

    return {**named, "parser": parse}


LANG_HELP = "Language of the figures and the printed table: en, or zh (Chinese; needs the zh extra's font)."


def _finite_number(value: str | float, above: float, inclusive: bool) -> float:
    """A finite number written as :data:`DECIMAL` (no ``nan``, ``inf``), > ``above`` (>= if inclusive)."""
    bound = f"{'>=' if inclusive else '>'} {above:g}"
    if isinstance(value, float):  # the default
        number = value
    elif isinstance(value, str) and DECIMAL.fullmatch(value):
        number = float(value)
    else:
        raise typer.BadParameter(f"must be a finite number {bound}, got {value!r}")
    in_range = number >= above if inclusive else number > above
    if not math.isfinite(number) or not in_range:  # 1e999 is written as a number, and is inf
        raise typer.BadParameter(f"must be a finite number {bound}, got {value}")
    return number


def positive_number(value: str | float) -> float:
    """A parser for a finite number > 0 (``--lr``)."""
    return _finite_number(value, 0.0, inclusive=False)


def non_negative_number(value: str | float) -> float:
    """A parser for a finite number >= 0 (``--noise``)."""
    return _finite_number(value, 0.0, inclusive=True)


def number_in(minimum: float, maximum: float) -> dict[str, Any]:
    """``parser`` and ``metavar`` for a finite number in ``[minimum, maximum]`` (``--seconds-per-frame``)."""

    def parse(value: str | float) -> float:
        try:
            number = _finite_number(value, minimum, inclusive=True)
        except typer.BadParameter:
            number = None
        if number is None or number > maximum:  # one message for both ends and for words
            raise typer.BadParameter(f"must be a number from {minimum:g} to {maximum:g}, got {value}")
        return number

    return {"parser": parse, "metavar": f"FLOAT {minimum:g}..{maximum:g}"}


def output_path(value: str | Path) -> Path:
    """A parser for an output file's path: one that ends in a separator names a folder, not a file."""
    try:
        return output_file(value)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from None


def output_folder(value: str | Path) -> Path:
    """A parser for an output folder's path: an empty one (``--out ""``) is refused, not taken as ``.``."""
    try:
        return output_dir(value)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from None


def hidden_layers() -> dict[str, Any]:
    """``parser`` and ``metavar`` for ``--hidden``: widths joined by ``x``, e.g. ``4x4``.

    Annotate the option ``Any``: Typer reads ``tuple[int, ...]`` as an option taking several
    values. The parser returns the widths as a tuple, ``(4, 4)``; the default is one already.
    """

    def parse(value: str | tuple[int, ...]) -> tuple[int, ...]:
        if isinstance(value, tuple):  # the default
            return value
        if value != value.strip():  # parse_hidden forgives them; an option, like every number, does not
            raise typer.BadParameter(f"must be widths joined by 'x' with no spaces, such as 2 or 4x4; got {value!r}")
        try:
            return parse_hidden(value)
        except ValueError as err:
            raise typer.BadParameter(str(err)) from None

    return {"parser": parse, "metavar": "WIDTHS"}


# --hidden's help text, with its limits
HIDDEN_HELP = (
    f"Hidden layer widths joined by x: 2 (the lesson's 1-2-1), 3, 4x4; 1..{MAX_WIDTH} neurons "
    f"per layer, up to {MAX_HIDDEN_LAYERS} layers."
)


def start_rule() -> dict[str, Any]:
    """``parser`` and ``metavar`` for ``--init``: lesson, xavier, he or normal[:SCALE], in one written form."""

    def parse(value: str) -> str:
        try:
            return parse_init(value)
        except ValueError as err:
            raise typer.BadParameter(str(err).removeprefix("init must be ")) from None

    return {"parser": parse, "metavar": "lesson|xavier|he|normal[:SCALE]", "autocompletion": lambda: list(INITS)}


INIT_HELP = (
    "Start values: lesson (uniform in [0, 1), the lesson's), xavier (Glorot uniform), he (He normal) "
    "or normal:SCALE (weights from N(0, SCALE^2)); all but lesson start biases at 0."
)
CURVE_HELP = "Toxicity curve of the drawn beans: hill (the lesson's), step, two-hills or bump (smooth)."


def data_file() -> dict[str, Any]:
    """``parser`` and ``metavar`` for an option naming a beans CSV (``--data``, ``--test-data``).

    The file is read and checked as the option is parsed (``beans.bean_files.read_beans_csv``), so
    a bad file is an error against its option before any work starts. Annotate the option ``Any``:
    the parser returns a ``BeanData``.
    """

    def parse(value: str) -> Any:
        if not isinstance(value, str):  # the default
            return value
        from ..bean_files import DataFileError, read_beans_csv  # numpy: only when a file is given

        try:
            return read_beans_csv(value)
        except DataFileError as err:
            raise typer.BadParameter(str(err)) from None

    return {"parser": parse, "metavar": "FILE.csv"}


def share() -> dict[str, Any]:
    """``parser`` and ``metavar`` for a share strictly between 0 and 1 (``--test-share``)."""

    def parse(value: str | float) -> float:
        number = value if isinstance(value, float) else _finite_number(value, 0.0, inclusive=False)
        if not 0 < number < 1:
            raise typer.BadParameter(f"must be a number between 0 and 1, such as 0.3; got {value}")
        return number

    return {"parser": parse, "metavar": "SHARE"}
