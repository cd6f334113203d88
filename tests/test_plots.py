"""fit and loss figures (beans.cli.plots): they save, read back, and survive diverged seeds."""

from __future__ import annotations

import numpy as np
import pytest
from beans.cli.plots import fit_figure, loss_figure, save_plots

import beans


@pytest.fixture(scope="module")
def result():
    return beans.train(seeds=(0, 1, 2, 3), epochs=300)


def test_save_plots_writes_all_three_and_they_decode(tmp_path, result):
    from matplotlib.image import imread

    paths = save_plots(result, tmp_path, "png")
    assert [p.name for p in paths] == ["fit.png", "loss.png", "neurons.png"]
    for path in paths:
        assert imread(path).shape[2] in (3, 4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit.png", "loss.png", "neurons.png"]  # no temp files


def test_fit_figure_shows_every_seed_the_best_and_both_bean_sets(result):
    fig = fit_figure(result)
    ax = fig.axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any(label.startswith(f"best: seed {result.config.seeds[result.best]}") for label in labels)
    assert f"training beans ({result.xs.size})" in labels
    assert f"held-out beans ({result.test_xs.size})" in labels
    drawn = sum(len(c.get_segments()) for c in ax.collections if hasattr(c, "get_segments"))
    assert drawn == len(result.config.seeds)
    assert "lr 0.03" in ax.figure.get_suptitle()


def test_loss_figure_is_log_scale(result):
    ax = loss_figure(result).axes[0]
    assert ax.get_yscale() == "log"
    lo, hi = ax.get_ylim()
    assert lo <= result.loss_history.min() and hi >= result.loss_history.max()


def test_nan_diverged_seed_is_left_out_of_the_curves(tmp_path, with_a_nan_seed):
    broken = with_a_nan_seed(beans.train(seeds=(0, 1), epochs=200))
    ax = fit_figure(broken).axes[0]
    drawn = sum(len(c.get_segments()) for c in ax.collections if hasattr(c, "get_segments"))
    assert drawn == 1
    save_plots(broken, tmp_path, "svg")
    assert np.all([(tmp_path / f"{n}.svg").stat().st_size > 0 for n in ("fit", "loss")])


def _legend_labels(ax) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_when_every_seed_diverged_no_curve_is_drawn_as_best():
    run = beans.train(seeds=(0, 1), epochs=200)
    run.diverged[:], run.converged[:] = True, False  # finite numbers, as --lr 1e10 leaves them
    for figure in (fit_figure, loss_figure):
        labels = _legend_labels(figure(run).axes[0])
        assert not any(label.startswith("best") for label in labels), labels
        assert "diverged (2)" in labels


def test_one_snapshot_draws_every_seed_as_a_marker_on_a_sensible_range():
    run = beans.train(seeds=(0, 1, 2), epochs=0)  # --epochs 0: one record, at epoch 0
    run.converged[1] = False  # a failed seed must show too
    ax = loss_figure(run).axes[0]
    dots = [c for c in ax.collections if not hasattr(c, "get_segments")]
    assert sum(len(c.get_offsets()) for c in dots) == 3
    lo, hi = ax.get_xlim()
    assert lo < 0 < hi and hi - lo >= 1


def _minor_labels(ax) -> list[str]:
    ax.figure.canvas.draw()
    return [label.get_text() for label in ax.yaxis.get_minorticklabels() if label.get_text()]


def _labelled_ticks(ax) -> dict[float, str]:
    """The y ticks in view that carry a label, major and minor: {value: text}."""
    lo, hi = ax.get_ylim()
    axis = ax.yaxis
    labelled = {}
    for locs, formatter in (
        (axis.get_majorticklocs(), axis.get_major_formatter()),
        (axis.get_minorticklocs(), axis.get_minor_formatter()),
    ):
        labelled |= {loc: text for loc, text in zip(locs, formatter.format_ticks(locs), strict=True) if text}
    return {loc: text for loc, text in labelled.items() if lo <= loc <= hi}


def test_the_log_axis_labels_ticks_on_both_sides_of_the_final_mse():
    run = beans.train(seeds=(0, 1), epochs=3000)  # losses from about 0.45 down to 0.01
    ax = loss_figure(run).axes[0]
    labelled = _labelled_ticks(ax)
    final = float(np.nanmin(run.final_mse))
    assert len(labelled) >= 5, labelled
    assert any(final < value <= 2.5 * final for value in labelled), (final, labelled)  # the next label up is near
    assert {"0.1", "0.2", "0.05"} <= set(labelled.values()), labelled
    assert ax.get_xlim() == (0.0, 3000.0)


def test_over_many_decades_only_the_powers_of_ten_are_labelled():
    run = beans.train(seeds=(0, 1), epochs=300)
    run.loss_history[:] = np.geomspace(0.5, 1e-9, run.loss_history.shape[1])  # 9 decades
    labelled = _labelled_ticks(loss_figure(run).axes[0])
    assert len(labelled) >= 3
    assert all(np.isclose(np.log10(value), round(np.log10(value))) for value in labelled), labelled


def test_within_one_decade_the_minor_ticks_keep_short_labels():
    run = beans.train(seeds=(0, 1, 2), epochs=200, lr=1e10)  # every loss between 0.2 and 0.9
    labels = _minor_labels(loss_figure(run).axes[0])
    assert labels and all(len(label) <= 4 and "10" not in label for label in labels), labels


def test_every_figure_labels_and_colours_the_beans_alike(result):
    """fit.png, beans.png and the GIF: one colour per bean set, one pair of axis labels."""
    from beans.cli.data import beans_figure
    from beans.cli.plots import HELD_OUT_COLOUR, SIZE_LABEL, TOXICITY_LABEL, TRAINING_COLOUR
    from matplotlib.colors import to_rgba

    ax = fit_figure(result).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == (SIZE_LABEL, TOXICITY_LABEL)
    training, held_out = (c for c in ax.collections if not hasattr(c, "get_segments"))
    np.testing.assert_allclose(training.get_facecolor()[0], to_rgba(TRAINING_COLOUR))
    np.testing.assert_allclose(held_out.get_edgecolor()[0], to_rgba(HELD_OUT_COLOUR))

    ax = beans_figure(result.xs, result.ys).axes[0]  # beans.png
    assert (ax.get_xlabel(), ax.get_ylabel()) == (SIZE_LABEL, TOXICITY_LABEL)
    np.testing.assert_allclose(ax.collections[0].get_facecolor()[0], to_rgba(TRAINING_COLOUR))
    # the GIF's colours: tests/test_animation.py reads them back from a rendered frame


# --- any shape, and the held-out curve ---------------------------------------------------


@pytest.fixture(scope="module")
def wider():
    """A 1-3-1 run (a shape the CLI tests train too, so it compiles once)."""
    return beans.train(seeds=(0, 1, 2), epochs=300, hidden=(3,))


def test_fit_curves_are_the_runs_own_network(wider):
    from beans.kernels.network import predict

    ax = fit_figure(wider).axes[0]
    best = next(line for line in ax.lines if line.get_label().startswith("best"))
    grid = best.get_xdata()
    np.testing.assert_array_equal(best.get_ydata(), predict(wider.params[wider.best], grid, wider.config.shape))
    assert ax.figure.get_suptitle().startswith("1-3-1 sigmoid, seeds 0-2")
    assert loss_figure(wider).get_suptitle().startswith("1-3-1 sigmoid")


def test_curves_refuse_params_of_another_shape(wider):
    from beans.cli.figure_data import curves

    with pytest.raises(ValueError, match="1-2-1 sigmoid"):
        curves(wider.params, np.linspace(0, 2, 5), beans.Shape())


def test_loss_shows_the_best_seeds_held_out_mse_dashed_in_its_colour(result):
    ax = loss_figure(result).axes[0]
    seed = result.config.seeds[result.best]
    training = next(line for line in ax.lines if line.get_label() == f"best: seed {seed}")
    held = next(line for line in ax.lines if "held-out" in line.get_label())
    assert held.get_label() == f"best: seed {seed}, on the {result.test_xs.size} held-out beans"
    assert held.get_linestyle() == "--" and training.get_linestyle() == "-"
    assert held.get_color() == training.get_color()
    np.testing.assert_array_equal(held.get_xdata(), result.snapshot_epochs)
    np.testing.assert_array_equal(held.get_ydata(), result.test_loss_history[result.best])
    assert "held-out" in ax.get_ylabel()
    lo, hi = ax.get_ylim()
    assert lo <= result.test_loss_history[result.best].min() and hi >= result.test_loss_history[result.best].max()


def test_without_held_out_beans_or_a_best_seed_there_is_no_held_out_curve():
    run = beans.train(seeds=(0, 1), epochs=200, test_beans=0)
    ax = loss_figure(run).axes[0]
    assert not any("held-out" in line.get_label() for line in ax.lines)
    assert "held-out" not in ax.get_ylabel()
    run = beans.train(seeds=(0, 1), epochs=200)
    run.diverged[:], run.converged[:] = True, False
    assert not any("held-out" in line.get_label() for line in loss_figure(run).axes[0].lines)


def test_the_converged_seeds_show_beside_the_best_one(tmp_path):
    """They nearly coincide with it: a band wider than the best seed's line, still blue in the saved picture."""
    from matplotlib.image import imread

    run = beans.train(seeds=range(6), epochs=3000)
    assert run.converged.sum() >= 3
    ax = fit_figure(run).axes[0]
    band = next(c for c in ax.collections if c.get_label().startswith("converged"))
    best = next(line for line in ax.lines if line.get_label().startswith("best"))
    assert band.get_linewidth()[0] >= 3 * best.get_linewidth()
    assert best.get_zorder() > band.get_zorder()

    (path,) = (p for p in save_plots(run, tmp_path, "png") if p.name == "fit.png")
    rgb = imread(path)[..., :3]
    blue = (rgb[..., 2] > rgb[..., 0] + 0.15) & (rgb[..., 2] > rgb[..., 1] + 0.05)  # tab:blue, faint or not
    assert blue.mean() > 0.01, blue.mean()


def test_the_legend_sits_beside_the_axes(result):
    for figure in (fit_figure, loss_figure):
        fig = figure(result)
        ax = fig.axes[0]
        fig.draw_without_rendering()
        legend, axes = ax.get_legend().get_window_extent(), ax.get_window_extent()
        assert legend.x0 >= axes.x1, figure.__name__  # off the data, whatever the run draws
        assert legend.x1 <= fig.bbox.x1  # and inside the picture
