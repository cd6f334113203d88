"""``TrainConfig``: what to train, checked on construction, and the limits of a run.

Every setting has one name here, used by the driver, the results file and the command line
(``snapshot_every`` is ``--snapshot-every``). The size limits live with the settings they
limit, so any front end (the CLI, a notebook, a sweep) refuses a run that would not fit
before anything is allocated. numpy only: the command line imports this for its help text.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .kernels.checks import check_curve, check_epochs, check_int, check_lr, check_noise, check_threads, parse_init
from .kernels.shape import Shape

if TYPE_CHECKING:
    import numpy as np

    from .bean_files import BeanData

ENGINES = ("jit", "python")  # jit: numba kernels; python: the pure-Python reference loop

# A billion epochs of 100 beans take hours per seed already; past 1e12 the epoch arithmetic
# would near int64's range.
MAX_EPOCHS = 10**12
# The loss plot and the GIF (thinned to 120 frames) gain nothing from more snapshots than this.
MAX_SNAPSHOTS = 100_000
# Parameter, loss and accuracy history, (R, S, P) + 2 x (S, R) float64; the peak is about twice this.
HISTORY_LIMIT_BYTES = 2 * 2**30
# What a run allocates, per seed, on top of its history (peaks measured with tracemalloc over
# whole `beans train` runs of 5,000 and 10,000 seeds, then rounded up; see check_memory):
SEED_BYTES = 2048  # its rows in every array, its entry in results.json and the table
# Copies of a seed's parameters alive at once: the starts, the kernel's blocks, the final rows,
# the result's, and the temporaries of making and ranking them.
PARAM_COPIES = 6
# Per training or held-out bean, in floats: evaluation keeps every layer's (S, width, n) outputs
# and two layer-wide temporaries, plus the seed's prediction and error (see run_bytes).
EVAL_SPARE_FLOATS = 2
SEED_RECORD_BYTES = 128  # per snapshot: the four histories (training and held-out MSE and accuracy), copies, JSON
SEED_PLOT_BYTES = 24 * 1024  # the fit and loss plots draw one line per seed
BEAN_BYTES = 64  # per bean, once: the beans and the grid they are drawn on
# Per bean of `beans data`'s scatter plot and CSV line (matplotlib keeps each point's offsets,
# colours and path; the CSV holds one repr-precision row).
DATA_BEAN_BYTES = 512
BASE_BYTES = 256 * 2**20  # numba, matplotlib and the GIF's frames, whatever the size of the run
# A sweep keeps every cell's record and writes each cell and seed as a row of seeds.csv,
# cells.csv and cells.json: per seed of a cell, its numbers as Python objects and as text.
SWEEP_ROW_BYTES = 1024
# ``beans predict`` reads at most this much of a model file (a results.json of a million seeds
# is well under it), so /dev/zero or an endless FIFO ends in an error, not in swap.
MODEL_LIMIT_BYTES = 2**30
# A run may plan to use at most this share of the machine's memory (or its cgroup's limit).
MEMORY_SHARE = 0.8


class ConfigError(ValueError):
    """A setting that cannot be trained; ``setting`` names it (a TrainConfig field)."""

    def __init__(self, setting: str, message: str):
        super().__init__(message)
        self.setting = setting


def snapshot_count(epochs: int, snapshot_every: int) -> int:
    """How many snapshots a run records: epoch 0, every ``snapshot_every`` epochs, and the last."""
    return 1 if epochs == 0 else -(-epochs // snapshot_every) + 1


def snapshot_schedule(epochs: int, snapshot_every: int) -> np.ndarray:
    """The epochs at which snapshots are taken: 0, K, 2K, ..., epochs. int64 (snapshot_count,)."""
    import numpy as np  # here, not at import: `beans --help` loads this module

    return np.unique(np.append(np.arange(0, epochs, snapshot_every, dtype=np.int64), np.int64(epochs)))


def check_run_size(seeds: int, epochs: int, snapshot_every: int, n_params: int, record_params: bool) -> None:
    """Refuse a run whose snapshots or history would not fit, before any of it is allocated.

    A run keeps every seed's loss and accuracy, on the training and the held-out beans, at every
    snapshot, 4 x (S, R) float64, and with ``record_params`` its parameters too, (R, S, P);
    they are copied once when the run ends, so the peak is about
    twice this size. Raises ConfigError naming the setting to change.
    """
    records = snapshot_count(epochs, snapshot_every)
    if records > MAX_SNAPSHOTS:
        at_least = -(-epochs // (MAX_SNAPSHOTS - 1))
        raise ConfigError(
            "snapshot_every",
            f"{epochs:,} epochs recorded every {snapshot_every:,} make {records:,} snapshots, more than "
            f"{MAX_SNAPSHOTS:,}; record every {at_least:,} epochs or more",
        )
    needed = records * seeds * ((n_params if record_params else 0) + 4) * 8
    if needed > HISTORY_LIMIT_BYTES:
        kept = "parameter, loss and accuracy" if record_params else "loss and accuracy"
        raise ConfigError(
            "seeds",
            f"{seeds:,} seeds x {records:,} snapshots need {needed / 2**30:,.1f} GiB of {kept} history, "
            f"more than {HISTORY_LIMIT_BYTES / 2**30:.0f} GiB; use fewer seeds or record snapshots less often",
        )


def _read_small(path: Path, limit: int = 1 << 16) -> str | None:
    """The start of a small system file (at most ``limit`` bytes), or None if it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read(limit).decode("ascii", errors="replace")
    except OSError:
        return None


