"""What ``beans sweep`` and the memory check promise a hostile but fair user (issue 23), as
``beans train`` already does (tests/test_promises.py): nothing that existed is destroyed, every
failure is one ``Error:`` line with its documented code, sizes are checked before any work,
every wait is bounded, and the files a sweep leaves are one run's whole set.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from beans.cli.app import app
from typer.testing import CliRunner

runner = CliRunner()
# A sweep of two cells that trains in a moment.
TINY = ["--lr", "0.1,1", "--epochs", "20", "--seeds", "2", "--beans", "10", "--test-beans", "5", "--no-plot"]
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mknod, mount)")


def invoke(*args: str):
    return runner.invoke(app, list(args))


def one_line_error(stderr: str, code: int, returncode: int) -> None:
    assert returncode == code, stderr
    assert "Traceback" not in stderr, stderr
    assert len(stderr.strip().splitlines()) == 1 and stderr.startswith("Error: "), stderr


def cli_error(result, code: int) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    one_line_error(result.stderr, code, result.exit_code)


# --- 1. data loss ----------------------------------------------------------------------------


@pytest.mark.parametrize("out", ["", " "])
def test_an_empty_out_is_refused_and_the_current_folder_is_left_alone(tmp_path, monkeypatch, out):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds.csv").write_text("mine\n")
    cli_error(invoke("sweep", *TINY, "--out", out), 2)
    assert "folder name is empty" in invoke("sweep", *TINY, "--out", out).stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seeds.csv"]
    assert (tmp_path / "seeds.csv").read_text() == "mine\n"


# --- 2. the memory check sees the network, the beans, the snapshots and the cells --------------

DEEP = "x".join(["64"] * 8)


def run_refused(cmd: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """``cmd`` in a real process, so that a run that starts working anyway can be stopped."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=cwd, **kwargs)
    except subprocess.TimeoutExpired:
        pytest.fail("the run was not refused: it started working")


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["train", "--seeds", "1000000", "--epochs", "0", "--hidden", DEEP], "--seeds"),
        (["sweep", "--seeds", "1000000", "--epochs", "0", "--hidden", DEEP], "--seeds"),
        (["sweep", "--beans", str(10**11)], "--beans"),
        (["sweep", "--test-beans", str(10**11)], "--test-beans"),
        (["sweep", "--workers", "100000"], "--workers"),
        (["data", "--beans", str(10**30)], "--beans"),
    ],
    ids=["train-deep-net", "sweep-deep-net", "sweep-beans", "sweep-test-beans", "sweep-workers", "data-beans"],
)
def test_runs_too_big_for_memory_are_refused_before_any_work(tmp_path, beans_command, args, option):
    run = run_refused([*beans_command, *args, "--out", str(tmp_path / "out" / "x.png")], tmp_path)
    one_line_error(run.stderr, 2, run.returncode)
    assert option in run.stderr and "GiB of memory" in run.stderr
    assert list(tmp_path.iterdir()) == []


