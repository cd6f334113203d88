"""``beans train`` on files, curves and start rules; the converged share's interval in its summary."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from beans.cli.app import app
from typer.testing import CliRunner

import beans
from beans.stats import wilson_interval

runner = CliRunner()
SMALL = ["--epochs", "200", "--seeds", "3", "--no-plot", "-q"]


def run(*args: str):
    return runner.invoke(app, list(args))


def results(out) -> dict:
    return json.loads((out / "results.json").read_text())


def write_csv(tmp_path, name: str, beans_: int, data_seed: int):
    path = tmp_path / name
    plot = tmp_path / f"{name}.png"
    done = run("data", "--beans", str(beans_), "--data-seed", str(data_seed), "--csv", str(path), "--out", str(plot))
    assert done.exit_code == 0, done.output
    return path


def test_a_csv_from_beans_data_trains_to_the_same_bits_as_the_built_in_beans(tmp_path):
    train_csv, test_csv = write_csv(tmp_path, "train.csv", 60, 4), write_csv(tmp_path, "test.csv", 30, 5)
    built_in = run(
        "train", *SMALL, "--beans", "60", "--data-seed", "4", "--test-beans", "30", "--out", str(tmp_path / "a")
    )
    from_files = run(
        "train", *SMALL, "--data", str(train_csv), "--test-data", str(test_csv), "--out", str(tmp_path / "b")
    )
    assert built_in.exit_code == 0 and from_files.exit_code == 0, built_in.output + from_files.output
    a, b = results(tmp_path / "a"), results(tmp_path / "b")
    assert a["results"] == b["results"]  # every param, MSE and accuracy, as JSON's exact repr
    assert b["settings"]["data"]["path"] == str(train_csv) and b["settings"]["data"]["beans"] == 60
    assert b["settings"]["test_data"]["beans"] == 30 and b["settings"]["curve"] is None


def test_init_lesson_is_todays_start_and_is_recorded(tmp_path):
    plain = run("train", *SMALL, "--out", str(tmp_path / "a"))
    named = run("train", *SMALL, "--init", "lesson", "--out", str(tmp_path / "b"))
    assert plain.exit_code == named.exit_code == 0
    a, b = results(tmp_path / "a"), results(tmp_path / "b")
    assert a["results"] == b["results"] and b["settings"]["init"] == "lesson"
    # today's start: the lesson's uniform [0, 1) draws, one generator per seed
    run_ = beans.train(seeds=range(3), epochs=0)
    np.testing.assert_array_equal(run_.start_params, np.stack([np.random.default_rng(s).random(7) for s in range(3)]))


@pytest.mark.parametrize(("init", "recorded"), [("he", "he"), ("normal:0.25", "normal:0.25"), ("XAVIER", "xavier")])
def test_other_inits_train_differently_and_are_recorded(tmp_path, init, recorded):
    done = run("train", *SMALL, "--hidden", "8", "--init", init, "--out", str(tmp_path))
    assert done.exit_code == 0, done.output
    doc = results(tmp_path)
    assert doc["settings"]["init"] == recorded
    want = beans.train(seeds=range(3), epochs=200, hidden=(8,), init=recorded, record_params=False)
    assert [r["final_mse"] for r in doc["results"]] == want.final_mse.tolist()


@pytest.mark.parametrize("curve", ["step", "two-hills", "bump"])
def test_a_curve_is_trained_on_and_recorded(tmp_path, curve):
    done = run("train", *SMALL, "--curve", curve, "--out", str(tmp_path))
    assert done.exit_code == 0, done.output
    doc = results(tmp_path)
    assert doc["settings"]["curve"] == curve
    want = beans.train(seeds=range(3), epochs=200, curve=curve, record_params=False)
    assert [r["final_mse"] for r in doc["results"]] == want.final_mse.tolist()


def test_a_test_share_holds_out_part_of_the_file(tmp_path):
    path = write_csv(tmp_path, "all.csv", 50, 0)
    done = run("train", *SMALL, "--data", str(path), "--test-share", "0.3", "--out", str(tmp_path / "o"))
    assert done.exit_code == 0, done.output
    doc = results(tmp_path / "o")
    assert doc["settings"]["beans"] == 35 and doc["settings"]["test_beans"] == 15
    assert doc["settings"]["test_share"] == 0.3 and doc["results"][0]["test_mse"] is not None
    other = run(
        "train", *SMALL, "--data", str(path), "--test-share", "0.3", "--data-seed", "1", "--out", str(tmp_path / "p")
    )
    assert other.exit_code == 0, other.output  # with a split, --data-seed picks the held-out rows
    assert results(tmp_path / "p")["results"][0]["test_mse"] != doc["results"][0]["test_mse"]


def test_the_summary_gives_the_converged_share_with_its_wilson_interval(tmp_path):
    done = run("train", "--epochs", "300", "--seeds", "5", "--no-plot", "--out", str(tmp_path), "--json", "-")
    summary = json.loads(done.stdout)["summary"]
    k = summary["converged"]
    assert summary["converged_share"] == k / 5
    assert (summary["converged_share_low"], summary["converged_share_high"]) == wilson_interval(k, 5)
    table = run("train", "--epochs", "300", "--seeds", "5", "--no-plot", "--out", str(tmp_path / "t"))
    low, high = wilson_interval(k, 5)
    line = f"converged share {k / 5:.1%}, 95% interval {low:.1%} to {high:.1%} (Wilson, 5 seeds)"
    assert line in table.stdout.splitlines()


BAD_FILES = {
    "empty": ("", "is empty"),
    "nan": ("size,toxicity\n0.5,1\nnan,0\n", "size 'nan' is not a number"),
    "text": ("size,toxicity\n0.5,1\nlarge,0\n", "size 'large' is not a number"),
    "toxicity 2": ("size,toxicity\n0.5,2\n0.6,0\n", "toxicity 2 is outside [0, 1]"),
    "one row": ("size,toxicity\n0.5,1\n", "at least 2"),
}


def bad_file(folder: Path, kind: str) -> tuple[Path, str]:
    """``folder``/bad.csv made as ``kind`` says: a BAD_FILES key, "10^9 rows" or "a folder".

    Returns the path and a part of the message its refusal must hold.
    """
    path = folder / "bad.csv"
    if kind == "10^9 rows":
        path.write_text("size,toxicity\n0.5,1\n")
        os.truncate(path, 10**9 * len("0.5,1\n"))  # sparse: as long as 10^9 rows, nothing written
        return path, "MiB"
    if kind == "a folder":
        path.mkdir()
        return path, "is a folder"
    text, message = BAD_FILES[kind]
    path.write_text(text)
    return path, message


@pytest.mark.parametrize("option", ["--data", "--test-data"])
@pytest.mark.parametrize("kind", list(BAD_FILES) + ["10^9 rows"])
def test_a_bad_file_is_one_line_and_destroys_nothing(tmp_path, kind, option):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("an earlier run's results\n")
    path, message = bad_file(tmp_path, kind)
    before = path.stat().st_size
    done = run("train", *SMALL, option, str(path), "--out", str(out))
    assert done.exit_code == 2
    assert done.output.count("\n") == 1 and done.output.startswith(f"Error: Invalid value for '{option}': ")
    assert message in done.output
    assert (out / "results.json").read_text() == "an earlier run's results\n" and len(list(out.iterdir())) == 1
    assert path.stat().st_size == before


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_a_fifo_is_refused_at_once_in_a_real_process(tmp_path, beans_command, command):
    fifo = tmp_path / "beans.csv"
    os.mkfifo(fifo)  # nobody writes to it: opening it blocking would wait forever
    data = str(fifo)
    if command == "sweep":  # an axis of files: a good one first does not let the FIFO through
        good = tmp_path / "good.csv"
        good.write_text("size,toxicity\n0.25,0\n0.5,1\n")
        data = f"{good},{fifo}"
    done = subprocess.run(
        [*beans_command, command, "--data", data, "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"Error: Invalid value for '--data': {fifo} is not a regular file (a pipe or a device?); "
        "save the beans to a file first"
    ]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--curve", "step"], "--curve"),
        (["--beans", "50"], "--beans"),
        (["--noise", "2"], "--noise"),
        (["--test-beans", "20"], "--test-beans"),
        (["--test-share", "0.3", "--test-data", "{csv}"], "--test-share"),
        (["--data-seed", "0"], "--data-seed"),  # the default value, typed: refused all the same
    ],
)
def test_options_that_draw_beans_do_not_mix_with_a_data_file(tmp_path, args, option):
    path = write_csv(tmp_path, "d.csv", 20, 0)
    args = [a.replace("{csv}", str(path)) for a in args]
    done = run("train", *SMALL, "--data", str(path), *args, "--out", str(tmp_path / "o"))
    assert done.exit_code == 2 and f"'{option}'" in done.output and done.output.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--test-share", "0.3"], "give --data FILE.csv too"),
        (["--test-share", "1"], "between 0 and 1"),
        (["--init", "uniform"], "lesson, xavier, he, normal[:SCALE]"),
        (["--init", "normal:-1"], "SCALE must be a finite number > 0"),
        (["--curve", "saddle"], "hill, step, two-hills, bump"),
    ],
)
def test_bad_values_are_usage_errors(tmp_path, args, message):
    done = run("train", *SMALL, *args, "--out", str(tmp_path / "o"))
    assert done.exit_code == 2 and message in done.output and done.output.count("\n") == 1


# --- beans data and beans predict with files ----------------------------------------------------


@pytest.mark.parametrize("curve", ["step", "two-hills", "bump"])
def test_beans_data_draws_a_curve_and_copies_a_file_bit_for_bit(tmp_path, curve):
    first, copy = tmp_path / "first.csv", tmp_path / "copy.csv"
    done = run("data", "--curve", curve, "--noise", "2", "--csv", str(first), "--out", str(tmp_path / "a.png"), "-q")
    assert done.exit_code == 0, done.output
    again = run("data", "--data", str(first), "--csv", str(copy), "--out", str(tmp_path / "b.png"), "-q")
    assert again.exit_code == 0, again.output
    assert copy.read_bytes() == first.read_bytes()
    from beans.bean_files import read_beans_csv

    data = read_beans_csv(first)
    want_xs, want_ys = beans.get_beans(100, 0, noise=2, curve=curve)
    np.testing.assert_array_equal(data.xs, want_xs)
    np.testing.assert_array_equal(data.ys, want_ys)


def test_beans_data_refuses_a_bad_file_and_drawing_options_with_a_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("size,toxicity\n0.5,2\n0.6,0\n")
    done = run("data", "--data", str(bad), "--out", str(tmp_path / "x.png"))
    assert done.exit_code == 2 and "toxicity 2 is outside [0, 1]" in done.output and done.output.count("\n") == 1
    good = write_csv(tmp_path, "good.csv", 10, 0)
    mixed = run("data", "--data", str(good), "--curve", "bump", "--out", str(tmp_path / "y.png"))
    assert mixed.exit_code == 2 and "'--curve'" in mixed.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "good.csv", "good.csv.png"]


def test_predict_checks_a_model_on_a_files_beans(tmp_path):
    """On the held-out beans' own CSV, predict's check is what train reported for the best seed."""
    out = tmp_path / "run"
    assert run("train", *SMALL, "--out", str(out)).exit_code == 0
    held_out = write_csv(tmp_path, "held.csv", 100, 1)  # train's held-out beans: data seed 0 + 1
    done = run("predict", "-m", str(out / "results.json"), "--data", str(held_out), "--json")
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    best = next(r for r in results(out)["results"] if r["rank"] == 1)
    assert doc["seed"] == best["seed"] and doc["checked"]["accuracy"] == best["test_accuracy"]
    assert doc["checked"]["mse"] == pytest.approx(best["test_mse"], rel=1e-12)
    assert [p["given"] for p in doc["predictions"]] == beans.get_beans(100, 1)[1].tolist()
    table = run("predict", "-m", str(out / "results.json"), "--data", str(held_out))
    assert f"checked on the 100 beans of {held_out}: accuracy" in table.stdout


@pytest.mark.parametrize("args", [[], ["0.5", "--data", "{csv}"]])
def test_predict_wants_sizes_or_a_file(tmp_path, args):
    out = tmp_path / "run"
    assert run("train", *SMALL, "--out", str(out)).exit_code == 0
    path = write_csv(tmp_path, "d.csv", 10, 0)
    done = run("predict", "-m", str(out / "results.json"), *[a.replace("{csv}", str(path)) for a in args])
    assert done.exit_code == 2 and done.output == "Error: give bean sizes or --data FILE.csv (one of them)\n"
