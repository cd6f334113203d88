"""Source text that ``kernels.codegen`` puts into every generated lane-kernel module.

Kept as text, not as functions, because numba caches a kernel with the helpers it calls
only when they live in the same module file: each generated module gets its own copy, and
its file name (a hash of its whole source) changes whenever any of this text does.

Both kinds of module define ``B`` (lanes per block), ``SCRATCH`` (lanes of scratch space
``_sgd_block`` wants after the parameters: the caller hands ``_train_blocks`` a working array of
P * B + SCRATCH doubles per thread), ``LANES_JIT`` (for helpers, uncached),
``ENTRY_JIT`` (for the cached entry point), ``_sgd_block`` and ``_block_eval`` with the
signatures below; ``DRIVERS`` builds the entry point ``_train_blocks`` on top of them. A
block is a 1-D float64 array (P * B,): parameter k of lane s sits at ``k * B + s``.
"""

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

# The shape-independent driver: one call trains a thread's share of the blocks for every
# chunk, each block on a private copy, recording MSE and accuracy on the training and the
# held-out beans after each chunk. It has no prange: callers run one call per thread in
# Python threads (the kernels release the GIL), because a parallel=True wrapper added seconds
# to every new shape's compile (bench/test_shapes.py, group "compile"). ``sizes`` (int64 layer
# sizes, input first) and ``act`` (activation code) are read only by the run-time-shaped
# kernels; a generated module has its shape built in.
DRIVERS = '''
@numba.njit(**LANES_JIT)
def _copy(source, target, n):
    """target[:n] = source[:n] for 1-D arrays, as a plain loop (numba compiles slicing slowly)."""
    for k in range(n):
        target[k] = source[k]


@numba.njit(**ENTRY_JIT)
def _train_blocks(
    blocks, lanes, sizes, act, xs, ys, test_xs, test_ys, threshold, chunk_epochs, lr, history, records,
    chunks_done, stop, first, step, blk,
):
    """Train blocks first, first + step, ... chunk by chunk, each on a private copy.

    blocks : float64 (nb, P*B), in/out; block b uses its first lanes[b] lanes; lanes : int64 (nb,)
    chunk_epochs : int64 (C,); lr : float64 (nb, B), each lane's learning rate
    history : float64 (C, nb, P*B), out: the blocks after each chunk; or (0, nb, P*B) for none
    records : float64 (4, C + 1, nb, B), out: per lane at the start and after each chunk, MSE on
        (xs, ys), MSE on (test_xs, test_ys), accuracy on each (NaN for no held-out beans);
        or (4, 0, nb, B) for none
    chunks_done : int64 (nb,), out: chunks each block has finished (read by a watcher thread)
    stop : int64 (1,), in: set non-zero from outside to stop at the next chunk boundary
    blk : float64 (P*B + SCRATCH,), scratch: the working copy of a block, then any scratch rows
        (made by the caller: an np.empty here added a compile of numba's allocator to every shape)
    """
    n = blocks.shape[1]
    for b in range(first, blocks.shape[0], step):
        _copy(blocks[b], blk, n)
        # record r is taken after r chunks
        for r in range(chunk_epochs.shape[0] + 1):
            if r > 0:
                if _read_shared_flag(stop) != 0:
                    break
                _sgd_block(blk, lanes[b], sizes, act, xs, ys, chunk_epochs[r - 1], lr[b])
                if history.shape[0] > 0:
                    _copy(blk, history[r - 1, b], n)
            if records.shape[1] > 0:  # MSE and accuracy on the training, then the held-out, beans
                _block_eval(blk, lanes[b], sizes, act, xs, ys, threshold, records[0, r, b], records[2, r, b])
                _block_eval(blk, lanes[b], sizes, act, test_xs, test_ys, threshold, records[1, r, b], records[3, r, b])
            chunks_done[b] = r
        _copy(blk, blocks[b], n)
'''

