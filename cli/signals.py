"""SIGINT, SIGTERM and SIGHUP end a command alike: clean up, then exit 128 + the signal.

``kill``, a closing terminal, a batch scheduler and ``timeout`` send these; Python's default is
to die on the spot, leaving temporary files and new folders behind. ``install`` makes each one
raise :class:`Interrupted` (a KeyboardInterrupt, so every ``except KeyboardInterrupt`` clean-up
runs) in the main thread, once it is not importing a module (see ``_raise``). Installed by the
command line only: importing beans changes nothing.
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


# Not while the main thread imports: C code in extension modules may turn an exception raised
# while they import into another one (numba's: "numba._devicearray failed to import") or drop
# it (one in numpy.random's did, and the run trained on). A signal that comes then is sent
# again, by a timer, until it finds the import finished; numba's takes a fraction of a second.
RETRY_S = 0.01
_deferred: list[int] = []  # the signal waiting for an import to end
# The signals this command has turned into Interrupted. C code that calls back into Python other
# than an import might still turn one into another exception: ``OneLineErrors`` reads this to
# exit as interrupted all the same.
_received: list[int] = []


def _importing(frame: FrameType | None) -> bool:
    """True when ``frame`` runs inside an import (module code, or an extension module's own)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _raise(signum: int, frame: FrameType | None) -> None:
    if _importing(frame) and hasattr(signal, "setitimer"):
        if not _deferred:  # the first one that came is the one sent again
            _deferred.append(signum)
        signal.setitimer(signal.ITIMER_REAL, RETRY_S)
        return
    _received.append(signum)
    raise Interrupted(signum)


def _send_again(signum: int, frame: FrameType | None) -> None:
    # sent, not raised here: it may now land in a block that holds signals (beans.files.signals_held)
    if _deferred:
        signal.raise_signal(_deferred.pop())


def received() -> Interrupted | None:
    """The first signal turned into :class:`Interrupted` since ``install``, as one; None if none came."""
    return Interrupted(_received[0]) if _received else None


def install() -> None:
    """Turn SIGINT, SIGTERM and SIGHUP into :class:`Interrupted`; a no-op outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return
    _received.clear()  # a new command (tests run many in one process)
    if hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, _send_again)
    for signum in CAUGHT:
        if signal.getsignal(signum) is signal.SIG_IGN:
            continue  # nohup and friends asked for the signal to be ignored: keep it so
        signal.signal(signum, _raise)


def exit_code(err: BaseException) -> int:
    """128 + the signal that interrupted: 130 for Ctrl-C (SIGINT), 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + getattr(err, "signum", signal.SIGINT)
