"""The engine's semantics, side by side with PyTorch's: graph shapes, accumulation, grad mode, in-place updates,
errors, depth, memory, introspection, user-defined Functions and conversions.

Where a behaviour can be written once for both libraries, the test runs it on each (ids ``mini_autograd`` and
``torch``): the torch run shows the expectation really is PyTorch's, the mini_autograd run checks we follow it.
"""

from __future__ import annotations

import gc
import operator
import subprocess
import sys
import textwrap
import warnings
import weakref

import numpy as np
import pytest
import torch

import mini_autograd as ag

LIBS = [pytest.param(ag, id="mini_autograd"), pytest.param(torch, id="torch")]


@pytest.fixture(autouse=True)
def _grad_mode_is_restored():
    """A test that fails inside no_grad must not leave graph recording off for the tests after it."""
    yield
    enabled = ag.is_grad_enabled()
    ag.set_grad_enabled(True)
    torch.set_grad_enabled(True)
    assert enabled, "the test left mini_autograd's grad mode disabled"


def grad_of(x) -> np.ndarray:
    g = x.grad
    return np.asarray(g.detach().numpy() if isinstance(g, torch.Tensor) else g.numpy())


# ----------------------------------------------------------------------------------------------- graph shapes

VALUES = [0.5, -1.25, 2.0]

GRAPHS = {
    # a used by b and c, both used by d
    "diamond_on_a_leaf": lambda m, a: ((a * 3.0) * a.exp()).sum(),
    # the shared value is itself computed: its two incoming gradients must be added before it passes them on
    "diamond_on_an_intermediate": lambda m, a: (lambda h: (h.tanh() * h**2).sum())(a * 2.0 - 1.0),
    "value_used_twice_x_times_x": lambda m, a: (a * a).sum(),
    "value_used_three_times": lambda m, a: (a * a * a + a).sum(),
    "diamond_of_diamonds": lambda m, a: (lambda h1: (lambda h2: (h2 * h2 + h2).sum())(h1 * h1 + h1))(a * a + a),
    "diamond_through_a_reduction": lambda m, a: (a * a.sum()).mean() + (a - a.mean()).pow(2).sum(),
    "two_paths_of_different_length": lambda m, a: (a.tanh().exp().sigmoid() * a).sum(),
}


@pytest.mark.parametrize("name", GRAPHS)
def test_gradients_of_shared_values_match_torch(name):
    build = GRAPHS[name]
    a = ag.tensor(VALUES, requires_grad=True)
    t = torch.tensor(VALUES, requires_grad=True)
    out, tout = build(ag, a), build(torch, t)
    out.backward()
    tout.backward()
    np.testing.assert_allclose(out.item(), tout.item(), rtol=1e-6)
    np.testing.assert_allclose(grad_of(a), grad_of(t), rtol=1e-5, atol=1e-7)


def test_x_times_x_is_two_x():
    x = ag.tensor(3.0, requires_grad=True)
    (x * x).backward()
    assert x.grad.item() == 6.0


