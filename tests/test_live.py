"""``beans train --live``: snapshots from the running training, the one-slot mailbox, the window.

The window itself is tested for real: ``beans train --live`` in a subprocess on a virtual X
server (Xvfb), a screenshot read back to find the fitted curve, the window closed with its
``q`` key. Those tests skip, saying why, where Xvfb, xdotool, tkinter or Pillow's X11 grab is
missing (``.ci/run`` installs Xvfb and xdotool where it can).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from beans.cli.app import app
from beans.cli.live import Latest
from typer.testing import CliRunner

from beans.config import TrainConfig
from beans.training import train

WINDOW_NAME = "beans train --live"
runner = CliRunner()  # the plain-terminal environment comes from conftest's autouse fixture


def test_latest_keeps_only_the_newest():
    box = Latest()
    assert box.take() is None
    for item in range(5):
        box.put(item)
    assert box.take() == 4 and box.take() is None
    assert (box.put_count, box.skipped) == (5, 4)


@pytest.mark.parametrize("engine", ["jit", "python"])
def test_snapshots_are_the_recorded_parameters(engine):
    """Each snapshot equals the run's record at its epoch; epochs only grow; the last is the end."""
    epochs = 3000 if engine == "jit" else 200
    config = TrainConfig(seeds=tuple(range(12)), epochs=epochs, engine=engine, record_params=True)
    got = []
    result = train(config, on_snapshot=lambda epoch, params, losses: got.append((epoch, params, losses)))
    index = {int(epoch): i for i, epoch in enumerate(result.snapshot_epochs)}
    assert [epoch for epoch, _, _ in got] == sorted({epoch for epoch, _, _ in got})
    assert got[-1][0] == epochs
    for epoch, params, losses in got:
        np.testing.assert_array_equal(params, result.param_history[index[epoch]])
        np.testing.assert_array_equal(losses, result.loss_history[:, index[epoch]])


def test_snapshots_need_recorded_parameters():
    with pytest.raises(ValueError, match="record_params"):
        train(TrainConfig(seeds=(0,), epochs=10, record_params=False), on_snapshot=lambda *_: None)


def test_a_slow_window_skips_snapshots_and_does_not_slow_training():
    """A callback that holds its first snapshot until training's threads have ended gets only
    that one and the last: the kernel ran on without it, and nothing was queued."""
    config = TrainConfig(seeds=tuple(range(64)), epochs=4000, snapshot_every=10, record_params=True)
    threads_before = threading.active_count()
    seen = []

    def slow(epoch, params, losses):
        seen.append(epoch)
        deadline = time.monotonic() + 120  # a guard against a training that waits for us, not a speed limit
        while len(seen) == 1 and threading.active_count() > threads_before and time.monotonic() < deadline:
            time.sleep(0.01)

    train(config, on_snapshot=slow)
    assert 1 <= len(seen) <= 2
    assert seen[-1] == config.epochs


