"""beans.sweep: grid parsing, tasks, run_task against beans.train, grouping invariance, journal, summaries."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

import beans
from beans.sweep import outcome, pending
from beans.sweep.grid import Grid, GridError, cell_key, parse_axis
from beans.sweep.journal import JOURNAL_NAME, Journal, JournalError
from beans.sweep.runner import run_in_process, versions
from beans.sweep.summary import cell_summary, cells_csv, ranked, seeds_csv

SMALL = dict(seeds=range(3, 9), test_beans=40, snapshot_every=50)


def small_grid(**axes) -> Grid:
    base = {"lr": (0.1, 1.0), "beans": (20, 40), "epochs": (300,)}
    base.update(axes)
    return Grid(base, **SMALL)


def records_of(grid: Grid, threads: int = 1, **kwargs) -> list[dict]:
    """Every cell's record, in grid order (tasks finish in their own order)."""
    got: list[dict] = []
    run_in_process(grid.tasks(list(grid.cells()), **kwargs), threads, got.append)
    by_key = {cell_key(r["cell"]): r for r in got}
    return [by_key[cell_key(cell)] for cell in grid.cells()]


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("axis", "text", "values"),
    [
        ("lr", "0.01,0.1,1", (0.01, 0.1, 1.0)),
        ("lr", "0.001:1:log4", (0.001, 0.01, 0.1, 1.0)),
        ("lr", "0.1:0.5:5", (0.1, 0.2, 0.3, 0.4, 0.5)),
        ("lr", "0.5, 0.01:0.1:log2", (0.5, 0.01, 0.1)),
        ("beans", "20,100", (20, 100)),
        ("beans", "10:1000:log3", (10, 100, 1000)),
        ("epochs", "0,1000:3000:3", (0, 1000, 2000, 3000)),
        ("noise", "0,1,5", (0.0, 1.0, 5.0)),
        ("hidden", "2", ("2",)),
        ("activation", "Sigmoid", ("sigmoid",)),
    ],
)
def test_axes_parse_lists_and_ranges(axis, text, values):
    assert parse_axis(axis, text) == values


def test_hidden_and_activation_axes_take_every_shape_and_refuse_bad_ones():
    assert parse_axis("hidden", "1,2,4x4") == ("1", "2", "4x4")
    assert parse_axis("activation", "tanh,ReLU") == ("tanh", "relu")
    for axis, text in (("hidden", "0"), ("hidden", "2xx3"), ("hidden", "-1"), ("activation", "softmax")):
        with pytest.raises(GridError):
            parse_axis(axis, text)


@pytest.mark.parametrize(
    ("axis", "text", "message"),
    [
        ("lr", "", "at least one value"),
        ("lr", "0.1,,0.3", "at least one value"),
        ("lr", "0", "> 0"),
        ("lr", "fast", "plain decimal number"),
        ("lr", "nan", "plain decimal number"),  # the one rule: no nan, no inf
        ("lr", "0.1,0.1", "twice"),
        ("lr", "0:1:log3", "log range"),
        ("lr", "0.1:1:1", "N must be"),
        ("lr", "0.1:1", "START:STOP:N"),
        ("beans", "1", ">= 2"),
        ("beans", "2.5", "whole number"),
        ("beans", "10:12:log5", "twice"),
        ("noise", "-1", ">= 0"),
        ("epochs", "-5", ">= 0"),
        ("hidden", "2y", "widths joined by .x."),
    ],
)
def test_bad_axis_values_raise_naming_the_option(axis, text, message):
    with pytest.raises(GridError, match=message) as err:
        parse_axis(axis, text)
    assert err.value.option == "--" + axis.replace("_", "-")


def test_a_grid_too_large_to_record_is_refused():
    with pytest.raises(GridError, match="rows"):
        Grid({"lr": tuple(np.geomspace(0.001, 1, 1000)), "beans": tuple(range(2, 1002))}, range(20))


# --- tasks and training ----------------------------------------------------------------------


