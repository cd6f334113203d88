"""``beans train``: train many seeds at once, show the results, save plots and JSON.

Everything is checked before training starts (options, then output paths), so a bad
command fails in a moment and leaves nothing behind; the files are staged and renamed into
place together, so a run leaves its whole set of files or none of them.
Heavy modules (kernels -> numba, rich) are imported inside the command, so ``beans --help``
stays fast; matplotlib loads in a helper process (``cli.figure_process``) that draws the
figures while this one trains, and here only if that helper fails.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from ..config import ENGINES, MAX_EPOCHS, TrainConfig
from ..files import PLOT_FORMATS, OutputError, WrongKindError, prepare_outputs
from ..kernels.checks import CURVES
from ..kernels.shape import ACTIVATIONS
from .compile_ahead import CompileAhead
from .errors import fail
from .options import (
    CURVE_HELP,
    HIDDEN_HELP,
    INIT_HELP,
    LANG_HELP,
    choice,
    data_file,
    hidden_layers,
    language,
    non_negative_number,
    number_in,
    output_folder,
    output_path,
    positive_number,
    share,
    start_rule,
    whole,
)
from .signals import exit_code

# The figures a run saves under --out (``cli.plots.save_plots``), checked writable up front.
PLOT_NAMES = ("fit", "loss", "neurons")

# The python engine's estimate times this many SGD steps (a few ms) before the real run.
ESTIMATE_PROBE_STEPS = 2000

# --seconds-per-frame: from the GIF's shortest frame (cli.animation.MIN_FRAME_SECONDS, not imported
# here: it loads matplotlib) to a minute, already a slide show.
FRAME_SECONDS_RANGE = (0.02, 60.0)


def _json_target(value: str) -> str:
    """Typer parser for --json: ``-`` (stdout) or a file name, never a folder's."""
    return value if value == "-" else str(output_path(value))


def _check_animate(
    path: Path | None, seed: int | None, seeds: tuple[int, ...], live: bool = False, seconds_per_frame=None
) -> None:
    """--animate wants a .gif name; --animate-seed (for --animate or --live) must be one of this run's
    seeds; --seconds-per-frame paces the GIF or the window, so it wants one of them."""
    if path is not None and path.suffix.lower() != ".gif":
        raise typer.BadParameter(f"the file name must end in .gif, got {path}", param_hint="'--animate'")
    if seconds_per_frame is not None and path is None and not live:
        raise typer.BadParameter(
            "only makes sense with --animate PATH.gif or --live", param_hint="'--seconds-per-frame'"
        )
    if seed is None:
        return
    if path is None and not live:
        raise typer.BadParameter("only makes sense with --animate PATH.gif or --live", param_hint="'--animate-seed'")
    if seed not in seeds:
        raise typer.BadParameter(
            f"must be one of this run's seeds {seeds[0]}..{seeds[-1]}, got {seed}", param_hint="'--animate-seed'"
        )


def _check_bean_sources(data, test_data, test_share, beans, data_seed, test_beans, curve: str, noise: float) -> None:
    """Options that draw beans or hold them out, each given only where it means something."""
    drawing = {
        "--beans": beans is not None,
        "--curve": curve != TrainConfig.curve,
        "--noise": noise != TrainConfig.noise,
    }
    if data is not None:
        for option, given in drawing.items():
            if given:
                raise typer.BadParameter("draws beans; with --data the beans are the file's", param_hint=f"'{option}'")
        if data_seed is not None and test_share is None:
            raise typer.BadParameter(
                "draws beans; with --data the beans are the file's (with --test-share it picks the held-out rows)",
                param_hint="'--data-seed'",
            )
    if test_share is not None and data is None:
        raise typer.BadParameter("splits the --data beans; give --data FILE.csv too", param_hint="'--test-share'")
    if test_share is not None and test_data is not None:
        raise typer.BadParameter("give --test-data or --test-share, not both", param_hint="'--test-share'")
    if test_beans is not None and (data is not None or test_data is not None):
        raise typer.BadParameter(
            "draws held-out beans; with --data or --test-data they come from --test-data or --test-share",
            param_hint="'--test-beans'",
        )