def test_the_window_draws_the_runs_own_network():
    """A snapshot of a 1-4-4-1 tanh run is drawn with that network (on Agg: no display needed)."""
    import warnings

    import beans.cli.figures  # noqa: F401  (selects Agg: no window, even where there is a display)
    import matplotlib.pyplot as plt
    from beans.cli.live import LiveWindow
    from beans.kernels.network import predict

    config = TrainConfig(seeds=(0, 1, 2), epochs=200, hidden=(4, 4), activation="tanh", record_params=True)
    result = train(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Agg says it cannot show a window; here none is wanted
        window_args = (result.xs, result.ys, config.seeds, None, 200, result.test_xs, result.test_ys)
        window = LiveWindow(plt, *window_args, config.shape)
        try:
            window.draw((200, result.params, result.final_mse))
            best = int(np.argmin(result.final_mse))
            np.testing.assert_array_equal(
                window.bold.get_ydata(), predict(result.params[best], window.grid, config.shape)
            )
            assert len(window.faint.get_segments()) == 2
            assert window.title.get_text().startswith(f"1-4-4-1 tanh, epoch 200 of 200, best so far: seed {best}")
        finally:
            plt.close(window.fig)


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="these always have a display")
def test_live_without_a_display_is_a_one_line_usage_error(monkeypatch, tmp_path):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    out = tmp_path / "out"
    result = runner.invoke(app, ["train", "--live", "--seeds", "2", "--epochs", "10", "--out", str(out)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --live needs a window")
    assert "--animate" in lines[0]
    assert not out.exists()


def test_animate_seed_works_with_live_only_for_this_runs_seeds(tmp_path):
    result = runner.invoke(app, ["train", "--live", "--seeds", "2", "--animate-seed", "7", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--animate-seed" in result.output


# ---- the real window on a virtual X server -------------------------------------------------


@pytest.fixture
def x_display():
    """DISPLAY of a fresh Xvfb server (skips where it, xdotool, tkinter or an X11 screenshot is missing)."""
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (Debian/Ubuntu: apt-get install xvfb xdotool)")
    try:
        import tkinter  # noqa: F401
    except ImportError:
        pytest.skip("this Python has no tkinter, so matplotlib has no window backend")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 20)
        number = os.read(read_end, 64).decode().strip() if ready else ""
        if not number:
            pytest.skip("Xvfb did not start")
        display = f":{number}"
        from PIL import ImageGrab

        try:
            ImageGrab.grab(xdisplay=display)
        except OSError as err:
            pytest.skip(f"Pillow cannot take an X11 screenshot here: {err}")
        yield display
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(10)


def _beans(*args: str, display: str) -> subprocess.Popen:
    env = {**os.environ, "DISPLAY": display, "COLUMNS": "120"}
    env.pop("MPLBACKEND", None)
    exe = shutil.which("beans", path=os.path.dirname(sys.executable))
    cmd = [exe] if exe else [sys.executable, "-m", "beans"]
    return subprocess.Popen([*cmd, "train", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _window_id(display: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--name", WINDOW_NAME], env={**os.environ, "DISPLAY": display}, capture_output=True
        )
        if found.stdout.split():
            return found.stdout.split()[0].decode()
        time.sleep(0.2)
    raise AssertionError("the --live window never appeared")


def _press_q(display: str, window: str, timeout: float = 60) -> None:
    """The window's own quit key (matplotlib's keymap.quit), again until the window has gone.

    A key that lands before matplotlib has bound its keys is lost (seen on a loaded machine),
    so each press waits up to 2 s for the window to go before the next. xdotool may complain;
    the key arrives.
    """
    env = {**os.environ, "DISPLAY": display}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        subprocess.run(["xdotool", "key", "--window", window, "q"], env=env, check=False, capture_output=True)
        for _ in range(20):
            if not subprocess.run(["xdotool", "search", "--name", WINDOW_NAME], env=env, capture_output=True).stdout:
                return
            time.sleep(0.1)
    raise AssertionError("the --live window did not close on q")


def _wait_for(path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


def _curve_rows(shot: np.ndarray) -> np.ndarray:
    """For each pixel column inside the axes, the mean row of its black pixels (NaN where none).

    The axes' frame is the longest black rows and columns of the screenshot; the curve is the
    only other black thing inside it, drawn over the beans (green, purple) and the faint curves.
    """
    white = (shot[:, :, :3] > 250).all(axis=2)  # the figure, on the X server's black root window
    (white_rows,), (white_cols,) = np.nonzero(white.any(axis=1)), np.nonzero(white.any(axis=0))
    shot = shot[white_rows.min() : white_rows.max() + 1, white_cols.min() : white_cols.max() + 1]
    black = (shot[:, :, :3] < 60).all(axis=2)
    rows = np.flatnonzero(black.sum(axis=1) > 0.5 * black.sum(axis=1).max())
    cols = np.flatnonzero(black.sum(axis=0) > 0.5 * black.sum(axis=0).max())
    top, bottom, left, right = rows.min() + 3, rows.max() - 3, cols.min() + 3, cols.max() - 3
    inside = black[top:bottom, left:right]
    assert inside.shape[0] > 100 and inside.shape[1] > 200, f"no axes frame found ({inside.shape})"
    height = np.arange(inside.shape[0])[:, None]
    with np.errstate(invalid="ignore"):
        return (inside * height).sum(axis=0) / inside.sum(axis=0) / inside.shape[0]  # 0 top .. 1 bottom


@pytest.mark.slow
def test_live_window_shows_the_fitted_hill_and_q_closes_it(x_display, tmp_path):
    from PIL import ImageGrab

    out = tmp_path / "out"
    proc = _beans("--live", "--seeds", "8", "--epochs", "3000", "--out", str(out), display=x_display)
    try:
        window = _window_id(x_display)
        _wait_for(out / "loss.png", proc)  # written after the last frame was drawn
        time.sleep(0.5)
        shot = np.asarray(ImageGrab.grab(xdisplay=x_display))
        depth = _curve_rows(shot)
        drawn = np.isfinite(depth)
        assert drawn.mean() > 0.95, "the curve does not span the axes"
        # the lesson's hill: toxic beans between sizes ~0.45 and ~1.3 on an axis from 0 to 2
        columns = depth.size
        middle = np.nanmean(depth[int(0.35 * columns) : int(0.55 * columns)])
        edges = np.nanmean(np.r_[depth[: int(0.1 * columns)], depth[int(0.8 * columns) :]])
        assert middle < 0.3 and edges > 0.7, (middle, edges)
        assert proc.poll() is None  # the window stays up with the final curve
        _press_q(x_display, window)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = proc.stderr.read()
    assert "close the window" in stderr
    assert json.loads((out / "results.json").read_text())["summary"]["seeds"] == 8
    assert (out / "fit.png").exists()


@pytest.mark.slow
def test_closing_the_window_mid_run_lets_training_finish(x_display, tmp_path):
    out = tmp_path / "out"
    # long enough (a few seconds) that the window is closed mid-run even when a first q is lost
    proc = _beans("--live", "--seeds", "8", "--epochs", "300000", "--out", str(out), display=x_display)
    try:
        _press_q(x_display, _window_id(x_display))
        assert proc.wait(120) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = proc.stderr.read()
    assert json.loads((out / "results.json").read_text())["settings"]["epochs"] == 300000
    assert "close the window" not in stderr  # the window was gone before training ended


@pytest.mark.slow
def test_ctrl_c_with_the_window_open_stops_training_and_leaves_nothing(x_display, tmp_path):
    """Tk swallows a KeyboardInterrupt raised inside its callbacks; Ctrl-C must still stop the run."""
    out = tmp_path / "out"
    env = {**os.environ, "DISPLAY": x_display}
    env.pop("MPLBACKEND", None)
    exe = shutil.which("beans", path=os.path.dirname(sys.executable))
    cmd = [exe] if exe else [sys.executable, "-m", "beans"]
    args = ["train", "--live", "--seeds", "8", "--epochs", "400000", "--out", str(out)]
    # a session of its own: a background job may otherwise ignore SIGINT
    proc = subprocess.Popen([*cmd, *args], env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _window_id(x_display)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "interrupted" in proc.stderr.read()
    assert not out.exists()


def test_a_paced_window_plays_back_every_snapshot_in_order():
    """--seconds-per-frame: after training, every recorded snapshot is drawn, in order (on Agg: no display needed)."""
    import functools
    import warnings

    import beans.cli.figures  # noqa: F401  (selects Agg: no window, even where there is a display)
    import matplotlib.pyplot as plt
    from beans.cli.live import LiveWindow, train_beside
    from beans.kernels.data import get_beans

    config = TrainConfig(seeds=tuple(range(8)), epochs=2000, snapshot_every=100, record_params=True)
    xs, ys = get_beans(config.beans, config.data_seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Agg says it cannot show a window; here none is wanted
        window = LiveWindow(plt, xs, ys, config.seeds, 0, config.epochs, (), (), config.shape, 0.02)
        titles = []
        draw = window.draw
        window.draw = lambda snapshot: (draw(snapshot), titles.append(window.title.get_text()))
        try:
            result = train_beside(window, functools.partial(train, config), None)
        finally:
            plt.close(window.fig)
    played = titles[-result.snapshot_epochs.size :]
    assert [title.split(",")[1].strip() for title in played] == [
        f"epoch {epoch} of {config.epochs}" for epoch in result.snapshot_epochs
    ]
    assert window.frames >= result.snapshot_epochs.size  # the live frames, then the play-back
