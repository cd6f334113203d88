"""``beans train --live``: the lesson's live window, redrawn from the running training.

The lesson redraws its curve every 100 epochs with ``plt.clf()``, ``plt.scatter``,
``plt.plot`` and ``plt.pause(0.01)``, training and drawing in turn. Here training runs in a
thread of its own and hands each snapshot to :class:`Latest`, a one-slot mailbox that keeps
only the newest; the main thread (which a GUI toolkit wants) draws whatever is newest and
runs the window's events in between. Drawing slower than training skips frames and never
queues them, so the window costs training no time.

With ``--seconds-per-frame`` the window then plays the run back: every recorded snapshot in
order, each for that long, so a class can follow the lesson's redraws one by one. (The
kernel trains far faster than anyone can watch, and the live view skips snapshots rather
than slow it down.)

Closing the window ends the live view only: training goes on and the run ends as it would
without ``--live`` (Ctrl-C is how to stop it). When training ends with the window still
open, the final curve stays up until the window is closed (or Ctrl-C), after the table is
printed and the files are written.

The window uses the first interactive matplotlib backend that loads here: ``MPLBACKEND`` if
it names one, then pyplot's own order of preference (Tk is the one a stock Python has).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np

# pyplot's own order when it picks a backend by itself (matplotlib.pyplot.switch_backend)
_INTERACTIVE_BACKENDS = ("macosx", "qtagg", "gtk4agg", "gtk3agg", "tkagg", "wxagg")
FRAME_SECONDS = 0.03  # the window's events run this long between two looks at the mailbox
FAINT_COLOUR = "tab:blue"
FAINT_ALPHA = 0.15
# Other seeds drawn faint at most (evenly spread over the rows): enough for the bundle's shape,
# and a frame of 100,000 seeds would otherwise compute and draw 100,000 curves.
MAX_FAINT = 200
WINDOW_TITLE = "beans train --live"


class NoWindow(Exception):
    """No window can be opened here; the message says why and what to do instead."""


def display_missing() -> str | None:
    """Why no window can be shown here without trying one, or None if one may be.

    On Linux and the BSDs a window needs an X or Wayland display; macOS and Windows always have one.
    """
    if sys.platform in ("darwin", "win32", "cygwin"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return "there is no display here (neither DISPLAY nor WAYLAND_DISPLAY is set)"


def interactive_pyplot():
    """pyplot switched to the first interactive backend that loads; NoWindow when none does."""
    why = display_missing()
    if why is not None:
        raise NoWindow(why)
    # figures first: it sets MPLCONFIGDIR and selects Agg, which must happen before pyplot
    # switches to a window (imported later, its Agg would close the window)
    from . import figures  # noqa: F401

    # isort: split
    import matplotlib.pyplot as plt

    wanted = os.environ.get("MPLBACKEND", "").lower()
    tried = []
    for name in ((wanted,) if wanted else ()) + _INTERACTIVE_BACKENDS:
        try:
            plt.switch_backend(name)
        except (ImportError, ValueError) as err:  # not installed, not for this platform, no display
            tried.append(f"{name} ({' '.join(str(err).split())[:80]})")
            continue
        return plt
    raise NoWindow("no interactive matplotlib backend loads here: " + "; ".join(tried[-2:]))


class Latest:
    """A one-slot mailbox between two threads: ``put`` replaces, ``take`` empties.

    What was put and never taken is dropped by the next ``put``: a reader that cannot keep up
    sees fewer items, never older ones. ``skipped`` counts the dropped ones.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item = None
        self.put_count = 0
        self.skipped = 0

    def put(self, item) -> None:
        with self._lock:
            if self._item is not None:
                self.skipped += 1
            self._item = item
            self.put_count += 1

    def take(self):
        """The newest item not yet taken, or None."""
        with self._lock:
            item, self._item = self._item, None
            return item


