"""The depth explorer of lesson 11: its measurements against PyTorch, its figure, its widget."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mini_autograd.i18n import set_language
from mini_autograd.viz import depth_explorer, depth_figure, depth_profile


def test_the_gradient_norms_are_pytorchs():
    torch = pytest.importorskip("torch")
    p = depth_profile(depth=5, activation="tanh", scale=1.3, width=8, batch=16, seed=4)
    # the same network in PyTorch, from the same draws
    rng = np.random.default_rng(4)
    std = 1.3 / math.sqrt(8)
    layers = []
    for _ in range(5):
        lin = torch.nn.Linear(8, 8).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(rng.normal(0.0, std, (8, 8))))
            lin.bias.zero_()
        layers += [lin, torch.nn.Tanh()]
    x = torch.tensor(rng.standard_normal((16, 8)))
    target = torch.tensor(rng.standard_normal((16, 8)))
    out = torch.nn.Sequential(*layers)(x)
    ((out - target) ** 2).mean().backward()
    want = [layers[i].weight.grad.norm().item() for i in range(0, 10, 2)]
    np.testing.assert_allclose(p.grad_norms, want, rtol=1e-10)
    np.testing.assert_allclose(p.activations[-1], out.detach().numpy().reshape(-1), rtol=1e-10)


def test_what_the_lesson_says_the_explorer_shows():
    sigmoid = depth_profile(20, "sigmoid", 1.0)
    assert sigmoid.grad_norms[0] < 1e-8 * sigmoid.grad_norms[-1]  # vanishes at any scale
    relu = {s: depth_profile(20, "relu", s) for s in (0.5, 1.0, 2.0)}
    assert relu[2.0].grad_norms[0] > 1e6 * relu[1.0].grad_norms[0] > 1e12 * relu[0.5].grad_norms[0]
    level = relu[1.0].grad_norms
    assert max(level) / min(level) < 20  # He's scale keeps the norms within an order of magnitude or so
    assert all(f == 0.0 for f in depth_profile(5, "tanh").dead_fraction)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="activation must be one of"):
        depth_profile(3, "gelu")
    with pytest.raises(ValueError, match="positive"):
        depth_profile(0)


def test_the_figure_is_labelled_in_the_lessons_language():
    fig = depth_figure(depth_profile(4, "relu", width=8, batch=8))
    left, right = fig.axes
    assert left.get_yscale() == "log" and "layer" in left.get_xlabel() and right.get_title()
    try:
        set_language("ru")
        fig = depth_figure(depth_profile(4, "relu", width=8, batch=8))
        assert "слой" in fig.axes[0].get_xlabel() and "глубина" in fig._suptitle.get_text()
    finally:
        set_language("en")


def test_the_widget_redraws_when_a_control_moves():
    box = depth_explorer(depth=4, activation="tanh")
    assert box.redraws == 1 and box.output.outputs[0]["data"]["image/png"]
    box.controls["activation"].value = "relu"
    assert box.redraws == 2 and box.result.activation == "relu" and "dead units" in box.status.value
    box.controls["depth"].value = 6
    assert len(box.result.grad_norms) == 6
