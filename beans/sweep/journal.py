"""The sweep's journal: every finished cell, one JSON line each, on disk before the next one starts.

``OUT/journal.jsonl`` starts with a header line (the grid, as ``Grid.describe()``); each later
line is one cell's record (``runner.run_task``). A line is written, flushed and fsynced as its
cell arrives, so a crash, Ctrl-C or ``kill -9`` loses at most the cells still in flight. A
resumed sweep reads the journal back: a torn last line (the write a kill interrupted) is cut
off, and the cells already done, for these beans and numba versions, are not run again.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

from ..config import MAX_EPOCHS
from .grid import AXES, LATER_AXES, cell_key, cell_setting, differences
from .runner import SEED_FIELDS

JOURNAL_NAME = "journal.jsonl"
JOURNAL_FORMAT = 1
# A journal is read up to this size: its header, and per cell its settings, versions and
# failure reasons over many resumed runs, plus each seed's numbers in full precision twice.
JOURNAL_BASE_BYTES = 1 << 20
JOURNAL_CELL_BYTES = 64 << 10
JOURNAL_SEED_BYTES = 512


class JournalError(Exception):
    """A journal that cannot be used; ``usage`` is True when the command line must change (exit 2)."""

    def __init__(self, message: str, usage: bool = False):
        super().__init__(message)
        self.usage = usage


def _header(grid_document: dict[str, Any]) -> dict[str, Any]:
    return {"beans_sweep_journal": JOURNAL_FORMAT, "grid": grid_document}


class Journal:
    """An open journal, appended to one record at a time. Use ``Journal.open``."""

    def __init__(self, path: Path, handle, records: list[dict[str, Any]]):
        self.path = path
        self._handle = handle
        self.records = records  # every record read back on resume, then every one appended

    @classmethod
    def open(cls, out: Path, grid_document: dict[str, Any], resume: bool) -> Journal:
        """Start ``out/journal.jsonl``, or with ``resume`` continue the one there.

        Raises JournalError: a journal exists but ``resume`` is False (usage), the journal's grid
        differs from this one (usage, saying what differs), or it cannot be read or written.
        """
        path = Path(out) / JOURNAL_NAME
        try:
            if os.path.lexists(path):  # a dangling symlink too: it is not ours to replace
                if not resume:
                    raise JournalError(
                        f"{path} holds an earlier sweep; add --resume to finish it, or choose another --out",
                        usage=True,
                    )
                records = _read(path, grid_document)
                handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed by close())
            else:
                handle = open(path, "x", encoding="utf-8")  # noqa: SIM115
                records = []
                _write_line(handle, _header(grid_document))
        except OSError as err:
            raise JournalError(f"cannot use the journal {path}: {err.strerror or err}") from err
        return cls(path, handle, records)

    def append(self, record: dict[str, Any]) -> None:
        """Write one record and make sure it is on disk before returning."""
        try:
            _write_line(self._handle, record)
        except OSError as err:
            raise JournalError(f"cannot write the journal {self.path}: {err.strerror or err}") from err
        self.records.append(record)

    def read_back(self) -> list[dict[str, Any]]:
        """The records the file holds now, as ``--resume`` will read them.

        This is the count to report after Ctrl-C or SIGTERM: the signal can land after a record's
        line is written and before ``append`` adds it to ``records``. If the file cannot be read
        back, ``records``.
        """
        try:
            self._handle.flush()  # a line the signal caught between its write and its flush
        except OSError:
            pass  # a write that failed: not in the file, so not counted
        try:
            return _records(self.path, self.path.read_bytes())[1:]
        except (OSError, JournalError):
            return self.records

    def close(self) -> None:
        try:
            self._handle.close()
        except OSError:
            pass  # a line that could not be flushed (a full disk): append reported it, --resume cuts it off

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _write_line(handle, document: dict[str, Any]) -> None:
    handle.write(json.dumps(document, allow_nan=False, separators=(",", ":")) + "\n")
    handle.flush()
    os.fsync(handle.fileno())


def size_limit(grid_document: dict[str, Any]) -> int:
    """The most bytes a journal of this grid is read up to: room for every cell's records, resumed many times."""
    cells = math.prod(len(values) for values in grid_document["axes"].values())
    return JOURNAL_BASE_BYTES + cells * (JOURNAL_CELL_BYTES + JOURNAL_SEED_BYTES * grid_document["seeds"])


def _read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them; JournalError otherwise.

    Opened without blocking and checked before reading: a FIFO would wait for a writer for
    ever, and a device such as /dev/zero never ends.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise JournalError(
                f"{path} is not a regular file, so it is not a journal beans wrote; choose another --out"
            )
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise JournalError(f"{path} is larger than a journal of this sweep can be ({limit:,} bytes); it is not one")
    return data


