"""``beans bench``: its JSON, its table, wrong engines, the C reference, and bad options."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import beans.cli.bench
import numpy as np
import pytest
from beans.cli.app import app
from typer.testing import CliRunner

import beans
from beans.benchmark import c_reference, engines, timing

runner = CliRunner()  # the plain-terminal environment comes from conftest's autouse fixture
# a tiny workload: every engine's timed runs take milliseconds
SMALL = ["--quick", "--seeds", "3", "--epochs", "10", "--repeat", "2"]


def bench(*args: str):
    return runner.invoke(app, ["bench", *args])


@pytest.mark.slow  # a whole beans bench --quick
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


def files_under(path):
    return sorted(p for p in path.rglob("*"))


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity, which are not JSON (most parsers reject them)."""

    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def add_engine(monkeypatch, engine: timing.Engine) -> None:
    """Register a test engine for one test: its name for --engines, the engine itself for timing."""
    monkeypatch.setitem(engines.ABOUT, engine.name, engine.about)
    monkeypatch.setitem(timing.ENGINES, engine.name, engine)


def wrong_by(delta: float):
    """A fast engine whose every result is off by ``delta``."""

    def train(params, xs, ys, epochs, lr):
        return beans.sgd_many(params, xs, ys, epochs, lr) + delta

    return train


def test_a_wrong_engine_is_flagged_and_gets_no_speedup(tmp_path, monkeypatch):
    add_engine(monkeypatch, timing.Engine("broken", "off by 1e-6", wrong_by(1e-6)))
    add_engine(monkeypatch, timing.Engine("close", "off by 1e-12", wrong_by(1e-12)))
    path = tmp_path / "bench.json"
    result = bench(*SMALL, "--no-compile", "--engines", "python-lesson,broken,close", "--json", str(path))
    assert result.exit_code == 0, result.output
    ran = {e["name"]: e for e in strict_json(path.read_text())["engines"]}
    assert ran["broken"]["agrees"] is False
    assert ran["broken"]["speedup"] is None
    assert ran["broken"]["max_abs_diff"] == pytest.approx(1e-6)
    assert ran["close"]["agrees"] is True and ran["close"]["speedup"] > 0
    assert "WRONG" in result.stdout and "broken: WRONG" in result.stdout


@pytest.mark.parametrize(
    "train",
    [
        pytest.param(wrong_by(float("nan")), id="nan"),
        pytest.param(wrong_by(float("inf")), id="inf"),
        pytest.param(lambda params, xs, ys, epochs, lr: np.zeros((1, 7)), id="wrong-shape"),
    ],
)
def test_a_broken_engine_still_saves_strict_json(tmp_path, monkeypatch, train):
    add_engine(monkeypatch, timing.Engine("broken", "NaN, inf or the wrong shape", train))
    path = tmp_path / "bench.json"
    result = bench(*SMALL, "--no-compile", "--engines", "python-lesson,broken", "--json", str(path))
    assert result.exit_code == 0, result.output
    row = next(e for e in strict_json(path.read_text())["engines"] if e["name"] == "broken")
    assert row["agrees"] is False and row["speedup"] is None
    assert row["max_abs_diff"] is None  # inf: no JSON number says it
    assert "broken: WRONG" in result.stdout


def test_non_finite_timings_become_null_in_json():
    row = timing.Result("x", "", 1, max_abs_diff=float("nan"), steps_per_s=float("inf"), seconds=[0.0, float("-inf")])
    doc = row.to_json()
    assert doc["max_abs_diff"] is None and doc["steps_per_s"] is None and doc["seconds"] == [0.0, None]
    json.dumps(doc, allow_nan=False)


