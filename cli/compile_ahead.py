"""A child process that compiles the run-time-shaped kernel beside a run's own compile (issue 20).

A machine compiles two kernels once: the lesson's 1-2-1's own, on its first run, and the
run-time-shaped one, which lets every other net start without a compile of its own
(``kernels.choice``). Compiled on the first new net, the second made that run wait several
times as long as the same command run again (bench/first_run.py). The compiler holds one core
and the GIL, so ``beans train`` starts the second compile in a child, on another core, as its
own compile begins, and waits for it before it exits, saying so: both one-time waits fall on
the machine's first run, side by side.

The child writes nothing but numba's cache, whose files numba writes whole. If it cannot
start, fails or is stopped, the next new net compiles the kernel itself: the child can make a
later run start sooner, never change what any run computes.
"""

from __future__ import annotations

import os
import subprocess
import time

from .child import python_running

# The wait at the end is bounded: a compile that takes this long has gone wrong, and stopping
# it costs only the next new net a compile of its own.
WAIT_LIMIT_S = 300.0


class CompileAhead:
    """At most one child compiling the run-time-shaped kernel: ``start``, then ``finish``; ``close`` always."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._started = 0.0

    def start(self) -> None:
        """Start the child; nothing happens where it cannot start, or has started already."""
        if self._process is not None:
            return
        try:
            self._process = subprocess.Popen(
                python_running(__name__, "main"),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                # its own process group: a Ctrl-C at the terminal reaches only beans, which stops it
                start_new_session=os.name == "posix",
            )
        except (OSError, ValueError):  # no such program, no processes left, ...
            return
        self._started = time.monotonic()

    def running(self) -> bool:
        """True while the child runs."""
        return self._process is not None and self._process.poll() is None

    def finish(self, say=None, expected_s: float = 0.0) -> bool:
        """Wait, at most ``WAIT_LIMIT_S``, for the child to finish; then stop it. True if it compiled.

        ``say`` (or None) is called with one line when there is a wait, ``expected_s`` being
        the compile's estimated length from its start.
        """
        if self._process is None:
            return False
        if self.running() and say is not None:
            left = max(1.0, expected_s - (time.monotonic() - self._started))
            say(f"compiling the kernel for every other net, once: ~{left:.0f} s more")
        try:
            return self._process.wait(WAIT_LIMIT_S) == 0
        except subprocess.TimeoutExpired:
            return False
        finally:
            self.close()

    def close(self) -> None:
        """Stop the child if it still runs, and reap it. Safe to call twice."""
        if self._process is not None:
            self._process.kill()  # nothing to do for one that has ended
            self._process.wait()


def main() -> None:
    """The child: compile the run-time-shaped kernel into numba's cache."""
    from ..kernels.choice import compile_run_time_shaped

    compile_run_time_shaped()