class LiveWindow:
    """The window: the beans, other seeds faint (up to ``MAX_FAINT``), one seed bold, epoch and MSE on top.

    Parameters
    ----------
    plt : matplotlib.pyplot, switched to an interactive backend (``interactive_pyplot()``)
    xs, ys : float64 (n,), the training beans
    seeds : the run's seed numbers, in row order
    row : the row to draw bold, or None for the best seed so far (lowest finite MSE)
    total_epochs : the run's epochs, for the title
    test_xs, test_ys : float64 (m,), held-out beans drawn hollow (m may be 0)
    shape : beans.Shape, the network the snapshots' parameters belong to
    seconds_per_frame : None, or how long each snapshot stays up when the run is played back
        (``replay``)
    lang : the language of its words (``cli.words.LANGUAGES``)
    """

    def __init__(
        self,
        plt,
        xs,
        ys,
        seeds,
        row,
        total_epochs,
        test_xs,
        test_ys,
        shape,
        seconds_per_frame: float | None = None,
        lang: str = "en",
    ) -> None:
        from matplotlib.collections import LineCollection

        from .figure_data import drawing_grid
        from .figures import use_language
        from .plots import draw_beans
        from .words import words

        use_language(lang)
        self.words = words(lang)

        self.plt = plt
        self.seeds = tuple(seeds)
        self.row = row
        self.total_epochs = total_epochs
        self.shape = shape
        self.mailbox = Latest()
        self.frames = 0
        self.seconds_per_frame = seconds_per_frame
        self.grid = drawing_grid(np.asarray(xs))
        lo, hi = self.grid[0], self.grid[-1]
        self.fig = plt.figure(num=WINDOW_TITLE, figsize=(8, 5))
        self.fig.clf()
        ax = self.fig.add_subplot()
        self.faint = LineCollection([], colors=FAINT_COLOUR, linewidths=1.0, alpha=FAINT_ALPHA)
        ax.add_collection(self.faint)
        (self.bold,) = ax.plot([], [], color="black", linewidth=2.5, zorder=4)  # over the beans, as in the lesson
        draw_beans(ax, xs, ys, test_xs, test_ys)
        ax.set_xlim(lo, hi)
        ax.set_ylim(-0.1, 1.1)
        ax.set_xlabel(self.words["bean_size"])
        ax.set_ylabel(self.words["toxicity"])
        self.title = ax.set_title(self.words["live_starting"].format(epochs=total_epochs), fontsize=10)
        self._closed = threading.Event()
        self.fig.canvas.mpl_connect("close_event", lambda _event: self._closed.set())
        self.fig.show()
        self.fig.canvas.flush_events()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def offer(self, epoch: int, params: np.ndarray, losses: np.ndarray) -> None:
        """Hand over a snapshot (any thread): epoch, params float64 (S, P), losses float64 (S,)."""
        if not self.closed:
            self.mailbox.put((epoch, params, losses))

    def draw(self, snapshot) -> None:
        """Redraw from one snapshot (main thread)."""
        from .figure_data import curves

        epoch, params, losses = snapshot
        finite = np.isfinite(losses)
        if self.row is not None:
            row = self.row
        elif finite.any():
            row = int(np.flatnonzero(finite)[np.argmin(losses[finite])])
        else:
            row = 0
        faint_rows = np.unique(np.linspace(0, len(params) - 1, min(len(params), MAX_FAINT)).astype(np.int64))
        faint_rows = faint_rows[faint_rows != row]
        ys = curves(params[np.r_[row, faint_rows]], self.grid, self.shape)  # (1 + F, GRID_POINTS); NaN: no curve
        self.faint.set_segments([np.column_stack([self.grid, y]) for y in ys[1:] if np.isfinite(y).all()])
        self.bold.set_data(self.grid, ys[0])
        which = self.words["live_seed" if self.row is not None else "live_best_seed"]
        self.title.set_text(
            self.words["live_title"].format(
                shape=self.shape,
                epoch=epoch,
                epochs=self.total_epochs,
                which=which,
                seed=self.seeds[row],
                mse=f"{losses[row]:.3e}",
            )
        )
        self.fig.canvas.draw_idle()
        self.frames += 1

    def step(self, seconds: float = FRAME_SECONDS) -> None:
        """Draw the newest snapshot if there is one, then run the window's events for ``seconds`` (> 0)."""
        if self.closed:
            return
        snapshot = self.mailbox.take()
        if snapshot is not None:
            self.draw(snapshot)
        # seconds must be > 0: start_event_loop(0) runs until the window closes
        self.fig.canvas.start_event_loop(max(seconds, 0.001))

    def replay(self, result, interrupted: threading.Event) -> None:
        """Show every snapshot ``result`` recorded, in order, each for ``seconds_per_frame`` (main thread).

        ``result``: a TrainResult with recorded parameters. Stops early when the window is closed;
        raises KeyboardInterrupt once ``interrupted`` is set (Ctrl-C, see ``ctrl_c_as_flag``).
        """
        for r, epoch in enumerate(result.snapshot_epochs):
            if self.closed:
                return
            self.draw((int(epoch), result.param_history[r], result.loss_history[:, r]))
            until = time.monotonic() + self.seconds_per_frame
            while not self.closed and (left := until - time.monotonic()) > 0:
                if interrupted.is_set():
                    raise KeyboardInterrupt
                self.step(min(left, FRAME_SECONDS))

    def wait_closed(self) -> None:
        """Keep the window up until it is closed; Ctrl-C closes it too."""
        with ctrl_c_as_flag() as interrupted:
            try:
                while not self.closed and not interrupted.is_set():
                    self.step(0.1)
            except KeyboardInterrupt:
                pass
        self.plt.close(self.fig)


