"""Writing output files whole or not at all.

Every file beans writes goes to a temporary file in the target's own directory first and is
renamed over the target only once complete, so an interrupted or failed run never leaves a
half-written plot or JSON behind (a rename within one directory is atomic on POSIX).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


class OutputError(Exception):
    """An output path that cannot be created or written; the message names it."""


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it to ``target``.

    The temporary file keeps ``target``'s suffix, so writers that pick a format from the
    file name (matplotlib, Pillow) still see the right one. On any error it is removed.
    """
    target = Path(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=f".part{target.suffix}")
    except OSError as err:
        raise OutputError(f"cannot write {target}: {err.strerror or err}") from err
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_atomic(target: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` and move the result to ``target``; returns ``target``."""
    try:
        with atomic_path(target) as tmp:
            write(tmp)
    except OSError as err:
        raise OutputError(f"cannot write {target}: {err.strerror or err}") from err
    return Path(target)


def write_text_atomic(target: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` whole or not at all."""
    return write_atomic(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def ensure_output_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and check a file can be made in it."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError as err:
        raise OutputError(f"cannot write to {path}: {err.strerror or err}") from err
    return path
