"""``beans sweep --data a.csv,b.csv``: an axis of beans files, bit for bit against ``beans train --data``."""

from __future__ import annotations

import json
import subprocess

import pytest
from beans.cli.app import app
from beans.cli.sweep_plots import sweep_figure
from test_cli_data_and_starts import BAD_FILES, bad_file, write_csv
from typer.testing import CliRunner

from beans.sweep.grid import Grid, GridError, read_files, value_labels

runner = CliRunner()
TINY = ["--epochs", "200", "--seeds", "3", "--snapshot-every", "50", "--no-plot", "-q"]
LOUD = TINY[:-1]  # with the messages: "resuming: ..."
PER_SEED = ("final_mse", "accuracy", "test_mse", "test_accuracy", "converged", "diverged", "epochs_to_converge")


def run(*args: str):
    return runner.invoke(app, list(args))


def records(out) -> list[dict]:
    """The journal's cell records, in the order they were written."""
    return [json.loads(line) for line in (out / "journal.jsonl").read_text().splitlines()[1:]]


def per_seed(record: dict) -> dict[str, list]:
    return {name: record["seeds"][name] for name in PER_SEED}


def trained(tmp_path, name: str, *args: str) -> dict[str, list]:
    """``beans train`` with ``args`` and TINY's settings: its per-seed figures, as the journal names them."""
    out = tmp_path / name
    done = run(
        "train",
        "--epochs",
        "200",
        "--seeds",
        "3",
        "--snapshot-every",
        "50",
        "--no-plot",
        "-q",
        "--out",
        str(out),
        *args,
    )
    assert done.exit_code == 0, done.output
    rows = json.loads((out / "results.json").read_text())["results"]
    rows = sorted(rows, key=lambda row: row["seed"])
    return {name: [row[name] for row in rows] for name in PER_SEED}


@pytest.fixture(scope="module")
def two_files(tmp_path_factory):
    """Two CSVs written by ``beans data --csv``: 60 beans of data seed 4, 40 of data seed 5."""
    folder = tmp_path_factory.mktemp("files")
    return write_csv(folder, "a.csv", 60, 4), write_csv(folder, "b.csv", 40, 5)


@pytest.fixture(scope="module")
def file_sweep(tmp_path_factory, two_files):
    """A finished sweep over the two files and two learning rates: its out folder."""
    out = tmp_path_factory.mktemp("sweep") / "out"
    a, b = two_files
    done = run("sweep", "--data", f"{a},{b}", "--lr", "0.1,0.5", *TINY, "--out", str(out))
    assert done.exit_code == 0, done.output
    return out


def test_each_file_cell_is_train_on_that_file_and_the_built_in_beans_bit_for_bit(tmp_path, two_files, file_sweep):
    (a, b), got = two_files, records(file_sweep)
    assert sorted((r["cell"]["data"], r["cell"]["lr"]) for r in got) == sorted(
        (str(path), lr) for path in (a, b) for lr in (0.1, 0.5)
    )
    built_in = tmp_path / "built-in"
    done = run(
        "sweep",
        "--beans",
        "60,40",
        "--data-seed",
        "4,5",
        "--lr",
        "0.1,0.5",
        "--test-beans",
        "0",
        *TINY,
        "--out",
        str(built_in),
    )
    assert done.exit_code == 0, done.output
    drawn = {(r["cell"]["beans"], r["cell"]["data_seed"], r["cell"]["lr"]): per_seed(r) for r in records(built_in)}
    for record in got:
        path, lr = record["cell"]["data"], record["cell"]["lr"]
        beans, data_seed = (60, 4) if path == str(a) else (40, 5)
        assert record["cell"]["beans"] is None and record["cell"]["curve"] is None  # they do not apply
        assert per_seed(record) == trained(tmp_path, f"{beans}-{lr}", "--data", path, "--lr", str(lr))
        assert per_seed(record) == drawn[(beans, data_seed, lr)]