# The run-time-shaped kernels, for nets too big to generate code for: loops over layers and
# neurons, one lane loop per elementary operation, every neuron's output and delta kept in a
# row of lanes (row 0 is the input). Same arithmetic, in the same order, as the generated code
# and sgd_python. A sum's first two terms (a one-input neuron's product and bias) are written as
# one expression, as the generated code writes them, and later terms are added one at a time as
# LLVM adds them there, so multiply-adds fuse alike and the two kinds of kernel give the same
# bits (tests/test_many.py): which one runs is a question of speed only.
RUNTIME_SHAPED = '''
@numba.njit(**LANES_JIT)
def _row(block, r):
    """Row ``r`` (B lanes) of a flat block, as a view.

    Indexing ``block[r*B + s]`` with a run-time r would not vectorise: numba wraps negative
    indices, and LLVM cannot prove r*B + s >= 0, so every access becomes a select. A view
    indexed by the loop counter s alone is provably in order.
    """
    return block[r * B : (r + 1) * B]


@numba.njit(**LANES_JIT)
def _layout(sizes):
    """(first parameter of each layer, first row of each layer): int64 (L + 1,) and (L + 2,)."""
    n_layers = sizes.shape[0] - 1
    offsets = np.zeros(n_layers + 1, dtype=np.int64)
    rows = np.zeros(n_layers + 2, dtype=np.int64)
    for layer in range(n_layers):
        offsets[layer + 1] = offsets[layer] + (sizes[layer] + 1) * sizes[layer + 1]
        rows[layer + 1] = rows[layer] + sizes[layer]
    rows[n_layers + 1] = rows[n_layers] + sizes[n_layers]
    return offsets, rows


@numba.njit(**LANES_JIT)
def _forward(blk, lanes, sizes, act, offsets, rows, x, out):
    """Every neuron's output for input ``x`` into ``out`` (rows of B lanes, input row first)."""
    lanes = lanes // LANE_GROUP * LANE_GROUP  # no scalar remainder loops (see the generated kernels)
    n_layers = sizes.shape[0] - 1
    first = _row(out, 0)
    for s in range(lanes):
        first[s] = x
    for layer in range(n_layers):
        fan_in = sizes[layer]
        for j in range(sizes[layer + 1]):
            z = _row(out, rows[layer + 1] + j)
            k = offsets[layer] + j * (fan_in + 1)
            w, a, bias = _row(blk, k), _row(out, rows[layer]), _row(blk, k + fan_in)
            if fan_in == 1:  # w*a + b in one expression, its multiply-add fused as the generated code's
                for s in range(lanes):
                    z[s] = w[s] * a[s] + bias[s]
            else:
                w1, a1 = _row(blk, k + 1), _row(out, rows[layer] + 1)
                for s in range(lanes):
                    z[s] = w[s] * a[s] + w1[s] * a1[s]
                for i in range(2, fan_in):
                    w, a = _row(blk, k + i), _row(out, rows[layer] + i)
                    for s in range(lanes):
                        z[s] = z[s] + w[s] * a[s]
                for s in range(lanes):
                    z[s] = z[s] + bias[s]
            if layer == n_layers - 1 or act == 0:
                for s in range(lanes):
                    z[s] = _sigmoid(z[s])
            elif act == 1:
                for s in range(lanes):
                    z[s] = 2.0 * _sigmoid(2.0 * z[s]) - 1.0
            else:
                for s in range(lanes):
                    z[s] = 0.0 if z[s] <= 0.0 else z[s]


@numba.njit(**LANES_JIT)
def _backward_update(blk, lanes, sizes, act, offsets, rows, y, lr, out, delta):
    """Deltas from ``out`` (as ``_forward`` left it), then every update, in place in ``blk``."""
    lanes = lanes // LANE_GROUP * LANE_GROUP  # no scalar remainder loops (see the generated kernels)
    n_layers = sizes.shape[0] - 1
    a, d = _row(out, rows[n_layers]), _row(delta, rows[n_layers])
    for s in range(lanes):
        d[s] = -2.0 * (y - a[s]) * (a[s] * (1.0 - a[s]))
    for layer in range(n_layers - 2, -1, -1):
        width, above = sizes[layer + 1], sizes[layer + 2]
        for i in range(width):
            d, a = _row(delta, rows[layer + 1] + i), _row(out, rows[layer + 1] + i)
            w, da = _row(blk, offsets[layer + 1] + i), _row(delta, rows[layer + 2])
            if above == 1:
                for s in range(lanes):
                    d[s] = da[s] * w[s]
            else:  # the first two terms in one expression, fused as the generated code's
                w1, da1 = _row(blk, offsets[layer + 1] + (width + 1) + i), _row(delta, rows[layer + 2] + 1)
                for s in range(lanes):
                    d[s] = da[s] * w[s] + da1[s] * w1[s]
            for j in range(2, above):
                w, da = _row(blk, offsets[layer + 1] + j * (width + 1) + i), _row(delta, rows[layer + 2] + j)
                for s in range(lanes):
                    d[s] = d[s] + da[s] * w[s]
            if act == 0:
                for s in range(lanes):
                    d[s] = d[s] * (a[s] * (1.0 - a[s]))
            elif act == 1:
                for s in range(lanes):
                    d[s] = d[s] * (1.0 - a[s] * a[s])
            else:
                for s in range(lanes):
                    d[s] = d[s] * (1.0 if a[s] > 0.0 else 0.0)
    for layer in range(n_layers):
        fan_in = sizes[layer]
        for j in range(sizes[layer + 1]):
            d = _row(delta, rows[layer + 1] + j)
            k = offsets[layer] + j * (fan_in + 1)
            for i in range(fan_in):
                w, a = _row(blk, k + i), _row(out, rows[layer] + i)
                for s in range(lanes):
                    w[s] = w[s] - lr[s] * (d[s] * a[s])
            bias = _row(blk, k + fan_in)
            for s in range(lanes):
                bias[s] = bias[s] - lr[s] * d[s]


@numba.njit(**LANES_JIT)
def _sgd_block(blk, lanes, sizes, act, xs, ys, epochs, lr):
    """Train the first ``lanes`` lanes of ``blk`` (float64 (P*B,)) in place for ``epochs`` epochs."""
    offsets, rows = _layout(sizes)
    out = np.empty(rows[-1] * B)
    delta = np.empty(rows[-1] * B)
    for _ in range(epochs):
        for i in range(xs.shape[0]):
            _forward(blk, lanes, sizes, act, offsets, rows, xs[i], out)
            _backward_update(blk, lanes, sizes, act, offsets, rows, ys[i], lr, out, delta)


@numba.njit(**LANES_JIT)
def _block_eval(blk, lanes, sizes, act, xs, ys, threshold, mse, hits):
    """Each lane's MSE on (xs, ys) into ``mse`` and share of right calls into ``hits`` (B,)."""
    offsets, rows = _layout(sizes)
    out = np.empty(rows[-1] * B)
    top = _row(out, rows[sizes.shape[0] - 1])
    for s in range(lanes):
        mse[s] = 0.0
        hits[s] = 0.0
    for i in range(xs.shape[0]):
        _forward(blk, lanes, sizes, act, offsets, rows, xs[i], out)
        y = ys[i]
        toxic = y > threshold
        for s in range(lanes):
            err = y - top[s]
            mse[s] += err * err
            hits[s] += 1.0 if (top[s] > threshold) == toxic else 0.0
    for s in range(lanes):  # 0/0 = NaN without held-out beans (error_model 'numpy')
        mse[s] /= xs.shape[0]
        hits[s] /= xs.shape[0]
'''
