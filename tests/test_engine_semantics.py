"""The behaviours of PyTorch's autograd that students compare against, and the engine's own guarantees."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
import torch

import mini_autograd as ag

# ------------------------------------------------------------------------------------------ graph shapes


@pytest.mark.parametrize("m", [ag, torch], ids=["mini_autograd", "torch"])
def test_diamond_graph_adds_both_paths(m):
    a = m.tensor(1.5, requires_grad=True)
    b = a * 2.0
    c = a.exp()
    d = b * c  # d = 2a e^a, dd/da = 2 e^a (1 + a)
    d.backward()
    assert a.grad.item() == pytest.approx(2 * np.exp(1.5) * 2.5, rel=1e-6)


def test_value_used_twice():
    x = ag.tensor(3.0, requires_grad=True)
    (x * x).backward()
    assert x.grad.item() == 6.0


def test_gradients_accumulate_in_place_across_backward_calls():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w * 3.0).sum().backward()
    first = w.grad
    (w * w).sum().backward()
    assert w.grad is first, "PyTorch accumulates into the same .grad tensor"
    assert w.grad.tolist() == [3.0 + 2.0, 3.0 + 4.0]


def test_non_leaf_grad_stays_none_and_leaf_flags():
    x = ag.tensor(2.0, requires_grad=True)
    y = x * 3.0
    z = y**2
    z.backward()
    assert y.grad is None and not y.is_leaf and x.is_leaf
    assert z.requires_grad and ag.tensor(1.0).is_leaf and not ag.tensor(1.0).requires_grad
    assert x.grad.item() == 36.0


def test_detach_cuts_the_graph():
    x = ag.tensor(2.0, requires_grad=True)
    y = x.detach() * x
    y.backward()
    assert x.grad.item() == 2.0 and not x.detach().requires_grad


# ------------------------------------------------------------------------------------------ grad mode


def test_no_grad_results_do_not_require_grad_and_modes_nest():
    x = ag.tensor(1.0, requires_grad=True)
    assert ag.is_grad_enabled()
    with ag.no_grad():
        assert not (x * 2).requires_grad
        with ag.enable_grad():
            assert (x * 2).requires_grad
            with ag.no_grad():
                assert not ag.is_grad_enabled()
            assert ag.is_grad_enabled()
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled() and (x * 2).requires_grad


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ValueError):
        with ag.no_grad():
            raise ValueError("boom")
    assert ag.is_grad_enabled()


def test_no_grad_and_set_grad_enabled_as_decorators():
    x = ag.tensor(1.0, requires_grad=True)

    @ag.no_grad()
    def double(t):
        return t * 2

    @ag.set_grad_enabled(False)
    def triple(t):
        return t * 3

    assert not double(x).requires_grad and not triple(x).requires_grad
    assert ag.is_grad_enabled()


def test_in_place_updates_of_leaves_under_no_grad():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    data = w.data
    with ag.no_grad():
        w -= 0.5
        w += ag.tensor([1.0, 1.0])
        w *= 2.0
    assert w.tolist() == [3.0, 5.0] and w.data is data and w.requires_grad and w.is_leaf


def test_in_place_update_of_a_leaf_outside_no_grad_raises():
    w = ag.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        w -= 0.1


def test_zero_grad_in_place():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w * 2).sum().backward()
    w.grad.zero_()
    assert w.grad.tolist() == [0.0, 0.0]


# ---------------------------------------------------------------------------------------------- errors


def test_backward_on_a_non_scalar_needs_a_gradient():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(ag.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 20.0]
    with pytest.raises(RuntimeError, match=r"shape \(3,\)"):
        (x * 2).backward(ag.tensor([1.0, 1.0, 1.0]))


def test_backward_on_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.tensor(1.0).backward()


@pytest.mark.parametrize("m", [ag, torch], ids=["mini_autograd", "torch"])
def test_second_backward_needs_retain_graph(m):
    w = m.tensor(2.0, requires_grad=True)
    loss = (w * 3.0) ** 2
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()


def test_retain_graph_allows_a_second_backward_and_accumulates():
    w = ag.tensor(2.0, requires_grad=True)
    loss = (w * 3.0) ** 2
    loss.backward(retain_graph=True)
    loss.backward()
    assert w.grad.item() == 2 * 36.0


def test_a_graph_without_saved_values_can_be_walked_twice_as_in_torch():
    for m in (ag, torch):
        w = m.tensor(2.0, requires_grad=True)
        y = w + 1.0
        y.backward()
        y.backward()
        assert w.grad.item() == 2.0


SHAPE_ERRORS = {
    "add": (lambda: ag.ones(3, 4) + ag.ones(5), ["add", "(3, 4)", "(5,)"]),
    "mul": (lambda: ag.ones(3, 4) * ag.ones(2, 4), ["mul", "(3, 4)", "(2, 4)"]),
    "matmul": (lambda: ag.ones(3, 4) @ ag.ones(5, 6), ["matmul", "(3, 4)", "(5, 6)"]),
    "mse_loss": (lambda: ag.nn.functional.mse_loss(ag.ones(3), ag.ones(4)), ["mse_loss", "(3,)", "(4,)"]),
    "linear": (lambda: ag.nn.Linear(3, 2)(ag.ones(5, 4)), ["linear", "(5, 4)", "(2, 3)"]),
    "reshape": (lambda: ag.ones(3, 4).reshape(5, 2), ["shape", "[5, 2]", "12"]),
}


@pytest.mark.parametrize("name", SHAPE_ERRORS)
def test_shape_errors_name_the_op_and_both_shapes(name):
    make, words = SHAPE_ERRORS[name]
    with pytest.raises(RuntimeError) as info:
        make()
    for word in words:
        assert word in str(info.value), f"{word!r} not in: {info.value}"


def test_cross_entropy_rejects_bad_targets():
    logits = ag.zeros(2, 3, requires_grad=True)
    with pytest.raises(IndexError, match="out of bounds"):
        ag.nn.functional.cross_entropy(logits, ag.tensor([0, 3]))
    with pytest.raises(RuntimeError, match="integer class indices"):
        ag.nn.functional.cross_entropy(logits, ag.tensor([0.0, 1.0]))


def test_a_backward_returning_a_wrong_shape_is_reported_with_the_op_name():
    class Broken(ag.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return np.ones(7)

    x = ag.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"BrokenBackward0.*\(7,\).*\(3,\)"):
        Broken.apply(x).sum().backward()


# ------------------------------------------------------------------------------------ depth and memory


@pytest.mark.slow
def test_a_chain_of_a_million_ops_differentiates_without_recursion_error():
    x = ag.tensor(1.0, dtype=ag.float64, requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = y * 1.000001
    y.backward()
    assert x.grad.item() == pytest.approx(1.000001**1_000_000, rel=1e-9)
    del y  # freeing a million-node chain must not overflow the C stack either


class _Marker(ag.Function):
    """Saves a fresh array we can watch with a weakref (tensors and nodes have none)."""

    refs: list = []

    @staticmethod
    def forward(ctx, a):
        saved = np.array(a, copy=True)
        _Marker.refs.append(weakref.ref(saved))
        ctx.save_for_backward(saved)
        return a * 1

    @staticmethod
    def backward(ctx, grad):
        return grad


def _graph_with_marker():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h = x
    for _ in range(50):
        h = (h * 2).tanh() + h
    loss = _Marker.apply(h).sum()
    return loss, _Marker.refs[-1]


def test_a_graph_is_freed_by_reference_counting_without_the_cyclic_gc():
    gc.collect()
    gc.disable()
    try:
        loss, ref = _graph_with_marker()
        assert ref() is not None
        del loss
        assert ref() is None, "the graph outlived its last reference: something in it forms a reference cycle"
    finally:
        gc.enable()


def test_backward_without_retain_graph_frees_saved_values():
    loss, ref = _graph_with_marker()
    loss.backward()
    assert ref() is None and loss.grad_fn is not None


# -------------------------------------------------------------------------------------- introspection


def test_the_graph_is_introspectable():
    x = ag.tensor(2.0, requires_grad=True)
    y = ag.tensor(3.0, requires_grad=True)
    q = x + y
    f = q * 4.0
    assert f.grad_fn.name() == "MulBackward0" and q.grad_fn.name() == "AddBackward0"
    assert f.grad_fn.inputs[0] is q and f.grad_fn.inputs[1] is None
    assert f.grad_fn.next_functions == (q.grad_fn, None)
    assert q.grad_fn.inputs == (x, y)
    saved = f.grad_fn.saved_tensors
    assert saved[0] == q.data and saved[1] == 4.0


def test_a_user_defined_function_matches_torch():
    class Cube(ag.Function):
        """y = x ** 3.   dy/dx = 3 x ** 2."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            assert ctx.needs_input_grad == (True,)
            return grad * 3 * x**2

    x = ag.tensor([1.0, -2.0, 0.5], requires_grad=True)
    y = Cube.apply(x)
    (y * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    t = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    ((t**3) * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert np.allclose(x.grad.numpy(), t.grad.numpy()) and y.grad_fn.name() == "CubeBackward0"


def test_conversions():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert x.shape == (2, 2) and x.ndim == 2 and x.dtype == ag.float32 and x.size() == (2, 2) and x.numel() == 4
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]] and x.sum().item() == 10.0
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert isinstance(x.detach().numpy(), np.ndarray)
    with pytest.raises(RuntimeError, match="4 elements"):
        x.item()
    assert float(ag.tensor(2.5)) == 2.5 and f"{ag.tensor(2.0):.2f}" == "2.00"


def test_devices():
    assert not ag.cuda.is_available()
    device = ag.device("cuda") if ag.cuda.is_available() else ag.device("cpu")
    x = ag.tensor(1.0, device=device)
    assert x.device == "cpu" and x.to(device) is x
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.device("cuda")