def test_an_engine_that_raises_is_an_error_row_not_a_crash(tmp_path, monkeypatch):
    def explode(params, xs, ys, epochs, lr):
        raise RuntimeError("kaboom")

    add_engine(monkeypatch, timing.Engine("explodes", "raises", explode))
    path = tmp_path / "bench.json"
    result = bench(*SMALL, "--no-compile", "--engines", "python-lesson,explodes", "--json", str(path))
    assert result.exit_code == 0, result.output
    row = next(e for e in strict_json(path.read_text())["engines"] if e["name"] == "explodes")
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
    monkeypatch.setattr(c_reference, "find_compiler", lambda: None)
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
        (["--hidden", "4y4"], ["--hidden", "4x4"]),
        (["--hidden", "0"], ["--hidden", "1 to 64"]),
        (["--hidden", "1x1x1x1x1x1x1x1x1"], ["--hidden", "1 to 8 hidden layers"]),
        (["--hidden", ""], ["--hidden"]),
        (["--activation", "softmax"], ["--activation", "sigmoid, tanh, relu"]),
        (["--hidden", "8", "--engines", "jit,numpy"], ["--engines", "1-8-1 sigmoid", "jit-many-1"]),
        (["--hidden", "2x2", "--engines", "c-lanes"], ["--engines", "1-2-2-1 sigmoid"]),
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


def test_ctrl_c_while_timing_exits_130_and_leaves_nothing(tmp_path, monkeypatch):
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(timing, "run_engine", interrupted)
    out = tmp_path / "deep" / "er"
    result = bench(
        *SMALL, "--no-compile", "--engines", "python", "--json", str(out / "b.json"), "--plot", str(out / "b.png")
    )
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines()[-1].startswith("Error: interrupted")
    assert "Traceback" not in result.output
    assert files_under(tmp_path) == []


def test_ctrl_c_while_plotting_removes_the_json_already_saved(tmp_path, monkeypatch):
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(beans.cli.bench, "save_plot", interrupted)
    out = tmp_path / "out"
    result = bench(
        *SMALL, "--no-compile", "--engines", "python", "--json", str(out / "b.json"), "--plot", str(out / "b.png")
    )
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert files_under(tmp_path) == []


