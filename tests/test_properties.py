"""Random expression graphs, built identically with mini_autograd and PyTorch (float64), agree in value and gradient.

A program draws 2-4 leaves of broadcast-compatible shapes (from one family, so every pair broadcasts) and then
applies random unary and binary ops, each taking its operands from *any* earlier value: leaves and intermediates get
reused, so the graphs have fan-out and diamonds, and broadcasting sends gradients back through sums over stretched
dimensions. Every op keeps values finite: exp sees clamped values, log sees x*x + 1, sqrt sees x*x + 0.5, powers see
bounded bases, products have a tanh factor; a chain of ten ops grows a value by at most a few thousand-fold.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mini_autograd as ag

# leaf shapes that all broadcast together, per family
FAMILIES = {
    "2d": [(), (3,), (1, 3), (2, 1), (2, 3)],
    "3d": [(), (4,), (3, 1), (3, 4), (2, 1, 4), (1, 1, 4)],
}
# fixed matrices for ``a @ M`` (M square in a's last dimension, so the shape is kept)
_MATS = {k: np.random.default_rng(k).standard_normal((k, k)) / np.sqrt(k) for k in (1, 3, 4)}
# index arrays along the last dimension, same length, with repeats (gradients must add up)
_GATHER = {1: [0], 3: [2, 0, 0], 4: [3, 3, 0, 1]}


def _on_last_dim(fn):
    """Apply ``fn(m, a)`` to tensors with at least one dimension; a 0-d value passes through unchanged."""
    return lambda m, a: fn(m, a) if a.ndim else a


UNARY = {
    "tanh": lambda m, a: m.tanh(a),
    "sigmoid": lambda m, a: a.sigmoid(),
    "exp_of_clamped": lambda m, a: m.exp(m.clamp(a, -3.0, 3.0)),
    "log_of_square_plus_1": lambda m, a: m.log(a * a + 1.0),
    "sqrt_of_square_plus_half": lambda m, a: m.sqrt(a * a + 0.5),
    "inverse_sqrt": lambda m, a: (a * a + 1.0) ** -0.5,
    "tanh_cubed": lambda m, a: m.tanh(a) ** 3,
    "two_to_the_tanh": lambda m, a: 2.0 ** m.tanh(a),
    "neg": lambda m, a: -a,
    "affine": lambda m, a: 0.5 * a - 1.0,
    "relu": lambda m, a: m.relu(a),
    "abs": lambda m, a: m.abs(a),
    "scaled_by_own_mean": lambda m, a: m.tanh(a.mean()) * a,
    "plus_own_max": lambda m, a: a.max() + a,
    "sum_last_keepdim": _on_last_dim(lambda m, a: a.sum(-1, keepdim=True)),
    "mean_first_keepdim": _on_last_dim(lambda m, a: a.mean(0, keepdim=True)),
    "max_last_keepdim": _on_last_dim(lambda m, a: a.max(dim=-1, keepdim=True).values),
    "logsumexp_last_keepdim": _on_last_dim(lambda m, a: m.logsumexp(a, dim=-1, keepdim=True)),
    "softmax_last": _on_last_dim(lambda m, a: m.softmax(a, dim=-1)),
    "log_softmax_first": _on_last_dim(lambda m, a: m.log_softmax(a, dim=0)),
    "matmul_fixed_matrix": _on_last_dim(lambda m, a: a @ m.tensor(_MATS[a.shape[-1]])),
    "gather_repeated": _on_last_dim(lambda m, a: a[..., _GATHER[a.shape[-1]]]),
    "cat_then_slice": _on_last_dim(
        lambda m, a: m.cat([a, m.tanh(a)], dim=-1)[..., a.shape[-1] - 1 : 2 * a.shape[-1] - 1]
    ),
    "transpose_roundtrip": lambda m, a: (m.sigmoid(a.transpose(0, -1)) * 2.0).transpose(0, -1) if a.ndim else a,
    "reshape_roundtrip": lambda m, a: (a.reshape(-1) * 1.5).reshape(tuple(a.shape)),
    "stack_then_mean": lambda m, a: m.stack([a, m.tanh(a)], dim=0).mean(0),
}
BINARY = {
    "add": lambda m, a, b: a + b,
    "sub": lambda m, a, b: a - b,
    "mul_tanh": lambda m, a, b: a * m.tanh(b),
    "div": lambda m, a, b: a / (b * b + 1.0),
    "maximum": lambda m, a, b: m.maximum(a, b),
    "minimum": lambda m, a, b: m.minimum(a, b),
    "pow": lambda m, a, b: (m.tanh(a) ** 2 + 0.5) ** m.tanh(b),
    "weighted": lambda m, a, b: 0.3 * a - 1.7 * b,
}
UNARY_NAMES, BINARY_NAMES = sorted(UNARY), sorted(BINARY)


@st.composite
def programs(draw, min_steps: int = 1, max_steps: int = 10):
    """(leaf shapes, data seed, steps): a step is ("u", name, i) or ("b", name, i, j), operands by index."""
    family = draw(st.sampled_from(sorted(FAMILIES)))
    n_leaves = draw(st.integers(2, 4))
    shapes = [draw(st.sampled_from(FAMILIES[family])) for _ in range(n_leaves)]
    seed = draw(st.integers(0, 2**32 - 1))
    steps = []
    for i in range(draw(st.integers(min_steps, max_steps))):
        pool = st.integers(0, n_leaves + i - 1)
        if draw(st.booleans()):
            steps.append(("u", draw(st.sampled_from(UNARY_NAMES)), draw(pool)))
        else:
            steps.append(("b", draw(st.sampled_from(BINARY_NAMES)), draw(pool), draw(pool)))
    return shapes, seed, steps


def run(m, leaves: list, steps: list) -> list:
    """All values of the program, leaves first."""
    values = list(leaves)
    for step in steps:
        if step[0] == "u":
            values.append(UNARY[step[1]](m, values[step[2]]))
        else:
            values.append(BINARY[step[1]](m, values[step[2]], values[step[3]]))
    return values


def scalar_output(values: list):
    """A weighted sum of every value, leaves included: every node feeds the output, every leaf gets a gradient."""
    return functools.reduce(lambda acc, kv: acc + (kv[1] * (0.37 * kv[0] - 1.1)).sum(), enumerate(values), 0.0)


def broadcast_output(values: list):
    """The weighted sum of every value, broadcast to their common shape (not reduced)."""
    return functools.reduce(lambda acc, kv: acc + kv[1] * (1.0 - 0.23 * kv[0]), enumerate(values[1:], 1), values[0])


def make_leaves(shapes: list, seed: int):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-1.5, 1.5, size=s) for s in shapes]
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    return ours, theirs, rng


def assert_close(got, want, what: str) -> None:
    """Close relative to the largest magnitude involved (values reach the thousands, sums reorder)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} vs torch's {want.shape}"
    assert np.all(np.isfinite(want)), f"{what}: the program left the safe domain (torch gives {want})"
    scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-11 * scale, err_msg=what)


