"""sweep.png (beans.cli.sweep_plots): heatmaps for two varying axes, line plots with the spread for one."""

from __future__ import annotations

import json

import numpy as np
import pytest
from beans.cli.app import app
from beans.cli.sweep_plots import sweep_figure
from PIL import Image
from typer.testing import CliRunner

from beans.stats import wilson_interval

ONE_AXIS = ["--lr", "0.03,0.3,3", "--epochs", "300", "--seeds", "6", "--snapshot-every", "50"]


@pytest.fixture(scope="module")
def one_axis(tmp_path_factory):
    """A finished sweep along the learning rate alone: (its out folder, cells.json read back)."""
    out = tmp_path_factory.mktemp("sweep") / "out"
    result = CliRunner().invoke(app, ["sweep", "--out", str(out), "--quiet", *ONE_AXIS])
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "cells.json").read_text())


def _axes(document) -> dict[str, tuple]:
    return {name: tuple(values) for name, values in document["grid"]["axes"].items()}


def test_one_varying_axis_is_two_line_plots_with_the_spread(one_axis):
    _, document = one_axis
    cells = document["cells"]
    fig = sweep_figure(cells, _axes(document), "lr", "hidden", seeds=6)
    share_ax, epochs_ax = fig.axes
    assert not share_ax.images and not epochs_ax.images  # no heatmap
    assert share_ax.get_xscale() == "log" and share_ax.get_xlabel() == "lr"
    assert [t.get_text() for t in share_ax.get_xticklabels()] == ["0.03", "0.3", "3"]
    line = share_ax.lines[0]
    np.testing.assert_array_equal(line.get_xdata(), [0.03, 0.3, 3.0])
    np.testing.assert_array_equal(line.get_ydata(), [c["converged_share"] for c in cells])
    # the spread: each share's interval over the seeds, each median's p10-p90 range
    (bars,) = share_ax.collections
    for segment, cell in zip(bars.get_segments(), cells, strict=True):
        np.testing.assert_allclose(segment[:, 1], [cell["converged_share_low"], cell["converged_share_high"]])
    (bars,) = epochs_ax.collections
    ok = [c for c in cells if c["epochs_to_converge_median"] is not None]
    spans = sorted(
        tuple(segment[:, 1]) for segment in bars.get_segments() if segment.ndim == 2 and np.isfinite(segment).all()
    )
    assert spans == sorted((c["epochs_to_converge_p10"], c["epochs_to_converge_p90"]) for c in ok)


def test_the_one_axis_sweep_png_reads_back(one_axis):
    out, _ = one_axis
    with Image.open(out / "sweep.png") as image:
        assert image.format == "PNG" and image.width > image.height > 300
        rgb = np.asarray(image.convert("RGB"), dtype=np.int64)
    blue = (np.abs(rgb - [31, 119, 180]).sum(axis=-1) < 60).mean()
    purple = (np.abs(rgb - [148, 103, 189]).sum(axis=-1) < 60).mean()
    assert blue > 0.001 and purple > 0.0005, (blue, purple)  # both lines drawn, not a blank page


def _interval(share: float) -> dict[str, float]:
    low, high = wilson_interval(round(share * 4), 4)
    return {"converged_share_low": low, "converged_share_high": high}


def test_a_shape_axis_sits_evenly_in_its_order():
    cells = [
        {"hidden": h, "status": "ok", "seeds": 4, "converged_share": share, **_interval(share), **epochs}
        for h, share, epochs in (
            (
                "1",
                0.0,
                {"epochs_to_converge_median": None, "epochs_to_converge_p10": None, "epochs_to_converge_p90": None},
            ),
            (
                "2",
                0.5,
                {"epochs_to_converge_median": 400.0, "epochs_to_converge_p10": 300.0, "epochs_to_converge_p90": 500.0},
            ),
            (
                "4x4",
                1.0,
                {"epochs_to_converge_median": 200.0, "epochs_to_converge_p10": 100.0, "epochs_to_converge_p90": 300.0},
            ),
        )
    ]
    axes = {"lr": (0.03,), "hidden": ("1", "2", "4x4"), "activation": ("sigmoid",), "beans": (100,)}
    axes |= {"noise": (1.0,), "epochs": (5000,), "data_seed": (0,), "curve": ("hill",), "init": ("lesson",)}
    share_ax, _ = sweep_figure(cells, axes, "hidden", "lr", seeds=4).axes
    np.testing.assert_array_equal(share_ax.lines[0].get_xdata(), [0, 1, 2])
    assert [t.get_text() for t in share_ax.get_xticklabels()] == ["1", "2", "4x4"]


def test_each_heatmap_square_of_the_share_carries_its_interval(tmp_path):
    out = tmp_path / "out"
    args = ["sweep", "--lr", "0.3,3", "--hidden", "1,2", "--epochs", "300", "--seeds", "5", "--snapshot-every", "50"]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "cells.json").read_text())
    share_ax, epochs_ax = sweep_figure(document["cells"], _axes(document), "lr", "hidden", seeds=5).axes[:2]
    texts = {t.get_text() for t in share_ax.texts}
    for cell in document["cells"]:
        low, high = cell["converged_share_low"], cell["converged_share_high"]
        assert f"{cell['converged_share']:.0%}\n{100 * low:.0f}-{100 * high:.0f}%" in texts
    assert all("\n" not in t.get_text() for t in epochs_ax.texts)  # epochs carry no interval


def test_a_long_title_wraps_at_its_commas_within_the_figure():
    from beans.cli.figures import Figure
    from beans.cli.sweep_plots import _suptitle

    fig = Figure(figsize=(4, 3))
    _suptitle(fig, "beans sweep：每格 6 个种子；" + "，".join(f"设置{k} 值{k}" for k in range(12)))
    lines = fig.get_suptitle().split("\n")
    room = int(fig.get_figwidth() * 13)
    assert len(lines) > 1
    assert all(sum(2 if "\u4e00" <= c <= "\u9fff" else 1 for c in line) <= room for line in lines)
    assert all(line.endswith(("，", "；")) for line in lines[:-1])
