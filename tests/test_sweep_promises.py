"""What ``beans sweep`` and the memory check promise a hostile but fair user (issue 23), as
``beans train`` already does (tests/test_promises.py): nothing that existed is destroyed, every
failure is one ``Error:`` line with its documented code, sizes are checked before any work,
every wait is bounded, and the files a sweep leaves are one run's whole set.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
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
