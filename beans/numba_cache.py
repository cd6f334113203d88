"""Give numba's ``cache=True`` somewhere to write, even with a read-only install and HOME.

numba caches beside the source (``__pycache__``) or in the user cache dir; when neither can be
written, decorating a ``cache=True`` function raises "no locator available" at import.
``beans.kernels`` calls :func:`ensure_numba_cache_dir` before its first kernel is decorated.
It only looks (no folder is made, no environment variable set) unless both places are
unusable; then it points numba at a private temporary folder (``beans.private_dir``: numba
unpickles the index files it finds there, so a folder someone else planted is never used).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .private_dir import private_dir


def could_hold_files(path: Path) -> bool:
    """True when ``path`` is a writable folder, or could be made in its nearest existing parent."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate.is_dir() and os.access(candidate, os.W_OK | os.X_OK)
    return False


def ensure_numba_cache_dir(source_dir: Path) -> str | None:
    """Choose a temporary cache dir when numba has nowhere to cache kernels defined in ``source_dir``.

    Returns the folder chosen, or None when numba's own choice works (the user's
    ``NUMBA_CACHE_DIR`` included, when it can hold files).
    """
    import numba
    from numba.misc.appdirs import AppDirs

    chosen = numba.config.CACHE_DIR  # the user's NUMBA_CACHE_DIR, tried first by numba
    in_tree = Path(source_dir) / "__pycache__"
    user_wide = Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)
    if (chosen and could_hold_files(Path(chosen))) or could_hold_files(in_tree) or could_hold_files(user_wide):
        return None
    # Nowhere numba would look can hold files (an unusable NUMBA_CACHE_DIR falls through too):
    fallback = str(
        private_dir(Path(tempfile.gettempdir()) / f"beans-numba-cache-{os.getuid()}", prefix="beans-numba-cache-")
    )
    numba.config.CACHE_DIR = fallback  # read by numba's locator when each kernel is decorated
    return fallback
