"""The figure helper process: it draws what this process would, and failing or killed it costs nothing.

``beans train`` sends its figures to a helper (``cli.figure_process``) that loaded matplotlib
while training ran; these tests run real helpers (subprocesses) and compare their files with
the same figures drawn here.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import beans.cli.figure_process as figure_process
import numpy as np
import pytest
from beans.cli.app import app
from beans.cli.figure_data import figure_data
from beans.cli.figure_process import FigureProcess
from typer.testing import CliRunner

from beans.config import TrainConfig
from beans.training import train

SEEDS = 6


@pytest.fixture(scope="module")
def run():
    return train(TrainConfig(seeds=tuple(range(SEEDS)), epochs=300, test_beans=20))


def _drawn_here(data, fmt: str) -> dict[str, bytes]:
    from beans.cli.plots import figures_of, render

    drawn = {}
    for name, figure in figures_of(data).items():
        buffer = io.BytesIO()
        render(figure(data), buffer, fmt)
        drawn[name] = buffer.getvalue()
    return drawn


def test_the_helper_draws_byte_for_byte_what_this_process_draws(run):
    data = figure_data(run)
    helper = FigureProcess.start("png", SEEDS)
    helper.send(data)
    drawn = helper.receive()
    assert drawn is not None and list(drawn) == ["fit", "loss", "neurons"]
    assert drawn == _drawn_here(data, "png")  # the same renderer on the same numbers


@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_the_helper_draws_every_plot_format(run, fmt, magic):
    helper = FigureProcess.start(fmt, SEEDS)
    helper.send(figure_data(run))
    drawn = helper.receive()
    assert drawn is not None and all(content.startswith(magic) for content in drawn.values())


def test_without_a_best_seed_there_is_no_neurons_figure(run):
    helper = FigureProcess.start("png", SEEDS)
    helper.send(figure_data(run, neuron_row=None))
    assert list(helper.receive()) == ["fit", "loss"]


def test_a_killed_helper_gives_no_figures_and_closes_cleanly(run):
    helper = FigureProcess.start("png", SEEDS)
    os.kill(helper._process.pid, signal.SIGKILL)
    helper._process.wait()
    helper.send(figure_data(run))
    assert helper.receive() is None
    helper.close()  # twice is fine


def test_a_figure_the_helper_cannot_draw_gives_no_figures(run):
    broken = dataclasses.replace(figure_data(run), curves=np.zeros((1, 3)))  # 1 seed's, 3 points: cannot be drawn
    helper = FigureProcess.start("png", SEEDS)
    helper.send(broken)
    assert helper.receive() is None


def test_draw_all_names_the_figure_that_failed(run):
    """The helper's own drawing: a bad format fails the first figure, and the reply names it."""
    status, message = figure_process.draw_all(figure_data(run), "nonsense")
    assert status == "error" and message.startswith("fit: ValueError: Format 'nonsense' is not supported")


@pytest.mark.skipif(os.name != "posix", reason="a killed process's return code names the signal on POSIX")
def test_closing_ends_a_helper_that_waits_for_its_job():
    """Without a job the helper waits on its stdin for good: only close() can have ended it."""
    helper = FigureProcess.start("png", SEEDS)
    helper.close()
    assert helper._process.returncode == -signal.SIGKILL


# --- through beans train ---------------------------------------------------------------------


def _train(out: Path, *extra: str):
    runner = CliRunner()
    return runner.invoke(app, ["train", "--seeds", "3", "--epochs", "200", "-q", "--out", str(out), *extra])


def _pngs_read_back(out: Path) -> None:
    import matplotlib.image

    for name in ("fit", "loss", "neurons"):
        pixels = matplotlib.image.imread(out / f"{name}.png")
        assert pixels.shape[0] > 100 and pixels.std() > 0.01, name  # a real picture, not a blank


def _imports_of_train(out: Path, cwd: Path | None = None, script: str | None = None) -> list[str]:
    """The modules a real ``beans train`` process imports (``-X importtime``); it must succeed.

    ``script``: the console script to run (as ``python script``), else ``python -m beans``.
    """
    entry = [script] if script else ["-m", "beans"]
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *entry, "train", "--seeds", "3", "--epochs", "200", "-q"]
        + ["--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stderr
    return [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time")]


def test_train_draws_its_figures_in_the_helper_not_in_its_own_process(tmp_path):
    """The training process never imports matplotlib; the helper's files are whole pictures."""
    imported = _imports_of_train(tmp_path / "out")
    assert "numba" in imported and not [name for name in imported if name.startswith("matplotlib")]
    _pngs_read_back(tmp_path / "out")


def test_a_beans_folder_in_the_working_folder_does_not_stop_the_helper(tmp_path):
    """Run from a folder that holds another ``beans`` (a clone of the repository, say), the
    helper still imports the installed package, as the console script does."""
    script = shutil.which("beans", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("no beans console script beside this Python")
    decoy = tmp_path / "beans"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise ImportError('not the installed beans')\n")
    imported = _imports_of_train(tmp_path / "out", cwd=tmp_path, script=script)
    assert not [name for name in imported if name.startswith("matplotlib")]
    _pngs_read_back(tmp_path / "out")


def test_when_the_helper_dies_train_draws_the_figures_itself(tmp_path, monkeypatch):
    real_start = FigureProcess.start.__func__

    def start_then_die(cls, fmt, seeds):
        helper = real_start(cls, fmt, seeds)
        os.kill(helper._process.pid, signal.SIGKILL)
        return helper

    monkeypatch.setattr(FigureProcess, "start", classmethod(start_then_die))
    result = _train(tmp_path)
    assert result.exit_code == 0, result.output
    _pngs_read_back(tmp_path)


def test_ctrl_c_while_the_helper_draws_ends_it_and_leaves_nothing(tmp_path, monkeypatch):
    started = []
    real_start = FigureProcess.start.__func__

    def start(cls, fmt, seeds):
        started.append(real_start(cls, fmt, seeds))
        return started[-1]

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(FigureProcess, "start", classmethod(start))
    monkeypatch.setattr(FigureProcess, "receive", interrupted)
    result = _train(tmp_path / "new")
    assert result.exit_code == 130, result.output
    assert list(tmp_path.iterdir()) == []
    assert started and started[0]._process.poll() is not None  # ended and reaped, not left running


def test_no_helper_for_no_plot_or_live(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(FigureProcess, "start", classmethod(lambda cls, fmt, seeds: started.append(fmt)))
    assert _train(tmp_path, "--no-plot").exit_code == 0
    assert started == []


def test_inside_drawn_here_no_helper_starts():
    from beans.cli.figure_process import drawn_here

    with drawn_here():
        assert FigureProcess.start("png", 1) is None
    helper = FigureProcess.start("png", 1)
    assert helper is not None
    helper.close()


def test_a_helper_that_cannot_start_leaves_the_drawing_to_train(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    assert FigureProcess.start("png", 3) is None
    result = _train(tmp_path / "out")
    assert result.exit_code == 0, result.output
    _pngs_read_back(tmp_path / "out")
