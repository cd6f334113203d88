"""The grid of a sweep: its axes, their values as typed, the cells, and how cells group into tasks.

An axis is one ``beans train`` setting that varies; the grid is the product of the axes, and
every cell is trained from the same random starts (``seeds``). Cells that differ only in
learning rate share a network shape and beans, so they train side by side in one kernel call
with a learning rate per lane: every setting but ``lr`` is the grouping key. numpy only.

The ``data`` axis lists beans CSV files (``beans.bean_files``), each named as it was given; None,
its default, is the built-in beans. A grid of files holds the beans read from them (``files``)
and None on the axes that draw beans (``beans``, ``noise``, ``curve``; ``data_seed`` too unless
``test_share`` splits the files), and its description names each file's SHA-256, so that a
journal is resumed only on the very bytes it was started on.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import numpy as np

from ..bean_files import BeanData, DataFileError, held_out_count, read_beans_csv
from ..checks import WHOLE, parse_decimal, parse_whole
from ..config import (
    BASE_BYTES,
    HISTORY_LIMIT_BYTES,
    MAX_EPOCHS,
    SWEEP_ROW_BYTES,
    check_run_size,
    memory_limit,
    run_bytes,
    snapshot_count,
)
from ..kernels.checks import CURVES, parse_init
from ..kernels.shape import ACTIVATIONS, Shape, parse_hidden

# The axes in the order cells are enumerated (the last varies fastest) and columns are written.
AXES = ("lr", "hidden", "activation", "beans", "noise", "epochs", "data_seed", "curve", "init", "data")
# Axes added after the journal's format was fixed: a record written before one existed lacks it
# and stands for its default (``cell_setting``).
LATER_AXES = ("curve", "init", "data")
# The axes that draw the built-in beans: with data files they hold None (they do not apply).
DRAWING_AXES = ("beans", "noise", "curve")
# Every setting but lr: cells equal in all of these train in one kernel call.
GROUP_KEY = tuple(name for name in AXES if name != "lr")
DEFAULTS: dict[str, tuple] = {
    "lr": (0.03,),
    "hidden": ("2",),
    "activation": ("sigmoid",),
    "beans": (100,),
    "noise": (1.0,),
    "epochs": (5000,),
    "data_seed": (0,),
    "curve": ("hill",),
    "init": ("lesson",),
    "data": (None,),  # the built-in beans
}
# The per-seed table holds cells x seeds rows (about 100 bytes each): a gigabyte at most.
MAX_ROWS = 10_000_000
MAX_VALUES_PER_AXIS = 1000
# Held-out beans drawn for every cell when --test-beans is not given (``beans train``'s default).
DEFAULT_TEST_BEANS = 100
# Significant digits kept of a number a range makes, at least: 0.0316 rather than 0.031622776601683794.
RANGE_DIGITS = 3


class GridError(ValueError):
    """A grid that cannot be swept; ``option`` names the command-line option to change."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


def option_name(axis: str) -> str:
    """The command-line option of a setting: ``data_seed`` -> ``--data-seed``."""
    return "--" + axis.replace("_", "-")


def _number_range(text: str, integer: bool) -> list[float]:
    """``START:STOP:N`` (N values evenly spaced, ends included) or ``START:STOP:logN`` (evenly on a log scale)."""
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError(f"{text!r}: a range is START:STOP:N or START:STOP:logN")
    start, stop = (parse_decimal(part.strip(), "START and STOP") for part in parts[:2])
    count_text = parts[2].strip().lower()
    log = count_text.startswith("log")
    count_text = count_text[3:] if log else count_text
    if not WHOLE.fullmatch(count_text) or not 2 <= int(count_text) <= MAX_VALUES_PER_AXIS:
        raise ValueError(f"{text!r}: N must be a whole number from 2 to {MAX_VALUES_PER_AXIS}")
    count = int(count_text)
    if not (math.isfinite(start) and math.isfinite(stop)) or start == stop:
        raise ValueError(f"{text!r}: START and STOP must be finite and differ")
    if log:
        if start <= 0 or stop <= 0:
            raise ValueError(f"{text!r}: a log range needs START and STOP > 0")
        values = np.geomspace(start, stop, count)
    else:
        values = np.linspace(start, stop, count)
    values[0], values[-1] = start, stop  # the ends exactly as typed
    if integer:
        return [float(round(v)) for v in values]
    for digits in range(RANGE_DIGITS, 18):  # more digits only where fewer would merge neighbours
        rounded = [float(f"{v:.{digits}g}") for v in values]
        if len(set(rounded)) == len(rounded):
            return rounded
    return [float(v) for v in values]