def _memory_cgroup_v1() -> Path | None:
    """This process's cgroup v1 memory folder, if a child with a limit can be made there (root)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        folder = Path("/sys/fs/cgroup/memory") / path.lstrip("/")
        if "memory" in controllers.split(",") and (folder / "memory.limit_in_bytes").is_file():
            return folder if os.access(folder, os.W_OK) else None
    return None


@pytest.mark.skipif(os.geteuid() != 0 or _memory_cgroup_v1() is None, reason="needs root and a cgroup v1 memory")
@pytest.mark.parametrize("command", ["train", "sweep"])
def test_a_memory_cgroup_v1_limit_is_read(tmp_path, beans_command, command):
    group = _memory_cgroup_v1() / f"beans-test-{os.getpid()}-{command}"
    group.mkdir()
    try:
        (group / "memory.limit_in_bytes").write_text(str(3 * 2**30))
        procs = str(group / "cgroup.procs")

        def enter() -> None:
            with open(procs, "w") as handle:
                handle.write(str(os.getpid()))

        # about 4 GiB: fits the machine's memory, not the cgroup's 3 GiB
        args = ["--seeds", "10000", "--hidden", "64x64", "--epochs", "0", "--out", str(tmp_path / "out")]
        run = run_refused([*beans_command, command, *args], tmp_path, preexec_fn=enter)
    finally:
        group.rmdir()
    one_line_error(run.stderr, 2, run.returncode)
    assert "more than the 2.4 GiB it may use here" in run.stderr  # MEMORY_SHARE of 3 GiB
    assert list(tmp_path.iterdir()) == []


def _fake_system(tmp_path: Path, cgroup: str, mounts: list[str], limits: dict[str, str]) -> Path:
    """A root folder with /proc/self/cgroup, /proc/self/mountinfo and cgroup limit files, as Linux lays them out."""
    (tmp_path / "proc/self").mkdir(parents=True)
    (tmp_path / "proc/self/cgroup").write_text(cgroup)
    (tmp_path / "proc/self/mountinfo").write_text("".join(line + "\n" for line in mounts))
    for name, text in limits.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


V2_MOUNT = "31 23 0:28 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw"
V1_MOUNT = "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory"


@pytest.mark.parametrize(
    ("cgroup", "mounts", "limits", "expected"),
    [
        # cgroup v2: the parent's limit binds a child that has none ("max")
        (
            "0::/jobs/run\n",
            [V2_MOUNT],
            {"sys/fs/cgroup/jobs/memory.max": "1073741824\n", "sys/fs/cgroup/jobs/run/memory.max": "max\n"},
            2**30,
        ),
        # cgroup v1: the memory controller's limit_in_bytes, the tightest of the folder and its parents
        (
            "4:memory:/a/b\n1:cpu:/\n",
            ["32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu", V1_MOUNT],
            {"sys/fs/cgroup/memory/a/b/memory.limit_in_bytes": "3221225472\n"},
            3 * 2**30,
        ),
        # a container sees its own cgroup at the mount point, under a host path that is not there
        ("4:memory:/docker/abc\n", [V1_MOUNT], {"sys/fs/cgroup/memory/memory.limit_in_bytes": "2147483648"}, 2**31),
        ("0::/\n", [V2_MOUNT], {"sys/fs/cgroup/memory.max": "max"}, None),
        ("", [], {}, None),
    ],
    ids=["v2-parent", "v1", "v1-container", "v2-unlimited", "none"],
)
def test_cgroup_limits_v1_and_v2_are_read(tmp_path, cgroup, mounts, limits, expected):
    from beans.config import MEMORY_SHARE, cgroup_limit, machine_memory, memory_limit

    root = _fake_system(tmp_path, cgroup, mounts, limits)
    assert cgroup_limit(root) == expected
    assert memory_limit(root) == int(min(expected or machine_memory(), machine_memory()) * MEMORY_SHARE)


def test_the_estimate_grows_with_the_network():
    from beans.kernels.shape import Shape

    from beans.config import BASE_BYTES, run_bytes

    small, deep = (
        run_bytes(1000, 100, 100, 51, Shape(hidden), False, False) - BASE_BYTES for hidden in ((2,), (64,) * 8)
    )
    assert deep > 50 * small


# --- 3. every wait bounded by --timeout, and interrupted by a signal --------------------------

needs_dask = pytest.mark.skipif(
    __import__("importlib").util.find_spec("distributed") is None, reason="the dask extra is not installed"
)


class Peer:
    """A loopback server that is not a Dask scheduler: it accepts and stays silent, or answers as HTTP."""

    def __init__(self, answer: bytes | None):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.address = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        self.answer, self.accepted, self.held = answer, threading.Event(), []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.held.append(conn)
            self.accepted.set()
            if self.answer is not None:
                conn.sendall(self.answer)

    def close(self) -> None:
        self.server.close()
        for conn in self.held:
            conn.close()


HTTP = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@pytest.fixture(params=[None, HTTP], ids=["silent", "http"])
def peer(request):
    server = Peer(request.param)
    yield server
    server.close()


def start_sweep(beans_command, out: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*beans_command, "sweep", *TINY, "--out", str(out), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a background job of a non-interactive shell would ignore SIGINT
    )


def finish(process: subprocess.Popen, seconds: float = 60) -> str:
    """The process's stderr once it ends; a hang fails the test instead of stalling the run."""
    try:
        return process.communicate(timeout=seconds)[1]
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("the sweep hung")


