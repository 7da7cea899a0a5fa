"""Grad modes and torch.autograd's names against PyTorch: inference_mode (context manager, decorator, nesting),
set_grad_enabled as a call and a context manager, autograd.grad and autograd.backward, autograd.gradcheck."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mini_autograd as ag

LIBS = [pytest.param(ag, id="mini_autograd"), pytest.param(torch, id="torch")]


def as_numpy(t) -> np.ndarray:
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.data)


@pytest.mark.parametrize("m", LIBS)
def test_inference_mode_stops_recording_and_nests(m):
    x = m.ones(2, requires_grad=True)
    with m.inference_mode():
        y = x * 2
        assert not m.is_grad_enabled() and m.is_inference_mode_enabled()
        with m.inference_mode(False):
            assert m.is_grad_enabled() and not m.is_inference_mode_enabled()
            assert (x * 2).requires_grad
        assert not m.is_grad_enabled() and m.is_inference_mode_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert m.is_grad_enabled() and not m.is_inference_mode_enabled()
    with m.no_grad():
        with m.inference_mode(False):
            assert m.is_grad_enabled()
        assert not m.is_grad_enabled()
    with pytest.raises(KeyError):
        with m.inference_mode():
            raise KeyError("inside")
    assert m.is_grad_enabled(), "the previous mode comes back after an exception"


@pytest.mark.parametrize("m", LIBS)
def test_inference_mode_as_a_decorator_with_and_without_parentheses(m):
    x = m.ones(2, requires_grad=True)

    @m.inference_mode
    def bare(a):
        return a * 2, m.is_grad_enabled()

    @m.inference_mode()
    def called(a):
        return a * 2

    y, enabled = bare(x)
    assert not y.requires_grad and not enabled
    assert not called(x).requires_grad
    assert m.is_grad_enabled()


@pytest.mark.parametrize("m", LIBS)
def test_set_grad_enabled_as_a_call_and_a_context_manager(m):
    x = m.ones(2, requires_grad=True)
    m.set_grad_enabled(False)
    try:
        assert not m.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        m.set_grad_enabled(True)
    assert m.is_grad_enabled()
    with m.set_grad_enabled(False):
        assert not (x * 2).requires_grad
        with m.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not m.is_grad_enabled()
    assert m.is_grad_enabled()
    is_training = False
    with m.set_grad_enabled(is_training):
        assert not (x * 2).requires_grad

    @m.set_grad_enabled(False)
    def evaluate(a):
        return a * 2

    assert m.is_grad_enabled(), "decorating must not switch the mode at definition time"
    assert not evaluate(x).requires_grad and m.is_grad_enabled()


# ------------------------------------------------------------------------------------------ autograd.grad


def test_autograd_grad_matches_torch_and_leaves_dot_grad_alone():
    xs = np.array([0.5, -1.0, 2.0])
    results = []
    for m in (ag, torch):
        x = m.tensor(xs, requires_grad=True)
        w = m.tensor(xs * 2, requires_grad=True)
        w.grad = m.tensor([9.0, 9.0, 9.0], dtype=m.float64)
        out = (m.sin(x) * w).sum()
        (gx,) = m.autograd.grad(out, x)
        assert x.grad is None and w.grad.tolist() == [9.0, 9.0, 9.0]
        gx2, gw = m.autograd.grad(m.sin(x) * w, [x, w], grad_outputs=m.ones(3, dtype=m.float64))
        results.append([as_numpy(g) for g in (gx, gx2, gw)])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("m", LIBS)
def test_autograd_grad_refuses_unused_inputs_unless_allowed(m):
    x, y = m.tensor(1.0, requires_grad=True), m.tensor(2.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        m.autograd.grad(x * 3, [x, y])
    gx, gy = m.autograd.grad(x * 3, [x, y], allow_unused=True)
    assert gx.item() == 3.0 and gy is None
    gx, gy = m.autograd.grad(x * 3, [x, y], materialize_grads=True)
    assert gy.item() == 0.0


@pytest.mark.parametrize("m", LIBS)
def test_autograd_grad_frees_the_graph_unless_retained(m):
    x = m.tensor(2.0, requires_grad=True)
    y = x.exp() * x
    (g1,) = m.autograd.grad(y, x, retain_graph=True)
    (g2,) = m.autograd.grad(y, x)
    assert g1.item() == pytest.approx(g2.item())
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        m.autograd.grad(y, x)


@pytest.mark.parametrize("m", LIBS)
def test_autograd_backward_adds_into_dot_grad(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    m.autograd.backward([(x * x).sum(), (3 * x).sum()])
    assert x.grad.tolist() == [5.0, 7.0]


def test_autograd_grad_refuses_what_it_cannot_do():
    x = ag.tensor(2.0, requires_grad=True)
    with pytest.raises(NotImplementedError, match="create_graph"):
        ag.autograd.grad(x * x, x, create_graph=True)


def test_autograd_grad_with_respect_to_an_intermediate_result():
    for m in (ag, torch):
        x = m.tensor([1.0, -2.0], requires_grad=True)
        h = x * 3
        (dh,) = m.autograd.grad((h * h).sum(), h, retain_graph=True)
        assert dh.tolist() == [6.0, -12.0] and x.grad is None and not h.retains_grad
        (dx, dh2) = m.autograd.grad((h * h).sum(), (x, h))
        assert dx.tolist() == [18.0, -36.0] and dh2.tolist() == [6.0, -12.0]


def test_autograd_function_and_gradcheck_as_in_a_torch_tutorial():
    code = """
class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * grad

x = torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64, requires_grad=True)
ok = torch.autograd.gradcheck(Cube.apply, (x,))
Cube.apply(x).sum().backward()
"""
    grads = []
    for m in (ag, torch):
        scope = {"torch": m}
        exec(code, scope)
        assert scope["ok"] is True
        grads.append(as_numpy(scope["x"].grad))
    np.testing.assert_allclose(grads[0], grads[1])
    with pytest.raises(ag.testing.GradcheckError):
        ag.autograd.gradcheck(_WrongSquare.apply, (1.5,))


class _WrongSquare(ag.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return x * grad  # the factor 2 is missing


def test_backward_into_chosen_inputs_and_the_create_graph_refusal():
    for m in (ag, torch):
        x = m.tensor(2.0, requires_grad=True)
        w = m.tensor(3.0, requires_grad=True)
        (x * w).backward(inputs=[x])
        assert x.grad.item() == 3.0 and w.grad is None
        (x * w).backward(inputs=x)
        assert x.grad.item() == 6.0
    x = ag.tensor(2.0, requires_grad=True)
    with pytest.raises(NotImplementedError, match="create_graph"):
        (x * x).backward(create_graph=True)
