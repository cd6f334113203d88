"""The beans command line as a whole: help, version, and the installed console script."""

from __future__ import annotations

import shutil
import subprocess
import sys

from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()


def test_help_lists_the_program():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "beans" in result.output.lower()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("beans ")


def test_help_as_a_real_subprocess():
    exe = shutil.which("beans")
    cmd = [exe, "--help"] if exe else [sys.executable, "-m", "cli", "--help"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "Usage" in run.stdout


def test_help_imports_neither_numba_nor_matplotlib():
    code = "import sys; from cli.app import app; print(sorted(m for m in ('numba','matplotlib') if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "[]", run.stdout + run.stderr


def test_usage_errors_are_one_line_on_stderr_with_exit_2():
    for args in (["--bogus"], ["no-such-command"], ["train", "--seeds", "0"], ["train", "--lr", "nan"]):
        run = subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=60)
        assert run.returncode == 2, (args, run.stderr)
        assert run.stdout == ""
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), (args, run.stderr)
