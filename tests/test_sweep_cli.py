"""``beans sweep`` on one machine: files, table, bad input, the journal, --resume after SIGTERM and kill -9."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from beans.cli.app import app
from PIL import Image
from typer.testing import CliRunner

runner = CliRunner()
GRID = ["--lr", "0.1,1", "--beans", "20,40", "--epochs", "300", "--seeds", "6", "--snapshot-every", "50"]
FINAL = ("seeds.csv", "cells.csv", "cells.json", "sweep.png")
# Slow enough to interrupt (about 2-4 s here): 12 groups of 8 seeds x 40,000 epochs x ~20 beans.
SLOW = ["--beans", ",".join(str(n) for n in range(16, 28)), "--epochs", "40000", "--seeds", "8", "--no-plot"]


def sweep(out: Path, *args: str):
    return runner.invoke(app, ["sweep", "--out", str(out), *args])


def final_bytes(out: Path, names=FINAL) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in names}


def journal_lines(out: Path) -> list[str]:
    path = out / "journal.jsonl"
    return path.read_text().splitlines() if path.exists() else []


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    """One finished sweep of GRID: (Result, out dir)."""
    out = tmp_path_factory.mktemp("sweep") / "out"
    result = sweep(out, *GRID)
    assert result.exit_code == 0, result.output
    return result, out


def test_a_sweep_writes_its_tables_heatmap_and_journal(done):
    result, out = done
    assert sorted(p.name for p in out.iterdir()) == sorted([*FINAL, "journal.jsonl"])
    document = json.loads((out / "cells.json").read_text())
    assert [(c["lr"], c["beans"]) for c in document["cells"]] == [(0.1, 20), (0.1, 40), (1.0, 20), (1.0, 40)]
    assert set(document["versions"]) == {"beans", "numba"}
    assert len((out / "seeds.csv").read_text().splitlines()) == 1 + 4 * 6
    assert len(journal_lines(out)) == 1 + 4
    with Image.open(out / "sweep.png") as image:
        assert image.format == "PNG" and image.width > 400 and image.height > 200
        assert len(image.convert("RGB").getcolors(1 << 20)) > 50  # heatmap colours, not a blank page
    assert "best first" in result.stdout and "converged" in result.stdout
    assert "4 cells x 6 seeds" in result.stderr and "SGD steps" in result.stderr


def test_the_table_is_best_first(done):
    result, out = done
    document = json.loads((out / "cells.json").read_text())
    best = max(document["cells"], key=lambda c: c["converged_share"])
    first_row = next(line for line in result.stdout.splitlines() if line.strip().startswith("1 "))
    assert f"{best['converged_share']:.1%}" in first_row


def _resumed(journal: bytes, tmp_path):
    """``--resume`` in a fresh folder holding only ``journal``: (the folder, the run's result)."""
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "journal.jsonl").write_bytes(journal)
    return copy, sweep(copy, *GRID, "--resume")


def test_a_finished_journal_resumed_writes_the_same_files(done, tmp_path):
    _, out = done
    copy, result = _resumed((out / "journal.jsonl").read_bytes(), tmp_path)
    assert result.exit_code == 0, result.output
    assert "4 of 4 cells already done" in result.stderr
    assert final_bytes(copy) == final_bytes(out)


def test_a_partial_journal_with_a_torn_line_resumes_to_the_same_files(done, tmp_path):
    _, out = done
    lines = journal_lines(out)
    copy, result = _resumed(("\n".join(lines[:3]) + "\n" + lines[3][:40]).encode(), tmp_path)
    assert result.exit_code == 0, result.output
    assert "2 of 4 cells already done" in result.stderr
    assert final_bytes(copy) == final_bytes(out)


