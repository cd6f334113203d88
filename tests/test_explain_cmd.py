"""``beans explain``: its numbers are the lesson's loop and finite differences; its outputs read back."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
from beans.cli.app import app
from PIL import Image
from typer.testing import CliRunner

import beans

runner = CliRunner()
LESSON_GRADIENTS = ["dedw11_2", "dedw21_2", "dedb1_2", "dedw11_1", "dedb1_1", "dedw12_1", "dedb2_1"]


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, ["explain", *args, "--json", "-"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(("seed", "bean", "epoch"), [(0, 0, 0), (3, 57, 0), (1, 20, 40)])
def test_the_step_is_the_lessons_loop_and_finite_differences(seed, bean, epoch):
    doc = _json(["--seed", str(seed), "--bean", str(bean), "--epoch", str(epoch)])
    xs, ys = beans.get_beans(100, 0)
    start = beans.sgd_lesson(beans.init_params(seed), xs, ys, epoch, 0.03)
    names = beans.PARAM_NAMES
    np.testing.assert_allclose([doc["params_before"][n] for n in names], start, rtol=1e-12)
    assert doc["bean"] == {"index": bean, "size": xs[bean], "toxicity": ys[bean]}
    params_before = np.array([doc["params_before"][n] for n in names])
    after = beans.sgd_lesson(params_before, xs[bean : bean + 1], ys[bean : bean + 1], 1, 0.03)
    np.testing.assert_array_equal([doc["params_after"][n] for n in names], after)
    assert list(doc["gradients"]) == LESSON_GRADIENTS
    for name in LESSON_GRADIENTS:
        assert doc["gradients"][name] == pytest.approx(doc["finite_difference"][name], abs=1e-7)


def test_other_shapes_use_shape_names_and_the_reference_loop():
    shape = beans.Shape((2, 2), "tanh")
    doc = _json(["--hidden", "2x2", "--activation", "tanh", "--bean", "30", "--lr", "0.1"])
    xs, ys = beans.get_beans(100, 0)
    params = np.array([doc["params_before"][n] for n in shape.param_names])
    expected = beans.sgd_python(params, xs[30:31], ys[30:31], 1, 0.1, shape)
    np.testing.assert_array_equal([doc["params_after"][n] for n in shape.param_names], expected)
    assert set(doc["partials"]) == {f"dedz{j}_{layer}" for layer in (1, 2) for j in (1, 2)} | {"dedz1_3"}
    for name, value in doc["gradients"].items():
        assert value == pytest.approx(doc["finite_difference"][name], abs=1e-7)


def test_tables_use_the_lessons_names_in_english_and_chinese():
    english = runner.invoke(app, ["explain"]).stdout
    for name in ("z1_1", "a1_2", "deda1_2", "da1_2dz1_2", "dz1_2dw11_2", "dedw11_2", "Forward pass"):
        assert name in english
    assert english.index("z1_1") < english.index("deda1_2") < english.index("dedw11_2 ")
    assert "前向传播" in runner.invoke(app, ["explain", "--lang", "zh"]).stdout


def test_after_training_says_which_edge_each_neuron_makes():
    out = runner.invoke(app, ["explain", "--after-training"]).stdout
    assert "left edge" in out and "right edge" in out


def test_plot_and_json_files_read_back(tmp_path, beans_command):
    plot, doc_path = tmp_path / "net.png", tmp_path / "step.json"
    done = subprocess.run(
        [*beans_command, "explain", "--plot", str(plot), "--json", str(doc_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert Image.open(plot).size[0] > 400
    assert json.loads(doc_path.read_text())["bean"]["index"] == 0


def test_the_drawing_carries_every_weight_and_its_gradient():
    from beans.cli.explain_plot import network_figure

    doc = _json([])
    texts = [t.get_text() for t in network_figure(doc, beans.Shape()).axes[0].texts]
    for name in beans.PARAM_NAMES:
        assert any(t.startswith(f"{name} = ") for t in texts), name
        assert any(t.startswith(f"ded{name} = ") for t in texts), name


@pytest.mark.parametrize(
    "args",
    [
        ["--bean", "100"],
        ["--bean", "-1"],
        ["--epoch", "x"],
        ["--hidden", "0"],
        ["--activation", "step"],
        ["--lr", "0"],
        ["--lang", "fr"],
        ["--plot", "net.gif"],
        ["--beans", "1"],
    ],
)
def test_bad_input_is_a_one_line_error(args):
    result = runner.invoke(app, ["explain", *args])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
