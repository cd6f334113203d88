"""What beans promises a hostile but fair user (issue 10): outputs never destroy data, signals
clean up, every failure is one line, and sizes are checked before any work.

Devices are made with ``os.mknod`` in a temporary folder (root only; skipped otherwise): the
real ``/dev`` is never written.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import beans.cli.app
import beans.cli.bench
import beans.cli.plots
import beans.cli.train
import numpy as np
import pytest
from beans.cli.app import app
from beans.cli.signals import Interrupted
from typer.testing import CliRunner

import beans
import beans.config
from beans.files import OutputError, StagedFiles, prepare_outputs

runner = CliRunner()
QUICK = ["--seeds", "2", "--epochs", "10", "-q"]
BENCH = [
    "bench",
    "--quick",
    "--seeds",
    "3",
    "--epochs",
    "10",
    "--repeat",
    "2",
    "--no-compile",
    "--engines",
    "python",
    "-q",
]
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="os.mknod of a character device needs root")


def invoke(*args: str):
    return runner.invoke(app, list(args))


def one_line_error(result, code: int) -> None:
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("Error: "), result.stderr


def twin(tmp_path: Path, name: str, minor: int) -> Path:
    """A character device like /dev/null (minor 3) or /dev/full (minor 7), in ``tmp_path``."""
    path = tmp_path / name
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    return path


def leftovers(path: Path) -> list[str]:
    """Hidden staging or backup files anywhere under ``path``."""
    return sorted(p.name for p in path.rglob(".*") if ".part" in p.name or ".old" in p.name)


# --- data destroyed ------------------------------------------------------------------------


@root_only
def test_real_train_writes_into_a_device_and_leaves_it_a_device(tmp_path, beans_command):
    null, full = twin(tmp_path, "null", 3), twin(tmp_path, "full", 7)
    base = [*beans_command, "train", *QUICK, "--no-plot", "--out", str(tmp_path / "out")]
    ok = subprocess.run([*base, "--json", str(null)], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    failed = subprocess.run([*base, "--json", str(full)], capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert failed.stderr == f"Error: cannot write {full}: No space left on device\n"
    for device in (null, full):
        assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert leftovers(tmp_path) == []


@root_only
def test_data_and_bench_write_into_devices_too(tmp_path):
    null = twin(tmp_path, "null", 3)
    one = invoke("data", "--out", str(tmp_path / "b.png"), "--csv", str(null), "-q")
    assert one.exit_code == 0, one.output
    two = invoke(*BENCH, "--json", str(null))
    assert two.exit_code == 0, two.output
    assert stat.S_ISCHR(os.lstat(null).st_mode) and (tmp_path / "b.png").read_bytes()[:4] == b"\x89PNG"


def test_a_fifo_is_written_into_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    result = invoke("train", *QUICK, "--no-plot", "--out", str(tmp_path / "out"), "--json", str(fifo))
    reader.join(30)
    assert result.exit_code == 0, result.output
    assert received, "nothing was written into the FIFO"
    assert json.loads(received[0])["settings"]["seeds"] == [0, 1]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    (tmp_path / "real.json").write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to("real.json")
    result = invoke("train", *QUICK, "--no-plot", "--out", str(tmp_path / "out"), "--json", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert json.loads((tmp_path / "real.json").read_text())["settings"]["seeds"] == [0, 1]


def test_the_json_goes_to_stdout_through_dev_stdout(tmp_path, beans_command):
    cmd = [*beans_command, "train", *QUICK, "--no-plot", "--out", str(tmp_path), "--json", "/dev/stdout"]
    with open(tmp_path / "captured.txt", "w") as stdout:
        run = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "captured.txt").read_text()
    assert "beans train: results" in text  # the table, then the JSON after it
    assert json.loads(text[text.index("\n{") :])["settings"]["seeds"] == [0, 1]


def test_bench_ctrl_c_or_failure_while_plotting_keeps_the_older_json(tmp_path, monkeypatch):
    old = tmp_path / "b.json"
    old.write_text('{"older": true}')

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    def disk_full(*_args, **_kwargs):
        raise OutputError("cannot write b.png: No space left on device")

    for fault, code in ((interrupted, 130), (disk_full, 1)):
        monkeypatch.setattr(beans.cli.bench, "save_plot", fault)
        result = invoke(*BENCH, "--json", str(old), "--plot", str(tmp_path / "b.png"))
        one_line_error(result, code)
        assert "saved" not in result.stderr
        assert old.read_text() == '{"older": true}'
        assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json"]


def test_a_target_made_a_folder_mid_run_keeps_the_previous_set(tmp_path, monkeypatch, figures_in_process):
    out, doc = tmp_path / "out", tmp_path / "r.json"
    first = invoke("train", *QUICK, "--out", str(out), "--json", str(doc))
    assert first.exit_code == 0, first.output
    before = {p.name: p.read_bytes() for p in out.iterdir()} | {"r.json": doc.read_bytes()}
    real_loss_figure = beans.cli.plots.loss_figure

    def sabotage(result):  # another program replaces --json's file by a folder while we plot
        doc.unlink()
        (doc / "inside").mkdir(parents=True)
        return real_loss_figure(result)

    monkeypatch.setattr(beans.cli.plots, "loss_figure", sabotage)
    second = invoke("train", *QUICK, "--seeds", "3", "--out", str(out), "--json", str(doc))
    one_line_error(second, 1)
    assert "now a folder" in second.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {k: v for k, v in before.items() if k != "r.json"}
    assert leftovers(tmp_path) == []


def test_a_rename_that_fails_puts_every_old_file_back(tmp_path, monkeypatch):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text("old a")
    b.write_text("old b")
    real_replace, calls = os.replace, []

    def second_fails(src, dst):
        calls.append(dst)
        if Path(dst) == b and Path(src).name.startswith(".b.json") and ".part" in Path(src).name:
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", second_fails)
    with pytest.raises(OutputError, match="nothing was replaced"), StagedFiles() as staged:
        staged.write(a, lambda tmp: tmp.write_text("new a"))
        staged.write(b, lambda tmp: tmp.write_text("new b"))
    assert (a.read_text(), b.read_text()) == ("old a", "old b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]


def test_replacing_a_file_keeps_its_mode(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old")
    target.chmod(0o600)
    with StagedFiles() as staged:
        staged.write(target, lambda tmp: tmp.write_text("new"))
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600


# --- left behind ---------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_real_sigterm_and_sighup_clean_up_and_exit_128_plus_n(tmp_path, beans_command, signum):
    out = tmp_path / "deep" / "out"
    every = 10**7
    cmd = [*beans_command, "train", "--seeds", "4", "--epochs", str(10**9), "--snapshot-every", str(every)]
    proc = subprocess.Popen([*cmd, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not out.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.5)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signum, err
    assert err.startswith("Error: interrupted") and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


# A module whose own code receives SIGTERM, then goes on for a while, as numba's import does.
_SIGNALLED_MODULE = """
import signal, time
signal.raise_signal(signal.SIGTERM)
time.sleep(0.2)
FINISHED = True
"""
_IMPORT_IT = """
import sys, time
from beans.cli import signals
signals.install()
sys.path.insert(0, sys.argv[1])
try:
    import signalled
    time.sleep(60)  # a guard: the deferred signal comes long before
    print("never interrupted")