def test_an_existing_journal_needs_resume_and_the_same_grid(done, tmp_path):
    _, out = done
    result = sweep(out, *GRID)
    assert result.exit_code == 2 and "--resume" in result.stderr
    result = sweep(out, "--lr", "0.1,0.5", *GRID[2:], "--seeds", "7", "--resume")
    assert result.exit_code == 2, result.output
    assert "--lr 0.1,0.5 (journal: 0.1,1); --seeds 7 (journal: 6)" in result.stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--lr", ""], "--lr"),
        (["--lr", "0,1"], "--lr"),
        (["--lr", "0.1,0.1"], "--lr"),
        (["--hidden", "2xx3"], "--hidden"),
        (["--activation", "softmax"], "--activation"),
        (["--beans", "1"], "--beans"),
        (["--epochs", "1:100:log500"], "--epochs"),
        (["--lr", "0.001:1:log1000", "--beans", "2:1001:1000"], "--seeds"),  # 1e6 cells x 20 seeds
        (["--x", "colour"], "--x"),
        (["--x", "lr", "--y", "lr"], "--y"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers"),
    ],
)
def test_bad_input_is_a_one_line_usage_error(tmp_path, args, option):
    result = sweep(tmp_path / "out", *args)
    assert result.exit_code == 2, result.output
    assert option in result.stderr and result.stderr.startswith("Error:") and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_a_timeout_not_a_hang(tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    result = sweep(tmp_path / "out", *GRID, "--scheduler", f"tcp://127.0.0.1:{_free_port()}", "--timeout", "1")
    assert result.exit_code == 1, result.output
    assert "cannot reach the Dask scheduler" in result.stderr and len(result.stderr.splitlines()) == 1
    assert "after 1 s" in result.stderr  # Dask's own words: it waited for --timeout, not its default


def _script(code: str, out: Path, args: list[str]) -> list[str]:
    return [sys.executable, "-c", code, "sweep", "--out", str(out), *args]


def test_without_a_cluster_nothing_of_dask_is_imported_and_without_dask_it_says_what_to_install(tmp_path):
    check = (
        "import sys; from beans.cli.app import app\n"
        "try: app(sys.argv[1:])\n"
        "except SystemExit as e: print('dask' in sys.modules or 'distributed' in sys.modules, e.code)"
    )
    run = subprocess.run(_script(check, tmp_path / "a", GRID), capture_output=True, text=True, timeout=120)
    assert run.stdout.splitlines()[-1] == "False 0", run.stdout + run.stderr
    hidden = "import sys; sys.modules['distributed'] = None\n" + check
    run = subprocess.run(_script(hidden, tmp_path / "b", [*GRID, "--workers", "1"]), capture_output=True, text=True)
    assert run.stdout.splitlines()[-1].endswith(" 1"), run.stdout + run.stderr
    assert run.stderr.strip() == 'Error: Dask is not installed; install it with: pip install "beans[dask]"'


def _start(beans_command, out: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*beans_command, "sweep", "--out", str(out), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for_records(out: Path, count: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while len(journal_lines(out)) < 1 + count:
        assert process.poll() is None, "the sweep ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.02)


@pytest.fixture(scope="module")
def slow_reference(tmp_path_factory):
    """The uninterrupted run of SLOW, to compare resumed runs against."""
    out = tmp_path_factory.mktemp("slow") / "out"
    result = sweep(out, *SLOW)
    assert result.exit_code == 0, result.output
    return out


def test_kill_9_of_the_client_then_resume_gives_the_same_files(beans_command, tmp_path, slow_reference):
    out = tmp_path / "out"
    process = _start(beans_command, out, *SLOW)
    _wait_for_records(out, 2, process)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    saved = len(journal_lines(out)) - 1
    assert 2 <= saved < 12
    result = sweep(out, *SLOW, "--resume")
    assert result.exit_code == 0, result.output
    assert f"{saved} of 12 cells already done" in result.stderr
    names = ("seeds.csv", "cells.csv", "cells.json")
    assert final_bytes(out, names) == final_bytes(slow_reference, names)


def test_sigterm_keeps_the_journal_and_says_how_many_cells_are_saved(beans_command, tmp_path):
    out = tmp_path / "out"
    process = _start(beans_command, out, *SLOW)
    _wait_for_records(out, 1, process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    saved = len(journal_lines(out)) - 1
    assert process.returncode == 143, stderr
    assert stderr.strip() == (
        f"Error: terminated: {saved} of 12 cells saved in {out / 'journal.jsonl'}; "
        "run the same command with --resume to finish"
    )
    assert not any((out / name).exists() for name in ("seeds.csv", "cells.csv", "cells.json"))


def test_a_signal_just_after_a_record_is_written_still_counts_that_record(tmp_path, monkeypatch):
    """SIGTERM can land once a record's line is in the journal and before the sweep counts it:
    the message says what the journal holds, as --resume will find it."""
    from beans.cli.signals import Interrupted

    out = tmp_path / "out"
    fsync = os.fsync

    def fsync_then_terminated(fd):
        fsync(fd)
        if len(journal_lines(out)) == 2:  # the header and the first record
            raise Interrupted(signal.SIGTERM)  # what the SIGTERM handler raises when the signal arrives here

    monkeypatch.setattr(os, "fsync", fsync_then_terminated)
    result = sweep(out, *GRID)
    assert result.exit_code == 143, result.output
    assert len(journal_lines(out)) == 2
    assert result.stderr.startswith("Error: terminated: 1 of 4 cells saved in "), result.stderr