@needs_dask
def test_a_peer_that_is_not_dask_is_one_line_within_the_timeout(tmp_path, beans_command, peer):
    process = start_sweep(beans_command, tmp_path / "out", "--scheduler", peer.address, "--timeout", "1")
    stderr = finish(process)
    one_line_error(stderr, 1, process.returncode)
    assert peer.address in stderr and "Dask scheduler" in stderr
    assert list(tmp_path.iterdir()) == []


@needs_dask
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_while_reaching_the_scheduler_ends_the_wait(tmp_path, beans_command, signum):
    peer = Peer(None)
    try:
        process = start_sweep(beans_command, tmp_path / "out", "--scheduler", peer.address, "--timeout", "600")
        assert peer.accepted.wait(60), "the sweep never reached the peer"
        process.send_signal(signum)
        stderr = finish(process)
    finally:
        peer.close()
    one_line_error(stderr, 128 + signum, process.returncode)
    assert "before any cell ran" in stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge"])
def test_a_journal_that_is_not_a_file_beans_wrote_is_refused_without_waiting(tmp_path, beans_command, kind):
    out = tmp_path / "out"
    out.mkdir()
    journal = out / "journal.jsonl"
    if kind == "fifo":
        os.mkfifo(journal)
    elif kind == "dev-zero":
        journal.symlink_to("/dev/zero")
    else:  # sparse: a size no journal of this grid reaches, without the disk space
        with open(journal, "wb") as handle:
            handle.truncate(2**40)
    process = start_sweep(beans_command, out, "--resume")
    stderr = finish(process)
    one_line_error(stderr, 1, process.returncode)
    assert str(journal) in stderr
    assert sorted(p.name for p in out.iterdir()) == ["journal.jsonl"]


# --- 4. one Error line, not a traceback --------------------------------------------------------


@pytest.fixture(scope="module")
def journal_lines(tmp_path_factory) -> list[str]:
    """The journal of a finished TINY sweep: its header and two records."""
    out = tmp_path_factory.mktemp("journal") / "out"
    result = invoke("sweep", *TINY, "-q", "--out", str(out))
    assert result.exit_code == 0, result.output
    return (out / "journal.jsonl").read_text().splitlines()


def _edited(lines: list[str], line: int, edit) -> list[str]:
    record = json.loads(lines[line])
    edit(record)
    return [*lines[:line], json.dumps(record), *lines[line + 1 :]]


HAND_EDITS = {
    "line-a-list": lambda lines: [lines[0], "[1, 2]", lines[2]],
    "header-a-list": lambda lines: ["[1]", *lines[1:]],
    "header-grid-a-list": lambda lines: _edited(lines, 0, lambda h: h.update(grid=[1])),
    "no-cell": lambda lines: _edited(lines, 1, lambda r: r.pop("cell")),
    "seeds-null": lambda lines: _edited(lines, 1, lambda r: r.update(seeds=None)),
    "text-for-a-number": lambda lines: _edited(lines, 1, lambda r: r["seeds"]["final_mse"].__setitem__(0, "abc")),
    "status-null": lambda lines: _edited(lines, 1, lambda r: r.update(status=None)),
    "nested-brackets": lambda lines: [lines[0], "[" * 100_000 + "]" * 100_000, lines[2]],
    # found by trying: JSON's NaN and 1e999 parse, and fail strict JSON when cells.json is written
    "nan": lambda lines: _edited(lines, 1, lambda r: r["seeds"]["final_mse"].__setitem__(0, float("nan"))),
    "1e999": lambda lines: _edited(lines, 1, lambda r: r["seeds"]["test_mse"].__setitem__(0, float("inf"))),
    "int-past-float": lambda lines: _edited(
        lines, 1, lambda r: r["seeds"]["epochs_to_converge"].__setitem__(0, 10**400)
    ),
}