def test_cells_sharing_all_but_lr_are_one_task():
    grid = small_grid(lr=(0.01, 0.1, 1.0))
    tasks = grid.tasks(list(grid.cells()))
    assert [t["lrs"] for t in tasks] == [[0.01, 0.1, 1.0]] * 2
    assert [t["settings"]["beans"] for t in tasks] == [20, 40]
    split = grid.tasks(list(grid.cells()), min_tasks=6)
    assert len(split) == 6 and sorted(lr for t in split for lr in t["lrs"]) == [0.01] * 2 + [0.1] * 2 + [1.0] * 2


def test_each_cell_is_beans_train_with_its_settings_bit_for_bit():
    grid = small_grid(noise=(3.0,))
    for record in records_of(grid):
        cell = record["cell"]
        result = beans.train(
            seeds=SMALL["seeds"],
            epochs=cell["epochs"],
            lr=cell["lr"],
            beans=cell["beans"],
            noise=cell["noise"],
            data_seed=cell["data_seed"],
            test_beans=SMALL["test_beans"],
            snapshot_every=SMALL["snapshot_every"],
            record_params=False,
        )
        got = record["seeds"]
        assert got["seed"] == list(SMALL["seeds"])
        np.testing.assert_array_equal(got["final_mse"], result.final_mse)
        np.testing.assert_array_equal(got["accuracy"], result.accuracy)
        np.testing.assert_array_equal(got["test_accuracy"], result.test_accuracy)
        np.testing.assert_array_equal(got["test_mse"], result.test_mse)
        assert got["diverged"] == result.diverged.tolist() and got["converged"] == result.converged.tolist()
        assert got["epochs_to_converge"] == [None if e < 0 else e for e in result.epochs_to_converge.tolist()]


def test_results_do_not_depend_on_grouping_or_threads():
    grid = small_grid(lr=(0.03, 0.3, 3.0, 1e10))  # 1e10 diverges: blown-up lanes beside sound ones
    together = records_of(grid)
    assert len(grid.tasks(list(grid.cells()), min_tasks=8)) == 8
    assert records_of(grid, min_tasks=8) == together
    assert records_of(grid, threads=2) == together
    assert any(any(r["seeds"]["diverged"]) for r in together)


def test_each_task_names_its_kernel_and_the_reason_in_its_records():
    grid = small_grid(lr=(0.1, 1.0), beans=(20,))
    choices: list = []
    records: list[dict] = []
    run_in_process(grid.tasks(list(grid.cells())), 1, records.append, on_kernel=choices.append)
    assert len(choices) == 1  # the two cells differ in lr only: one task
    assert [(r["kernel"], r["kernel_reason"]) for r in records] == [(choices[0].kind, choices[0].reason)] * 2


def test_run_task_reports_progress_in_sgd_steps():
    grid = small_grid(lr=(0.1,), beans=(20,))
    seen: list[int] = []
    run_in_process(grid.tasks(list(grid.cells())), 1, lambda r: None, seen.append)
    assert seen[-1] == grid.total_steps == 6 * 300 * 20
    assert seen == sorted(seen)


# --- journal ---------------------------------------------------------------------------------


def test_journal_resumes_skips_done_cells_and_cuts_a_torn_line(tmp_path):
    grid = small_grid()
    records = records_of(grid)
    with Journal.open(tmp_path, grid.describe(), resume=False) as journal:
        for record in records[:2]:
            journal.append(record)
    path = tmp_path / JOURNAL_NAME
    with open(path, "a") as handle:
        handle.write(json.dumps(records[2])[:50])  # a write cut short by kill -9
    with pytest.raises(JournalError, match="--resume") as err:
        Journal.open(tmp_path, grid.describe(), resume=False)
    assert err.value.usage
    with Journal.open(tmp_path, grid.describe(), resume=True) as journal:
        assert journal.records == records[:2]
        todo = pending(grid, journal.records, versions())
        assert [cell_key(c) for c in todo] == [cell_key(r["cell"]) for r in records[2:]]
        for record in records[2:]:
            journal.append(record)
    lines = path.read_text().splitlines()
    assert len(lines) == 1 + len(records) and all(json.loads(line) for line in lines)
    ordered, summaries = outcome(grid, Journal.open(tmp_path, grid.describe(), resume=True).records, versions())
    assert ordered == records and len(summaries) == 4


