"""The console script's exit (``cli.app.main``) keeps what an ordinary Python exit keeps.

``main`` freezes the garbage collector's objects before the interpreter's teardown, so every
test runs a real process to its end.
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


def test_output_bigger_than_a_pipe_arrives_whole(tmp_path):
    """Block-buffered stdout into a pipe: all of it is flushed before the process ends."""
    args = ("train", "--seeds", "300", "--epochs", "10", "--no-plot", "-q", "--json", "-", "--out", str(tmp_path))
    done = _python(_run_main(*args))
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


def test_a_thread_still_running_when_the_command_ends_is_waited_for():
    """The thread waits for the main thread to finish, which it does only once the interpreter
    starts its exit: the command has ended by then, whatever the machine's load."""
    before = (
        "import threading\n"
        "def wait_then_print():\n"
        "    threading.main_thread().join()\n"
        "    print('thread finished', flush=True)\n"
        "threading.Thread(target=wait_then_print).start()"
    )
    done = _python(_run_main("--version", before=before))
    assert done.returncode == 0 and done.stdout.endswith("thread finished\n")
