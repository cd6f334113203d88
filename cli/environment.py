"""The environment variables beans' libraries read at import, checked before any command starts.

numba reads ``NUMBA_NUM_THREADS`` and ``NUMBA_DISABLE_JIT`` and matplotlib ``MPLBACKEND`` when
they are first imported, which is deep inside a command, after its outputs were prepared or
its training done: a value they cannot use ends there in a library's traceback. Here it ends
in one ``Error:`` line (exit 2) before any work. numba and matplotlib are not imported here,
except matplotlib when ``MPLBACKEND`` is set, to ask it whether it knows the name.
Also: a standard output that cannot encode the tables' symbols (an ASCII-only locale) gets
them replaced rather than failing once the work is done.
"""

from __future__ import annotations

import os
import sys

from ..checks import WHOLE
from .errors import fail

# Characters the tables print (converged, not converged, no value).
TABLE_SYMBOLS = "✓✗—"


def check_environment() -> None:
    """Refuse, in one line with exit code 2, an environment variable beans' libraries cannot use."""
    threads = os.environ.get("NUMBA_NUM_THREADS")
    if threads is not None and (not WHOLE.fullmatch(threads.strip()) or int(threads) < 1):
        fail(f"NUMBA_NUM_THREADS must be a whole number >= 1, got {threads!r}; unset it to use every core")
    disable = os.environ.get("NUMBA_DISABLE_JIT", "").strip()
    if disable and not WHOLE.fullmatch(disable):  # numba would warn with a traceback, then compile anyway
        fail(f"NUMBA_DISABLE_JIT must be 0 or unset, got {disable!r}")
    if disable and int(disable) != 0:
        fail(f"NUMBA_DISABLE_JIT={disable} turns numba's compiler off, which beans' kernels need; unset it")
    backend = os.environ.get("MPLBACKEND")
    if backend:
        _check_backend(backend)
    _printable_stdout()


def _check_backend(name: str) -> None:
    """``MPLBACKEND`` as matplotlib validates it, without the ValueError its import would raise."""
    del os.environ["MPLBACKEND"]  # matplotlib validates it on import, and raises there
    try:
        import matplotlib
        from matplotlib.rcsetup import validate_backend

        try:
            validate_backend(name)
        except ValueError:
            fail(f"MPLBACKEND={name!r} is not a matplotlib backend; unset it, or use e.g. agg")
        matplotlib.rcParams["backend"] = name  # what the import would have set
    finally:
        os.environ["MPLBACKEND"] = name  # helper processes inherit it


def _printable_stdout() -> None:
    """Replace, rather than fail on, the tables' symbols where standard output cannot encode them."""
    stream = sys.stdout
    if stream is None or not hasattr(stream, "reconfigure"):
        return
    try:
        TABLE_SYMBOLS.encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        stream.reconfigure(errors="replace")
