"""The console script's quick exit (``cli.app.leave``) loses nothing the ordinary exit would keep.

It skips the interpreter's teardown after a command, so every test runs a real process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import beans


def _python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python whose stdout into the pipe is block-buffered, as a user's is."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)


def _run_main(*args: str, before: str = "") -> str:
    """Code that runs ``beans ARGS`` through the console script's entry point, after ``before``."""
    return f"import sys\n{before}\nfrom beans.cli.app import main\nsys.argv = ['beans', *{list(args)!r}]\nmain()\n"


def test_output_bigger_than_a_pipe_arrives_whole():
    """Block-buffered stdout into a pipe: all of it is flushed before the process ends."""
    done = _python(_run_main("train", "--seeds", "300", "--epochs", "10", "--no-plot", "-q", "--json", "-"))
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) > 65536  # more than a pipe holds
    assert len(json.loads(done.stdout)["results"]) == 300


def test_exit_codes_are_kept():
    assert _python(_run_main("--version")).returncode == 0
    failed = _python(_run_main("train", "--seeds", "0"))
    assert failed.returncode == 2 and failed.stderr.startswith("Error: ")


def test_atexit_handlers_run_and_what_they_print_is_flushed():
    """stdout into a pipe is block-buffered: what an atexit handler prints is still in the buffer after it."""
    before = "import atexit\natexit.register(lambda: print('atexit ran', end=''))"
    done = _python(_run_main("--version", before=before))
    assert done.returncode == 0 and done.stdout == f"beans {beans.__version__}\natexit ran"


def test_a_thread_still_running_gets_the_ordinary_exit_which_waits_for_it():
    before = (
        "import threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(0.5), print('thread finished', flush=True))).start()"
    )
    done = _python(_run_main("--version", before=before))
    assert done.returncode == 0 and done.stdout.endswith("thread finished\n")
