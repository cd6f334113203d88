"""``beans predict``: a trained seed's toxicity prediction for given bean sizes.

The model is the ``results.json`` that ``beans train`` writes: its ``settings`` name the
network (``hidden`` and ``activation``; without them it is the lesson's 1-2-1 sigmoid net, as
in files written before beans trained other shapes) and its ``results`` list holds, per seed,
``seed``, ``rank`` (1 = best, as ``beans train`` ranked it), ``final_mse``, ``diverged`` and
``params`` (a dict by the shape's ``param_names``). ``read_model`` is the only code that knows
that layout; the best seed is the one ranked 1, so predict never re-decides what train decided.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from ..checks import parse_decimal
from ..kernels.shape import Shape
from .errors import fail
from .options import data_file, whole

# Register with these so a negative size ("-0.5") reaches SIZE instead of being taken for an option.
CONTEXT_SETTINGS = {"ignore_unknown_options": True}
# An unknown --seed lists the file's seeds when there are at most this many, else a summary.
LISTED_SEEDS = 10
# A seed whose params do not fit the shape: at most this many missing or unexpected names are named.
LISTED_NAMES = 4


class ModelError(Exception):
    """A model file that is missing, not JSON, or not a beans results.json; one-line message."""


@dataclass(frozen=True)
class SeedModel:
    """One trained seed from results.json: its params in its shape's ``param_names`` order, or None.

    ``problem`` says why ``params`` is None (``"w11_1 is 'x'"``), for the error message.
    """

    seed: int
    rank: int
    final_mse: float | None
    diverged: bool
    params: tuple[float, ...] | None
    problem: str = ""


def _is_number(value: object) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int past float's range: not a usable parameter
        return False


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _some(names: list[str]) -> str:
    """A few names and how many more: ``w13_1, b3_1, w14_1, b4_1 and 25 more``."""
    shown = ", ".join(names[:LISTED_NAMES])
    return shown if len(names) <= LISTED_NAMES else f"{shown} and {len(names) - LISTED_NAMES} more"


def _params(entry: dict, shape: Shape) -> tuple[tuple[float, ...] | None, str]:
    """The params by ``shape``'s names as finite floats and "", or None and what is wrong with them.

    The names must be exactly the shape's: one missing or one too many means the params were
    not made for this network, and predicting with them would be a guess.
    """
    names = shape.param_names
    raw = entry.get("params")
    if not isinstance(raw, dict):
        return None, f"its params are {json.dumps(raw)}, not a dict of {len(names)} numbers"
    missing = [name for name in names if name not in raw]
    unexpected = [name for name in raw if name not in set(names)]
    if missing or unexpected:
        wrong = ([f"missing {_some(missing)}"] if missing else []) + (
            [f"unexpected {_some(unexpected)}"] if unexpected else []
        )
        return None, f"its {len(raw)} params do not fit a {shape} network's {len(names)}: {'; '.join(wrong)}"
    for name in names:
        if not _is_number(raw[name]):
            return None, f"{name} is {json.dumps(raw[name])}, not a finite number"
    return tuple(float(raw[name]) for name in names), ""


def read_model(path: Path) -> tuple[Shape, list[SeedModel]]:
    """The network a ``beans train`` results.json describes, and every seed in it (params in its order).

    Raises ModelError saying what is wrong with the file.
    """
    from ..config import MODEL_LIMIT_BYTES
    from ..results import RESULTS_FORMAT, settings_shape

    try:
        with open(path, "rb") as file:  # a bounded read: /dev/zero or a FIFO may never end
            data = file.read(MODEL_LIMIT_BYTES + 1)
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise ModelError(f"model file {path} not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ModelError(f"cannot read model file {path}: {getattr(err, 'strerror', None) or err}") from None
    if len(data) > MODEL_LIMIT_BYTES:
        raise ModelError(
            f"{path} is larger than {MODEL_LIMIT_BYTES / 2**30:g} GiB: not a results.json from beans train"
        )
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ModelError(f"{path} is not JSON ({err.msg} at line {err.lineno} column {err.colno})") from None
    except RecursionError:
        raise ModelError(f"{path} is nested too deeply to be a results.json from beans train") from None
    except ValueError as err:  # e.g. an integer of more digits than Python converts
        raise ModelError(f"{path} is not a results.json from beans train: {err}") from None
    entries = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise ModelError(f"{path} has no per-seed results: is it a results.json from beans train?")
    layout = doc.get("format")
    if _is_int(layout) and layout > RESULTS_FORMAT:
        raise ModelError(
            f"{path} was written by a newer beans (results format {layout}; this one reads up to {RESULTS_FORMAT})"
        )
    try:
        shape = settings_shape(doc.get("settings"))
    except ValueError as err:
        raise ModelError(f"{path} is not a model beans can use: {err}") from None
    seeds = []
    for entry in entries:
        if not isinstance(entry, dict) or not all(_is_int(entry.get(key)) for key in ("seed", "rank")):
            raise ModelError(f"{path} has a malformed entry in its results (each needs a seed, a rank and params)")
        mse = entry.get("final_mse")
        params, problem = _params(entry, shape)
        seeds.append(
            SeedModel(
                seed=entry["seed"],
                rank=entry["rank"],
                final_mse=float(mse) if _is_number(mse) else None,
                diverged=entry.get("diverged") is True,
                params=params,
                problem=problem,
            )
        )
    if not any(s.params is not None for s in seeds):
        first = seeds[0] if seeds else None
        why = f" (seed {first.seed}: {first.problem})" if first is not None else ""
        raise ModelError(f"{path} holds no seed with all {shape.n_params} params of its {shape} network{why}")
    return shape, seeds


def describe_seeds(seeds: list[int]) -> str:
    """The seeds a file holds, short however many: ``0, 1, 2``; ``1000 seeds: 0..999``; a sample otherwise."""
    ordered = sorted(seeds)
    if len(ordered) <= LISTED_SEEDS:
        return ", ".join(map(str, ordered))
    if ordered == list(range(ordered[0], ordered[0] + len(ordered))):
        return f"{len(ordered)} seeds: {ordered[0]}..{ordered[-1]}"
    head = ", ".join(map(str, ordered[: LISTED_SEEDS - 2]))
    return f"{len(ordered)} seeds: {head}, ..., {ordered[-1]}"


def choose_seed(seeds: list[SeedModel], seed: int | None, path: Path) -> SeedModel:
    """Seed ``seed``'s model, or the best: the one ``beans train`` ranked 1 (it ranks diverged seeds last).

    Never falls back to another seed: a chosen seed without usable params is a ModelError
    naming it; a seed the file does not hold is a LookupError.
    """
    if seed is not None:
        chosen = next((s for s in seeds if s.seed == seed), None)
        if chosen is None:
            held = describe_seeds([s.seed for s in seeds])
            raise LookupError(f"seed {seed} is not in {path}; it holds {held}")
    else:
        chosen = min(seeds, key=lambda s: s.rank)
        if chosen.diverged:  # ranked 1 and diverged: every seed did
            raise ModelError(f"every seed in {path} diverged: no model to predict with (choose one with --seed)")
    if chosen.params is None:
        how = "" if seed is not None else f" (ranked {chosen.rank}, the best)"
        hint = "; it diverged" if chosen.diverged else ""
        raise ModelError(f"seed {chosen.seed}{how} in {path} has no usable params: {chosen.problem}{hint}")
    return chosen


def parse_sizes(texts: list[str]) -> list[float]:
    """Bean sizes from the command line; ValueError naming the first that is not a finite number.

    Only plain decimal numbers are sizes (``0.8``, ``-1``, ``.5``, ``2e-3``), by the one rule
    every option of every command follows (``beans.checks.parse_decimal``).
    """
    sizes = []
    for text in texts:
        try:
            sizes.append(parse_decimal(text, "SIZE"))
        except ValueError as err:
            hint = " (unknown option?)" if text.startswith("--") else ""
            raise ValueError(f"{err}{hint}") from None
    return sizes


def predict(
    model: Annotated[
        Path, typer.Option("--model", "-m", help="A results.json written by beans train.", show_default=False)
    ],
    sizes: Annotated[
        list[str] | None,
        typer.Argument(metavar="SIZE", help="Bean sizes (the lesson's are in 0..2)", show_default=False),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", **whole(), help="Use this seed's params instead of the best."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    check: Annotated[
        Any,
        typer.Option(
            "--data", **data_file(), help="Check the model on the beans of this CSV: each one's toxicity beside it."
        ),
    ] = None,
) -> None:
    """Predict the toxicity of beans of the given sizes with a trained model (the best seed by default).

    With --data FILE.csv it predicts every bean of the file and checks the calls against the
    file's toxicities (accuracy and MSE, as beans train counts them).
    """
    if bool(sizes) == (check is not None):
        fail("give bean sizes or --data FILE.csv (one of them)", 2)
    try:
        xs = parse_sizes(sizes) if sizes else check.xs.tolist()
    except ValueError as err:
        fail(str(err), 2)
    import numpy as np

    try:
        shape, seeds = read_model(model)
        chosen = choose_seed(seeds, seed, model)
    except ModelError as err:
        fail(str(err), 1)
    except LookupError as err:
        fail(str(err), 2)

    from ..kernels import TOXIC_ABOVE
    from ..kernels.network import predict

    # A huge size overflows w * x to +-inf inside predict; the sigmoid of that is the
    # right 0 or 1, so numpy's overflow warning (with its source line) is only noise here.
    with np.errstate(over="ignore", invalid="ignore"):
        toxicity = predict(np.array(chosen.params), np.array(xs), shape)
    lost = np.flatnonzero(np.isnan(toxicity))
    if lost.size:  # relu neurons are unbounded: inf - inf inside the net, for a huge size
        fail(f"SIZE {sizes[lost[0]]} is too large for this {shape} network's arithmetic; try a smaller one", 2)
    rows = [
        {"size": x, "toxicity": float(p), "toxic": bool(p > TOXIC_ABOVE)} for x, p in zip(xs, toxicity, strict=True)
    ]
    checked = None
    if check is not None:
        for row, given in zip(rows, check.ys.tolist(), strict=True):
            row["given"] = given
        checked = {
            "data": check.describe(),
            "mse": float(np.mean((check.ys - toxicity) ** 2)),
            "accuracy": float(np.mean((toxicity > TOXIC_ABOVE) == (check.ys > TOXIC_ABOVE))),
        }
    if as_json:
        doc = {
            "model": str(model),
            "shape": str(shape),
            "seed": chosen.seed,
            "final_mse": chosen.final_mse,
            "predictions": rows,
        }
        if checked is not None:
            doc["checked"] = checked
        text = json.dumps(doc, indent=2) + "\n"
        _print(lambda stdout: stdout.write(text))
        return
    _print(lambda stdout: _print_table(rows, chosen, shape, model, stdout, checked))


def _print(render) -> None:
    """``render(stdout)``, or a one-line error if standard output is closed or full."""
    from ..files import OutputError, to_stdout

    try:
        to_stdout(render)
    except OutputError as err:
        fail(str(err), 1)


def _print_table(rows: list[dict], chosen: SeedModel, shape: Shape, model: Path, stdout, checked=None) -> None:
    from rich.console import Console
    from rich.table import Table

    mse = "n/a" if chosen.final_mse is None else f"{chosen.final_mse:.4g}"
    console = Console(file=stdout)
    header = f"seed {chosen.seed} of {model}, a {shape} network (final MSE {mse})"
    console.print(header, markup=False, highlight=False, soft_wrap=True)  # one line, however long the path
    table = Table()
    table.add_column("size", justify="right")
    table.add_column("toxicity", justify="right")
    table.add_column("call", justify="right")
    if checked is not None:
        table.add_column("given", justify="right")
    for row in rows:
        call = "1 toxic" if row["toxic"] else "0 safe"
        given = [f"{row['given']:.4g}"] if checked is not None else []
        table.add_row(f"{row['size']:g}", f"{row['toxicity']:.4f}", call, *given)
    console.print(table)
    if checked is not None:
        data = checked["data"]
        console.print(
            f"checked on the {data['beans']} beans of {data['path']}: accuracy {checked['accuracy']:.1%}, "
            f"MSE {checked['mse']:.4g}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