def test_diamond_with_two_leaves_matches_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = m.tensor([0.5, -0.5], requires_grad=True)
        a = x * y
        b = a + x  # a used by b and c
        c = a * y
        d = (b * c).sum()  # both used by d
        d.backward()
        return grad_of(x), grad_of(y)

    for ours, theirs in zip(run(ag), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


# ----------------------------------------------------------------------------------------------- accumulation


@pytest.mark.parametrize("m", LIBS)
def test_gradients_accumulate_across_backward_calls_in_place(m):
    w = m.tensor([1.0, 2.0], requires_grad=True)
    (w * 3.0).sum().backward()
    first = w.grad
    assert first.tolist() == [3.0, 3.0]
    (w * w).sum().backward()
    # the .grad tensor seen before the second backward is the one that was added into
    assert first.tolist() == [3.0 + 2.0, 3.0 + 4.0]
    assert w.grad.tolist() == [5.0, 7.0]


@pytest.mark.parametrize("m", LIBS)
def test_scalar_gradients_accumulate_in_place_too(m):
    w = m.tensor(2.0, requires_grad=True)
    (w * w).backward()
    first = w.grad
    (w * 3.0).backward()
    assert first.item() == 4.0 + 3.0 and w.grad.item() == 7.0


@pytest.mark.parametrize("m", LIBS)
def test_the_first_gradient_is_not_aliased_to_the_gradient_passed_in(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    g = m.tensor([10.0, 20.0])
    (x + 0.0).backward(g)
    (x + 0.0).backward(g)  # accumulating must not write into g
    assert g.tolist() == [10.0, 20.0]
    assert x.grad.tolist() == [20.0, 40.0]


@pytest.mark.parametrize("m", LIBS)
def test_zeroing_a_gradient_in_place(m):
    w = m.tensor([1.0, 2.0], requires_grad=True)
    (w * 2.0).sum().backward()
    g = w.grad
    w.grad.zero_()
    (w * 5.0).sum().backward()
    assert g.tolist() == [5.0, 5.0] and w.grad.tolist() == [5.0, 5.0]


# ------------------------------------------------------------------------------------------ leaves and flags


@pytest.mark.parametrize("m", LIBS)
def test_a_non_leaf_grad_stays_none(m):
    x = m.tensor(2.0, requires_grad=True)
    y = x * 3.0
    z = y**2
    z.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that .grad of a non-leaf is being read
        assert y.grad is None and z.grad is None
    assert x.grad.item() == 36.0


FLAG_CASES = {
    "user_tensor": lambda m, x, c: c,
    "user_tensor_requiring_grad": lambda m, x, c: x,
    "op_on_grad_leaf": lambda m, x, c: x * 2.0,
    "op_on_grad_and_constant": lambda m, x, c: x + c,
    "constant_op_constant_then_grad": lambda m, x, c: (c * c) + x,
    "op_on_constants_only": lambda m, x, c: c * c + 1.0,
    "reduction_of_grad_tensor": lambda m, x, c: x.sum(),
    "detach": lambda m, x, c: x.detach(),
    "op_on_detached": lambda m, x, c: x.detach() * 2.0,
    "detached_times_original": lambda m, x, c: x.detach() * x,
    "number_minus_tensor": lambda m, x, c: 1.0 - x,
    "comparison": lambda m, x, c: x > 0,
    "ones_requiring_grad": lambda m, x, c: m.ones(2, requires_grad=True),
    "clone": lambda m, x, c: x.clone(),
}


@pytest.mark.parametrize("name", FLAG_CASES)
def test_requires_grad_and_is_leaf_propagate_as_in_torch(name):
    def flags(m):
        x = m.tensor([1.0, -2.0], requires_grad=True)
        c = m.tensor([3.0, 4.0])
        out = FLAG_CASES[name](m, x, c)
        return out.requires_grad, out.is_leaf, out.grad_fn is None

    assert flags(ag) == flags(torch)


@pytest.mark.parametrize("m", LIBS)
def test_results_made_under_no_grad_are_leaves_without_grad_fn(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    with m.no_grad():
        y = x * 2.0 + 1.0
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None
    assert x.requires_grad and x.is_leaf


@pytest.mark.parametrize("m", LIBS)
def test_detach_shares_values_and_cuts_the_graph(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    with m.no_grad():
        d += 1.0  # the same storage: x sees it, as in PyTorch
    assert x.tolist() == [2.0, 3.0] and x.requires_grad
    y = (x.detach() * x).sum()  # d/dx of (const * x) is the constant
    y.backward()
    assert x.grad.tolist() == [2.0, 3.0]


@pytest.mark.parametrize("m", LIBS)
def test_requires_grad_underscore_on_a_leaf(m):
    x = m.tensor([1.0, 2.0])
    assert x.requires_grad_() is x and x.requires_grad and x.is_leaf
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


# ------------------------------------------------------------------------------------------------ grad mode


@pytest.mark.parametrize("m", LIBS)
def test_grad_is_enabled_by_default_and_no_grad_results_do_not_require_grad(m):
    assert m.is_grad_enabled()
    x = m.tensor(1.0, requires_grad=True)
    with m.no_grad():
        assert not m.is_grad_enabled()
        y = x * 2.0
        assert not y.requires_grad and y.grad_fn is None
    assert m.is_grad_enabled() and (x * 2.0).requires_grad


@pytest.mark.parametrize("m", LIBS)
def test_grad_modes_nest_and_restore_the_outer_mode(m):
    x = m.tensor(1.0, requires_grad=True)
    seen = []
    with m.no_grad():
        seen.append(m.is_grad_enabled())
        with m.enable_grad():
            seen.append(m.is_grad_enabled())
            assert (x * 2.0).requires_grad
            with m.no_grad():
                seen.append(m.is_grad_enabled())
                with m.no_grad():
                    seen.append(m.is_grad_enabled())
                seen.append(m.is_grad_enabled())
            seen.append(m.is_grad_enabled())
        seen.append(m.is_grad_enabled())
        assert not (x * 2.0).requires_grad
    seen.append(m.is_grad_enabled())
    assert seen == [False, True, False, False, False, True, False, True]


@pytest.mark.parametrize("m", LIBS)
def test_modes_are_restored_when_an_exception_leaves_the_block(m):
    with m.no_grad():
        with pytest.raises(ValueError):
            with m.enable_grad():
                raise ValueError("boom")
        assert not m.is_grad_enabled(), "enable_grad must restore the outer no_grad on an exception"
    assert m.is_grad_enabled()
    with pytest.raises(KeyError):
        with m.no_grad():
            with m.no_grad():
                raise KeyError("boom")
    assert m.is_grad_enabled()


@pytest.mark.parametrize("m", LIBS)
def test_no_grad_and_enable_grad_as_decorators(m):
    x = m.tensor(1.0, requires_grad=True)

    @m.no_grad()
    def double(t):
        assert not m.is_grad_enabled()
        return t * 2.0

    @m.enable_grad()
    def triple(t):
        return t * 3.0

    @m.no_grad()
    def fails():
        raise RuntimeError("inside")

    assert not double(x).requires_grad and m.is_grad_enabled()
    with m.no_grad():
        assert triple(x).requires_grad
        assert not m.is_grad_enabled()
    with pytest.raises(RuntimeError, match="inside"):
        fails()
    assert m.is_grad_enabled()
    assert double.__name__ == "double"


@pytest.mark.parametrize("m", LIBS)
def test_no_grad_and_enable_grad_as_decorators_without_parentheses(m):
    # `@torch.no_grad` (no call) is accepted by PyTorch 2 and common in recent code
    x = m.tensor(1.0, requires_grad=True)

    @m.no_grad
    def double(t):
        return t * 2.0

    @m.enable_grad
    def triple(t):
        return t * 3.0

    assert not double(x).requires_grad and m.is_grad_enabled()
    with m.no_grad():
        assert triple(x).requires_grad


# -------------------------------------------------------------------------------------------- in-place updates

IN_PLACE = {"-=": operator.isub, "+=": operator.iadd, "*=": operator.imul}


@pytest.mark.parametrize("symbol", IN_PLACE)
@pytest.mark.parametrize("m", LIBS)
def test_in_place_update_of_a_leaf_under_no_grad(m, symbol):
    op = IN_PLACE[symbol]
    w = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    before, grad = w, w.grad
    pointer = w.data_ptr()
    with m.no_grad():
        w = op(w, 0.5 * w.grad)
    assert w is before, f"{symbol} must update the tensor itself, not make a new one"
    assert w.data_ptr() == pointer, "the values must be updated in place"
    expected = op(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(w.detach().numpy(), expected)
    assert w.requires_grad and w.is_leaf and w.grad_fn is None and w.grad is grad
    (w * 1.0).sum().backward()  # still a working leaf afterwards
    np.testing.assert_allclose(grad_of(w), [3.0, 5.0, 7.0])


@pytest.mark.parametrize("symbol", IN_PLACE)
@pytest.mark.parametrize("m", LIBS)
def test_in_place_update_of_a_leaf_requiring_grad_outside_no_grad_raises(m, symbol):
    w = m.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        IN_PLACE[symbol](w, 0.5)
    assert w.tolist() == [1.0, 2.0], "a refused in-place update must not have changed the values"


@pytest.mark.parametrize("m", LIBS)
def test_in_place_update_of_a_tensor_not_requiring_grad_is_allowed_anywhere(m):
    c = m.tensor([1.0, 2.0])
    before = c
    c += 1.0
    c *= 2.0
    assert c is before and c.tolist() == [4.0, 6.0]


# ------------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize("m", LIBS)
def test_backward_on_a_non_scalar_needs_a_gradient(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="scalar outputs"):
        (x * 2.0).backward()
    (x * 2.0).backward(m.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 20.0]


@pytest.mark.parametrize("m", LIBS)
def test_backward_with_a_gradient_of_the_wrong_shape_raises(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        (x * 2.0).backward(m.tensor([1.0, 1.0, 1.0]))
    assert x.grad is None


def test_the_wrong_gradient_shape_error_names_both_shapes():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"\(3,\).*\(2,\)"):
        (x * 2.0).backward(ag.tensor([1.0, 1.0, 1.0]))


@pytest.mark.parametrize("m", LIBS)
def test_a_second_backward_through_saved_values_needs_retain_graph(m):
    w = m.tensor(2.0, requires_grad=True)
    loss = (w * 3.0) * w  # Mul saves its inputs
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()
    assert w.grad.item() == 12.0, "the failed second pass must not have added anything"


@pytest.mark.parametrize("m", LIBS)
def test_retain_graph_allows_a_second_backward_and_gradients_accumulate(m):
    w = m.tensor([2.0, -1.0], requires_grad=True)
    loss = ((w * 3.0) ** 2).sum()
    loss.backward(retain_graph=True)
    once = w.grad.tolist()
    loss.backward(retain_graph=True)
    loss.backward()
    assert once == [36.0, -18.0]
    assert w.grad.tolist() == [3 * 36.0, 3 * -18.0]
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()


@pytest.mark.parametrize("m", LIBS)
def test_a_graph_without_saved_values_can_be_walked_twice(m):
    w = m.tensor(2.0, requires_grad=True)
    y = w + 1.0  # Add saves nothing, so PyTorch does not complain either
    y.backward()
    y.backward()
    assert w.grad.item() == 2.0


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda m: m.tensor([1, 2], requires_grad=True), id="int64_tensor"),
        pytest.param(lambda m: m.tensor(3, requires_grad=True), id="int64_scalar"),
        pytest.param(lambda m: m.tensor([True], requires_grad=True), id="bool_tensor"),
        pytest.param(lambda m: m.tensor([1, 2]).requires_grad_(), id="requires_grad_underscore"),
        pytest.param(lambda m: m.arange(3, requires_grad=True), id="arange_of_ints"),
    ],
)
@pytest.mark.parametrize("m", LIBS)
def test_an_integer_tensor_cannot_require_grad(m, make):
    with pytest.raises(RuntimeError, match="floating point"):
        make(m)


@pytest.mark.parametrize("m", LIBS)
def test_backward_on_a_tensor_that_does_not_require_grad_raises(m):
    with pytest.raises(RuntimeError, match="does not require grad"):
        m.tensor(1.0).backward()
    x = m.tensor(1.0, requires_grad=True)
    with m.no_grad():
        y = x * 2.0
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


SHAPE_ERRORS = {
    "add_3x4_and_5": (lambda m: m.ones(3, 4) + m.ones(5), ["add", "(3, 4)", "(5,)"]),
    "sub_3x4_and_2x4": (lambda m: m.ones(3, 4) - m.ones(2, 4), ["sub", "(3, 4)", "(2, 4)"]),
    "mul_3x4_and_5": (lambda m: m.ones(3, 4, requires_grad=True) * m.ones(5), ["mul", "(3, 4)", "(5,)"]),
    "matmul_3x4_and_5x6": (lambda m: m.ones(3, 4) @ m.ones(5, 6), ["matmul", "(3, 4)", "(5, 6)"]),
    "matmul_function_form": (lambda m: m.matmul(m.ones(3, 4), m.ones(5, 6)), ["matmul", "(3, 4)", "(5, 6)"]),
    "mse_loss_3_and_4": (lambda m: m.nn.functional.mse_loss(m.ones(3), m.ones(4)), ["mse_loss", "(3,)", "(4,)"]),
    "mse_loss_module": (lambda m: m.nn.MSELoss()(m.ones(2, 3), m.ones(3, 2)), ["mse_loss", "(2, 3)", "(3, 2)"]),
}


@pytest.mark.parametrize("name", SHAPE_ERRORS)
def test_shape_errors_name_the_op_and_both_shapes(name):
    make, words = SHAPE_ERRORS[name]
    with pytest.raises(RuntimeError) as info:
        make(ag)
    for word in words:
        assert word in str(info.value), f"{word!r} is not in the message: {info.value}"


@pytest.mark.filterwarnings("ignore:Using a target size")
@pytest.mark.parametrize("name", SHAPE_ERRORS)
def test_torch_rejects_the_same_shapes(name):
    make, _ = SHAPE_ERRORS[name]
    with pytest.raises(RuntimeError):
        make(torch)


def test_mse_loss_refuses_a_silent_broadcast_of_column_and_row():
    # PyTorch broadcasts (4, 1) against (4,) to (4, 4) with only a warning: the classic regression bug. We refuse.
    with pytest.raises(RuntimeError, match=r"mse_loss.*\(4, 1\).*\(4,\)"):
        ag.nn.functional.mse_loss(ag.ones(4, 1), ag.ones(4))


# ----------------------------------------------------------------------------------------- depth and memory


@pytest.mark.slow
def test_a_chain_of_a_million_ops_differentiates_without_recursion_error():
    x = ag.tensor(1.0, dtype=ag.float64, requires_grad=True)
    y = x
    gc.disable()  # the graph has no cycles; without this the cyclic GC rescans a million objects again and again
    try:
        for _ in range(1_000_000):
            y = y * 1.0000001
    finally:
        gc.enable()
    y.backward()  # a recursive engine would hit RecursionError (or overflow the C stack) here
    assert x.grad.item() == pytest.approx(1.0000001**1_000_000, rel=1e-9)
    assert y.item() == pytest.approx(1.0000001**1_000_000, rel=1e-9)
    del y  # and freeing the walked million-node chain must not crash either


class _Token:
    """A plain object a weakref can watch (Tensor and Node have __slots__ without __weakref__)."""


class _Watch(ag.Function):
    """The identity, whose graph node holds a _Token: the token lives exactly as long as the node does."""

    @staticmethod
    def forward(ctx, a):
        ctx.token = _Token()
        return a * 1

    @staticmethod
    def backward(ctx, grad):
        return grad


def _watched(t):
    """t passed through _Watch, and a weakref to the token on the new node."""
    out = _Watch.apply(t)
    return out, weakref.ref(out.grad_fn.token)


def _elementwise_chain():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h, ref = _watched(x)
    for _ in range(30):
        h = (h * 2.0).tanh() + h
    return h.sum(), ref, [x]


def _diamonds():
    x = ag.tensor([0.5, -1.0], requires_grad=True)
    h, ref = _watched(x)
    for _ in range(10):
        h = h * h + h.exp()
    return h.mean(), ref, [x]


def _mlp_with_mse_loss():
    model = ag.nn.Sequential(ag.nn.Linear(3, 8), ag.nn.Tanh(), ag.nn.Linear(8, 1))
    x, ref = _watched(ag.ones(4, 3, requires_grad=True))
    return ag.nn.MSELoss()(model(x), ag.zeros(4, 1)), ref, [model]


def _cross_entropy():
    logits, ref = _watched(ag.randn(5, 3, requires_grad=True))
    return ag.nn.functional.cross_entropy(logits.relu(), ag.tensor([0, 1, 2, 1, 0])), ref, []


def _after_backward():
    loss, ref, keep = _mlp_with_mse_loss()
    loss.backward()
    return loss, ref, keep


def _after_backward_with_retain_graph():
    loss, ref, keep = _elementwise_chain()
    loss.backward(retain_graph=True)
    return loss, ref, keep


def _with_a_reference_cycle():
    loss, ref, keep = _elementwise_chain()
    loss.grad_fn.output = loss  # what an engine whose nodes point at their outputs would do: node <-> tensor
    return loss, ref, keep


def _freed_by_reference_counting(build) -> bool:
    """Build a graph with the cyclic GC off, drop the last reference to its output: is the graph gone at once?

    The watched node is the deepest one, reachable only through every node above it, so any node kept alive by a
    reference cycle keeps the token alive too. The builders keep the leaves and models (``keep``) alive, as a
    training loop does, to show the graph does not hang on to them or they to it.
    """
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        loss, ref, keep = build()
        alive_before = ref() is not None
        del loss
        freed = ref() is None
    finally:
        if was_enabled:
            gc.enable()
    assert alive_before, "the watched node died before the graph was dropped: the probe watches nothing"
    del keep
    return freed


@pytest.mark.parametrize(
    "build",
    [
        _elementwise_chain,
        _diamonds,
        _mlp_with_mse_loss,
        _cross_entropy,
        _after_backward,
        _after_backward_with_retain_graph,
    ],
    ids=lambda f: f.__name__.lstrip("_"),
)
def test_a_graph_is_freed_by_reference_counting_without_the_cyclic_gc(build):
    assert _freed_by_reference_counting(build), "the graph outlived its output: something in it is a reference cycle"


def test_the_probe_detects_a_graph_with_a_reference_cycle():
    # the same check on a graph with one cycle added must report it, or the test above could never fail
    assert not _freed_by_reference_counting(_with_a_reference_cycle)
    gc.collect()  # the cycle collector does free it


class _SaveCopy(ag.Function):
    """The identity, saving a fresh numpy array (which, unlike a Tensor, supports weak references)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(np.array(a, copy=True))
        return a * 1

    @staticmethod
    def backward(ctx, grad):
        (saved,) = ctx.saved_tensors
        return grad * np.ones_like(saved)


@pytest.mark.parametrize("retain", [False, True], ids=["backward", "backward_retain_graph"])
def test_backward_frees_saved_values_unless_retain_graph(retain):
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = _SaveCopy.apply(x)
    ref = weakref.ref(y.grad_fn.saved_tensors[0])
    loss = (y * 2.0).sum()
    loss.backward(retain_graph=retain)
    assert (ref() is not None) == retain
    assert loss.grad_fn is not None and x.grad.tolist() == [2.0, 2.0]


@pytest.mark.slow
def test_deleting_a_million_node_graph_does_not_crash():
    # In a subprocess: a recursive deallocation would overflow the C stack and kill the interpreter, which in
    # process would take the whole test session down instead of failing one test.
    code = textwrap.dedent(
        """
        import gc, weakref
        import mini_autograd as ag

        class Token:
            pass

        class Watch(ag.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.token = Token()
                return a * 1

            @staticmethod
            def backward(ctx, grad):
                return grad

        gc.disable()
        x = ag.tensor(1.0, requires_grad=True)
        y = Watch.apply(x)
        ref = weakref.ref(y.grad_fn.token)
        for _ in range(1_000_000):
            y = y * 1.0
        del y
        assert ref() is None, "the deep graph was not freed by reference counting"
        print("freed")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"exit code {result.returncode}\n{result.stderr[-2000:]}"
    assert result.stdout.strip() == "freed"


# ---------------------------------------------------------------------------------------------- introspection


def test_grad_fn_names_inputs_and_saved_values():
    x = ag.tensor(2.0, requires_grad=True)
    y = ag.tensor(3.0, requires_grad=True)
    q = x + y
    f = q * 4.0
    assert f.grad_fn.name() == "MulBackward0" and q.grad_fn.name() == "AddBackward0"
    assert x.grad_fn is None and x.is_leaf
    parents = f.grad_fn.inputs
    assert len(parents) == 2 and parents[0] is q and parents[1] is None  # the number 4.0 is no tensor
    assert all(a is b for a, b in zip(q.grad_fn.inputs, (x, y)))
    a, b = f.grad_fn.saved_tensors  # Mul saves the factor the other input's gradient needs: 4.0, not q
    assert a is None and b == 4.0
    assert (x * y).grad_fn.saved_tensors == (2.0, 3.0)  # both take a gradient, so both factors are kept
    assert q.grad_fn.saved_tensors == ()  # Add needs nothing for its backward


def test_saved_values_are_released_by_backward():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    f = (x * x).sum()
    node = f.grad_fn.inputs[0].grad_fn
    assert node.name() == "MulBackward0" and len(node.saved_tensors) == 2
    f.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        _ = node.saved_tensors


def test_grad_fn_names_match_torch_along_a_graph():
    def names(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        out = (((x * 2.0 + 1.0) - x) ** 2).relu().mean()
        found = []
        fn = out.grad_fn
        while fn is not None and not fn.name().endswith("AccumulateGrad"):
            found.append(fn.name())
            nxt = fn.next_functions[0]
            fn = nxt[0] if isinstance(nxt, tuple) else nxt  # a pair in PyTorch
        return found

    assert (
        names(ag)
        == names(torch)
        == [
            "MeanBackward0",
            "ReluBackward0",
            "PowBackward0",
            "SubBackward0",
            "AddBackward0",
            "MulBackward0",
        ]
    )


def test_next_functions_have_pytorchs_shape():
    # PyTorch: one (node, output_number) pair per input; a leaf that requires grad appears as its AccumulateGrad
    # node, a constant (a number, or a tensor not requiring grad) as (None, 0). Code written for PyTorch walks the
    # graph with `grad_fn.next_functions[0][0]`.
    def describe(m):
        x = m.tensor(2.0, requires_grad=True)
        c = m.tensor(3.0)
        q = x + c
        f = q * 4.0
        return [
            [(None if fn is None else fn.name().split("::")[-1], i) for fn, i in node.next_functions]
            for node in (f.grad_fn, f.grad_fn.next_functions[0][0])
        ]

    assert describe(torch) == [[("AddBackward0", 0), (None, 0)], [("AccumulateGrad", 0), (None, 0)]]
    assert describe(ag) == describe(torch)


# ----------------------------------------------------------------------------------------- user Functions


def _square_function(base):
    """The same user-defined Function for either library: its body works on numpy arrays and on torch tensors."""
    calls = []

    class Square(base):
        """y = x ** 2.   dy/dx = 2 x."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            calls.append(tuple(ctx.needs_input_grad))
            return 2 * x * grad

    return Square, calls


def _scaled_add_function(base):
    """z = a * s + b with a number s: three forward arguments, gradients for the tensors only."""
    calls = []

    class ScaledAdd(base):
        @staticmethod
        def forward(ctx, a, s, b):
            ctx.s = s
            return a * s + b

        @staticmethod
        def backward(ctx, grad):
            calls.append(tuple(ctx.needs_input_grad))
            need_a, _, need_b = ctx.needs_input_grad
            return (grad * ctx.s if need_a else None), None, (grad if need_b else None)

    return ScaledAdd, calls


def test_a_user_defined_square_function_matches_torch():
    data, weights = [1.0, -2.0, 0.5], [1.0, 2.0, 3.0]
    results = {}
    for m, base in ((ag, ag.Function), (torch, torch.autograd.Function)):
        square, calls = _square_function(base)
        x = m.tensor(data, requires_grad=True)
        y = square.apply(x)
        assert y.requires_grad and not y.is_leaf
        (square.apply(y) * m.tensor(weights)).sum().backward()  # x ** 4, through the Function twice
        results[m.__name__] = (y.detach().numpy().copy(), grad_of(x), calls)
    (ours_y, ours_g, ours_calls), (y, g, calls) = results["mini_autograd"], results["torch"]
    np.testing.assert_allclose(ours_y, y)
    np.testing.assert_allclose(ours_g, g, rtol=1e-6)
    assert ours_calls == calls == [(True,), (True,)]


def test_a_user_defined_function_sees_needs_input_grad_as_torch_does():
    for m, base in ((ag, ag.Function), (torch, torch.autograd.Function)):
        fn, calls = _scaled_add_function(base)
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = m.tensor([5.0, 5.0])  # no gradient wanted
        fn.apply(a, 3.0, b).sum().backward()
        assert calls == [(True, False, False)], m.__name__
        assert a.grad.tolist() == [3.0, 3.0] and b.grad is None


def test_a_user_defined_function_without_grad_inputs_records_nothing():
    square, calls = _square_function(ag.Function)
    y = square.apply(ag.tensor([2.0]))
    assert not y.requires_grad and y.grad_fn is None and y.tolist() == [4.0]
    with ag.no_grad():
        z = square.apply(ag.tensor([2.0], requires_grad=True))
    assert not z.requires_grad and calls == []


def test_a_user_defined_function_node_is_named_as_in_torch():
    names = {}
    for m, base in ((ag, ag.Function), (torch, torch.autograd.Function)):
        square, _ = _square_function(base)
        y = square.apply(m.tensor(3.0, requires_grad=True))
        names[m.__name__] = (y.grad_fn.name(), repr(y).replace("torch.", "mini_autograd."))
    assert names["torch"] == ("SquareBackward", "tensor(9., grad_fn=<SquareBackward>)")
    assert names["mini_autograd"] == names["torch"]


# ------------------------------------------------------------------------------------------------ conversions


@pytest.mark.parametrize(
    "data, expected",
    [
        pytest.param(2.5, 2.5, id="float"),
        pytest.param(7, 7, id="int"),
        pytest.param(True, True, id="bool"),
        pytest.param([[1.5]], 1.5, id="one_element_matrix"),
    ],
)
@pytest.mark.parametrize("m", LIBS)
def test_item_gives_a_python_number(m, data, expected):
    value = m.tensor(data).item()
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("m", LIBS)
def test_item_of_op_results_and_of_tensors_requiring_grad(m):
    w = m.tensor(2.0, requires_grad=True)
    y = w * 3.0
    assert y.item() == 6.0 and type(y.item()) is float and type(w.item()) is float
    with pytest.raises(RuntimeError):
        m.tensor([1.0, 2.0]).item()


@pytest.mark.parametrize("m", LIBS)
def test_numpy_shares_memory_and_refuses_tensors_requiring_grad(m):
    t = m.tensor([1.0, 2.0])
    n = t.numpy()
    assert isinstance(n, np.ndarray) and n.dtype == np.float32
    n[0] = 5.0
    assert t.tolist() == [5.0, 2.0]
    w = m.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"requires grad.*detach\(\)\.numpy\(\)"):
        w.numpy()
    assert w.detach().numpy().tolist() == [1.0, 2.0]
    s = (m.tensor(2.0) * 3.0).numpy()  # a 0-d op result
    assert isinstance(s, np.ndarray) and s.shape == () and s == 6.0


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(1.5, id="scalar_float"),
        pytest.param(3, id="scalar_int"),
        pytest.param([1.0, 2.5], id="vector"),
        pytest.param([[1, 2], [3, 4]], id="int_matrix"),
        pytest.param([[True], [False]], id="bool_column"),
        pytest.param(np.arange(24, dtype=np.float64).reshape(2, 3, 4), id="float64_3d"),
    ],
)
def test_tolist_shape_ndim_dtype_match_torch(data):
    def _flat(v):
        return [x for item in v for x in _flat(item)] if isinstance(v, list) else [v]

    ours, theirs = ag.tensor(data), torch.tensor(data)
    assert ours.tolist() == theirs.tolist()
    assert [type(v) for v in _flat(ours.tolist())] == [type(v) for v in _flat(theirs.tolist())]
    assert ours.shape == tuple(theirs.shape) and ours.ndim == theirs.ndim and ours.numel() == theirs.numel()
    assert repr(ours.dtype) == repr(theirs.dtype).replace("torch.", "mini_autograd.")
    assert ours.size() == tuple(theirs.size())


def test_dtypes_and_their_aliases():
    assert ag.tensor(1.0).dtype == ag.float32 == ag.float
    assert ag.tensor(1).dtype == ag.int64 == ag.long
    assert ag.tensor(True).dtype == ag.bool
    assert ag.tensor(1.0, dtype=ag.float64).dtype == ag.float64 == ag.double
    assert repr(ag.float32) == "mini_autograd.float32"
    assert (ag.tensor([1, 2]) / 2).dtype == ag.float32  # true division of ints gives floats, as in torch
    assert (ag.tensor(1.0, dtype=ag.float64) * 2.0).dtype == ag.float64


# -------------------------------------------------------------------------------------------------- devices


def test_cuda_is_not_available_and_cpu_is_accepted_everywhere():
    assert ag.cuda.is_available() is False
    device = ag.device("cuda") if ag.cuda.is_available() else ag.device("cpu")
    for d in ("cpu", device, "cpu:0"):
        x = ag.tensor(1.0, device=d, requires_grad=True)
        assert x.device == "cpu" and x.to(d) is x and x.cpu() is x
    assert repr(ag.tensor(1.0).device) == repr(torch.tensor(1.0).device) == "device(type='cpu')"
    assert repr(x) == "tensor(1., requires_grad=True)"


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: ag.device("cuda"), id="device_cuda"),
        pytest.param(lambda: ag.device("cuda:0"), id="device_cuda_0"),
        pytest.param(lambda: ag.tensor(1.0, device="cuda"), id="tensor_on_cuda"),
        pytest.param(lambda: ag.tensor(1.0).to("cuda"), id="to_cuda"),
    ],
)
def test_asking_for_cuda_raises_a_clear_error(make):
    with pytest.raises(RuntimeError, match=r"CPU only.*'cuda(:0)?'"):
        make()