def test_an_unknown_engine_fails_before_numba_is_imported():
    code = (
        "import sys;"
        "from typer.testing import CliRunner;"
        "from beans.cli.app import app;"
        "result = CliRunner().invoke(app, ['bench', '--engines', 'warp-drive']);"
        "print(result.exit_code, 'numba' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["2", "False"]


def test_ratios_to_c_name_thread_counts_when_they_differ():
    from beans.cli.bench import footnotes

    rows = [
        timing.Result("jit", "", 1, agrees=True, ns_per_step=40.0),
        timing.Result("c-scalar", "", 1, agrees=True, ns_per_step=40.0),
        timing.Result("jit-many-1", "", 1, agrees=True, ns_per_step=4.0),
        timing.Result("jit-many-all", "", 2, agrees=True, ns_per_step=2.0),
        timing.Result("c-lanes", "", 1, agrees=True, ns_per_step=4.0),
    ]
    line = next(line for line in footnotes(rows, timing) if line.startswith("time per step vs C"))
    assert "jit 1.00x c-scalar" in line and "jit-many-1 1.00x c-lanes" in line
    assert "jit-many-all (2 threads) 0.50x c-lanes (1 thread)" in line


def test_c_workload_round_trips_exactly():
    xs, ys = beans.get_beans(7, 3)
    params = beans.init_params_many([0, 1])
    text = c_reference.workload_text(params, xs, ys, 5, 0.03)
    numbers = text.split()
    assert numbers[:4] == ["2", "7", "5", "0.03"]
    back = np.array([float(v) for v in numbers[4:]])
    np.testing.assert_array_equal(back, np.concatenate([xs, ys, params.ravel()]))
    out = "seconds 1.5e-03 2.0e-03\nparams\n" + "\n".join(" ".join(v.hex() for v in row) for row in params.tolist())
    seconds, got = c_reference.parse_output(out, 2)
    assert seconds == [1.5e-3, 2.0e-3]
    np.testing.assert_array_equal(got, params)


def test_c_build_without_source_or_compiler_says_why(tmp_path, monkeypatch):
    with pytest.raises(c_reference.CUnavailable, match="no C source"):
        c_reference.build("lanes", tmp_path / "missing.c")
    monkeypatch.setattr(c_reference, "find_compiler", lambda: None)
    with pytest.raises(c_reference.CUnavailable, match="no C compiler"):
        c_reference.build()
    with pytest.raises(ValueError, match="variant"):
        c_reference.build("simd")


def test_c_binaries_are_cached_in_the_user_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert c_reference.cache_dir() == tmp_path / "beans"
    assert (tmp_path / "beans").stat().st_mode & 0o777 == 0o700


def test_a_c_cache_dir_others_could_write_is_not_used(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    (tmp_path / "beans").symlink_to(shared)  # ~/.cache/beans: a symlink
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(c_reference.tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    planted = tmp_path / "tmp" / f"beans-c-{os.getuid()}"
    planted.mkdir()
    planted.chmod(0o777)  # /tmp/beans-c-UID: writable by anyone
    got = c_reference.cache_dir()
    assert got.parent == tmp_path / "tmp" and got.name.startswith("beans-c-") and got != planted


def test_an_interrupted_c_build_leaves_no_part_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(c_reference, "find_compiler", lambda: "fake-cc")
    real_run = subprocess.run

    def fake_run(cmd, **kwargs):
        if cmd[0] != "fake-cc":
            return real_run(cmd, **kwargs)
        if cmd[1:] == ["--version"]:
            return subprocess.CompletedProcess(cmd, 0, stdout="fake-cc 1.0\n", stderr="")
        out = cmd[cmd.index("-o") + 1]
        with open(out, "w") as half:
            half.write("half a binary")
        raise KeyboardInterrupt

    monkeypatch.setattr(c_reference.subprocess, "run", fake_run)
    with pytest.raises(KeyboardInterrupt):
        c_reference.build("scalar")
    assert files_under(tmp_path / "beans") == []


@pytest.mark.skipif(c_reference.find_compiler() is None, reason="no C compiler")
def test_c_scalar_is_sgd_python_bit_for_bit():
    # -ffp-contract=off: no fused multiply-adds, like sgd_jit, so the same libm exp gives the same bits
    binary = c_reference.build("scalar")
    assert c_reference.CONTRACT["scalar"] in binary.flags
    xs, ys = beans.get_beans(30, 2)
    params = beans.init_params_many(range(5))
    seconds, got = binary.run(params, xs, ys, 40, 0.03, repeat=2)
    assert len(seconds) == 2 and min(seconds) > 0
    want = np.stack([beans.sgd_python(row, xs, ys, 40, 0.03) for row in params])
    np.testing.assert_array_equal(got, want)


@pytest.mark.skipif(c_reference.find_compiler() is None, reason="no C compiler")
def test_c_lanes_agrees_with_sgd_python():
    # fused multiply-adds and libmvec's exp, like sgd_many's contract flag and 2-ulp exp
    binary = c_reference.build("lanes")
    assert c_reference.CONTRACT["lanes"] in binary.flags
    xs, ys = beans.get_beans(30, 2)
    params = beans.init_params_many(range(5))  # not a multiple of the SIMD width: the tail runs too
    seconds, got = binary.run(params, xs, ys, 40, 0.03, repeat=2)
    assert len(seconds) == 2 and min(seconds) > 0
    want = np.stack([beans.sgd_python(row, xs, ys, 40, 0.03) for row in params])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-11)


def test_table_renders_wrong_and_error_rows_without_numbers_they_lack():
    from io import StringIO

    from beans.cli.bench import footnotes, render_table
    from rich.console import Console

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


@pytest.mark.parametrize("option", ["--json", "--plot"])
def test_a_folder_where_a_file_belongs_is_a_usage_error(tmp_path, option):
    result = bench(option, str(tmp_path))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and option in result.stderr


@pytest.mark.skipif(c_reference.find_compiler() is None, reason="no C compiler")
def test_c_hidden_layer_build_of_width_2_is_the_lessons_network():
    # the 1-H-1 loop at H = 2 must train the lesson's network: same parameter order, same sums
    binary = c_reference.build("lanes", hidden=2)
    assert "-DBEANS_HIDDEN=2" in binary.flags and binary.hidden == 2
    xs, ys = beans.get_beans(30, 2)
    params = beans.init_params_many(range(9))
    _, got = binary.run(params, xs, ys, 40, 0.03, repeat=1)
    want = np.stack([beans.sgd_python(row, xs, ys, 40, 0.03) for row in params])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-11)


def test_c_hidden_layer_builds_are_lanes_only_and_bounded():
    for variant, hidden in (("scalar", 8), ("lanes", 0), ("lanes", 65)):
        with pytest.raises(ValueError, match="1-H-1"):
            c_reference.build(variant, hidden=hidden)


def test_hidden_times_the_engines_that_train_that_shape_against_sgd_python_any(tmp_path):
    path = tmp_path / "bench.json"
    result = bench(*SMALL, "--no-compile", "--hidden", "3", "--json", str(path))
    assert result.exit_code == 0, result.output
    doc = strict_json(path.read_text())
    ran = {e["name"]: e for e in doc["engines"]}
    assert set(ran) <= set(engines.ANY_SHAPE) and {"python", "jit-many-1", "jit-many-all"} <= set(ran)
    for engine in ran.values():
        assert engine["agrees"] is True and engine["max_abs_diff"] <= timing.AGREE_TOL, engine
        assert engine["speedup"] > 0
    assert ran["python"]["speedup"] == pytest.approx(1.0)
    assert doc["baseline"] == "python" and doc["agreement"]["reference"] == "sgd_python"
    assert doc["workload"]["hidden"] == [3] and doc["workload"]["activation"] == "sigmoid"
    skipped = {s["name"]: s["reason"] for s in doc["skipped"]}
    assert set(engines.LESSON_ONLY) <= set(skipped)
    assert all("1-2-1 only" in skipped[name] for name in engines.LESSON_ONLY)
    for name in engines.LESSON_ONLY:  # one line each on stderr, naming why
        assert f"note: {name} skipped: {engines.LESSON_ONLY[name]}" in result.stderr
    assert "a 1-3-1 sigmoid net" in result.stdout


def test_hidden_skips_c_lanes_with_a_note_unless_one_sigmoid_layer():
    for args in (["--hidden", "2x2"], ["--hidden", "3", "--activation", "tanh"]):
        result = bench(*SMALL, "--no-compile", "--engines", "python,c-lanes", *args)
        assert result.exit_code == 0, result.output
        assert "note: c-lanes skipped: sgd_c.c's lanes loop is built for one hidden layer of sigmoid" in result.stderr
        assert "python" in result.stdout and "c-lanes" not in result.stdout


def test_hidden_2_sigmoid_is_todays_lesson_bench(tmp_path):
    path = tmp_path / "bench.json"
    result = bench(*SMALL, "--no-compile", "--hidden", "2", "--engines", "python-lesson,jit", "--json", str(path))
    assert result.exit_code == 0, result.output
    doc = strict_json(path.read_text())
    assert [e["name"] for e in doc["engines"]] == ["python-lesson", "jit"] and doc["skipped"] == []
    assert doc["baseline"] == "python-lesson" and doc["agreement"]["reference"] == "sgd_python"
    assert "net," not in result.stdout and "skipped" not in result.stderr


@pytest.mark.slow  # compiles in fresh interpreters
def test_hidden_in_a_real_process_with_compile_times():
    # compile probes run the generated kernel of the shape in fresh interpreters
    cmd = [sys.executable, "-m", "beans", "bench", "--quick", "--hidden", "3", "--activation", "relu"]
    cmd += ["--engines", "python,jit-many-1,jit", "--seeds", "3", "--epochs", "5", "--repeat", "1"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert "a 1-3-1 relu net" in run.stdout
    row = next(line for line in run.stdout.splitlines() if "jit-many-1" in line)
    cells = [cell.strip() for cell in row.split("│")]
    assert float(cells[7]) > 0 and float(cells[8]) > 0 and cells[9] == "yes"  # compile s, cached s, agrees
    assert "note: jit skipped: sgd_jit is written for the 1-2-1 only" in run.stderr


@pytest.mark.skipif(c_reference.find_compiler() is None, reason="no C compiler")
def test_c_1_8_1_build_agrees_with_sgd_python_any():
    from beans.kernels.shape import Shape

    shape = Shape((8,))
    binary = c_reference.build("lanes", hidden=8)
    xs, ys = beans.get_beans(30, 2)
    params = beans.init_params_many(range(11), shape)  # not a multiple of the SIMD width: the tail runs too
    _, got = binary.run(params, xs, ys, 40, 0.03, repeat=1)
    want = np.stack([beans.kernels.sgd_python(row, xs, ys, 40, 0.03, shape) for row in params])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-11)