def _number(token: str, integer: bool) -> float | int:
    """One value of a comma list, by the one rule for numbers typed on the command line (``beans.checks``)."""
    return parse_whole(token, "every value") if integer else parse_decimal(token, "every value")


# axis -> (integer?, lowest allowed, lowest is allowed itself?, highest allowed)
_NUMERIC = {
    "lr": (False, 0.0, False, math.inf),
    "noise": (False, 0.0, True, math.inf),
    "beans": (True, 2, True, math.inf),
    "epochs": (True, 0, True, MAX_EPOCHS),
    "data_seed": (True, 0, True, math.inf),
}


def parse_axis(axis: str, text: str) -> tuple:
    """One axis's values from a comma list of values or ranges, checked; GridError naming the option.

    Numbers: ``0.1,0.3`` or ``0.001:1:log4`` (see ``_number_range``); ``hidden``: ``1,2,4x4``;
    ``activation``, ``curve``: names; ``init``: ``lesson,he,normal:0.5``; ``data``: file names, as
    given (``read_files`` reads them). Values keep their order; a repeated value is an error.
    """
    option = option_name(axis)
    tokens = [token.strip() for token in text.split(",")]
    if not text.strip() or any(not token for token in tokens):
        raise GridError(option, f"{option} needs at least one value, and no empty ones, got {text!r}")
    try:
        values = _parse_tokens(axis, tokens)
    except ValueError as err:
        raise GridError(option, f"{option}: {err}") from None
    seen = set()
    for value in values:
        if value in seen:
            raise GridError(option, f"{option} lists {_show(value)} twice")
        seen.add(value)
    if len(values) > MAX_VALUES_PER_AXIS:
        raise GridError(option, f"{option} has {len(values):,} values, more than {MAX_VALUES_PER_AXIS:,}")
    return tuple(values)


def _parse_tokens(axis: str, tokens: list[str]) -> list:
    if axis == "data":
        return tokens
    if axis == "hidden":
        return ["x".join(map(str, parse_hidden(token))) for token in tokens]
    if axis == "activation":
        values = [token.strip().lower() for token in tokens]
        for value in values:
            if value not in ACTIVATIONS:
                raise ValueError(f"{value!r}: an activation is one of {', '.join(ACTIVATIONS)}")
        return values
    if axis == "curve":
        for token in tokens:
            if token not in CURVES:
                raise ValueError(f"{token!r}: a curve is one of {', '.join(CURVES)}")
        return tokens
    if axis == "init":
        return [parse_init(token) for token in tokens]
    integer, low, low_ok, high = _NUMERIC[axis]
    values: list[float | int] = []
    for token in tokens:
        values += _number_range(token, integer) if ":" in token else [_number(token, integer)]
    for value in values:
        if not math.isfinite(value) or value < low or (value == low and not low_ok) or value > high:
            bound = f">= {low:g}" if low_ok else f"> {low:g}"
            bound += f" and <= {high:,}" if math.isfinite(high) else ""
            raise ValueError(f"every value must be finite and {bound}, got {_show(value)}")
    return [int(v) for v in values] if integer else values


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else "" if value is None else str(value)


def show_values(values: tuple) -> str:
    """An axis's values as the option would take them: ``0.1,0.3``."""
    return ",".join(_show(v) for v in values)