def test_the_table_csv_json_and_figure_name_each_file(tmp_path, two_files, file_sweep):
    a, b = two_files
    cells = json.loads((file_sweep / "cells.json").read_text())
    assert [c["data"] for c in cells["cells"]] == [str(a), str(b), str(a), str(b)]
    assert [(f["path"], f["beans"]) for f in cells["grid"]["data_files"]] == [(str(a), 60), (str(b), 40)]
    assert all(len(f["sha256"]) == 64 for f in cells["grid"]["data_files"])
    header = (file_sweep / "cells.csv").read_text().splitlines()[0].split(",")
    assert header[header.index("init") + 1] == "data"
    again = run("sweep", "--data", f"{a},{b}", "--lr", "0.1,0.5", *TINY, "--out", str(file_sweep), "--resume")
    assert " a.csv " in again.stdout and " b.csv " in again.stdout and str(a.parent) not in again.stdout
    axes = {name: tuple(values) for name, values in cells["grid"]["axes"].items()}
    share_ax = sweep_figure(cells["cells"], axes, "data", "lr", seeds=3).axes[0]
    assert [t.get_text() for t in share_ax.get_xticklabels()] == ["a.csv", "b.csv"]
    assert "a.csv" not in share_ax.figure.get_suptitle() and "None" not in share_ax.figure.get_suptitle()


@pytest.mark.parametrize("held_out", ["--test-share", "--test-data"])
def test_held_out_beans_come_from_a_share_of_each_file_or_one_test_file_as_in_train(tmp_path, two_files, held_out):
    a, b = two_files
    extra = ["--test-share", "0.3", "--data-seed", "0,7"] if held_out == "--test-share" else ["--test-data", str(b)]
    out = tmp_path / "out"
    done = run("sweep", "--data", f"{a},{b}", "--lr", "0.5", *TINY, "--out", str(out), *extra)
    assert done.exit_code == 0, done.output
    for record in records(out):
        cell = record["cell"]
        args = ["--data", cell["data"], "--lr", "0.5"]
        args += ["--test-share", "0.3", "--data-seed", str(cell["data_seed"])] if held_out == "--test-share" else extra
        want = trained(tmp_path, f"{cell['data'][-5:]}-{cell['data_seed']}", *args)
        assert per_seed(record) == want and None not in want["test_mse"]


def test_a_test_file_beside_the_built_in_beans_is_what_train_tests_on(tmp_path, two_files):
    out = tmp_path / "out"
    done = run("sweep", "--beans", "30", "--lr", "0.5", *TINY, "--test-data", str(two_files[1]), "--out", str(out))
    assert done.exit_code == 0, done.output
    (record,) = records(out)
    assert per_seed(record) == trained(tmp_path, "t", "--beans", "30", "--lr", "0.5", "--test-data", str(two_files[1]))


def test_files_are_shown_by_name_unless_two_share_one():
    assert value_labels("data", ("x/a.csv", "y/b.csv")) == {"x/a.csv": "a.csv", "y/b.csv": "b.csv"}
    assert value_labels("data", ("x/a.csv", "y/a.csv")) == {"x/a.csv": "x/a.csv", "y/a.csv": "y/a.csv"}
    assert value_labels("data", (None,)) == {None: "-"}