@pytest.mark.parametrize("edit", list(HAND_EDITS), ids=list(HAND_EDITS))
def test_a_journal_edited_by_hand_is_one_line(tmp_path, journal_lines, edit):
    out = tmp_path / "out"
    out.mkdir()
    (out / "journal.jsonl").write_text("\n".join(HAND_EDITS[edit](journal_lines)) + "\n")
    before = (out / "journal.jsonl").read_bytes()
    cli_error(invoke("sweep", *TINY, "--out", str(out), "--resume"), 1)
    assert (out / "journal.jsonl").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["journal.jsonl"]


@pytest.mark.parametrize("address", ["", "not a url at all", "tcp://127.0.0.1:99999", "tcp://"])
def test_a_scheduler_address_that_is_none_is_a_usage_error(tmp_path, address):
    result = invoke("sweep", *TINY, "--out", str(tmp_path / "out"), "--scheduler", address)
    cli_error(result, 2)
    assert "--scheduler" in result.stderr
    assert list(tmp_path.iterdir()) == []


def twin(tmp_path: Path, name: str, minor: int) -> Path:
    """A character device like /dev/full (minor 7) in ``tmp_path``: the real /dev is never written."""
    import stat

    path = tmp_path / name
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    return path


@root_only
def test_sweep_into_a_full_or_closed_stdout_still_writes_its_tables(tmp_path, beans_command):
    full = twin(tmp_path, "dev-full", 7)
    with open(full, "w") as device:
        for name, kwargs in (("full", {"stdout": device}), ("closed", {"preexec_fn": lambda: os.close(1)})):
            out = tmp_path / name / "out"
            run = subprocess.run(
                [*beans_command, "sweep", *TINY, "-q", "--out", str(out)],
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
                **kwargs,
            )
            one_line_error(run.stderr, 1, run.returncode)
            assert run.stderr.startswith("Error: cannot write to standard output")
            assert sorted(p.name for p in out.iterdir()) == ["cells.csv", "cells.json", "journal.jsonl", "seeds.csv"]


