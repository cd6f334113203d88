"""Source text that ``kernels.codegen`` puts into every generated lane-kernel module.

Kept as text, not as functions, because numba caches a kernel with the helpers it calls
only when they live in the same module file: each generated module gets its own copy, and
its file name (a hash of its whole source) changes whenever any of this text does.

Both kinds of module define ``B`` (lanes per block), ``SCRATCH`` (lanes of scratch space the
step wants after the parameters: the caller hands ``_train_blocks`` a working array of
P * B + SCRATCH doubles per thread; None in the run-time-shaped module, whose scratch depends on
the shape: ``codegen.scratch_lanes``), ``LANES_JIT`` (for helpers, uncached),
``ENTRY_JIT`` (for the cached entry point), and the entry point ``_train_blocks``, which
``drivers`` writes around the step's code: the run-time-shaped step below, or one written out
for a shape. A block is a 1-D float64 array (P * B,): parameter k of lane s sits at ``k * B + s``.
"""

import textwrap

# Plain loads and stores for the generated kernels, which read and write their block only at
# ``offset + s`` with a constant offset >= 0 and a lane s in [0, B): ``blk[offset + s]`` would do
# the same, but numba turns every index into code that also handles negative ones, which LLVM
# then proves away; written out as a load, an access takes about a third of the time to
# compile, and a generated kernel makes hundreds of them.
ACCESS = '''
@intrinsic
def _at(typingctx, array, offset, s):
    """array[offset + s] of a 1-D float64 array, for offset + s known to lie in [0, len(array))."""
    sig = types.float64(array, types.intp, types.intp)

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        return builder.load(builder.gep(data, [builder.add(args[1], args[2])], inbounds=True))

    return sig, codegen


@intrinsic
def _put(typingctx, array, offset, s, value):
    """array[offset + s] = value for a 1-D float64 array, offset + s known to lie in [0, len(array))."""
    sig = types.void(array, types.intp, types.intp, types.float64)

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        builder.store(args[3], builder.gep(data, [builder.add(args[1], args[2])], inbounds=True))
        return context.get_dummy_value()

    return sig, codegen
'''


# The loop over a chunk's epochs, for every kind of step. It reads ``stop`` at each epoch, not
# only between chunks: a chunk can be as long as a run (``--snapshot-every``), and Ctrl-C, a
# signal or a failed thread must not wait for it to end. One relaxed load an epoch, beside
# the epoch's every bean and lane (bench/test_shapes.py, test_kernel).
EPOCHS = """
for _ in range(epochs):
    if _read_shared_flag(stop) != 0:
        break
""".strip("\n")


