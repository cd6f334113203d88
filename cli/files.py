"""Writing output files whole or not at all, and checking every output before any work starts.

Every file beans writes goes to a temporary file in the target's own directory first and is
renamed over the target only once complete, so an interrupted or failed run never leaves a
half-written plot or JSON behind (a rename within one directory is atomic on POSIX).
``prepare_outputs`` creates and checks every output folder up front and can remove the ones it
made, so a command that fails leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# The figure formats beans writes; matplotlib picks its writer from these names.
PLOT_FORMATS = ("png", "svg", "pdf")
PLOT_SUFFIXES = tuple(f".{fmt}" for fmt in PLOT_FORMATS)


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


def plot_format(path: Path, option: str) -> str:
    """The figure format named by ``path``'s suffix; ValueError naming ``option`` if beans cannot write it."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in PLOT_FORMATS:
        raise ValueError(
            f"{option} must end in {', '.join(PLOT_SUFFIXES[:-1])} or {PLOT_SUFFIXES[-1]}, got {str(path)!r}"
        )
    return fmt


@dataclass
class PreparedOutputs:
    """The folders ``prepare_outputs`` created, deepest first; ``cleanup`` removes them again if empty."""

    created: list[Path] = field(default_factory=list)

    def cleanup(self) -> None:
        """Undo the folders this command created, as long as nothing was written into them."""
        for directory in self.created:  # deepest first, so a parent is empty once its child is gone
            if not directory.is_dir():
                continue  # never made: its mkdir is what failed
            try:
                directory.rmdir()  # refuses a folder that is not empty, so written files stay
            except OSError:
                continue  # something was written there: it stays, and so do its parents


def _new_dirs(path: Path) -> list[Path]:
    """The directories ``mkdir(parents=True)`` would create for ``path``, deepest first."""
    missing = []
    for candidate in (path, *path.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    return missing


def prepare_outputs(targets: Iterable[tuple[str, Path | None, bool]]) -> PreparedOutputs:
    """Make sure every output can be written before any work starts.

    Parameters
    ----------
    targets : (option, path, is_directory) per output; a None path is skipped. A file's folder
        is created and checked like a directory output's.

    Returns
    -------
    PreparedOutputs : the folders created, for ``cleanup`` when the command fails later.

    Raises OutputError, its message starting with the option, after removing what it created.
    """
    prepared = PreparedOutputs()
    for option, path, is_directory in targets:
        if path is None:
            continue
        path = Path(path)
        if not is_directory and path.is_dir():
            prepared.cleanup()
            raise OutputError(f"{option}: {path} is a directory")
        directory = path if is_directory else path.parent
        new = _new_dirs(directory)
        try:
            ensure_output_dir(directory)
        except OutputError as err:
            PreparedOutputs(new + prepared.created).cleanup()
            raise OutputError(f"{option}: {err}") from err
        prepared.created = new + prepared.created
    return prepared
