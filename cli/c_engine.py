"""The C reference loop (``bench/c/sgd_c.c``): compiled at bench time with the system compiler.

``beans bench`` shows it as ``c-scalar`` and ``c-lanes`` rows so users can see how close the
numba kernels come to what a C compiler makes of the same loop. The binary is cached in a
temporary directory under a name derived from the source, the compiler and the flags, so it is
built once per change. When there is no compiler or no source (an installed wheel has no
``bench/``), :func:`build` raises :class:`CUnavailable` with a one-line reason.
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

import cli

SOURCE = Path(cli.__file__).resolve().parents[1] / "bench" / "c" / "sgd_c.c"

# Tried in order; the first that compiles and links wins. The first matches the spirit of a
# speed-of-light build (-O3 -march=native, packed exp from glibc's libmvec) without
# -ffast-math: declaring exp's SIMD variant in the source is enough for GCC to call it, and
# every other operation keeps IEEE semantics, so the results stay within ~1e-12 of sgd_python.
FLAG_SETS: tuple[tuple[str, ...], ...] = (
    ("-O3", "-march=native", "-fopenmp-simd", "-fno-math-errno", "-DBEANS_SIMD_EXP"),
    ("-O3", "-march=native", "-fopenmp-simd", "-fno-math-errno"),
    ("-O3", "-fno-math-errno"),
)
VARIANTS = ("scalar", "lanes")


class CUnavailable(Exception):
    """The C reference cannot be built here; the message says why in one line."""


@dataclass(frozen=True)
class CBinary:
    """A built C reference: the executable, and how it was made."""

    path: Path
    compiler: str
    compiler_version: str
    flags: tuple[str, ...]

    def run(
        self, variant: str, params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float, repeat: int
    ) -> tuple[list[float], np.ndarray]:
        """Train ``params`` (S, 7) ``repeat`` times; returns (seconds of each run, final (S, 7) params)."""
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
        text = workload_text(params, xs, ys, epochs, lr)
        try:
            done = subprocess.run(
                [str(self.path), variant, str(repeat)], input=text, capture_output=True, text=True, check=False
            )
        except OSError as err:
            raise CUnavailable(f"cannot run {self.path}: {err.strerror or err}") from err
        if done.returncode != 0:
            raise RuntimeError(f"sgd_c {variant} failed: {done.stderr.strip() or done.returncode}")
        return parse_output(done.stdout, params.shape[0])


def workload_text(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float) -> str:
    """The workload in sgd_c's stdin format; ``repr`` of a float reads back to the same double."""

    def values(arr: np.ndarray) -> str:
        return " ".join(repr(v) for v in np.asarray(arr, dtype=np.float64).ravel().tolist())

    params = np.asarray(params, dtype=np.float64)
    header = f"{params.shape[0]} {xs.size} {int(epochs)} {float(lr)!r}"
    return "\n".join([header, values(xs), values(ys), values(params)]) + "\n"


def parse_output(stdout: str, seeds: int) -> tuple[list[float], np.ndarray]:
    """(seconds per run, (seeds, 7) params) from sgd_c's output; hex floats are exact."""
    lines = stdout.strip().splitlines()
    if len(lines) != seeds + 2 or not lines[0].startswith("seconds") or lines[1] != "params":
        raise RuntimeError("sgd_c printed output in an unexpected form")
    seconds = [float(v) for v in lines[0].split()[1:]]
    params = np.array([[float.fromhex(v) for v in line.split()] for line in lines[2:]], dtype=np.float64)
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
    """Where built binaries are kept: a per-user folder in the temporary directory."""
    return Path(tempfile.gettempdir()) / f"beans-c-{os.getuid()}"


def build(source: Path | None = None) -> CBinary:
    """Compile ``source`` (default ``SOURCE``), or reuse a cached build; CUnavailable if impossible."""
    source = SOURCE if source is None else Path(source)
    if not source.is_file():
        raise CUnavailable(f"no C source at {source} (run from a checkout of the repository)")
    compiler = find_compiler()
    if compiler is None:
        raise CUnavailable("no C compiler found (set CC, or install cc/gcc/clang)")
    version = _compiler_version(compiler)
    code = source.read_bytes()
    out_dir = cache_dir()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CUnavailable(f"cannot make {out_dir}: {err.strerror or err}") from err
    errors = []
    for flags in FLAG_SETS:
        key = hashlib.sha256(b"\0".join([code, compiler.encode(), version.encode(), *map(str.encode, flags)]))
        exe = out_dir / f"sgd_c-{key.hexdigest()[:16]}"
        if exe.is_file() and os.access(exe, os.X_OK):
            return CBinary(exe, compiler, version, flags)
        tmp = exe.with_name(f".{exe.name}.{os.getpid()}.part")  # concurrent builds never clash
        cmd = [compiler, *flags, "-o", str(tmp), str(source), "-lm"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            errors.append(str(err))
            continue
        if done.returncode == 0:
            os.replace(tmp, exe)
            return CBinary(exe, compiler, version, flags)
        tmp.unlink(missing_ok=True)
        errors.append((done.stderr.strip().splitlines() or ["failed"])[-1])
    raise CUnavailable(f"{Path(compiler).name} could not build {source.name}: {errors[-1]}")
