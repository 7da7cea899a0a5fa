"""Gradients through depth: per-layer gradient norms and activation histograms of a deep MLP at initialisation.

The figure and the widget of the lesson on vanishing and exploding gradients. A network of ``depth`` layers
``Linear(width, width)`` + activation has its weights drawn from a normal distribution whose standard deviation is
``scale`` times the one that keeps the activations' variance level through the layers (1/sqrt(fan_in) times the
activation's gain: 1 for sigmoid and tanh near 0, sqrt(2) for ReLU), biases zero. One batch of standard normal inputs
goes forward, the loss is the mean squared error against a random target of the same size (so the gradient that
enters the last layer is of order one whatever the depth), and one backward pass gives every layer's weight
gradient.

>>> p = depth_profile(depth=6, activation="tanh", scale=1.0, width=16, batch=32)
>>> len(p.grad_norms), len(p.activations)
(6, 6)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .. import nn
from ..i18n import tr
from ..tensor import Tensor

ACTIVATIONS = ("sigmoid", "tanh", "relu")
_GAIN = {"sigmoid": 1.0, "tanh": 1.0, "relu": math.sqrt(2.0)}
_MODULE = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}


@dataclass
class DepthProfile:
    depth: int
    activation: str
    scale: float
    grad_norms: list[float]  # the Frobenius norm of each layer's weight gradient, first layer first
    activations: list[np.ndarray]  # each layer's output on the batch, flattened
    dead_fraction: list[float]  # per layer, the share of units that output 0 for every example (ReLU only)


def depth_profile(
    depth: int, activation: str = "tanh", scale: float = 1.0, width: int = 64, batch: int = 128, seed: int = 0
) -> DepthProfile:
    """Build the network, run one forward and one backward pass, and measure every layer."""
    if activation not in _MODULE:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    if depth < 1 or width < 1 or batch < 1:
        raise ValueError(f"depth, width and batch must be positive, got {depth}, {width}, {batch}")
    rng = np.random.default_rng(seed)
    std = scale * _GAIN[activation] / math.sqrt(width)
    layers: list[nn.Module] = []
    linears = []
    for _ in range(depth):
        lin = nn.Linear(width, width)
        lin.weight = nn.Parameter(rng.normal(0.0, std, (width, width)))
        lin.bias = nn.Parameter(np.zeros(width))
        linears.append(lin)
        layers += [lin, _MODULE[activation]()]
    x = Tensor(rng.standard_normal((batch, width)))
    outputs = []
    h = x
    for i in range(0, len(layers), 2):
        h = layers[i + 1](layers[i](h))
        outputs.append(h.detach().numpy().copy())
    target = Tensor(rng.standard_normal((batch, width)))
    loss = ((h - target) * (h - target)).mean()
    loss.backward()
    norms = [float(np.linalg.norm(lin.weight.grad.numpy())) for lin in linears]
    dead = [float(np.mean(np.all(out == 0.0, axis=0))) for out in outputs]
    return DepthProfile(depth, activation, scale, norms, [o.reshape(-1) for o in outputs], dead)


def depth_figure(profile: DepthProfile) -> Figure:
    """Left: each layer's weight-gradient norm (log scale). Right: histograms of the first, middle and last layer's
    activations."""
    fig = Figure(figsize=(11, 4))
    ax_g, ax_h = fig.subplots(1, 2)
    layers = np.arange(1, profile.depth + 1)
    norms = np.maximum(np.array(profile.grad_norms), 1e-30)
    ax_g.semilogy(layers, norms, "o-", color="#1f77b4")
    ax_g.set_xlabel(tr("layer (1 = next to the input)", "слой (1 = ближайший ко входу)"))
    ax_g.set_ylabel(tr("norm of ∂L/∂W (log scale)", "норма ∂L/∂W (лог. шкала)"))
    ax_g.set_title(tr("Gradient norm per layer", "Норма градиента по слоям"))
    ax_g.grid(True, which="both", alpha=0.3)
    ax_g.xaxis.set_major_locator(MaxNLocator(integer=True))
    picks = sorted({0, (profile.depth - 1) // 2, profile.depth - 1})
    values = np.concatenate([profile.activations[k] for k in picks])
    lo, hi = float(values.min()), float(values.max())
    bins = np.linspace(lo, hi if hi > lo else lo + 1.0, 51)
    for k in picks:
        ax_h.hist(profile.activations[k], bins=bins, alpha=0.5, label=tr(f"layer {k + 1}", f"слой {k + 1}"))
    ax_h.set_xlabel(tr("activation value", "значение активации"))
    ax_h.set_ylabel(tr("count", "количество"))
    ax_h.set_title(tr("Activations of three layers", "Активации трёх слоёв"))
    ax_h.legend()
    ratio = profile.grad_norms[0] / profile.grad_norms[-1] if profile.grad_norms[-1] else float("inf")
    fig.suptitle(
        tr(
            f"{profile.activation}, depth {profile.depth}, init scale {profile.scale:g}: "
            f"first/last layer gradient ratio {ratio:.3g}",
            f"{profile.activation}, глубина {profile.depth}, масштаб инициализации {profile.scale:g}: "
            f"отношение градиентов первого и последнего слоя {ratio:.3g}",
        ),
        fontweight="bold",
    )
    fig.tight_layout()
    return fig


def depth_explorer(depth: int = 10, activation: str = "tanh", scale: float = 1.0):
    """Sliders for depth and initialisation scale and a choice of activation; the figure redraws on release."""
    import ipywidgets as W

    from .widgets import _attach, _show

    depth_s = W.IntSlider(value=depth, min=2, max=40, description=tr("depth", "глубина"), continuous_update=False)
    act = W.Dropdown(options=list(ACTIVATIONS), value=activation, description=tr("activation", "активация"))
    scale_s = W.FloatLogSlider(
        value=scale, base=2, min=-2, max=2, step=0.25, description=tr("init scale", "масштаб"), continuous_update=False
    )
    out = W.Output()
    status = W.HTML()
    box = W.VBox([W.HBox([depth_s, act, scale_s]), status, out])

    def redraw(*_):
        p = depth_profile(depth_s.value, act.value, scale_s.value)
        _show(out, depth_figure(p))
        dead = f"; {tr('dead units in the last layer', 'мёртвых нейронов в последнем слое')}: {p.dead_fraction[-1]:.0%}"
        status.value = (
            f"{tr('gradient norm', 'норма градиента')}: {tr('first layer', 'первый слой')} {p.grad_norms[0]:.3g}, "
            f"{tr('last layer', 'последний слой')} {p.grad_norms[-1]:.3g}" + (dead if act.value == "relu" else "")
        )
        box.result = p
        box.redraws += 1

    for w in (depth_s, act, scale_s):
        w.observe(redraw, names="value")
    _attach(box, {"depth": depth_s, "activation": act, "scale": scale_s}, out, status, redraw)
    redraw()
    return box
