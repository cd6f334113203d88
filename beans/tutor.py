"""``beans check``'s library side: run a learner's script apart, compare it with the lesson, say why.

``run_script`` runs the script in its own process (``beans/tutor_child.py``) with a time limit
and returns what it recorded after each bean. ``compare`` replays the lesson's arithmetic
(``kernels.step.lesson_step``) from the learner's own beans and start values and returns the
first quantity, in the lesson's order, where the two differ, with a ``Hint`` at the usual cause.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .kernels.network import PARAM_NAMES
from .kernels.step import GRADIENT_NAMES, LESSON_FORMULAS, LESSON_LR, LESSON_ORDER, UPDATE_ORDER, lesson_step

CHILD = Path(__file__).with_name("tutor_child.py")
# The names a script must have for a comparison at all; the others are compared where present.
REQUIRED = ("xs", "ys", "x", "y", *PARAM_NAMES)
# A learner's value equals the lesson's when this close: the same arithmetic written in another
# order (``a * (b * c)``) differs in the last bits only; a slip differs far more.
REL_TOL = 1e-9
ABS_TOL = 1e-12
# Names a learner might put in a formula by mistake: the inputs, parameters and everything computed.
SUBSTITUTES = ("x", "y", *PARAM_NAMES, *LESSON_ORDER[2:-7])


class ScriptTimeout(Exception):
    """The learner's script ran past the time limit (and was stopped)."""


@dataclass
class Run:
    """What the learner's script did: ``status`` is done, error, names or no_loop."""

    status: str
    samples: list[dict] = field(default_factory=list)
    start: dict | None = None
    xs: list | None = None
    ys: list | None = None
    error: str = ""
    missing: list[str] = field(default_factory=list)


