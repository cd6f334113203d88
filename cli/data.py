"""``beans data``: draw beans (the lesson's, or another curve's) or read a CSV; save their scatter plot and a CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..files import OutputError, WrongKindError, plot_format, prepare_outputs
from ..kernels.checks import CURVES
from .errors import fail
from .options import (
    CURVE_HELP,
    LANG_HELP,
    SUFFIXES_TEXT,
    choice,
    data_file,
    language,
    non_negative_number,
    output_path,
    whole,
)
from .signals import exit_code


def beans_figure(xs, ys, lang: str = "en"):
    """The lesson's "Size-Toxicity Function" scatter plot of the beans, as a matplotlib Figure, in ``lang``."""
    from .figures import Figure, use_language
    from .plots import TRAINING_COLOUR
    from .words import words

    use_language(lang)
    w = words(lang)
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = fig.add_subplot()
    ax.scatter(xs, ys, color=TRAINING_COLOUR)
    ax.set_title(w["beans_title"], fontsize=12)
    ax.set_xlabel(w["bean_size"])
    ax.set_ylabel(w["toxicity"])
    return fig


def save_beans_plot(path: Path, xs, ys, fmt: str, write=None, lang: str = "en") -> Path:
    """``beans_figure`` written whole to ``path`` in format ``fmt``, with ``write`` (default: atomically)."""
    from ..files import write_atomic

    fig = beans_figure(xs, ys, lang)
    return (write or write_atomic)(path, lambda tmp: fig.savefig(tmp, format=fmt))


def data(
    beans: Annotated[
        int | None, typer.Option("--beans", **whole(1), show_default="100", help="How many beans to draw.")
    ] = None,
    data_seed: Annotated[
        int | None, typer.Option("--data-seed", **whole(0), show_default="0", help="Seed of the beans' random draws.")
    ] = None,
    curve: Annotated[str, typer.Option("--curve", **choice(CURVES), help=CURVE_HELP)] = "hill",
    noise: Annotated[
        float,
        typer.Option("--noise", parser=non_negative_number, metavar="FLOAT", help="Scale of the lesson's label noise."),
    ] = 1.0,
    from_file: Annotated[
        Any, typer.Option("--data", **data_file(), help="Plot the beans of this CSV instead of drawing them.")
    ] = None,
    out: Annotated[
        Path,
        typer.Option("--out", metavar="PATH", parser=output_path, help=f"Scatter plot to write ({SUFFIXES_TEXT})."),
    ] = Path("beans-out/beans.png"),
    csv: Annotated[
        Path | None,
        typer.Option("--csv", metavar="PATH", parser=output_path, help="Also write the beans as CSV (size,toxicity)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
    lang: Annotated[str, typer.Option("--lang", **language(), help=LANG_HELP)] = "en",
) -> None:
    """Draw the lesson's beans and save their size-toxicity scatter plot (and, with --csv, the data).

    --curve draws another curve; --data FILE.csv plots (and with --csv copies) a file's beans.
    """
    if from_file is not None:
        given = {"--beans": beans is not None, "--data-seed": data_seed is not None}
        given |= {"--curve": curve != "hill", "--noise": noise != 1.0}
        for option, is_given in given.items():
            if is_given:
                raise typer.BadParameter("draws beans; with --data the beans are the file's", param_hint=f"'{option}'")
    from ..config import ConfigError, check_data_memory

    try:
        fmt = plot_format(out, "--out")
        check_data_memory(100 if beans is None else beans)
    except ConfigError as err:
        fail(f"Invalid value for '--beans': {err}", 2)
    except ValueError as err:
        fail(str(err), 2)  # checked before anything is drawn or written
    try:  # every folder is made and checked before the first file is written
        prepared = prepare_outputs([("--out", out, False), ("--csv", csv, False)])
    except OutputError as err:
        fail(str(err), 2 if isinstance(err, WrongKindError) else 1)

    from .. import kernels
    from ..bean_files import beans_csv
    from ..files import StagedFiles

    try:
        if from_file is not None:
            xs, ys = from_file.xs, from_file.ys
        else:
            xs, ys = kernels.get_beans(100 if beans is None else beans, data_seed or 0, noise, curve)
        with StagedFiles() as staged:  # all or nothing: no CSV without its plot
            if csv is not None:
                text = beans_csv(xs, ys)
                staged.write(csv, lambda tmp: tmp.write_text(text, encoding="utf-8"))
            save_beans_plot(out, xs, ys, fmt, write=staged.write, lang=lang)
    except BaseException as err:  # the staged files are gone already; the folders made go too
        prepared.cleanup()
        if isinstance(err, OutputError):
            fail(str(err), 1)
        if isinstance(err, KeyboardInterrupt):  # Ctrl-C, SIGTERM, SIGHUP
            fail("interrupted; none of this command's files were written", exit_code(err))
        raise
    if not quiet:
        for path in staged.written:
            typer.echo(f"wrote {path}", err=True)
