"""matplotlib set-up for a headless, file-only tool.

Import this module only inside commands that plot: it imports matplotlib, which is slow to load.
Figures are ``matplotlib.figure.Figure`` objects, never pyplot's, so there is no global
figure registry to leak and no GUI backend is ever chosen.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..kernels.private_dir import private_dir


def _ensure_mpl_config_dir() -> None:
    """Point MPLCONFIGDIR at a private temporary folder when matplotlib's own is not writable.

    Without this matplotlib warns and makes a throw-away dir on every run.
    """
    if os.environ.get("MPLCONFIGDIR"):
        return
    default = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "matplotlib"
    try:
        default.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=default).close()
    except OSError:
        # matplotlib reads its font cache from here: only a folder no one else controls will do
        shared = Path(tempfile.gettempdir()) / f"beans-mplconfig-{os.getuid()}"
        os.environ["MPLCONFIGDIR"] = str(private_dir(shared, prefix="beans-mplconfig-"))


_ensure_mpl_config_dir()

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # never a GUI backend, even if one is configured

from matplotlib.figure import Figure  # noqa: E402

__all__ = ["Figure", "use_language"]


def use_language(lang: str) -> None:
    """Make matplotlib able to draw ``lang``'s words (``cli.words``); for English there is nothing to do.

    For Chinese the CJK font is registered and put after matplotlib's own DejaVu Sans, as
    a fallback for the glyphs DejaVu lacks: Latin letters, digits and the mathtext of the log
    axes stay as in English figures, and no character is drawn as a box. Once set it stays
    set for the process; English figures drawn afterwards look the same, as DejaVu has all of
    their glyphs. ImportError when the font package is not installed.
    """
    from .words import FONT_FAMILY, NEEDS_FONT, font_path

    if lang not in NEEDS_FONT:
        return
    from matplotlib import font_manager

    if FONT_FAMILY not in {entry.name for entry in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(font_path()))
    # named, not "sans-serif": matplotlib falls back along font.family's entries, and a generic
    # family counts as one entry (its first installed font)
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", FONT_FAMILY]
