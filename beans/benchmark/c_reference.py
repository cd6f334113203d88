"""The C reference loop (``sgd_c.c``, package data beside this module): compiled at bench time.

``beans bench`` shows it as ``c-scalar`` and ``c-lanes`` rows so users can see how close the
numba kernels come to what a C compiler makes of the same loop. Each variant is its own build
(their flags differ, see ``CONTRACT``), cached in ``~/.cache/beans`` (or a private per-user
temporary folder) under a name derived from the source, the compiler and the flags, so it is
built once per change. When there is no compiler (or the source is missing), :func:`build`
raises :class:`CUnavailable` with a one-line reason.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..kernels.private_dir import make_private, private_dir

SOURCE = Path(__file__).with_name("sgd_c.c")  # package data: installed beside this module

# Tried in order; the first that compiles and links wins. The first matches the spirit of a
# speed-of-light build (-O3 -march=native, packed exp from glibc's libmvec) without
# -ffast-math: declaring exp's SIMD variant in the source is enough for GCC to call it, and
# no operation is reordered or assumed finite. Each variant adds its CONTRACT flag.
FLAG_SETS: tuple[tuple[str, ...], ...] = (
    ("-O3", "-march=native", "-fopenmp-simd", "-fno-math-errno", "-DBEANS_SIMD_EXP"),
    ("-O3", "-march=native", "-fopenmp-simd", "-fno-math-errno"),
    ("-O3", "-fno-math-errno"),
)
# Whether a*b + c may become one fused multiply-add, set to match the numba kernel each variant
# is compared with. GNU C defaults to -ffp-contract=fast (clang to =on), so without a flag the
# scalar build would fuse while sgd_jit (numba's default: no fastmath) never does. With =off,
# c-scalar does sgd_jit's arithmetic exactly (bit for bit, same libm exp). sgd_many does fuse
# (fastmath={"contract"}) and uses its own 2-ulp vectorised exp, so c-lanes fusing too and
# calling libmvec's exp is the like-for-like comparison.
CONTRACT = {"scalar": "-ffp-contract=off", "lanes": "-ffp-contract=fast"}
VARIANTS = tuple(CONTRACT)


class CUnavailable(Exception):
    """The C reference cannot be built here; the message says why in one line."""


@dataclass(frozen=True)
class CBinary:
    """A built C reference for one variant: the executable, and how it was made."""

    path: Path
    variant: str
    compiler: str
    compiler_version: str
    flags: tuple[str, ...]
    hidden: int | None = None  # a 1-H-1 lanes build; None: the lesson's 1-2-1 loops

    def run(
        self, params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float, repeat: int
    ) -> tuple[list[float], np.ndarray]:
        """Train ``params`` (S, P) ``repeat`` times; returns (seconds of each run, final (S, P) params).

        P is 7 for the lesson's network, 3H + 1 for a 1-H-1 build.
        """
        text = workload_text(params, xs, ys, epochs, lr)
        try:
            done = subprocess.run(
                [str(self.path), self.variant, str(repeat)], input=text, capture_output=True, text=True, check=False
            )
        except OSError as err:
            raise CUnavailable(f"cannot run {self.path}: {err.strerror or err}") from err
        if done.returncode != 0:
            raise RuntimeError(f"sgd_c {self.variant} failed: {done.stderr.strip() or done.returncode}")
        return parse_output(done.stdout, params.shape[0], params.shape[1])


def workload_text(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float) -> str:
    """The workload in sgd_c's stdin format; ``repr`` of a float reads back to the same double."""

    def values(arr: np.ndarray) -> str:
        return " ".join(repr(v) for v in np.asarray(arr, dtype=np.float64).ravel().tolist())

    params = np.asarray(params, dtype=np.float64)
    header = f"{params.shape[0]} {xs.size} {int(epochs)} {float(lr)!r}"
    return "\n".join([header, values(xs), values(ys), values(params)]) + "\n"


