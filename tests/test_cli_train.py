"""``beans train``: what it writes, what it prints, and how it refuses bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from beans.cli.app import app
from beans.cli.train import INTERRUPTED
from typer.testing import CliRunner

import beans
import beans.training
from beans.config import MAX_EPOCHS, MAX_SNAPSHOTS, ConfigError, check_run_size, snapshot_count

EPOCHS = "200"  # enough for the curves to move; keeps each run a fraction of a second
runner = CliRunner()  # the plain-terminal environment comes from conftest's autouse fixture


def train(out: Path, *args: str):
    """Run ``beans train`` in-process with small settings; returns click's Result."""
    return runner.invoke(app, ["train", "--epochs", EPOCHS, "--out", str(out), *args])


def read_results(out: Path) -> dict:
    return json.loads((out / "results.json").read_text())


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*")) if path.exists() else []


@pytest.fixture(scope="module")
def three_seeds(tmp_path_factory):
    """One run of three seeds shared by the read-back tests: (Result, out dir)."""
    out = tmp_path_factory.mktemp("three") / "out"
    result = train(out, "--seeds", "3", "--seed-start", "5")
    assert result.exit_code == 0, result.output
    return result, out


# --- what a good run writes -------------------------------------------------------------


def test_seeds_3_gives_three_results_with_params_by_name(three_seeds):
    _, out = three_seeds
    doc = read_results(out)
    assert [r["seed"] for r in doc["results"]] == [5, 6, 7]
    assert doc["settings"]["seeds"] == [5, 6, 7]
    assert doc["settings"]["epochs"] == int(EPOCHS)
    assert sorted(r["rank"] for r in doc["results"]) == [1, 2, 3]
    for entry in doc["results"]:
        assert list(entry["params"]) == list(beans.PARAM_NAMES)
    assert set(doc["versions"]) == {"beans", "numba", "numpy"}
    assert doc["summary"]["seeds"] == 3
    # which lane kernel ran and why (kernels.choice): a short run waits for no compile
    assert doc["settings"]["kernel"] in ("generated", "run-time-shaped") and doc["settings"]["kernel_reason"]


def test_json_numbers_equal_kernels_train(three_seeds):
    _, out = three_seeds
    doc = read_results(out)
    direct = beans.train(seeds=(5, 6, 7), epochs=int(EPOCHS))
    saved = np.array([[r["params"][n] for n in beans.PARAM_NAMES] for r in doc["results"]])
    np.testing.assert_array_equal(saved, direct.params)
    np.testing.assert_array_equal([r["final_mse"] for r in doc["results"]], direct.final_mse)
    np.testing.assert_array_equal([r["test_accuracy"] for r in doc["results"]], direct.test_accuracy)


def test_table_matches_json_best_first(three_seeds):
    result, out = three_seeds
    doc = read_results(out)
    ranked = sorted(doc["results"], key=lambda r: r["rank"])
    table_rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert len(table_rows) == 3
    for line, entry in zip(table_rows, ranked, strict=True):
        cells = [c.strip() for c in line.strip("│").split("│")]
        assert cells[:4] == [
            str(entry["rank"]),
            str(entry["seed"]),
            f"{entry['final_mse']:.2e}",
            f"{entry['accuracy']:.1%}",
        ]
        assert cells[4] == f"{entry['test_mse']:.2e}"
    converged = doc["summary"]["converged"]
    assert f"converged {converged} of 3" in result.stdout


def test_plots_decode(three_seeds):
    from matplotlib.image import imread

    _, out = three_seeds
    for name in ("fit.png", "loss.png", "neurons.png"):
        image = imread(out / name)
        assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100


def test_paths_are_printed_on_stderr(three_seeds):
    result, out = three_seeds
    for name in ("results.json", "fit.png", "loss.png", "neurons.png"):
        assert f"wrote {out / name}" in result.stderr
    assert "wrote" not in result.stdout


