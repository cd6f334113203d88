"""compile_ahead: a first run compiles the run-time-shaped kernel beside its own and leaves no child behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import typer
from beans.cli.compile_ahead import CompileAhead
from beans.cli.signals import Interrupted
from beans.cli.train import _finish_compile
from rich.console import Console

IS_COMPILED = (
    "from beans.kernels.choice import is_compiled, run_time_shaped_module\n"
    "print(is_compiled(run_time_shaped_module()))\n"
)


def _fresh_cache(tmp_path: Path) -> dict[str, str]:
    """The environment of a machine that has compiled nothing: an empty numba cache of its own."""
    return {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache")}


def _children_using(cache: Path) -> list[int]:
    """Pids of this user's processes whose environment names ``cache`` (the test's own marker)."""
    marker = f"NUMBA_CACHE_DIR={cache}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:  # gone, or another user's
                continue
    return found


def test_the_child_compiles_the_kernel_and_is_reaped():
    ahead = CompileAhead()
    ahead.start()
    said = []
    assert ahead.finish(said.append, expected_s=3.0)  # in this suite's cache it may load at once
    assert not ahead.running()
    assert all(line.startswith("compiling the kernel for every other net, once: ~") for line in said)


def test_finishing_without_a_start_waits_for_nothing():
    ahead = CompileAhead()
    assert not ahead.finish(print)
    ahead.close()


def test_ctrl_c_while_waiting_stops_the_compile_and_says_the_files_are_written():
    ahead = CompileAhead()
    ahead._process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])  # a compile that lasts
    child = ahead._process
    main = threading.get_ident()
    timer = threading.Timer(0.5, lambda: signal.pthread_kill(main, signal.SIGUSR1))
    previous = signal.signal(signal.SIGUSR1, lambda *_: (_ for _ in ()).throw(Interrupted(signal.SIGINT)))
    try:
        timer.start()
        with pytest.raises(typer.Exit) as stopped:
            _finish_compile(ahead, Console(stderr=True))
    finally:
        timer.cancel()
        signal.signal(signal.SIGUSR1, previous)
        child.kill()
    assert stopped.value.exit_code == 130
    assert child.poll() is not None  # stopped and reaped, not left running


@pytest.mark.slow
def test_a_machine_s_first_run_leaves_every_other_net_nothing_to_compile(tmp_path, beans_command):
    env = _fresh_cache(tmp_path)
    small = ["--seeds", "2", "--epochs", "20", "--no-plot"]
    first = subprocess.run(
        [*beans_command, "train", *small, "--out", str(tmp_path / "lesson")],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert "compiling this net's own kernel, once" in first.stderr
    check = subprocess.run([sys.executable, "-c", IS_COMPILED], env=env, capture_output=True, text=True, timeout=600)
    assert check.stdout.split() == ["True"], check.stderr
    new_net = subprocess.run(
        [*beans_command, "train", *small, "--hidden", "3", "--out", str(tmp_path / "three")],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert new_net.returncode == 0, new_net.stderr
    assert "compiling" not in new_net.stderr
    settings = json.loads((tmp_path / "three" / "results.json").read_text())["settings"]
    assert settings["kernel"] == "run-time-shaped"
    assert _children_using(tmp_path / "numba-cache") == []


@pytest.mark.slow
def test_a_signal_during_the_first_compile_leaves_no_child_running(tmp_path, beans_command):
    env = _fresh_cache(tmp_path)
    cmd = [*beans_command, "train", "--seeds", "2", "--no-plot", "--out", str(tmp_path / "out")]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        said = proc.stderr.readline()  # printed once the child has started, before this run compiles
        assert "compiling this net's own kernel" in said, said + proc.stderr.read()
        proc.send_signal(signal.SIGTERM)
        err = proc.stderr.read()
        proc.wait(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 143, err
    deadline = time.monotonic() + 30  # the child is killed and reaped before beans exits: no wait expected
    while _children_using(tmp_path / "numba-cache") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _children_using(tmp_path / "numba-cache") == []