@contextlib.contextmanager
def ctrl_c_as_flag() -> Iterator[threading.Event]:
    """Within the block, Ctrl-C sets the yielded flag instead of raising KeyboardInterrupt.

    In a GUI toolkit's event loop the KeyboardInterrupt is raised inside whichever callback
    is running, and Tk reports such exceptions and carries on: Ctrl-C would be lost. A flag
    set by the signal handler cannot be swallowed; the caller checks it between frames.
    Only the main thread can install signal handlers; elsewhere the flag never gets set.
    """
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: flag.set())
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


class Cancelled(KeyboardInterrupt):
    """Raised inside the training thread's callbacks once Ctrl-C reached the window's thread."""


def train_beside(window: LiveWindow, train: Callable[..., object], on_chunk: Callable[[int, int], None] | None):
    """Run ``train(on_chunk=..., on_snapshot=...)`` in a thread while this one keeps the window going.

    Returns what ``train`` returns and raises what it raised; a paced window (``seconds_per_frame``)
    plays the run back first. Ctrl-C here stops the training
    at its next snapshot (the callbacks raise there), waits for it, and raises KeyboardInterrupt,
    so the command cleans up as it does for Ctrl-C without --live.
    """
    from ..kernels.many import Worker

    stop = threading.Event()
    outcome: dict[str, object] = {}

    def chunk(done: int, total: int) -> None:
        if stop.is_set():
            raise Cancelled
        if on_chunk is not None:
            on_chunk(done, total)

    def snapshot(epoch: int, params: np.ndarray, losses: np.ndarray) -> None:
        if stop.is_set():
            raise Cancelled
        window.offer(epoch, params, losses)

    def work() -> None:
        try:
            outcome["result"] = train(on_chunk=chunk, on_snapshot=snapshot)
        except BaseException as err:  # handed to the window's thread below
            outcome["error"] = err

    # Tk objects may only be finalised on this thread: collected anywhere else (the cyclic
    # collector runs on whichever thread allocates), each waits a second for Tk's main loop
    # and fails. So while the other threads run, only this one collects.
    collecting = gc.isenabled()
    gc.disable()
    worker = Worker(work, "beans-train", daemon=True)  # waited for on an Event: see Worker
    collected = False
    try:
        with ctrl_c_as_flag() as interrupted:
            while not worker.wait(0):
                if interrupted.is_set():
                    raise KeyboardInterrupt
                if not window.closed:
                    window.step()
                    continue
                if not collected:
                    gc.collect()  # the closed window's Tk objects are garbage now: finalise them here
                    collected = True
                worker.wait(0.1)  # the view has ended; training goes on
            window.step()  # the last snapshot, drawn before the report is printed
            if window.seconds_per_frame is not None and "result" in outcome:
                window.replay(outcome["result"], interrupted)
    except KeyboardInterrupt:
        stop.set()
        worker.wait()
        raise
    finally:
        if collecting:
            gc.enable()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
