"""numba, made ready for beans' kernels, and the kernels' numba options in one place.

Every module of kernels/ that compiles code takes ``numba`` from here, so that three things
happen before numba first loads or a kernel is decorated or compiled:

- ``_cpu.allow_512_bit_vectors()``: numba reads its CPU options when it is imported;
- a cache folder numba can write (:func:`ensure_numba_cache_dir`): decorating a
  ``cache=True`` kernel raises "no locator available" when there is none;
- LLVM's loop strength reduction is turned off (``--disable-lsr``): on the run-time-shaped
  kernel, whose one function holds dozens of lane loops, it was the costliest single pass of
  the compile a learner waits for, while every kernel ran as fast without it
  (bench/test_shapes.py, groups "compile" and "kernels"). It rewrites address arithmetic
  only, never a floating-point operation, so results keep their bits. The option is LLVM's,
  for the whole process: numba code of the caller's own compiled after this import runs
  without it too.

The options, each a measured decision (see bench/):

- ``cache=True``: a warm start loads machine code instead of compiling it.
- ``nogil=True``: kernels touch no Python objects, so other threads may run meanwhile (the
  lane kernels run in Python threads, one per core).
- The one-seed kernel (``kernels.sgd``) keeps numba's defaults otherwise: its loop is a chain
  of dependent steps that cannot be vectorised, and it must stay the lesson's arithmetic op
  for op.
- The lane kernels (``kernels.codegen``) advance seeds together in SIMD lanes:
  ``error_model='numpy'`` drops the zero-division check on every float division, which
  otherwise stops LLVM vectorising the loop (numba PR #1769); ``fastmath={'contract'}`` lets
  LLVM fuse multiply-adds, which is faster and moves results only in the last bits
  (bench/test_layouts.py times it, tests/test_many.py bounds the drift). No other fastmath
  flag: 'nnan'/'ninf' would let a diverging seed come out as silent finite garbage.

numba's cache key leaves decorator options out (numba#6845). The generated lane modules
write ``LANES_JIT`` into their source, whose hash names the file, so an edit here compiles
them afresh; after editing ``SCALAR_JIT``, delete kernels/__pycache__/*.nb[ic] by hand.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ._cpu import allow_512_bit_vectors
from .private_dir import private_dir

allow_512_bit_vectors()  # before numba is first imported: it reads its CPU options then

import numba  # noqa: E402
from llvmlite import binding as llvm  # noqa: E402
from numba.misc.appdirs import AppDirs  # noqa: E402

llvm.set_option("", "--disable-lsr")  # after numba's import, which initialises LLVM

SCALAR_JIT = dict(cache=True, nogil=True)
LANES_JIT = dict(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})


def could_hold_files(path: Path) -> bool:
    """True when ``path`` is a writable folder, or could be made in its nearest existing parent."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate.is_dir() and os.access(candidate, os.W_OK | os.X_OK)
    return False


def ensure_numba_cache_dir(source_dir: Path) -> str | None:
    """Choose a private temporary cache folder when numba has nowhere to cache kernels of ``source_dir``.

    numba caches beside the source (``__pycache__``) or in the user cache folder. This only
    looks (no folder is made) unless neither can hold files, nor the user's own
    ``NUMBA_CACHE_DIR``; then it points numba at a folder of ``private_dir``'s: numba unpickles
    the index files it finds there, so a folder someone else planted is never used.

    Returns the folder chosen, or None when numba's own choice works.
    """
    chosen = numba.config.CACHE_DIR  # the user's NUMBA_CACHE_DIR, tried first by numba
    in_tree = Path(source_dir) / "__pycache__"
    user_wide = Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)
    if (chosen and could_hold_files(Path(chosen))) or could_hold_files(in_tree) or could_hold_files(user_wide):
        return None
    fallback = str(
        private_dir(Path(tempfile.gettempdir()) / f"beans-numba-cache-{os.getuid()}", prefix="beans-numba-cache-")
    )
    numba.config.CACHE_DIR = fallback  # read by numba's locator when each kernel is decorated
    return fallback


ensure_numba_cache_dir(Path(__file__).parent)
