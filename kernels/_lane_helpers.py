"""The jitted helpers that every generated lane-kernel module carries a copy of.

This module exists to be copied: ``kernels.codegen`` takes the source of ``HELPERS`` (and the
constants they read) into each module it writes, because numba's cache does not notice edits
to jitted helpers in other files. Here they are real functions too, so tests can call them.

The lane kernels need an exp that LLVM can vectorise: ``math.exp`` is a scalar libm call with
no vector version in llvmlite's LLVM, so ``_exp`` below builds exp from arithmetic and bit
casts, within 2 ulp of libm's.
"""

from __future__ import annotations

from llvmlite import ir

from ._jit import LANES_JIT, numba

# the names the copied source uses (a generated module imports them from numba itself); taken
# from the numba that _jit has set up, not imported before it
types = numba.types
intrinsic = numba.extending.intrinsic

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


# copied into every generated module, callees first
HELPERS = ("_bits_to_float", "_float_to_bits", "_read_shared_flag", "_exp", "_sigmoid")
