"""Writing output files whole or not at all, and checking every output before any work starts.

Every file beans writes goes to a temporary file in the target's own directory first and is
renamed over the target only once complete, so an interrupted or failed run never leaves a
half-written plot or JSON behind (a rename within one directory is atomic on POSIX).
``StagedFiles`` extends that to a command's whole set of files: all are written under temporary
names and renamed together at the end, so a command leaves all of its files or none of them.
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


class WrongKindError(OutputError):
    """An output path that names a directory where a file is wanted, or the reverse: a usage error."""


def _reason(err: OSError) -> str:
    """The operating system's own words for ``err`` (its errno), not a guess at the cause."""
    return err.strerror or str(err)


def output_file(value: str | Path) -> Path:
    """An output file's path as given; ValueError if it ends in a path separator.

    ``Path("dir/")`` drops the slash and would name a file ``dir``, so this must see the text
    the user typed: use it as the option's Typer ``parser``. Whether the path is an existing
    directory is checked by ``prepare_outputs``, with the rest of the file system.
    """
    text = str(value)
    if text.endswith(tuple(sep for sep in (os.sep, os.altsep) if sep)):
        raise ValueError(f"{text} ends in {text[-1]!r}, so it names a folder; give a file name")
    return Path(text)


def _temp_beside(target: Path) -> Path:
    """A new empty file beside ``target``, keeping its suffix (writers pick formats from it)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=f".part{target.suffix}")
    except OSError as err:
        raise OutputError(f"cannot write {target}: {_reason(err)}") from err
    os.close(fd)
    return Path(tmp)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it to ``target``.

    The temporary file keeps ``target``'s suffix, so writers that pick a format from the
    file name (matplotlib, Pillow) still see the right one. On any error it is removed.
    """
    target = Path(target)
    tmp_path = _temp_beside(target)
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
        raise OutputError(f"cannot write {target}: {_reason(err)}") from err
    return Path(target)


def write_text_atomic(target: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` whole or not at all."""
    return write_atomic(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def ensure_output_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and check a file can be made in it.

    Raises OutputError naming the step that failed (making a folder, or making a file in it)
    with the system's reason.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path} is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create folder {err.filename or path}: {_reason(err)}") from err
    try:  # the very call the writers make, so its errno is the one they would meet
        _temp_beside(path / "probe").unlink()
    except OutputError as err:
        reason = _reason(err.__cause__) if isinstance(err.__cause__, OSError) else str(err)
        if isinstance(err.__cause__, FileNotFoundError):  # e.g. /proc: there, but takes no new files
            reason += " (the folder exists but takes no new files)"
        raise OutputError(f"cannot create a file in {path}: {reason}") from err
    return path


class StagedFiles:
    """A command's output files, written so that all of them appear or none of them do.

    ``write`` puts each file under a temporary name beside its target; leaving the ``with``
    block renames them all into place, or, on any exception (Ctrl-C included), removes the
    temporary files and any target already renamed. A previous run's files survive a failed
    one untouched, unless the failure lands inside the final renames.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []  # (temporary file, target), in write order
        self.written: list[Path] = []  # targets renamed into place

    def write(self, target: Path, write: Callable[[Path], object]) -> Path:
        """Call ``write(tmp_path)`` now; ``target`` appears when the block ends. Returns ``target``."""
        target = Path(target)
        tmp = _temp_beside(target)
        self._pending.append((tmp, target))
        try:
            write(tmp)
        except OSError as err:
            raise OutputError(f"cannot write {target}: {_reason(err)}") from err
        return target

    def commit(self) -> list[Path]:
        """Rename every staged file into place; returns the targets in write order."""
        while self._pending:
            tmp, target = self._pending[0]
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are ordinary files
            self.written.append(target)  # before the rename: an interrupt right after it still undoes it
            os.replace(tmp, target)
            self._pending.pop(0)
        return self.written

    def discard(self) -> None:
        """Remove the staged temporary files and every target already renamed into place."""
        for path in [tmp for tmp, _ in self._pending] + self.written:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        self._pending.clear()
        self.written.clear()

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                self.commit()
            except BaseException:
                self.discard()
                raise
        else:
            self.discard()


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

    Raises WrongKindError (a file output that is an existing directory, a directory output that
    is an existing file) or OutputError (cannot be created or written), its message starting
    with the option, after removing what it created.
    """
    prepared = PreparedOutputs()
    for option, path, is_directory in targets:
        if path is None:
            continue
        path = Path(path)
        if not is_directory and path.is_dir():
            prepared.cleanup()
            raise WrongKindError(f"{option}: {path} is a directory; give a file name")
        if is_directory and path.exists() and not path.is_dir():
            prepared.cleanup()
            raise WrongKindError(f"{option}: {path} is not a directory")
        directory = path if is_directory else path.parent
        new = _new_dirs(directory)
        try:
            ensure_output_dir(directory)
        except OutputError as err:
            PreparedOutputs(new + prepared.created).cleanup()
            raise type(err)(f"{option}: {err}") from err
        prepared.created = new + prepared.created
    return prepared
