"""``sgd_many``: many independent seeds trained together, in SIMD lanes and across threads.

One seed's SGD loop is latency-bound: every step waits for the previous step's exp and
division. Independent seeds can be advanced together instead: the parameters are laid out
seed-innermost (7 rows of lanes), so the loop over seeds vectorises, and blocks of seeds go
to different threads. Two things block vectorisation in numba and are dealt with here:
float division's zero check (``error_model='numpy'``, see ``kernels._jit``) and ``math.exp``,
a scalar libm call with no vector version in llvmlite's LLVM, replaced by ``_exp`` below.

Each lane has its own learning rate (a float64 block laid out like the parameters), so cells of
a sweep that differ only in learning rate train side by side in one call; a scalar rate is
broadcast to every lane and gives the very same bits as before lanes had their own.

Each seed's lane runs exactly the arithmetic of ``sgd_jit`` except that exp comes from
``_exp`` (within 2 ulp of libm's) and multiply-adds may be fused, so rows agree with
``sgd_jit`` in all but the last bits (tests hold them to 1e-9 after the lesson's 5000 epochs).
A lane never reads another, and every lane runs the same instructions, so results do not
depend on the thread count or blocking.
Keep every jitted helper the kernels call in this module (numba's cache does not notice edits
to helpers in other files).
"""

from __future__ import annotations

import threading

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from ..checks import as_data, as_params, check_epochs, check_lr, check_threads
from ._jit import LANES_JIT, PARALLEL_LANES_JIT

# Seeds per SIMD group: one AVX-512 register of doubles (two AVX2 ones). Blocks are whole
# groups, so the vector loop never leaves a scalar remainder.
LANE_GROUP = 8
# Lanes per block at most: 7 rows x 128 lanes x 8 bytes = 7 KiB stays in L1 cache.
MAX_BLOCK_LANES = 128

# ---- a vectorisable exp ---------------------------------------------------------------
# exp(x) = 2**k * exp(r), k = round(x / ln2), r = x - k*ln2 in [-ln2/2, ln2/2].
_LOG2E = 1.4426950408889634
_LN2_HI = 0.6931471803691238  # ln2 split in two (Cody-Waite) so k*_LN2_HI is exact
_LN2_LO = 1.9082149292705877e-10
# Adding 1.5 * 2**52 rounds a double to an integer that then sits in the low mantissa bits.
_SHIFTER = 6755399441055744.0
_SHIFTER_BITS = 0x4338000000000000
# exp(r) = 1 + r*q(r): q is a degree-10 Chebyshev fit of expm1(r)/r on [-ln2/2, ln2/2], made
# with numpy.polynomial.chebyshev.chebfit on 400 Chebyshev nodes; tests/test_fast_exp.py
# holds it within 2 ulp of libm's exp, with fused multiply-adds.
_Q = (
    1.0000000000000002,
    0.5000000000000012,
    0.16666666666667948,
    0.041666666666476615,
    0.008333333332350888,
    0.0013888888960141474,
    0.00019841272382667112,
    2.480147371849282e-05,
    2.755465690846595e-06,
    2.7638188232239476e-07,
    2.604507148023922e-08,
)
_Q0, _Q1, _Q2, _Q3, _Q4, _Q5, _Q6, _Q7, _Q8, _Q9, _Q10 = _Q
# Domain of the single 2**k scale: exp(709.79) overflows to inf as libm's does; below -708
# the answer would be subnormal, and _exp returns exp(-708) instead (see its docstring).
EXP_MAX_ARG = 709.79
EXP_MIN_ARG = -708.0


