"""retain_grad, retains_grad and register_hook, run on both libraries with the same code."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import mini_autograd as ag

torch = pytest.importorskip("torch")
LIBS = [ag, torch]


def both(fn):
    """fn(lib) on each library; the results as numpy (None kept)."""

    def conv(v):
        if v is None or isinstance(v, (bool, float, int)):
            return v
        return np.asarray(v.detach().numpy() if hasattr(v, "detach") else v, dtype=float)

    return [[conv(v) for v in fn(lib)] for lib in LIBS]


def assert_same(fn):
    mine, theirs = both(fn)
    for m, t in zip(mine, theirs, strict=True):
        if m is None or isinstance(m, bool):
            assert m == t
        else:
            np.testing.assert_allclose(m, t, rtol=1e-12)


def test_retain_grad_keeps_an_intermediate_gradient_and_accumulates():
    def run(lib):
        x = lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
        y = x * x
        y.retain_grad()
        z = (y * lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)).sum()
        z.backward(retain_graph=True)
        first = y.grad.clone()
        z.backward()
        return first, y.grad, x.grad, y.retains_grad, x.retains_grad, z.retains_grad

    assert_same(run)


def test_hooks_change_what_flows_back_and_come_off_again():
    def run(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = x * 3
        y.retain_grad()
        h = y.register_hook(lambda g: g * 2)  # before the retained gradient is stored, as in PyTorch
        leaf = x.register_hook(lambda g: g + 1)
        y.sum().backward(retain_graph=True)
        a = (y.grad.clone(), x.grad.clone())
        h.remove()
        leaf.remove()
        x.grad = None
        y.grad = None
        y.sum().backward()
        return (*a, y.grad, x.grad)

    assert_same(run)


def test_a_hook_that_returns_nothing_only_looks():
    seen = []
    x = ag.tensor(2.0, requires_grad=True)
    x.register_hook(lambda g: seen.append(g.item()))
    (x * x).backward()
    assert seen == [4.0] and x.grad.item() == 4.0


def test_refused_where_pytorch_refuses():
    t = ag.tensor(1.0)
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        t.retain_grad()
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        t.register_hook(lambda g: g)


def test_tensors_can_be_weakly_referenced_and_a_retained_graph_is_still_freed_by_reference_counting():
    x = ag.tensor(np.ones(3), requires_grad=True)
    y = x * 2
    y.retain_grad()
    ref = weakref.ref(y)
    gc.disable()
    try:
        del y  # the node's weak reference to its output makes no cycle
        assert ref() is None
    finally:
        gc.enable()