def test_resume_finishes_the_sweep_and_a_changed_file_is_refused(tmp_path, two_files, file_sweep):
    a, b = two_files
    args = ["sweep", "--data", f"{a},{b}", "--lr", "0.1,0.5", *LOUD]
    out = tmp_path / "out"
    out.mkdir()
    lines = (file_sweep / "journal.jsonl").read_text().splitlines(keepends=True)
    (out / "journal.jsonl").write_text("".join(lines[:3]))  # the header and two of the four cells
    resumed = run(*args, "--out", str(out), "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "resuming: 2 of 4 cells already done" in resumed.stderr
    for name in ("seeds.csv", "cells.csv", "cells.json"):
        assert (out / name).read_bytes() == (file_sweep / name).read_bytes()

    journal = (out / "journal.jsonl").read_bytes()
    a_bytes = a.read_bytes()
    try:
        a.write_bytes(a_bytes.replace(b",0.0\n", b",1.0\n", 1))  # one bean's toxicity
        refused = run(*args, "--out", str(out), "--resume")
    finally:
        a.write_bytes(a_bytes)
    assert refused.exit_code == 2 and refused.output.count("\n") == 1, refused.output
    assert refused.output.startswith("Error: --resume: this sweep differs from the one in ")
    assert f"--data {a} changed since the journal was written" in refused.output
    assert (out / "journal.jsonl").read_bytes() == journal


def test_a_journal_from_before_the_data_init_and_curve_axes_still_resumes(tmp_path):
    out = tmp_path / "out"
    args = ["sweep", "--lr", "0.1,0.5", "--beans", "20", *LOUD, "--out", str(out)]
    assert run(*args).exit_code == 0
    header, *cells = (out / "journal.jsonl").read_text().splitlines()
    header = json.loads(header)
    for name in ("data", "init", "curve"):
        del header["grid"]["axes"][name]
    for name in ("data_files", "test_data", "test_share"):
        del header["grid"][name]
    old = [json.loads(line) for line in cells]
    for record in old:
        for name in ("data", "init", "curve"):
            del record["cell"][name]
    (out / "journal.jsonl").write_text("\n".join(json.dumps(d) for d in [header, *old]) + "\n")
    resumed = run(*args, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "resuming: 2 of 2 cells already done" in resumed.stderr


@pytest.mark.parametrize("kind", list(BAD_FILES) + ["10^9 rows", "a folder"])
def test_a_bad_file_is_one_line_before_any_cell_and_destroys_nothing(tmp_path, two_files, kind):
    out = tmp_path / "out"
    out.mkdir()
    (out / "journal.jsonl").write_text("an earlier sweep's journal\n")
    path, message = bad_file(tmp_path, kind)
    done = run("sweep", "--data", f"{two_files[0]},{path}", *TINY, "--out", str(out), "--resume")
    assert done.exit_code == 2, done.output
    assert done.output.count("\n") == 1 and done.output.startswith("Error: Invalid value for '--data': ")
    assert message in done.output
    assert (out / "journal.jsonl").read_text() == "an earlier sweep's journal\n" and len(list(out.iterdir())) == 1


@pytest.mark.parametrize(
    ("args", "option", "message"),
    [
        (["--beans", "50"], "--beans", "draws beans; with --data the beans are the file's"),
        (["--curve", "hill"], "--curve", "draws beans; with --data the beans are the file's"),
        (["--noise", "1"], "--noise", "draws beans; with --data the beans are the file's"),
        (["--data-seed", "1,2"], "--data-seed", "with --test-share it picks the held-out rows"),
        (["--test-beans", "20"], "--test-beans", "they come from --test-data or --test-share"),
        (["--test-share", "0.3", "--test-data", "{csv}"], "--test-share", "not both"),
        (["--test-share", "0.99"], "--test-share", "a.csv: a share of 0.99 of 60 beans holds out 59"),
        (["--data", "{csv},{csv}"], "--data", "twice"),
    ],
)
def test_options_that_contradict_a_file_are_one_line_usage_errors(tmp_path, two_files, args, option, message):
    args = [arg.replace("{csv}", str(two_files[0])) for arg in args]
    done = run("sweep", "--data", str(two_files[0]), *TINY, "--out", str(tmp_path / "o"), *args)
    assert done.exit_code == 2 and done.output.count("\n") == 1, done.output
    assert done.output.startswith(f"Error: Invalid value for '{option}': ") and message in done.output
    assert not (tmp_path / "o").exists()


def test_a_test_share_needs_files_as_in_train(tmp_path):
    done = run("sweep", *TINY, "--test-share", "0.3", "--out", str(tmp_path / "o"))
    assert done.exit_code == 2 and "give --data FILE.csv too" in done.output


def test_steps_and_memory_count_each_files_rows_not_beans(tmp_path, two_files):
    a, b = two_files
    files = Grid({"data": (str(a), str(b)), "epochs": (200,)}, range(3), files=read_files((str(a), str(b))))
    assert files.total_steps == 3 * 200 * (60 + 40)
    drawn = Grid({"beans": (60,), "epochs": (200,)}, range(3), test_beans=0)
    assert files.task_bytes() == drawn.task_bytes()
    split = Grid({"data": (str(a),)}, range(3), files=read_files((str(a),)), test_share=0.25)
    assert split.bean_counts(next(split.cells())) == (45, 15) and split.total_steps == 3 * 5000 * 45
    assert split.task_bytes() == Grid({"beans": (45,)}, range(3), test_beans=15).task_bytes()
    with pytest.raises(GridError, match="has not been read"):
        Grid({"data": (str(a),)}, range(3))


def test_a_sweep_too_big_for_its_files_rows_is_refused_naming_data(tmp_path, beans_command):
    rows = 200_000
    path = tmp_path / "many.csv"
    path.write_text("size,toxicity\n" + "0.5,1\n" * rows)
    seeds = ["--seeds", "20000", "--epochs", "10"]
    Grid({"epochs": (10,)}, range(20000)).check_memory()  # the built-in 100 beans fit
    done = subprocess.run(
        [*beans_command, "sweep", "--data", str(path), *seeds, "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("Error: Invalid value for '--data': ") and f"{rows:,} beans" in done.stderr
    assert "GiB of memory" in done.stderr and not (tmp_path / "o").exists()