@intrinsic
def _bits_to_float(typingctx, bits):
    """Reinterpret an int64's bits as a float64 (an LLVM bitcast; vectorises)."""
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@intrinsic
def _float_to_bits(typingctx, value):
    """Reinterpret a float64's bits as an int64 (an LLVM bitcast; vectorises)."""
    sig = types.int64(types.float64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def _read_shared_flag(typingctx, flags):
    """flags[0] (an int64 array) read with an atomic load that LLVM may not hoist out of a loop.

    Another thread sets the flag while the kernel runs; a plain load of a value the loop
    never writes is moved out of the loop by LLVM, and the flag would never be seen.
    """
    sig = types.int64(flags)

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        return builder.load_atomic(array.data, ordering="monotonic", align=8)

    return sig, codegen


@numba.njit(**LANES_JIT)
def _exp(x):
    """exp(x) in branch-free arithmetic that LLVM can vectorise.

    Within 2 ulp of the true exp for x in [-708, 709.78]; inf above (as libm), NaN for NaN.
    Below -708 it returns exp(-708) ~ 3.3e-308 rather than a subnormal: its only caller adds
    it to 1, where anything under 2**-53 vanishes alike.
    """
    # comparisons are False for NaN, so NaN passes the clamps and propagates
    x = EXP_MAX_ARG if x > EXP_MAX_ARG else x
    x = EXP_MIN_ARG if x < EXP_MIN_ARG else x
    shifted = x * _LOG2E + _SHIFTER
    k = shifted - _SHIFTER
    r = (x - k * _LN2_HI) - k * _LN2_LO
    q_high = _Q6 + r * (_Q7 + r * (_Q8 + r * (_Q9 + r * _Q10)))  # Horner, split over two lines
    q = _Q0 + r * (_Q1 + r * (_Q2 + r * (_Q3 + r * (_Q4 + r * (_Q5 + r * q_high)))))
    # the low bits of `shifted` hold k; putting k - 1 + 1023 in the exponent field builds
    # 2**(k-1), a normal double for every k in [-1021, 1024] (2**k itself would be inf at
    # k = 1024, where exp(x) can still be finite); the factor 2.0 is exact
    half_scale = _bits_to_float((_float_to_bits(shifted) - _SHIFTER_BITS + 1022) << 52)
    return ((1.0 + r * q) * 2.0) * half_scale


@numba.njit(**LANES_JIT)
def _sigmoid(z):
    """The lesson's 1 / (1 + exp(-z)) with the vectorisable exp; 0 or 1 at the extremes."""
    return 1.0 / (1.0 + _exp(-z))


@numba.njit(**LANES_JIT)
def _sgd_block(block, lanes, xs, ys, epochs, lr):
    """Train the first ``lanes`` seeds of ``block`` (float64 (7, B), seeds innermost) in place.

    ``lr`` is float64 (B,), each lane's learning rate. The loop over seeds is innermost so
    LLVM vectorises it; the arithmetic per seed is ``sgd_jit``'s, in the same order.
    """
    w11_1, b1_1, w12_1, b2_1 = block[0], block[1], block[2], block[3]
    w11_2, w21_2, b1_2 = block[4], block[5], block[6]
    n = xs.shape[0]
    for _ in range(epochs):
        for i in range(n):
            x = xs[i]
            y = ys[i]
            for s in range(lanes):
                rate = lr[s]
                a1_1 = _sigmoid(w11_1[s] * x + b1_1[s])
                a2_1 = _sigmoid(w12_1[s] * x + b2_1[s])
                a1_2 = _sigmoid(w11_2[s] * a1_1 + w21_2[s] * a2_1 + b1_2[s])
                d_out = -2.0 * (y - a1_2) * (a1_2 * (1.0 - a1_2))
                d_h1 = d_out * w11_2[s] * (a1_1 * (1.0 - a1_1))
                d_h2 = d_out * w21_2[s] * (a2_1 * (1.0 - a2_1))
                w11_2[s] -= rate * (d_out * a1_1)
                w21_2[s] -= rate * (d_out * a2_1)
                b1_2[s] -= rate * d_out
                w12_1[s] -= rate * (d_h2 * x)
                b2_1[s] -= rate * d_h2
                w11_1[s] -= rate * (d_h1 * x)
                b1_1[s] -= rate * d_h1


@numba.njit(**LANES_JIT)
def _copy_block(source, target):
    """target[...] = source for (7, B) blocks, as plain loops.

    numba compiles slice assignment and array expressions slowly (about a second each here);
    plain loops keep the first-ever compile of ``beans train`` short.
    """
    for k in range(source.shape[0]):
        for s in range(source.shape[1]):
            target[k, s] = source[k, s]


@numba.njit(**LANES_JIT)
def _train_block(b, blocks, lanes, xs, ys, epochs, lr):
    """Train block ``b`` of ``blocks`` (float64 (nb, 7, B); ``lr`` (nb, B)) on a private copy, then store it.

    Working in place in the shared array scaled worse across threads than a private copy
    (bench/test_layouts.py, group "threads").
    """
    block = blocks[b].copy()
    _sgd_block(block, lanes[b], xs, ys, epochs, lr[b])
    _copy_block(block, blocks[b])


@numba.njit(**PARALLEL_LANES_JIT)
def _sgd_blocks(blocks, lanes, xs, ys, epochs, lr):
    """Train every block (float64 (nb, 7, B); block b uses its first lanes[b] seeds) in parallel.

    lr : float64 (nb, B), each lane's learning rate (``lane_blocks``)
    """
    for b in numba.prange(blocks.shape[0]):
        _train_block(b, blocks, lanes, xs, ys, epochs, lr)


def block_layout(n_seeds: int, threads: int, max_lanes: int = MAX_BLOCK_LANES) -> tuple[int, int]:
    """How to cut ``n_seeds`` into blocks: returns (lanes per block, number of blocks).

    Blocks are whole groups of ``LANE_GROUP`` lanes and at most ``max_lanes`` wide (a multiple
    of ``LANE_GROUP``; ``kernels.many_any`` passes its shape's block width); their number is a
    multiple of ``threads`` when there are enough groups, so each thread gets about the same work.
    """
    groups = -(-n_seeds // LANE_GROUP)
    max_groups = max_lanes // LANE_GROUP
    target_blocks = min(groups, threads * -(-groups // (threads * max_groups)))
    groups_per_block = -(-groups // target_blocks)
    return groups_per_block * LANE_GROUP, -(-groups // groups_per_block)


def to_blocks(params: np.ndarray, threads: int) -> tuple[np.ndarray, np.ndarray]:
    """(S, 7) rows -> (nb, 7, B) seed-innermost blocks and int64 (nb,) lanes in use per block.

    Lanes past the last seed of a group are padding: they train a harmless copy of the
    lesson's mid-range start and are dropped by ``from_blocks``.
    """
    n_seeds = params.shape[0]
    width, n_blocks = block_layout(n_seeds, threads)
    padded = np.full((n_blocks * width, params.shape[1]), 0.5)
    padded[:n_seeds] = params
    blocks = np.ascontiguousarray(padded.reshape(n_blocks, width, -1).transpose(0, 2, 1))
    groups_used = -(-(n_seeds - np.arange(n_blocks) * width) // LANE_GROUP)
    lanes = np.minimum(groups_used * LANE_GROUP, width).astype(np.int64)
    return blocks, lanes


def lane_blocks(lr: float | np.ndarray, n_seeds: int, blocks: np.ndarray) -> np.ndarray:
    """Each lane's learning rate in the layout of ``blocks`` (nb, 7, B): float64 (nb, B).

    ``lr`` is one rate for every seed or float64 (S,), one per seed. Padding lanes get 0: they
    stay at their start values.
    """
    n_blocks, width = blocks.shape[0], blocks.shape[2]
    padded = np.zeros(n_blocks * width)
    padded[:n_seeds] = lr
    return padded.reshape(n_blocks, width)


def from_blocks(blocks: np.ndarray, n_seeds: int) -> np.ndarray:
    """Inverse of ``to_blocks``: (nb, 7, B) -> (n_seeds, 7) rows, C order."""
    return np.ascontiguousarray(blocks.transpose(0, 2, 1).reshape(-1, blocks.shape[1])[:n_seeds])


def max_threads() -> int:
    """How many threads numba may use here (``NUMBA_NUM_THREADS``, all cores by default)."""
    return numba.config.NUMBA_NUM_THREADS


def train_rows_inplace(
    params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float | np.ndarray, threads: int
) -> None:
    """Run the kernels on checked input, updating ``params`` (float64 (S, 7), C order) in place.

    ``lr`` is one learning rate for every row or float64 (S,), one per row.

    No finiteness check: the training driver lets diverged (NaN) rows run on, since a lane
    never touches another.
    """
    blocks, lanes = to_blocks(params, threads)
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        _sgd_blocks(blocks, lanes, xs, ys, epochs, lane_blocks(lr, params.shape[0], blocks))
    finally:
        numba.set_num_threads(previous)
    params[:] = from_blocks(blocks, params.shape[0])


def _real_seeds_per_block(n_seeds: int, width: int) -> np.ndarray:
    """How many of each block's lanes hold real seeds (the rest is padding). int64 (nb,)."""
    starts = np.arange(0, n_seeds, width)
    return np.minimum(width, n_seeds - starts)


def _run_watched(
    run, chunk_epochs, chunks_done, seeds_per_block, stop, on_progress, poll_seconds, on_poll=None
) -> None:
    """Run ``run`` in a worker thread, reporting progress from this one until it ends.

    ``on_progress`` (may be None) gets the seed-averaged epochs done when they change;
    ``on_poll`` (may be None) is called at every poll. The last calls always come after the
    worker has finished (a short run can end before the first poll), and an exception in the
    worker is raised here, not lost with its thread; one raised by a callback stops the kernel
    at its next chunk boundary and is raised here once the worker has ended.
    """
    failure: list[BaseException] = []

    def guarded() -> None:
        try:
            run()
        except BaseException as err:  # handed to the calling thread below
            failure.append(err)

    worker = threading.Thread(target=guarded, name="beans-kernel", daemon=True)
    epochs_after = np.concatenate(([0], np.cumsum(chunk_epochs)))
    reported = -1

    def report() -> None:
        nonlocal reported
        if on_poll is not None:
            on_poll()
        if on_progress is None:
            return
        done = int(epochs_after[chunks_done] @ seeds_per_block // seeds_per_block.sum())
        if done != reported:
            on_progress(done)
            reported = done

    worker.start()
    try:
        while worker.is_alive():
            worker.join(poll_seconds)
            report()
    except BaseException:
        stop[0] = 1  # the kernel checks this between chunks
        worker.join()
        raise
    if failure:
        raise failure[0]
    report()


def sgd_many(
    params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float, threads: int | None = None
) -> np.ndarray:
    """Per-sample SGD on S independent parameter sets at once.

    Parameters
    ----------
    params : float64, shape (S, 7), one seed per row in ``PARAM_NAMES`` order; not modified
    xs, ys : float64, shape (n,)
    epochs : int >= 0
    lr : float > 0
    threads : int in [1, max_threads()], or None for all

    Returns
    -------
    float64, shape (S, 7): row s agrees with ``sgd_jit(params[s], ...)`` in all but the last
    bits (see the module docstring); NaN/inf where a seed diverged. Independent of ``threads``.
    """
    out = as_params(params, "params", many=True).copy()
    xs, ys = as_data(xs, "xs"), as_data(ys, "ys", like=xs)
    epochs, lr = check_epochs(epochs), check_lr(lr)
    train_rows_inplace(out, xs, ys, epochs, lr, check_threads(threads, max_threads()))
    return out
