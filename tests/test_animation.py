"""save_training_gif: the training animation reads back with the right frames and size.

How fast it renders is a benchmark, not a test: bench/test_animation.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from beans.cli.animation import DPI, FIGSIZE, FRAME_MS, LAST_FRAME_MS, MAX_FRAMES, frame_indices, save_training_gif
from PIL import Image

import beans

FRAME_SIZE = (round(FIGSIZE[0] * DPI), round(FIGSIZE[1] * DPI))


@pytest.fixture(scope="module")
def run():
    """One seed, 500 epochs, a snapshot every 100: 6 snapshots (epochs 0..500)."""
    return beans.train(seeds=[0], epochs=500, snapshot_every=100, test_beans=20)


def _args(run):
    return run.xs, run.ys, run.snapshot_epochs, run.param_history[:, 0], run.loss_history[0]


def _frames(path):
    with Image.open(path) as im:
        durations = []
        for k in range(im.n_frames):
            im.seek(k)
            durations.append(im.info["duration"])
        return im.n_frames, im.size, durations


def test_gif_has_one_frame_per_snapshot_and_holds_the_last(run, tmp_path):
    out = save_training_gif(tmp_path / "train.gif", *_args(run), title="seed 0")
    assert out == tmp_path / "train.gif"
    count, size, durations = _frames(out)
    assert count == run.snapshot_epochs.size == 6
    assert size == FRAME_SIZE
    assert durations[:-1] == [FRAME_MS] * 5 and durations[-1] == LAST_FRAME_MS


def test_held_out_beans_change_the_frames(run, tmp_path):
    plain = save_training_gif(tmp_path / "plain.gif", *_args(run))
    held = save_training_gif(tmp_path / "held.gif", *_args(run), test_xs=run.test_xs, test_ys=run.test_ys)
    with Image.open(plain) as a, Image.open(held) as b:
        assert a.n_frames == b.n_frames
        assert np.any(np.asarray(a.convert("RGB")) != np.asarray(b.convert("RGB")))


def test_a_diverged_snapshot_draws_no_curve_instead_of_failing(run, tmp_path):
    params = run.param_history[:, 0].copy()
    params[-1] = np.nan
    losses = run.loss_history[0].copy()
    losses[-1] = np.nan
    out = save_training_gif(tmp_path / "nan.gif", run.xs, run.ys, run.snapshot_epochs, params, losses)
    assert _frames(out)[0] == 6


def test_folders_are_created_and_no_temporary_file_is_left(run, tmp_path):
    out = save_training_gif(tmp_path / "a" / "b" / "train.gif", *_args(run))
    assert sorted(p.name for p in out.parent.iterdir()) == ["train.gif"]


def test_mismatched_shapes_are_refused_before_writing(run, tmp_path):
    xs, ys, epochs, params, losses = _args(run)
    with pytest.raises(ValueError, match="params"):
        save_training_gif(tmp_path / "bad.gif", xs, ys, epochs, params[:-1], losses)
    assert not (tmp_path / "bad.gif").exists()


@pytest.mark.parametrize(("count", "cap"), [(1, 5), (5, 5), (6, 5), (1001, MAX_FRAMES)])
def test_frame_thinning_keeps_first_and_last(count, cap):
    keep = frame_indices(count, cap)
    assert keep[0] == 0 and keep[-1] == count - 1
    assert keep.size == min(count, cap)
    assert np.all(np.diff(keep) > 0)


def test_gif_draws_the_beans_in_the_colours_of_fit_png():
    from beans.cli.animation import render_frames
    from beans.cli.plots import HELD_OUT_COLOUR, TRAINING_COLOUR
    from matplotlib.colors import to_rgba

    frame = render_frames([0.5], [1.0], [0], np.zeros((1, 7)), [0.1], test_xs=[1.5], test_ys=[0.0])[0]
    pixels = np.asarray(frame).reshape(-1, 3)
    for colour in (TRAINING_COLOUR, HELD_OUT_COLOUR):
        want = np.round(np.array(to_rgba(colour)[:3]) * 255)
        assert np.any(np.all(np.abs(pixels - want) <= 2, axis=1)), colour


def test_a_gif_of_any_shape_and_params_of_another_shape_are_refused(tmp_path):
    wider = beans.train(seeds=[0], epochs=300, hidden=(3,))  # 10 parameters
    args = (wider.xs, wider.ys, wider.snapshot_epochs, wider.param_history[:, 0], wider.loss_history[0])
    out = save_training_gif(tmp_path / "wider.gif", *args, shape=wider.config.shape)
    assert _frames(out)[:2] == (4, FRAME_SIZE)
    with pytest.raises(ValueError, match=r"params \(R, 7\) for a 1-2-1 sigmoid"):
        save_training_gif(tmp_path / "lesson.gif", *args)  # the lesson's shape by default
    assert not (tmp_path / "lesson.gif").exists()


# --- pacing for a class: --seconds-per-frame ------------------------------------------------


@pytest.mark.parametrize(("seconds", "frame_ms", "last_ms"), [(0.5, 500, LAST_FRAME_MS), (4, 4000, 4000)])
def test_seconds_per_frame_sets_every_frames_duration(run, tmp_path, seconds, frame_ms, last_ms):
    out = save_training_gif(tmp_path / "slow.gif", *_args(run), seconds_per_frame=seconds)
    count, _, durations = _frames(out)
    assert durations == [frame_ms] * (count - 1) + [last_ms]


def test_a_frame_shorter_than_gif_viewers_show_is_refused(run, tmp_path):
    with pytest.raises(ValueError, match="at least 0.02"):
        save_training_gif(tmp_path / "fast.gif", *_args(run), seconds_per_frame=0.01)
    assert not (tmp_path / "fast.gif").exists()


def test_beans_train_paces_its_gif(tmp_path):
    from beans.cli.app import app
    from typer.testing import CliRunner

    gif = tmp_path / "slow.gif"
    args = ["train", "--seeds", "1", "--epochs", "300", "--no-plot", "--quiet", "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, [*args, "--animate", str(gif), "--seconds-per-frame", "1.5"])
    assert result.exit_code == 0, result.output
    count, _, durations = _frames(gif)
    assert count == 4 and durations == [1500, 1500, 1500, LAST_FRAME_MS]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--animate", "a.gif", "--seconds-per-frame", "0"], "must be a number from 0.02 to 60, got 0"),
        (["--animate", "a.gif", "--seconds-per-frame", "61"], "must be a number from 0.02 to 60, got 61"),
        (["--animate", "a.gif", "--seconds-per-frame", "nan"], "must be a number from 0.02 to 60, got nan"),
        (["--animate", "a.gif", "--seconds-per-frame", "slow"], "must be a number from 0.02 to 60, got slow"),
        (["--seconds-per-frame", "1"], "'--seconds-per-frame': only makes sense with --animate PATH.gif or --live"),
    ],
)
def test_seconds_per_frame_is_checked_first(tmp_path, extra, message):
    from beans.cli.app import app
    from typer.testing import CliRunner

    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["train", "--seeds", "1", "--epochs", "10", "--out", str(out), *extra])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines
    assert not out.exists()
