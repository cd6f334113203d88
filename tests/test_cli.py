"""The beans command line as a whole: help, version, and the installed console script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from beans.cli.app import app
from typer.testing import CliRunner

runner = CliRunner()


COMMANDS = ("train", "data", "predict", "bench")


def test_help_lists_the_program_and_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and "beans" in result.output.lower()
    for command in COMMANDS:
        assert command in result.output, command


def test_bare_command_shows_help_without_an_error_line(beans_command):
    run = subprocess.run(beans_command, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2  # click's code for "no command given"
    assert "Usage:" in run.stdout and all(command in run.stdout for command in COMMANDS)
    assert "Error" not in run.stderr and run.stderr.strip() == "", run.stderr


def test_version_is_the_one_pyproject_declares():
    import tomllib

    declared = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["version"]
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"beans {declared}\n"


def test_help_as_a_real_subprocess(beans_command):
    run = subprocess.run([*beans_command, "--help"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "Usage:" in run.stdout


def test_python_dash_m_runs_the_program_and_importing_main_does_not():
    run = subprocess.run([sys.executable, "-m", "beans", "--version"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.startswith("beans "), run.stderr
    imported = subprocess.run(
        [sys.executable, "-c", "import beans.__main__"], capture_output=True, text=True, timeout=60
    )
    assert imported.returncode == 0 and imported.stdout == "", imported.stdout + imported.stderr


def test_help_imports_neither_numba_nor_matplotlib_nor_numpy():
    code = (
        "import sys; import beans; from beans.cli.app import app;"
        "print(sorted(m for m in ('numba', 'matplotlib', 'numpy') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "[]", run.stdout + run.stderr


# One bad call per command and per kind of check: click's parser, our option parsers, a
# command's own checks.
BAD_CALLS = (
    ["--bogus"],
    ["no-such-command"],
    ["train", "--seeds", "0"],
    ["train", "--lr", "nan"],
    ["train", "--engine", "foo"],
    ["train", "--engine", "python", "--threads", "1"],
    ["data", "--beans", "x"],
    ["data", "--out", "beans.gif"],
    ["predict", "--model", "results.json"],
    ["predict", "--model", "results.json", "--seed", "1.5", "0.8"],
    ["bench", "--repeat", "0"],
    ["bench", "--engines", "jit,nope"],
)


@pytest.mark.parametrize("args", BAD_CALLS, ids=" ".join)
def test_usage_errors_are_one_line_on_stderr_with_exit_2(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = subprocess.run([sys.executable, "-m", "beans", *args], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2, (args, run.stderr)
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), (args, run.stderr)
    assert "Input should" not in run.stderr and "Value error" not in run.stderr  # pydantic's words, not ours
    assert list(tmp_path.iterdir()) == []
    # the tests' CliRunner goes through the very same path
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stdout, result.stderr) == (run.returncode, run.stdout, run.stderr)
