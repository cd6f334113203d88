"""The results table, the summary and the results.json document (cli.report, cli.results)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from rich.console import Console

import kernels
from cli.report import format_duration, format_rate, render_report, shown_rows
from cli.results import dumps, results_document, summarize


def render(result) -> str:
    console = Console(file=io.StringIO(), width=120, color_system=None)
    render_report(result, console)
    return console.file.getvalue()


@pytest.fixture(scope="module")
def many():
    """25 seeds: more than the table shows in full."""
    return kernels.train(seeds=tuple(range(25)), epochs=300)


def test_more_than_20_seeds_shows_best_and_worst_10(many):
    text = render(many)
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert len(rows) == 20
    ranks = [int(row.strip("│").split("│")[0]) for row in rows]
    assert ranks == [*range(1, 11), *range(16, 26)]
    assert "5 of 25 rows left out (ranks 11-15)" in text


def test_rows_are_best_first(many):
    top, bottom = shown_rows(kernels.ranking(many))
    shown = np.concatenate([top, bottom])
    assert np.all(np.diff(many.final_mse[shown]) >= 0)


def test_summary_counts_and_spread(many):
    text = render(many)
    numbers = summarize(many)
    assert f"converged {numbers['converged']} of 25" in text
    assert numbers["final_mse"]["best"] == many.final_mse.min()
    assert numbers["final_mse"]["median"] == np.median(many.final_mse)
    assert numbers["best_seed"] == many.config.seeds[many.best]


def test_nan_diverged_seed_is_last_and_json_has_null(with_a_nan_seed):
    result = with_a_nan_seed(kernels.train(seeds=(0, 1, 2), epochs=200))
    text = render(result)
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert "diverged" in rows[-1] and "—" in rows[-1]
    assert "1 diverged" in text
    doc = json.loads(dumps(results_document(result, seed_start=0, versions={})))
    first = doc["results"][0]
    assert first["diverged"] and first["rank"] == 3
    assert first["final_mse"] is None and first["params"]["w11_1"] is None
    assert doc["summary"]["final_mse"]["worst"] == pytest.approx(result.final_mse[1:].max())


def test_dumps_refuses_a_stray_nan():
    with pytest.raises(ValueError):
        dumps({"x": float("nan")})


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.421, "0.42 s"), (12.34, "12.3 s"), (245, "4 min 05 s"), (7380, "2 h 03 min")]
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("rate", "text"), [(59.5e6, "59.5 M steps/s"), (1234.0, "1.2 k steps/s"), (12.0, "12 steps/s"), (None, "— steps/s")]
)
def test_format_rate(rate, text):
    assert format_rate(rate) == text
