"""Lane kernels for any ``Shape``: numba source generated per shape, written to a file, imported.

Why generate: LLVM vectorises a loop over seeds only when it can see that the rows it reads
and writes don't overlap. Written out for one shape, the SGD step is a few lane loops (one
per layer forward, one per layer back) in which every parameter, activation and delta is a
scalar local, and the block is one 1-D array read at constant offsets ``blk[k*B + s]`` (B a
compile-time constant): every loop vectorises, with no run-time checks and no loop over
layers or neurons. A layer's outputs and deltas pass to the next loop through scratch rows
at the end of the block.

Why a file: numba's ``cache=True`` cannot cache functions made with ``exec``, so the source
goes to ``<cache folder>/beans_lanes_<hash>.py`` (private to this user, written atomically)
and is imported from there; numba then caches its machine code beside it.

Why copies of the helpers: numba's cache does not notice edits to jitted helpers in other
files, so each generated module carries its own copy of ``kernels._lane_helpers`` (the
vectorisable exp, the sigmoid, the intrinsics), taken from their source at generation time
(one definition; the hash in the file name changes whenever that text does).

Past ``GENERATED_MAX_PARAMS`` parameters the generated code would compile for a long time
(it grows with the parameter count) for little gain; those shapes use the run-time-shaped
kernels of ``kernels._lane_templates`` instead, one module for every shape.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import inspect
import numbers
import os
import re
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from . import _lane_helpers
from ._jit import LANES_JIT, AppDirs, numba  # numba only from _jit, which sets it up before its import
from ._lane_templates import ACCESS, EPOCHS, RUNTIME_SHAPED_EVAL, RUNTIME_SHAPED_TRAIN, drivers
from .cache_size import l1_data_bytes
from .private_dir import make_private, private_dir
from .shape import Shape

# Above this many parameters a shape runs on the run-time-shaped kernels. A generated
# module's compile time grows with the parameter count while its lead over the run-time-shaped
# kernel fades with it (bench/test_shapes.py measures both); the run-time-shaped kernel is
# compiled once for every shape.
GENERATED_MAX_PARAMS = 150
# Seeds per SIMD group: one AVX-512 register of doubles (two AVX2 ones). Blocks are whole
# groups, so the vector loops never leave a scalar remainder.
LANE_GROUP = 8
# Lanes per block at most: longer lane loops stop paying once a block outgrows L1
# (bench/test_layouts.py).
MAX_BLOCK_LANES = 128
# A generated kernel's working block (P parameter rows and 2 scratch rows per hidden neuron,
# of B lanes each) should take at most half the L1 data cache, leaving the rest to the beans
# and the stack: wide and deep nets ran faster so than in blocks that fill L1
# (bench/shape_ratios.py). The run-time-shaped kernel streams rows from L2 in one short loop
# per operation, so it wants the longest loops: always MAX_BLOCK_LANES lanes. The size is this
# machine's own, read once at import.
L1_BYTES = l1_data_bytes()
# But never fewer lanes than two groups: the 8x8, whose block overflows half of a 32 KiB L1
# even in one group, ran faster in two (bench/test_shapes.py, group "L1 blocks").
MIN_BLOCK_LANES = 2 * LANE_GROUP


def block_lanes(shape: Shape, max_generated_params: int = GENERATED_MAX_PARAMS, l1_bytes: int | None = None) -> int:
    """Lanes per block for ``shape``: a power of two from MIN_BLOCK_LANES to MAX_BLOCK_LANES.

    Generated kernels take the widest whose working block fits half of ``l1_bytes`` (this
    machine's L1 data cache, ``L1_BYTES``, by default), or MIN_BLOCK_LANES when none does; the
    run-time-shaped kernel always takes MAX_BLOCK_LANES.
    """
    l1_bytes = L1_BYTES if l1_bytes is None else l1_bytes
    lanes = MAX_BLOCK_LANES
    if shape.n_params <= max_generated_params:
        rows = shape.n_params + 2 * len(_hidden_rows(shape))
        while lanes > MIN_BLOCK_LANES and rows * lanes * 8 > l1_bytes // 2:
            lanes //= 2
    return lanes


def kernel_module(shape: Shape, max_generated_params: int = GENERATED_MAX_PARAMS) -> ModuleType:
    """The lane-kernel module for ``shape``: generated for it, or the run-time-shaped one.

    Either module has ``B`` (lanes per block), ``SCRATCH`` and ``_train_blocks`` (see
    ``kernels._lane_templates``). Written, imported and remembered once per process.
    """
    return _module(shape if shape.n_params <= max_generated_params else None, block_lanes(shape, max_generated_params))


@functools.cache
def _module(shape: Shape | None, lanes: int) -> ModuleType:
    """The generated module for ``shape``, or the run-time-shaped one for None.

    Remembered: building the source (``inspect.getsource`` of the helpers) takes long enough
    to show in a short run's time.
    """
    return _load(runtime_shaped_source(lanes) if shape is None else generated_source(shape, lanes))


def scratch_lanes(module: ModuleType, shape: Shape) -> int:
    """Doubles of scratch space ``module``'s kernels want after a block of ``shape``'s parameters.

    A generated module's is fixed (``module.SCRATCH``); the run-time-shaped kernels keep each
    neuron's output and delta, the input's included, in rows of B lanes there.
    """
    return 2 * sum(shape.layer_sizes) * module.B if module.SCRATCH is None else module.SCRATCH


# ---- the source ------------------------------------------------------------------------


def _header(title: str, lanes: int) -> str:
    """Imports, numba options, ``B`` and the copies of ``kernels._lane_helpers``' helpers."""
    lines = [
        f'"""{title}: generated by kernels.codegen; do not edit (the file name hashes this text)."""',
        "",
        "import numba",
        "import numpy as np",
        "from llvmlite import ir",
        "from numba import types",
        "from numba.extending import intrinsic",
        "",
        "# kernels._jit.LANES_JIT; only the entry point is cached: its cache entry holds the code of",
        "# every helper it calls, and caching each helper too made every new shape compile ~0.2 s longer",
        f"LANES_JIT = {dict(LANES_JIT, cache=False)!r}",
        f"ENTRY_JIT = {LANES_JIT!r}",
        f"B = {lanes}  # lanes per block: parameter k of lane s sits at blk[k*B + s]",
        f"LANE_GROUP = {LANE_GROUP}  # lanes in use always come in whole groups of this many",
        "",
    ]
    functions = [getattr(_lane_helpers, name) for name in _lane_helpers.HELPERS]
    py_functions = [getattr(f, "py_func", None) or f._defn for f in functions]
    constants = sorted(
        {
            name
            for f in py_functions
            for name in f.__code__.co_names
            if isinstance(getattr(_lane_helpers, name, None), numbers.Real)
            and not isinstance(getattr(_lane_helpers, name), bool)
        }
    )
    lines += [f"{name} = {getattr(_lane_helpers, name)!r}" for name in constants]
    for f in py_functions:
        lines += ["", "", inspect.getsource(f).rstrip()]
    return "\n".join(lines) + "\n"


def runtime_shaped_source(lanes: int) -> str:
    """Source of the run-time-shaped lane kernels with ``lanes`` lanes per block."""
    scratch = (
        "\n\nSCRATCH = None  # per shape: two rows of B lanes per neuron, input included (codegen.scratch_lanes)\n"
    )
    entry = drivers(RUNTIME_SHAPED_TRAIN, RUNTIME_SHAPED_EVAL)
    return _header("Run-time-shaped lane kernels", lanes) + ACCESS + scratch + entry


def generated_source(shape: Shape, lanes: int) -> str:
    """Source of lane kernels written out for ``shape``, ``lanes`` lanes per block."""
    loops = "\n".join(
        f"        for s{n} in range(lanes8):\n{_indent(_own_names(loop, n), 12)}"
        for n, loop in enumerate(_step_loops(shape, lanes))
    )
    loads = [line for layer in range(shape.n_layers) for line in _load_lines(shape, lanes, layer)]
    evaluate_lines = _forward_lines(shape, lanes, load=False) + [
        f"err = y - {_output(shape)}",
        "total += err * err",
        f"right += 1.0 if ({_output(shape)} > threshold) == (y > threshold) else 0.0",
    ]
    # lanes come in whole groups of LANE_GROUP; saying so lets LLVM drop every loop's scalar
    # remainder, a large share of the compile time (bench/test_shapes.py, group "compile")
    train = f"""
lanes8 = lanes // LANE_GROUP * LANE_GROUP
{EPOCHS}
    for i in range(xs.shape[0]):
        x = xs[i]
        y = ys[i]
{loops}
"""
    # Lane by lane, the beans innermost: a sum over beans does not vectorise (no reassociation),
    # so this compiles as plain scalar code, quickly; it runs once per chunk of epochs.
    evaluate = f"""
for s in range(lanes):
{_indent(loads, 4)}
    total = 0.0
    right = 0.0
    for i in range(xs.shape[0]):
        x = xs[i]
        y = ys[i]
{_indent(evaluate_lines, 8)}
    mse[s] = total / xs.shape[0]  # 0/0 = NaN without held-out beans (error_model 'numpy')
    hits[s] = right / xs.shape[0]
"""
    scratch = f"\n\nSCRATCH = {2 * len(_hidden_rows(shape)) * lanes}  # lanes for hidden outputs and deltas\n"
    return _header(f"Lane kernels for a {shape} net", lanes) + ACCESS + scratch + drivers(train, evaluate)


_LOCAL = re.compile(r"\b(p[0-9]+|[adz][0-9]+_[0-9]+|s|rate)\b")


def _own_names(lines: list[str], n: int) -> list[str]:
    """Lines of lane loop ``n`` with every local of theirs renamed ``<name>_<n>`` (``s`` to ``s<n>``).

    The same arithmetic; but a name assigned in one loop only is one numba's SSA pass can skip,
    while a name assigned in several loops costs it a pass over every block of the function:
    shared names made that pass a fifth of a new shape's compile time.
    """
    return [_LOCAL.sub(lambda m: f"s{n}" if m[1] == "s" else f"{m[1]}_{n}", line) for line in lines]


def _indent(lines: list[str], spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in lines)


def _a(layer: int, neuron: int) -> str:
    """Local name of a neuron's output (layer 0 is the input, x); 1-based as the lesson's a1_1."""
    return "x" if layer == 0 else f"a{neuron + 1}_{layer}"


def _output(shape: Shape) -> str:
    return _a(shape.n_layers, 0)


def _forward_lines(shape: Shape, lanes: int, load: bool = True) -> list[str]:
    """Each neuron's output, layer by layer (each layer's parameters loaded first, if ``load``)."""
    return [line for layer in range(shape.n_layers) for line in _layer_lines(shape, lanes, layer, load)]


def _load_lines(shape: Shape, lanes: int, layer: int) -> list[str]:
    """The parameters of ``layer`` (0-based, output last) of lane s into locals p{k}."""
    names, first, end = shape.param_names, shape.layer_offsets[layer], shape.layer_offsets[layer + 1]
    return [f"p{k} = _at(blk, {k * lanes}, s)  # {names[k]}" for k in range(first, end)]


def _layer_lines(shape: Shape, lanes: int, layer: int, load: bool = True) -> list[str]:
    """Load the parameters of ``layer`` (0-based, output last) if ``load``, then its neurons' outputs.

    A neuron's sum is one expression in the lesson's order (``w1*a1 + w2*a2 + b``): a partial
    sum kept between statements would change which multiply-adds LLVM fuses, and the 1-2-1
    would move in the last bits (tests/test_many.py holds its bits).
    """
    lines = _load_lines(shape, lanes, layer) if load else []
    fan_in = shape.layer_sizes[layer]
    for j in range(shape.layer_sizes[layer + 1]):
        k = shape.neuron_start(layer, j)
        terms = [f"p{k + i} * {_a(layer, i)}" for i in range(fan_in)] + [f"p{k + fan_in}"]
        z = " + ".join(terms)
        a = _a(layer + 1, j)
        if layer == shape.n_layers - 1 or shape.activation == "sigmoid":
            lines.append(f"{a} = _sigmoid({z})")
        elif shape.activation == "tanh":  # tanh(z) = 2 sigmoid(2z) - 1: (1-e)/(1+e) is NaN for z < -354
            lines.append(f"{a} = 2.0 * _sigmoid(2.0 * ({z})) - 1.0")
        else:  # relu; NaN <= 0 is False, so NaN passes
            net = f"z{j + 1}_{layer + 1}"  # one name per neuron: see _own_names
            lines += [f"{net} = {z}", f"{a} = 0.0 if {net} <= 0.0 else {net}"]
    return lines


def _hidden_rows(shape: Shape) -> list[tuple[int, int]]:
    """(1-based layer, 0-based neuron) of each hidden neuron, in the order of its scratch row."""
    return [(layer, j) for layer in range(1, shape.n_layers) for j in range(shape.layer_sizes[layer])]


def _step_loops(shape: Shape, lanes: int) -> list[list[str]]:
    """One SGD step as a series of short lane loops: forward one per hidden layer, back one per layer.

    Hidden outputs and deltas go from loop to loop through scratch rows kept in the block
    itself after the parameters: one array read at constant offsets needs no run-time alias
    checks. Short loops let the processor overlap many lanes' exp and division chains; in
    one long loop body the chain of layers leaves it waiting. Values pass through memory
    unchanged, so this is the same arithmetic as one loop.
    """
    hidden = _hidden_rows(shape)
    rows = {neuron: r for r, neuron in enumerate(hidden)}
    top = shape.n_layers - 1  # the top hidden layer, 1-based

    def row(layer, j, what):
        return (shape.n_params + rows[(layer, j)] + (len(hidden) if what == "d" else 0)) * lanes

    def store(layer, what):
        names = [_a(layer, j) if what == "a" else f"d{j + 1}_{layer}" for j in range(shape.layer_sizes[layer])]
        return [f"_put(blk, {row(layer, j, what)}, s, {name})" for j, name in enumerate(names)]

    def reload(layer, what):
        if layer == 0:
            return []  # the input, x, is a local already
        names = [_a(layer, j) if what == "a" else f"d{j + 1}_{layer}" for j in range(shape.layer_sizes[layer])]
        return [f"{name} = _at(blk, {row(layer, j, what)}, s)" for j, name in enumerate(names)]

    loops = []
    for layer in range(top):  # 0-based parameter layer; it computes hidden layer layer + 1
        loops.append(reload(layer, "a") + _layer_lines(shape, lanes, layer) + store(layer + 1, "a"))
    loops.append(
        reload(top, "a") + _layer_lines(shape, lanes, top)
        + [_output_delta_line(shape)] + _delta_lines(shape, top)
        + _update_lines(shape, top, lanes) + store(top, "d")
    )  # fmt: skip
    for h in range(top, 0, -1):  # hidden layer h's deltas update parameter layer h - 1 and give layer h - 1's
        body = reload(h, "d") + reload(h - 1, "a") + _load_lines(shape, lanes, h - 1)
        if h > 1:
            body += _delta_lines(shape, h - 1) + store(h - 1, "d")
        loops.append(body + _update_lines(shape, h - 1, lanes))
    return loops


def _derivative(shape: Shape, a: str) -> str:
    """f'(z) of a hidden neuron from its output ``a``."""
    return {
        "sigmoid": f"({a} * (1.0 - {a}))",
        "tanh": f"(1.0 - {a} * {a})",
        "relu": f"(1.0 if {a} > 0.0 else 0.0)",
    }[shape.activation]


def _output_delta_line(shape: Shape) -> str:
    out = _output(shape)
    return f"d1_{shape.n_layers} = -2.0 * (y - {out}) * ({out} * (1.0 - {out}))"


def _delta_lines(shape: Shape, layer: int) -> list[str]:
    """Deltas of hidden ``layer`` (1-based) from those of the layer above and its old weights."""
    width, above = shape.layer_sizes[layer], shape.layer_sizes[layer + 1]
    lines = []
    for i in range(width):
        # neuron i feeds neuron j of the layer above through that neuron's weight i
        back = " + ".join(f"d{j + 1}_{layer + 1} * p{shape.neuron_start(layer, j) + i}" for j in range(above))
        lines.append(f"d{i + 1}_{layer} = ({back}) * {_derivative(shape, _a(layer, i))}")
    return lines


def _update_lines(shape: Shape, layer: int, lanes: int) -> list[str]:
    """``w - lr*(d*a)`` and ``b - lr*d`` for every parameter of ``layer`` (0-based, output last), lr per lane.

    The lane's rate is loaded once per loop, into ``rate``.
    """
    fan_in, lines = shape.layer_sizes[layer], ["rate = _at(lr, 0, s)"]
    for j in range(shape.layer_sizes[layer + 1]):
        k, d = shape.neuron_start(layer, j), f"d{j + 1}_{layer + 1}"
        lines += [f"_put(blk, {(k + i) * lanes}, s, p{k + i} - rate * ({d} * {_a(layer, i)}))" for i in range(fan_in)]
        lines.append(f"_put(blk, {(k + fan_in) * lanes}, s, p{k + fan_in} - rate * {d})")
    return lines


# ---- writing and importing ---------------------------------------------------------------

_loaded: dict[str, ModuleType] = {}
_folder: Path | None = None


def generated_dir() -> Path:
    """A folder private to this user for the generated modules (made on first use).

    Beside numba's own cache when ``NUMBA_CACHE_DIR`` is set, else in the user cache dir
    (``~/.cache/beans/kernels``); when neither is writable, or not private, a private temporary
    folder (``kernels.private_dir``). Private matters: its files are imported.
    """
    global _folder
    if _folder is None:
        if numba.config.CACHE_DIR:
            candidate = Path(numba.config.CACHE_DIR) / "beans-kernels"
        else:
            candidate = Path(AppDirs(appname="beans", appauthor=False).user_cache_dir) / "kernels"
        if make_private(candidate):
            _folder = candidate
        else:
            shared = Path(tempfile.gettempdir()) / f"beans-kernels-{os.getuid()}"
            _folder = private_dir(shared, prefix="beans-kernels-")
    return _folder


def _load(source: str) -> ModuleType:
    """Import ``source`` as a module from a file named by its hash (written only if missing)."""
    key = hashlib.sha256("\n".join((source, numba.__version__)).encode()).hexdigest()[:20]
    name = f"beans_lanes_{key}"
    if name not in _loaded:
        path = generated_dir() / f"{name}.py"
        if not path.is_file() or path.read_text() != source:
            _write_atomically(path, source)  # rewriting an unchanged file would void numba's cache of it
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _loaded[name] = module
    return _loaded[name]


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename: readers see all or nothing."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-", suffix=".py")
    try:
        with os.fdopen(fd, "w") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
