"""``beans check`` against the lesson's own script: it passes verbatim, and each slip is named."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from beans.cli.app import app
from typer.testing import CliRunner

LESSON = Path(__file__).parent.parent / "beans" / "example"
SCRIPT = (LESSON / "one_hidden_layer_net.py").read_text(encoding="utf-8")
runner = CliRunner()

# (id, the lesson's text, the slip, the variable beans check must name, words of its hint)
SLIPS = [
    ("w21_2-for-w12_1", "z2_1 = w12_1 * xs + b2_1", "z2_1 = w21_2 * xs + b2_1", "z2_1", "computed from w21_2"),
    ("dsigmoid-plus", "da1_2dz1_2 = a1_2 * (1 - a1_2)", "da1_2dz1_2 = a1_2 * (1 + a1_2)", "da1_2dz1_2", "(1 - a1_2)"),
    (
        "missing-factor",
        "dedw12_1 = deda1_2 * da1_2dz1_2 * dz1_2da2_1 * da2_1dz2_1 * dz2_1dw12_1",
        "dedw12_1 = deda1_2 * da1_2dz1_2 * da2_1dz2_1 * dz2_1dw12_1",
        "dedw12_1",
        "leaves out the factor dz1_2da2_1",
    ),
    ("update-sign", "b2_1 = b2_1 - alpha * dedb2_1", "b2_1 = b2_1 + alpha * dedb2_1", "b2_1", "subtracts"),
    ("learning-rate", "alpha = 0.03", "alpha = 0.3", "alpha", "0.03"),
    ("deda-sign", "deda1_2 = -2 * (y - a1_2)", "deda1_2 = 2 * (y - a1_2)", "deda1_2", "wrong sign"),
    ("missing-bias", "z1_1 = w11_1 * xs + b1_1", "z1_1 = w11_1 * xs", "z1_1", "leaves out the term b1_1"),
    ("wrong-gradient", "w21_2 = w21_2 - alpha * dedw21_2", "w21_2 = w21_2 - alpha * dedw11_2", "w21_2", "dedw11_2"),
    ("sigmoid-sign", "return 1 / (1 + np.exp(-x))", "return 1 / (1 + np.exp(x))", "a1_1", "sigmoid(-z1_1)"),
]


def _lesson_copy(folder: Path, old: str = "", new: str = "") -> Path:
    """The lesson's dataset.py and script in ``folder``, the script with ``old`` replaced by ``new``."""
    assert old in SCRIPT
    (folder / "dataset.py").write_bytes((LESSON / "dataset.py").read_bytes())
    script = folder / "one_hidden_layer_net.py"
    script.write_text(SCRIPT.replace(old, new, 1), encoding="utf-8")
    return script


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*"))}


def test_the_verbatim_lesson_matches_and_is_left_as_it_was(tmp_path, beans_command):
    script = _lesson_copy(tmp_path)
    before = _files(tmp_path)
    done = subprocess.run([*beans_command, "check", str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "matches the lesson" in done.stdout
    assert _files(tmp_path) == before  # no __pycache__, no change


@pytest.mark.parametrize(("old", "new", "name", "hint"), [s[1:] for s in SLIPS], ids=[s[0] for s in SLIPS])
def test_each_slip_is_found_and_named(tmp_path, old, new, name, hint):
    script = _lesson_copy(tmp_path, old, new)
    result = runner.invoke(app, ["check", str(script), "--epochs", "1"])
    assert result.exit_code == 1, result.output
    assert f"differs from the lesson at {name}, epoch 0, bean 0" in result.output
    assert hint in result.output


def test_a_slip_through_the_real_command_in_chinese(tmp_path, beans_command):
    script = _lesson_copy(tmp_path, "z2_1 = w12_1 * xs + b2_1", "z2_1 = w21_2 * xs + b2_1")
    done = subprocess.run(
        [*beans_command, "check", str(script), "--lang", "zh"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "z2_1 是用 w21_2 算的;课程用的是 w12_1" in done.stdout


def test_the_learners_own_error_is_shown_as_theirs(tmp_path):
    script = _lesson_copy(tmp_path, "e = (y - a1_2) ** 2", "e = (y - a1_2) ** 2 + typo")
    result = runner.invoke(app, ["check", str(script)])
    assert result.exit_code == 1
    assert "NameError: name 'typo' is not defined" in result.output
    assert "beans/" not in result.output  # their frames, not ours
    assert len(result.output.splitlines()) <= 8


def test_a_script_without_the_lessons_names_gets_code_2(tmp_path):
    script = _lesson_copy(tmp_path)
    script.write_text(SCRIPT.replace("w11_1", "weight1"), encoding="utf-8")
    result = runner.invoke(app, ["check", str(script)])
    assert result.exit_code == 2
    assert "w11_1" in result.output and "looks for these names" in result.output


def test_an_endless_script_is_stopped_at_the_time_limit(tmp_path):
    script = _lesson_copy(tmp_path, "# 训练5000次", "while True:\n    pass")
    result = runner.invoke(app, ["check", str(script), "--time-limit", "1"])
    assert result.exit_code == 1
    assert "was stopped" in result.output


def test_example_writes_the_lessons_files_and_they_pass(tmp_path):
    out = tmp_path / "lesson"
    result = runner.invoke(app, ["check", "--example", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "dataset.py").read_text() == (Path(__file__).parent / "lesson" / "dataset.py").read_text()
    assert runner.invoke(app, ["check", str(out / "one_hidden_layer_net.py"), "--epochs", "1"]).exit_code == 0
    again = runner.invoke(app, ["check", "--example", "--out", str(out)])
    assert again.exit_code == 1 and "never overwrites" in again.output


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "nowhere.py"],
        ["check", "x.py", "--example"],
        ["check", "x.py", "--out", "d"],
        ["check", "x.py", "--epochs", "0"],
        ["check", "x.py", "--lang", "fr"],
        ["check", "x.py", "--time-limit", "0"],
    ],
)
def test_bad_input_is_a_one_line_error(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