def test_resuming_another_grid_says_what_differs(tmp_path):
    Journal.open(tmp_path, small_grid().describe(), resume=False).close()
    with pytest.raises(JournalError, match=r"--lr 0.1,0.5 \(journal: 0.1,1\)") as err:
        Journal.open(tmp_path, small_grid(lr=(0.1, 0.5)).describe(), resume=True)
    assert err.value.usage


def test_records_of_other_versions_and_failed_cells_run_again(tmp_path):
    grid = small_grid()
    records = records_of(grid)
    old = {**records[0], "versions": {"beans": "0.0.1", "numba": "0.1"}}
    failed = {**records[1], "status": "failed", "reason": "KilledWorker: died"}
    todo = pending(grid, [old, failed, *records[2:]], versions())
    assert [cell_key(c) for c in todo] == [cell_key(r["cell"]) for r in records[:2]]


# --- summaries -------------------------------------------------------------------------------


def test_cell_summary_figures():
    record = {
        "cell": {
            "lr": 0.1,
            "hidden": "2",
            "activation": "sigmoid",
            "beans": 20,
            "noise": 1.0,
            "epochs": 9,
            "data_seed": 0,
        },
        "status": "ok",
        "seeds": {
            "seed": [0, 1, 2, 3, 4],
            "final_mse": [0.1, 0.2, None, 0.3, 0.05],
            "accuracy": [1.0, 0.96, None, 0.5, 0.97],
            "test_mse": [0.1, 0.2, None, 0.3, 0.05],
            "test_accuracy": [0.9, 0.8, None, 0.5, 0.7],
            "converged": [True, True, False, False, True],
            "diverged": [False, False, True, False, False],
            "epochs_to_converge": [100, 300, 200, None, 500],
        },
    }
    s = cell_summary(record)
    assert s["converged_share"] == 0.6 and s["diverged_share"] == 0.2
    assert s["epochs_to_converge_median"] == 250.0  # over every seed that reached the bar
    assert s["epochs_to_converge_p10"] == pytest.approx(130.0) and s["epochs_to_converge_p90"] == pytest.approx(440.0)
    assert s["test_accuracy_median"] == 0.75  # diverged seed left out
    failed = cell_summary({"cell": record["cell"], "status": "failed", "reason": "boom"})
    assert failed["converged_share"] is None and failed["reason"] == "boom"
    assert ranked([failed, s])[0] is s


def test_csv_tables_read_back_with_every_setting_and_exact_numbers():
    grid = small_grid()
    records = records_of(grid)
    rows = list(csv.DictReader(io.StringIO(seeds_csv(records))))
    assert len(rows) == grid.n_cells * 6
    assert set(rows[0]) >= {"lr", "hidden", "beans", "noise", "epochs", "data_seed", "seed", "epochs_to_converge"}
    first = records[0]["seeds"]
    assert float(rows[0]["final_mse"]) == first["final_mse"][0]
    assert rows[0]["converged"] in ("True", "False")
    summary_rows = list(csv.DictReader(io.StringIO(cells_csv([cell_summary(r) for r in records]))))
    assert [(float(r["lr"]), int(r["beans"])) for r in summary_rows] == [(0.1, 20), (0.1, 40), (1.0, 20), (1.0, 40)]
    table = np.genfromtxt(io.StringIO(seeds_csv(records)), delimiter=",", names=True, dtype=None, encoding="utf-8")
    assert table.shape == (24,) and table["beans"].tolist()[:6] == [20] * 6


def test_dense_ranges_keep_enough_digits_to_stay_distinct():
    values = parse_axis("lr", "0.001:1:log1000")
    assert len(set(values)) == 1000 and values[0] == 0.001 and values[-1] == 1.0
    assert parse_axis("lr", "0.01:1:log5") == (0.01, 0.0316, 0.1, 0.316, 1.0)
