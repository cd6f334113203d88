"""A helper process that loads matplotlib while ``beans train`` trains, then draws the figures.

Warm ``beans train --seeds 50`` used to spend longer on matplotlib (importing it, then
drawing three figures one after another) than on numba and training together, all on one
core while the other idled. ``FigureProcess.start`` launches a Python that runs this
module's ``main`` as soon as the options are checked: it imports matplotlib and draws a
throw-away figure (fonts, text layout, the log axis' mathtext) while this process imports
numba and trains. ``send`` hands it the run's ``FigureData``; it draws the figures and
``receive`` returns the encoded files' bytes. bench/test_main_job.py's test_figure_helper
measures it against drawing in-process.

The helper writes no file and reads nothing but its job: this process puts the bytes in
place with its usual staged, all-or-nothing writes, so a helper that is killed, or whose
caller is, leaves nothing behind. Whatever goes wrong with it (it could not start, died,
failed to draw), ``receive`` returns None and the caller draws in-process as it always did:
the helper can make a run faster, never different.

Protocol: one pickle each way. stdin: a ``FigureData``; stdout: ``("ok", {name: bytes})``
or ``("error", message)``.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .child import python_running

if TYPE_CHECKING:
    from .figure_data import FigureData

# Beyond this many seeds the run's curves (seeds x 400 doubles) are too big to copy to a second
# process for nothing: drawing them dominates there, and the command draws in-process.
MAX_SEEDS = 10_000
# numpy's BLAS would start threads at import, which the helper has no use for.
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

_draw_here = False  # set by drawn_here()


@contextlib.contextmanager
def drawn_here() -> Iterator[None]:
    """Inside the block no helper starts: commands draw their figures in this process.

    For whoever must see the figures as they are drawn (``beans.docs`` records what each
    picture shows; tests put faults into the drawing).
    """
    global _draw_here
    before, _draw_here = _draw_here, True
    try:
        yield
    finally:
        _draw_here = before


class FigureProcess:
    """The parent's handle on one helper: ``start``, then ``send`` once, ``receive`` once; ``close`` always."""

    def __init__(self, process: subprocess.Popen) -> None:
        self._process = process
        self._sender: threading.Thread | None = None

    @classmethod
    def start(cls, fmt: str, seeds: int) -> FigureProcess | None:
        """A helper that will draw ``fmt`` files, or None where one cannot start or would not help."""
        if _draw_here or seeds > MAX_SEEDS or not sys.executable:  # no executable: an embedded Python
            return None
        try:
            process = subprocess.Popen(
                python_running(__name__, "main", fmt),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # its failures reach us as a reply, or as no reply
                env={**os.environ, **SINGLE_THREADED},
                # its own process group: a Ctrl-C at the terminal reaches only beans train, which closes it
                start_new_session=os.name == "posix",
            )
        except (OSError, ValueError):  # no such program, no processes left, ...
            return None
        return cls(process)

    def send(self, data: FigureData) -> None:
        """Hand the run to the helper and return at once; a thread feeds the pipe."""
        payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)

        def feed() -> None:
            try:
                self._process.stdin.write(payload)
                self._process.stdin.close()
            except (OSError, ValueError):  # it died, or was closed: receive() finds no reply
                pass

        self._sender = threading.Thread(target=feed, name="beans-figures", daemon=True)
        self._sender.start()

    def receive(self) -> dict[str, bytes] | None:
        """The encoded figures by name (``fit``, ``loss``, ``neurons``), or None if the helper failed."""
        try:
            if self._sender is None:
                return None
            self._sender.join()
            status, value = pickle.loads(self._process.stdout.read())
        except Exception:  # no reply or half of one: the helper died
            return None
        finally:
            self.close()
        return value if status == "ok" else None

    def close(self) -> None:
        """End the helper if it still runs, and reap it. Safe to call twice."""
        process = self._process
        process.kill()  # nothing to do for one that has ended
        process.wait()
        if self._sender is not None:  # its write fails at once now that the helper has gone
            self._sender.join()
        for pipe in (process.stdin, process.stdout):
            try:
                pipe.close()
            except OSError:  # stdin's last bytes had nowhere to go
                pass


def draw_all(data: FigureData, fmt: str) -> tuple:
    """``("ok", {name: bytes})`` of every figure ``data`` makes, encoded as ``fmt``, or ``("error", message)``."""
    from .plots import figures_of, render

    drawn = {}
    for name, figure in figures_of(data).items():
        buffer = io.BytesIO()
        try:
            render(figure(data), buffer, fmt)
        except Exception as err:  # any failure: the parent draws in-process and reports it there
            return ("error", f"{name}: {type(err).__name__}: {err}")
        drawn[name] = buffer.getvalue()
    return ("ok", drawn)


def _warm_up(fmt: str) -> None:
    """Draw a small figure like the real ones, so fonts, text layout and mathtext are loaded."""
    from .figures import Figure

    fig = Figure(figsize=(2, 2))
    ax = fig.add_subplot()
    ax.set_yscale("log")
    ax.plot([1, 2], [0.01, 1], label="warm")
    ax.set_title("warm", fontsize=10)
    ax.legend(fontsize=8)
    fig.savefig(io.BytesIO(), format=fmt, dpi=20)


def main() -> None:
    """The helper: load matplotlib, warm up, read one job, reply, exit."""
    reply_to = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing a library prints may mix into the reply
    fmt = sys.argv[1]
    from . import neurons, plots  # noqa: F401  matplotlib, while the parent trains

    _warm_up(fmt)
    try:
        data = pickle.load(sys.stdin.buffer)
    except EOFError:  # the parent had nothing to draw after all (interrupted, no plots)
        os._exit(0)
    reply = draw_all(data, fmt)
    pickle.dump(reply, reply_to, protocol=pickle.HIGHEST_PROTOCOL)
    reply_to.flush()
    os._exit(0)  # skip tearing matplotlib down: nobody waits on anything but the reply
