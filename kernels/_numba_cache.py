"""Give numba's ``cache=True`` somewhere to write, even with a read-only install and HOME.

numba caches beside the source (``__pycache__``) or in the user cache dir; when neither is
writable, decorating a ``cache=True`` function raises "no locator available" at import.
This module must run before any kernel module is imported: it tries both places the way
numba does and, failing both, points ``NUMBA_CACHE_DIR`` at a private per-user temporary
folder. Private matters: numba unpickles the index files it finds there, so a folder someone
else made (or links to) at the predictable ``/tmp/beans-numba-cache-<uid>`` is never used;
a fresh ``mkdtemp`` folder is taken instead (no cache carried over between runs, but safe).
This is the same check as ``cli/private_dir.py``, kept here because kernels/ never imports cli/.
"""

from __future__ import annotations

import os
import stat
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


def _is_private(path: Path) -> bool:
    """True when ``path`` is a real directory (no symlink) owned by this user, writable by no one else."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022


def _private_temp_dir(name: str) -> str:
    """``<tmp>/<name>`` made with mode 0o700 if it is private and writable, else a fresh mkdtemp."""
    path = Path(tempfile.gettempdir()) / name
    try:
        path.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        pass  # judged below
    if _is_private(path) and _writable_dir(path):
        return str(path)
    return tempfile.mkdtemp(prefix="beans-numba-cache-")


def ensure_numba_cache_dir() -> str | None:
    """Choose a temporary cache dir when numba has nowhere to cache; returns it, or None."""
    if numba.config.CACHE_DIR:
        return None  # the user chose one with NUMBA_CACHE_DIR
    in_tree = Path(__file__).resolve().parent / "__pycache__"
    user_wide = Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)
    if _writable_dir(in_tree) or _writable_dir(user_wide):
        return None
    fallback = _private_temp_dir(f"beans-numba-cache-{os.getuid()}")
    os.environ["NUMBA_CACHE_DIR"] = fallback  # for subprocesses
    numba.config.CACHE_DIR = fallback  # read by numba's locator when each kernel is decorated
    return fallback
