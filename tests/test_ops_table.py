"""One table of ops x shapes, checked against PyTorch in float64 (values and gradients) and by gradcheck.

Every case is a lambda ``f(m, *inputs)`` that runs unchanged with ``m = mini_autograd`` and ``m = torch``. Inputs are
random but kept away from kinks (relu and abs at 0, ties in max, clamp bounds) where a numerical derivative means
nothing; the kink behaviours themselves are compared with PyTorch directly in test_kinks.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mini_autograd as ag
from mini_autograd.testing import compare_with_torch, gradcheck

SHAPES = [(), (4,), (3, 4), (1, 4), (3, 1)]
BROADCAST_PAIRS = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((3, 1), (1, 4)),
    ((1, 4), (3, 1)),
    ((3, 4), ()),
    ((), (3, 4)),
    ((2, 3, 4), (3, 1)),
]


def rand(shape, seed, low=0.2, high=2.0, signed=True):
    """Values with |x| in [low, high]: away from 0, so relu, abs, log and division are smooth there."""
    rng = np.random.default_rng(seed)
    mag = rng.uniform(low, high, size=shape)
    return mag * (rng.choice([-1.0, 1.0], size=shape) if signed else 1.0)


def distinct(shape, seed):
    """Values with no ties (max, maximum and sorting behave smoothly)."""
    n = int(np.prod(shape)) if shape else 1
    rng = np.random.default_rng(seed)
    vals = rng.permutation(n).astype(float) * 0.37 - n * 0.15 + rng.uniform(0, 0.1)
    return vals.reshape(shape)


def positive(shape, seed):
    return rand(shape, seed, 0.3, 2.0, signed=False)


UNARY = {
    "neg": lambda m, a: -a,
    "relu": lambda m, a: m.relu(a),
    "relu_method": lambda m, a: a.relu(),
    "tanh": lambda m, a: m.tanh(a),
    "sigmoid": lambda m, a: m.sigmoid(a),
    "exp": lambda m, a: m.exp(a),
    "abs": lambda m, a: m.abs(a),
    "pow2": lambda m, a: a**2,
    "pow3": lambda m, a: a**3,
    "square_by_mul": lambda m, a: a * a,
    "rsub": lambda m, a: 2.0 - a,
    "rdiv": lambda m, a: 1.0 / a,
    "radd_rmul": lambda m, a: 3.0 * a + 1.0,
    "clamp_min": lambda m, a: m.clamp(a, min=0.1),
    "clamp_max": lambda m, a: a.clamp(max=-0.1),
    "clamp_both": lambda m, a: a.clamp(-0.1, 0.1),
    "sum": lambda m, a: a.sum(),
    "mean": lambda m, a: a.mean(),
}
POSITIVE_UNARY = {
    "log": lambda m, a: m.log(a),
    "sqrt": lambda m, a: m.sqrt(a),
    "pow_half": lambda m, a: a**0.5,
    "pow_neg": lambda m, a: a**-1.5,
    "rpow": lambda m, a: 2.0**a,
}
BINARY = {
    "add": lambda m, a, b: a + b,
    "sub": lambda m, a, b: a - b,
    "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / b,
    "maximum": lambda m, a, b: m.maximum(a, b),
    "minimum": lambda m, a, b: m.minimum(a, b),
    "add_fn": lambda m, a, b: m.add(a, b),
    "mul_fn": lambda m, a, b: m.mul(a, b),
    "pow_tensor": lambda m, a, b: a.abs() ** b,
}


def check(fn, *arrays, grad_check=True):
    report = compare_with_torch(fn, *arrays)
    assert report.ok, "\n" + str(report)
    if grad_check:
        assert gradcheck(lambda *ts: fn(ag, *ts), *arrays)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", UNARY)
def test_unary(name, shape):
    fn = UNARY[name]
    data = distinct(shape, 1) if name.startswith("clamp") else rand(shape, 1)
    if name.startswith("clamp"):
        data = np.where(np.abs(np.abs(data) - 0.1) < 0.05, data + 0.2, data)
    check(fn, data)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", POSITIVE_UNARY)
def test_unary_on_positive_inputs(name, shape):
    check(POSITIVE_UNARY[name], positive(shape, 2))


@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=lambda s: f"{s[0]}&{s[1]}")
@pytest.mark.parametrize("name", BINARY)
def test_binary_with_broadcasting(name, shapes):
    sa, sb = shapes
    a, b = rand(sa, 3), rand(sb, 4)
    if name in ("maximum", "minimum"):  # no ties between the two operands
        a = a + 0.05
    check(BINARY[name], a, b)


MATMUL = [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5))]
MATMUL += [((5, 2, 3, 4), (4,)), ((4,), (2, 4, 3)), ((2, 1, 3, 4), (3, 4, 2))]


@pytest.mark.parametrize("shapes", MATMUL, ids=lambda s: f"{s[0]}@{s[1]}")
def test_matmul(shapes):
    check(lambda m, a, b: a @ b, rand(shapes[0], 5), rand(shapes[1], 6))


REDUCTIONS = {
    "sum_dim0": lambda m, a: a.sum(0),
    "sum_dim-1_keepdim": lambda m, a: a.sum(-1, keepdim=True),
    "sum_dims01": lambda m, a: a.sum((0, 1)),
    "mean_dim0": lambda m, a: a.mean(0),
    "mean_dim1_keepdim": lambda m, a: a.mean(1, keepdim=True),
    "mean_dims01": lambda m, a: a.mean(dim=(0, 1)),
    "max_full": lambda m, a: a.max(),
    "max_dim0": lambda m, a: a.max(0).values,
    "max_dim1_keepdim": lambda m, a: a.max(dim=1, keepdim=True).values,
    "min_full": lambda m, a: a.min(),
    "min_dim1": lambda m, a: a.min(1).values,
    "softmax_dim0": lambda m, a: m.softmax(a, 0),
    "softmax_dim-1": lambda m, a: a.softmax(-1),
    "log_softmax_dim1": lambda m, a: m.log_softmax(a, 1),
    "log_softmax_dim0": lambda m, a: a.log_softmax(0),
    "logsumexp_dim1": lambda m, a: m.logsumexp(a, 1),
    "logsumexp_dim0_keepdim": lambda m, a: a.logsumexp(0, keepdim=True),
}


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions(name):
    check(REDUCTIONS[name], distinct((3, 4), 7))


def test_max_with_dim_returns_values_and_indices_like_torch():
    data = distinct((3, 4), 8)
    ours, theirs = ag.tensor(data).max(1), torch.tensor(data).max(1)
    assert ours.indices.tolist() == theirs.indices.tolist()
    assert np.allclose(ours.values.numpy(), theirs.values.numpy())
    assert ours.indices.dtype == ag.int64


SHAPE_OPS = {
    "reshape": lambda m, a: a.reshape(2, 6),
    "reshape_tuple_-1": lambda m, a: a.reshape((-1, 3)),
    "view": lambda m, a: a.view(12),
    "transpose": lambda m, a: a.transpose(0, 1),
    "T": lambda m, a: a.T,
    "permute": lambda m, a: a.reshape(3, 2, 2).permute(2, 0, 1),
    "unsqueeze_squeeze": lambda m, a: a.unsqueeze(0).squeeze(0) * a.unsqueeze(1).squeeze(),
    "index_int": lambda m, a: a[1],
    "index_negative": lambda m, a: a[-1, -2],
    "index_slice": lambda m, a: a[1:, ::2],
    "index_array_repeated": lambda m, a: a[[0, 2, 0, 0]],
    "index_tuple_of_arrays": lambda m, a: a[[0, 1, 1], [3, 0, 3]],
    "index_mixed": lambda m, a: a[:, [1, 1, 2]],
    "cat": lambda m, a: m.cat([a, a * 2], 0),
    "cat_dim1": lambda m, a: m.cat([a, a[:, :1]], dim=1),
    "stack": lambda m, a: m.stack([a, a * a], 1),
}


@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_ops_and_indexing(name):
    check(SHAPE_OPS[name], rand((3, 4), 9))


def _functional(m):
    return ag.nn.functional if m is ag else torch.nn.functional


TARGETS = np.array([0, 2, 1, 1, 0])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy(reduction):
    def fn(m, logits):
        target = ag.tensor(TARGETS) if m is ag else torch.tensor(TARGETS)
        return _functional(m).cross_entropy(logits, target, reduction=reduction)

    check(fn, rand((5, 3), 10))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss(reduction):
    check(lambda m, a, b: _functional(m).mse_loss(a, b, reduction=reduction), rand((4, 3), 11), rand((4, 3), 12))


@pytest.mark.parametrize("batch_shape", [(5,), ()], ids=["batch", "single"])
def test_linear(batch_shape):
    x = rand(batch_shape + (3,), 13)
    check(lambda m, x, w, b: _functional(m).linear(x, w, b), x, rand((4, 3), 14), rand((4,), 15))


def test_composite_expression_of_many_ops():
    def fn(m, a, b, c):
        h = m.tanh(a @ b + c)
        return (m.log_softmax(h, 1) * h.sigmoid()).sum(1).mean() + (h.max(1).values ** 2).sum()

    check(fn, rand((4, 3), 16), rand((3, 5), 17), rand((5,), 18))


def test_gradcheck_catches_a_wrong_backward():
    class WrongSquare(ag.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * a  # the factor 2 is missing

    with pytest.raises(AssertionError, match="input 0"):
        gradcheck(lambda a: WrongSquare.apply(a), rand((3,), 19))
