"""``beans bench``: its JSON, its table, wrong engines, the C reference, and bad options."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import kernels
from cli import c_engine, timing
from cli.app import app

PLAIN_ENV = {"_TYPER_FORCE_DISABLE_TERMINAL": "1", "COLUMNS": "120", "NO_COLOR": "1"}
runner = CliRunner(env=PLAIN_ENV)
# a tiny workload: every engine's timed runs take milliseconds
SMALL = ["--quick", "--seeds", "3", "--epochs", "10", "--repeat", "2"]


def bench(*args: str):
    return runner.invoke(app, ["bench", *args])


def test_quick_json_has_every_engine_timed_and_agreeing(tmp_path):
    path = tmp_path / "bench.json"
    result = bench(*SMALL, "--json", str(path))
    assert result.exit_code == 0, result.output
    doc = json.loads(path.read_text())
    ran = {e["name"]: e for e in doc["engines"]}
    skipped = {s["name"] for s in doc["skipped"]}
    assert set(ran) | skipped == set(timing.ENGINES)
    assert skipped <= {"c-scalar", "c-lanes"}  # only the C rows may be missing (no compiler)
    for engine in ran.values():
        assert engine["agrees"] is True, engine
        assert engine["error"] is None
        assert engine["steps"] > 0 and engine["ns_per_step"] > 0 and engine["steps_per_s"] > 0
        assert engine["speedup"] > 0
        assert len(engine["seconds"]) == 2 and min(engine["seconds"]) > 0
        assert engine["max_abs_diff"] <= timing.AGREE_TOL
    assert ran["python-lesson"]["speedup"] == pytest.approx(1.0)
    for name in ("jit", "jit-many-1", "jit-many-all"):
        assert ran[name]["compile_s"] > 0 and ran[name]["cached_s"] > 0
    assert ran["python"]["compile_s"] is None
    assert doc["workload"]["seeds"] == 3 and doc["workload"]["repeat"] == 2
    assert {"beans", "numba", "numpy", "python", "cpu"} <= set(doc["versions"])
    for name in ran:
        assert name in result.stdout


def wrong_by(delta: float):
    """A fast engine whose every result is off by ``delta``."""

    def train(params, xs, ys, epochs, lr):
        return kernels.sgd_many(params, xs, ys, epochs, lr) + delta

    return train


def test_a_wrong_engine_is_flagged_and_gets_no_speedup(tmp_path, monkeypatch):
    monkeypatch.setitem(timing.ENGINES, "broken", timing.Engine("broken", "off by 1e-6", wrong_by(1e-6)))
    monkeypatch.setitem(timing.ENGINES, "close", timing.Engine("close", "off by 1e-12", wrong_by(1e-12)))
    path = tmp_path / "bench.json"
    result = bench(*SMALL, "--no-compile", "--engines", "python-lesson,broken,close", "--json", str(path))
    assert result.exit_code == 0, result.output
    ran = {e["name"]: e for e in json.loads(path.read_text())["engines"]}
    assert ran["broken"]["agrees"] is False
    assert ran["broken"]["speedup"] is None
    assert ran["broken"]["max_abs_diff"] == pytest.approx(1e-6)
    assert ran["close"]["agrees"] is True and ran["close"]["speedup"] > 0
    assert "WRONG" in result.stdout and "broken: WRONG" in result.stdout


def test_an_engine_that_raises_is_an_error_row_not_a_crash(tmp_path, monkeypatch):
    def explode(params, xs, ys, epochs, lr):
        raise RuntimeError("kaboom")

    monkeypatch.setitem(timing.ENGINES, "explodes", timing.Engine("explodes", "raises", explode))
    path = tmp_path / "bench.json"
    result = bench(*SMALL, "--no-compile", "--engines", "python-lesson,explodes", "--json", str(path))
    assert result.exit_code == 0, result.output
    row = next(e for e in json.loads(path.read_text())["engines"] if e["name"] == "explodes")
    assert row["agrees"] is False and row["speedup"] is None and "kaboom" in row["error"]
    assert "ERROR" in result.stdout


def test_plot_writes_a_png_that_reads_back(tmp_path):
    import matplotlib.image

    path = tmp_path / "bench.png"
    result = bench(*SMALL, "--no-compile", "--engines", "python-lesson,jit", "--plot", str(path), "--quiet")
    assert result.exit_code == 0, result.output
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert result.stderr == ""  # --quiet
    assert not list(tmp_path.glob(".*part*"))  # no temporary file left behind


def test_without_a_compiler_the_c_rows_are_skipped_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setattr(timing, "ENGINES", timing.default_engines())  # C engines not yet built
    monkeypatch.setattr(c_engine, "find_compiler", lambda: None)
    path = tmp_path / "bench.json"
    result = bench(*SMALL, "--no-compile", "--engines", "python-lesson,c-lanes", "--json", str(path))
    assert result.exit_code == 0, result.output
    doc = json.loads(path.read_text())
    assert [e["name"] for e in doc["engines"]] == ["python-lesson"]
    assert doc["skipped"][0]["name"] == "c-lanes" and "compiler" in doc["skipped"][0]["reason"]
    assert "c-lanes skipped" in result.stderr


@pytest.mark.parametrize(
    "args, words",
    [
        (["--engines", "jit,warp-drive"], ["warp-drive", "python-lesson", "jit-many-all", "c-lanes"]),
        (["--engines", ","], ["choose from"]),
        (["--seeds", "0"], ["--seeds"]),
        (["--seeds", "many"], ["--seeds"]),
        (["--epochs", "0"], ["--epochs"]),
        (["--repeat", "0"], ["--repeat"]),
        (["--epochs"], ["--epochs"]),
        (["--plot", "chart.txt"], ["--plot", ".png"]),
        (["--warp"], ["--warp"]),
    ],
)
def test_bad_options_exit_2_with_one_line(args, words):
    result = bench(*args)
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "Traceback" not in result.output
    for word in words:
        assert word in message


@pytest.mark.parametrize("option", ["--json", "--plot"])
def test_unwritable_outputs_fail_before_any_timing(tmp_path, option):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = bench(option, str(blocker / "sub" / "out.png"))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert option in result.stderr and "bench:" not in result.stderr  # nothing was timed


def test_c_workload_round_trips_exactly():
    xs, ys = kernels.get_beans(7, 3)
    params = kernels.init_params_many([0, 1])
    text = c_engine.workload_text(params, xs, ys, 5, 0.03)
    numbers = text.split()
    assert numbers[:4] == ["2", "7", "5", "0.03"]
    back = np.array([float(v) for v in numbers[4:]])
    np.testing.assert_array_equal(back, np.concatenate([xs, ys, params.ravel()]))
    out = "seconds 1.5e-03 2.0e-03\nparams\n" + "\n".join(" ".join(v.hex() for v in row) for row in params.tolist())
    seconds, got = c_engine.parse_output(out, 2)
    assert seconds == [1.5e-3, 2.0e-3]
    np.testing.assert_array_equal(got, params)


def test_c_build_without_source_or_compiler_says_why(tmp_path, monkeypatch):
    with pytest.raises(c_engine.CUnavailable, match="no C source"):
        c_engine.build(tmp_path / "missing.c")
    monkeypatch.setattr(c_engine, "find_compiler", lambda: None)
    with pytest.raises(c_engine.CUnavailable, match="no C compiler"):
        c_engine.build()


@pytest.mark.skipif(c_engine.find_compiler() is None, reason="no C compiler")
@pytest.mark.parametrize("variant", c_engine.VARIANTS)
def test_c_reference_agrees_with_sgd_python(variant):
    xs, ys = kernels.get_beans(30, 2)
    params = kernels.init_params_many(range(5))  # not a multiple of the SIMD width: the tail runs too
    seconds, got = c_engine.build().run(variant, params, xs, ys, 40, 0.03, repeat=2)
    assert len(seconds) == 2 and min(seconds) > 0
    want = np.stack([kernels.sgd_python(row, xs, ys, 40, 0.03) for row in params])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-11)


def test_table_renders_wrong_and_error_rows_without_numbers_they_lack():
    from io import StringIO

    from rich.console import Console

    from cli.bench import footnotes, render_table

    good = timing.Result("jit", "", 1, agrees=True, max_abs_diff=0.0, steps=1000, ns_per_step=40.0, speedup=70.0)
    wrong = timing.Result("broken", "", 1, agrees=False, max_abs_diff=1e-3, steps=1000, ns_per_step=1.0)
    failed = timing.Result("explodes", "", 1, agrees=False, error="RuntimeError: kaboom")
    results = [good, wrong, failed]
    buffer = StringIO()
    Console(file=buffer, width=120, color_system=None).print(render_table(results, timing.Workload(seeds=2)))
    text = buffer.getvalue()
    rows = {line.split()[1]: line for line in text.splitlines() if line.startswith("│")}
    assert "70x" in rows["jit"] and "yes" in rows["jit"]
    assert "WRONG" in rows["broken"] and "x" not in rows["broken"].split("│")[6]
    assert "ERROR" in rows["explodes"]
    notes = footnotes(results, timing)
    assert any("broken: WRONG" in line for line in notes)
    assert any("kaboom" in line for line in notes)
