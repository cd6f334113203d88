"""neurons.png (beans.cli.neurons): one panel per hidden layer, one line per neuron, then the output."""

from __future__ import annotations

import numpy as np
import pytest
from beans.cli.neurons import MAX_COLUMNS, neurons_figure
from beans.cli.plots import save_plots
from beans.kernels.network import neuron_outputs, predict

import beans

# Shapes the other CLI tests train too, so each compiles once per session (a new shape takes seconds).
SHAPES = [((2,), "sigmoid"), ((3,), "sigmoid"), ((4, 4), "tanh")]


@pytest.fixture(scope="module", params=SHAPES, ids=lambda s: f"{'x'.join(map(str, s[0]))}-{s[1]}")
def run(request):
    hidden, activation = request.param
    return beans.train(seeds=(0, 1, 2), epochs=300, hidden=hidden, activation=activation, test_beans=20)


def _hidden_axes(fig, run):
    return fig.axes[: len(run.config.hidden)]


def test_one_panel_per_hidden_layer_and_one_line_per_neuron(run):
    fig = neurons_figure(run, run.best)
    hidden = run.config.hidden
    assert len(fig.axes) == len(hidden) + 2
    for ax, width in zip(_hidden_axes(fig, run), hidden, strict=True):
        assert len(ax.lines) == width
    assert len(fig.axes[-2].lines) == hidden[-1] + 2  # the output neuron's weighted inputs, z, and z = 0
    assert len(fig.axes[-1].lines) == 1  # the network's output


def test_the_lines_are_the_neurons_and_the_network_of_that_seed(run):
    row = run.best
    fig = neurons_figure(run, row)
    grid = fig.axes[-1].lines[0].get_xdata()
    shape = run.config.shape
    for ax, outputs in zip(_hidden_axes(fig, run), neuron_outputs(run.params[row], grid, shape), strict=True):
        np.testing.assert_array_equal(np.array([line.get_ydata() for line in ax.lines]), outputs)
    np.testing.assert_array_equal(fig.axes[-1].lines[0].get_ydata(), predict(run.params[row], grid, shape))
    assert f"{shape}, seed {run.config.seeds[row]}" in fig.get_suptitle()


def test_the_last_hidden_layer_names_each_neurons_weight_into_the_output():
    run = beans.train(seeds=(0,), epochs=300)  # the lesson's 1-2-1: weights 5 and 6 (w11_2, w21_2)
    labels = [text.get_text() for text in neurons_figure(run, 0).axes[0].get_legend().get_texts()]
    assert labels == [f"neuron {j + 1}: weight {run.params[0, 4 + j]:+.2f} into the output" for j in range(2)]


def test_the_sum_panel_shows_the_output_neurons_weighted_inputs_and_z(run):
    """Each last-layer output times its weight, and z: the sigmoid of z is the network's output."""
    row = run.best
    fig = neurons_figure(run, row)
    ax = fig.axes[-2]
    shape = run.config.shape
    params = run.params[row]
    grid = ax.lines[0].get_xdata()
    last = neuron_outputs(params, grid, shape)[-1]
    start = shape.neuron_start(shape.n_layers - 1, 0)
    *inputs, z = ax.lines[: last.shape[0] + 1]
    for j, line in enumerate(inputs):
        np.testing.assert_allclose(line.get_ydata(), params[start + j] * last[j])
    np.testing.assert_allclose(1 / (1 + np.exp(-z.get_ydata())), predict(params, grid, shape), atol=1e-12)


def test_the_lesson_nets_sum_panel_names_w11_2_a1_1_w21_2_a2_1_and_z1_2():
    run = beans.train(seeds=(0,), epochs=300)
    labels = [text.get_text() for text in neurons_figure(run, 0).axes[1].get_legend().get_texts()]
    assert labels[:2] == ["w11_2·a1_1", "w21_2·a2_1"]
    assert labels[2].startswith("z1_2 = ") and "b1_2" in labels[2]


def test_the_legends_sit_under_their_panels(run):
    fig = neurons_figure(run, run.best)
    fig.draw_without_rendering()
    for ax in fig.axes:
        if ax.get_legend() is not None:
            assert ax.get_legend().get_window_extent().y1 <= ax.get_window_extent().y0  # off the curves


def test_the_output_panel_shows_both_bean_sets(run):
    ax = neurons_figure(run, run.best).axes[-1]
    points = [collection.get_offsets() for collection in ax.collections]
    assert sorted(len(p) for p in points) == sorted([run.xs.size, run.test_xs.size])


def test_a_deep_net_wraps_its_panels_onto_rows():
    run = beans.train(seeds=(0,), epochs=0, hidden=(2, 2, 2, 2), record_params=False)
    fig = neurons_figure(run, 0)
    assert len(fig.axes) == 6
    columns = {ax.get_subplotspec().colspan.start for ax in fig.axes}
    rows = {ax.get_subplotspec().rowspan.start for ax in fig.axes}
    assert len(columns) == MAX_COLUMNS and rows == {0, 1}


def test_saved_with_the_other_plots_and_it_reads_back(tmp_path, run):
    from matplotlib.image import imread

    paths = save_plots(run, tmp_path, "png")
    assert paths[-1] == tmp_path / "neurons.png"
    image = imread(paths[-1])
    panels = len(run.config.hidden) + 2
    # 3.4 inches a panel at 120 dpi, side by side: wider for more layers, never a blank canvas
    assert image.shape[0] > 300 and image.shape[1] > 350 * panels
    assert image[..., :3].std() > 0.05


def test_no_best_seed_no_neurons_figure(tmp_path):
    run = beans.train(seeds=(0, 1), epochs=100)
    run.diverged[:], run.converged[:] = True, False  # as --lr 1e10 leaves them
    assert [p.name for p in save_plots(run, tmp_path, "png")] == ["fit.png", "loss.png"]
    assert not (tmp_path / "neurons.png").exists()
