"""``save_training_gif``: the lesson's live plot, saved as an animated GIF.

The lesson redraws the fitted curve over the beans every 100 epochs while it trains; beans runs
headless, so it renders one frame per recorded snapshot instead. One ``Figure`` is drawn on an
Agg canvas and updated in place (only the curve and the title change between frames), and the
frames go to Pillow directly: that allows a per-frame duration, so the last frame is held
longer without repeating it (bench/test_animation.py times it).

Imports matplotlib (through ``cli.figures``) and numba (through ``kernels``): import this module
only inside commands that animate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..files import ensure_output_dir, write_atomic
from ..kernels.shape import Shape
from .figure_data import curves
from .figures import Figure, use_language  # first: sets MPLCONFIGDIR and the Agg backend
from .plots import COLOURS, draw_beans
from .words import words

# Frame size and timing, chosen to keep the README's GIF well under 500 KB.
FIGSIZE = (6.0, 4.0)  # inches
DPI = 80  # -> 480 x 320 pixels
FRAME_MS = 100
MIN_FRAME_SECONDS = 0.02  # GIF viewers show shorter frames for 0.1 s
LAST_FRAME_MS = 2500  # hold the trained curve so the eye can rest on it
MAX_FRAMES = 120  # more snapshots than this are thinned evenly (first and last always kept)
GRID_POINTS = 201  # sizes 0..2 in steps of 0.01
PALETTE_COLORS = 64  # one shared palette for every frame: no colour flicker, small file


def _check_inputs(xs, ys, snapshot_epochs, params, losses, test_xs, test_ys, shape):
    """Arrays as float64/int64 with matching shapes; raises ValueError saying what is wrong."""
    xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    if xs.ndim != 1 or xs.shape != ys.shape:
        raise ValueError(f"xs and ys must be 1-d arrays of one length, got {xs.shape} and {ys.shape}")
    snapshot_epochs = np.asarray(snapshot_epochs, dtype=np.int64)
    params = np.asarray(params, dtype=np.float64)
    losses = np.asarray(losses, dtype=np.float64)
    frames = snapshot_epochs.shape[0] if snapshot_epochs.ndim == 1 else -1
    p = shape.n_params
    if frames < 1 or params.shape != (frames, p) or losses.shape != (frames,):
        raise ValueError(
            f"snapshot_epochs (R,), params (R, {p}) for a {shape} and losses (R,) must agree with R >= 1, "
            f"got {snapshot_epochs.shape}, {params.shape}, {losses.shape}"
        )
    if (test_xs is None) != (test_ys is None):
        raise ValueError("give both test_xs and test_ys, or neither")
    if test_xs is not None:
        test_xs, test_ys = np.asarray(test_xs, dtype=np.float64), np.asarray(test_ys, dtype=np.float64)
        if test_xs.ndim != 1 or test_xs.shape != test_ys.shape:
            raise ValueError(f"test_xs and test_ys must be 1-d arrays of one length, got {test_xs.shape}")
    return xs, ys, snapshot_epochs, params, losses, test_xs, test_ys


def frame_indices(count: int, cap: int = MAX_FRAMES) -> np.ndarray:
    """Which of ``count`` snapshots become frames: all of them, or ``cap`` spread evenly. int64."""
    if count <= cap:
        return np.arange(count)
    return np.unique(np.round(np.linspace(0, count - 1, cap)).astype(np.int64))


def _frame_title(title: str, epoch: int, loss: float, lang: str = "en") -> str:
    head = f"{title}\n" if title else ""
    return head + words(lang)["frame_title"].format(epoch=f"{epoch:,}", mse=f"{loss:.4f}")


def render_frames(
    xs,
    ys,
    snapshot_epochs,
    params,
    losses,
    *,
    title="",
    test_xs=None,
    test_ys=None,
    shape: Shape = Shape(),
    lang: str = "en",
) -> list:
    """One RGB ``PIL.Image`` per snapshot (thinned to ``MAX_FRAMES``), all of one size, in ``lang``'s words."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # after cli.figures' set-up
    from PIL import Image

    xs, ys, snapshot_epochs, params, losses, test_xs, test_ys = _check_inputs(
        xs, ys, snapshot_epochs, params, losses, test_xs, test_ys, shape
    )
    use_language(lang)
    w = words(lang)
    keep = frame_indices(snapshot_epochs.size)
    grid = np.linspace(0.0, 2.0, GRID_POINTS)
    lines = curves(params[keep], grid, shape)  # NaN rows (a diverged snapshot) draw no curve

    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    draw_beans(
        ax, xs, ys, test_xs, test_ys, sizes=(14, 18), zorder=2, labels=(w["training_beans"], w["held_out_beans"])
    )
    (line,) = ax.plot(grid, lines[0], color=COLOURS["best"], linewidth=2, label=w["network"], zorder=3)
    # fixed axes, so nothing jumps from frame to frame
    ax.set_xlim(0.0, 2.0)
    ax.set_ylim(-0.1, 1.1)
    ax.set_xlabel(w["bean_size"])
    ax.set_ylabel(w["toxicity"])
    ax.legend(loc="upper right", fontsize=8)
    heading = ax.set_title(_frame_title(title, 0, 0.0, lang), fontsize=10)

    heading.set_text(_frame_title(title, int(snapshot_epochs[-1]), float(losses[-1]), lang))
    canvas.draw()  # lay out once, with the widest title, then freeze it: a steady frame, and faster
    fig.set_layout_engine("none")

    frames = []
    for k, r in enumerate(keep):
        line.set_ydata(lines[k])
        heading.set_text(_frame_title(title, int(snapshot_epochs[r]), float(losses[r]), lang))
        canvas.draw()
        frames.append(Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3].copy()))
    return frames


