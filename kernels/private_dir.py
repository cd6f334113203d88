"""Per-user folders at predictable paths (``/tmp/beans-...-<uid>``) that are safe to trust.

Anyone can create ``/tmp/beans-c-1000`` before user 1000 does, as a symlink or an open
folder, and wait for beans to run a binary or read a cache from it. So a folder is used
only when it is a real directory (not a symlink), owned by this user and writable by no one
else; otherwise beans takes a fresh ``tempfile.mkdtemp`` folder, which nobody can predict.
Used for numba's fallback cache, the generated kernels, the C reference's build and
matplotlib's config folder.
"""

from __future__ import annotations

import atexit
import os
import shutil
import stat
import tempfile
from pathlib import Path


def is_private(path: Path) -> bool:
    """True when ``path`` is a real directory owned by this user that no one else can write."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022


def make_private(path: Path) -> bool:
    """Create ``path`` (mode 0o700; parents as usual) if missing; True if it is private and writable."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return False
    if not is_private(path):
        return False
    try:
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def private_dir(path: Path, prefix: str) -> Path:
    """``path`` if :func:`make_private` accepts it, else a fresh ``tempfile.mkdtemp(prefix=prefix)``.

    Raises OSError only when the fresh temporary folder cannot be made either. A fresh folder
    can never be found again by a later run, so it is removed when this process exits.
    """
    path = Path(path)
    if make_private(path):
        return path
    fresh = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, fresh, ignore_errors=True)
    return fresh