# The shape-independent driver: one call trains a thread's share of the blocks for every
# chunk, each block on a private copy, recording MSE and accuracy on the training and the
# held-out beans after each chunk. It has no prange: callers run one call per thread in
# Python threads (the kernels release the GIL), because a parallel=True wrapper added seconds
# to every new shape's compile (bench/test_shapes.py, group "compile"). ``sizes`` (int64 layer
# sizes, input first) and ``act`` (activation code) are read only by the run-time-shaped
# kernels; a generated module has its shape built in.
def drivers(train: str, evaluate: str) -> str:
    """The entry point ``_train_blocks`` with the step's code pasted in: ``train`` and ``evaluate``.

    ``train`` trains the first ``lanes`` lanes of ``blk`` in place for ``epochs`` epochs on
    (``xs``, ``ys``) at the lanes' rates ``lr`` (B,), looping over them with ``EPOCHS``;
    ``evaluate`` puts each lane's MSE on (``xs``, ``ys``) into ``mse`` and its share of right
    calls into ``hits`` (B,). Both may read ``sizes`` and ``act`` and use any local names but
    the driver's: ``block_lanes``, ``rates``, ``train_xs``, ``train_ys``, ``n``, ``b``, ``r``
    and ``held_out``.

    Pasted, not called: numba compiles a jitted callee on its own and then again into its
    caller's machine code; one function, compiled once, compiles sooner (bench/test_shapes.py,
    group "compile").
    """
    return f'''
@numba.njit(**LANES_JIT)
def _copy(source, target, n):
    """target[:n] = source[:n] for 1-D arrays, as a plain loop (numba compiles slicing slowly)."""
    for k in range(n):
        target[k] = source[k]


@numba.njit(**ENTRY_JIT)
def _train_blocks(
    blocks, block_lanes, sizes, act, train_xs, train_ys, test_xs, test_ys, threshold, chunk_epochs, rates, history,
    records, chunks_done, stop, first, step, blk,
):
    """Train blocks first, first + step, ... chunk by chunk, each on a private copy.

    blocks : float64 (nb, P*B), in/out; block b uses its first block_lanes[b] lanes; block_lanes : int64 (nb,)
    chunk_epochs : int64 (C,); rates : float64 (nb, B), each lane's learning rate
    history : float64 (C, nb, P*B), out: the blocks after each chunk; or (0, nb, P*B) for none
    records : float64 (4, C + 1, nb, B), out: per lane at the start and after each chunk, MSE on
        the training, then the held-out, beans, accuracy on each (NaN for no held-out beans);
        or (4, 0, nb, B) for none
    chunks_done : int64 (nb,), out: chunks each block has finished (read by a watcher thread)
    stop : int64 (1,), in: set non-zero from outside to stop within an epoch (``EPOCHS``)
    blk : float64 (P*B + SCRATCH,), scratch: the working copy of a block, then any scratch rows
        (made by the caller: an np.empty here added a compile of numba's allocator to every shape)
    """
    n = blocks.shape[1]
    for b in range(first, blocks.shape[0], step):
        _copy(blocks[b], blk, n)
        # record r is taken after r chunks
        for r in range(chunk_epochs.shape[0] + 1):
            if r > 0:
                lanes, xs, ys, epochs, lr = block_lanes[b], train_xs, train_ys, chunk_epochs[r - 1], rates[b]
{_pasted(train, 16)}
                if _read_shared_flag(stop) != 0:
                    break  # the chunk may be unfinished: the caller raises and keeps none of it
                if history.shape[0] > 0:
                    _copy(blk, history[r - 1, b], n)
            if records.shape[1] > 0:
                for held_out in range(2):  # MSE and accuracy on the training, then the held-out, beans
                    lanes = block_lanes[b]
                    xs, ys = (test_xs, test_ys) if held_out else (train_xs, train_ys)
                    mse, hits = records[held_out, r, b], records[2 + held_out, r, b]
{_pasted(evaluate, 20)}
            chunks_done[b] = r
        _copy(blk, blocks[b], n)
'''


# The run-time-shaped step, for nets too big to generate code for and for jobs too short
# to pay for compiling a shape's own: loops over layers and neurons, one lane loop per
# elementary operation, every neuron's output and delta kept in a row of B lanes in the
# scratch space after the parameters (outputs first, row 0 the input; then the deltas). Same
# arithmetic, in the same order, as the generated code and sgd_python. A sum's first two terms
# (a one-input neuron's product and bias) are written as one expression, as the generated code
# writes them, and later terms are added one at a time as LLVM adds them there, so
# multiply-adds fuse alike and the two kinds of kernel give the same bits (tests/test_many.py):
# which one runs is a question of speed only.
#
# Compiled once per machine for every shape, its compile time is what a user waits for on a
# first run (bench/first_run.py; bench/test_shapes.py, group "compile"). So every row is reached
# through ``_at`` and ``_put`` at offsets kept as running sums (no slice views, no layout
# arrays, no np.empty), and the forward and backward passes are text pasted where they are
# used rather than jitted functions of their own (see ``drivers``).