def frame_durations(count: int, frame_ms: int = FRAME_MS) -> list[int]:
    """Each of ``count`` frames' duration in ms: ``frame_ms``, the last held at least ``LAST_FRAME_MS``."""
    return [frame_ms] * (count - 1) + [max(LAST_FRAME_MS, frame_ms)]


def _write_gif(path: Path, frames: list, frame_ms: int = FRAME_MS) -> None:
    """Save RGB frames as a looping GIF with one shared palette; the last frame is held."""
    from PIL import Image

    palette = frames[-1].quantize(colors=PALETTE_COLORS, method=Image.Quantize.MAXCOVERAGE)
    indexed = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in frames]
    durations = frame_durations(len(indexed), frame_ms)
    indexed[0].save(path, format="GIF", save_all=True, append_images=indexed[1:], duration=durations, loop=0)


def save_training_gif(
    path,
    xs,
    ys,
    snapshot_epochs,
    params,
    losses,
    *,
    title: str = "",
    test_xs=None,
    test_ys=None,
    shape: Shape = Shape(),
    seconds_per_frame: float | None = None,
    lang: str = "en",
) -> Path:
    """Save an animated GIF of one seed's training: the beans and the fitted curve per snapshot.

    Parameters
    ----------
    path : str or Path, where the GIF goes (written whole or not at all; folders are created)
    xs, ys : float64, shape (n,), the training beans
    snapshot_epochs : int, shape (R,), the epoch of each snapshot
    params : float64, shape (R, P), the seed's parameters at each snapshot, in ``shape.param_names``
        order (P = ``shape.n_params``)
    losses : float64, shape (R,), its MSE at each snapshot
    title : shown above the epoch and MSE in every frame
    test_xs, test_ys : float64, shape (m,), held-out beans drawn as hollow points; optional
    shape : Shape, the network; the lesson's 1-2-1 by default
    seconds_per_frame : how long each frame shows, >= 0.02 (GIF viewers show shorter frames
        for 0.1 s), rounded to hundredths (a GIF's unit); None: ``FRAME_MS``. A class can
        follow a slower GIF.
    lang : the language of the frames' words (``cli.words.LANGUAGES``)

    Returns
    -------
    Path : ``path``. One frame per snapshot (at most ``MAX_FRAMES``, thinned evenly), each
    ``FIGSIZE * DPI`` pixels; the last is shown for ``LAST_FRAME_MS``, or longer if every frame is.
    """
    if seconds_per_frame is not None and not seconds_per_frame >= MIN_FRAME_SECONDS:
        raise ValueError(f"seconds_per_frame must be at least {MIN_FRAME_SECONDS}, got {seconds_per_frame}")
    frame_ms = FRAME_MS if seconds_per_frame is None else round(seconds_per_frame * 100) * 10
    frames = render_frames(
        xs, ys, snapshot_epochs, params, losses, title=title, test_xs=test_xs, test_ys=test_ys, shape=shape, lang=lang
    )
    path = Path(path)
    ensure_output_dir(path.parent)
    return write_atomic(path, lambda tmp: _write_gif(tmp, frames, frame_ms))
