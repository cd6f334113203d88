"""``beans explain``: one SGD step laid open, under the lesson's own names.

The numbers come from ``kernels.step`` (the lesson's loop body for the 1-2-1, the reference
loop's arithmetic for any other shape); this module chooses the step, renders it as rich
tables or JSON, and hands the network drawing to ``cli.explain_plot``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ..config import TrainConfig
from ..kernels.shape import ACTIVATIONS, Shape
from .errors import fail
from .options import (
    HIDDEN_HELP,
    SUFFIXES_TEXT,
    choice,
    hidden_layers,
    non_negative_number,
    output_path,
    positive_number,
    whole,
)
from .train import _json_target
from .tutor_words import LANGS, words

# Training up to --epoch runs the plain-Python loop: this many epochs of 100 beans take seconds.
MAX_EPOCH = 20_000
# --after-training trains this long: the lesson's 5000 epochs.
TRAINING_EPOCHS = TrainConfig.epochs


def explain(
    seed: Annotated[int, typer.Option("--seed", **whole(0), help="Seed of the start values.")] = 0,
    epoch: Annotated[
        int, typer.Option("--epoch", **whole(0, MAX_EPOCH), help="Epochs trained before the step shown.")
    ] = 0,
    bean: Annotated[
        int, typer.Option("--bean", **whole(0), help="Index of the training bean the step learns from.")
    ] = 0,
    hidden: Annotated[Any, typer.Option("--hidden", **hidden_layers(), show_default="2", help=HIDDEN_HELP)] = (2,),
    activation: Annotated[
        str, typer.Option("--activation", **choice(ACTIVATIONS), help="Of the hidden neurons.")
    ] = "sigmoid",
    beans: Annotated[int, typer.Option("--beans", **whole(2), help="How many training beans to draw.")] = 100,
    data_seed: Annotated[int, typer.Option("--data-seed", **whole(0), help="Seed of the training beans.")] = 0,
    noise: Annotated[
        float, typer.Option("--noise", parser=non_negative_number, metavar="FLOAT", help="Scale of the label noise.")
    ] = 1.0,
    lr: Annotated[float, typer.Option("--lr", parser=positive_number, metavar="FLOAT", help="Learning rate.")] = 0.03,
    lang: Annotated[str, typer.Option("--lang", **choice(LANGS), help="Language of the tables.")] = "en",
    json_path: Annotated[
        str | None,
        typer.Option(
            "--json", metavar="PATH", parser=_json_target, help="Write the step as JSON; '-' prints it instead."
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", metavar="PATH", parser=output_path, help=f"Draw the network ({SUFFIXES_TEXT})."),
    ] = None,
    after_training: Annotated[
        bool,
        typer.Option("--after-training", help=f"Also train {TRAINING_EPOCHS:,} epochs; say what each neuron does."),
    ] = False,
) -> None:
    """Show one SGD step of the lesson's network: forward pass, chain-rule partials, gradients, update.

    Uses the lesson's own names for the 1-2-1 (z1_1, a1_1, deda1_2, dedw11_2, ...) and checks
    every gradient against a finite difference.
    """
    if bean >= beans:
        raise typer.BadParameter(f"must be below --beans ({beans}), got {bean}", param_hint="'--bean'")
    shape = Shape(hidden, activation)
    from ..files import OutputError, WrongKindError, plot_format, prepare_outputs

    json_file = None if json_path in (None, "-") else Path(json_path)
    try:
        fmt = None if plot is None else plot_format(plot, "--plot")
    except ValueError as err:
        fail(str(err), 2)
    try:
        prepared = prepare_outputs([("--json", json_file, False), ("--plot", plot, False)])
    except OutputError as err:
        fail(str(err), 2 if isinstance(err, WrongKindError) else 1)

    from .. import kernels

    xs, ys = kernels.get_beans(beans, data_seed, noise)
    params = kernels.init_params(seed, shape)
    if epoch:
        params = kernels.sgd_python(params, xs, ys, epoch, lr, shape)
    import numpy as np

    if not np.all(np.isfinite(params)):
        fail(f"the network diverged before epoch {epoch} (lr {lr:g}); try a smaller --lr or --epoch", 1)
    step = explained(kernels, params, xs[bean], ys[bean], lr, shape)
    trained = kernels.sgd_python(params, xs, ys, TRAINING_EPOCHS, lr, shape) if after_training else None
    doc = document(step, bean, epoch, shape, seed, data_seed, trained)
    text = json.dumps(doc, indent=2) + "\n"

    from ..files import StagedFiles, to_stdout

    try:
        if json_path == "-":
            to_stdout(lambda stdout: stdout.write(text))
        else:
            to_stdout(lambda stdout: render(doc, words(lang), stdout))
        with StagedFiles() as staged:
            if json_file is not None:
                staged.write(json_file, lambda tmp: tmp.write_text(text, encoding="utf-8"))
            if plot is not None:
                from .explain_plot import network_figure

                fig = network_figure(doc, shape)
                staged.write(plot, lambda tmp: fig.savefig(tmp, format=fmt))
    except OutputError as err:
        prepared.cleanup()
        fail(str(err), 1)
    for path in staged.written:
        typer.echo(words(lang)("wrote", path=path), err=True)


def explained(kernels, params, x: float, y: float, lr: float, shape: Shape) -> dict:
    """The step's values by section, each a dict from name to float, in the lesson's order."""
    names = shape.param_names
    fd = kernels.finite_difference(params, x, y, shape)
    if shape == Shape():
        lesson = kernels.lesson_step(params, x, y, lr)
        from ..kernels.step import FORWARD_NAMES, GRADIENT_NAMES, PARTIAL_NAMES

        forward = {name: lesson[name] for name in FORWARD_NAMES}
        partials = {name: lesson[name] for name in PARTIAL_NAMES}
        gradients = {name: lesson[name] for name in GRADIENT_NAMES}  # the lesson's order
        after = {name: lesson[name] for name in names}
        e = lesson["e"]
    else:
        step = kernels.any_step(params, x, y, lr, shape)
        forward, partials = {}, {}
        for layer, (zs, outs, deltas) in enumerate(zip(step.z, step.a, step.delta, strict=True), start=1):
            for j, (z, a, d) in enumerate(zip(zs, outs, deltas, strict=True), start=1):
                forward[f"z{j}_{layer}"], forward[f"a{j}_{layer}"] = z, a
                partials[f"dedz{j}_{layer}"] = d
        # backwards, as backprop finds them: the output layer's first
        order = [k for layer in reversed(range(shape.n_layers)) for k in range(*shape.layer_offsets[layer : layer + 2])]
        gradients = {f"ded{names[k]}": float(step.gradients[k]) for k in order}
        after = dict(zip(names, step.params_after.tolist(), strict=True))
        e = step.e
    return {
        "x": float(x),
        "y": float(y),
        "lr": lr,
        "params_before": dict(zip(names, params.tolist(), strict=True)),
        "forward": forward,
        "e": e,
        "partials": partials,
        "gradients": gradients,
        "finite_difference": {f"ded{name}": float(v) for name, v in zip(names, fd, strict=True)},
        "params_after": after,
    }


def document(step: dict, bean: int, epoch: int, shape: Shape, seed: int, data_seed: int, trained) -> dict:
    """The JSON document: settings, the bean, and the step's sections."""
    doc = {
        "network": str(shape),
        "seed": seed,
        "data_seed": data_seed,
        "epoch": epoch,
        "lr": step["lr"],
        "bean": {"index": bean, "size": step["x"], "toxicity": step["y"]},
        **{key: step[key] for key in ("params_before", "forward", "e", "partials", "gradients")},
        "finite_difference": step["finite_difference"],
        "params_after": step["params_after"],
    }
    if trained is not None:
        from ..kernels.step import hidden_roles

        doc["trained"] = {
            "epochs": TRAINING_EPOCHS,
            "params": dict(zip(shape.param_names, trained.tolist(), strict=True)),
            "hidden_roles": (
                [{"neuron": r.neuron, "edge_at": r.edge_at, "rising": r.rising} for r in hidden_roles(trained, shape)]
                if len(shape.hidden) == 1
                else None
            ),
        }
    return doc