# Every neuron's output for the input ``x``, into the rows from offset ``out`` (input row first).
_FORWARD = """
for s in range(lanes):
    _put(blk, out, s, x)
k = 0  # offset of the current neuron's first weight
below = out  # offset of the current layer's input rows
for layer in range(n_layers):
    fan_in = sizes[layer]
    above = below + fan_in * B
    code = 0 if layer == n_layers - 1 else act  # the output neuron is a sigmoid
    for j in range(sizes[layer + 1]):
        z, bias = above + j * B, k + fan_in * B
        if fan_in == 1:  # w*a + b in one expression, its multiply-add fused as the generated code's
            for s in range(lanes):
                _put(blk, z, s, _at(blk, k, s) * _at(blk, below, s) + _at(blk, bias, s))
        else:
            for s in range(lanes):
                _put(blk, z, s, _at(blk, k, s) * _at(blk, below, s) + _at(blk, k + B, s) * _at(blk, below + B, s))
            for i in range(2, fan_in):
                for s in range(lanes):
                    _put(blk, z, s, _at(blk, z, s) + _at(blk, k + i * B, s) * _at(blk, below + i * B, s))
            for s in range(lanes):
                _put(blk, z, s, _at(blk, z, s) + _at(blk, bias, s))
        if code == 0:
            for s in range(lanes):
                _put(blk, z, s, _sigmoid(_at(blk, z, s)))
        elif code == 1:
            for s in range(lanes):
                _put(blk, z, s, 2.0 * _sigmoid(2.0 * _at(blk, z, s)) - 1.0)
        else:
            for s in range(lanes):
                v = _at(blk, z, s)
                _put(blk, z, s, 0.0 if v <= 0.0 else v)
        k += (fan_in + 1) * B
    below = above
"""

# Deltas for the target ``y`` into the rows from offset ``delta``, from the outputs _FORWARD left,
# then every update, in place.
_BACKWARD_UPDATE = """
top = n_rows - 1  # row of the output neuron, then the first row of each layer on the way down
a, d = out + top * B, delta + top * B
for s in range(lanes):
    v = _at(blk, a, s)
    _put(blk, d, s, -2.0 * (y - v) * (v * (1.0 - v)))
k_above = (n_params - (sizes[n_layers - 1] + 1) * sizes[n_layers]) * B  # first weight of the layer above
for layer in range(n_layers - 2, -1, -1):
    width, above = sizes[layer + 1], sizes[layer + 2]
    row_above = top
    top -= width
    for i in range(width):
        d, a = delta + (top + i) * B, out + (top + i) * B
        w, da = k_above + i * B, delta + row_above * B
        if above == 1:
            for s in range(lanes):
                _put(blk, d, s, _at(blk, da, s) * _at(blk, w, s))
        else:  # the first two terms in one expression, fused as the generated code's
            w1 = w + (width + 1) * B
            for s in range(lanes):
                _put(blk, d, s, _at(blk, da, s) * _at(blk, w, s) + _at(blk, da + B, s) * _at(blk, w1, s))
        for j in range(2, above):
            wj, daj = w + j * (width + 1) * B, da + j * B
            for s in range(lanes):
                _put(blk, d, s, _at(blk, d, s) + _at(blk, daj, s) * _at(blk, wj, s))
        if act == 0:
            for s in range(lanes):
                v = _at(blk, a, s)
                _put(blk, d, s, _at(blk, d, s) * (v * (1.0 - v)))
        elif act == 1:
            for s in range(lanes):
                v = _at(blk, a, s)
                _put(blk, d, s, _at(blk, d, s) * (1.0 - v * v))
        else:
            for s in range(lanes):
                _put(blk, d, s, _at(blk, d, s) * (1.0 if _at(blk, a, s) > 0.0 else 0.0))
    k_above -= (sizes[layer] + 1) * width * B
k = 0
below = 0  # first row of the current layer's inputs
for layer in range(n_layers):
    fan_in = sizes[layer]
    for j in range(sizes[layer + 1]):
        d = delta + (below + fan_in + j) * B
        for i in range(fan_in):
            w, a = k + i * B, out + (below + i) * B
            for s in range(lanes):
                _put(blk, w, s, _at(blk, w, s) - _at(lr, 0, s) * (_at(blk, d, s) * _at(blk, a, s)))
        bias = k + fan_in * B
        for s in range(lanes):
            _put(blk, bias, s, _at(blk, bias, s) - _at(lr, 0, s) * _at(blk, d, s))
        k += (fan_in + 1) * B
    below += fan_in
"""