def test_only_finished_files_are_left(three_seeds):
    _, out = three_seeds
    assert sorted(p.name for p in out.iterdir()) == ["fit.png", "loss.png", "neurons.png", "results.json"]


@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_plot_format(tmp_path, fmt, magic):
    result = train(tmp_path, "--plot-format", fmt, "--test-beans", "0")
    assert result.exit_code == 0, result.output
    for name in ("fit", "loss", "neurons"):
        assert (tmp_path / f"{name}.{fmt}").read_bytes().startswith(magic)
    assert not (tmp_path / "fit.png").exists()


def test_no_plot_writes_only_results(tmp_path):
    result = train(tmp_path, "--no-plot")
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_same_command_twice_gives_identical_numbers(tmp_path):
    runs = []
    for name in ("a", "b"):
        assert train(tmp_path / name, "--seeds", "2", "--no-plot").exit_code == 0
        runs.append(read_results(tmp_path / name))
    assert runs[0]["results"] == runs[1]["results"]
    assert runs[0]["settings"] == runs[1]["settings"]


@pytest.mark.skipif(beans.max_threads() < 2, reason="needs 2 threads")
def test_thread_count_does_not_change_params(tmp_path):
    docs = []
    for threads in ("1", "2"):
        assert train(tmp_path / threads, "--seeds", "4", "--threads", threads, "--no-plot").exit_code == 0
        docs.append(read_results(tmp_path / threads))
    assert [r["params"] for r in docs[0]["results"]] == [r["params"] for r in docs[1]["results"]]


def test_without_test_beans_the_test_columns_go_and_json_has_null(tmp_path):
    result = train(tmp_path, "--test-beans", "0", "--no-plot")
    assert result.exit_code == 0, result.output
    assert "test MSE" not in result.stdout and "held-out" not in result.stdout
    entry = read_results(tmp_path)["results"][0]
    assert entry["test_mse"] is None and entry["test_accuracy"] is None


def test_held_out_beans_are_reported(three_seeds):
    result, out = three_seeds
    assert "held-out 100 beans (data seed 1)" in result.stdout
    entry = read_results(out)["results"][0]
    assert 0 <= entry["test_accuracy"] <= 1 and entry["test_mse"] != entry["final_mse"]


def test_snapshot_every_sets_the_recording_interval(tmp_path):
    from PIL import Image

    gif = tmp_path / "t.gif"
    result = train(tmp_path, "--snapshot-every", "50", "--no-plot", "--animate", str(gif))
    assert result.exit_code == 0, result.output
    assert read_results(tmp_path)["settings"]["snapshot_every"] == 50
    with Image.open(gif) as image:  # a frame per snapshot: epochs 0, 50, ..., EPOCHS
        assert image.n_frames == int(EPOCHS) // 50 + 1


def test_zero_epochs_still_plots(tmp_path):
    result = runner.invoke(app, ["train", "--epochs", "0", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "loss.png").stat().st_size > 0


def test_json_to_stdout_is_all_of_stdout(tmp_path):
    result = train(tmp_path, "--seeds", "2", "--json", "-", "--no-plot")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert len(doc["results"]) == 2
    assert doc == read_results(tmp_path)


def test_json_to_a_file_also(tmp_path):
    result = train(tmp_path / "out", "--json", str(tmp_path / "sub" / "r.json"), "--no-plot")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "sub" / "r.json").read_text()) == read_results(tmp_path / "out")


def test_quiet_prints_no_messages(tmp_path):
    result = train(tmp_path, "--quiet", "--no-plot")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "converged" in result.stdout  # the results themselves still show


def test_diverging_lr_is_reported_not_crashed(tmp_path):
    result = train(tmp_path, "--seeds", "2", "--lr", "1e10")
    assert result.exit_code == 0, result.output
    doc = read_results(tmp_path)
    assert all(r["diverged"] and not r["converged"] for r in doc["results"])
    assert result.stdout.count("diverged") >= 2
    assert (tmp_path / "fit.png").exists() and (tmp_path / "loss.png").exists()


