"""Random expression graphs, built identically in mini_autograd and PyTorch (float64), agree in value and gradient.

Each program draws 2-4 leaves of broadcast-compatible shapes and applies random unary and binary ops, reusing
earlier values so the graphs have fan-out and diamonds. Ops are kept in safe domains (log of x*x + 1, exp of a
tanh) so nothing overflows and no kink is hit.
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import mini_autograd as ag

UNARY = [
    lambda m, a: m.tanh(a),
    lambda m, a: m.sigmoid(a),
    lambda m, a: m.exp(m.tanh(a)),
    lambda m, a: m.log(a * a + 1.0),
    lambda m, a: (a * a + 0.5).sqrt(),
    lambda m, a: a**2,
    lambda m, a: -a,
    lambda m, a: 0.5 * a + 1.0,
    lambda m, a: a.sum(-1, keepdim=True) if a.ndim else a,
    lambda m, a: a.mean() * a,
]
BINARY = [
    lambda m, a, b: a + b,
    lambda m, a, b: a - b,
    lambda m, a, b: a * b,
    lambda m, a, b: a / (b * b + 1.0),
]
SHAPES = [(), (3,), (2, 3), (1, 3), (2, 1)]


@st.composite
def programs(draw):
    n_leaves = draw(st.integers(2, 4))
    shapes = [draw(st.sampled_from(SHAPES)) for _ in range(n_leaves)]
    seed = draw(st.integers(0, 2**31 - 1))
    steps = []
    for i in range(draw(st.integers(1, 10))):
        pool = n_leaves + i
        if draw(st.booleans()):
            steps.append(("u", draw(st.integers(0, len(UNARY) - 1)), draw(st.integers(0, pool - 1))))
        else:
            a, b = draw(st.integers(0, pool - 1)), draw(st.integers(0, pool - 1))
            steps.append(("b", draw(st.integers(0, len(BINARY) - 1)), a, b))
    return shapes, seed, steps


def run(m, leaves, steps):
    values = list(leaves)
    for step in steps:
        if step[0] == "u":
            values.append(UNARY[step[1]](m, values[step[2]]))
        else:
            values.append(BINARY[step[1]](m, values[step[2]], values[step[3]]))
    # every value feeds the output, so every leaf gets a gradient
    return sum((v * (k + 1.0)).sum() for k, v in enumerate(values[len(leaves) :])) + sum(x.sum() for x in leaves)


@settings(max_examples=150, deadline=None)
@given(programs())
def test_random_graphs_match_torch(program):
    shapes, seed, steps = program
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-1.5, 1.5, size=s) for s in shapes]
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, tout = run(ag, ours, steps), run(torch, theirs, steps)
    out.backward()
    tout.backward()
    np.testing.assert_allclose(out.item(), tout.item(), rtol=1e-9, atol=1e-12)
    for x, t in zip(ours, theirs):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)