def assert_leaf_grads_match(ours: list, theirs: list) -> None:
    for i, (x, t) in enumerate(zip(ours, theirs)):
        assert t.grad is not None and x.grad is not None, f"leaf {i}: a gradient is missing"
        assert x.grad.dtype == ag.float64
        assert_close(x.grad.data, t.grad.numpy(), f"gradient of leaf {i} (shape {x.shape})")


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=80, **SETTINGS)
@given(programs())
def test_random_graphs_match_torch(program):
    shapes, seed, steps = program
    ours, theirs, _ = make_leaves(shapes, seed)
    out = scalar_output(run(ag, ours, steps))
    tout = scalar_output(run(torch, theirs, steps))
    assert out.shape == () and out.dtype == ag.float64
    assert_close(out.data, tout.detach().numpy(), "output")
    out.backward()
    tout.backward()
    assert_leaf_grads_match(ours, theirs)


@settings(max_examples=40, **SETTINGS)
@given(programs())
def test_random_graphs_with_a_random_upstream_gradient_match_torch(program):
    shapes, seed, steps = program
    ours, theirs, rng = make_leaves(shapes, seed)
    out = broadcast_output(run(ag, ours, steps))
    tout = broadcast_output(run(torch, theirs, steps))
    assert_close(out.data, tout.detach().numpy(), "output")
    upstream = rng.standard_normal(tuple(tout.shape))
    out.backward(gradient=upstream)
    tout.backward(gradient=torch.tensor(upstream))
    assert_leaf_grads_match(ours, theirs)


@settings(max_examples=30, **SETTINGS)
@given(programs(max_steps=6), st.integers(0, 3))
def test_gradients_accumulate_over_backward_passes_as_in_torch(program, extra):
    """Backward twice through one graph (retain_graph), then once through a second graph on the same leaves."""
    shapes, seed, steps = program
    ours, theirs, _ = make_leaves(shapes, seed)
    for m, leaves in ((ag, ours), (torch, theirs)):
        out = scalar_output(run(m, leaves, steps))
        out.backward(retain_graph=True)
        out.backward()
        second = scalar_output(run(m, leaves, steps[: len(steps) // 2]))
        (second * (extra + 0.5)).backward()
    assert_leaf_grads_match(ours, theirs)
