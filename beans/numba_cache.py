"""numba's ``cache=True`` for the kernels: a place to write, and never code compiled with old options.

numba caches beside the source (``__pycache__``) or in the user cache dir; when neither can be
written, decorating a ``cache=True`` function raises "no locator available" at import.
``beans.kernels`` calls :func:`ensure_numba_cache_dir` before its first kernel is decorated.
It only looks (no folder is made, no environment variable set) unless both places are
unusable; then it points numba at a private temporary folder (``beans.private_dir``: numba
unpickles the index files it finds there, so a folder someone else planted is never used).
Then it imports its kernels inside :func:`numba_cache_for_options`, which drops cached code
compiled with other numba options than today's.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
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


# numba keys a cached kernel on its own source file and bytecode, not on the options it was
# decorated with (numba#6845): with the options kept in kernels/_jit.py, an edited option
# would keep loading machine code compiled with the old one. So the options' fingerprint is
# kept beside numba's files, and a folder whose fingerprint differs loses its numba files.
OPTIONS_MARK = "beans-jit-options.sha256"


def options_fingerprint(options: dict[str, dict]) -> str:
    """A stable hash of named numba option sets (sets sorted, so it does not vary with hashing)."""

    def plain(value):
        return sorted(value) if isinstance(value, set | frozenset) else repr(value)

    text = json.dumps(options, sort_keys=True, default=plain)
    return hashlib.sha256(text.encode()).hexdigest()


def numba_cache_dirs(source_dir: Path) -> list[Path]:
    """Every folder numba may keep the cached kernels of ``source_dir``'s modules in, in its order.

    ``NUMBA_CACHE_DIR``'s (when set), ``__pycache__`` beside the source, the user-wide one; the
    paths come from numba's own locators, so they match wherever it writes.
    """
    import numba
    from numba.core import caching

    def probe():  # the locators want a function; only its file's folder decides the path
        pass

    classes = [caching.InTreeCacheLocator, caching.UserWideCacheLocator]
    if numba.config.CACHE_DIR:
        classes.insert(0, caching.UserProvidedCacheLocator)
    py_file = str(Path(source_dir).resolve() / "__init__.py")
    return [Path(cls(probe, py_file).get_cache_path()) for cls in classes]


def _mark(folder: Path, fingerprint: str) -> None:
    """Write ``fingerprint`` into ``folder``'s mark file, whole (a concurrent reader sees old or new)."""
    with contextlib.suppress(OSError):  # a folder we cannot write holds nothing numba wrote either
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{OPTIONS_MARK}.")
        with os.fdopen(fd, "w") as out:
            out.write(fingerprint)
        os.replace(tmp, folder / OPTIONS_MARK)


@contextlib.contextmanager
def numba_cache_for_options(source_dir: Path, options: dict[str, dict]) -> Iterator[list[Path]]:
    """Wrap the import of ``source_dir``'s ``cache=True`` kernels so that they follow ``options``.

    Before the block, every cache folder of ``source_dir`` (:func:`numba_cache_dirs`) whose mark
    is not ``options``' fingerprint loses its numba index and data files (``*.nbi``, ``*.nbc``)
    and gets the new mark; so numba compiles afresh instead of loading code made with other
    options. After the block, folders numba has just created get the mark too (they hold only
    what this process compiles). Yields the folders that were cleared.
    """
    fingerprint = options_fingerprint(options)
    cleared = []
    for folder in numba_cache_dirs(source_dir):
        if not folder.is_dir() or _read_mark(folder) == fingerprint:
            continue
        for stale in [*folder.glob("*.nbi"), *folder.glob("*.nbc")]:
            with contextlib.suppress(FileNotFoundError):  # another process cleared it first
                stale.unlink()
        _mark(folder, fingerprint)
        cleared.append(folder)
    yield cleared
    for folder in numba_cache_dirs(source_dir):
        if folder.is_dir() and _read_mark(folder) is None:
            _mark(folder, fingerprint)


def _read_mark(folder: Path) -> str | None:
    try:
        return (folder / OPTIONS_MARK).read_text().strip()
    except OSError:
        return None
