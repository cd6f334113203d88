"""Give numba's ``cache=True`` somewhere to write, even with a read-only install and HOME.

numba caches beside the source (``__pycache__``) or in the user cache dir; when neither is
writable, decorating a ``cache=True`` function raises "no locator available" at import.
This module must run before any kernel module is imported: it tries both places the way
numba does and, failing both, points ``NUMBA_CACHE_DIR`` at a per-user temporary folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numba
from numba.misc.appdirs import AppDirs


def _writable_dir(path: Path) -> bool:
    """True when ``path`` exists or can be made, and a file can be created in it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def ensure_numba_cache_dir() -> str | None:
    """Choose a temporary cache dir when numba has nowhere to cache; returns it, or None."""
    if numba.config.CACHE_DIR:
        return None  # the user chose one with NUMBA_CACHE_DIR
    in_tree = Path(__file__).resolve().parent / "__pycache__"
    user_wide = Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)
    if _writable_dir(in_tree) or _writable_dir(user_wide):
        return None
    fallback = str(Path(tempfile.gettempdir()) / f"beans-numba-cache-{os.getuid()}")
    os.environ["NUMBA_CACHE_DIR"] = fallback  # for subprocesses
    numba.config.CACHE_DIR = fallback  # read by numba's locator when each kernel is decorated
    return fallback
