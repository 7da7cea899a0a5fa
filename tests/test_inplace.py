"""In-place operations, ``.data`` and version counters, against PyTorch.

Each case runs the same code on both libraries (``m`` is the module) and compares what it returns; the errors
compare by PyTorch's key words.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mini_autograd as ag

LIBS = [ag, torch]


def _np(t):
    return None if t is None else np.asarray(t.detach().numpy(), dtype=np.float64)


def _both(fn):
    ours, theirs = fn(ag), fn(torch)
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if isinstance(b, str):
            assert a == b, f"item {i}: {a!r} != {b!r}"
        else:
            np.testing.assert_allclose(
                _np(a) if hasattr(a, "detach") else a,
                _np(b) if hasattr(b, "detach") else b,
                rtol=1e-6,
                err_msg=f"item {i}",
            )


X = [0.5, -1.5, 2.0]
W = [1.5, 0.25, -2.0]


def _leaves(m):
    return (m.tensor(X, dtype=m.float64, requires_grad=True), m.tensor(W, dtype=m.float64, requires_grad=True))


IN_GRAPH = {
    "iadd": lambda x, w: x.__iadd__(w * 2),
    "isub": lambda x, w: x.__isub__(w),
    "imul": lambda x, w: x.__imul__(w),
    "itruediv": lambda x, w: x.__itruediv__(w + 3),
    "add_alpha": lambda x, w: x.add_(w, alpha=-0.5),
    "sub_alpha": lambda x, w: x.sub_(w, alpha=2.0),
    "mul_": lambda x, w: x.mul_(w),
    "div_": lambda x, w: x.div_(w + 3),
    "pow_": lambda x, w: x.pow_(2),
    "neg_": lambda x, w: x.neg_(),
    "relu_": lambda x, w: x.relu_(),
    "tanh_": lambda x, w: x.tanh_(),
    "sigmoid_": lambda x, w: x.sigmoid_(),
    "exp_": lambda x, w: x.exp_(),
    "abs_": lambda x, w: x.abs_(),
    "clamp_": lambda x, w: x.clamp_(-1.0, 1.0),
    "copy_": lambda x, w: x.copy_(w * w),
    "fill_": lambda x, w: x.fill_(3.0),
    "zero_": lambda x, w: x.zero_(),
    "setitem_tensor": lambda x, w: x.__setitem__(1, w[0] * 4),
    "setitem_slice": lambda x, w: x.__setitem__(slice(0, 2), w[1:] + 1),
}


@pytest.mark.parametrize("op", IN_GRAPH)
def test_an_in_place_op_on_a_non_leaf_is_recorded_and_earlier_users_keep_the_old_value(op):
    def run(m):
        x, w = _leaves(m)
        h = x * 3  # a non-leaf
        before = h * 2 + h.exp()  # uses h's old value (saved by exp): its gradient must reach h's old node
        IN_GRAPH[op](h, w)
        loss = (before.sum() + (h * w).sum() * 2) if op != "zero_" else before.sum() + (h * w).sum()
        loss.backward()
        return [h, x.grad, w.grad, h._version]

    _both(run)


def test_loss_accumulated_into_a_number_or_a_tensor():
    def run(m):
        x, w = _leaves(m)
        loss = 0
        total = m.tensor(0.0, dtype=m.float64)
        for i in range(3):
            loss += ((x * i - w) ** 2).sum()
            total += (x * w).sum() * i
        (loss + total).backward()
        return [loss, total, x.grad, w.grad, str(total.grad_fn).split(" ")[0]]

    _both(run)


def test_data_is_a_tensor_sharing_storage_outside_the_graph():
    def run(m):
        x, w = _leaves(m)
        (x * w).sum().backward()
        d = x.data
        assert not d.requires_grad and d.grad_fn is None and d.data_ptr() == x.data_ptr()
        x.data += -0.1 * x.grad  # the classic update
        w.data.add_(w.grad, alpha=-0.1)
        w.grad.data.zero_()
        return [x, w, w.grad, x.data.norm(), type(x.data).__name__]

    _both(run)


def test_data_assignment_replaces_the_values_and_refuses_arrays():
    for m in LIBS:
        x = m.ones(3, requires_grad=True)
        x.data = m.zeros(2)
        assert x.shape == (2,) and x.requires_grad
        with pytest.raises(TypeError, match="has to be a tensor"):
            x.data = np.zeros(2)


@pytest.mark.parametrize("m", LIBS, ids=["mini", "torch"])
def test_changing_a_saved_value_in_place_fails_at_backward_as_in_torch(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp saves its output
    y.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*is at version 1; expected version 0"):
        y.sum().backward()
    w = m.ones(3, requires_grad=True)
    z = w * w  # saves w
    with m.no_grad():
        w -= 1
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*is at version 1; expected version 0"):
        z.sum().backward()
    h = x * 2
    k = h * 3  # saves only the number 3: changing h afterwards is harmless, in both
    h += 1
    k.sum().backward()


@pytest.mark.parametrize("m", LIBS, ids=["mini", "torch"])
def test_a_leaf_that_requires_grad_refuses_in_place_ops_outside_no_grad(m):
    w = m.ones(3, requires_grad=True)
    for change in (lambda: w.__iadd__(1), lambda: w.mul_(2), lambda: w.zero_(), lambda: w.__setitem__(0, 5.0)):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            change()
    with m.no_grad():
        w.mul_(2)
        w[0] = 5.0
    assert w.tolist() == [5.0, 2.0, 2.0] and w.is_leaf and w.requires_grad


@pytest.mark.parametrize("m", LIBS, ids=["mini", "torch"])
def test_in_place_errors_for_shape_and_dtype(m):
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"):
        m.ones(3).add_(m.ones(2, 3))
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        x = m.zeros(3, dtype=m.long)
        x += 1.5


def test_optimizer_steps_update_storage_in_place_and_bump_versions():
    for m in LIBS:
        layer = m.nn.Linear(2, 1)
        state = layer.state_dict()
        before = state["weight"].clone()
        layer(m.ones(1, 2)).sum().backward()
        v = layer.weight._version
        m.optim.SGD(layer.parameters(), lr=0.5).step()
        assert layer.weight._version == v + 1
        assert not np.allclose(state["weight"].numpy(), before.numpy()), "state_dict shares the storage"


def test_logical_operators_on_masks():
    def run(m):
        x = m.tensor([-2.0, -0.5, 0.5, 3.0])
        mask = (x > -1) & (x < 1)
        return [
            mask,
            (x < -1) | (x > 1),
            ~mask,
            mask ^ (x > 0),
            m.logical_and(x > 0, x < 1),
            m.tensor([6, 3]) & m.tensor([3, 1]),
        ]

    _both(run)
    with pytest.raises(TypeError, match="not implemented for 'Float'"):
        ag.ones(2) & ag.ones(2)


THROUGH_A_VIEW = {
    "row_iadd": lambda h, w: h.__setitem__(0, h[0].__iadd__(w)),  # h[0] += w, spelled out as Python runs it
    "view_mul_": lambda h, w: h.view(6).mul_(2),
    "transposed_row_mul_": lambda h, w: h.t()[1].mul_(w[:2]),
    "columns_relu_": lambda h, w: h[:, 1:].relu_(),
    "row_imul": lambda h, w: h[1].__imul__(w),
    "reshape_setitem": lambda h, w: h.reshape(3, 2).__setitem__((slice(None), 0), w),
}


@pytest.mark.parametrize("case", THROUGH_A_VIEW)
def test_an_in_place_change_through_a_view_reaches_the_viewed_tensor(case):
    def run(m):
        x = m.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], dtype=m.float64, requires_grad=True)
        w = m.tensor([2.0, -1.0, 0.5], dtype=m.float64, requires_grad=True)
        h = x * 1.5
        before = h * 2
        THROUGH_A_VIEW[case](h, w)
        ((h * h).sum() + before.sum()).backward()
        return [h, x.grad, w.grad if w.grad is not None else m.zeros(3, dtype=m.float64)]

    _both(run)


@pytest.mark.parametrize("m", LIBS, ids=["mini", "torch"])
def test_views_share_the_version_of_what_they_view(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 1.0
    k = h.view(3) * h.view(3)  # saves the views' values
    with m.no_grad():
        h.mul_(2)  # changes them
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        k.sum().backward()
    w = m.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf Variable that requires grad is being used in an in-place"):
        w[0].mul_(2)
    d = x.detach()
    y = x * x
    d.mul_(2)  # detach() shares the values and their version
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_a_function_written_with_tensors_refuses_a_saved_input_changed_since():
    for m in LIBS:

        class Square(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return 2 * x * grad

        w = m.ones(3, requires_grad=True)
        y = Square.apply(w)
        with m.no_grad():
            w.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
