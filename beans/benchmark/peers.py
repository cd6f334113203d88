"""The alternatives a user might pick instead of beans, on the very same job: JAX and PyTorch.

``beans bench --peers`` times these beside the numba engines, agreement-gated like every
row. Each is written the way its library is at its best (as far as we know) for this loop:

- ``jax``: float64, the seven parameters as scalars, ``lax.scan`` over the beans inside a
  ``lax.fori_loop`` over epochs, ``vmap`` over seeds, one ``jit`` for the whole job (epochs
  and lr are traced, so a new epoch count does not recompile).
- ``torch-autograd``: the idiomatic PyTorch loop, seed by seed: ``nn.Linear(1, 2)``,
  sigmoid, ``nn.Linear(2, 1)``, sigmoid, the lesson's per-sample squared error,
  ``loss.backward()`` and ``optim.SGD``, float64.
- ``torch-batched``: every seed at once as (S,) float64 tensors, the lesson's hand-written
  gradients, one bean at a time, under ``torch.no_grad()``.

Neither library is a dependency of beans: ``pip install "beans[peers]"`` brings JAX (CPU);
PyTorch's default Linux wheel brings gigabytes of GPU libraries, so it has an extra of its
own and the CPU wheel is the one to pick. A peer that is not installed is skipped with that
note. Peers are timed warm: each first trains one epoch untimed (JAX compiles then).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .timing import Engine

JAX_EXTRA = 'pip install "beans[peers]"'
TORCH_EXTRA = 'pip install "beans[peers-torch]" (or torch from https://download.pytorch.org/whl/cpu)'


@dataclass
class PeerEngine(Engine):
    """An :class:`Engine` from an optional library: skipped where ``module`` is missing, timed warm."""

    module: str = ""
    install: str = ""

    def available(self) -> str | None:
        try:
            importlib.import_module(self.module)
        except ImportError:
            return f"{self.module} is not installed: {self.install}"
        return None

    def measure(self, params, xs, ys, epochs, lr, repeat):
        self.train(params, xs, ys, 1, lr)  # untimed: compiles (JAX) and warms caches
        return super().measure(params, xs, ys, epochs, lr, repeat)


# ---- JAX ---------------------------------------------------------------------------------------


def _jax():
    import jax

    jax.config.update("jax_enable_x64", True)  # the lesson is float64; JAX defaults to float32
    return jax


_JAX_FN = None


def jax_sgd() -> Callable:
    """The jitted JAX job: (params (S, 7), xs (n,), ys (n,), epochs, lr) -> (S, 7), float64 arrays."""
    global _JAX_FN
    if _JAX_FN is not None:
        return _JAX_FN
    jax = _jax()
    jnp = jax.numpy

    def sigmoid(z):
        return 1.0 / (1.0 + jnp.exp(-z))

    def one_seed(row, xs, ys, epochs, lr):
        def sample(p, xy):
            w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2 = p
            x, y = xy
            a1_1 = sigmoid(w11_1 * x + b1_1)
            a2_1 = sigmoid(w12_1 * x + b2_1)
            a1_2 = sigmoid(w11_2 * a1_1 + w21_2 * a2_1 + b1_2)
            d_out = -2.0 * (y - a1_2) * (a1_2 * (1.0 - a1_2))
            d_h1 = d_out * w11_2 * (a1_1 * (1.0 - a1_1))
            d_h2 = d_out * w21_2 * (a2_1 * (1.0 - a2_1))
            return (
                w11_1 - lr * (d_h1 * x),
                b1_1 - lr * d_h1,
                w12_1 - lr * (d_h2 * x),
                b2_1 - lr * d_h2,
                w11_2 - lr * (d_out * a1_1),
                w21_2 - lr * (d_out * a2_1),
                b1_2 - lr * d_out,
            ), None

        def epoch(_, p):
            return jax.lax.scan(sample, p, (xs, ys))[0]

        p = jax.lax.fori_loop(0, epochs, epoch, tuple(row[k] for k in range(7)))
        return jnp.stack(p)

    _JAX_FN = jax.jit(jax.vmap(one_seed, in_axes=(0, None, None, None, None)))
    return _JAX_FN


def train_jax(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float) -> np.ndarray:
    """(S, 7) -> (S, 7) float64 with JAX (see the module docstring)."""
    fn = jax_sgd()
    return np.asarray(fn(params, xs, ys, epochs, lr).block_until_ready())


# ---- PyTorch -------------------------------------------------------------------------------------


def _torch():
    import torch

    # One thread: every op here is on at most a few hundred numbers, far below the size at
    # which PyTorch splits work, and idle threads only add wake-ups (the README gives figures).
    torch.set_num_threads(1)
    return torch


def train_torch_autograd(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float) -> np.ndarray:
    """The idiomatic PyTorch loop, seed by seed, one bean at a time: (S, 7) -> (S, 7) float64."""
    torch = _torch()
    nn = torch.nn
    x_all = torch.as_tensor(xs, dtype=torch.float64).reshape(-1, 1, 1)
    y_all = torch.as_tensor(ys, dtype=torch.float64).reshape(-1, 1, 1)
    out = np.empty_like(params)
    for s, row in enumerate(np.asarray(params, dtype=np.float64)):
        w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2 = row
        model = nn.Sequential(nn.Linear(1, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid()).double()
        with torch.no_grad():
            model[0].weight.copy_(torch.tensor([[w11_1], [w12_1]]))
            model[0].bias.copy_(torch.tensor([b1_1, b2_1]))
            model[2].weight.copy_(torch.tensor([[w11_2, w21_2]]))
            model[2].bias.copy_(torch.tensor([b1_2]))
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        for _ in range(epochs):
            for x, y in zip(x_all, y_all, strict=True):
                loss = ((y - model(x)) ** 2).sum()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        with torch.no_grad():
            (w1, w2), (c1, c2) = model[0].weight[:, 0].tolist(), model[0].bias.tolist()
            (v1, v2), (c3,) = model[2].weight[0].tolist(), model[2].bias.tolist()
        out[s] = (w1, c1, w2, c2, v1, v2, c3)
    return out


def train_torch_batched(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float) -> np.ndarray:
    """Every seed at once as (S,) tensors, the lesson's gradients by hand: (S, 7) -> (S, 7) float64."""
    torch = _torch()
    p = torch.tensor(np.asarray(params, dtype=np.float64).T.copy())  # (7, S): one row per parameter
    w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2 = p  # views: updated in place below
    samples = list(zip(xs.tolist(), ys.tolist(), strict=True))
    with torch.no_grad():
        for _ in range(epochs):
            for x, y in samples:
                a1_1 = torch.sigmoid(w11_1 * x + b1_1)
                a2_1 = torch.sigmoid(w12_1 * x + b2_1)
                a1_2 = torch.sigmoid(w11_2 * a1_1 + w21_2 * a2_1 + b1_2)
                d_out = -2.0 * (y - a1_2) * (a1_2 * (1.0 - a1_2))
                d_h1 = d_out * w11_2 * (a1_1 * (1.0 - a1_1))
                d_h2 = d_out * w21_2 * (a2_1 * (1.0 - a2_1))
                w11_2.sub_(lr * (d_out * a1_1))
                w21_2.sub_(lr * (d_out * a2_1))
                b1_2.sub_(lr * d_out)
                w12_1.sub_(lr * (d_h2 * x))
                b2_1.sub_(lr * d_h2)
                w11_1.sub_(lr * (d_h1 * x))
                b1_1.sub_(lr * d_h1)
    return p.T.numpy().copy()


def peer_engines() -> dict[str, PeerEngine]:
    """The peers, in table order (each one skipped at run time where its library is missing)."""
    found = [
        PeerEngine(
            "jax",
            "JAX: jit + vmap over seeds + lax.scan over beans, float64",
            train_jax,
            module="jax",
            install=JAX_EXTRA,
        ),
        PeerEngine(
            "torch-autograd",
            "PyTorch: nn.Linear + autograd + optim.SGD, seed by seed, one bean at a time, float64",
            train_torch_autograd,
            module="torch",
            install=TORCH_EXTRA,
        ),
        PeerEngine(
            "torch-batched",
            "PyTorch: all seeds as (S,) tensors, hand-written gradients, one bean at a time, float64",
            train_torch_batched,
            module="torch",
            install=TORCH_EXTRA,
        ),
    ]
    return {engine.name: engine for engine in found}
