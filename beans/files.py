"""Writing output files whole or not at all, and checking every output before any work starts.

Every regular file beans writes goes to a temporary file in the target's own directory first
and is renamed over the target only once complete, so an interrupted or failed run never leaves
a half-written plot or JSON behind (a rename within one directory is atomic on POSIX).
``StagedFiles`` extends that to a command's whole set of files: all are written under temporary
names and renamed together at the end, so a command leaves all of its files or none of them.
An old file is kept under a hidden name until every replacement is in place, so a failure in
the final renames puts the previous set back. What is not a regular file is never replaced:
a device, a FIFO or one of this process's own streams (``/dev/stdout``) is written into, and a
symlink is followed to the file it names (the link stays a link).
``prepare_outputs`` creates and checks every output folder up front and can remove the ones it
made, so a command that fails leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# The figure formats beans writes; matplotlib picks its writer from these names.
PLOT_FORMATS = ("png", "svg", "pdf")
PLOT_SUFFIXES = tuple(f".{fmt}" for fmt in PLOT_FORMATS)
# The signals a command cleans up after (cli.signals turns TERM and HUP into KeyboardInterrupt);
# the final renames hold them back until the whole set is in place or put back.
HELD_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
# A temporary name keeps its target's suffix (a format hint for writers) only when it is this short.
MAX_KEPT_SUFFIX = 16


class OutputError(Exception):
    """An output path that cannot be created or written; the message names it."""


class WrongKindError(OutputError):
    """An output path that cannot be meant as given (a folder where a file is wanted, the
    reverse, a name the file system cannot hold, two outputs on one path): a usage error."""


def _reason(err: OSError) -> str:
    """The operating system's own words for ``err`` (its errno), not a guess at the cause."""
    return err.strerror or str(err)


def output_file(value: str | Path) -> Path:
    """An output file's path as given; ValueError if it is empty or ends in a path separator.

    ``Path("dir/")`` drops the slash and would name a file ``dir``, and ``Path("")`` is the
    current folder, so this must see the text the user typed: use it as the option's Typer
    ``parser``. Whether the path is an existing directory is checked by ``prepare_outputs``.
    """
    text = str(value)
    if not text.strip():
        raise ValueError("the file name is empty")
    if text.endswith(tuple(sep for sep in (os.sep, os.altsep) if sep)):
        raise ValueError(f"{text} ends in {text[-1]!r}, so it names a folder; give a file name")
    return Path(text)


def output_dir(value: str | Path) -> Path:
    """An output folder's path as given; ValueError if it is empty (``Path("")`` is ``.``)."""
    if not str(value).strip():
        raise ValueError("the folder name is empty; give a folder, or . for the current one")
    return Path(value)


def _name_max(directory: Path) -> int:
    """The longest file name, in bytes, that ``directory``'s file system takes (255 if unknown)."""
    for candidate in (directory, *directory.parents):
        with contextlib.suppress(OSError, ValueError):
            return os.pathconf(candidate, "PC_NAME_MAX")
    return 255


def check_name_length(path: Path) -> None:
    """WrongKindError if a part of ``path`` is longer than its file system's names may be."""
    absolute = Path(os.path.abspath(path))
    limit = _name_max(absolute.parent)
    for part in absolute.parts:
        size = len(os.fsencode(part))
        if size > limit:
            raise WrongKindError(f"the name {part[:24]}... is {size} bytes long; file names hold at most {limit}")
    size, path_max = len(os.fsencode(str(absolute))), 4096
    with contextlib.suppress(OSError, ValueError, AttributeError):
        path_max = os.pathconf("/", "PC_PATH_MAX")
    if size >= path_max:
        raise WrongKindError(f"{str(path)[:40]}... is a {size}-byte path, longer than the system takes")


# --- what a path names ------------------------------------------------------------------------

_OWN_FD = re.compile(r"/dev/(?:fd/(?P<fd>\d+)|(?P<std>stdout|stderr))|/proc/(?:self|(?P<pid>\d+))/fd/(?P<pfd>\d+)")