def test_when_every_seed_diverged_no_seed_is_called_best(tmp_path):
    """The table still lists each seed's numbers; the summary, the JSON and the plots name no best."""
    result = train(tmp_path, "--seeds", "3", "--lr", "1e10")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert len(rows) == 3 and all("diverged" in row for row in rows)
    assert "all 3 seeds diverged" in result.stdout
    assert "best seed 0" not in result.stdout and "no seed finished" not in result.stdout
    summary = read_results(tmp_path)["summary"]
    assert summary["best_seed"] is None and summary["test_mse_of_best"] is None
    assert summary["final_mse"] == {"best": None, "median": None, "worst": None}
    assert [r["rank"] for r in read_results(tmp_path)["results"]] == [1, 2, 3]  # ranks stay
    # neurons.png draws the best seed's neurons: there is none, and the run says so
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit.png", "loss.png", "results.json"]
    assert "no best seed (all 3 diverged): no neurons.png drawn" in result.stderr


@pytest.mark.parametrize(("hidden", "n_params"), [("2", 7), ("3", 10)])
def test_python_engine_estimates_then_matches_jit(tmp_path, hidden, n_params):
    args = ["--hidden", hidden, "--seeds", "2", "--epochs", "20", "--beans", "20", "--test-beans", "0", "--no-plot"]
    result = runner.invoke(app, ["train", *args, "--engine", "python", "--out", str(tmp_path / "py")])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("python engine: about ")
    assert runner.invoke(app, ["train", *args, "--out", str(tmp_path / "jit")]).exit_code == 0
    py, jit = read_results(tmp_path / "py"), read_results(tmp_path / "jit")
    for a, b in zip(py["results"], jit["results"], strict=True):
        assert len(a["params"]) == n_params
        np.testing.assert_allclose(list(a["params"].values()), list(b["params"].values()), rtol=0, atol=1e-10)


def test_animate_writes_a_gif_of_the_chosen_seed(tmp_path):
    from PIL import Image

    gif = tmp_path / "anim" / "train.gif"
    result = train(tmp_path / "out", "--seeds", "2", "--animate", str(gif), "--animate-seed", "1", "--no-plot")
    assert result.exit_code == 0, result.output
    with Image.open(gif) as image:
        assert image.n_frames == int(EPOCHS) // 100 + 1
    assert f"wrote {gif}" in result.stderr


def test_animate_refuses_when_every_seed_diverged_and_writes_nothing(tmp_path):
    """No best seed in the summary, so none in the GIF: the run fails whole (exit 1) instead."""
    gif = tmp_path / "anim" / "train.gif"
    result = train(tmp_path / "out", "--seeds", "3", "--lr", "1e10", "--animate", str(gif))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: --animate: all 3 seeds diverged, so there is no best seed to draw; ")
    assert "--animate-seed" in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert files_under(tmp_path) == []  # not results.json, not the plots, not the folders


def test_animate_draws_a_named_seed_even_when_every_seed_diverged(tmp_path):
    from PIL import Image

    gif = tmp_path / "train.gif"
    result = train(tmp_path / "out", "--seeds", "3", "--lr", "1e10", "--animate", str(gif), "--animate-seed", "2")
    assert result.exit_code == 0, result.output
    assert read_results(tmp_path / "out")["summary"]["best_seed"] is None
    with Image.open(gif) as image:
        assert image.n_frames == int(EPOCHS) // 100 + 1


# --- bad input ------------------------------------------------------------------------------