def _num(value: float) -> str:
    return f"{value:.6g}"


def render(doc: dict, say, stdout) -> None:
    """The step as rich tables, in the lesson's order: bean, parameters, forward, partials, gradients, update."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stdout, soft_wrap=not stdout.isatty())

    def pairs(title: str, values: dict, extra: tuple[str, float] | None = None) -> None:
        table = Table(title=title, title_justify="left")
        table.add_column(say("name"))
        table.add_column(say("value"), justify="right")
        for name, value in values.items():
            table.add_row(name, _num(value))
        if extra is not None:
            table.add_row(*extra)
        console.print(table)

    bean = doc["bean"]
    pairs(say("bean"), {say("index"): bean["index"], say("size"): bean["size"], say("toxicity"): bean["toxicity"]})
    pairs(say("params_before", epoch=doc["epoch"]), doc["params_before"])
    pairs(say("forward"), doc["forward"], ("e", _num(doc["e"])))
    lesson = doc["network"] == str(Shape())
    pairs(say("partials") if lesson else say("deltas"), doc["partials"])

    grads = Table(title=say("gradients"), title_justify="left")
    for column in (say("name"), say("gradient"), say("finite"), say("agree")):
        grads.add_column(column, justify="left" if column == say("name") else "right")
    for name, value in doc["gradients"].items():
        check = doc["finite_difference"][name]
        grads.add_row(name, _num(value), _num(check), "✓" if abs(value - check) <= 1e-6 * max(1, abs(value)) else "✗")
    console.print(grads)

    update = Table(title=say("update", lr=doc["lr"]), title_justify="left")
    for column in (say("name"), say("before"), say("gradient"), say("after")):
        update.add_column(column, justify="left" if column == say("name") else "right")
    for gradient in doc["gradients"]:
        name, before = gradient[3:], doc["params_before"][gradient[3:]]
        update.add_row(name, _num(before), _num(doc["gradients"][f"ded{name}"]), _num(doc["params_after"][name]))
    console.print(update)

    trained = doc.get("trained")
    if trained is not None:
        pairs(say("trained", epochs=trained["epochs"]), trained["params"])
        for line in roles_text(trained["hidden_roles"], say):
            console.print(line, markup=False, highlight=False)


def roles_text(roles: list[dict] | None, say) -> list[str]:
    """A sentence per first-layer neuron: which edge of the hill its step makes."""
    if roles is None:
        return [say("deeper")]
    lines = []
    for role in roles:
        at = role["edge_at"]
        if at is None:
            lines.append(say("edge_none", j=role["neuron"]))
        elif not 0 <= at <= 2:
            lines.append(say("edge_outside", j=role["neuron"], at=at))
        else:
            lines.append(say("edge_left" if role["rising"] else "edge_right", j=role["neuron"], at=at))
    return [*lines, say("output_neuron")]
