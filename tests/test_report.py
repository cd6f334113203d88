"""The results table, the summary and the results.json document (beans.cli.report, cli.results)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from beans.cli.report import MAX_FULL_ROWS, format_duration, format_rate, render_report, shown_rows
from rich.console import Console

import beans
from beans.results import dumps, results_document, summarize


def render(result) -> str:
    console = Console(file=io.StringIO(), width=120, color_system=None)
    render_report(result, console)
    return console.file.getvalue()


@pytest.fixture(scope="module")
def many():
    """30 seeds: more than the table shows in full."""
    return beans.train(seeds=tuple(range(30)), epochs=300)


def test_more_than_25_seeds_shows_best_and_worst_10(many):
    text = render(many)
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert len(rows) == 20
    ranks = [int(row.strip("│").split("│")[0]) for row in rows]
    assert ranks == [*range(1, 11), *range(21, 31)]
    assert "10 of 30 rows left out (ranks 11-20)" in text


@pytest.mark.parametrize("count", [21, MAX_FULL_ROWS])
def test_up_to_25_seeds_every_row_shows(count):
    top, bottom = shown_rows(np.arange(count))
    assert top.size == count and bottom.size == 0  # leaving out 1..5 rows would save nothing


def test_rows_are_left_out_only_when_that_saves_several():
    top, bottom = shown_rows(np.arange(MAX_FULL_ROWS + 1))
    assert MAX_FULL_ROWS + 1 - top.size - bottom.size >= 5


def test_rows_are_best_first(many):
    top, bottom = shown_rows(beans.ranking(many))
    shown = np.concatenate([top, bottom])
    assert np.all(np.diff(many.final_mse[shown]) >= 0)


def test_summary_counts_and_spread(many):
    text = render(many)
    numbers = summarize(many)
    assert f"converged {numbers['converged']} of 30" in text
    assert not many.diverged.any()  # so the spread is over every seed
    assert numbers["final_mse"]["best"] == many.final_mse.min()
    assert numbers["final_mse"]["median"] == np.median(many.final_mse)
    assert numbers["best_seed"] == many.config.seeds[int(np.argmin(many.final_mse))]
    assert f"best {many.final_mse.min():.2e}" in text


def test_nan_diverged_seed_is_last_and_json_has_null(with_a_nan_seed):
    result = with_a_nan_seed(beans.train(seeds=(0, 1, 2), epochs=200))
    text = render(result)
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert "diverged" in rows[-1] and "—" in rows[-1]
    assert "1 diverged" in text
    doc = json.loads(dumps(results_document(result, seed_start=0, versions={})))
    first = doc["results"][0]
    assert first["diverged"] and first["rank"] == 3
    assert first["final_mse"] is None and first["params"]["w11_1"] is None
    assert doc["summary"]["final_mse"]["worst"] == pytest.approx(result.final_mse[1:].max())
    assert "(over the 2 seeds that did not diverge)" in text


def _all_diverged(result):
    """``result`` with every seed marked diverged but its finite numbers kept, as --lr 1e10 leaves them."""
    result.diverged[:] = True
    result.converged[:] = False
    return result


def test_when_every_seed_diverged_the_summary_names_no_best_seed():
    result = _all_diverged(beans.train(seeds=(0, 1, 2), epochs=50))
    text = render(result)
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert len(rows) == 3 and all("diverged" in row for row in rows)
    assert all(f"{mse:.2e}" in text for mse in result.final_mse)  # the table keeps each seed's numbers
    assert "all 3 seeds diverged: no final MSE to summarise and no best seed" in text
    assert "held-out" not in text and "best seed" not in text.replace("no best seed", "")
    numbers = summarize(result)
    assert numbers["best_seed"] is None
    assert numbers["test_mse_of_best"] is None and numbers["test_accuracy_of_best"] is None
    assert numbers["final_mse"] == {"best": None, "median": None, "worst": None}
    doc = json.loads(dumps(results_document(result, seed_start=0, versions={})))
    assert doc["summary"]["best_seed"] is None


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


# --- the network's shape -----------------------------------------------------------------


def test_table_and_summary_name_the_network():
    text = render(beans.train(seeds=(0, 1), epochs=100, hidden=(4, 4), activation="tanh"))
    assert "beans train: results, best first (1-4-4-1 tanh)" in text
    assert "1-4-4-1 tanh (33 parameters): converged" in text
    assert "1-2-1 sigmoid (7 parameters): converged" in render(beans.train(seeds=(0,), epochs=10))


def test_results_json_names_the_network_and_its_params():
    from beans.results import RESULTS_FORMAT, settings_shape

    result = beans.train(seeds=(0, 1), epochs=100, hidden=(4, 4), activation="tanh")
    doc = json.loads(dumps(results_document(result, seed_start=0, versions={})))
    assert doc["format"] == RESULTS_FORMAT == 2
    settings = doc["settings"]
    assert (settings["hidden"], settings["activation"], settings["shape"]) == ([4, 4], "tanh", "1-4-4-1 tanh")
    assert settings_shape(settings) == result.config.shape
    for entry, params in zip(doc["results"], result.params, strict=True):
        assert list(entry["params"]) == list(result.config.shape.param_names)
        assert list(entry["params"].values()) == list(params)


@pytest.mark.parametrize(
    ("settings", "shape"),
    [
        ({}, beans.Shape()),  # a results.json from before beans trained other shapes
        (None, beans.Shape()),
        ({"hidden": [3]}, beans.Shape((3,))),
        ({"activation": "relu"}, beans.Shape((2,), "relu")),
    ],
)
def test_settings_without_a_network_are_the_lessons(settings, shape):
    from beans.results import settings_shape

    assert settings_shape(settings) == shape


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ([], "not a JSON object"),
        ({"hidden": "4x4"}, "not a list of layer widths"),
        ({"hidden": [0]}, "1 to 64 neurons"),
        ({"hidden": [2.0]}, "ints"),
        ({"hidden": [True]}, "ints"),
        ({"hidden": [2], "activation": "softmax"}, "activation must be one of"),
    ],
)
def test_settings_naming_no_buildable_network_are_refused(settings, message):
    from beans.results import settings_shape

    with pytest.raises(ValueError, match=message):
        settings_shape(settings)
