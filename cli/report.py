"""The results table and the summary under it, as rich renderables.

Import only inside commands: it imports rich. Numbers come from ``cli.results.summarize`` so
the table, the summary and results.json never disagree.
"""

from __future__ import annotations

import numpy as np
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..results import ranks, summarize
from .words import words

# Above this many seeds the table shows the best and worst ``SHOWN_AT_EACH_END`` only; up to
# it every row shows, so leaving rows out always saves at least MAX_FULL_ROWS + 1 - 20 of them.
MAX_FULL_ROWS = 25
SHOWN_AT_EACH_END = 10


def format_mse(value: float) -> str:
    """An MSE in a fixed-width form so a right-justified column lines up: ``1.23e-03``."""
    return f"{value:.2e}" if np.isfinite(value) else "—"


def format_accuracy(value: float) -> str:
    """A share as a percentage with one decimal: ``97.0%``."""
    return f"{value:.1%}" if np.isfinite(value) else "—"


def format_duration(seconds: float) -> str:
    """``0.42 s``, ``12.3 s``, ``4 min 05 s``, ``2 h 03 min``."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_rate(steps_per_second: float | None) -> str:
    """SGD steps per second with an SI prefix: ``59.5 M steps/s``."""
    if steps_per_second is None or not np.isfinite(steps_per_second):
        return "— steps/s"
    for scale, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if steps_per_second >= scale:
            return f"{steps_per_second / scale:.1f} {prefix} steps/s"
    return f"{steps_per_second:.0f} steps/s"


def _or_nan(value: float | None) -> float:
    """Summary numbers use None for "no value" (JSON null); the formatters want NaN."""
    return np.nan if value is None else value


def _status(converged: bool, diverged: bool, lang: str = "en") -> Text:
    if diverged:
        return Text(words(lang)["status_diverged"], style="bold red")
    return Text("✓", style="green") if converged else Text("✗", style="yellow")


def shown_rows(order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows to show, best first, split where rows are left out: (top, bottom); bottom may be empty."""
    if order.size <= MAX_FULL_ROWS:
        return order, order[:0]
    return order[:SHOWN_AT_EACH_END], order[-SHOWN_AT_EACH_END:]


def results_table(result, lang: str = "en") -> Table:
    """One row per seed, best first; for more than ``MAX_FULL_ROWS`` seeds the best and worst 10.

    Diverged seeds are listed last with their numbers, marked ``diverged``.

    Parameters
    ----------
    result : beans.training.TrainResult
    lang : the language of its words (``cli.words.LANGUAGES``)
    """
    from ..training import ranking

    w = words(lang)
    with_test = result.config.test_beans > 0
    table = Table(title=w["results_title"].format(shape=result.config.shape), title_justify="left")
    table.add_column(w["col_rank"], justify="right", style="dim")
    table.add_column(w["col_seed"], justify="right")
    table.add_column(w["col_final_mse"], justify="right")
    table.add_column(w["col_accuracy"], justify="right")
    if with_test:
        table.add_column(w["col_test_mse"], justify="right")
        table.add_column(w["col_test_accuracy"], justify="right")
    table.add_column(w["col_converged"], justify="center")
    table.add_column(w["col_epochs_to_converge"], justify="right")

    order = ranking(result)
    rank_of = ranks(order)
    top, bottom = shown_rows(order)
    for part, rows in enumerate((top, bottom)):
        if part == 1 and rows.size:
            table.add_section()
        for row in rows:
            cells = [
                str(rank_of[row]),
                str(result.config.seeds[row]),
                format_mse(result.final_mse[row]),
                format_accuracy(result.accuracy[row]),
            ]
            if with_test:
                cells += [format_mse(result.test_mse[row]), format_accuracy(result.test_accuracy[row])]
            epochs = int(result.epochs_to_converge[row])
            table.add_row(
                *cells,
                _status(bool(result.converged[row]), bool(result.diverged[row]), lang),
                f"{epochs:,}" if epochs >= 0 else "—",
            )
    left_out = order.size - top.size - bottom.size
    if left_out:
        table.caption = w["rows_caption"].format(
            left_out=left_out, total=order.size, first=top.size + 1, last=order.size - bottom.size
        )
        table.caption_justify = "left"
    return table


def summary_lines(result, lang: str = "en") -> list[str]:
    """The summary under the table: convergence, MSE spread, held-out figures, speed; in ``lang``."""
    w = words(lang)
    numbers = summarize(result)
    config = result.config
    shape = config.shape
    converged = w["summary_converged"].format(
        shape=shape,
        params=shape.n_params,
        converged=numbers["converged"],
        seeds=numbers["seeds"],
        bar=f"{config.converged_accuracy:.0%}",
    )
    if numbers["diverged"]:
        converged += w["summary_diverged"].format(n=numbers["diverged"])
    interval = w["summary_interval"].format(
        share=format_accuracy(numbers["converged_share"]),
        low=format_accuracy(numbers["converged_share_low"]),
        high=format_accuracy(numbers["converged_share_high"]),
        seeds=numbers["seeds"],
    )
    mse = numbers["final_mse"]
    if numbers["best_seed"] is None:  # every seed diverged: no spread, no best seed to test
        lines = [converged, interval, w["summary_all_diverged"].format(seeds=numbers["seeds"])]
    else:
        spread = w["summary_spread"].format(
            best=format_mse(mse["best"]), median=format_mse(mse["median"]), worst=format_mse(mse["worst"])
        )
        if numbers["diverged"]:
            spread += w["summary_spread_of"].format(n=numbers["seeds"] - numbers["diverged"])
        lines = [converged, interval, spread]
        if config.test_beans:
            lines.append(
                w["summary_held_out"].format(
                    n=config.test_beans,
                    source=_held_out_source(config, w),
                    seed=numbers["best_seed"],
                    mse=format_mse(_or_nan(numbers["test_mse_of_best"])),
                    accuracy=format_accuracy(_or_nan(numbers["test_accuracy_of_best"])),
                    median=format_accuracy(_or_nan(numbers["median_test_accuracy"])),
                )
            )
    lines.append(
        w["summary_speed"].format(
            time=format_duration(numbers["wall_time_s"]),
            steps=f"{numbers['steps']:,}",
            rate=format_rate(numbers["steps_per_second"]),
            engine=config.engine,
        )
    )
    return lines


def _held_out_source(config, w: dict[str, str]) -> str:
    """Where the held-out beans came from, in a few words."""
    if config.test_data is not None:
        return w["held_out_file"].format(path=config.test_data.path)
    if config.test_share is not None:
        return w["held_out_share"].format(
            share=f"{config.test_share:g}", path=config.data.path, data_seed=config.data_seed
        )
    return w["held_out_seed"].format(data_seed=config.test_data_seed)


def render_report(result, console: Console, lang: str = "en") -> None:
    """Print the results table and the summary to ``console``, in ``lang``."""
    console.print(Group(results_table(result, lang), *(Text(line) for line in summary_lines(result, lang))))