def value_labels(axis: str, values: tuple) -> dict[Any, str]:
    """How tables and figures show each value of an axis: numbers as ``%g``, a data file by its
    name (by its path as given when two files share a name), None (does not apply) as ``-``."""
    labels = {value: "-" if value is None else _show(value) for value in values}
    if axis == "data":
        names = {value: PurePath(value).name for value in values if value is not None}
        if len(set(names.values())) == len(names):
            labels.update(names)
    return labels


def read_files(paths: tuple) -> dict[str, BeanData]:
    """The beans of every file of a ``data`` axis, each read and checked (``bean_files.read_beans_csv``).

    Raises GridError for ``--data`` with the file's one-line ``DataFileError`` message.
    """
    files = {}
    for path in paths:
        if path is None:
            continue
        try:
            files[path] = read_beans_csv(path)
        except DataFileError as err:
            raise GridError("--data", str(err)) from None
    return files


@dataclass(frozen=True)
class Grid:
    """A sweep: the values of every axis, the random starts and the fixed settings of every cell.

    ``axes`` maps each name of ``AXES`` to its values (a one-value tuple for a setting that
    does not vary). ``files`` holds the beans of every file on the ``data`` axis (``read_files``);
    held-out beans are drawn (``test_beans`` of them, from each cell's data seed + 1; None: 100,
    or 0 with files), or come from ``test_data`` (one file for every cell) or a ``test_share`` of
    each data file (rows chosen by the cell's data seed), as ``beans train`` takes them. Checked
    on construction: raises GridError naming the option to change.
    """

    axes: dict[str, tuple]
    seeds: range
    test_beans: int | None = None
    snapshot_every: int = 100
    converged_accuracy: float = 0.95
    files: Mapping[str, BeanData] = field(default_factory=dict)
    test_data: BeanData | None = None
    test_share: float | None = None
    n_cells: int = field(init=False)

    def __post_init__(self):
        unknown = set(self.axes) - set(AXES)
        if unknown:
            name = sorted(unknown)[0]
            raise GridError(option_name(name), f"unknown axis {name!r}; axes are {', '.join(AXES)}")
        self._check_bean_sources()
        from_files = tuple(self.axes.get("data", DEFAULTS["data"])) != DEFAULTS["data"]
        not_drawn = (*DRAWING_AXES, *(() if self.test_share is not None else ("data_seed",)))
        axes = {
            name: tuple(self.axes.get(name, (None,) if from_files and name in not_drawn else DEFAULTS[name]))
            for name in AXES
        }
        object.__setattr__(self, "axes", axes)
        if self.test_beans is None:
            drawn = not from_files and self.test_data is None
            object.__setattr__(self, "test_beans", DEFAULT_TEST_BEANS if drawn else 0)
        for name, values in axes.items():
            if not values:
                raise GridError(option_name(name), f"{option_name(name)} needs at least one value")
        n_cells = math.prod(len(values) for values in axes.values())
        object.__setattr__(self, "n_cells", n_cells)
        rows = n_cells * len(self.seeds)
        if not self.seeds:
            raise GridError("--seeds", "--seeds must be at least 1")
        if rows > MAX_ROWS:
            raise GridError(
                "--seeds",
                f"{n_cells:,} cells x {len(self.seeds):,} seeds make {rows:,} rows, more than the {MAX_ROWS:,} "
                "the per-seed table records; use fewer values or seeds",
            )
        for epochs in axes["epochs"]:  # the largest task is one cell: it must fit
            try:
                check_run_size(len(self.seeds), epochs, self.snapshot_every, 0, record_params=False)
            except ValueError as err:
                raise GridError(option_name(getattr(err, "setting", "seeds")), str(err)) from None

    def _check_bean_sources(self) -> None:
        """Options that draw beans or hold them out, each given only where it means something
        (``beans train``'s rules, in its words)."""
        paths = tuple(self.axes.get("data", DEFAULTS["data"]))
        if paths != DEFAULTS["data"]:
            if None in paths:
                raise GridError("--data", "every value must be a file name")
            missing = [path for path in paths if path not in self.files]
            if missing:
                raise GridError("--data", f"{missing[0]} has not been read (beans.sweep.grid.read_files)")
            for name in DRAWING_AXES:
                if name in self.axes:
                    raise GridError(option_name(name), "draws beans; with --data the beans are the file's")
            if "data_seed" in self.axes and self.test_share is None:
                raise GridError(
                    "--data-seed",
                    "draws beans; with --data the beans are the file's (with --test-share it picks the held-out rows)",
                )
            if self.test_share is not None:
                for path in paths:
                    try:
                        held_out_count(self.files[path].size, self.test_share)
                    except ValueError as err:
                        raise GridError("--test-share", f"{path}: {err}") from None
        elif self.test_share is not None:
            raise GridError("--test-share", "splits the --data beans; give --data FILE.csv too")
        if self.test_share is not None and self.test_data is not None:
            raise GridError("--test-share", "give --test-data or --test-share, not both")
        if self.test_beans is not None and (paths != DEFAULTS["data"] or self.test_data is not None):
            raise GridError(
                "--test-beans",
                "draws held-out beans; with --data or --test-data they come from --test-data or --test-share",
            )

    def bean_counts(self, cell: dict[str, Any]) -> tuple[int, int]:
        """(training beans, held-out beans) of a cell: the counts drawn, or its file's rows and split."""
        path = cell_setting(cell, "data")
        if path is None:
            train = cell_setting(cell, "beans")
            return train, self.test_data.size if self.test_data is not None else self.test_beans
        rows = self.files[path].size
        if self.test_share is not None:
            held = held_out_count(rows, self.test_share)
            return rows - held, held
        return rows, self.test_data.size if self.test_data is not None else 0

    def _largest_bean_counts(self) -> tuple[int, int]:
        """The most training and the most held-out beans of any cell (they depend on data and beans only)."""
        counts = [
            self.bean_counts({"data": path, "beans": beans})
            for path in self.axes["data"]
            for beans in self.axes["beans"]
        ]
        return max(c[0] for c in counts), max(c[1] for c in counts)

    def data_bytes(self) -> int:
        """Bytes of the beans read from files, held to the end (two float64 per row)."""
        rows = sum(data.size for data in self.files.values())
        return 16 * (rows + (self.test_data.size if self.test_data is not None else 0))

    def _lrs_that_fit(self, epochs: int) -> int:
        """How many learning rates one task may train at once within ``HISTORY_LIMIT_BYTES``."""
        records = snapshot_count(epochs, self.snapshot_every)
        # four records per lane and snapshot (training and held-out MSE and accuracy), as check_run_size counts
        return max(1, HISTORY_LIMIT_BYTES // (records * len(self.seeds) * 4 * 8))

    def task_lanes(self) -> int:
        """Lanes (seeds x learning rates) of the largest task ``tasks`` makes."""
        return min(len(self.axes["lr"]), self._lrs_that_fit(max(self.axes["epochs"]))) * len(self.seeds)

    def task_bytes(self, beans: int | None = None, test_beans: int | None = None) -> int:
        """Bytes the largest task allocates at its peak: every lr of a group, its seeds as lanes.

        ``beans``, ``test_beans``: instead of the grid's largest, to see whether fewer would fit.
        """
        records = snapshot_count(max(self.axes["epochs"]), self.snapshot_every)
        lanes = self.task_lanes()
        most_beans, most_test_beans = self._largest_bean_counts()
        beans = most_beans if beans is None else beans
        test_beans = most_test_beans if test_beans is None else test_beans
        return max(
            run_bytes(lanes, beans, test_beans, records, Shape(parse_hidden(hidden), activation), False, False)
            for hidden in self.axes["hidden"]
            for activation in self.axes["activation"][:1]  # the activation changes no size
        )

    def check_memory(self, processes: int = 1) -> None:
        """Refuse a sweep that would not fit in ``memory_limit()``, before any cell runs; GridError naming the option.

        Counted: every cell's record and table rows, kept here to the end, and ``processes``
        tasks at once on this machine (1 in this process, ``--workers`` on a local cluster, 0
        when every task runs on a remote cluster, whose memory is not known here).
        """
        limit = memory_limit()
        rows = self.n_cells * len(self.seeds) * SWEEP_ROW_BYTES + self.data_bytes()
        task = self.task_bytes()
        need = BASE_BYTES + rows + processes * task
        if need <= limit:
            return
        what = f"this sweep ({self.n_cells:,} cells x {len(self.seeds):,} seeds"
        if processes > 1 and BASE_BYTES + rows + task <= limit:
            option, advice = "--workers", "use fewer workers"
            what += f", {processes:,} workers, each with a task of {self.task_lanes():,} lanes)"
        elif BASE_BYTES + rows + processes * self.task_bytes(min(self._largest_bean_counts()[0], 100), 100) > limit:
            option, advice = "--seeds", "use fewer seeds, fewer learning rates or a smaller --hidden"
            what += f", up to {self.task_lanes():,} lanes trained at once)"
        else:
            beans, test_beans = self._largest_bean_counts()
            if self.files or self.test_data is not None:  # the counts are the files' rows
                option = "--data" if beans >= test_beans or self.test_data is None else "--test-data"
                advice = "use smaller files"
            else:
                option = "--beans" if beans >= test_beans else "--test-beans"
                advice = "use fewer beans" if option == "--beans" else "use fewer test beans"
            what += f", {beans:,} beans, {test_beans:,} test beans)"
        raise GridError(
            option,
            f"{what} would need about {need / 2**30:,.1f} GiB of memory, more than the "
            f"{limit / 2**30:,.1f} GiB it may use here; {advice}",
        )

    def varying(self) -> list[str]:
        """The axes with more than one value, in ``AXES`` order."""
        return [name for name in AXES if len(self.axes[name]) > 1]

    def cells(self) -> Iterator[dict[str, Any]]:
        """Every cell's settings, ``AXES`` order, the last axis varying fastest."""
        for values in itertools.product(*(self.axes[name] for name in AXES)):
            yield dict(zip(AXES, values, strict=True))

    def cell_steps(self, cell: dict[str, Any]) -> int:
        """SGD steps one cell takes over all its seeds: seeds x epochs x its training beans."""
        return len(self.seeds) * cell["epochs"] * self.bean_counts(cell)[0]

    @property
    def total_steps(self) -> int:
        return sum(self.cell_steps(cell) for cell in self.cells())

    def describe(self) -> dict[str, Any]:
        """The grid as plain JSON data: what a journal must match to be resumed."""
        return {
            "axes": {name: list(values) for name, values in self.axes.items()},
            "seed_start": self.seeds.start,
            "seeds": len(self.seeds),
            "test_beans": self.test_beans,
            "snapshot_every": self.snapshot_every,
            "converged_accuracy": self.converged_accuracy,
            # the bytes each cell's beans came from, so that a journal resumes on the same ones only
            "data_files": [self.files[path].describe() for path in self.axes["data"] if path is not None],
            "test_data": None if self.test_data is None else self.test_data.describe(),
            "test_share": self.test_share,
        }

    def tasks(self, cells: list[dict[str, Any]], min_tasks: int = 1) -> list[dict[str, Any]]:
        """Cut ``cells`` into tasks: cells sharing every setting but lr train together.

        A task holds one group's cells (its learning rates), split only to keep its history
        within ``HISTORY_LIMIT_BYTES`` or to make at least ``min_tasks`` tasks when there are
        enough cells. Returns plain data (``run_task``'s input), in grid order; a task of a data
        file carries its beans (``data``: float64 xs and ys), so that a worker needs no file.
        """
        groups: dict[tuple, list[float]] = {}
        for cell in cells:
            groups.setdefault(tuple(cell[name] for name in GROUP_KEY), []).append(cell["lr"])
        split = max(1, -(-min_tasks // max(len(groups), 1)))
        tasks = []
        for key, lrs in groups.items():
            settings = dict(zip(GROUP_KEY, key, strict=True))
            per_task = min(self._lrs_that_fit(settings["epochs"]), -(-len(lrs) // split))
            data = None if settings["data"] is None else self.files[settings["data"]]
            test_data = self.test_data
            for first in range(0, len(lrs), per_task):
                tasks.append(
                    {
                        "settings": settings,
                        "lrs": lrs[first : first + per_task],
                        "seed_start": self.seeds.start,
                        "seeds": len(self.seeds),
                        "test_beans": self.test_beans,
                        "snapshot_every": self.snapshot_every,
                        "converged_accuracy": self.converged_accuracy,
                        "train_beans": self.bean_counts(settings)[0],
                        "data": None if data is None else (data.xs, data.ys),
                        "test_data": None if test_data is None else (test_data.xs, test_data.ys),
                        "test_share": self.test_share,
                    }
                )
        return tasks


def cell_setting(cell: dict[str, Any], name: str) -> Any:
    """A cell's value on axis ``name``; a journal written before that axis existed holds its default."""
    return cell[name] if name in cell else DEFAULTS[name][0]


def cell_key(cell: dict[str, Any]) -> str:
    """A cell's settings as one canonical string (the journal's key, with the versions)."""
    return json.dumps({name: cell_setting(cell, name) for name in AXES}, sort_keys=True)


def task_cells(task: dict[str, Any]) -> list[dict[str, Any]]:
    """The cells a task trains, in its lane order."""
    return [{"lr": lr, **task["settings"]} for lr in task["lrs"]]


def differences(journal: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """How two ``Grid.describe()`` documents differ, one phrase per option: ``--lr 0.1,0.3 (journal: 0.1)``.

    A journal from before an entry existed holds its default. A data file that is named in both
    but whose bytes differ is ``--data a.csv changed since the journal was written``.
    """
    out = []
    for name in AXES:
        was, now_values = journal.get("axes", {}).get(name, list(DEFAULTS[name])), now["axes"][name]
        if was != now_values:
            shown = "missing" if was is None else show_values(tuple(was)) or "none"
            out.append(f"{option_name(name)} {show_values(tuple(now_values)) or 'none'} (journal: {shown})")
    for name in ("seed_start", "seeds", "test_beans", "snapshot_every", "converged_accuracy", "test_share"):
        if journal.get(name) != now[name]:
            out.append(f"{option_name(name)} {now[name]} (journal: {journal.get(name)})")
    files_before = journal.get("data_files")
    files_before = files_before if isinstance(files_before, list) else []
    before = {_file_path(f): f for f in [*files_before, journal.get("test_data")]}
    for option, files in (("--data", now["data_files"]), ("--test-data", [now["test_data"]])):
        for file in files:
            if file is None:
                continue
            was = before.get(file["path"])
            if was is None and option == "--test-data":
                out.append(f"--test-data {file['path']} (journal: {_file_path(journal.get('test_data')) or 'none'})")
            elif was is not None and was != file:
                out.append(
                    f"{option} {file['path']} changed since the journal was written "
                    f"(SHA-256 {file['sha256'][:12]}, journal: {str(was.get('sha256'))[:12]})"
                )
    if now["test_data"] is None and journal.get("test_data") is not None:
        out.append(f"--test-data none (journal: {_file_path(journal['test_data'])})")
    return out


def _file_path(described: Any) -> str | None:
    """The path of a file as ``BeanData.describe`` recorded it; None for none (or a damaged entry)."""
    return described.get("path") if isinstance(described, dict) else None
