"""Sweep cells with error bars, ranked by the interval's lower end; --init and --curve as axes."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest
from beans.cli.app import app
from typer.testing import CliRunner

import beans
from beans.sweep.grid import Grid, GridError, cell_key, parse_axis
from beans.sweep.runner import run_in_process
from beans.sweep.summary import cell_summary, cells_csv, ranked

Z = 1.959963984540054


def wilson_closed_form(k: int, n: int) -> tuple[float, float]:
    """NOTES.md's closed form, written out here on its own: centre -+ half-width."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def record(converged: int, seeds: int, lr: float = 0.1) -> dict:
    """A finished cell's journal record with ``converged`` of ``seeds`` converged."""
    flags = [True] * converged + [False] * (seeds - converged)
    cell = {"lr": lr, "hidden": "2", "activation": "sigmoid", "beans": 20, "noise": 1.0, "epochs": 9, "data_seed": 0}
    cell |= {"curve": "hill", "init": "lesson"}
    return {
        "cell": cell,
        "status": "ok",
        "seeds": {
            "seed": list(range(seeds)),
            "final_mse": [0.01] * seeds,
            "accuracy": [1.0] * seeds,
            "test_mse": [0.01] * seeds,
            "test_accuracy": [0.9] * seeds,
            "converged": flags,
            "diverged": [False] * seeds,
            "epochs_to_converge": [100 if f else None for f in flags],
        },
    }


@pytest.mark.parametrize(("k", "n"), [(0, 5), (5, 5), (3, 5), (19, 20), (95, 100)])
def test_a_cells_interval_is_wilsons(k, n):
    s = cell_summary(record(k, n))
    low, high = wilson_closed_form(k, n)
    assert s["converged_share"] == k / n
    assert s["converged_share_low"] == pytest.approx(max(low, 0.0), abs=1e-15)
    assert s["converged_share_high"] == pytest.approx(min(high, 1.0), abs=1e-15)


def test_two_of_two_ranks_below_95_of_100():
    few, many = cell_summary(record(2, 2, lr=0.1)), cell_summary(record(95, 100, lr=0.3))
    assert ranked([few, many]) == [many, few]


def test_cells_csv_and_json_carry_the_interval(tmp_path):
    grid = Grid({"lr": (0.3,), "epochs": (200,), "beans": (20,)}, range(4), test_beans=10, snapshot_every=50)
    records: list[dict] = []
    run_in_process(grid.tasks(list(grid.cells())), 1, records.append)
    rows = list(csv.DictReader(io.StringIO(cells_csv([cell_summary(r) for r in records]))))
    low, high = float(rows[0]["converged_share_low"]), float(rows[0]["converged_share_high"])
    k = round(float(rows[0]["converged_share"]) * 4)
    assert (low, high) == pytest.approx(tuple(np.clip(wilson_closed_form(k, 4), 0, 1)), abs=1e-15)
    assert rows[0]["init"] == "lesson" and rows[0]["curve"] == "hill"


def test_init_and_curve_are_axes_and_each_cell_is_beans_train_bit_for_bit():
    grid = Grid(
        {"lr": (0.3,), "epochs": (150,), "beans": (30,), "init": ("lesson", "he"), "curve": ("hill", "two-hills")},
        range(2, 5),
        test_beans=20,
        snapshot_every=50,
    )
    records: list[dict] = []
    run_in_process(grid.tasks(list(grid.cells())), 1, records.append)
    assert {(r["cell"]["init"], r["cell"]["curve"]) for r in records} == {
        ("lesson", "hill"),
        ("lesson", "two-hills"),
        ("he", "hill"),
        ("he", "two-hills"),
    }
    for r in records:
        cell = r["cell"]
        want = beans.train(
            seeds=range(2, 5), epochs=150, lr=0.3, beans=30, test_beans=20, snapshot_every=50,
            init=cell["init"], curve=cell["curve"], record_params=False,
        )  # fmt: skip
        assert r["seeds"]["final_mse"] == want.final_mse.tolist()
        assert r["seeds"]["test_accuracy"] == want.test_accuracy.tolist()


def test_init_and_curve_axes_parse_and_refuse():
    assert parse_axis("init", "lesson,He,normal:0.50") == ("lesson", "he", "normal:0.5")
    assert parse_axis("curve", "hill,bump") == ("hill", "bump")
    for axis, text in (("init", "uniform"), ("init", "normal:0"), ("curve", "saddle"), ("init", "he,he")):
        with pytest.raises(GridError):
            parse_axis(axis, text)


def test_a_record_from_before_the_new_axes_is_the_default_cell():
    old = {k: v for k, v in record(1, 2)["cell"].items() if k not in ("init", "curve")}
    assert cell_key(old) == cell_key(record(1, 2)["cell"])


def test_the_sweep_table_shows_each_interval_under_its_share(tmp_path):
    args = ["sweep", "--lr", "0.3", "--init", "lesson,xavier", "--epochs", "200", "--seeds", "4", "--beans", "20"]
    result = CliRunner().invoke(app, [*args, "--test-beans", "10", "--out", str(tmp_path / "s"), "--no-plot", "-q"])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "s" / "cells.json").read_text())
    assert [c["init"] for c in doc["cells"]] == ["lesson", "xavier"]
    for cell in doc["cells"]:
        k = round(cell["converged_share"] * 4)
        low, high = np.clip(wilson_closed_form(k, 4), 0, 1)
        assert f"{100 * low:.0f}-{100 * high:.0f}%" in result.stdout