def run_script(script: Path, epochs: int, seed: int, time_limit: float) -> Run:
    """Run ``script`` for ``epochs`` passes over its beans in a process of its own; ScriptTimeout past ``time_limit`` s.

    The child's whole process group is killed when it ends, or on a time-out or Ctrl-C, so no
    process of the learner's outlives the check.
    """
    with tempfile.TemporaryDirectory(prefix="beans-check-") as tmp:
        out, log = Path(tmp) / "record.json", Path(tmp) / "stderr.txt"
        spec = {
            "script": str(Path(script).resolve()),
            "epochs": epochs,
            "seed": seed,
            "out": str(out),
            "watch": list(LESSON_ORDER),
            "params": list(PARAM_NAMES),
            "required": list(REQUIRED),
        }
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}
        with open(log, "wb") as err:
            child = subprocess.Popen(
                [sys.executable, str(CHILD), json.dumps(spec)],
                cwd=Path(script).resolve().parent,  # where the learner runs it: relative paths mean the same
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # the learner's prints are not ours to show
                stderr=err,
                start_new_session=True,  # its own process group: killed whole below
            )
            try:
                child.wait(timeout=time_limit)
            except subprocess.TimeoutExpired:
                raise ScriptTimeout(f"{script} ran past {time_limit:g} s") from None
            finally:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        if not out.exists():  # the child itself died (killed, out of memory): its last words
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
            return Run("error", error="\n".join(tail) or f"the script's process ended with code {child.returncode}")
        return Run(**json.loads(out.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Hint:
    """What a difference usually means: ``kind`` names a sentence, ``args`` fill it in."""

    kind: str
    args: dict


@dataclass(frozen=True)
class Finding:
    """The first quantity where a learner's script and the lesson differ."""

    name: str
    epoch: int
    bean: int
    learner: float | str
    lesson: float
    hint: Hint


def close(a: float, b: float) -> bool:
    """Equal as far as ``beans check`` cares (NaN equals NaN: both diverged the same way)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def compare(run: Run, lr: float = LESSON_LR) -> tuple[Finding | None, list[str]]:
    """The first difference between ``run`` and the lesson from the same start, and the names compared.

    Returns (None, names) when every recorded value matches the lesson's.
    """
    params = np.array([run.start[name] for name in PARAM_NAMES], dtype=np.float64)
    xs, ys = np.array(run.xs, dtype=np.float64), np.array(run.ys, dtype=np.float64)
    compared = [name for name in LESSON_ORDER if run.samples and name in run.samples[0]]
    for k, sample in enumerate(run.samples):
        i = k % len(xs)
        lesson = lesson_step(params, xs[i], ys[i], lr)
        before = {**lesson, **dict(zip(PARAM_NAMES, params.tolist(), strict=True))}
        for name in LESSON_ORDER:
            if name not in sample:
                continue
            value = sample[name]
            if isinstance(value, str) or not close(value, lesson[name]):
                hint = diagnose(name, value, before, lr)
                return Finding(name, k // len(xs), i, value, lesson[name], hint), compared
        params = np.array([lesson[name] for name in PARAM_NAMES])
    return None, compared


def formula_text(name: str) -> str:
    """The lesson's line for ``name``, as the lesson writes it: ``z1_1 = w11_1 * x + b1_1``."""
    key = f"{name}'" if name in UPDATE_ORDER else name
    if name in ("x", "y"):
        return f"{name} = {name}s[i]"
    kind, ops = LESSON_FORMULAS[key]
    if kind == "sum":
        right = " + ".join(" * ".join(str(t) for t in product) for product in ops)
    elif kind == "sigmoid":
        right = f"sigmoid({ops[0]})"
    elif kind == "dsigmoid":
        right = f"{ops[0]} * (1 - {ops[0]})"
    elif kind == "error":
        right = f"({ops[0]} - {ops[1]}) ** 2"
    elif kind == "deda":
        right = f"-2 * ({ops[0]} - {ops[1]})"
    elif kind == "lr":
        right = f"{LESSON_LR}"
    else:
        right = f"{ops[0]} - alpha * {ops[1]}"
    return f"{name} = {right}"


def _evaluate(kind: str, ops: tuple, values: dict, lr: float) -> float:
    from .kernels.step import evaluate

    with np.errstate(all="ignore"):
        return evaluate(kind, ops, values, lr)


def diagnose(name: str, value: float | str, before: dict, lr: float) -> Hint:
    """The usual slip that turns the lesson's value of ``name`` into ``value``.

    ``before`` holds the lesson's values of this step, with the parameters as they were
    before it. Tries, in turn: a number that is not one, alpha, an update's sign or step, a
    flipped sign, the sigmoid's derivative with a plus, one name used for another, a factor or
    a term left out; else the lesson's line.
    """
    line = formula_text(name)
    if isinstance(value, str):
        return Hint("not_a_number", {"name": name, "type": value, "line": line})
    if name == "alpha":
        return Hint("alpha", {"value": value, "lesson": lr})
    key = f"{name}'" if name in UPDATE_ORDER else name
    kind, ops = LESSON_FORMULAS.get(key, ("input", ()))
    lesson = before[name] if kind != "update" else _evaluate(kind, ops, before, lr)
    if kind == "update":
        param, grad = ops
        if close(value, before[param] + before["alpha"] * before[grad]):
            return Hint("update_sign", {"name": name, "grad": grad})
        for other in GRADIENT_NAMES:
            if other != grad and close(value, before[param] - before["alpha"] * before[other]):
                return Hint("uses", {"name": name, "used": other, "lesson": grad})
        if before[grad] != 0:
            return Hint("update_rate", {"name": name, "grad": grad, "rate": (before[param] - value) / before[grad]})
    if lesson != 0 and close(value, -lesson):
        return Hint("sign", {"name": name, "line": line})
    if kind == "dsigmoid" and close(value, before[ops[0]] * (1 + before[ops[0]])):
        return Hint("dsigmoid_plus", {"name": name, "a": ops[0]})
    if kind == "sigmoid" and close(value, 1 - lesson):
        return Hint("sigmoid_sign", {"name": name, "z": ops[0]})
    products = [] if kind == "update" else [p if isinstance(p, tuple) else (p,) for p in ops]
    # a factor or term left out first: leaving out b1_1 looks like using y wherever y is 0
    for index, product in enumerate(products):
        if kind == "sum" and len(ops) > 1:
            rest = ops[:index] + ops[index + 1 :]
            if close(value, _evaluate(kind, rest, before, lr)):
                return Hint("missing_term", {"name": name, "term": " * ".join(map(str, product))})
        for position, term in enumerate(product):
            if kind == "sum" and len(product) > 1 and isinstance(term, str):
                if close(value, _evaluate(kind, _replace(kind, ops, index, position, None), before, lr)):
                    return Hint("missing_factor", {"name": name, "factor": term})
    for index, product in enumerate(products):
        for position, term in enumerate(product):
            if not isinstance(term, str):
                continue
            for other in SUBSTITUTES:
                if other in (term, name) or close(before[other], before[term]):
                    continue
                if close(value, _evaluate(kind, _replace(kind, ops, index, position, other), before, lr)):
                    return Hint("uses", {"name": name, "used": other, "lesson": term})
    return Hint("line", {"name": name, "line": line})


def _replace(kind: str, ops: tuple, product_index: int, position: int, new: str | None) -> tuple:
    """``ops`` with one operand replaced by ``new`` (left out when None)."""
    if kind != "sum":  # sigmoid, dsigmoid, error, deda: a flat tuple of names, one per "product"
        flat = list(ops)
        flat[product_index] = new
        return tuple(flat)
    product = list(ops[product_index])
    if new is None:
        del product[position]
    else:
        product[position] = new
    return ops[:product_index] + (tuple(product),) + ops[product_index + 1 :]