def _own_fd(path: Path) -> int | None:
    """The descriptor ``path`` names when it is one of this process's own open ones (``/dev/stdout``)."""
    match = _OWN_FD.fullmatch(os.path.abspath(path))
    if match is None or (match["pid"] and int(match["pid"]) != os.getpid()):
        return None
    fd = {"stdout": 1, "stderr": 2}[match["std"]] if match["std"] else int(match["fd"] or match["pfd"])
    try:
        os.fstat(fd)
    except OSError:
        return None  # not open here: let the file system answer for the path
    return fd


@dataclass(frozen=True)
class Target:
    """Where an output's bytes land.

    ``real`` is the path with symlinks followed (a link's target is replaced, never the link);
    ``stream`` is True for an existing file that is not regular (a device, a FIFO, a socket) or
    one of this process's own descriptors (``fd``): those are written into, never replaced.
    """

    path: Path
    real: Path
    stream: bool = False
    fd: int | None = None


def resolve(path: Path) -> Target:
    """What writing to ``path`` means. WrongKindError for a directory, OutputError if it cannot be looked at."""
    path = Path(path)
    fd = _own_fd(path)
    if fd is not None:
        return Target(path, path, stream=True, fd=fd)
    try:
        info = os.stat(path)  # follows symlinks: the kind of what would be written
    except (FileNotFoundError, NotADirectoryError):
        info = None  # new, or a dangling link (the file it names is created); a bad folder is reported with it
    except OSError as err:
        raise OutputError(f"cannot write {path}: {_reason(err)}") from err
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise WrongKindError(f"{path} is a directory; give a file name")
    if info is not None and not stat.S_ISREG(info.st_mode):
        return Target(path, path, stream=True)
    return Target(path, Path(os.path.realpath(path)))


# --- temporary names --------------------------------------------------------------------------


def _hidden_name(target: Path, tag: str) -> str:
    """``.<name>.<random>.<tag><suffix>``, the name shortened to fit the file system's limit."""
    suffix = target.suffix if len(target.suffix) <= MAX_KEPT_SUFFIX else ""
    tail = f".{secrets.token_hex(4)}.{tag}{suffix}"
    room = _name_max(target.parent) - len(os.fsencode(tail)) - 1
    name = os.fsencode(target.name)[: max(room, 0)].decode(errors="ignore")
    return f".{name}{tail}"


def _new_file(directory: Path, target: Path, tag: str = "part") -> Path:
    """A new empty private file (mode 0600) in ``directory`` with a hidden name derived from ``target``."""
    for _ in range(100):
        candidate = directory / _hidden_name(target, tag)
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"no free temporary name beside {target}")


def _temp_for(target: Target, made_dirs: list[Path] | None = None) -> Path:
    """The file an output is written to first: beside a regular target, in the temp folder for a stream.

    A folder that is missing again (a concurrent run that failed removed the folder it had made)
    is made again and recorded in ``made_dirs``.
    """
    directory = Path(tempfile.gettempdir()) if target.stream else target.real.parent
    try:
        try:
            return _new_file(directory, target.real)
        except FileNotFoundError:
            if target.stream or made_dirs is None:
                raise
            made_dirs[:0] = _new_dirs(directory)
            directory.mkdir(parents=True, exist_ok=True)
            return _new_file(directory, target.real)
    except OSError as err:
        raise OutputError(f"cannot write {target.path}: {_reason(err)}") from err