except signals.Interrupted as err:
    print(signalled.FINISHED, err.signum)  # a NameError if it came inside the import
"""


def test_a_signal_during_an_import_is_raised_once_the_import_has_finished(tmp_path):
    (tmp_path / "signalled.py").write_text(_SIGNALLED_MODULE)
    cmd = [sys.executable, "-c", _IMPORT_IT, str(tmp_path)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", str(int(signal.SIGTERM))]


def test_a_signal_before_the_command_runs_still_exits_with_its_own_code_and_says_so(monkeypatch):
    def terminated():
        raise Interrupted(signal.SIGTERM)

    monkeypatch.setattr(beans.cli.app, "check_environment", terminated)  # runs before every command
    result = invoke("train", *QUICK)
    one_line_error(result, 143)
    assert result.stderr == "Error: interrupted\n"


def test_a_signal_that_c_code_turned_into_another_error_still_ends_the_run_as_interrupted(tmp_path, monkeypatch):
    def signal_turned_into_import_error(*args):
        try:
            signal.raise_signal(signal.SIGTERM)  # the command's handler raises Interrupted here
        except KeyboardInterrupt:
            # as numba's extension modules do with an exception raised while they import
            raise ImportError("numba._devicearray failed to import") from None

    monkeypatch.setattr(beans.cli.train, "_run", signal_turned_into_import_error)
    result = invoke("train", *QUICK, "--out", str(tmp_path / "deep" / "out"))
    one_line_error(result, 143)
    assert result.stderr == "Error: interrupted\n"
    assert list(tmp_path.iterdir()) == []

    def import_error(*args):  # the same error with no signal is a bug of beans', shown as one
        raise ImportError("numba._devicearray failed to import")

    monkeypatch.setattr(beans.cli.train, "_run", import_error)
    result = invoke("train", *QUICK, "--out", str(tmp_path / "deep" / "out"))
    assert isinstance(result.exception, ImportError)


def test_a_signal_while_files_are_written_removes_every_part_file(tmp_path, monkeypatch, figures_in_process):
    def terminated(result):
        raise Interrupted(signal.SIGTERM)

    monkeypatch.setattr(beans.cli.plots, "loss_figure", terminated)
    result = invoke("train", *QUICK, "--out", str(tmp_path / "new"), "--animate", str(tmp_path / "g" / "a.gif"))
    one_line_error(result, 143)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_removed_by_a_concurrent_run_that_failed_is_made_again(tmp_path):
    out = tmp_path / "shared"
    ours = prepare_outputs([("--out", out, True)])
    theirs = prepare_outputs([("--out", out, True)])  # the folder exists now: not theirs to remove
    assert theirs.created == []
    ours.cleanup()  # we were interrupted while they still train
    assert not out.exists()
    with StagedFiles() as staged:
        staged.write(out / "results.json", lambda tmp: tmp.write_text("{}"))
    assert (out / "results.json").read_text() == "{}"


def test_fresh_temporary_folders_are_removed_at_exit(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    code = (
        "import sys; from pathlib import Path; from beans.kernels.private_dir import private_dir;"
        f"print(private_dir(Path({str(blocked)!r}) / 'x', prefix='beans-test-'))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    made = Path(run.stdout.strip())
    assert run.returncode == 0 and made.name.startswith("beans-test-")
    assert not made.exists()


# --- tracebacks instead of one-line errors ----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--beans", str(10**12)], "--beans"),
        (["--test-beans", str(10**11), "--epochs", str(10**9), "--snapshot-every", str(10**7)], "--test-beans"),
        (["--seeds", str(6 * 10**7), "--epochs", "0"], "--seeds"),  # its history alone fits in 2 GiB
    ],
)
def test_runs_too_big_for_memory_are_refused_before_any_work(tmp_path, beans_command, args, option):
    cmd = [*beans_command, "train", "--out", str(tmp_path / "out"), *args]
    try:  # a real process, so that a run that starts training anyway can be stopped
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the run was not refused: it started training")
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.startswith("Error: ") and len(run.stderr.splitlines()) == 1
    assert option in run.stderr and "GiB of memory" in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_file_names_too_long_are_usage_errors_and_long_ones_still_work(tmp_path):
    result = invoke("train", *QUICK, "--no-plot", "--out", str(tmp_path / "o"), "--json", str(tmp_path / ("a" * 300)))
    one_line_error(result, 2)
    assert "300 bytes" in result.stderr and list(tmp_path.iterdir()) == []
    longest = tmp_path / ("b" * 250 + ".json")  # fits, but ".name.<random>.part.json" would not
    ok = invoke("train", *QUICK, "--no-plot", "--out", str(tmp_path / "o"), "--json", str(longest))
    assert ok.exit_code == 0, ok.output
    assert json.loads(longest.read_text())["settings"]["seeds"] == [0, 1]


@root_only
def test_real_stdout_full_or_closed_is_one_line_and_writes_no_file(tmp_path, beans_command):
    full = twin(tmp_path, "full", 7)
    cmd = [*beans_command, "train", *QUICK, "--out", str(tmp_path / "out")]
    with open(full, "w") as stdout:
        run = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)
    assert run.returncode == 1 and run.stderr == "Error: cannot write to standard output: No space left on device\n"
    closed = subprocess.run(cmd, stderr=subprocess.PIPE, text=True, timeout=120, preexec_fn=lambda: os.close(1))
    assert closed.returncode == 1 and closed.stderr == "Error: cannot write to standard output: it is closed\n"
    assert not (tmp_path / "out").exists()


def test_an_unusable_numba_cache_dir_falls_back_to_a_private_folder(tmp_path, monkeypatch):
    import numba
    from beans.kernels._jit import ensure_numba_cache_dir

    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(blocked / "numba"))
    monkeypatch.setenv("HOME", str(blocked / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked / "cache"))
    chosen = ensure_numba_cache_dir(blocked / "src")
    assert chosen is not None and Path(chosen).is_dir() and numba.config.CACHE_DIR == chosen


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"results": [{"seed": 0, "rank": 1, "params": {"w11_1": 1' + "0" * 5000 + "}}]}", "not a results.json"),
        ('{"results": [{"seed": 0, "rank": 1, "params": {"w11_1": 1' + "0" * 400 + "}}]}", "no seed with all 7"),
    ],
    ids=["nested", "huge-int", "int-past-float"],
)
def test_predict_refuses_hostile_models_in_one_line(tmp_path, text, words):
    model = tmp_path / "m.json"
    model.write_text(text)
    result = invoke("predict", "-m", str(model), "0.5")
    one_line_error(result, 1)
    assert words in result.stderr


def test_predict_reads_an_endless_model_only_up_to_its_limit(monkeypatch):
    monkeypatch.setattr(beans.config, "MODEL_LIMIT_BYTES", 4096)
    result = invoke("predict", "-m", "/dev/zero", "0.5")  # read only
    one_line_error(result, 1)
    assert "larger than" in result.stderr


# --- checked too late, or not at all ----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["train", *QUICK, "--json", "{tmp}/out/fit.png", "--out", "{tmp}/out"],
        ["train", *QUICK, "--json", "{tmp}/x.gif", "--animate", "{tmp}/x.gif", "--out", "{tmp}/out"],
        ["data", "--out", "{tmp}/x.png", "--csv", "{tmp}/x.png"],
    ],
    ids=["json-on-fit", "json-on-gif", "csv-on-plot"],
)
def test_two_outputs_on_one_path_are_refused(tmp_path, args):
    result = invoke(*(a.format(tmp=tmp_path) for a in args))
    one_line_error(result, 2)
    assert "both write" in result.stderr and list(tmp_path.iterdir()) == []


def test_empty_out_and_a_folder_named_as_bench_json_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    one_line_error(invoke("train", *QUICK, "--out", ""), 2)
    one_line_error(invoke(*BENCH, "--json", "newdir/"), 2)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--seeds", "1_000"],
        ["train", "--seeds", "\u0662"],  # Arabic-Indic 2
        ["data", "--beans", "\uff12"],  # full-width 2
        ["bench", "--seeds", "1_0"],
        ["predict", "-m", "r.json", "\u0661"],
        ["predict", "-m", "r.json", "1_0"],
        ["predict", "-m", "r.json", "--seed", "\u0660", "1"],
        ["train", "--lr", "\uff10.1"],
    ],
)
def test_numbers_follow_one_rule_in_every_command(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    one_line_error(invoke(*args), 2)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: beans.TrainConfig(lr=10**400), "lr must be finite"),
        (lambda: beans.sgd_jit(beans.init_params(0), [0.5], [1.0], epochs=2**64, lr=0.1), "epochs must be <="),
        (lambda: beans.predict(beans.init_params(0), np.array([0.5 + 1j])), "complex"),
        (lambda: beans.sgd_many(beans.init_params_many(range(2)) + 0j, [0.5], [1.0], 1, 0.1), "complex"),
        (lambda: beans.mse(beans.init_params(0), [0.5j], [1.0]), "complex"),
    ],
    ids=["lr-10**400", "epochs-2**64", "predict-complex", "sgd_many-complex", "mse-complex"],
)
def test_the_api_raises_value_error_as_promised(call, words):
    with pytest.raises(ValueError, match=words):
        call()
