"""``Shape``: the one object that owns a network shape (1 input, hidden layers, 1 output).

The lesson's net is ``Shape((2,))``: 1-2-1 with sigmoid neurons. Any other shape names its
hidden layer widths and their activation (``sigmoid``, ``tanh`` or ``relu``); the output
neuron is always a sigmoid, as the lesson's is, so outputs stay in (0, 1).

Parameters travel as one flat float64 array, layer by layer (output layer last), neuron by
neuron, each neuron's incoming weights then its bias. ``w{i}{j}_{l}`` is the weight from
neuron (or input) i to neuron j of layer l and ``b{j}_{l}`` the bias of neuron j, 1-based, as
in the lesson; a weight whose i or j exceeds 9 is written ``w{i}.{j}_{l}`` so names without a
dot always hold single digits. For ``Shape((2,))`` this is exactly the lesson's order:
``w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2``.

No numpy or numba at import: the command line imports this to parse ``--hidden`` quickly.
"""

from __future__ import annotations

import itertools
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from .checks import real_array

if TYPE_CHECKING:
    import numpy as np

ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu")  # index = the kernels' activation code

# Size limits. Depth: with the lesson's start values (all in [0, 1)) every extra sigmoid layer
# shrinks the gradient reaching the first layer by up to 4x, so past 8 layers it learns nothing
# in the lesson's 5000 epochs. Width: one input and 100 beans on a single hill give nothing to
# learn for more than a few neurons, and the "what each neuron computes" figure stops being
# readable long before 64 curves per panel. The largest allowed net, 8 layers of 64, has
# 29,313 parameters: its training is slow (run-time-shaped kernel) but never unbounded.
MAX_HIDDEN_LAYERS = 8
MAX_WIDTH = 64

_HIDDEN_TEXT = re.compile(r"[0-9]+(x[0-9]+)*")


def parse_hidden(text: str) -> tuple[int, ...]:
    """Hidden layer widths from text such as ``"2"`` or ``"4x4"``: ``(2,)``, ``(4, 4)``.

    Raises ValueError with a one-line message for anything else, or sizes past the limits.
    """
    if not isinstance(text, str) or not _HIDDEN_TEXT.fullmatch(text.strip()):
        raise ValueError(f"hidden layers must be widths joined by 'x', such as 2 or 4x4; got {text!r}")
    hidden = tuple(int(part) for part in text.strip().split("x"))
    _check_hidden(hidden)
    return hidden


def _check_hidden(hidden: tuple[int, ...]) -> None:
    """Raise ValueError unless ``hidden`` holds 1..MAX_HIDDEN_LAYERS widths in 1..MAX_WIDTH."""
    if not 1 <= len(hidden) <= MAX_HIDDEN_LAYERS:
        raise ValueError(f"a network needs 1 to {MAX_HIDDEN_LAYERS} hidden layers, got {len(hidden)}")
    for width in hidden:
        if not 1 <= width <= MAX_WIDTH:
            raise ValueError(f"each hidden layer needs 1 to {MAX_WIDTH} neurons, got {width}")


@dataclass(frozen=True)
class Shape:
    """A 1-input, 1-output network: hidden layer widths and the hidden neurons' activation.

    ``Shape()`` is the lesson's 1-2-1 sigmoid net; ``Shape((4, 4), "tanh")`` has two hidden
    layers of four tanh neurons. ``str(shape)`` is ``"1-4-4-1 tanh"``.
    """

    hidden: tuple[int, ...] = (2,)
    activation: str = "sigmoid"

    def __post_init__(self):
        hidden = tuple(self.hidden) if isinstance(self.hidden, Sequence) else None
        if hidden is None or not all(isinstance(w, numbers.Integral) and not isinstance(w, bool) for w in hidden):
            raise ValueError(f"hidden must be a sequence of layer widths (ints), got {self.hidden!r}")
        hidden = tuple(int(w) for w in hidden)
        _check_hidden(hidden)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {self.activation!r}")
        object.__setattr__(self, "hidden", hidden)  # frozen: a list given becomes the tuple kept

    @classmethod
    def parse(cls, hidden: str, activation: str = "sigmoid") -> Shape:
        """A Shape from command-line text: ``Shape.parse("4x4", "relu")``."""
        return cls(parse_hidden(hidden), activation)

    def __str__(self) -> str:
        return f"{'-'.join(map(str, self.layer_sizes))} {self.activation}"

    @property
    def hidden_text(self) -> str:
        """The hidden widths as ``parse_hidden`` reads them: ``"4x4"``."""
        return "x".join(map(str, self.hidden))

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Neurons per layer, input first: ``(1, *hidden, 1)``."""
        return (1, *self.hidden, 1)

    @property
    def n_layers(self) -> int:
        """Layers with parameters: the hidden ones and the output layer."""
        return len(self.hidden) + 1

    @property
    def activation_code(self) -> int:
        """The activation as the kernels take it: its index in ``ACTIVATIONS``."""
        return ACTIVATIONS.index(self.activation)

    @cached_property
    def layer_offsets(self) -> tuple[int, ...]:
        """Index of each layer's first parameter, and ``n_params`` last: (n_layers + 1,) ints.

        Layer l (0-based, output last) has ``layer_sizes[l + 1]`` neurons of
        ``layer_sizes[l] + 1`` parameters each (weights, then bias).
        """
        sizes = self.layer_sizes
        counts = [(sizes[layer] + 1) * sizes[layer + 1] for layer in range(self.n_layers)]
        return (0, *itertools.accumulate(counts))

    @property
    def n_params(self) -> int:
        """Number of parameters: 7 for the lesson's 1-2-1."""
        return self.layer_offsets[-1]

    def neuron_start(self, layer: int, neuron: int) -> int:
        """Flat index of the first incoming weight of ``neuron`` in ``layer`` (both 0-based).

        Its weight from source i sits at ``+ i``, its bias at ``+ layer_sizes[layer]``.
        """
        return self.layer_offsets[layer] + neuron * (self.layer_sizes[layer] + 1)

    @cached_property
    def param_names(self) -> tuple[str, ...]:
        """Every parameter's name, in parameter order (see the module docstring)."""
        names = []
        sizes = self.layer_sizes
        for layer in range(self.n_layers):
            for j in range(1, sizes[layer + 1] + 1):
                for i in range(1, sizes[layer] + 1):
                    sep = "." if i > 9 or j > 9 else ""
                    names.append(f"w{i}{sep}{j}_{layer + 1}")
                names.append(f"b{j}_{layer + 1}")
        return tuple(names)

    def check_params(self, params: object, name: str = "params", many: bool | str = True) -> np.ndarray:
        """Finite float64 C-contiguous ``params`` of shape (P,) or (S, P), else ValueError.

        ``many`` is False for (P,) only, True for (S, P) only, "either" for both.
        """
        import numpy as np  # here, not at import: `beans --help` loads this module

        arr = real_array(params, name)
        allowed = {False: [1], True: [2], "either": [1, 2]}[many]
        if not (arr.ndim in allowed and arr.shape[-1] == self.n_params and arr.size > 0):
            p = self.n_params
            want = {False: f"({p},)", True: f"(S, {p}) with S >= 1", "either": f"({p},) or (S, {p})"}[many]
            raise ValueError(f"{name} must have shape {want} for a {self}, got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite, found NaN or inf")
        return arr


def as_shape(shape: object) -> Shape:
    """``shape`` itself when it is a Shape, else ValueError."""
    if not isinstance(shape, Shape):
        raise ValueError(f"shape must be a beans.Shape, got {type(shape).__name__}")
    return shape