def _python_estimate(kernels, config) -> float:
    """Seconds the python engine will need, from timing a few thousand of its steps."""
    xs, ys = config.bean_sets()[:2]
    # a step of a wider net costs more: probe the run's own shape, at least one epoch of it
    probe_epochs = max(1, ESTIMATE_PROBE_STEPS // config.beans)
    shape = config.shape
    began = time.perf_counter()
    kernels.sgd_python(kernels.init_params(config.seeds[0], shape), xs, ys, probe_epochs, config.lr, shape)
    per_step = (time.perf_counter() - began) / (probe_epochs * config.beans)
    return per_step * len(config.seeds) * config.epochs * config.beans


def train(
    seeds: Annotated[int, typer.Option("--seeds", **whole(1), help="How many random starts to train.")] = 1,
    hidden: Annotated[
        Any, typer.Option("--hidden", **hidden_layers(), show_default="2", help=HIDDEN_HELP)
    ] = TrainConfig.hidden,
    activation: Annotated[
        str,
        typer.Option(
            "--activation", **choice(ACTIVATIONS), help="Of the hidden neurons; the output neuron is a sigmoid."
        ),
    ] = TrainConfig.activation,
    seed_start: Annotated[
        int, typer.Option("--seed-start", **whole(0), help="First seed; seeds are SEED_START .. SEED_START+SEEDS-1.")
    ] = 0,
    epochs: Annotated[
        int, typer.Option("--epochs", **whole(0, MAX_EPOCHS), help="Passes over the beans.")
    ] = TrainConfig.epochs,
    lr: Annotated[
        float, typer.Option("--lr", parser=positive_number, metavar="FLOAT", help="Learning rate, finite and > 0.")
    ] = TrainConfig.lr,
    beans: Annotated[
        int | None,
        typer.Option(
            "--beans", **whole(2), show_default=str(TrainConfig.beans), help="How many training beans to draw."
        ),
    ] = None,
    data_seed: Annotated[
        int | None,
        typer.Option(
            "--data-seed", **whole(0), show_default=str(TrainConfig.data_seed), help="Seed of the training beans."
        ),
    ] = None,
    noise: Annotated[
        float,
        typer.Option(
            "--noise",
            parser=non_negative_number,
            metavar="FLOAT",
            help="Scale of the lesson's label noise; 1: the lesson's beans.",
        ),
    ] = TrainConfig.noise,
    curve: Annotated[str, typer.Option("--curve", **choice(CURVES), help=CURVE_HELP)] = TrainConfig.curve,
    init: Annotated[str, typer.Option("--init", **start_rule(), help=INIT_HELP)] = TrainConfig.init,
    data: Annotated[
        Any,
        typer.Option(
            "--data", **data_file(), help="Train on the beans of this CSV (size,toxicity, as beans data --csv writes)."
        ),
    ] = None,
    test_beans: Annotated[
        int | None,
        typer.Option(
            "--test-beans",
            **whole(0),
            show_default=str(TrainConfig.test_beans),
            help="Held-out beans (from DATA_SEED+1) to test each seed on; 0: none.",
        ),
    ] = None,
    test_data: Annotated[
        Any, typer.Option("--test-data", **data_file(), help="Test each seed on the beans of this CSV instead.")
    ] = None,
    test_share: Annotated[
        float | None,
        typer.Option(
            "--test-share", **share(), help="Hold out this share of the --data beans (chosen by --data-seed)."
        ),
    ] = None,
    snapshot_every: Annotated[
        int,
        typer.Option(
            "--snapshot-every", **whole(1, MAX_EPOCHS), help="Record loss and parameters every this many epochs."
        ),
    ] = TrainConfig.snapshot_every,
    out: Annotated[
        Path, typer.Option("--out", parser=output_folder, help="Directory for results.json and the plots.")
    ] = Path("beans-out"),
    threads: Annotated[
        int | None,
        typer.Option("--threads", **whole(1), show_default="all cores", help="Threads for the jit engine (jit only)."),
    ] = None,
    engine: Annotated[
        str,
        typer.Option("--engine", **choice(ENGINES), help="jit: the numba kernel; python: the pure-Python loop (slow)."),
    ] = TrainConfig.engine,
    json_path: Annotated[
        str | None,
        typer.Option(
            "--json",
            metavar="PATH",
            parser=_json_target,
            help="Also write the results JSON to PATH; '-' prints it to stdout instead of the table.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no messages.")] = False,
    no_plot: Annotated[bool, typer.Option("--no-plot", help="Skip the fit, loss and neurons plots.")] = False,
    plot_format: Annotated[
        str, typer.Option("--plot-format", **choice(PLOT_FORMATS), help="File format of the plots.")
    ] = "png",
    animate: Annotated[
        Path | None,
        typer.Option(
            "--animate", metavar="PATH.gif", parser=output_path, help="Also save a GIF of one seed's training."
        ),
    ] = None,
    animate_seed: Annotated[
        int | None,
        typer.Option(
            "--animate-seed", **whole(), show_default="the best seed", help="Which seed --animate and --live show."
        ),
    ] = None,
    live: Annotated[
        bool,
        typer.Option(
            "--live", help="Show the training in a window as it runs (needs a display; --animate saves a GIF)."
        ),
    ] = False,
    seconds_per_frame: Annotated[
        float | None,
        typer.Option(
            "--seconds-per-frame",
            **number_in(*FRAME_SECONDS_RANGE),
            show_default="GIF 0.1; --live as fast as it trains",
            help="Slow --animate's GIF and the --live window for a class: show each snapshot this long "
            "(--live plays the run back once it is trained).",
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", **language(), help=LANG_HELP)] = "en",
) -> None:
    """Train a network (the lesson's 1-2-1 by default) from many random seeds at once and save the results.

    Prints a results table (best seed first) and writes results.json, fit.png, loss.png and
    neurons.png under --out. --live shows the curves in a window as they train.
    """
    if threads is not None and engine != "jit":
        raise typer.BadParameter(
            "only the jit engine uses threads; leave it out with --engine python", param_hint="'--threads'"
        )
    _check_bean_sources(data, test_data, test_share, beans, data_seed, test_beans, curve, noise)
    from ..config import ConfigError, TrainConfig, check_memory

    try:
        config = TrainConfig(
            seeds=range(seed_start, seed_start + seeds),
            hidden=hidden,
            activation=activation,
            epochs=epochs,
            lr=lr,
            beans=TrainConfig.beans if beans is None else beans,
            data_seed=TrainConfig.data_seed if data_seed is None else data_seed,
            noise=noise,
            curve=curve,
            init=init,
            data=data,
            test_data=test_data,
            test_share=test_share,
            snapshot_every=snapshot_every,
            threads=threads,
            engine=engine,
            test_beans=TrainConfig.test_beans if test_beans is None else test_beans,
            record_params=animate is not None or live,  # only the GIF and the window draw past parameters
        )
        check_memory(config, plots=not no_plot)  # the plots draw every seed
    except ConfigError as err:
        raise typer.BadParameter(str(err), param_hint=f"'--{err.setting.replace('_', '-')}'") from err

    _check_animate(animate, animate_seed, config.seeds, live, seconds_per_frame)
    window = _open_window(config, animate_seed, seconds_per_frame, lang) if live else None

    json_to_stdout = json_path == "-"
    json_file = None if json_path in (None, "-") else Path(json_path)
    try:
        plots = [] if no_plot else [out / f"{name}.{plot_format}" for name in PLOT_NAMES]
        prepared = prepare_outputs(
            [("--out", out, True), *(("--out", path, False) for path in [out / "results.json", *plots])]
            + [("--json", json_file, False), ("--animate", animate, False)]
        )
    except OutputError as err:
        fail(str(err), 2 if isinstance(err, WrongKindError) else 1)
    figures = None  # the FigureProcess drawing the plots; None: drawn here
    ahead = CompileAhead()  # the run-time-shaped kernel, compiled beside this run's own where it is missing
    try:
        if not (no_plot or live):  # matplotlib loads in a helper process while this one loads numba and trains
            from .figure_process import FigureProcess

            figures = FigureProcess.start(plot_format, len(config.seeds))
        from .. import kernels

        files = Outputs(
            out,
            json_file,
            json_to_stdout,
            None if no_plot else plot_format,
            animate,
            animate_seed,
            seconds_per_frame,
            lang,
        )
        _run(kernels, config, seed_start, files, quiet, window, figures, ahead)
    except KeyboardInterrupt as err:  # Ctrl-C, SIGTERM, SIGHUP: _run has removed any file it wrote
        prepared.cleanup()
        fail(INTERRUPTED, exit_code(err))
    except OutputError as err:
        prepared.cleanup()
        fail(str(err), 1)
    except MemoryError:
        prepared.cleanup()
        fail("out of memory; try fewer --seeds, fewer --beans or a larger --snapshot-every", 1)
    except BaseException:  # anything unforeseen: still leave no empty folders behind
        prepared.cleanup()
        raise
    finally:
        if figures is not None:
            figures.close()
        ahead.close()


INTERRUPTED = "interrupted; none of this run's files were written"


@dataclass(frozen=True)
class Outputs:
    """Where a run's results go; every path has been checked writable."""

    out: Path
    json_file: Path | None
    json_to_stdout: bool
    plot_format: str | None  # None: --no-plot
    animate: Path | None
    animate_seed: int | None
    seconds_per_frame: float | None = None  # the GIF's pace; None: its default
    lang: str = "en"  # the language of the figures and the table


def _open_window(config, animate_seed: int | None, seconds_per_frame: float | None = None, lang: str = "en"):
    """The --live window, open before training starts; a one-line usage error where it cannot be."""
    from .live import LiveWindow, NoWindow, interactive_pyplot

    try:
        plt = interactive_pyplot()
    except NoWindow as err:
        fail(f"--live needs a window: {err}; --animate PATH.gif saves the training as a GIF instead", 2)
    xs, ys, test_xs, test_ys = config.bean_sets()  # the run's own beans: its curve, noise or files
    row = None if animate_seed is None else config.seeds.index(animate_seed)
    shape = config.shape
    return LiveWindow(plt, xs, ys, config.seeds, row, config.epochs, test_xs, test_ys, shape, seconds_per_frame, lang)


def _run(kernels, config, seed_start: int, files: Outputs, quiet: bool, window=None, figures=None, ahead=None) -> None:
    """Train, report and save, once every option and path has been checked.

    ``window``: --live's or None; ``figures``: the FigureProcess that draws the plots, or None
    to draw them here; ``ahead``: a CompileAhead to start when the kernel's choice asks for
    it, finished here once the run is saved, or None.
    """
    from rich.console import Console

    from ..files import StagedFiles, to_stdout
    from ..results import best_row, dumps, results_document, versions
    from ..training import train as train_run
    from .progress import animate_progress, say_compile, training_progress
    from .report import format_duration, render_report

    messages = Console(stderr=True)
    if config.engine == "python" and not quiet:
        steps = len(config.seeds) * config.epochs * config.beans
        seconds = _python_estimate(kernels, config)
        messages.print(f"python engine: about {format_duration(seconds)} for {steps:,} SGD steps", highlight=False)

    with training_progress(
        epochs=config.epochs, seeds=len(config.seeds), beans=config.beans, enabled=animate_progress(quiet)
    ) as on_chunk:

        def on_kernel(choice) -> None:
            if choice.compile_beside and ahead is not None:
                ahead.start()
            if not quiet:
                say_compile(messages, choice)

        if window is None:
            result = train_run(config, on_chunk=on_chunk, on_kernel=on_kernel)
        else:
            from .live import train_beside

            result = train_beside(window, functools.partial(train_run, config, on_kernel=on_kernel), on_chunk)

    # Before anything is printed or written: a GIF of "the best seed" needs one (all or nothing).
    animate_row = None if files.animate is None else _animation_row(result, files.animate_seed)
    if files.plot_format is not None:
        from .figure_data import figure_data

        plotted = figure_data(result, lang=files.lang)
        if figures is not None:
            figures.send(plotted)  # it draws while this process prints the table and writes the JSON
    document = dumps(results_document(result, seed_start=seed_start, versions=versions()))

    def print_results(stdout) -> None:
        if files.json_to_stdout:
            stdout.write(document)  # plain text, nothing else on stdout: pipe it to jq
        else:
            # Into a pipe or file rich would wrap at 80 columns mid-sentence: print lines whole there.
            render_report(result, Console(file=stdout, soft_wrap=not stdout.isatty()), files.lang)

    to_stdout(print_results)  # a closed or full stdout fails the run before any file is written

    # All files or none: each is staged under a temporary name and they are renamed together at
    # the end of the block; Ctrl-C or any error inside it removes every one of them.
    def write_document(tmp: Path) -> None:
        tmp.write_text(document, encoding="utf-8")

    with StagedFiles() as staged:
        staged.write(files.out / "results.json", write_document)
        if files.json_file is not None:
            staged.write(files.json_file, write_document)
        if files.plot_format is not None:
            _save_figures(plotted, files.out, files.plot_format, staged.write, figures)
        if files.animate is not None:
            staged.write(
                files.animate,
                lambda tmp: _save_animation(result, tmp, animate_row, files.seconds_per_frame, files.lang),
            )
        if files.plot_format is not None and best_row(result) is None:  # no neurons figure this run:
            staged.remove(files.out / f"neurons.{files.plot_format}")  # an earlier run's would stay beside it
    if not quiet:
        for path in staged.written:
            messages.print(f"wrote {path}", highlight=False, soft_wrap=True)
        for path in staged.removed:
            messages.print(f"removed {path}, an earlier run's", highlight=False, soft_wrap=True)
        if files.plot_format is not None and best_row(result) is None:  # neurons.png draws the best seed
            messages.print(
                f"no best seed (all {len(config.seeds)} diverged): no neurons.{files.plot_format} drawn",
                highlight=False,
            )
    if window is not None and not window.closed:
        if not quiet:
            messages.print("training done; close the window (or press q in it) to finish", highlight=False)
        window.wait_closed()
    if ahead is not None:
        _finish_compile(ahead, None if quiet else messages)


def _finish_compile(ahead, messages) -> None:
    """Wait for ``ahead``'s compile, saying so on ``messages`` (or None); Ctrl-C stops it, the run being saved."""
    from ..kernels.choice import RUN_TIME_SHAPED_COMPILE_S

    say = None if messages is None else (lambda line: messages.print(line, highlight=False))
    try:
        ahead.finish(say, RUN_TIME_SHAPED_COMPILE_S)
    except KeyboardInterrupt as err:  # Ctrl-C, SIGTERM, SIGHUP: the files are written; only the compile stops
        ahead.close()
        fail("interrupted while compiling the kernel for other nets; this run's files were written", exit_code(err))


def _save_figures(data, out: Path, fmt: str, write, figures) -> None:
    """fit, loss and neurons under ``out``: the helper's bytes where it drew them, else drawn here.

    ``data``: the run's FigureData; ``write``: ``StagedFiles.write``; ``figures``: a
    FigureProcess that was sent ``data``, or None.
    """
    drawn = None if figures is None else figures.receive()
    if drawn is None:  # no helper, or it failed: draw here, as the command always could
        from .plots import save_plots

        save_plots(data, out, fmt, write=write)
        return
    for name, content in drawn.items():
        write(out / f"{name}.{fmt}", lambda tmp, content=content: tmp.write_bytes(content))


def _animation_row(result, seed: int | None) -> int:
    """The row the GIF shows: ``--animate-seed``'s, else the best seed's; OutputError when every seed diverged.

    The summary names no best seed then (``results.best_row``), and neither does the GIF: the
    run fails with nothing written, rather than leave a GIF of a seed it calls no fit.
    """
    from ..results import best_row

    if seed is not None:
        return result.config.seeds.index(seed)
    row = best_row(result)
    if row is None:
        raise OutputError(
            f"--animate: all {len(result.config.seeds)} seeds diverged, so there is no best seed to draw; "
            "none of this run's files were written (name a seed with --animate-seed K, or try a smaller --lr)"
        )
    return row


def _save_animation(result, path: Path, row: int, seconds_per_frame: float | None = None, lang: str = "en") -> Path:
    """The GIF of the seed in ``row``, from the snapshots the run recorded."""
    from .animation import save_training_gif
    from .words import words

    config = result.config
    return save_training_gif(
        path,
        result.xs,
        result.ys,
        result.snapshot_epochs,
        result.param_history[:, row, :],
        result.loss_history[row],
        title=words(lang)["gif_title"].format(
            shape=config.shape, seed=config.seeds[row], lr=f"{config.lr:g}", beans=config.beans
        ),
        test_xs=result.test_xs if result.test_xs.size else None,
        test_ys=result.test_ys if result.test_ys.size else None,
        shape=config.shape,
        seconds_per_frame=seconds_per_frame,
        lang=lang,
    )