BAD_USAGE = [
    (["--seeds", "0"], "--seeds"),
    (["--seed-start", "-1"], "--seed-start"),
    (["--epochs", "-1"], "--epochs"),
    (["--lr", "0"], "--lr"),
    (["--lr", "-0.5"], "--lr"),
    (["--lr", "nan"], "--lr"),
    (["--lr", "inf"], "--lr"),
    (["--lr", "fast"], "--lr"),
    (["--beans", "1"], "--beans"),
    (["--data-seed", "-1"], "--data-seed"),
    (["--test-beans", "-1"], "--test-beans"),
    (["--snapshot-every", "0"], "--snapshot-every"),
    (["--threads", "0"], "--threads"),
    (["--threads", str(beans.max_threads() + 1)], "--threads"),
    (["--engine", "python", "--threads", "1"], "--threads"),
    (["--epochs", str(MAX_EPOCHS + 1)], "--epochs"),
    (["--snapshot-every", str(MAX_EPOCHS + 1)], "--snapshot-every"),
    (["--epochs", "100000000000", "--snapshot-every", "1"], "--snapshot-every"),  # 1e11 snapshots
    (["--epochs", str(MAX_SNAPSHOTS), "--snapshot-every", "1"], "--snapshot-every"),  # one too many
    (["--seeds", "100000000"], "--seeds"),  # 1e8 seeds x 3 snapshots (EPOCHS 200): 2.2 GiB of losses
    (["--seeds", "20000000", "--animate", "a.gif"], "--seeds"),  # with the parameters too: 3.6 GiB
    (["--seeds", str(10**18)], "--seeds"),  # refused before the seed tuple is built
    (["--engine", "gpu"], "--engine"),
    (["--seeds", "abc"], "--seeds"),
    (["--plot-format", "gif"], "--plot-format"),
    (["--animate", "train.png"], "--animate"),
    (["--animate-seed", "0"], "--animate-seed"),
    (["--animate", "t.gif", "--animate-seed", "7"], "--animate-seed"),
]


