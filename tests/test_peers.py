"""``beans bench --peers``: JAX and PyTorch rows, agreement-gated, skipped with a note when missing."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from io import StringIO

import numpy as np
import pytest
from beans.cli.app import app
from beans.cli.bench import render_table
from rich.console import Console
from typer.testing import CliRunner

from beans import kernels
from beans.benchmark import peers, timing

PLAIN_ENV = {"_TYPER_FORCE_DISABLE_TERMINAL": "1", "COLUMNS": "160", "NO_COLOR": "1"}
runner = CliRunner(env=PLAIN_ENV)
SMALL = ["--quick", "--seeds", "3", "--epochs", "5", "--repeat", "1", "--no-compile", "--engines", "jit-many-1"]


def _job(seeds: int = 4):
    xs, ys = kernels.get_beans(100, 0)
    return kernels.init_params_many(range(seeds)), xs, ys


def test_without_the_libraries_the_peer_rows_are_skipped_with_a_note_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "jax", None)  # makes `import jax` fail, installed or not
    monkeypatch.setitem(sys.modules, "torch", None)
    result = runner.invoke(app, ["bench", *SMALL, "--peers"])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("note:")]
    assert len(notes) == 3
    assert 'note: jax skipped: jax is not installed: pip install "beans[peers]"' in notes
    assert all("beans[peers" in note for note in notes)
    assert "jit-many-1" in result.stdout


def test_without_peers_no_peer_row_runs():
    result = runner.invoke(app, ["bench", *SMALL])
    assert result.exit_code == 0, result.output
    assert "jax" not in result.output and "torch" not in result.output


@pytest.mark.parametrize(
    "name, module",
    [("jax", "jax"), ("torch-batched", "torch"), ("torch-autograd", "torch")],
)
def test_each_peer_agrees_with_the_reference(name, module, tmp_path):
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (an optional extra; CI installs jax only)")
    params, xs, ys = _job(3 if name == "torch-autograd" else 16)
    np.savez(tmp_path / "job.npz", params=params, xs=xs, ys=ys)
    # the peer trains in a child: JAX starts threads, and a later test's fork (subprocess with
    # preexec_fn) in a process that has them may deadlock, as JAX warns
    code = (
        "import sys, numpy as np; from beans.benchmark import peers; job = np.load(sys.argv[1]);"
        f"np.save(sys.argv[2], peers.peer_engines()[{name!r}].train(job['params'], job['xs'], job['ys'], 2, 0.03))"
    )
    cmd = [sys.executable, "-c", code, str(tmp_path / "job.npz"), str(tmp_path / "got.npy")]
    subprocess.run(cmd, check=True, timeout=300)
    got = np.load(tmp_path / "got.npy")
    want = np.stack([kernels.sgd_python(row, xs, ys, 2, 0.03) for row in params])
    assert got.shape == want.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=0, atol=timing.AGREE_TOL)


def test_a_peer_that_disagrees_is_wrong_and_gets_no_speedup():
    def off_by_a_bit(params, xs, ys, epochs, lr):
        return kernels.sgd_many(params, xs, ys, epochs, lr) + 1e-6

    engine = peers.PeerEngine("made-up", "a peer that is slightly off", off_by_a_bit, module="numpy", install="-")
    work = timing.Workload(seeds=4, epochs=3)
    result = timing.run_engine(engine, work, work.data(), repeat=1, budget_s=0.01)
    timing.add_speedups([result])
    assert result.agrees is False and result.speedup is None
    out = StringIO()
    Console(file=out, width=160, color_system=None).print(render_table([result], work))
    assert "WRONG" in out.getvalue()


def test_a_missing_module_is_named_with_its_install_line():
    engine = peers.PeerEngine("x", "", lambda *a: None, module="no_such_module_for_beans", install="pip install it")
    assert engine.available() == "no_such_module_for_beans is not installed: pip install it"
