"""SIGINT, SIGTERM and SIGHUP end a command alike: clean up, then exit 128 + the signal.

``kill``, a closing terminal, a batch scheduler and ``timeout`` send these; Python's default is
to die on the spot, leaving temporary files and new folders behind. ``install`` makes each one
raise :class:`Interrupted` (a KeyboardInterrupt, so every ``except KeyboardInterrupt`` clean-up
runs) in the main thread. Installed by the command line only: importing beans changes nothing.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

# SIGINT too, though Python already makes it a KeyboardInterrupt: CPython (3.11) remembers a bare
# KeyboardInterrupt that passes through code run by exec() of a string (dataclasses, numba and
# others make functions so) and kills the process with SIGINT at exit even when beans caught it
# and cleaned up: exit -2 instead of 130, now and then (tests/test_cli_train.py's real SIGINT
# tests). It only remembers the exact class, so a subclass keeps the exit code beans chose.
CAUGHT = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(KeyboardInterrupt):
    """A signal that ends the command; ``signum`` says which."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def install() -> None:
    """Turn SIGINT, SIGTERM and SIGHUP into :class:`Interrupted`; a no-op outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in CAUGHT:
        if signal.getsignal(signum) is signal.SIG_IGN:
            continue  # nohup and friends asked for the signal to be ignored: keep it so
        signal.signal(signum, _raise)


def exit_code(err: BaseException) -> int:
    """128 + the signal that interrupted: 130 for Ctrl-C (SIGINT), 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + getattr(err, "signum", signal.SIGINT)
