"""``beans check``: a learner's own copy of the lesson's script, held against the lesson step by step.

Exit codes: 0 the script matches the lesson; 1 it differs, stops with its own error, or runs
past the time limit; 2 it does not follow the lesson's names (or a bad option).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .errors import fail
from .options import choice, output_folder, whole
from .tutor_words import LANGS, words

EXAMPLE_FILES = ("dataset.py", "one_hidden_layer_net.py")
# Lines of the learner's traceback shown: the failing line and the message, not a wall of text.
ERROR_LINES = 6


def check(
    script: Annotated[
        Path | None,
        typer.Argument(
            metavar="SCRIPT.py", help="Your copy of the lesson's one_hidden_layer_net.py.", show_default=False
        ),
    ] = None,
    epochs: Annotated[int, typer.Option("--epochs", **whole(1, 100), help="Epochs of your loop to check.")] = 3,
    seed: Annotated[int, typer.Option("--seed", **whole(0, 2**32 - 1), help="np.random.seed before your script.")] = 0,
    time_limit: Annotated[
        int, typer.Option("--time-limit", **whole(1, 3600), help="Seconds your script may run before it is stopped.")
    ] = 60,
    lang: Annotated[str, typer.Option("--lang", **choice(LANGS), help="Language of the report.")] = "en",
    example: Annotated[
        bool, typer.Option("--example", help="Write the lesson's dataset.py and script under --out, to try.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", parser=output_folder, show_default="beans-lesson", help="With --example.")
    ] = None,
) -> None:
    """Check your transcription of the lesson's script against the lesson, step by step.

    Runs SCRIPT.py in a process of its own (no window, a few epochs, a time limit) and reports
    the first value that differs from the lesson's arithmetic, started from your script's own
    beans and start values. Your files are never changed.
    """
    say = words(lang)
    if example:
        if script is not None:
            fail("give SCRIPT.py or --example, not both")
        _write_example(out or Path("beans-lesson"), say)
        return
    if out is not None:
        raise typer.BadParameter("only makes sense with --example", param_hint="'--out'")
    if script is None:
        fail("give the script to check (SCRIPT.py), or --example to write the lesson's to try")
    if not script.is_file():
        fail(f"{script} is not a file" if script.exists() else f"{script} does not exist")

    from ..kernels.step import LESSON_ORDER
    from ..tutor import REQUIRED, ScriptTimeout, compare, run_script

    looked_for = ", ".join(dict.fromkeys((*REQUIRED, *LESSON_ORDER)))
    try:
        run = run_script(script, epochs, seed, time_limit)
    except ScriptTimeout:
        fail(say("timeout", script=script, epochs=epochs, limit=time_limit), 1)
    if run.status == "error":
        typer.echo(say("your_error", script=script), err=True)
        typer.echo("\n".join(run.error.splitlines()[-ERROR_LINES:]), err=True)
        raise typer.Exit(1)
    if run.status == "no_loop":
        fail(say("no_loop", script=script, names=looked_for), 2)
    if run.status == "names":
        fail(say("names", script=script, missing=", ".join(run.missing), names=looked_for), 2)
    finding, compared = compare(run)
    if finding is None:
        samples = len(run.samples)
        typer.echo(
            say("matches", script=script, names=len(compared), samples=samples, epochs=-(-samples // len(run.xs)))
        )
        skipped = [name for name in LESSON_ORDER if name not in compared]
        if skipped:
            typer.echo(say("not_compared", names=", ".join(skipped)))
        return
    _print_finding(finding, script, say)
    raise typer.Exit(1)


def _print_finding(finding, script: Path, say) -> None:
    """The first difference: where, both values, and what it usually means."""
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=True)
    console.print(
        say("differs", script=script, name=finding.name, epoch=finding.epoch, bean=finding.bean),
        markup=False,
        highlight=False,
    )
    table = Table(show_header=True)
    table.add_column(say("name"))
    table.add_column(say("yours"), justify="right")
    table.add_column(say("lessons"), justify="right")
    learner = finding.learner if isinstance(finding.learner, str) else f"{finding.learner:.17g}"
    table.add_row(finding.name, learner, f"{finding.lesson:.17g}")
    console.print(table)
    console.print(say(f"hint_{finding.hint.kind}", **finding.hint.args), markup=False, highlight=False)


def _write_example(folder: Path, say) -> None:
    """The lesson's two files under ``folder``, never over a file that is there already."""
    from importlib.resources import files

    from ..files import OutputError, StagedFiles, WrongKindError, prepare_outputs

    targets = [folder / name for name in EXAMPLE_FILES]
    for path in targets:
        if path.exists():
            fail(f"{path} exists already; beans check --example never overwrites a file (give another --out)", 1)
    try:
        prepared = prepare_outputs([("--out", folder, True), *(("--out", path, False) for path in targets)])
    except OutputError as err:
        fail(str(err), 2 if isinstance(err, WrongKindError) else 1)
    try:
        with StagedFiles() as staged:
            for path in targets:
                text = files("beans").joinpath("example", path.name).read_bytes()
                staged.write(path, lambda tmp, text=text: tmp.write_bytes(text))
    except OutputError as err:
        prepared.cleanup()
        fail(str(err), 1)
    for path in staged.written:
        typer.echo(say("wrote", path=path), err=True)
    typer.echo(say("try", path=folder / EXAMPLE_FILES[1]), err=True)
