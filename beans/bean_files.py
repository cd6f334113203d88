"""Beans from a file: the ``size,toxicity`` CSV that ``beans data --csv`` writes, read back bit for bit.

Every float is written at full precision (``repr``), so reading it back gives the very same
doubles. A file is checked before any of it is used: a regular file (a FIFO or a device could
block or never end), at most ``MAX_DATA_BYTES``, the header, two numbers per row written as
plain decimals and finite, toxicities in [0, 1] (the network's output is a sigmoid), at least
two beans and at most ``MAX_DATA_ROWS``. Each problem is a ``DataFileError`` of one line naming
the file and the line. numpy only.
"""

from __future__ import annotations

import hashlib
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .checks import DECIMAL

HEADER = "size,toxicity"
# Full-precision rows are about 40 bytes: a million beans fit in this with room to spare, and a
# file larger than this is refused from its size alone, before any of it is read.
MAX_DATA_BYTES = 64 * 2**20
MAX_DATA_ROWS = 1_000_000
MIN_DATA_ROWS = 2  # one bean is no curve; training checks beans >= 2 too


class DataFileError(ValueError):
    """A beans CSV that cannot be used; the message (one line) names the file and what is wrong."""


@dataclass(frozen=True, eq=False)
class BeanData:
    """Beans read from a file, in the file's order.

    Attributes
    ----------
    xs, ys : float64 (n,), read-only; sizes and toxicities (in [0, 1])
    path : the file as it was named
    sha256 : hex digest of the file's bytes, so results.json names the very data it was trained on
    """

    xs: np.ndarray
    ys: np.ndarray
    path: str
    sha256: str

    @property
    def size(self) -> int:
        return int(self.xs.size)

    def describe(self) -> dict[str, object]:
        """The file as results.json records it."""
        return {"path": self.path, "beans": self.size, "sha256": self.sha256}


def beans_csv(xs, ys) -> str:
    """The beans as CSV text: header ``size,toxicity``, every float at full (repr) precision."""
    rows = [f"{float(x)!r},{float(y)!r}" for x, y in zip(xs, ys, strict=True)]
    return HEADER + "\n" + "\n".join(rows) + "\n"


def _read_bounded(path: Path) -> bytes:
    """The file's bytes, if it is a regular file of at most ``MAX_DATA_BYTES``; DataFileError otherwise.

    Opened non-blocking: opening a FIFO for reading would otherwise wait for a writer forever.
    The kind and the size are read from the open file, so they are the file's that is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise DataFileError(f"{path} not found") from None
    except OSError as err:
        raise DataFileError(f"cannot read {path}: {err.strerror or err}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise DataFileError(f"{path} is a folder, not a CSV file")
        if not stat.S_ISREG(info.st_mode):
            raise DataFileError(f"{path} is not a regular file (a pipe or a device?); save the beans to a file first")
        if info.st_size > MAX_DATA_BYTES:
            raise DataFileError(
                f"{path} is {info.st_size / 2**20:,.0f} MiB, more than the {MAX_DATA_BYTES // 2**20} MiB "
                f"a beans CSV may be (at most {MAX_DATA_ROWS:,} beans)"
            )
        chunks, left = [], MAX_DATA_BYTES + 1  # bounded even if the file grows while it is read
        while left > 0 and (chunk := os.read(fd, min(left, 2**20))):
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as err:
        raise DataFileError(f"cannot read {path}: {err.strerror or err}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > MAX_DATA_BYTES:
        raise DataFileError(f"{path} is larger than the {MAX_DATA_BYTES // 2**20} MiB a beans CSV may be")
    return data


def _number(text: str, column: str, where: str) -> float:
    """One field as a finite float, written as a plain decimal (no nan, inf, 1_000, or other digits)."""
    field = text.strip()
    if not DECIMAL.fullmatch(field):
        shown = repr(field) if len(field) <= 40 else repr(field[:40] + "...")
        raise DataFileError(f"{where}: {column} {shown} is not a number")
    value = float(field)
    if not math.isfinite(value):
        raise DataFileError(f"{where}: {column} {field} is too large to be a finite number")
    return value


def parse_beans_csv(text: str, path: str) -> tuple[np.ndarray, np.ndarray]:
    """Sizes and toxicities from a beans CSV's text; DataFileError naming ``path`` and the line."""
    lines = text.splitlines()
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        raise DataFileError(f"{path} is empty; a beans CSV starts with the line {HEADER}")
    first, header = numbered[0]
    if [name.strip().lower() for name in header.split(",")] != HEADER.split(","):
        shown = repr(header[:60] + ("..." if len(header) > 60 else ""))
        raise DataFileError(f"{path} line {first} is {shown}, not the header {HEADER}")
    rows = numbered[1:]
    if len(rows) < MIN_DATA_ROWS:
        raise DataFileError(f"{path} holds {len(rows)} bean(s); training needs at least {MIN_DATA_ROWS}")
    if len(rows) > MAX_DATA_ROWS:
        raise DataFileError(f"{path} holds {len(rows):,} beans, more than the {MAX_DATA_ROWS:,} beans may train on")
    xs = np.empty(len(rows))
    ys = np.empty(len(rows))
    for i, (number, line) in enumerate(rows):
        where = f"{path} line {number}"
        fields = line.split(",")
        if len(fields) != 2:
            raise DataFileError(f"{where} has {len(fields)} fields, not 2 (size,toxicity)")
        xs[i] = _number(fields[0], "size", where)
        ys[i] = _number(fields[1], "toxicity", where)
        if not 0 <= ys[i] <= 1:
            raise DataFileError(f"{where}: toxicity {fields[1].strip()} is outside [0, 1] (the network's output range)")
    return xs, ys


def read_beans_csv(path: str | Path) -> BeanData:
    """Beans from a ``size,toxicity`` CSV file, checked; DataFileError (one line) if it cannot be used."""
    data = _read_bounded(Path(path))
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's byte-order mark is no part of the header
    except UnicodeDecodeError as err:
        raise DataFileError(f"{path} is not UTF-8 text (byte {err.start}): not a beans CSV") from None
    xs, ys = parse_beans_csv(text, str(path))
    xs.flags.writeable = ys.flags.writeable = False
    return BeanData(xs, ys, str(path), hashlib.sha256(data).hexdigest())


def held_out_count(total: int, share: float) -> int:
    """How many of ``total`` beans a split of ``share`` holds out; ValueError unless it leaves
    at least one held-out bean and ``MIN_DATA_ROWS`` to train on."""
    count = round(total * share)
    if not 1 <= count <= total - MIN_DATA_ROWS:
        raise ValueError(
            f"a share of {share:g} of {total} beans holds out {count}; it must hold out at least 1 "
            f"and leave at least {MIN_DATA_ROWS} to train on"
        )
    return count


def split_beans(
    xs: np.ndarray, ys: np.ndarray, share: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Training and held-out beans: ``held_out_count`` rows chosen at random by ``seed``.

    Both parts keep the file's order. Returns float64 (xs, ys, test_xs, test_ys).
    """
    count = held_out_count(xs.size, share)
    held = np.zeros(xs.size, dtype=bool)
    held[np.random.default_rng(seed).permutation(xs.size)[:count]] = True
    return xs[~held], ys[~held], xs[held], ys[held]
