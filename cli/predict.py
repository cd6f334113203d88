"""``beans predict``: a trained seed's toxicity prediction for given bean sizes.

The model is the ``results.json`` that ``beans train`` writes: its ``results`` list holds, per
seed, ``seed``, ``rank`` (1 = best, as ``beans train`` ranked it), ``final_mse``, ``diverged``
and ``params`` (a dict by ``PARAM_NAMES``). ``read_model`` is the only code that knows that
layout; the best seed is the one ranked 1, so predict never re-decides what train decided.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from cli.errors import fail

# Register with these so a negative size ("-0.5") reaches SIZE instead of being taken for an option.
CONTEXT_SETTINGS = {"ignore_unknown_options": True}


class ModelError(Exception):
    """A model file that is missing, not JSON, or not a beans results.json; one-line message."""


@dataclass(frozen=True)
class SeedModel:
    """One trained seed from results.json: its params in ``kernels.PARAM_NAMES`` order, or None."""

    seed: int
    rank: int
    final_mse: float | None
    diverged: bool
    params: tuple[float, ...] | None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _params(entry: dict, names: tuple[str, ...]) -> tuple[float, ...] | None:
    """The params by name as finite floats, or None when any is missing or not finite."""
    raw = entry.get("params")
    if not isinstance(raw, dict):
        return None
    values = [raw.get(name) for name in names]
    if not all(_is_number(v) for v in values):
        return None
    return tuple(float(v) for v in values)


def read_model(path: Path, names: tuple[str, ...]) -> list[SeedModel]:
    """Every seed in a ``beans train`` results.json, params in the order of ``names``.

    Raises ModelError saying what is wrong with the file.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelError(f"model file {path} not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ModelError(f"cannot read model file {path}: {getattr(err, 'strerror', None) or err}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ModelError(f"{path} is not JSON ({err.msg} at line {err.lineno} column {err.colno})") from None
    entries = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise ModelError(f"{path} has no per-seed results: is it a results.json from beans train?")
    seeds = []
    for entry in entries:
        if not isinstance(entry, dict) or not all(_is_int(entry.get(key)) for key in ("seed", "rank")):
            raise ModelError(f"{path} has a malformed entry in its results (each needs a seed, a rank and params)")
        mse = entry.get("final_mse")
        seeds.append(
            SeedModel(
                seed=entry["seed"],
                rank=entry["rank"],
                final_mse=float(mse) if _is_number(mse) else None,
                diverged=bool(entry.get("diverged", False)),
                params=_params(entry, names),
            )
        )
    if not any(s.params is not None for s in seeds):
        raise ModelError(f"{path} holds no seed with all {len(names)} params ({', '.join(names)})")
    return seeds


def choose_seed(seeds: list[SeedModel], seed: int | None, path: Path) -> SeedModel:
    """Seed ``seed``'s model, or the best: the one ``beans train`` ranked 1 (it ranks diverged seeds last)."""
    if seed is not None:
        for s in seeds:
            if s.seed == seed:
                if s.params is None:
                    raise ModelError(f"seed {seed} in {path} has no usable params (did it diverge?)")
                return s
        available = ", ".join(str(s.seed) for s in seeds)
        raise LookupError(f"seed {seed} is not in {path}; available seeds: {available}")
    best = min(seeds, key=lambda s: s.rank)
    if best.diverged or best.params is None:  # the best diverged, so every seed did
        raise ModelError(f"every seed in {path} diverged: no model to predict with (choose one with --seed)")
    return best


def parse_sizes(texts: list[str]) -> list[float]:
    """Bean sizes from the command line; ValueError naming the first that is not a finite number."""
    sizes = []
    for text in texts:
        try:
            value = float(text)
        except ValueError:
            hint = " (unknown option?)" if text.startswith("--") else ""
            raise ValueError(f"SIZE must be a number, got {text!r}{hint}") from None
        if not math.isfinite(value):
            raise ValueError(f"SIZE must be a finite number, got {text!r}")
        sizes.append(value)
    return sizes


def predict(
    sizes: Annotated[
        list[str], typer.Argument(metavar="SIZE", help="Bean sizes (the lesson's are in 0..2)", show_default=False)
    ],
    model: Annotated[
        Path, typer.Option("--model", "-m", help="A results.json written by beans train.", show_default=False)
    ],
    seed: Annotated[int | None, typer.Option("--seed", help="Use this seed's params instead of the best.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Predict the toxicity of beans of the given sizes with a trained model (the best seed by default)."""
    try:
        xs = parse_sizes(sizes)
    except ValueError as err:
        fail(str(err), 2)
    import numpy as np

    import kernels

    try:
        chosen = choose_seed(read_model(model, kernels.PARAM_NAMES), seed, model)
    except ModelError as err:
        fail(str(err), 1)
    except LookupError as err:
        fail(str(err), 2)

    toxicity = kernels.predict(np.array(chosen.params), np.array(xs))
    rows = [
        {"size": x, "toxicity": float(p), "toxic": bool(p > kernels.TOXIC_ABOVE)}
        for x, p in zip(xs, toxicity, strict=True)
    ]
    if as_json:
        doc = {"model": str(model), "seed": chosen.seed, "final_mse": chosen.final_mse, "predictions": rows}
        typer.echo(json.dumps(doc, indent=2))
        return
    _print_table(rows, chosen, model)


def _print_table(rows: list[dict], chosen: SeedModel, model: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    mse = "n/a" if chosen.final_mse is None else f"{chosen.final_mse:.4g}"
    console = Console()
    console.print(f"seed {chosen.seed} of {model} (final MSE {mse})", markup=False, highlight=False)
    table = Table()
    table.add_column("size", justify="right")
    table.add_column("toxicity", justify="right")
    table.add_column("call", justify="right")
    for row in rows:
        call = "1 toxic" if row["toxic"] else "0 safe"
        table.add_row(f"{row['size']:g}", f"{row['toxicity']:.4f}", call)
    console.print(table)
