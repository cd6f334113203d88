"""beans data: the lesson's beans as a scatter plot and, with --csv, as exact CSV."""

from __future__ import annotations

import numpy as np
import pytest
from beans.cli.app import app
from matplotlib import image as mpimg
from typer.testing import CliRunner

import beans

runner = CliRunner()


def _read_csv(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "size,toxicity"
    rows = [tuple(float(v) for v in line.split(",")) for line in lines[1:]]
    return np.array([r[0] for r in rows]), np.array([r[1] for r in rows])


def test_csv_round_trips_exactly(tmp_path):
    out, csv = tmp_path / "beans.png", tmp_path / "beans.csv"
    result = runner.invoke(app, ["data", "--beans", "37", "--data-seed", "5", "--out", str(out), "--csv", str(csv)])
    assert result.exit_code == 0, result.output
    xs, ys = _read_csv(csv)
    want_xs, want_ys = beans.get_beans(37, 5)
    np.testing.assert_array_equal(xs, want_xs)  # exact, not approximate: repr round-trips
    np.testing.assert_array_equal(ys, want_ys)
    assert str(csv) in result.output and str(out) in result.output


def test_png_reads_back(tmp_path):
    out = tmp_path / "deep" / "er" / "beans.png"
    result = runner.invoke(app, ["data", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    pixels = mpimg.imread(out)
    assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100


@pytest.mark.parametrize("suffix", ["svg", "pdf"])
def test_vector_formats_follow_the_suffix(tmp_path, suffix):
    out = tmp_path / f"beans.{suffix}"
    assert runner.invoke(app, ["data", "--out", str(out), "-q"]).exit_code == 0
    head = out.read_bytes()[:200]
    assert (b"<svg" in head or b"<?xml" in head) if suffix == "svg" else head.startswith(b"%PDF")


@pytest.mark.parametrize("name", ["beans.jpg", "beans", "beans.png.txt"])
def test_unknown_format_fails_in_one_line_and_writes_nothing(tmp_path, name):
    csv = tmp_path / "beans.csv"
    result = runner.invoke(app, ["data", "--out", str(tmp_path / name), "--csv", str(csv)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and result.output.startswith("Error:")
    assert list(tmp_path.iterdir()) == []


def test_bean_count_must_be_positive(tmp_path):
    result = runner.invoke(app, ["data", "--beans", "0", "--out", str(tmp_path / "b.png")])
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("out", "csv", "option"), [("/dev/null/x.png", "x/ok.csv", "--out"), ("x/b.png", "/dev/null/c.csv", "--csv")]
)
def test_an_unwritable_output_names_its_option_and_nothing_is_written(tmp_path, out, csv, option):
    args = ["data", "--out", out if out.startswith("/dev") else str(tmp_path / out)]
    args += ["--csv", csv if csv.startswith("/dev") else str(tmp_path / csv)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: {option}: ") and result.output.count("\n") == 1, result.output
    assert list(tmp_path.iterdir()) == []  # not the CSV, not its folder


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--csv", "{tmp}/dir/"], "--csv"),  # a trailing separator: a folder's name, not a file's
        (["--csv", "{tmp}/existing"], "--csv"),  # an existing directory
        (["--out", "{tmp}/b.png/"], "--out"),
        (["--out", "{tmp}/existing.png"], "--out"),
    ],
)
def test_a_folder_where_a_file_belongs_is_a_usage_error(tmp_path, args, option):
    (tmp_path / "existing").mkdir()
    (tmp_path / "existing.png").mkdir()
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(app, ["data", *args] + ([] if "--out" in args else ["--out", str(tmp_path / "b.png")]))
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and option in result.output and result.output.count("\n") == 1
    assert "Value error" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing", "existing.png"]
    assert list((tmp_path / "existing").iterdir()) == []


def test_missing_parents_of_both_outputs_are_created(tmp_path):
    out, csv = tmp_path / "a" / "b.png", tmp_path / "e" / "f" / "g.csv"
    assert runner.invoke(app, ["data", "--out", str(out), "--csv", str(csv), "-q"]).exit_code == 0
    assert out.stat().st_size > 0 and csv.stat().st_size > 0


def test_ctrl_c_while_writing_leaves_neither_file_nor_folder(tmp_path, monkeypatch):
    import beans.cli.data

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(beans.cli.data, "beans_figure", interrupted)  # after the CSV is staged
    result = runner.invoke(
        app, ["data", "--out", str(tmp_path / "p" / "b.png"), "--csv", str(tmp_path / "c" / "b.csv")]
    )
    assert result.exit_code == 130
    assert result.output.startswith("Error: interrupted") and result.output.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