def _temp_beside(target: Path) -> Path:
    """A new empty file beside ``target`` (kept for callers that only need a probe)."""
    return _temp_for(Target(Path(target), Path(target)))


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends, then deliver the first one that came.

    Python-level: the handlers are swapped for one that only notes the signal (blocking it in
    the OS would not help, as another thread, numba's among them, could take it). Outside the
    main thread, where handlers cannot be set, this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {}
    for signum in HELD_SIGNALS:
        previous[signum] = signal.signal(signum, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if caught:
            signal.raise_signal(caught[0])  # now handled as it would have been


def _write_stream(target: Target, source: Path) -> None:
    """Copy ``source`` into a stream target: no file is created, renamed or truncated."""
    if target.fd is not None:
        for stream in (sys.stdout, sys.stderr):  # what was printed before comes first
            with contextlib.suppress(Exception):
                stream.flush()
        with open(source, "rb") as src:
            while chunk := src.read(1 << 20):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(target.fd, view) :]
        return
    fd = os.open(target.path, os.O_WRONLY | os.O_NOCTTY)  # no O_CREAT: nothing new appears
    with open(fd, "wb") as dst, open(source, "rb") as src:
        shutil.copyfileobj(src, dst)


def _keep_old(real: Path) -> Path:
    """A hidden hard link to the file at ``real``, so it survives being replaced until the commit ends.

    Where hard links are not supported the old file is moved aside instead.
    """
    for _ in range(100):
        backup = real.parent / _hidden_name(real, "old")
        try:
            os.link(real, backup, follow_symlinks=False)
            return backup
        except FileExistsError:
            continue
        except OSError:
            if os.path.lexists(backup):
                continue
            os.rename(real, backup)  # no hard links here: moved aside, put back on failure
            return backup
    raise FileExistsError(f"no free name beside {real}")


class StagedFiles:
    """A command's output files, written so that all of them appear or none of them do.

    ``write`` puts each file under a temporary name; leaving the ``with`` block checks every
    target again, writes the streams (devices, FIFOs, stdout: they cannot be taken back, so they
    go first and a failure there changes no file), then renames the regular files into place
    with the signals held, keeping each old file until all are in place. Any failure puts the
    old files back; an exception inside the block (Ctrl-C included) removes the temporary files.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Target]] = []  # (temporary file, target), in write order
        self._made_dirs: list[Path] = []  # folders made again because they had gone, deepest first
        self._renamed: list[tuple[Path, Path | None]] = []  # (target, its old file kept aside or None)
        self._removals: list[Path] = []  # files of an earlier set this set has no counterpart for
        self.written: list[Path] = []  # the targets, as given, once all are in place
        self.removed: list[Path] = []  # the removals that found a file, once all are done

    def write(self, target: Path, write: Callable[[Path], object]) -> Path:
        """Call ``write(tmp_path)`` now; ``target`` gets its content when the block ends. Returns ``target``."""
        resolved = resolve(Path(target))
        tmp = _temp_for(resolved, self._made_dirs)
        self._pending.append((tmp, resolved))
        try:
            write(tmp)
        except OSError as err:
            raise OutputError(f"cannot write {resolved.path}: {_reason(err)}") from err
        return Path(target)

    def remove(self, target: Path) -> None:
        """Remove the regular file at ``target``, if there, together with the set: an earlier run's
        file this run makes none of, which would otherwise stay beside the new ones. Put back if
        the set fails. A symlink, a device or a folder there is left alone."""
        self._removals.append(Path(target))

    def _check(self) -> None:
        """Raise OutputError if a target changed since it was checked: nothing is replaced then."""
        for tmp, target in self._pending:
            if target.stream:
                continue
            try:
                info = os.lstat(target.real)
            except FileNotFoundError:
                info = None
            except OSError as err:
                raise OutputError(f"cannot write {target.path}: {_reason(err)}") from err
            if info is not None and not stat.S_ISREG(info.st_mode):
                what = "a folder" if stat.S_ISDIR(info.st_mode) else "no longer a regular file"
                raise OutputError(f"cannot write {target.path}: it is now {what}; nothing was replaced")
            if not tmp.is_file() or not os.access(target.real.parent, os.W_OK | os.X_OK):
                raise OutputError(
                    f"cannot write {target.path}: its folder changed during the run; nothing was replaced"
                )

    def commit(self) -> list[Path]:
        """Put every staged file in place; returns the targets in write order.

        Raises OutputError, with the previous files back in place, if any step fails.
        """
        try:
            self._check()
            for tmp, target in self._pending:
                if target.stream:
                    try:
                        _write_stream(target, tmp)
                    except OSError as err:
                        raise OutputError(f"cannot write {target.path}: {_reason(err)}") from err
            with signals_held():
                self._check()
                self._rename_all()
                removed = self._remove_all()
        except BaseException:
            self._undo()
            raise
        self.written = [target.path for _, target in self._pending]
        self.removed = removed
        self._discard_temps()
        with signals_held():
            for _, backup in self._renamed:
                if backup is not None:
                    with contextlib.suppress(OSError):
                        backup.unlink()
            self._renamed.clear()
        return self.written

    def _rename_all(self) -> None:
        for tmp, target in self._pending:
            if target.stream:
                continue
            real, backup = target.real, None
            try:
                if os.path.lexists(real):
                    backup = _keep_old(real)
                    mode = stat.S_IMODE(os.lstat(backup).st_mode)
                else:
                    mode = 0o644  # mkstemp-like files are 0600; outputs are ordinary files
                os.chmod(tmp, mode)
                os.replace(tmp, real)
            except OSError as err:
                if backup is not None and not os.path.lexists(real):
                    os.replace(backup, real)  # it had been moved aside
                elif backup is not None:
                    backup.unlink(missing_ok=True)
                raise OutputError(f"cannot write {target.path}: {_reason(err)}; nothing was replaced") from err
            self._renamed.append((real, backup))

    def _remove_all(self) -> list[Path]:
        """Move each removal aside (as ``_rename_all`` keeps an old file), so ``_undo`` can put it back."""
        removed = []
        for path in self._removals:
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                continue
            except OSError as err:
                raise OutputError(f"cannot remove {path}: {_reason(err)}; nothing was replaced") from err
            if not stat.S_ISREG(info.st_mode):
                continue
            try:
                backup = _keep_old(path)
                if os.path.lexists(path):  # a hard link was made: the name itself goes
                    os.unlink(path)
            except OSError as err:
                raise OutputError(f"cannot remove {path}: {_reason(err)}; nothing was replaced") from err
            self._renamed.append((path, backup))
            removed.append(path)
        return removed

    def _undo(self) -> None:
        """Put back every old file replaced so far, remove new ones and every temporary file."""
        with signals_held():
            for real, backup in reversed(self._renamed):
                with contextlib.suppress(OSError):
                    if backup is not None:
                        os.replace(backup, real)
                    else:
                        real.unlink()
            self._renamed.clear()
            self._discard_temps()

    def _discard_temps(self) -> None:
        for tmp, _ in self._pending:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        self._pending.clear()
        PreparedOutputs(self._made_dirs).cleanup()
        self._made_dirs = []

    def discard(self) -> None:
        """Remove the staged temporary files (and put back anything already replaced)."""
        self._undo()

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def leftovers(folder: Path, names: Iterable[str]) -> list[Path]:
    """The staging (``.part``) and backup (``.old``) files ``StagedFiles`` makes for ``names`` in ``folder``.

    A run killed with SIGKILL while it committed its files leaves them behind; only names of
    exactly the shape ``_hidden_name`` gives are matched, so no file of anyone else's is.
    """
    patterns = [
        re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{8}}\.(?:part|old){re.escape(Path(name).suffix)}") for name in names
    ]
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    return [
        Path(entry.path)
        for entry in entries
        if any(p.fullmatch(entry.name) for p in patterns) and entry.is_file(follow_symlinks=False)
    ]


def remove_leftovers(folder: Path, names: Iterable[str]) -> list[Path]:
    """Remove ``leftovers(folder, names)``; returns what was removed (what cannot be removed stays)."""
    removed = []
    for path in leftovers(folder, names):
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def write_atomic(target: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` and put the result at ``target`` whole or not at all; returns ``target``."""
    with StagedFiles() as staged:
        staged.write(target, write)
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
        _new_file(path, path / "probe").unlink()
    except OSError as err:
        reason = _reason(err)
        if isinstance(err, FileNotFoundError):  # e.g. /proc: there, but takes no new files
            reason += " (the folder exists but takes no new files)"
        raise OutputError(f"cannot create a file in {path}: {reason}") from err
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
        """Undo the folders this command created, as long as nothing was written into them.

        Only what this run made and what is still empty goes: a concurrent run writing into
        the same new folder keeps it (and remakes it if it was removed between its files).
        """
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
        if os.path.lexists(candidate):
            break
        missing.append(candidate)
    return missing


def _same_file(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)  # e.g. two names of one file on a case-insensitive disk
    except OSError:
        return False


def _check_relative(path: Path) -> None:
    """OutputError for a relative ``path`` when the current folder is gone (deleted under the shell)."""
    if path.is_absolute():
        return
    try:
        os.getcwd()
    except FileNotFoundError:
        raise OutputError(
            f"{path} is relative, and the current folder no longer exists; give an absolute path or cd elsewhere"
        ) from None


def prepare_outputs(targets: Iterable[tuple[str, Path | None, bool]]) -> PreparedOutputs:
    """Make sure every output can be written before any work starts.

    Parameters
    ----------
    targets : (option, path, is_directory) per output; a None path is skipped. A file's folder
        is created and checked like a directory output's; a file that exists and is not a
        regular file (a device, a FIFO, ``/dev/stdout``) is only checked writable, its folder
        left alone. List the files a folder option writes too (``("--out", out / "fit.png",
        False)``), so that two options writing one file are caught.

    Returns
    -------
    PreparedOutputs : the folders created, for ``cleanup`` when the command fails later.

    Raises WrongKindError (a file output that is an existing directory, a directory output that
    is an existing file, a name too long for the file system, two outputs on one file) or
    OutputError (cannot be created or written), its message starting with the option, after
    removing what it created.
    """
    prepared = PreparedOutputs()
    files: list[tuple[str, Path]] = []
    try:
        for option, path, is_directory in targets:
            if path is None:
                continue
            path = Path(path)
            try:
                _check_relative(path)
                check_name_length(path)
                if is_directory:
                    if os.path.exists(path) and not os.path.isdir(path):
                        raise WrongKindError(f"{path} is not a directory")
                    directory = path
                else:
                    target = resolve(path)
                    if target.stream:
                        if target.fd is None and not os.access(path, os.W_OK):
                            raise OutputError(f"cannot write {path}: {os.strerror(13)}")
                        continue
                    files.append((option, path))
                    directory = target.real.parent
                new = _new_dirs(directory)
                try:
                    ensure_output_dir(directory)
                finally:
                    prepared.created[:0] = [d for d in new if os.path.isdir(d)]
            except OutputError as err:
                raise type(err)(f"{option}: {err}") from err
        for i, (option, path) in enumerate(files):
            for other_option, other in files[:i]:
                if _same_file(path, other):
                    same = f"{option} and {other_option} both" if option != other_option else f"{option} twice"
                    raise WrongKindError(f"{same} write {path}; give each output its own file")
    except BaseException:
        prepared.cleanup()
        raise
    return prepared


def to_stdout(render: Callable[[object], object]) -> None:
    """Call ``render(sys.stdout)`` and flush; OutputError if standard output is closed or fails.

    After a failure the descriptor is pointed at ``os.devnull``, so Python's own flush at exit
    cannot print a second, multi-line error about the same stream.
    """
    stream = sys.stdout
    if stream is None:  # started with stdout closed (``>&-``)
        raise OutputError("cannot write to standard output: it is closed")
    try:
        render(stream)
        stream.flush()
    except OSError as err:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
        raise OutputError(f"cannot write to standard output: {_reason(err)}") from err
