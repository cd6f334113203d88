"""``beans bench``: time every engine on one workload and print one table.

Only Typer is imported at module level; rich, numba (through ``beans.benchmark.timing``) and matplotlib
are imported inside the command, so ``beans --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..benchmark import engines as known_engines  # names only: no numba yet
from ..config import TrainConfig
from ..files import OutputError, WrongKindError, plot_format, prepare_outputs
from ..kernels.shape import ACTIVATIONS, Shape  # numpy only
from .errors import fail
from .options import SUFFIXES_TEXT, choice, hidden_layers, output_path, whole
from .signals import exit_code

if TYPE_CHECKING:
    from rich.table import Table

    from ..benchmark.timing import Result, Workload

# (epochs, repeat, seconds per timed run) for a default run and for --quick; a full run
# trains the lesson's epochs
DEFAULTS = {"full": (TrainConfig.epochs, 5, 2.0), "quick": (200, 3, 0.1)}
SEEDS = 64
MAX_SEEDS, MAX_REPEAT = 100_000, 1000


def bench(
    seeds: Annotated[
        int, typer.Option(**whole(1, MAX_SEEDS), help="Seeds trained together (one workload for all).")
    ] = SEEDS,
    epochs: Annotated[
        int | None,
        typer.Option(
            **whole(1),
            help="Epochs for fast engines; slow ones run fewer. "
            f"(default {DEFAULTS['full'][0]}; {DEFAULTS['quick'][0]} with --quick)",
        ),
    ] = None,
    repeat: Annotated[
        int | None,
        typer.Option(
            **whole(1, MAX_REPEAT),
            help="Timed runs per engine; the median counts. "
            f"(default {DEFAULTS['full'][1]}; {DEFAULTS['quick'][1]} with --quick)",
        ),
    ] = None,
    engines: Annotated[
        str | None,
        typer.Option(
            help=f"Comma-separated engines to run, in table order: {', '.join(known_engines.ABOUT)}. (default: all)"
        ),
    ] = None,
    quick: Annotated[bool, typer.Option("--quick", help="A short run: fewer epochs and repeats.")] = False,
    compile_times: Annotated[
        bool, typer.Option("--compile/--no-compile", help="Measure JIT compile and cached-load times.")
    ] = True,
    json_path: Annotated[
        Path | None, typer.Option("--json", parser=output_path, help="Save the results as JSON here.")
    ] = None,
    plot_path: Annotated[
        Path | None,
        typer.Option("--plot", parser=output_path, help=f"Save a bar chart of ns per step here ({SUFFIXES_TEXT})."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes on stderr.")] = False,
    peers: Annotated[
        bool,
        typer.Option("--peers", help='Add rows for JAX and PyTorch on the same job (pip install "beans[peers]").'),
    ] = False,
    hidden: Annotated[
        Any,
        typer.Option(
            "--hidden",
            **hidden_layers(),
            show_default="2",
            help="Time another network: hidden layer widths joined by 'x', e.g. 8 or 4x4.",
        ),
    ] = TrainConfig.hidden,
    activation: Annotated[
        str, typer.Option(**choice(ACTIVATIONS), help="The hidden neurons' activation.")
    ] = TrainConfig.activation,
) -> None:
    """Time the lesson's loop in every engine: ns per SGD step, speedup, compile time.

    The lesson's loop as written (python-lesson) is the baseline; the C rows need a C
    compiler. See the README's "beans bench" section for each engine. --peers adds
    jax, torch-autograd and torch-batched rows, each where its library is installed.

    Every engine first trains a short common workload that is checked against
    sgd_python; one that differs by more than the agreement tolerance is marked
    WRONG (a note under the table says by how much) and gets no speedup.

    --hidden/--activation time another network: python (sgd_python, then the
    reference and the baseline), jit-many-1, jit-many-all (the net's own generated kernel),
    jit-many-rts (the run-time-shaped kernel) and, for one hidden layer of sigmoid neurons,
    c-lanes; the engines written for the 1-2-1 alone sit out with a note. The compile
    and run columns show both kernels' costs; a line under the table names the kernel
    beans train picks for this job and why.
    """
    mode = "quick" if quick else "full"
    epochs = epochs if epochs is not None else DEFAULTS[mode][0]
    repeat = repeat if repeat is not None else DEFAULTS[mode][1]
    budget_s = DEFAULTS[mode][2]
    names = choose_engines(engines, tuple(known_engines.ABOUT))  # before numba loads: a typo fails at once
    shape = Shape(hidden, activation)
    if shape != Shape() and not peers:
        sits_out = set(known_engines.LESSON_ONLY)
        if len(shape.hidden) > 1 or shape.activation != "sigmoid":
            sits_out.add("c-lanes")
        if set(names) <= sits_out:
            can = ", ".join(known_engines.ANY_SHAPE)
            fail(f"--engines: none of {', '.join(names)} trains a {shape} net; choose from {can}")
    if plot_path is not None:
        try:
            plot_format(plot_path, "--plot")
        except ValueError as err:
            fail(str(err))
    try:
        prepared = prepare_outputs([("--json", json_path, False), ("--plot", plot_path, False)])
    except WrongKindError as err:  # a folder where a file belongs: a usage error, as in train and data
        fail(str(err), code=2)
    except OutputError as err:
        fail(str(err), code=1)
    try:
        _run(names, seeds, epochs, repeat, budget_s, compile_times, json_path, plot_path, quiet, peers, shape)
    except KeyboardInterrupt as err:  # Ctrl-C, SIGTERM, SIGHUP: the staged files are gone already
        prepared.cleanup()
        fail("interrupted; none of this command's files were written", exit_code(err))
    except OutputError as err:
        prepared.cleanup()
        fail(str(err), code=1)
    except BaseException:  # anything unforeseen: still leave no empty folders behind
        prepared.cleanup()
        raise


def _run(
    names: list[str],
    seeds: int,
    epochs: int,
    repeat: int,
    budget_s: float,
    compile_times: bool,
    json_path: Path | None,
    plot_path: Path | None,
    quiet: bool,
    peers: bool = False,
    shape: Shape | None = None,
) -> None:
    """Time, print, save; every option and output path has been checked. The files appear together or not at all."""
    from rich.console import Console

    from ..benchmark import timing  # numba starts here, not at `beans --help`
    from ..files import StagedFiles, to_stdout

    shape = shape or Shape()
    work = timing.Workload(seeds=seeds, epochs=epochs, hidden=shape.hidden, activation=shape.activation)
    if work.lesson:
        chosen, left_out, baseline = dict(timing.ENGINES), {}, timing.BASELINE
    else:
        (chosen, left_out), baseline = timing.shape_engines(shape), known_engines.SHAPE_BASELINE
    sitting_out = [(name, left_out[name]) for name in names if name in left_out]
    chosen = {name: chosen[name] for name in names if name in chosen}
    if peers:
        from ..benchmark.peers import peer_engines

        for name, engine in peer_engines().items():
            if work.lesson:
                chosen[name] = engine
            else:
                sitting_out.append((name, "the peers are written for the 1-2-1 only"))
    err_console = Console(stderr=True, quiet=quiet)
    results, skipped = run_all(timing, chosen, work, repeat, budget_s, compile_times, err_console, baseline)
    skipped = sitting_out + skipped

    kernel = kernel_choice(work, timing.kernels.max_threads())

    def print_table(stdout) -> None:
        out = Console(file=stdout, width=None if stdout.isatty() else 132)
        out.print(render_table(results, work))
        for line in footnotes(results, timing, baseline):
            out.print(line, soft_wrap=True, highlight=False)
        out.print(
            f"kernel beans train picks for this job on a net's first run: {kernel['kind']} ({kernel['reason']})",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )

    to_stdout(print_table)
    for name, why in skipped:
        err_console.print(f"note: {name} skipped: {why}", soft_wrap=True, highlight=False, markup=False)

    # All files or none, as in train: both are staged and renamed together when the block ends.
    with StagedFiles() as staged:
        if json_path is not None:
            doc = to_json(results, skipped, work, repeat, timing.environment(list(chosen.values())), baseline)
            doc["kernel_choice"] = kernel
            # strict JSON: to_json has turned every NaN/inf into null, and results.dumps proves it
            from ..results import dumps as results_json

            text = results_json(doc)
            staged.write(json_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        if plot_path is not None:
            save_plot(plot_path, results, work, write=staged.write)
    for path in staged.written:
        err_console.print(f"saved {path}", highlight=False)


def kernel_choice(work, threads: int) -> dict:
    """What ``kernels.choice.plan`` picks for the workload's SGD steps, with the run-time-shaped kernel
    compiled and the net's own not yet: what ``beans train`` does on a new net's first run."""
    from ..kernels.choice import plan
    from ..kernels.codegen import GENERATED_MAX_PARAMS
    from ..kernels.shape import Shape

    shape = work.shape
    steps = work.seeds * work.epochs * work.beans
    can_generate = shape.n_params <= GENERATED_MAX_PARAMS
    decided = plan(steps, shape.n_params, threads, False, True, can_generate, lesson=shape == Shape())
    return {"kind": decided.kind, "reason": decided.reason, "steps": steps, "threads": threads}


def choose_engines(spec: str | None, known: tuple[str, ...]) -> list[str]:
    """The engines named in ``spec`` (comma list), in ``known``'s order; all when None."""
    if spec is None:
        return list(known)
    names = [name.strip() for name in spec.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        what = f"unknown engine {', '.join(map(repr, unknown))}" if unknown else "no engine named"
        fail(f"--engines: {what}; choose from {', '.join(known)}")
    return [name for name in known if name in names]


def run_all(
    timing, chosen: dict, work: Workload, repeat: int, budget_s: float, compile_times: bool, console, baseline=None
):
    """Time each available engine, then the compile probes; returns (results, [(name, reason) skipped]).

    Speedups are over ``baseline`` (``timing.BASELINE`` when None).
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    data = work.data()
    results, ran, skipped = [], [], []
    steps = len(chosen) + (1 if compile_times else 0)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with progress:
        task = progress.add_task("bench", total=steps)

        def say(message: str) -> None:
            progress.update(task, description=message)
            if not console.is_terminal:
                console.print(f"bench: {message}", highlight=False)

        for name, engine in chosen.items():
            why_not = engine.available()
            if why_not is not None:
                skipped.append((name, why_not))
            else:
                say(f"{name}: checking, then timing")
                results.append(timing.run_engine(engine, work, data, repeat, budget_s))
                ran.append(engine)
            progress.advance(task)
        if compile_times:
            timing.add_compile_times(ran, results, say)
            progress.advance(task)
    timing.add_speedups(results, baseline or timing.BASELINE)
    return results, skipped


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def speedup_text(speedup: float) -> str:
    """``1,234x`` for big speedups, ``1.23x`` for small ones."""
    return f"{speedup:,.0f}x" if speedup >= 10 else f"{speedup:.2f}x"


def render_table(results: list[Result], work: Workload) -> Table:
    """The results as a rich Table: numbers right-justified, wrong engines flagged."""
    from rich.table import Table

    net = "" if work.lesson else f"a {work.shape} net, "
    table = Table(
        title=f"beans bench: {net}{work.seeds} seeds x {work.beans} beans, up to {work.epochs} epochs, lr {work.lr}",
        title_justify="left",
    )
    table.add_column("engine")
    table.add_column("threads", justify="right")
    table.add_column("steps timed", justify="right")
    table.add_column("ns/step", justify="right")
    table.add_column("steps/s", justify="right")
    table.add_column("speedup", justify="right")
    table.add_column("compile s", justify="right")
    table.add_column("cached s", justify="right")
    table.add_column("agrees", justify="center")
    for r in results:
        if r.error:
            agrees = "ERROR"
        else:
            agrees = "yes" if r.agrees else "WRONG"
        table.add_row(
            r.name,
            str(r.threads),
            _num(r.steps, ",d"),
            _num(r.ns_per_step, ",.1f"),
            _num(r.steps_per_s, ".3g"),
            "-" if r.speedup is None else speedup_text(r.speedup),
            _num(r.compile_s, ".2f"),
            _num(r.cached_s, ".2f"),
            agrees,
        )
    return table


def footnotes(results: list[Result], timing, baseline: str | None = None) -> list[str]:
    """Lines under the table: wrong engines and errors, then ratios to the C reference.

    ``baseline``: the engine speedups are over (``timing.BASELINE`` when None); at another
    shape the reference is ``sgd_python``.
    """
    baseline = baseline or timing.BASELINE
    reference = "sgd_python" if baseline == timing.BASELINE else "sgd_python"
    lines = []
    for r in results:
        if r.error:
            lines.append(f"{r.name}: {r.error}")
        elif not r.agrees:
            lines.append(
                f"{r.name}: WRONG, differs from {reference} by {r.max_abs_diff:.3g} "
                f"(> {timing.AGREE_TOL:g}); no speedup"
            )
    by_name = {r.name: r for r in results if r.ns_per_step and r.agrees}
    pairs = [("jit", "c-scalar"), ("jit-many-1", "c-lanes"), ("jit-many-all", "c-lanes")]
    ratios = [ratio_text(by_name[mine], by_name[ref]) for mine, ref in pairs if mine in by_name and ref in by_name]
    if ratios:
        lines.append("time per step vs C: " + ", ".join(ratios))
    if baseline not in {r.name for r in results}:
        lines.append(f"speedups need the {baseline} baseline in --engines")
    return lines


def ratio_text(mine: Result, ref: Result) -> str:
    """``jit 1.05x c-scalar``: mine's time per step over ref's; thread counts shown when they differ."""

    def label(r: Result) -> str:
        return r.name if mine.threads == ref.threads else f"{r.name} ({r.threads} thread{'s' * (r.threads != 1)})"

    return f"{label(mine)} {mine.ns_per_step / ref.ns_per_step:.2f}x {label(ref)}"


def to_json(
    results: list[Result],
    skipped: list[tuple[str, str]],
    work: Workload,
    repeat: int,
    env: dict,
    baseline: str | None = None,
) -> dict:
    """The JSON document saved by ``--json``; speedups over ``baseline`` (``timing.BASELINE`` when None)."""
    from dataclasses import asdict

    from ..benchmark.timing import AGREE_EPOCHS, AGREE_SEEDS, AGREE_TOL, BASELINE

    reference = "sgd_python" if work.lesson else "sgd_python"
    return {
        "workload": {**asdict(work), "repeat": repeat},
        "agreement": {"reference": reference, "tolerance": AGREE_TOL, "seeds": AGREE_SEEDS, "epochs": AGREE_EPOCHS},
        "baseline": baseline or BASELINE,
        "engines": [r.to_json() for r in results],
        "skipped": [{"name": name, "reason": why} for name, why in skipped],
        "versions": env,
    }


def save_plot(path: Path, results: list[Result], work: Workload, write=None) -> None:
    """Horizontal bars of ns per step on a log axis, fastest at the bottom, speedup on each bar."""
    from .figures import Figure

    rows = [r for r in results if r.ns_per_step]
    fig = Figure(figsize=(8, 0.5 * len(rows) + 1.6), layout="constrained")
    ax = fig.add_subplot()
    names = [r.name for r in rows]
    values = [r.ns_per_step for r in rows]
    colours = ["tab:blue" if r.agrees else "tab:red" for r in rows]
    bars = ax.barh(names, values, color=colours)
    ax.set_xscale("log")
    ax.invert_yaxis()  # table order, top to bottom
    ax.set_xlabel("ns per SGD step (log scale; shorter is faster)")
    net = "" if work.lesson else f"a {work.shape} net, "
    ax.set_title(f"beans bench: {net}{work.seeds} seeds x {work.beans} beans", loc="left")
    if values:
        ax.set_xlim(min(values) / 2, max(values) * 8)  # room for the labels right of the bars
    for bar, r in zip(bars, rows, strict=True):
        if not r.agrees:
            label = "wrong"
        elif r.speedup is None:
            label = f"{r.ns_per_step:,.1f} ns"
        else:
            label = f"{r.ns_per_step:,.1f} ns, {speedup_text(r.speedup)}"
        ax.text(bar.get_width() * 1.1, bar.get_y() + bar.get_height() / 2, label, va="center", fontsize=9)
    from ..files import write_atomic

    fmt = plot_format(path, "--plot")
    (write or write_atomic)(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=120))
