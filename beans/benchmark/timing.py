"""The timing behind ``beans bench``: engines, the agreement check, and per-step timings.

Every engine trains the same (S, P) start parameters on the same beans: the lesson's 1-2-1
(P = 7) unless the workload names another ``Shape``, which only some engines train
(``engines.ANY_SHAPE``; ``python`` is then the reference and the baseline). Before it is timed,
each engine runs a short common workload whose result is compared with ``sgd_python``
(``sgd_python`` at another shape); an
engine that disagrees is reported as wrong and gets no speedup. Slow engines are timed on
fewer epochs, chosen from a calibration run so that one repeat lasts about ``budget_s``;
every figure is reported per SGD step (one sample of one seed), so the rows compare.

Compile times are measured the only honest way: the first call in a fresh interpreter with a
fresh, empty ``NUMBA_CACHE_DIR`` (compile), then again in another fresh interpreter with that
same directory (cached load).

No printing here: the command passes a callback for progress.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import ClassVar

import numpy as np

from .. import kernels
from ..config import TrainConfig
from ..kernels._cpu import wide_vectors
from ..kernels.shape import Shape
from . import c_reference
from .baselines import sgd_numpy
from .engines import ABOUT, ANY_SHAPE, BASELINE, LESSON_ONLY, SHAPE_BASELINE

AGREE_TOL = 1e-9  # max |difference| from sgd_python on the common workload, any parameter
# the common workload: up to 64 seeds (enough to fill every SIMD block and its tail) x 3 epochs
AGREE_SEEDS, AGREE_EPOCHS = 64, 3
CALIBRATE_S = 0.02  # a calibration run shorter than this is too noisy to extrapolate from

TrainFn = Callable[[np.ndarray, np.ndarray, np.ndarray, int, float], np.ndarray]


@dataclass(frozen=True)
class Workload:
    """What every engine trains: ``seeds`` start parameter sets on ``beans`` beans; the lesson's by default.

    ``hidden`` and ``activation`` name the network (``Shape``); the lesson's 1-2-1 sigmoid by default.
    """

    seeds: int
    epochs: int = TrainConfig.epochs
    beans: int = TrainConfig.beans
    lr: float = TrainConfig.lr
    data_seed: int = TrainConfig.data_seed
    hidden: tuple[int, ...] = (2,)
    activation: str = "sigmoid"

    @property
    def shape(self) -> Shape:
        return Shape(self.hidden, self.activation)

    @property
    def lesson(self) -> bool:
        """True for the lesson's 1-2-1 sigmoid net, which every engine trains."""
        return self.shape == Shape()

    def data(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(params (S, P), xs (n,), ys (n,)): seeds 0..S-1 (``init_params_many``) and the lesson's beans."""
        xs, ys = kernels.get_beans(self.beans, self.data_seed)
        return kernels.init_params_many(range(self.seeds), self.shape), xs, ys


@dataclass
class Engine:
    """An engine run in this process: ``train`` maps (S, 7) start params to (S, 7) results.

    ``probe`` is Python source run in a fresh interpreter to time a JIT engine's first call
    (it must print the seconds of that call); engines sharing a probe share the measurement.
    """

    name: str
    about: str
    train: TrainFn
    threads: int = 1
    jit: bool = False
    probe: str | None = None

    def available(self) -> str | None:
        """None when the engine can run here, else a one-line reason it cannot."""
        return None

    def measure(
        self, params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float, repeat: int
    ) -> tuple[list[float], np.ndarray]:
        """Seconds of each of ``repeat`` runs from the same start, and the last run's result."""
        seconds, out = [], None
        for _ in range(repeat):
            start = time.perf_counter()
            out = self.train(params, xs, ys, epochs, lr)
            seconds.append(time.perf_counter() - start)
        return seconds, out


@dataclass
class CEngine:
    """The C reference (``sgd_c.c``), built on first use; it times itself (no process start-up).

    Not an :class:`Engine`: it has no Python training function, only a binary to run, and it
    is always single-threaded and never a JIT (hence no compile probe).
    """

    name: str
    about: str
    variant: str  # c_reference.VARIANTS
    hidden: int | None = None  # a 1-H-1 sigmoid build (c_reference.build's hidden); None: the lesson's loops
    threads: ClassVar[int] = 1
    jit: ClassVar[bool] = False
    probe: ClassVar[str | None] = None
    _binary: c_reference.CBinary | None = field(default=None, init=False, repr=False)
    _why_not: str | None = field(default=None, init=False, repr=False)

    @property
    def built(self) -> c_reference.CBinary | None:
        """The binary if it has been built (by :meth:`available` or a run), else None."""
        return self._binary

    def binary(self) -> c_reference.CBinary:
        """The built binary, building it on first call; CUnavailable (every call) if it cannot be."""
        if self._binary is None and self._why_not is None:
            try:
                self._binary = c_reference.build(self.variant, hidden=self.hidden)
            except c_reference.CUnavailable as err:
                self._why_not = str(err)
        if self._binary is None:
            raise c_reference.CUnavailable(self._why_not)
        return self._binary

    def available(self) -> str | None:
        """None when the binary builds here, else a one-line reason it cannot."""
        try:
            self.binary()
        except c_reference.CUnavailable as err:
            return str(err)
        return None

    def measure(
        self, params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float, repeat: int
    ) -> tuple[list[float], np.ndarray]:
        """Seconds of each of ``repeat`` runs (timed inside the binary), and the last run's result."""
        return self.binary().run(params, xs, ys, epochs, lr, repeat)


AnyEngine = Engine | CEngine


def seed_by_seed(fn: Callable[..., np.ndarray]) -> TrainFn:
    """A one-seed loop applied to every row in turn."""

    def train(params, xs, ys, epochs, lr):
        return np.stack([fn(row, xs, ys, epochs, lr) for row in params])

    return train


def run_time_shaped_at(threads: int, shape: Shape) -> TrainFn:
    """The run-time-shaped lane kernel (``kernels.choice``) on a fixed number of threads, whatever the net."""
    from ..kernels.choice import run_time_shaped_module
    from ..kernels.many import train_rows_inplace

    def train(params, xs, ys, epochs, lr):
        out = np.array(params, dtype=np.float64, order="C")
        train_rows_inplace(out, xs, ys, epochs, lr, threads, shape, module=run_time_shaped_module())
        return out

    return train


def many_at(threads: int) -> TrainFn:
    """``sgd_many`` on a fixed number of threads."""

    def train(params, xs, ys, epochs, lr):
        return kernels.sgd_many(params, xs, ys, epochs, lr, threads=threads)

    return train


_PROBE = """
import json, time
from beans import kernels
xs, ys = kernels.get_beans(10, 0)
params = kernels.init_params_many([0, 1])
start = time.perf_counter()
{call}
print(json.dumps(time.perf_counter() - start))
"""
PROBE_JIT = _PROBE.format(call="kernels.sgd_jit(params[0], xs, ys, 1, 0.03)")
PROBE_MANY = _PROBE.format(call="kernels.sgd_many(params, xs, ys, 1, 0.03)")
_PROBE_ANY = """
import json, time
from beans import kernels
from beans.kernels.shape import Shape
shape = Shape({hidden!r}, {activation!r})
xs, ys = kernels.get_beans(10, 0)
params = kernels.init_params_many([0, 1], shape)
start = time.perf_counter()
{call}
print(json.dumps(time.perf_counter() - start))
"""
_CALL_ANY = "kernels.sgd_many(params, xs, ys, 1, 0.03, shape)"
_CALL_RTS = (
    "from beans.kernels.choice import run_time_shaped_module; from beans.kernels.many import train_rows_inplace;"
    " train_rows_inplace(params, xs, ys, 1, 0.03, 1, shape, module=run_time_shaped_module())"
)
PROBE_RTS = _PROBE_ANY.format(hidden=(2,), activation="sigmoid", call=_CALL_RTS)


def default_engines() -> dict[str, AnyEngine]:
    """Every engine ``beans bench`` knows, in ``engines.ABOUT``'s order (C rows are skipped without a compiler)."""
    all_threads = kernels.max_threads()
    how = {
        BASELINE: dict(train=seed_by_seed(kernels.sgd_lesson)),
        "python": dict(train=seed_by_seed(kernels.sgd_python)),
        "numpy": dict(train=sgd_numpy),
        "jit": dict(train=seed_by_seed(kernels.sgd_jit), jit=True, probe=PROBE_JIT),
        "jit-many-1": dict(train=many_at(1), jit=True, probe=PROBE_MANY),
        "jit-many-all": dict(train=many_at(all_threads), threads=all_threads, jit=True, probe=PROBE_MANY),
        "jit-many-rts": dict(
            train=run_time_shaped_at(all_threads, Shape()), threads=all_threads, jit=True, probe=PROBE_RTS
        ),
        "c-scalar": dict(variant="scalar"),
        "c-lanes": dict(variant="lanes"),
    }
    return {
        name: (CEngine if "variant" in how[name] else Engine)(name, about, **how[name]) for name, about in ABOUT.items()
    }


ENGINES: dict[str, AnyEngine] = default_engines()


def shape_engines(shape: Shape) -> tuple[dict[str, AnyEngine], dict[str, str]]:
    """The engines that train ``shape`` (not the lesson's), in table order, and why each other one sits out.

    ``python`` runs ``sgd_python`` (the agreement reference, and the baseline),
    ``jit-many-*`` ``sgd_many``; ``c-lanes`` is the 1-H-1 C build, for one hidden layer
    of sigmoid neurons only.
    """
    all_threads = kernels.max_threads()
    probe = _PROBE_ANY.format(hidden=shape.hidden, activation=shape.activation, call=_CALL_ANY)
    # the run-time-shaped kernel is one for every shape: its compile time is the same at any
    rts_probe = _PROBE_ANY.format(hidden=shape.hidden, activation=shape.activation, call=_CALL_RTS)

    def python(params, xs, ys, epochs, lr):
        return np.stack([kernels.sgd_python(row, xs, ys, epochs, lr, shape) for row in params])

    def many_any_at(threads: int) -> TrainFn:
        def train(params, xs, ys, epochs, lr):
            return kernels.sgd_many(params, xs, ys, epochs, lr, shape, threads=threads)

        return train

    chosen: dict[str, AnyEngine] = {
        SHAPE_BASELINE: Engine(SHAPE_BASELINE, ANY_SHAPE[SHAPE_BASELINE], python),
        "jit-many-1": Engine("jit-many-1", ANY_SHAPE["jit-many-1"], many_any_at(1), jit=True, probe=probe),
        "jit-many-all": Engine(
            "jit-many-all", ANY_SHAPE["jit-many-all"], many_any_at(all_threads), all_threads, jit=True, probe=probe
        ),
        "jit-many-rts": Engine(
            "jit-many-rts",
            ANY_SHAPE["jit-many-rts"],
            run_time_shaped_at(all_threads, shape),
            all_threads,
            jit=True,
            probe=rts_probe,
        ),
    }
    left_out = dict(LESSON_ONLY)
    if len(shape.hidden) == 1 and shape.activation == "sigmoid":
        chosen["c-lanes"] = CEngine("c-lanes", ANY_SHAPE["c-lanes"], "lanes", hidden=shape.hidden[0])
    else:
        why = f"sgd_c.c's lanes loop is built for one hidden layer of sigmoid neurons only, not a {shape}"
        left_out["c-lanes"] = why
    return chosen, left_out


@dataclass
class Result:
    """One engine's row. Times in seconds except ``ns_per_step``; None where not measured."""

    name: str
    about: str
    threads: int
    agrees: bool | None = None
    max_abs_diff: float | None = None
    epochs: int | None = None
    steps: int | None = None
    ns_per_step: float | None = None
    steps_per_s: float | None = None
    speedup: float | None = None
    seconds: list[float] = field(default_factory=list)
    compile_s: float | None = None
    cached_s: float | None = None
    error: str | None = None

    def to_json(self) -> dict:
        """The row as a dict for strict JSON: NaN and inf (no JSON number) become None."""
        return {key: _finite_or_none(value) for key, value in asdict(self).items()}


def _finite_or_none(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite_or_none(v) for v in value]
    return value


def agreement(
    engine: AnyEngine, params: np.ndarray, xs: np.ndarray, ys: np.ndarray, lr: float, shape: Shape | None = None
) -> float:
    """Largest |engine - reference| over the common workload (inf if NaN/inf appear in one only).

    The reference is ``sgd_python`` at the workload's shape.
    """
    params = params[:AGREE_SEEDS]
    _, got = engine.measure(params, xs, ys, AGREE_EPOCHS, lr, 1)
    want = _reference(params, xs, ys, lr, shape or Shape())
    got = np.asarray(got, dtype=np.float64)
    if got.shape != want.shape:
        return float("inf")
    same_nonfinite = (~np.isfinite(got) & (got == want)) | (np.isnan(got) & np.isnan(want))
    diff = np.where(same_nonfinite, 0.0, np.abs(got - want))
    return float(np.nan_to_num(diff, nan=np.inf, posinf=np.inf).max())  # nan_to_num alone turns inf finite


_references: dict[tuple, np.ndarray] = {}


def _reference(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, lr: float, shape: Shape) -> np.ndarray:
    """The agreement reference for ``params`` (S, P), computed once per workload: it is slow at wide shapes."""
    key = (shape, params.tobytes(), xs.tobytes(), ys.tobytes(), lr)
    if key not in _references:
        _references.clear()  # one workload per run: keep one answer
        _references[key] = np.stack([kernels.sgd_python(row, xs, ys, AGREE_EPOCHS, lr, shape) for row in params])
    return _references[key]


def timed_epochs(engine: AnyEngine, params, xs, ys, work: Workload, budget_s: float) -> int:
    """Epochs so that one timed run lasts about ``budget_s`` (at most the workload's epochs)."""
    epochs = 1
    while True:
        seconds, _ = engine.measure(params, xs, ys, epochs, work.lr, 1)
        elapsed = max(seconds[0], 1e-9)
        if elapsed >= CALIBRATE_S or epochs >= work.epochs:
            break
        epochs = min(work.epochs, epochs * 10)
    per_epoch = elapsed / epochs
    return int(max(1, min(work.epochs, budget_s // per_epoch)))


def first_call_seconds(probe: str, cache_dir: str) -> float:
    """Run ``probe`` in a fresh interpreter whose numba cache is ``cache_dir``; its first-call seconds."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=600, check=False
    )
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"compile probe failed: {tail}")
    return float(json.loads(done.stdout.strip().splitlines()[-1]))


def compile_times(probe: str) -> tuple[float, float]:
    """(compile, cached load) seconds of a probe's first call: empty cache, then the cache it left."""
    with tempfile.TemporaryDirectory(prefix="beans-bench-numba-") as cache_dir:
        return first_call_seconds(probe, cache_dir), first_call_seconds(probe, cache_dir)


def run_engine(
    engine: AnyEngine,
    work: Workload,
    data: tuple[np.ndarray, np.ndarray, np.ndarray],
    repeat: int,
    budget_s: float,
) -> Result:
    """Check one engine's agreement, then time it; errors end up in ``Result.error``, not raised."""
    params, xs, ys = data
    result = Result(engine.name, engine.about, engine.threads)
    try:
        result.max_abs_diff = agreement(engine, params, xs, ys, work.lr, work.shape)
        result.agrees = result.max_abs_diff <= AGREE_TOL
        result.epochs = timed_epochs(engine, params, xs, ys, work, budget_s)
        result.seconds, _ = engine.measure(params, xs, ys, result.epochs, work.lr, repeat)
    except Exception as err:  # noqa: BLE001 - one broken engine must not sink the whole table
        result.agrees = False
        result.error = f"{type(err).__name__}: {err}".splitlines()[0]
        return result
    result.steps = work.seeds * result.epochs * work.beans
    median = statistics.median(result.seconds)
    result.ns_per_step = median / result.steps * 1e9
    result.steps_per_s = result.steps / median if median > 0 else float("inf")
    return result


def add_speedups(results: list[Result], baseline: str = BASELINE) -> None:
    """Speedup over ``baseline`` for engines that agree, when the baseline ran and agrees."""
    base = next((r for r in results if r.name == baseline), None)
    if base is None or not base.agrees or not base.ns_per_step:
        return
    for r in results:
        if r.agrees and r.ns_per_step:
            r.speedup = base.ns_per_step / r.ns_per_step


def add_compile_times(engines: list[AnyEngine], results: list[Result], progress: Callable[[str], None]) -> None:
    """Fill compile_s / cached_s of JIT rows, measuring each distinct probe once."""
    measured: dict[str, tuple[float, float] | str] = {}
    for engine, result in zip(engines, results, strict=True):
        if not engine.jit or engine.probe is None:
            continue
        if engine.probe not in measured:
            progress(f"{engine.name}: compile time in fresh interpreters")
            try:
                measured[engine.probe] = compile_times(engine.probe)
            except (RuntimeError, OSError, subprocess.TimeoutExpired, ValueError) as err:
                measured[engine.probe] = str(err)
        got = measured[engine.probe]
        if isinstance(got, str):
            result.error = result.error or got
        else:
            result.compile_s, result.cached_s = got


def environment(engines: list[AnyEngine]) -> dict:
    """Versions and machine facts stored with a run; ``cc_flags`` maps each built C engine to its flags."""
    from ..results import versions

    env = {
        **versions(),  # beans, numba, numpy: the same set results.json records
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "numba_threads": kernels.max_threads(),
        "numba_threading_layer": threading_layer(),
        "numba_cpu": os.environ.get("NUMBA_CPU_NAME") or llvm_cpu_name(),
        "numba_512_bit": wide_vectors(),  # 512-bit vectors allowed (kernels._cpu)
    }
    for engine in engines:
        if isinstance(engine, CEngine) and engine.built is not None:
            env["cc"] = engine.built.compiler_version
            env.setdefault("cc_flags", {})[engine.name] = " ".join(engine.built.flags)
    return env


def llvm_cpu_name() -> str:
    """The CPU LLVM compiles for when numba is not told one."""
    import llvmlite.binding as llvm

    return llvm.get_host_cpu_name()


def threading_layer() -> str:
    """The threading layer numba chose (known once a parallel kernel has run), else the requested one."""
    from ..kernels._jit import numba

    try:
        return numba.threading_layer()
    except ValueError:
        return str(numba.config.THREADING_LAYER)


def cpu_model() -> str:
    """The CPU's model name (Linux /proc/cpuinfo), else what platform reports."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