def parse_output(stdout: str, seeds: int, n_params: int = 7) -> tuple[list[float], np.ndarray]:
    """(seconds per run, (seeds, n_params) params) from sgd_c's output; hex floats are exact."""
    lines = stdout.strip().splitlines()
    if len(lines) != seeds + 2 or not lines[0].startswith("seconds") or lines[1] != "params":
        raise RuntimeError("sgd_c printed output in an unexpected form")
    seconds = [float(v) for v in lines[0].split()[1:]]
    params = np.array([[float.fromhex(v) for v in line.split()] for line in lines[2:]], dtype=np.float64)
    if params.shape != (seeds, n_params):
        raise RuntimeError("sgd_c printed output in an unexpected form")
    return seconds, params


def find_compiler() -> str | None:
    """The system C compiler: ``$CC``, else cc, gcc or clang on PATH."""
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _compiler_version(compiler: str) -> str:
    try:
        out = subprocess.run([compiler, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (out.stdout.splitlines() or ["unknown"])[0].strip()


def cache_dir() -> Path:
    """Where built binaries are kept (created if needed): ``~/.cache/beans`` when it is private
    and writable, else ``<tmp>/beans-c-<uid>`` if that is, else a fresh temporary folder (so
    a fresh build, every run, in the rare case that both are taken).

    The binaries found here are executed, so a folder someone else made or links to is never
    used (see beans/private_dir.py). Raises CUnavailable when no folder can be had at all.
    """
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    try:
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    except RuntimeError:  # no home directory to be found
        base = None
    if base is not None and make_private(base / "beans"):
        return base / "beans"
    try:
        return private_dir(Path(tempfile.gettempdir()) / f"beans-c-{os.getuid()}", prefix="beans-c-")
    except OSError as err:
        raise CUnavailable(f"no folder to build in: {err.strerror or err}") from err


def build(variant: str = "lanes", source: Path | None = None, hidden: int | None = None) -> CBinary:
    """Compile ``source`` (default ``SOURCE``) for ``variant``, or reuse a cached build; CUnavailable if impossible.

    ``hidden=H`` builds the lanes loop of a 1-H-1 sigmoid network (H fixed at compile time).
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    if hidden is not None and (variant != "lanes" or not 1 <= hidden <= 64):
        raise ValueError(f"a 1-H-1 build is lanes only, with 1 <= H <= 64; got {variant} and H={hidden}")
    shape_flags = () if hidden is None else (f"-DBEANS_HIDDEN={int(hidden)}",)
    source = SOURCE if source is None else Path(source)
    if not source.is_file():
        raise CUnavailable(f"no C source at {source}")
    compiler = find_compiler()
    if compiler is None:
        raise CUnavailable("no C compiler found (set CC, or install cc/gcc/clang)")
    version = _compiler_version(compiler)
    code = source.read_bytes()
    out_dir = cache_dir()
    errors = []
    for base_flags in FLAG_SETS:
        flags = (*base_flags, CONTRACT[variant], *shape_flags)
        key = hashlib.sha256(b"\0".join([code, compiler.encode(), version.encode(), *map(str.encode, flags)]))
        exe = out_dir / f"sgd_c-{key.hexdigest()[:16]}"
        if exe.is_file() and os.access(exe, os.X_OK):
            return CBinary(exe, variant, compiler, version, flags, hidden)
        tmp = exe.with_name(f".{exe.name}.{os.getpid()}.part")  # concurrent builds never clash
        cmd = [compiler, *flags, "-o", str(tmp), str(source), "-lm"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
            if done.returncode == 0:
                os.replace(tmp, exe)
                return CBinary(exe, variant, compiler, version, flags, hidden)
            errors.append((done.stderr.strip().splitlines() or ["failed"])[-1])
        except (OSError, subprocess.TimeoutExpired) as err:
            errors.append(str(err))
        finally:  # a failed, timed-out or interrupted (Ctrl-C) build leaves no half-written file
            tmp.unlink(missing_ok=True)
    raise CUnavailable(f"{Path(compiler).name} could not build {source.name}: {errors[-1]}")
