"""The main job's figures: fit.png, loss.png and neurons.png from the real ``beans train`` (drawn
by its helper process) against the same figures drawn here from the same run, compared with
matplotlib's image comparison (a guard for any change to how the command trains, imports or
renders: the figures must not move)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from beans.cli import plots
from matplotlib.testing.compare import compare_images

from beans.config import TrainConfig
from beans.training import train

# RMS difference allowed, on matplotlib's 0-255 scale: the same renderer on the same numbers
# gives 0; anything a reader could see is far above 1
TOLERANCE = 1.0
ARGS = ("--seeds", "12", "--epochs", "1500")


def test_plots_from_the_command_match_plots_drawn_directly(tmp_path):
    exe = shutil.which("beans", path=os.path.dirname(sys.executable))
    cmd = [exe] if exe else [sys.executable, "-m", "beans"]
    out = tmp_path / "cli"
    done = subprocess.run([*cmd, "train", *ARGS, "--quiet", "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    result = train(TrainConfig(seeds=tuple(range(12)), epochs=1500, record_params=False))
    direct = tmp_path / "direct"
    direct.mkdir()
    plots.save_plots(result, direct, "png")
    for name in ("fit.png", "loss.png", "neurons.png"):
        assert compare_images(str(direct / name), str(out / name), tol=TOLERANCE) is None, name


def test_a_run_too_short_to_report_progress_still_draws(tmp_path):
    """A run too short for any progress report, over before its helper has loaded matplotlib, still draws."""
    exe = shutil.which("beans", path=os.path.dirname(sys.executable))
    cmd = [exe] if exe else [sys.executable, "-m", "beans"]
    out = tmp_path / "out"
    done = subprocess.run(
        [*cmd, "train", "--seeds", "1", "--epochs", "0", "--quiet", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "fit.png").stat().st_size > 0 and (out / "loss.png").stat().st_size > 0