def test_train_with_stdout_closed_is_one_line_and_writes_no_file(tmp_path, beans_command):
    cmd = [*beans_command, "train", "--seeds", "2", "--epochs", "10", "--no-plot", "--out", str(tmp_path / "out")]
    run = subprocess.run(cmd, stderr=subprocess.PIPE, text=True, timeout=120, preexec_fn=lambda: os.close(1))
    one_line_error(run.stderr, 1, run.returncode)
    assert run.stderr == "Error: cannot write to standard output: it is closed\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NUMBA_NUM_THREADS", "0"),
        ("NUMBA_NUM_THREADS", "two"),
        ("MPLBACKEND", "nonsense"),
        ("NUMBA_DISABLE_JIT", "1"),
        ("NUMBA_DISABLE_JIT", "abc"),  # numba warns with a traceback and goes on
    ],
)
@pytest.mark.parametrize("command", ["train", "sweep"])
def test_environment_variables_beans_cannot_use_are_one_line(tmp_path, beans_command, variable, value, command):
    cmd = [*beans_command, command, "--seeds", "2", "--epochs", "10", "-q", "--out", str(tmp_path / "out")]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**os.environ, variable: value})
    one_line_error(run.stderr, 2, run.returncode)
    assert variable in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_usable_mplbackend_is_kept(tmp_path, beans_command):
    cmd = [*beans_command, "data", "-q", "--out", str(tmp_path / "b.png")]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert (tmp_path / "b.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_an_ascii_only_locale_prints_the_table_and_writes_the_files(tmp_path, beans_command, command):
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
    args = ["--seeds", "2", "--epochs", "10", "--no-plot", "--out", str(tmp_path / "out")]  # no seed converges: ✗
    run = subprocess.run([*beans_command, command, *args], capture_output=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    assert b"Traceback" not in run.stderr and b"best first" in run.stdout
    assert (tmp_path / "out" / ("results.json" if command == "train" else "cells.json")).is_file()


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--seeds", "2", "--epochs", "10", "--no-plot", "--out", "rel"],
        ["data", "--out", "rel/beans.png"],
        ["sweep", *TINY, "--out", "rel"],
    ],
    ids=["train", "data", "sweep"],
)
def test_a_deleted_current_folder_with_a_relative_out_is_one_line(tmp_path, beans_command, args):
    gone = tmp_path / "gone"
    gone.mkdir()
    script = 'cd "$1" && rmdir "$1" && shift && exec "$@"'
    run = subprocess.run(
        ["sh", "-c", script, "sh", str(gone), *beans_command, *args], capture_output=True, text=True, timeout=120
    )
    one_line_error(run.stderr, 1, run.returncode)
    assert "current folder no longer exists" in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_docs_out_naming_a_file_is_one_line_before_any_picture_is_made(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    cmd = [sys.executable, "-m", "beans.docs", "--out", str(target), "fit.png"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    one_line_error(run.stderr, 1, run.returncode)
    assert "not a directory" in run.stderr and "fit" not in run.stderr  # no command was run
    assert target.read_text() == "mine" and list(tmp_path.iterdir()) == [target]


@root_only
def test_a_full_disk_while_the_journal_is_written_is_one_line(tmp_path, beans_command):
    disk = tmp_path / "disk"
    disk.mkdir()
    # two pages: the header fits, and the disk fills while the cells' records arrive
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(disk)], check=True)
    try:
        args = ["--lr", "0.01:1:40", "--epochs", "5", "--seeds", "3", "--beans", "10", "--test-beans", "5", "--no-plot"]
        run = subprocess.run(
            [*beans_command, "sweep", *args, "-q", "--out", str(disk / "out")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        saved = len((disk / "out" / "journal.jsonl").read_bytes().split(b"\n")) - 2  # the header and a torn end
    finally:
        subprocess.run(["umount", str(disk)], check=True)
    one_line_error(run.stderr, 1, run.returncode)
    assert "No space left on device" in run.stderr and f"{saved} of 40 cells saved" in run.stderr


@pytest.mark.slow  # a Dask scheduler and worker
@needs_dask
def test_a_scheduler_that_dies_mid_sweep_is_one_line(tmp_path, beans_command):
    dask = [str(Path(sys.executable).parent / "dask")]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    loopback = ["--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([*dask, "scheduler", "--port", str(port), *loopback], **quiet)
    address = f"tcp://127.0.0.1:{port}"
    worker = subprocess.Popen([*dask, "worker", address, "--nthreads", "1", *loopback], **quiet)
    out = tmp_path / "out"
    slow = ["--beans", "16,17,18,19,20,21,22,23", "--epochs", "40000", "--seeds", "8", "--no-plot", "-q"]
    try:
        process = subprocess.Popen(
            [*beans_command, "sweep", *slow, "--out", str(out), "--scheduler", address, "--timeout", "30"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while not (out / "journal.jsonl").is_file() or len((out / "journal.jsonl").read_text().splitlines()) < 2:
            assert process.poll() is None and time.monotonic() < deadline, "the sweep ended or never started"
            time.sleep(0.05)
        scheduler.kill()
        stderr = finish(process, 120)
    finally:
        for proc in (worker, scheduler):
            proc.kill()
            proc.wait()
    one_line_error(stderr, 1, process.returncode)
    assert "--resume continues" in stderr


# --- 5. signals end a sweep with the promised codes and a message ------------------------------

# Slow enough to interrupt: 12 groups of 8 seeds x 40,000 epochs x ~20 beans.
SLOW = ["--beans", ",".join(str(n) for n in range(16, 28)), "--epochs", "40000", "--seeds", "8", "--no-plot"]


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGINT, signal.SIGTERM])
def test_a_signal_mid_sweep_exits_128_plus_n_and_says_what_is_saved(tmp_path, beans_command, signum):
    out = tmp_path / "out"
    process = subprocess.Popen(
        [*beans_command, "sweep", *SLOW, "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not (out / "journal.jsonl").is_file() or len((out / "journal.jsonl").read_text().splitlines()) < 2:
        assert process.poll() is None and time.monotonic() < deadline, "the sweep ended before it could be stopped"
        time.sleep(0.02)
    process.send_signal(signum)
    stderr = finish(process)
    one_line_error(stderr, 128 + signum, process.returncode)
    assert "cells saved in" in stderr and "--resume" in stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_while_the_tables_are_written_says_so_and_keeps_the_journal(tmp_path, monkeypatch, signum):
    """A real signal, raised from inside the writing of cells.csv: the command's own handlers take it."""
    import beans.sweep.summary

    real = beans.sweep.summary.cells_csv

    def signalled(*args):
        signal.raise_signal(signum)
        return real(*args)

    monkeypatch.setattr(beans.sweep.summary, "cells_csv", signalled)
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        result = invoke("sweep", *TINY, "-q", "--out", str(tmp_path / "out"))
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    cli_error(result, 128 + signum)
    assert "while the tables were written" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["journal.jsonl"]


# --- 6. the one number rule, in sweep's comma lists too ----------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--lr", "1_0"),
        ("--lr", "\u0661"),  # Arabic-Indic 1
        ("--lr", "\uff11"),  # full-width 1
        ("--lr", "0.1,1_0"),
        ("--lr", "1_0:2:3"),
        ("--lr", "0.1:1:log\u0664"),
        ("--noise", "\uff10.5"),
        ("--beans", "2_0"),
        ("--epochs", "\u0661\u0660"),
        ("--data-seed", "\uff11"),
    ],
)
def test_numbers_in_comma_lists_follow_the_one_rule(tmp_path, option, value):
    result = invoke("sweep", *TINY, "--out", str(tmp_path / "out"), option, value)
    cli_error(result, 2)
    assert option in result.stderr
    assert list(tmp_path.iterdir()) == []


# --- 7. --resume checks every record against the grid it claims to belong to -----------------


def _one_seed(record: dict) -> None:
    record["seeds"] = {name: column[:1] for name, column in record["seeds"].items()}


GRID_EDITS = {
    "one-seed-of-two": lambda lines: _edited(lines, 1, _one_seed),
    "other-seeds": lambda lines: _edited(lines, 1, lambda r: r["seeds"].update(seed=[5, 6])),
    "a-cell-not-in-the-grid": lambda lines: _edited(lines, 1, lambda r: r["cell"].update(beans=11)),
    "lr-as-another-type": lambda lines: _edited(lines, 2, lambda r: r["cell"].update(lr=1)),
}


@pytest.mark.parametrize("edit", list(GRID_EDITS), ids=list(GRID_EDITS))
def test_a_record_that_is_not_of_this_grid_is_refused_on_resume(tmp_path, journal_lines, edit):
    out = tmp_path / "out"
    out.mkdir()
    (out / "journal.jsonl").write_text("\n".join(GRID_EDITS[edit](journal_lines)) + "\n")
    result = invoke("sweep", *TINY, "--out", str(out), "--resume")
    cli_error(result, 1)
    assert "line " in result.stderr and "not a record of this sweep" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["journal.jsonl"]


# --- 8. what a killed run left behind is cleaned up by the next run on the same --out ---------

# The sweep as a user runs it, except that drawing sweep.png never ends: kill -9 lands while the
# tables are staged under their hidden .part names.
STUCK_IN_THE_TABLES = (
    "import sys, time\n"
    "import beans.cli.sweep_plots as plots\n"
    "plots.save_sweep_figure = lambda fig, tmp: time.sleep(600)\n"
    "from beans.cli.app import app\n"
    "app(sys.argv[1:])\n"
)


def hidden(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


def test_kill_9_while_the_tables_are_written_leaves_part_files_that_resume_removes(tmp_path):
    out = tmp_path / "out"
    args = [a for a in TINY if a != "--no-plot"]
    process = subprocess.Popen(
        [sys.executable, "-c", STUCK_IN_THE_TABLES, "sweep", *args, "-q", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not (out.is_dir() and len([n for n in hidden(out) if ".part" in n]) == 4):  # three tables, the png
            assert process.poll() is None and time.monotonic() < deadline, "the sweep never staged its tables"
            time.sleep(0.02)
    finally:
        process.kill()
        process.wait()
    assert hidden(out)  # what kill -9 leaves
    resumed = invoke("sweep", *args, "-q", "--out", str(out), "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert hidden(out) == []
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["journal.jsonl", "seeds.csv", "cells.csv", "cells.json", "sweep.png"]
    )


def test_only_beans_own_hidden_names_are_removed(tmp_path):
    from beans.files import remove_leftovers

    ours = [".seeds.csv.0123abcd.part.csv", ".cells.json.89abcdef.old.json", ".sweep.png.00000000.part.png"]
    theirs = [
        ".seeds.csv.swp",
        ".seeds.csv.0123abcd.part",
        ".notes.0123abcd.part.txt",
        "seeds.csv",
        ".cells.csv.XYZ.part.csv",
    ]
    for name in ours + theirs:
        (tmp_path / name).write_text("x")
    removed = remove_leftovers(tmp_path, ("seeds.csv", "cells.csv", "cells.json", "sweep.png"))
    assert sorted(p.name for p in removed) == sorted(ours)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(theirs)


# --- 9. a folder holds one run's files ---------------------------------------------------------


def test_a_run_without_a_best_seed_removes_an_earlier_runs_neurons_figure(tmp_path):
    out = tmp_path / "out"
    first = invoke("train", "--seeds", "2", "--epochs", "10", "-q", "--out", str(out))
    assert first.exit_code == 0, first.output
    assert (out / "neurons.png").is_file()
    diverging = invoke("train", "--seeds", "2", "--epochs", "200", "--lr", "1e9", "--out", str(out))
    assert diverging.exit_code == 0, diverging.output
    assert "no best seed" in diverging.stderr and f"removed {out / 'neurons.png'}" in diverging.stderr
    assert sorted(p.name for p in out.iterdir()) == ["fit.png", "loss.png", "results.json"]
    assert json.loads((out / "results.json").read_text())["settings"]["lr"] == 1e9


def test_a_removal_is_put_back_when_the_set_fails(tmp_path):
    from beans.files import OutputError, StagedFiles

    stale, blocked = tmp_path / "neurons.png", tmp_path / "results.json"
    stale.write_text("earlier")
    with pytest.raises(OutputError), StagedFiles() as staged:
        staged.write(blocked, lambda tmp: tmp.write_text("new"))
        staged.remove(stale)
        blocked.mkdir()  # another program puts a folder where the new file goes: the set fails
    assert stale.read_text() == "earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neurons.png", "results.json"]


# --- hostile cases found by trying what this round built ----------------------------------------


def test_a_timeout_past_a_week_is_a_usage_error(tmp_path):
    result = invoke("sweep", *TINY, "--out", str(tmp_path / "out"), "--workers", "1", "--timeout", "1e300")
    cli_error(result, 2)
    assert "--timeout" in result.stderr and list(tmp_path.iterdir()) == []


def test_a_journal_that_is_a_dangling_symlink_is_left_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "journal.jsonl").symlink_to(tmp_path / "nowhere")
    for extra in ([], ["--resume"]):
        cli_error(invoke("sweep", *TINY, "--out", str(out), *extra), 2 if not extra else 1)
    assert os.readlink(out / "journal.jsonl") == str(tmp_path / "nowhere") and not (tmp_path / "nowhere").exists()


@pytest.mark.slow  # a local Dask cluster
@needs_dask
def test_a_local_cluster_that_does_not_start_in_time_is_one_line(tmp_path, beans_command):
    cmd = [*beans_command, "sweep", *TINY, "-q", "--out", str(tmp_path / "out"), "--workers", "2", "--timeout", "0.001"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    one_line_error(run.stderr, 1, run.returncode)
    assert "Dask" in run.stderr and list(tmp_path.iterdir()) == []
