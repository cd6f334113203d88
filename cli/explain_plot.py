"""``beans explain --plot``: the network as the lesson draws it, with one step's numbers on it.

Nodes carry their values (the bean's size, each neuron's output), edges their weights, and
each weight its gradient beside it; a bias is written under its neuron. Import only inside the
command: it imports matplotlib (through ``cli.figures``, object API only, no pyplot).
"""

from __future__ import annotations

from ..kernels.shape import Shape

NODE_COLOUR = "#d9ead3"
GRADIENT_COLOUR = "#c0392b"


def node_positions(shape: Shape) -> list[list[tuple[float, float]]]:
    """(x, y) of every node, layer by layer, the input first; each layer centred on y = 0."""
    return [[(float(layer), (n - 1) / 2 - j) for j in range(n)] for layer, n in enumerate(shape.layer_sizes)]


def network_figure(doc: dict, shape: Shape):
    """A Figure of the network in ``doc`` (``cli.explain.document``'s JSON document)."""
    from .figures import Figure

    sizes = shape.layer_sizes
    spots = node_positions(shape)
    fig = Figure(figsize=(2.8 * len(sizes) + 1, 1.3 * max(sizes) + 2.2), layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    before, grads, forward = doc["params_before"], doc["gradients"], doc["forward"]
    for layer in range(shape.n_layers):
        for j, (tx, ty) in enumerate(spots[layer + 1]):
            start = shape.neuron_start(layer, j)
            for i, (sx, sy) in enumerate(spots[layer]):
                name = shape.param_names[start + i]
                ax.annotate("", (tx - 0.12, ty), (sx + 0.12, sy), arrowprops={"arrowstyle": "->", "color": "grey"})
                # on the edge, a third of the way from its target: edges into one node stay apart
                mx, my = tx + (sx - tx) * 0.35, ty + (sy - ty) * 0.35
                ax.text(mx, my + 0.06, f"{name} = {before[name]:.3g}", ha="center", fontsize=8)
                ax.text(
                    mx,
                    my - 0.12,
                    f"ded{name} = {grads['ded' + name]:.3g}",
                    ha="center",
                    fontsize=7,
                    color=GRADIENT_COLOUR,
                )
            bias = shape.param_names[start + sizes[layer]]
            ax.text(tx, ty - 0.28, f"{bias} = {before[bias]:.3g}", ha="center", fontsize=8)
            ax.text(
                tx, ty - 0.42, f"ded{bias} = {grads['ded' + bias]:.3g}", ha="center", fontsize=7, color=GRADIENT_COLOUR
            )
    ax.text(
        *spots[0][0],
        f"x\n{doc['bean']['size']:.3g}",
        ha="center",
        va="center",
        bbox={"boxstyle": "circle", "fc": NODE_COLOUR},
    )
    for layer in range(1, len(sizes)):
        for j, (nx, ny) in enumerate(spots[layer]):
            name = f"a{j + 1}_{layer}"
            ax.text(
                nx,
                ny,
                f"{name}\n{forward[name]:.3g}",
                ha="center",
                va="center",
                bbox={"boxstyle": "circle", "fc": NODE_COLOUR},
            )
    bean = doc["bean"]
    ax.set_title(
        f"{doc['network']}, seed {doc['seed']}, epoch {doc['epoch']}: bean {bean['index']} "
        f"(size {bean['size']:.3g}, toxicity {bean['toxicity']:g}), e = {doc['e']:.3g}"
    )
    height = max(sizes)
    ax.set_xlim(-0.4, len(sizes) - 0.6)
    ax.set_ylim(-height / 2 - 0.4, height / 2)
    return fig
