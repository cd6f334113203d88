"""Run a learner's copy of the lesson's script and record its values after every bean.

``beans check`` starts this file in a process of its own (``python tutor_child.py SPEC``), so
a hang, a window or a crash in the learner's script never reaches beans. It imports nothing
from beans: SPEC is a JSON object with ``script``, ``epochs``, ``seed``, ``out`` (where the
record goes, as JSON), ``watch`` (the names to record), ``params`` and ``required``.

The learner's loop is found in the source: the deepest module-level ``for`` or ``while``
whose body assigns one of the parameters. A sample ends when the loop body is left or
begins again; its watched names are read from the module's globals then, as the lesson's
module-level loop leaves them. After ``epochs`` passes over ``xs`` the script is stopped.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import traceback

# Memory guard for scripts with huge data: no more samples than this are recorded.
MAX_SAMPLES = 200_000


class Stop(BaseException):
    """Raised from the tracer to end the learner's script; a BaseException so ``except Exception`` lets it by."""


def find_loop(tree: ast.Module, params: set[str]) -> tuple[int, int] | None:
    """(first, last) line of the body of the deepest module-level loop that assigns a parameter."""
    best, best_depth = None, -1

    def assigns(node: ast.AST) -> bool:
        for sub in ast.walk(node):
            targets = getattr(sub, "targets", None) or [getattr(sub, "target", None)]
            for target in targets:
                if target is not None and any(isinstance(n, ast.Name) and n.id in params for n in ast.walk(target)):
                    return True
        return False

    def visit(statements: list[ast.stmt], depth: int) -> None:
        nonlocal best, best_depth
        for node in statements:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if isinstance(node, ast.For | ast.While) and depth > best_depth and any(assigns(s) for s in node.body):
                best, best_depth = node, depth
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    visit([s for s in inner if isinstance(s, ast.stmt)] or _handler_bodies(inner), depth + 1)

    visit(tree.body, 0)
    if best is None:
        return None
    return best.body[0].lineno, max(s.end_lineno or s.lineno for s in best.body)


def _handler_bodies(handlers: list) -> list[ast.stmt]:
    return [s for h in handlers if isinstance(h, ast.ExceptHandler) for s in h.body]


def _number(value: object) -> float | str:
    """A recorded value: a float, or the type's name for what is not one number."""
    try:
        import numpy as np

        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.reshape(()).item()
        if isinstance(value, bool | int | float | np.integer | np.floating):
            return float(value)
    except (TypeError, ValueError):
        pass
    return type(value).__name__


def learner_error(err: BaseException, folder: str) -> str:
    """The learner's error as Python prints it, with only the frames in the learner's own files."""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if os.path.abspath(f.filename).startswith(folder)]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(err), err)
    return "".join(lines).rstrip()


def main(spec: dict) -> dict:
    """Run the script of ``spec`` and return what was recorded (``status`` says how it ended)."""
    script = os.path.abspath(spec["script"])
    folder = os.path.dirname(script) + os.sep
    params, watch, required = spec["params"], spec["watch"], spec["required"]
    record: dict = {"status": "done", "samples": [], "start": None, "xs": None, "ys": None}
    try:
        with open(script, encoding="utf-8") as source:
            text = source.read()
        tree = ast.parse(text, filename=script)
    except (SyntaxError, UnicodeDecodeError, ValueError) as err:
        return {**record, "status": "error", "error": learner_error(err, folder)}
    lines = find_loop(tree, set(params))
    if lines is None:
        return {**record, "status": "no_loop"}
    first, last = lines

    import matplotlib

    matplotlib.use("Agg")  # no window, whatever the learner's configuration says
    import matplotlib.pyplot as plt
    import numpy as np

    plt.show = plt.pause = lambda *args, **kwargs: None  # nothing to wait for without a window
    np.random.seed(spec["seed"])
    sys.path[0] = os.path.dirname(script)  # as `python script.py` does: its dataset.py imports
    sys.argv = [script]
    sys.dont_write_bytecode = True  # no __pycache__ beside the learner's files
    inside = False
    limit = None

    def close(g: dict) -> None:
        nonlocal limit
        missing = [name for name in required if name not in g]
        if missing:
            record.update(status="names", missing=missing)
            raise Stop
        record["samples"].append({name: _number(g[name]) for name in watch if name in g})
        if limit is None:
            limit = min(MAX_SAMPLES, spec["epochs"] * max(1, len(g["xs"])))
        if len(record["samples"]) >= limit:
            raise Stop

    def begin(g: dict) -> None:
        if record["start"] is None and all(name in g for name in ("xs", "ys", *params)):
            record["start"] = {name: _number(g[name]) for name in params}
            record["xs"] = [_number(v) for v in np.ravel(g["xs"])]
            record["ys"] = [_number(v) for v in np.ravel(g["ys"])]

    def local(frame, event, arg):
        nonlocal inside
        if event == "line":
            line = frame.f_lineno
            if inside and not first < line <= last:
                inside = False
                close(frame.f_globals)
            if line == first:
                begin(frame.f_globals)
                inside = True
        return local

    def tracer(frame, event, arg):
        if frame.f_code.co_filename == script and frame.f_code.co_name == "<module>":
            return local
        return None  # the learner's functions and every library run untraced, at full speed

    code = compile(tree, script, "exec")
    sys.settrace(tracer)
    try:
        exec(code, {"__name__": "__main__", "__file__": script, "__builtins__": __builtins__})
    except Stop:
        pass
    except SystemExit:  # the script ended itself
        pass
    except BaseException as err:  # the learner's own error, shown as theirs
        sys.settrace(None)
        return {**record, "status": "error", "error": learner_error(err, folder)}
    finally:
        sys.settrace(None)
    if record["status"] == "done" and not record["samples"]:
        record["status"] = "no_loop"
    return record


if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    result = main(spec)
    with open(spec["out"], "w", encoding="utf-8") as out:
        json.dump(result, out)
    os._exit(0)  # no interpreter teardown: matplotlib and the learner's objects are not ours to wait for