@pytest.mark.parametrize(("args", "option"), BAD_USAGE, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_bad_option_is_a_usage_error_naming_it(tmp_path, args, option):
    result = train(tmp_path / "out", *args)
    assert result.exit_code == 2, result.output
    assert option in result.stderr
    assert "Traceback" not in result.output
    assert files_under(tmp_path) == []


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--out", "/dev/null/beans"], "--out"),
        (["--json", "/dev/null/beans/r.json"], "--json"),
        (["--animate", "/dev/null/a.gif"], "--animate"),
    ],
)
def test_unwritable_output_is_an_io_error_naming_it(tmp_path, args, option):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(app, ["train", "--epochs", EPOCHS, "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 1, result.output
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1 and option in error_lines[0]
    assert files_under(tmp_path) == []  # not even the --out folder is left


def test_out_that_is_a_file_is_a_usage_error(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    result = train(blocker)
    assert result.exit_code == 2
    assert result.stderr == f"Error: --out: {blocker} is not a directory\n"
    assert files_under(tmp_path) == [blocker]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--json", "{tmp}"], "--json"),  # an existing directory
        (["--json", "{tmp}/new/"], "--json"),  # a trailing separator names a folder
        (["--animate", "{tmp}"], "--animate"),
        (["--animate", "{tmp}/a.gif/"], "--animate"),
    ],
)
def test_a_folder_where_a_file_belongs_is_a_usage_error(tmp_path, args, option):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(app, ["train", "--epochs", EPOCHS, "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1 and option in error_lines[0], result.stderr
    assert "Value error" not in result.stderr
    assert files_under(tmp_path) == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_an_unwritable_folder_is_named_with_the_systems_reason(tmp_path):
    result = runner.invoke(app, ["train", "--epochs", EPOCHS, "--out", str(tmp_path / "out"), "--json", "/proc/x.json"])
    assert result.exit_code == 1
    # /proc exists; it is making a file there that fails (ENOENT, the kernel's own answer)
    assert result.stderr.startswith("Error: --json: cannot create a file in /proc: No such file or directory")
    assert files_under(tmp_path) == []


def test_missing_parents_of_every_output_are_created(tmp_path):
    gif, doc = tmp_path / "a" / "b" / "t.gif", tmp_path / "c" / "d" / "r.json"
    result = train(tmp_path / "out", "--json", str(doc), "--animate", str(gif), "--no-plot", "-q")
    assert result.exit_code == 0, result.output
    assert gif.stat().st_size > 0 and doc.stat().st_size > 0


@pytest.mark.parametrize(
    ("epochs", "every", "records"), [(0, 100, 1), (5000, 100, 51), (5001, 100, 52), (99, 100, 2), (7, 1, 8)]
)
def test_record_count_matches_what_kernels_records(epochs, every, records):
    assert snapshot_count(epochs, every) == records
    assert beans.TrainConfig(epochs=epochs, snapshot_every=every).snapshot_epochs.size == records


def test_snapshot_cap_is_inclusive_and_the_history_cap_leaves_room_for_big_runs():
    assert snapshot_count(MAX_SNAPSHOTS - 1, 1) == MAX_SNAPSHOTS
    check_run_size(seeds=1, epochs=MAX_SNAPSHOTS - 1, snapshot_every=1, n_params=7, record_params=True)
    beans.TrainConfig(seeds=(0,), epochs=MAX_SNAPSHOTS - 1, snapshot_every=1)  # what beans train checks
    with pytest.raises(ConfigError) as one_more:
        check_run_size(seeds=1, epochs=MAX_SNAPSHOTS, snapshot_every=1, n_params=7, record_params=True)
    assert one_more.value.setting == "snapshot_every"
    # 10k seeds at the lesson's settings fit, their parameters recorded too
    check_run_size(seeds=10_000, epochs=5000, snapshot_every=100, n_params=7, record_params=True)


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [(KeyboardInterrupt, 130, "interrupted"), (MemoryError, 1, "out of memory")],
)
def test_interrupt_or_memory_error_is_one_line_and_leaves_nothing(tmp_path, monkeypatch, error, code, message):
    def failing(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(beans.training, "train", failing)
    result = train(tmp_path / "deep" / "out", "--json", str(tmp_path / "j" / "r.json"))
    assert result.exit_code == code
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert files_under(tmp_path) == []


def test_an_unforeseen_error_still_removes_the_folders_it_made(tmp_path, monkeypatch):
    def failing(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(beans.training, "train", failing)
    result = train(tmp_path / "deep" / "out")
    assert isinstance(result.exception, RuntimeError)
    assert files_under(tmp_path) == []


def _interrupt(*_args, **_kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_while_writing_files_removes_every_file_and_folder_it_made(tmp_path, monkeypatch, figures_in_process):
    """Interrupted after results.json, the JSON copy and fit.png are written: none of them stays."""
    import beans.cli.plots

    monkeypatch.setattr(beans.cli.plots, "loss_figure", _interrupt)
    gif, doc = tmp_path / "g" / "t.gif", tmp_path / "j" / "r.json"
    result = train(tmp_path / "deep" / "out", "--json", str(doc), "--animate", str(gif))
    assert result.exit_code == 130, result.output
    assert result.stderr == f"Error: {INTERRUPTED}\n"
    assert "converged" in result.stdout  # the table was printed before the files
    assert files_under(tmp_path) == []


def test_ctrl_c_while_writing_the_gif_removes_the_plots_and_json(tmp_path, monkeypatch):
    import beans.cli.animation

    monkeypatch.setattr(beans.cli.animation, "save_training_gif", _interrupt)
    result = train(tmp_path / "out", "--animate", str(tmp_path / "out" / "t.gif"))
    assert result.exit_code == 130, result.output
    assert files_under(tmp_path) == []


def test_an_interrupted_rerun_keeps_the_previous_runs_files(tmp_path, monkeypatch, figures_in_process):
    import beans.cli.plots

    assert train(tmp_path, "--seeds", "2").exit_code == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    monkeypatch.setattr(beans.cli.plots, "loss_figure", _interrupt)
    assert train(tmp_path, "--seeds", "3").exit_code == 130
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temporary files either


def test_a_write_error_after_training_leaves_nothing(tmp_path, monkeypatch, figures_in_process):
    import beans.cli.plots

    class DiskFull:
        """A figure whose saving fails as on a full disk."""

        def savefig(self, *_args, **_kwargs):
            raise OSError(28, "No space left on device")

        def clear(self):
            pass

    monkeypatch.setattr(beans.cli.plots, "loss_figure", lambda _result: DiskFull())
    result = train(tmp_path / "deep" / "out")
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.stderr and result.stderr.count("\n") == 1
    assert files_under(tmp_path) == []


def test_summary_lines_are_whole_when_stdout_is_not_a_terminal(tmp_path, monkeypatch):
    monkeypatch.delenv("COLUMNS")  # a pipe: rich would otherwise wrap at 80 columns
    result = train(tmp_path, "--seeds", "2", "--no-plot", "-q")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    held_out = [line for line in lines if line.startswith("held-out 100 beans")]
    assert len(held_out) == 1 and "median test accuracy" in held_out[0], result.stdout
    assert any(line.startswith("wall time") and line.rstrip().endswith("(jit engine)") for line in lines)


def test_ctrl_c_during_training_exits_130_and_leaves_nothing(tmp_path, monkeypatch):
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(beans.training, "train", interrupted)
    result = train(tmp_path / "deep" / "out")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert files_under(tmp_path) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--engine", "foo"], "Error: Invalid value for '--engine': must be one of jit, python; got 'foo'"),
        (["--plot-format", "gif"], "Error: Invalid value for '--plot-format': must be one of png, svg, pdf; got 'gif'"),
        (["--seeds", "0"], "Error: Invalid value for '--seeds': must be >= 1, got 0"),
        (
            ["--epochs", str(MAX_EPOCHS + 1)],
            f"Error: Invalid value for '--epochs': must be <= {MAX_EPOCHS:,}, got {MAX_EPOCHS + 1:,}",
        ),
        (["--seeds", "2.5"], "Error: Invalid value for '--seeds': must be a whole number, got '2.5'"),
        (["--threads", "1_0"], "Error: Invalid value for '--threads': must be a whole number, got '1_0'"),
        (["--lr", "fast"], "Error: Invalid value for '--lr': must be a finite number > 0, got 'fast'"),
        (["--lr", "inf"], "Error: Invalid value for '--lr': must be a finite number > 0, got 'inf'"),
        (["--lr", "-0.5"], "Error: Invalid value for '--lr': must be a finite number > 0, got -0.5"),
    ],
)
def test_usage_errors_read_as_plain_words(tmp_path, args, message):
    result = train(tmp_path / "out", *args)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"


# --- the real program ------------------------------------------------------------------------


def test_real_subprocess_json_to_stdout(tmp_path, beans_command):
    cmd = [*beans_command, "train", "--seeds", "3", "--epochs", EPOCHS, "--out", str(tmp_path), "--json", "-"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert [r["seed"] for r in doc["results"]] == [0, 1, 2]
    assert (tmp_path / "fit.png").exists()


def test_real_sigint_exits_130_and_leaves_nothing(tmp_path, beans_command):
    # the python engine prints its estimate just before training: interrupt after that line
    cmd = [*beans_command, "train", "--engine", "python", "--epochs", "1000000", "--out", str(tmp_path / "out")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr.readline().startswith("python engine: about")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert files_under(tmp_path) == []


def test_real_sigint_stops_the_jit_engine_and_leaves_nothing(tmp_path, beans_command):
    """The default engine trains in a worker thread; Ctrl-C must stop it within an epoch."""
    out = tmp_path / "deep" / "out"
    # hours of training on any machine, so it is still running when the signal comes
    cmd = [*beans_command, "train", "--seeds", "20", "--epochs", str(10**9), "--snapshot-every", str(10**7)]
    proc = subprocess.Popen([*cmd, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # --out is created once every option is checked, right before training starts
        deadline = time.monotonic() + 60  # a guard against a hang only
        while not out.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # most likely into the kernel by now; earlier, the signal must be handled all the same
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        stdout, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert err.splitlines() == [f"Error: {INTERRUPTED}"]
    assert stdout == ""
    assert files_under(tmp_path) == []


def test_runs_where_home_and_config_are_unwritable(tmp_path, beans_command):
    env = {k: v for k, v in os.environ.items() if k != "MPLCONFIGDIR"}  # already plain (conftest)
    env.update(HOME="/dev/null/home", XDG_CACHE_HOME="/dev/null/cache", XDG_CONFIG_HOME="/dev/null/config")
    cmd = [*beans_command, "train", "--seeds", "2", "--epochs", EPOCHS, "--out", str(tmp_path)]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "Matplotlib" not in run.stderr and "warn" not in run.stderr.lower(), run.stderr  # no config-dir warning
    for name in ("fit.png", "loss.png", "results.json"):
        assert (tmp_path / name).stat().st_size > 0


# --- --noise and epochs to converge ----------------------------------------------------------


def test_results_carry_noise_and_each_seeds_epochs_to_converge(tmp_path):
    result = train(tmp_path / "out", "--seeds", "3", "--epochs", "3000", "--noise", "2", "--no-plot")
    assert result.exit_code == 0, result.output
    doc = read_results(tmp_path / "out")
    assert doc["settings"]["noise"] == 2.0
    epochs = [entry["epochs_to_converge"] for entry in doc["results"]]
    assert all(e is None or (isinstance(e, int) and e % 100 == 0) for e in epochs)
    assert any(e is not None for e in epochs)
    assert all(e is not None for entry, e in zip(doc["results"], epochs, strict=True) if entry["converged"])
    assert "epochs to conv." in result.stdout


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "loud"])
def test_bad_noise_is_a_usage_error(tmp_path, value):
    result = train(tmp_path / "out", "--noise", value)
    assert result.exit_code == 2, result.output
    assert "--noise" in result.stderr and "Traceback" not in result.output
    assert files_under(tmp_path) == []


# --- any network: --hidden and --activation ----------------------------------------------------


@pytest.fixture(scope="module")
def tanh_4x4(tmp_path_factory):
    """One 1-4-4-1 tanh run of three seeds, with a GIF: (Result, out dir)."""
    out = tmp_path_factory.mktemp("tanh") / "out"
    args = ["--hidden", "4x4", "--activation", "tanh", "--seeds", "3", "--animate", str(out / "t.gif")]
    result = train(out, *args)
    assert result.exit_code == 0, result.output
    return result, out


def test_hidden_and_activation_reach_the_training(tanh_4x4):
    _, out = tanh_4x4
    doc = read_results(out)
    shape = beans.Shape((4, 4), "tanh")
    assert doc["settings"]["hidden"] == [4, 4] and doc["settings"]["activation"] == "tanh"
    assert doc["settings"]["shape"] == "1-4-4-1 tanh"
    direct = beans.train(seeds=(0, 1, 2), epochs=int(EPOCHS), hidden=(4, 4), activation="tanh")
    saved = np.array([[r["params"][n] for n in shape.param_names] for r in doc["results"]])
    np.testing.assert_array_equal(saved, direct.params)
    assert all(len(r["params"]) == shape.n_params == 33 for r in doc["results"])


def test_every_file_of_a_4x4_run_is_written_and_names_its_network(tanh_4x4):
    from matplotlib.image import imread
    from PIL import Image

    result, out = tanh_4x4
    assert sorted(p.name for p in out.iterdir()) == ["fit.png", "loss.png", "neurons.png", "results.json", "t.gif"]
    neurons = imread(out / "neurons.png")
    assert neurons.shape[1] > neurons.shape[0] > 300  # three panels side by side
    with Image.open(out / "t.gif") as gif:
        assert gif.n_frames == int(EPOCHS) // 100 + 1
    assert "beans train: results, best first (1-4-4-1 tanh)" in result.stdout
    assert "1-4-4-1 tanh (33 parameters): converged" in result.stdout


def test_the_default_network_is_the_lessons(three_seeds):
    _, out = three_seeds
    settings = read_results(out)["settings"]
    assert (settings["hidden"], settings["activation"], settings["shape"]) == ([2], "sigmoid", "1-2-1 sigmoid")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hidden", "0"], "each hidden layer needs 1 to 64 neurons, got 0"),
        (["--hidden", "65"], "each hidden layer needs 1 to 64 neurons, got 65"),
        (["--hidden", "1x1x1x1x1x1x1x1x1"], "a network needs 1 to 8 hidden layers, got 9"),
        (["--hidden", ""], "hidden layers must be widths joined by 'x', such as 2 or 4x4; got ''"),
        (["--hidden", "2xx3"], "hidden layers must be widths joined by 'x', such as 2 or 4x4; got '2xx3'"),
        (["--hidden", "-1"], "hidden layers must be widths joined by 'x', such as 2 or 4x4; got '-1'"),
        (["--hidden", "2.5"], "hidden layers must be widths joined by 'x', such as 2 or 4x4; got '2.5'"),
        (["--hidden", "4X4"], "hidden layers must be widths joined by 'x', such as 2 or 4x4; got '4X4'"),
        (["--hidden", " 3"], "must be widths joined by 'x' with no spaces, such as 2 or 4x4; got ' 3'"),
    ],
    ids=lambda v: repr(v[1]) if isinstance(v, list) else None,
)
def test_a_bad_hidden_is_one_line_exit_2_and_nothing_written(tmp_path, args, message):
    result = train(tmp_path / "out", *args)
    assert result.exit_code == 2
    assert result.stderr == f"Error: Invalid value for '--hidden': {message}\n"
    assert files_under(tmp_path) == []


def test_an_unknown_activation_is_one_line_exit_2_and_nothing_written(tmp_path):
    result = train(tmp_path / "out", "--activation", "softmax")
    assert result.exit_code == 2
    want = "Error: Invalid value for '--activation': must be one of sigmoid, tanh, relu; got 'softmax'\n"
    assert result.stderr == want
    assert files_under(tmp_path) == []


def test_neurons_png_is_checked_before_training(tmp_path):
    """A folder where neurons.png goes fails at once, like one where fit.png goes: nothing is trained."""
    (tmp_path / "out" / "neurons.png").mkdir(parents=True)
    result = train(tmp_path / "out", "--seeds", "2")
    assert result.exit_code == 2, result.output
    assert "neurons.png" in result.stderr and result.stderr.count("\n") == 1
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["neurons.png"]
    assert train(tmp_path / "out", "--seeds", "2", "--no-plot").exit_code == 0  # --no-plot writes no neurons.png


def test_real_subprocess_trains_a_1_3_1_and_plots_it(tmp_path, beans_command):
    cmd = [*beans_command, "train", "--hidden", "3", "--epochs", "50", "--seeds", "2", "--out", str(tmp_path)]
    run = subprocess.run([*cmd, "--plot-format", "svg"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "beans train: results, best first (1-3-1 sigmoid)" in run.stdout
    doc = read_results(tmp_path)
    assert doc["settings"]["hidden"] == [3] and doc["settings"]["shape"] == "1-3-1 sigmoid"
    assert list(doc["results"][0]["params"]) == list(beans.Shape((3,)).param_names)
    for name in ("fit", "loss", "neurons"):
        assert (tmp_path / f"{name}.svg").read_bytes().startswith(b"<?xml")
        assert f"wrote {tmp_path / name}.svg" in run.stderr


def test_real_subprocess_bad_hidden_is_one_line(tmp_path, beans_command):
    run = subprocess.run(
        [*beans_command, "train", "--hidden", "2xx3", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stderr.startswith("Error: Invalid value for '--hidden': ") and run.stderr.count("\n") == 1
    assert run.stdout == "" and not (tmp_path / "out").exists()
