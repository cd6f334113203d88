"""``beans data``: draw the lesson's beans, save their scatter plot and, optionally, a CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..files import OutputError, WrongKindError, plot_format, prepare_outputs
from .errors import fail
from .options import LANG_HELP, SUFFIXES_TEXT, language, output_path, whole
from .signals import exit_code


def beans_csv(xs, ys) -> str:
    """The beans as CSV text: header ``size,toxicity``, every float at full (repr) precision."""
    rows = [f"{float(x)!r},{float(y)!r}" for x, y in zip(xs, ys, strict=True)]
    return "size,toxicity\n" + "\n".join(rows) + "\n"


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
    beans: Annotated[int, typer.Option("--beans", **whole(1), help="How many beans to draw.")] = 100,
    data_seed: Annotated[int, typer.Option("--data-seed", **whole(0), help="Seed of the beans' random draws.")] = 0,
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
    """Draw the lesson's beans and save their size-toxicity scatter plot (and, with --csv, the data)."""
    from ..config import ConfigError, check_data_memory

    try:
        fmt = plot_format(out, "--out")
        check_data_memory(beans)
    except ConfigError as err:
        fail(f"Invalid value for '--beans': {err}", 2)
    except ValueError as err:
        fail(str(err), 2)  # checked before anything is drawn or written
    try:  # every folder is made and checked before the first file is written
        prepared = prepare_outputs([("--out", out, False), ("--csv", csv, False)])
    except OutputError as err:
        fail(str(err), 2 if isinstance(err, WrongKindError) else 1)

    from .. import kernels
    from ..files import StagedFiles

    try:
        xs, ys = kernels.get_beans(beans, data_seed)
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