def _read(path: Path, grid_document: dict[str, Any]) -> list[dict[str, Any]]:
    """The records of the journal at ``path`` after checking its header; cuts a torn last line off."""
    data = _read_bounded(path, size_limit(grid_document))
    parsed = _records(path, data)
    kept_bytes = data.rfind(b"\n") + 1
    header = parsed[0] if parsed else None
    if not (
        isinstance(header, dict)
        and header.get("beans_sweep_journal") == JOURNAL_FORMAT
        and isinstance(header.get("grid"), dict)
        and isinstance(header["grid"].get("axes"), dict)
    ):
        raise JournalError(f"{path} is not a beans sweep journal")
    changed = differences(header["grid"], grid_document)
    if changed:
        raise JournalError(f"--resume: this sweep differs from the one in {path}: {'; '.join(changed)}", usage=True)
    for number, record in enumerate(parsed[1:], start=2):
        problem = record_problem(record, grid_document)
        if problem:
            raise JournalError(
                f"{path} line {number} is not a record of this sweep ({problem}); the journal is damaged: "
                "move it away to run the sweep afresh"
            )
    if kept_bytes < len(data):
        with open(path, "r+b") as handle:  # cut the torn line so the next record starts on its own line
            handle.truncate(kept_bytes)
            os.fsync(handle.fileno())
    return parsed[1:]


def _records(path: Path, data: bytes) -> list[dict[str, Any]]:
    """Every complete line of the journal ``data`` (read from ``path``) parsed, the header first."""
    # a complete journal ends in "\n", so the last piece is empty; anything else there is torn
    lines = data.split(b"\n")[:-1]
    parsed = []
    for number, line in enumerate(lines, start=1):
        try:
            parsed.append(json.loads(line))
        except (ValueError, RecursionError):  # RecursionError: brackets nested past Python's stack
            raise JournalError(f"{path} line {number} is not a journal record; the journal is damaged") from None
    return parsed


def _is_number(value: Any) -> bool:
    """A finite JSON number: beans writes None for NaN and inf, and JSON's NaN, 1e999 or a
    400-digit integer would fail the tables later (no float holds them, or strict JSON refuses them)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def record_problem(record: Any, grid_document: dict[str, Any]) -> str | None:
    """What makes ``record`` no record ``runner.run_task`` or ``failed_record`` writes; None when it is one.

    A journal may have been edited by hand: every record is checked before any is used.
    """
    if not isinstance(record, dict):
        return "not a JSON object"
    cell, versions, status = record.get("cell"), record.get("versions"), record.get("status")
    # a record written before an axis of LATER_AXES existed lacks it, and stands for its default
    if not isinstance(cell, dict) or not set(AXES) - set(LATER_AXES) <= set(cell) <= set(AXES):
        return f"its cell does not name exactly the settings {', '.join(AXES)}"
    for name in AXES:  # the same JSON value, type included: 1 and 1.0 are different cells' keys
        value = cell_setting(cell, name)
        if not any(type(value) is type(v) and value == v for v in grid_document["axes"][name]):
            return f"its {name} {value!r} is none of this sweep's"
    if not isinstance(versions, dict) or not all(isinstance(v, str) for v in versions.values()):
        return "its versions are not names and version strings"
    if status == "failed":
        return None if isinstance(record.get("reason"), str) else "a failed cell without a reason"
    if status != "ok":
        return f"status {status!r} is neither ok nor failed"
    seeds = record.get("seeds")
    if not isinstance(seeds, dict) or set(seeds) != {"seed", *SEED_FIELDS}:
        return f"its seeds do not hold exactly seed, {', '.join(SEED_FIELDS)}"
    if not all(isinstance(column, list) for column in seeds.values()):
        return "a per-seed column is not a list"
    expected = list(range(grid_document["seed_start"], grid_document["seed_start"] + grid_document["seeds"]))
    if any(len(column) != len(expected) for column in seeds.values()):
        return f"it holds other than this sweep's {len(expected)} seeds"
    checks = {
        "seed": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
        "converged": lambda v: isinstance(v, bool),
        "diverged": lambda v: isinstance(v, bool),
        "epochs_to_converge": lambda v: (
            v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_EPOCHS)
        ),
    }
    for name, column in seeds.items():
        check = checks.get(name, lambda v: v is None or _is_number(v))
        if not all(check(value) for value in column):
            return f"its {name} holds a value of the wrong kind"
    if seeds["seed"] != expected:
        return f"its seeds are not this sweep's {expected[0]}..{expected[-1]}"
    return None


def latest(records: list[dict[str, Any]], current_versions: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The last record of each cell made with ``current_versions``, by ``cell_key``."""
    out: dict[str, dict[str, Any]] = {}
    for record in records:
        if record.get("versions") == current_versions:
            out[cell_key(record["cell"])] = record
    return out