# What both kernels know of the net before their first bean: ``n_layers``, ``n_params`` and
# ``n_rows`` (neurons, the input's included), and ``lanes`` in whole groups.
_LAYOUT = """
# lanes in use come in whole groups; saying so drops each loop's scalar remainder (see the
# generated kernels)
lanes = lanes // LANE_GROUP * LANE_GROUP
n_layers = sizes.shape[0] - 1
n_params, n_rows = 0, sizes[n_layers]
for layer in range(n_layers):
    n_params += (sizes[layer] + 1) * sizes[layer + 1]
    n_rows += sizes[layer]
out = n_params * B
"""


def _pasted(text: str, spaces: int) -> str:
    """``text`` indented by ``spaces``, to paste into a function body."""
    return textwrap.indent(text.strip("\n"), " " * spaces)


# The run-time-shaped step for ``drivers``: training ...
RUNTIME_SHAPED_TRAIN = f"""
{_LAYOUT.strip()}
delta = out + n_rows * B
{EPOCHS}
    for bean in range(xs.shape[0]):
        x, y = xs[bean], ys[bean]
{_pasted(_FORWARD, 8)}
{_pasted(_BACKWARD_UPDATE, 8)}
"""

# ... and evaluation: lane by lane with the beans innermost, as the generated kernels evaluate,
# in plain scalar code. It runs once per chunk of epochs, and lane loops here (a second copy of
# _FORWARD's) took a large share of the kernel's compile (bench/test_shapes.py, group
# "compile"). The same arithmetic as _FORWARD, in the same order, so the same bits.
RUNTIME_SHAPED_EVAL = f"""
{_LAYOUT.strip()}
result = out + (n_rows - 1) * B
for s in range(lanes):
    total = 0.0
    right = 0.0
    for bean in range(xs.shape[0]):
        x, y = xs[bean], ys[bean]
        _put(blk, out, s, x)
        k = 0
        below = out
        for layer in range(n_layers):
            fan_in = sizes[layer]
            above = below + fan_in * B
            code = 0 if layer == n_layers - 1 else act
            for j in range(sizes[layer + 1]):
                bias = k + fan_in * B
                if fan_in == 1:
                    v = _at(blk, k, s) * _at(blk, below, s) + _at(blk, bias, s)
                else:
                    v = _at(blk, k, s) * _at(blk, below, s) + _at(blk, k + B, s) * _at(blk, below + B, s)
                    for i in range(2, fan_in):
                        v = v + _at(blk, k + i * B, s) * _at(blk, below + i * B, s)
                    v = v + _at(blk, bias, s)
                if code == 0:
                    v = _sigmoid(v)
                elif code == 1:
                    v = 2.0 * _sigmoid(2.0 * v) - 1.0
                elif v <= 0.0:  # relu; NaN <= 0 is False, so NaN passes
                    v = 0.0
                _put(blk, above + j * B, s, v)
                k += (fan_in + 1) * B
            below = above
        err = y - _at(blk, result, s)
        total += err * err
        right += 1.0 if (_at(blk, result, s) > threshold) == (y > threshold) else 0.0
    mse[s] = total / xs.shape[0]  # 0/0 = NaN without held-out beans (error_model 'numpy')
    hits[s] = right / xs.shape[0]
"""