def _cgroup_dirs(root: Path) -> list[tuple[Path, Path, str]]:
    """(mount point, this process's folder under it, limit file name) for every memory cgroup hierarchy.

    cgroup v2 (a ``cgroup2`` mount, ``memory.max``) and v1 (a ``cgroup`` mount with the memory
    controller, ``memory.limit_in_bytes``), read from ``root``'s /proc/self files. A container
    often sees only its own cgroup mounted, at a path that ``/proc/self/cgroup`` names from the
    host's side: then the mount point itself is the folder.
    """
    own = {}  # controller list ("" for v2) -> this process's cgroup path
    for line in (_read_small(root / "proc/self/cgroup") or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            own[parts[1]] = parts[2]
    found = []
    for line in (_read_small(root / "proc/self/mountinfo", 1 << 20) or "").splitlines():
        fields = line.split(" - ", 1)
        before, after = fields[0].split(), fields[1].split() if len(fields) == 2 else []
        if len(before) < 5 or len(after) < 3:
            continue
        mount_root, mount_point, kind, options = before[3], root / before[4].lstrip("/"), after[0], after[2]
        if kind == "cgroup2":
            path, name = own.get(""), "memory.max"
        elif kind == "cgroup" and "memory" in options.split(","):
            path = next((p for c, p in own.items() if "memory" in c.split(",")), None)
            name = "memory.limit_in_bytes"
        else:
            continue
        relative = os.path.relpath(path, mount_root) if path is not None else "."
        inside = mount_point / relative if not relative.startswith("..") else mount_point
        found.append((mount_point, inside if inside.is_dir() else mount_point, name))
    return found


def cgroup_limit(root: Path = Path("/")) -> int | None:
    """The tightest memory limit of this process's cgroups (v1 and v2, every ancestor), or None."""
    limits = []
    for mount_point, folder, name in _cgroup_dirs(root):
        for candidate in (folder, *folder.parents):
            text = (_read_small(candidate / name) or "").strip()
            if text.isdigit():  # "max" (v2) means no limit; v1 shows no limit as a huge number
                limits.append(int(text))
            if candidate == mount_point or mount_point not in candidate.parents:
                break
    return min(limits) if limits else None


def machine_memory() -> int | None:
    """Bytes of physical memory, or None if the system will not say."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory_limit(root: Path = Path("/")) -> int:
    """Bytes a run may plan to use: ``MEMORY_SHARE`` of the machine's memory or of its cgroups' tightest limit."""
    known = [size for size in (machine_memory(), cgroup_limit(root)) if size]
    total = min(known) if known else 8 * 2**30  # if the system will not say
    return int(total * MEMORY_SHARE)


def run_bytes(
    seeds: int, beans: int, test_beans: int, records: int, shape: Shape, record_params: bool, plots: bool
) -> int:
    """Bytes a run of this size allocates at its peak, by the figures above (an upper estimate)."""
    widths = shape.layer_sizes[1:]
    per_bean = 8 * (sum(widths) + 2 * max(widths) + EVAL_SPARE_FLOATS)
    per_seed = (
        SEED_BYTES
        + PARAM_COPIES * 8 * shape.n_params
        + per_bean * max(beans, test_beans)  # training and held-out beans are evaluated in turn
        + SEED_RECORD_BYTES * records
        + (2 * 8 * records * shape.n_params if record_params else 0)  # the history and its copy
        + (SEED_PLOT_BYTES if plots else 0)
    )
    return BASE_BYTES + BEAN_BYTES * (beans + test_beans) + seeds * per_seed


def _too_big(need: int, limit: int, what: str, advice: str) -> str:
    return (
        f"{what} would need about {need / 2**30:,.1f} GiB of memory, more than the {limit / 2**30:,.1f} GiB "
        f"it may use here; {advice}"
    )


def check_memory(config: TrainConfig, plots: bool = False) -> None:
    """Refuse, before anything is allocated, a run that would not fit in ``memory_limit()``.

    ``plots``: the command line also draws every seed in its plots. Raises ConfigError naming
    the setting that makes the run too big: ``seeds`` unless the run would fit with the
    lesson's beans and snapshots, else the biggest of ``beans``, ``test_beans`` and
    ``snapshot_every``.
    """
    seeds, records = len(config.seeds), snapshot_count(config.epochs, config.snapshot_every)
    shape = config.shape
    args = (config.beans, config.test_beans, records, shape, config.record_params, plots)
    need, limit = run_bytes(seeds, *args), memory_limit()
    if need <= limit:
        return
    lesson = (min(config.beans, 100), min(config.test_beans, 100), min(records, 51), shape, config.record_params, plots)
    if run_bytes(seeds, *lesson) > limit:
        setting, advice = "seeds", "use fewer seeds" + (" or a smaller --hidden" if shape.n_params > 7 else "")
    else:
        parts = {
            "beans": (config.beans, "use fewer beans"),
            "test_beans": (config.test_beans, "use fewer test beans"),
            "snapshot_every": (records, "record snapshots less often"),
        }
        setting = max(parts, key=lambda name: parts[name][0])
        advice = parts[setting][1]
    what = (
        f"this run ({seeds:,} seeds of {shape.n_params:,} parameters, {config.beans:,} beans, "
        f"{config.test_beans:,} test beans, {records:,} snapshots)"
    )
    raise ConfigError(setting, _too_big(need, limit, what, advice))


def check_data_memory(beans: int) -> None:
    """Refuse, before any bean is drawn, ``beans data`` of more beans than fit; ConfigError for ``beans``."""
    need, limit = BASE_BYTES + beans * (BEAN_BYTES + DATA_BEAN_BYTES), memory_limit()
    if need > limit:
        raise ConfigError("beans", _too_big(need, limit, f"drawing {beans:,} beans", "draw fewer beans"))


def _max_threads() -> int:
    from .kernels.many import max_threads  # numba; only when a thread count is given

    return max_threads()


@dataclass(frozen=True)
class TrainConfig:
    """What to train: the lesson's settings by default.

    ``seeds`` may be any sequence of ints >= 0; a ``range`` stays a range, so a huge run is
    refused by its size before a tuple of its seeds is ever built.
    """

    seeds: Sequence[int] = (0,)
    epochs: int = 5000
    lr: float = 0.03
    beans: int = 100
    data_seed: int = 0
    noise: float = 1.0  # scale of the lesson's noise term in the beans' labels; 1: the lesson's
    snapshot_every: int = 100
    threads: int | None = None
    engine: str = "jit"
    converged_accuracy: float = 0.95
    test_beans: int = 100
    record_params: bool = True
    hidden: tuple[int, ...] = (2,)  # hidden layer widths: (2,) is the lesson's 1-2-1
    activation: str = "sigmoid"  # of the hidden neurons; the output neuron is always a sigmoid
    init: str = "lesson"  # how start values are drawn (kernels.checks.INITS); lesson: uniform [0, 1)
    curve: str = "hill"  # the drawn beans' toxicity curve (kernels.checks.CURVES); hill: the lesson's
    # Beans from files (beans.bean_files.read_beans_csv). With ``data`` the training beans are the
    # file's: ``beans`` becomes its count and ``curve`` and ``noise`` draw nothing. Held-out beans
    # then come from ``test_data`` or a ``test_share`` of the file (rows chosen by ``data_seed``),
    # or there are none; ``test_beans`` becomes their count.
    data: BeanData | None = None
    test_data: BeanData | None = None
    test_share: float | None = None

    def __post_init__(self):
        seeds = self.seeds if isinstance(self.seeds, range) else tuple(self.seeds)
        object.__setattr__(self, "seeds", seeds)
        if not seeds:
            raise ConfigError("seeds", "seeds must name at least one seed")
        object.__setattr__(self, "init", _checked("init", parse_init, self.init))
        _checked("curve", check_curve, self.curve)
        self._count_file_beans()
        _checked("epochs", check_epochs, self.epochs)
        if self.epochs > MAX_EPOCHS:
            raise ConfigError("epochs", f"epochs must be <= {MAX_EPOCHS:,}, got {self.epochs:,}")
        _checked("snapshot_every", check_int, self.snapshot_every, "snapshot_every", 1)
        try:
            shape = Shape(self.hidden, self.activation)
        except ValueError as err:
            raise ConfigError("activation" if "activation" in str(err) else "hidden", str(err)) from None
        object.__setattr__(self, "hidden", shape.hidden)
        check_run_size(len(seeds), self.epochs, self.snapshot_every, shape.n_params, self.record_params)
        _checked("beans", check_int, self.beans, "beans", 2)
        _checked("test_beans", check_int, self.test_beans, "test_beans", 0)
        check_memory(self)  # the held-out beans too, before any of them is drawn
        for seed in seeds if not isinstance(seeds, range) else (min(seeds), max(seeds)):
            _checked("seeds", check_int, seed, "seeds", 0)
        _checked("lr", check_lr, self.lr)
        _checked("data_seed", check_int, self.data_seed, "data_seed", 0)
        _checked("noise", check_noise, self.noise)
        if self.threads is not None:
            _checked("threads", check_threads, self.threads, _max_threads())
        if self.engine not in ENGINES:
            raise ConfigError("engine", f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        if not 0 <= self.converged_accuracy <= 1:
            raise ConfigError(
                "converged_accuracy", f"converged_accuracy must be in [0, 1], got {self.converged_accuracy}"
            )

    def _count_file_beans(self) -> None:
        """Set ``beans`` and ``test_beans`` to the counts the files and the split give."""
        if self.test_share is not None:
            if self.data is None:
                raise ConfigError(
                    "test_share", "test_share splits a data file; the drawn beans hold out test_beans of their own"
                )
            if self.test_data is not None:
                raise ConfigError("test_share", "give test_data or test_share, not both")
            if not 0 < self.test_share < 1:
                raise ConfigError("test_share", f"test_share must be between 0 and 1, got {self.test_share}")
            from .bean_files import held_out_count

            held = _checked("test_share", held_out_count, self.data.size, self.test_share)
            object.__setattr__(self, "beans", self.data.size - held)
            object.__setattr__(self, "test_beans", held)
            return
        if self.data is not None:
            object.__setattr__(self, "beans", self.data.size)
            object.__setattr__(self, "test_beans", 0)
        if self.test_data is not None:
            object.__setattr__(self, "test_beans", self.test_data.size)

    def bean_sets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The training and held-out beans: (xs, ys, test_xs, test_ys), float64, held-out ones maybe empty.

        Drawn by ``kernels.data.get_beans`` (held-out ones from ``test_data_seed``) or taken
        from the files.
        """
        import numpy as np

        from .kernels.data import get_beans

        if self.data is not None and self.test_share is not None:
            from .bean_files import split_beans

            return split_beans(self.data.xs, self.data.ys, self.test_share, self.data_seed)
        if self.data is not None:
            xs, ys = self.data.xs, self.data.ys
        else:
            xs, ys = get_beans(self.beans, self.data_seed, self.noise, self.curve)
        if self.test_data is not None:
            test_xs, test_ys = self.test_data.xs, self.test_data.ys
        elif self.test_beans and self.data is None:
            test_xs, test_ys = get_beans(self.test_beans, self.test_data_seed, self.noise, self.curve)
        else:
            test_xs = test_ys = np.empty(0)
        return xs, ys, test_xs, test_ys

    @property
    def shape(self) -> Shape:
        """The network: ``hidden`` and ``activation`` as one ``Shape``."""
        return Shape(self.hidden, self.activation)

    @property
    def test_data_seed(self) -> int:
        """The held-out beans come from the next data seed: same distribution, other draws."""
        return self.data_seed + 1

    @property
    def snapshot_epochs(self) -> np.ndarray:
        """The epochs at which every seed's loss (and parameters) are recorded. int64 (R,)."""
        return snapshot_schedule(self.epochs, self.snapshot_every)


def _checked(setting: str, check, *args):
    """Run one of ``beans.checks``' checks, reporting a failure as a ConfigError for ``setting``."""
    try:
        return check(*args)
    except ValueError as err:
        raise ConfigError(setting, str(err)) from None
