"""Every primitive against PyTorch (float64 values and gradients) and against central differences, from ONE table.

Each row of ``CASES`` is a lambda ``fn(m, *inputs)`` that runs unchanged with ``m = mini_autograd`` and ``m = torch``,
the shapes of its inputs and the domain each input is drawn from. The same row drives two tests:

* ``test_matches_torch``: the value, and every input's gradient under a random upstream gradient, agree with PyTorch;
* ``test_gradcheck``: the analytic gradients agree with central differences (``gradcheck`` below, one helper, so
  it can be swapped for ``mini_autograd.testing.gradcheck``).

Inputs are random float64 from a numpy Generator seeded by the row's id, kept away from the points where a numerical
derivative means nothing (relu and abs at 0, ties in max and maximum, the bounds of clamp, log and sqrt of
non-positive numbers). What happens *at* those points is compared with PyTorch directly further down, followed by
the dtype rules.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch

import mini_autograd as ag
from mini_autograd.testing import gradcheck as _gradcheck

# --------------------------------------------------------------------------------------------- input domains

CLAMP_LO, CLAMP_HI = -0.5, 0.5


def _any(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.uniform(-2.0, 2.0, size=shape)


def _nonzero(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """|x| in [0.2, 2]: relu, abs, a divisor and a boolean mask are smooth there."""
    return rng.uniform(0.2, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _positive(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """In [0.3, 2]: log, sqrt, fractional and negative powers, and a base for tensor ** tensor."""
    return rng.uniform(0.3, 2.0, size=shape)


def _small(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.uniform(-1.0, 1.0, size=shape)


def _distinct(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Pairwise at least 0.2 apart: no ties for max and min, whatever the reduction."""
    n = math.prod(shape)
    values = (rng.permutation(n) - n / 2) * 0.3 + rng.uniform(-0.05, 0.05, size=n)
    return values.reshape(shape)


def _off_clamp_bounds(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Spread over [-2, 2] on both sides of the clamp bounds, but at least 0.1 from each of them."""
    x = rng.uniform(-2.0, 2.0, size=shape)
    while True:
        near = (np.abs(x - CLAMP_LO) < 0.1) | (np.abs(x - CLAMP_HI) < 0.1)
        if not near.any():
            return x
        x = np.where(near, rng.uniform(-2.0, 2.0, size=shape), x)


DOMAINS = {
    "any": _any,
    "nonzero": _nonzero,
    "positive": _positive,
    "small": _small,
    "distinct": _distinct,
    "clamp": _off_clamp_bounds,
}


def _seed(text: str) -> int:
    return zlib.crc32(text.encode())


def _shape_id(shape: tuple) -> str:
    return "x".join(map(str, shape)) if shape else "scalar"


@dataclass(frozen=True)
class Case:
    """One row of the table: ``fn(m, *inputs)`` on inputs of ``shapes`` drawn from ``domains``."""

    id: str
    fn: Callable[..., Any]
    shapes: tuple
    domains: tuple
    apart: bool = False  # two inputs must differ by >= 0.1 everywhere after broadcasting (maximum, minimum)

    def arrays(self) -> list[np.ndarray]:
        rng = np.random.default_rng(_seed(self.id))
        while True:
            arrays = [np.asarray(DOMAINS[d](rng, s), dtype=np.float64) for s, d in zip(self.shapes, self.domains)]
            if not self.apart or np.min(np.abs(np.subtract(*arrays))) >= 0.1:
                return arrays

    def upstream(self, shape: tuple) -> np.ndarray:
        """A random gradient for the output, so the check is not the all-ones special case."""
        return np.random.default_rng(_seed(self.id) + 1).standard_normal(shape)


def case(id: str, fn: Callable[..., Any], *inputs: tuple, apart: bool = False) -> Case:  # noqa: A002
    """``inputs`` are (shape, domain) pairs, one per argument after ``m``."""
    return Case(id, fn, tuple(s for s, _ in inputs), tuple(d for _, d in inputs), apart)


# ------------------------------------------------------------------------------------------------- the table

SHAPES = [(), (4,), (3, 4), (1, 4), (3, 1)]
BROADCAST_PAIRS = [
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((3, 1), (1, 4)),
    ((1, 4), (3, 1)),
    ((3, 4), ()),
    ((), (3, 4)),
    ((3, 4), (3, 1)),
    ((1, 4), (3, 4)),
    ((2, 3, 4), (3, 1)),
    ((2, 1, 4), (3, 1)),
]

# name, fn, domain: elementwise (or elementwise with a Python number), run on every shape in SHAPES
UNARY = [
    ("neg", lambda m, a: -a, "any"),
    ("neg_fn", lambda m, a: m.neg(a), "any"),
    ("relu", lambda m, a: m.relu(a), "nonzero"),
    ("relu_method", lambda m, a: a.relu(), "nonzero"),
    ("F.relu", lambda m, a: m.nn.functional.relu(a), "nonzero"),
    ("tanh", lambda m, a: m.tanh(a), "any"),
    ("sigmoid", lambda m, a: m.sigmoid(a), "any"),
    ("sigmoid_method", lambda m, a: a.sigmoid(), "any"),
    ("exp", lambda m, a: m.exp(a), "any"),
    ("log", lambda m, a: m.log(a), "positive"),
    ("abs", lambda m, a: m.abs(a), "nonzero"),
    ("abs_builtin", lambda m, a: abs(a), "nonzero"),
    ("sqrt", lambda m, a: m.sqrt(a), "positive"),
    ("clamp_min", lambda m, a: m.clamp(a, min=CLAMP_LO), "clamp"),
    ("clamp_max", lambda m, a: a.clamp(max=CLAMP_HI), "clamp"),
    ("clamp_both", lambda m, a: m.clamp(a, CLAMP_LO, CLAMP_HI), "clamp"),
    ("pow_2", lambda m, a: a**2, "any"),
    ("pow_3", lambda m, a: a**3, "any"),
    ("pow_int_neg2", lambda m, a: a**-2, "nonzero"),
    ("pow_0.5", lambda m, a: a**0.5, "positive"),
    ("pow_neg1.5", lambda m, a: a**-1.5, "positive"),
    ("pow_0", lambda m, a: a**0, "any"),
    ("pow_method_2.5", lambda m, a: a.pow(2.5), "positive"),
    ("number_pow_tensor", lambda m, a: 2.0**a, "any"),
    ("number_pow_tensor_0.5", lambda m, a: 0.5**a, "any"),
    ("add_number", lambda m, a: a + 1.5, "any"),
    ("number_add", lambda m, a: 1.5 + a, "any"),
    ("sub_number", lambda m, a: a - 1.5, "any"),
    ("number_sub", lambda m, a: 1.5 - a, "any"),
    ("mul_number", lambda m, a: a * -2.5, "any"),
    ("number_mul_int", lambda m, a: 3 * a, "any"),
    ("div_number", lambda m, a: a / 4.0, "any"),
    ("number_div", lambda m, a: 2.0 / a, "nonzero"),
    ("self_mul", lambda m, a: a * a, "any"),
    ("self_add", lambda m, a: a + a, "any"),
    ("self_div", lambda m, a: a / a, "nonzero"),
]

# name, fn, domain of a, domain of b, apart: run on every shape in SHAPES (both inputs alike) and every pair
BINARY = [
    ("add", lambda m, a, b: a + b, "any", "any", False),
    ("sub", lambda m, a, b: a - b, "any", "any", False),
    ("mul", lambda m, a, b: a * b, "any", "any", False),
    ("div", lambda m, a, b: a / b, "any", "nonzero", False),
    ("pow", lambda m, a, b: a**b, "positive", "small", False),
    ("maximum", lambda m, a, b: m.maximum(a, b), "any", "any", True),
    ("minimum", lambda m, a, b: m.minimum(a, b), "any", "any", True),
]
FUNCTION_FORMS = [
    ("add_fn", lambda m, a, b: m.add(a, b), "any", "any"),
    ("sub_fn", lambda m, a, b: m.sub(a, b), "any", "any"),
    ("mul_fn", lambda m, a, b: m.mul(a, b), "any", "any"),
    ("div_fn", lambda m, a, b: m.div(a, b), "any", "nonzero"),
    ("pow_fn", lambda m, a, b: m.pow(a, b), "positive", "small"),
    ("maximum_method", lambda m, a, b: a.maximum(b), "distinct", "distinct"),
    ("minimum_method", lambda m, a, b: a.minimum(b), "distinct", "distinct"),
]

MATMUL_SHAPES = [
    ((4,), (4,)),  # dot
    ((3, 4), (4,)),  # matrix . vector
    ((4,), (4, 5)),  # vector . matrix
    ((3, 4), (4, 5)),  # matrix . matrix
    ((1, 4), (4, 1)),
    ((2, 3, 4), (2, 4, 5)),  # batched
    ((2, 3, 4), (4, 5)),  # batch dims broadcast
    ((3, 4), (2, 4, 5)),
    ((5, 2, 3, 4), (4,)),
    ((4,), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),  # both batch dims broadcast
]

REDUCTION_ARGS = [  # (shape, dim, kwargs) for sum and mean; dim None means a.sum() with no argument
    ((), None, {}),
    ((), 0, {}),
    ((), -1, {"keepdim": True}),
    ((4,), None, {}),
    ((4,), 0, {}),
    ((3, 4), None, {}),
    ((3, 4), 0, {}),
    ((3, 4), 0, {"keepdim": True}),
    ((3, 4), 1, {}),
    ((3, 4), -1, {}),
    ((3, 4), -1, {"keepdim": True}),
    ((3, 4), (0, 1), {}),
    ((3, 4), (0, 1), {"keepdim": True}),
    ((2, 3, 4), 1, {}),
    ((2, 3, 4), (0, 2), {}),
    ((2, 3, 4), (-1, 0), {"keepdim": True}),
    ((3, 1), 1, {}),
]

MAX_DIM_ARGS = [((4,), 0, False), ((3, 4), 0, False), ((3, 4), 1, False), ((3, 4), -1, True), ((2, 3, 4), 1, False)]
SOFTMAX_ARGS = [((4,), 0), ((3, 4), 0), ((3, 4), 1), ((3, 4), -1), ((2, 3, 4), 1), ((2, 3, 4), -1), ((1, 4), 0)]
LOGSUMEXP_ARGS = [
    ((4,), 0, False),
    ((3, 4), 0, False),
    ((3, 4), 1, False),
    ((3, 4), -1, True),
    ((3, 4), (0, 1), False),
    ((2, 3, 4), 1, True),
    ((2, 3, 4), (0, 2), False),
]

TARGET = np.array([0, 2, 1, 2, 2])  # class indices for cross_entropy on (5, 3) logits


def _dims_id(dim: Any) -> str:
    return "all" if dim is None else str(dim).replace(" ", "")


def _build_cases() -> list[Case]:
    cases: list[Case] = []
    add = cases.append

    # elementwise, on every shape
    for name, fn, domain in UNARY:
        for shape in SHAPES:
            add(case(f"{name}-{_shape_id(shape)}", fn, (shape, domain)))

    # binary, same shapes and broadcasting pairs
    for name, fn, da, db, apart in BINARY:
        for sa, sb in [(s, s) for s in SHAPES] + BROADCAST_PAIRS:
            add(case(f"{name}-{_shape_id(sa)}&{_shape_id(sb)}", fn, (sa, da), (sb, db), apart=apart))
    for name, fn, da, db in FUNCTION_FORMS:
        for sa, sb in [((3, 4), (3, 4)), ((3, 1), (1, 4))]:
            add(case(f"{name}-{_shape_id(sa)}&{_shape_id(sb)}", fn, (sa, da), (sb, db), apart=True))

    # matmul
    for sa, sb in MATMUL_SHAPES:
        add(case(f"matmul-{_shape_id(sa)}@{_shape_id(sb)}", lambda m, a, b: a @ b, (sa, "any"), (sb, "any")))
    add(case("matmul_fn-3x4@4x5", lambda m, a, b: m.matmul(a, b), ((3, 4), "any"), ((4, 5), "any")))
    add(case("matmul_method-2x3x4@4", lambda m, a, b: a.matmul(b), ((2, 3, 4), "any"), ((4,), "any")))
    add(case("matmul_transposed-4x3.T@4x5", lambda m, a, b: a.T @ b, ((4, 3), "any"), ((4, 5), "any")))

    # sum and mean
    for reduction in ("sum", "mean"):
        for shape, dim, kwargs in REDUCTION_ARGS:
            kw = "-keepdim" if kwargs else ""
            if dim is None:
                fn = lambda m, a, r=reduction: getattr(a, r)()
            else:
                fn = lambda m, a, r=reduction, d=dim, k=kwargs: getattr(m, r)(a, dim=d, **k)
            add(case(f"{reduction}-{_shape_id(shape)}-dim={_dims_id(dim)}{kw}", fn, (shape, "any")))
    add(case("sum_method_positional-3x4-dim=1", lambda m, a: a.sum(1, True), ((3, 4), "any")))
    add(case("mean_method-2x3x4-dim=-2", lambda m, a: a.mean(dim=-2), ((2, 3, 4), "any")))

    # max and min: full reductions, and values along a dim (the indices are compared in their own test)
    for shape in [(), (4,), (3, 4), (2, 3, 4)]:
        add(case(f"max_full-{_shape_id(shape)}", lambda m, a: a.max(), (shape, "distinct")))
        add(case(f"min_full-{_shape_id(shape)}", lambda m, a: m.min(a), (shape, "distinct")))
    for shape, dim, keepdim in MAX_DIM_ARGS:
        kw = "-keepdim" if keepdim else ""
        sid = f"{_shape_id(shape)}-dim={dim}{kw}"
        add(
            case(
                f"max_dim-{sid}", lambda m, a, d=dim, k=keepdim: m.max(a, dim=d, keepdim=k).values, (shape, "distinct")
            )
        )
        add(case(f"min_dim-{sid}", lambda m, a, d=dim, k=keepdim: a.min(d, keepdim=k)[0], (shape, "distinct")))

    # softmax, log_softmax, logsumexp
    for shape, dim in SOFTMAX_ARGS:
        sid = f"{_shape_id(shape)}-dim={dim}"
        add(case(f"softmax-{sid}", lambda m, a, d=dim: m.softmax(a, dim=d), (shape, "any")))
        add(case(f"log_softmax-{sid}", lambda m, a, d=dim: m.log_softmax(a, dim=d), (shape, "any")))
    add(case("F.softmax-3x4-dim=-1", lambda m, a: m.nn.functional.softmax(a, dim=-1), ((3, 4), "any")))
    add(case("F.log_softmax-3x4-dim=0", lambda m, a: m.nn.functional.log_softmax(a, dim=0), ((3, 4), "any")))
    add(case("softmax_method-2x3x4-dim=2", lambda m, a: a.softmax(2), ((2, 3, 4), "any")))
    add(case("log_softmax_method-3x4-dim=1", lambda m, a: a.log_softmax(1), ((3, 4), "any")))
    for shape, dim, keepdim in LOGSUMEXP_ARGS:
        kw = "-keepdim" if keepdim else ""
        fn = lambda m, a, d=dim, k=keepdim: m.logsumexp(a, dim=d, keepdim=k)
        add(case(f"logsumexp-{_shape_id(shape)}-dim={_dims_id(dim)}{kw}", fn, (shape, "any")))
    add(case("logsumexp_method-3x4-dim=1", lambda m, a: a.logsumexp(1), ((3, 4), "any")))

    # shapes: reshape, view, transpose, .T, permute, and friends
    shape_ops = [
        ("reshape-3x4->2x6", lambda m, a: a.reshape(2, 6), (3, 4)),
        ("reshape-3x4->-1", lambda m, a: a.reshape(-1), (3, 4)),
        ("reshape_tuple-3x4->4x-1x1", lambda m, a: a.reshape((4, -1, 1)), (3, 4)),
        ("reshape_fn-2x3x4->6x4", lambda m, a: m.reshape(a, (6, 4)), (2, 3, 4)),
        ("reshape-scalar->1x1", lambda m, a: a.reshape(1, 1), ()),
        ("reshape-1x4->scalar_by_index", lambda m, a: a.reshape(4)[2].reshape(()), (1, 4)),
        ("view-3x4->12", lambda m, a: a.view(12), (3, 4)),
        ("view-4->2x2", lambda m, a: a.view(2, 2), (4,)),
        ("view-1x4->4", lambda m, a: a.view(-1), (1, 4)),
        ("view-2x3x4->3x8", lambda m, a: a.view(3, 8), (2, 3, 4)),
        ("transpose-3x4-0,1", lambda m, a: a.transpose(0, 1), (3, 4)),
        ("transpose-2x3x4-0,2", lambda m, a: a.transpose(0, 2), (2, 3, 4)),
        ("transpose-2x3x4--1,-2", lambda m, a: a.transpose(-1, -2), (2, 3, 4)),
        ("transpose_fn-3x4-1,0", lambda m, a: m.transpose(a, 1, 0), (3, 4)),
        ("T-3x4", lambda m, a: a.T, (3, 4)),
        ("T-1x4", lambda m, a: a.T, (1, 4)),
        ("t-3x4", lambda m, a: a.t(), (3, 4)),
        ("permute-3x4-1,0", lambda m, a: a.permute(1, 0), (3, 4)),
        ("permute-2x3x4-2,0,1", lambda m, a: a.permute(2, 0, 1), (2, 3, 4)),
        ("permute_tuple-2x3x4--1,1,0", lambda m, a: a.permute((-1, 1, 0)), (2, 3, 4)),
        ("permute_fn-2x3x4-1,2,0", lambda m, a: m.permute(a, (1, 2, 0)), (2, 3, 4)),
        ("flatten-2x3x4", lambda m, a: a.flatten(), (2, 3, 4)),
        ("unsqueeze-3x4-0", lambda m, a: a.unsqueeze(0), (3, 4)),
        ("unsqueeze-3x4--1", lambda m, a: a.unsqueeze(-1), (3, 4)),
        ("squeeze-3x1", lambda m, a: a.squeeze(), (3, 1)),
        ("squeeze-1x4-0", lambda m, a: a.squeeze(0), (1, 4)),
        ("permute_then_reshape-2x3x4", lambda m, a: a.permute(1, 0, 2).reshape(3, 8), (2, 3, 4)),
    ]
    for name, fn, shape in shape_ops:
        add(case(name, fn, (shape, "any")))

    # indexing
    index_ops = [
        ("index_int-4x3-[1]", lambda m, a: a[1], (4, 3)),
        ("index_negative_int-4x3-[-1]", lambda m, a: a[-1], (4, 3)),
        ("index_int-4-[2]", lambda m, a: a[2], (4,)),
        ("index_two_ints-4x3-[1,2]", lambda m, a: a[1, 2], (4, 3)),
        ("index_two_negative_ints-4x3-[-1,-2]", lambda m, a: a[-1, -2], (4, 3)),
        ("index_slice-4x3-[1:3]", lambda m, a: a[1:3], (4, 3)),
        ("index_slice_negative-4x3-[-3:-1]", lambda m, a: a[-3:-1], (4, 3)),
        ("index_slice_step-5x3-[::2]", lambda m, a: a[::2], (5, 3)),
        ("index_column-4x3-[:,1]", lambda m, a: a[:, 1], (4, 3)),
        ("index_column_negative-4x3-[:,-1]", lambda m, a: a[:, -1], (4, 3)),
        ("index_slices-4x3-[1:,:2]", lambda m, a: a[1:, :2], (4, 3)),
        ("index_ellipsis-2x3x4-[...,1]", lambda m, a: a[..., 1], (2, 3, 4)),
        ("index_none-4x3-[None,1]", lambda m, a: a[None, 1], (4, 3)),
        ("index_array-4x3-[0,2]", lambda m, a: a[[0, 2]], (4, 3)),
        ("index_array_repeated-4x3-[0,2,0,0]", lambda m, a: a[[0, 2, 0, 0]], (4, 3)),
        ("index_array_negative-4x3-[-1,0,-1]", lambda m, a: a[[-1, 0, -1]], (4, 3)),
        ("index_array_repeated-5-[3,3,3,1]", lambda m, a: a[[3, 3, 3, 1]], (5,)),
        ("index_tuple_of_arrays-4x3", lambda m, a: a[[0, 2, 2, 3], [1, 0, 0, 2]], (4, 3)),
        ("index_tuple_of_arrays_negative-4x3", lambda m, a: a[[-1, 0, -1], [-1, -3, -1]], (4, 3)),
        ("index_slice_and_array-4x3-[1:,[0,0,2]]", lambda m, a: a[1:, [0, 0, 2]], (4, 3)),
        ("index_array_and_int-2x3x4-[:,[0,2,2],1]", lambda m, a: a[:, [0, 2, 2], 1], (2, 3, 4)),
        ("index_2d_array-4x3-[[0,1],[1,1]]", lambda m, a: a[np.array([[0, 1], [1, 1]])], (4, 3)),
        ("index_tensor-4x3-[2,0,2]", lambda m, a: a[m.tensor([2, 0, 2])], (4, 3)),
        ("index_bool_mask-4x3", lambda m, a: a[a > 0], (4, 3)),
    ]
    for name, fn, shape in index_ops:
        add(case(name, fn, (shape, "nonzero")))

    # losses and linear
    for reduction in ("mean", "sum", "none"):
        for shape in [(3, 4), (5,), ()]:
            fn = lambda m, a, b, r=reduction: m.nn.functional.mse_loss(a, b, reduction=r)
            add(case(f"mse_loss-{_shape_id(shape)}-{reduction}", fn, (shape, "any"), (shape, "any")))
        fn = lambda m, a, r=reduction: m.nn.functional.cross_entropy(a, m.tensor(TARGET), reduction=r)
        add(case(f"cross_entropy-5x3-{reduction}", fn, ((5, 3), "any")))
    add(
        case(
            "cross_entropy-1x4-mean",
            lambda m, a: m.nn.functional.cross_entropy(a, m.tensor(np.array([3]))),
            ((1, 4), "any"),
        )
    )
    linear = lambda m, x, w, b: m.nn.functional.linear(x, w, b)
    add(case("linear-5x3,4x3,4", linear, ((5, 3), "any"), ((4, 3), "any"), ((4,), "any")))
    add(case("linear-2x5x3,4x3,4", linear, ((2, 5, 3), "any"), ((4, 3), "any"), ((4,), "any")))
    add(case("linear-3,4x3,4", linear, ((3,), "any"), ((4, 3), "any"), ((4,), "any")))
    add(case("linear_no_bias-5x3,4x3", lambda m, x, w: m.nn.functional.linear(x, w), ((5, 3), "any"), ((4, 3), "any")))

    # cat and stack
    cats = [
        ("cat-2x3&4x3-dim=0", lambda m, a, b: m.cat([a, b], dim=0), [(2, 3), (4, 3)]),
        ("cat-3x2&3x4-dim=1", lambda m, a, b: m.cat([a, b], dim=1), [(3, 2), (3, 4)]),
        ("cat-3x2&3x4-dim=-1", lambda m, a, b: m.cat((a, b), -1), [(3, 2), (3, 4)]),
        ("cat-3&2", lambda m, a, b: m.cat([a, b]), [(3,), (2,)]),
        ("cat-1x3&2x3&3x3", lambda m, a, b, c: m.cat([a, b, c], dim=0), [(1, 3), (2, 3), (3, 3)]),
        ("cat-2x3x4&2x1x4-dim=1", lambda m, a, b: m.cat([a, b], dim=1), [(2, 3, 4), (2, 1, 4)]),
        ("cat_same_tensor_twice-2x3", lambda m, a: m.cat([a, a * 2.0, a], dim=0), [(2, 3)]),
        ("stack-3x4&3x4-dim=0", lambda m, a, b: m.stack([a, b], dim=0), [(3, 4), (3, 4)]),
        ("stack-3x4&3x4-dim=1", lambda m, a, b: m.stack([a, b], dim=1), [(3, 4), (3, 4)]),
        ("stack-3x4&3x4-dim=2", lambda m, a, b: m.stack([a, b], dim=2), [(3, 4), (3, 4)]),
        ("stack-3x4&3x4-dim=-1", lambda m, a, b: m.stack([a, b], dim=-1), [(3, 4), (3, 4)]),
        ("stack-4&4&4", lambda m, a, b, c: m.stack([a, b, c]), [(4,), (4,), (4,)]),
        ("stack-scalars", lambda m, a, b: m.stack([a, b]), [(), ()]),
    ]
    for name, fn, shapes in cats:
        add(case(name, fn, *[(s, "any") for s in shapes]))

    # a few compositions where one input reaches the output along several paths
    add(case("diamond-3x4", lambda m, a: m.tanh(a) * m.sigmoid(a) + a, ((3, 4), "any")))
    add(case("fan_out_broadcast-3x4&4", lambda m, a, b: (a * b).sum(0) * b + b, ((3, 4), "any"), ((4,), "any")))
    add(case("softmax_of_matmul-3x4@4x5", lambda m, a, b: m.softmax(a @ b, dim=1), ((3, 4), "any"), ((4, 5), "any")))

    # in place on a non-leaf (a * 1.0), recorded in the graph; "+ a" keeps every input on a path to the output
    for name, ip, shapes, domains in IN_PLACE:
        add(case(name, _in_place(ip), *zip(shapes, domains)))
    return cases


def _in_place(ip: Callable[..., Any]) -> Callable[..., Any]:
    def fn(m, a, *bs):
        x = a * 1.0
        ip(x, *bs)
        return x * 1.5 + a

    return fn


def _setitem(key: Any) -> Callable[..., Any]:
    def put(x, b):
        x[key] = b

    return put


IN_PLACE = [
    ("iadd-3x4&4", lambda x, b: x.__iadd__(b), [(3, 4), (4,)], ["any", "any"]),
    ("isub-3x4&3x1", lambda x, b: x.__isub__(b), [(3, 4), (3, 1)], ["any", "any"]),
    ("imul-3x4&3x4", lambda x, b: x.__imul__(b), [(3, 4), (3, 4)], ["any", "any"]),
    ("itruediv-3x4&4", lambda x, b: x.__itruediv__(b), [(3, 4), (4,)], ["any", "nonzero"]),
    ("add_alpha-3x4&4", lambda x, b: x.add_(b, alpha=-2.0), [(3, 4), (4,)], ["any", "any"]),
    ("sub_alpha-4&4", lambda x, b: x.sub_(b, alpha=0.5), [(4,), (4,)], ["any", "any"]),
    ("mul_-3x4&1x4", lambda x, b: x.mul_(b), [(3, 4), (1, 4)], ["any", "any"]),
    ("div_-3x4&()", lambda x, b: x.div_(b), [(3, 4), ()], ["any", "nonzero"]),
    ("pow_-3x4", lambda x: x.pow_(3), [(3, 4)], ["any"]),
    ("relu_-3x4", lambda x: x.relu_(), [(3, 4)], ["nonzero"]),
    ("tanh_-4", lambda x: x.tanh_(), [(4,)], ["any"]),
    ("exp_-3x4", lambda x: x.exp_(), [(3, 4)], ["any"]),
    ("clamp_-3x4", lambda x: x.clamp_(CLAMP_LO, CLAMP_HI), [(3, 4)], ["clamp"]),
    ("copy_-3x4&4", lambda x, b: x.copy_(b), [(3, 4), (4,)], ["any", "any"]),
    ("fill_-3x4", lambda x: x.fill_(2.5), [(3, 4)], ["any"]),
    ("setitem_row-3x4&4", _setitem(1), [(3, 4), (4,)], ["any", "any"]),
    ("setitem_column-3x4&3", _setitem((slice(None), 0)), [(3, 4), (3,)], ["any", "any"]),
    ("setitem_broadcast-3x4&()", _setitem(slice(1, 3)), [(3, 4), ()], ["any", "any"]),
    ("setitem_mask_rows-3x4&2x4", _setitem([0, 2]), [(3, 4), (2, 4)], ["any", "any"]),
]


CASES = _build_cases()
assert len({c.id for c in CASES}) == len(CASES), "duplicate case ids"


# ----------------------------------------------------------------------------------------------- gradcheck


def gradcheck(fn: Callable[..., ag.Tensor], *arrays: np.ndarray) -> None:
    """The package's own gradcheck (central differences in float64), at tolerances tight enough for this table."""
    assert _gradcheck(fn, *arrays, eps=1e-6, atol=1e-6, rtol=1e-5)


# ---------------------------------------------------------------------------------------------- table tests


def _torch_leaf(a: Any) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_matches_torch(c: Case):
    arrays = c.arrays()
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [_torch_leaf(a) for a in arrays]
    out, tout = c.fn(ag, *ours), c.fn(torch, *theirs)

    assert out.shape == tuple(tout.shape)
    assert out.dtype == ag.float64
    np.testing.assert_allclose(np.asarray(out.data), tout.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg="value")

    upstream = c.upstream(tuple(tout.shape))
    out.backward(gradient=upstream)
    tout.backward(gradient=torch.tensor(upstream, dtype=torch.float64))
    for i, (x, t) in enumerate(zip(ours, theirs)):
        assert t.grad is not None, "every input of a table row must reach its output"
        assert x.grad is not None, f"input {i} got no gradient"
        assert x.grad.shape == x.shape and x.grad.dtype == ag.float64
        np.testing.assert_allclose(
            np.asarray(x.grad.data), t.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=f"gradient of input {i}"
        )


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_gradcheck(c: Case):
    gradcheck(lambda *xs: c.fn(ag, *xs), *c.arrays())


@pytest.mark.parametrize(("shape", "dim", "keepdim"), MAX_DIM_ARGS + [((3, 1), 1, False), ((3, 4), 1, True)])
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_along_dim_return_torch_values_and_indices(op, shape, dim, keepdim):
    x = _distinct(np.random.default_rng(_seed(f"{op}{shape}{dim}")), shape)
    ours = getattr(ag.tensor(x), op)(dim, keepdim=keepdim)
    theirs = getattr(torch.tensor(x), op)(dim, keepdim=keepdim)
    values, indices = ours  # unpacks like torch.return_types.max
    assert values.shape == tuple(theirs.values.shape) and indices.shape == tuple(theirs.indices.shape)
    assert indices.dtype == ag.int64
    np.testing.assert_array_equal(np.asarray(values.data), theirs.values.numpy())
    np.testing.assert_array_equal(np.asarray(indices.data), theirs.indices.numpy())
    np.testing.assert_array_equal(np.asarray(ours.indices.data), theirs.indices.numpy())


# ------------------------------------------------------------------------------------------ kinks and ties


def _run(m: Any, fn: Callable[..., Any], inputs: list, upstream: Any) -> tuple[np.ndarray, list[np.ndarray]]:
    if m is torch:
        leaves = [_torch_leaf(v) for v in inputs]
    else:
        leaves = [ag.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for v in inputs]
    out = fn(m, *leaves)
    g = np.ones(tuple(out.shape)) if upstream is None else np.asarray(upstream, dtype=np.float64)
    out.backward(gradient=torch.tensor(g) if m is torch else g)
    grads = [
        np.zeros(np.shape(v)) if x.grad is None else np.asarray(x.grad.detach().numpy()) for v, x in zip(inputs, leaves)
    ]
    return np.asarray(out.detach().numpy()), grads


# id: fn, inputs, the gradients PyTorch gives (written out, so the test also says what the rule is)
KINKS = {
    "relu_at_0": (lambda m, x: m.relu(x), [[-1.0, 0.0, 2.0]], [[0.0, 0.0, 1.0]]),
    "abs_at_0": (lambda m, x: m.abs(x), [[-1.0, 0.0, 2.0]], [[-1.0, 0.0, 1.0]]),
    "maximum_tie": (lambda m, a, b: m.maximum(a, b), [[1.0, 2.0, 3.0], [1.0, 5.0, 0.0]], [[0.5, 0, 1], [0.5, 1, 0]]),
    "minimum_tie": (lambda m, a, b: m.minimum(a, b), [[1.0, 2.0, 3.0], [1.0, 5.0, 0.0]], [[0.5, 1, 0], [0.5, 0, 1]]),
    "maximum_tie_broadcast": (lambda m, a, b: m.maximum(a, b), [[2.0, 2.0, 1.0], 2.0], [[0.5, 0.5, 0.0], 2.0]),
    "minimum_tie_broadcast": (lambda m, a, b: m.minimum(a, b), [[2.0, 2.0, 3.0], 2.0], [[0.5, 0.5, 0.0], 2.0]),
    "maximum_same_tensor": (lambda m, a: m.maximum(a, a), [[1.0, -2.0]], [[1.0, 1.0]]),
    "max_full_ties": (lambda m, x: x.max(), [[3.0, 1.0, 3.0, 3.0]], [[1 / 3, 0.0, 1 / 3, 1 / 3]]),
    "max_full_ties_2d": (lambda m, x: m.max(x), [[[1.0, 4.0], [4.0, 0.0]]], [[[0.0, 0.5], [0.5, 0.0]]]),
    "min_full_ties": (lambda m, x: x.min(), [[0.0, 1.0, 0.0]], [[0.5, 0.0, 0.5]]),
    "max_dim_first_index": (
        lambda m, x: x.max(1).values,
        [[[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]],
        [[[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]],
    ),
    "max_dim0_first_index_keepdim": (
        lambda m, x: m.max(x, dim=0, keepdim=True).values,
        [[[5.0, 1.0], [5.0, 1.0], [0.0, 1.0]]],
        [[[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]]],
    ),
    "min_dim_first_index": (
        lambda m, x: x.min(dim=-1)[0],
        [[[1.0, 0.0, 0.0], [-1.0, 2.0, -1.0]]],
        [[[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]],
    ),
    "clamp_at_both_bounds": (
        lambda m, x: x.clamp(-0.5, 0.5),
        [[-1.0, -0.5, 0.0, 0.5, 1.0]],
        [[0.0, 1.0, 1.0, 1.0, 0.0]],
    ),
    "clamp_min_at_bound": (lambda m, x: m.clamp(x, min=0.0), [[-1.0, 0.0, 1.0]], [[0.0, 1.0, 1.0]]),
    "clamp_max_at_bound": (lambda m, x: m.clamp(x, max=0.0), [[-1.0, 0.0, 1.0]], [[1.0, 1.0, 0.0]]),
    "pow_half_of_negative": (lambda m, x: x**0.5, [[-4.0, 4.0]], [[math.nan, 0.25]]),
    "sqrt_of_negative": (lambda m, x: m.sqrt(x), [[-4.0, 4.0]], [[math.nan, 0.25]]),
    "pow_zero_exponent": (lambda m, x: x**0, [[-2.0, 0.0, 3.0]], [[0.0, 0.0, 0.0]]),
    "pow_zero_exponent_float": (lambda m, x: x**0.0, [[-2.0, 0.0, 3.0]], [[0.0, 0.0, 0.0]]),
    "sqrt_at_0": (lambda m, x: m.sqrt(x), [[0.0, 4.0]], [[math.inf, 0.25]]),
    "pow_half_at_0": (lambda m, x: x**0.5, [[0.0, 4.0]], [[math.inf, 0.25]]),
    "pow_2_at_0": (lambda m, x: x**2, [[0.0, -1.0]], [[0.0, -2.0]]),
    "pow_neg1_at_0": (lambda m, x: x**-1, [[0.0, 2.0]], [[-math.inf, -0.25]]),
    "log_at_0": (lambda m, x: m.log(x), [[0.0, 2.0]], [[math.inf, 0.5]]),
    "div_by_0": (lambda m, a, b: a / b, [[1.0, 2.0], [0.0, 4.0]], [[math.inf, 0.25], [-math.inf, -0.125]]),
    "pow_tensor_zero_base": (
        lambda m, a, b: a**b,
        [[0.0, 0.0, 2.0], [2.0, 0.0, 1.5]],
        [[0.0, 0.0, 1.5 * math.sqrt(2.0)], [0.0, 0.0, 2.0**1.5 * math.log(2.0)]],
    ),
    "number_zero_pow_tensor": (lambda m, x: 0.0**x, [[0.0, 1.0, 2.0, -1.0]], [[0.0, 0.0, 0.0, -math.inf]]),
    "sigmoid_saturated": (lambda m, x: m.sigmoid(x), [[-800.0, 800.0]], [[0.0, 0.0]]),
    "tanh_saturated": (lambda m, x: m.tanh(x), [[-800.0, 800.0]], [[0.0, 0.0]]),
    "softmax_large_logits": (lambda m, x: m.softmax(x, dim=0), [[1000.0, 1000.0]], [[0.0, 0.0]]),
    "logsumexp_large_logits": (lambda m, x: m.logsumexp(x, dim=0), [[1000.0, 1000.0]], [[0.5, 0.5]]),
    "logsumexp_all_minus_inf": (lambda m, x: m.logsumexp(x, dim=0), [[-math.inf, -math.inf]], [[math.nan, math.nan]]),
    "softmax_all_minus_inf": (lambda m, x: m.softmax(x, dim=0), [[-math.inf, -math.inf]], [[math.nan, math.nan]]),
    "log_softmax_all_minus_inf": (lambda m, x: m.log_softmax(x, 0), [[-math.inf, -math.inf]], [[math.nan, math.nan]]),
}


@pytest.mark.parametrize("name", list(KINKS))
def test_kinks_and_ties_match_torch(name):
    fn, inputs, expected = KINKS[name]
    out, grads = _run(ag, fn, inputs, None)
    tout, tgrads = _run(torch, fn, inputs, None)
    np.testing.assert_array_equal(out, tout, err_msg="value")  # nan == nan here
    for i, (g, tg, want) in enumerate(zip(grads, tgrads, expected)):
        np.testing.assert_allclose(tg, want, rtol=1e-12, err_msg=f"the table's rule for input {i} is not torch's")
        np.testing.assert_allclose(g, tg, rtol=1e-12, atol=0, err_msg=f"gradient of input {i}")


def test_kink_gradients_follow_a_random_upstream_gradient():
    """The shares at ties multiply the incoming gradient, they do not replace it."""
    fn = lambda m, x, y: m.maximum(x, y) + m.relu(x) + x.max() + m.abs(y)
    inputs = [[[1.0, 0.0, 3.0], [2.0, 2.0, 0.0]], [[1.0, -1.0, 3.0], [0.0, 2.0, 0.0]]]
    upstream = np.random.default_rng(7).standard_normal((2, 3))
    out, grads = _run(ag, fn, inputs, upstream)
    tout, tgrads = _run(torch, fn, inputs, upstream)
    np.testing.assert_allclose(out, tout, rtol=1e-12)
    for g, tg in zip(grads, tgrads):
        np.testing.assert_allclose(g, tg, rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------------------------------- dtypes


def _dtype_name(d: Any) -> str:
    return str(d).rsplit(".", 1)[-1]


F32 = lambda m: m.tensor([1.5, -2.0])
F64 = lambda m: m.tensor(np.array([1.5, -2.0]))
I64 = lambda m: m.tensor([3, -4])

DTYPE_CASES = {
    # creation: Python floats default to float32, ints to int64; numpy keeps its dtype
    "python_float": (lambda m: m.tensor(1.5), "float32"),
    "python_float_list": (lambda m: m.tensor([1.5, 2.0]), "float32"),
    "mixed_int_float_list": (lambda m: m.tensor([1, 2.5]), "float32"),
    "python_int": (lambda m: m.tensor(3), "int64"),
    "python_int_list": (lambda m: m.tensor([[1, 2], [3, 4]]), "int64"),
    "python_bool_list": (lambda m: m.tensor([True, False]), "bool"),
    "numpy_float64": (lambda m: m.tensor(np.array([1.0, 2.0])), "float64"),
    "numpy_float32": (lambda m: m.tensor(np.array([1.0], dtype=np.float32)), "float32"),
    "numpy_int64_scalar": (lambda m: m.tensor(np.int64(3)), "int64"),
    "explicit_dtype": (lambda m: m.tensor([1, 2], dtype=m.float64), "float64"),
    "zeros": (lambda m: m.zeros(2, 3), "float32"),
    "ones_float64": (lambda m: m.ones(2, dtype=m.float64), "float64"),
    "arange_ints": (lambda m: m.arange(5), "int64"),
    "arange_float_step": (lambda m: m.arange(0, 1, 0.25), "float32"),
    # float32 with a Python number stays float32
    "f32_add_float": (lambda m: F32(m) + 2.5, "float32"),
    "f32_mul_float": (lambda m: 2.5 * F32(m), "float32"),
    "f32_rsub_float": (lambda m: 2.5 - F32(m), "float32"),
    "f32_div_int": (lambda m: F32(m) / 3, "float32"),
    "f32_rdiv_float": (lambda m: 1.0 / F32(m), "float32"),
    "f32_pow_float": (lambda m: F32(m) ** 2.0, "float32"),
    "float_pow_f32": (lambda m: 2.0 ** F32(m), "float32"),
    "f32_add_int": (lambda m: F32(m) + 1, "float32"),
    "f32_exp": (lambda m: m.exp(F32(m)), "float32"),
    "f32_sigmoid": (lambda m: m.sigmoid(F32(m)), "float32"),
    "f32_mean": (lambda m: F32(m).mean(), "float32"),
    "f32_softmax": (lambda m: m.softmax(F32(m), dim=0), "float32"),
    "f32_logsumexp": (lambda m: m.logsumexp(F32(m), dim=0), "float32"),
    "f32_clamp_float": (lambda m: F32(m).clamp(-1.0, 1.0), "float32"),
    "f32_matmul": (lambda m: F32(m) @ F32(m), "float32"),
    "f32_mse_loss": (lambda m: m.nn.functional.mse_loss(F32(m), F32(m) * 0.5), "float32"),
    "f32_cross_entropy": (lambda m: m.nn.functional.cross_entropy(F32(m).reshape(1, 2), m.tensor([1])), "float32"),
    # integer tensors
    "int_mul_float": (lambda m: I64(m) * 2.5, "float32"),
    "float_mul_int": (lambda m: 2.5 * I64(m), "float32"),
    "int_add_float": (lambda m: I64(m) + 0.5, "float32"),
    "float_sub_int": (lambda m: 0.5 - I64(m), "float32"),
    "int_mul_int": (lambda m: I64(m) * 2, "int64"),
    "int_add_int_tensor": (lambda m: I64(m) + I64(m), "int64"),
    "int_div_int_tensor": (lambda m: I64(m) / I64(m), "float32"),
    "int_div_int": (lambda m: I64(m) / 2, "float32"),
    "int_rdiv_int": (lambda m: 7 / I64(m), "float32"),
    "int_pow_int": (lambda m: I64(m) ** 2, "int64"),
    "int_pow_float": (lambda m: I64(m).abs() ** 0.5, "float32"),
    "float_pow_int_tensor": (lambda m: 2.0 ** I64(m), "float32"),
    "int_sum": (lambda m: I64(m).sum(), "int64"),
    "int_max": (lambda m: I64(m).max(), "int64"),
    "int_float_cast": (lambda m: I64(m).float(), "float32"),
    # tensors of two dtypes: PyTorch's promotion (a dimensioned tensor outranks a 0-d one of the same category)
    "int_tensor_mul_f32_tensor": (lambda m: I64(m) * F32(m), "float32"),
    "int_tensor_add_f32_0d": (lambda m: I64(m) + m.tensor(0.5), "float32"),
    "f32_tensor_add_f64_tensor": (lambda m: F32(m) + F64(m), "float64"),
    "f32_tensor_mul_f64_0d": (lambda m: F32(m) * m.tensor(np.float64(2.0)), "float32"),
    "f32_tensor_mul_numpy_float64": (lambda m: F32(m) * np.float64(2.0), "float32"),
    "int_tensor_mul_f64_tensor": (lambda m: I64(m) * F64(m), "float64"),
    "int_tensor_add_f64_0d": (lambda m: I64(m) + m.tensor(np.float64(0.5)), "float64"),
    "int_tensor_mul_numpy_float64": (lambda m: I64(m) * np.float64(2.5), "float32"),
    "int_tensor_maximum_f32_tensor": (lambda m: m.maximum(I64(m), F32(m)), "float32"),
    # numpy scalars count as Python numbers (np.sqrt(2.0) is a numpy float64: He initialisation stays float32)
    "f32_randn_times_np_sqrt": (lambda m: m.randn(3, 2) * np.sqrt(2.0 / 3), "float32"),
    "f32_div_numpy_float64": (lambda m: F32(m) / np.float64(4.0), "float32"),
    "f32_pow_numpy_float64": (lambda m: F32(m) ** np.float64(2.0), "float32"),
    "numpy_float64_sub_f32": (lambda m: np.float64(1.0) - F32(m), "float32"),
    "f32_tensor_sub_f64_tensor": (lambda m: F32(m) - F64(m).sum(0, keepdim=True), "float64"),
    # float64 inputs stay float64
    "f64_add_float": (lambda m: F64(m) + 2.5, "float64"),
    "f64_mul_int": (lambda m: F64(m) * 2, "float64"),
    "int_rdiv_f64": (lambda m: 1 / F64(m), "float64"),
    "f64_pow": (lambda m: F64(m).abs() ** 1.5, "float64"),
    "float_pow_f64": (lambda m: 2.0 ** F64(m), "float64"),
    "f64_sigmoid": (lambda m: m.sigmoid(F64(m)), "float64"),
    "f64_tanh": (lambda m: m.tanh(F64(m)), "float64"),
    "f64_mean": (lambda m: F64(m).mean(), "float64"),
    "f64_softmax": (lambda m: m.log_softmax(F64(m), dim=0), "float64"),
    "f64_max": (lambda m: F64(m).max(), "float64"),
    "f64_matmul": (lambda m: F64(m) @ F64(m), "float64"),
    "f64_mse_loss": (lambda m: m.nn.functional.mse_loss(F64(m), F64(m) * 0.5), "float64"),
    "f64_cross_entropy": (lambda m: m.nn.functional.cross_entropy(F64(m).reshape(1, 2), m.tensor([0])), "float64"),
    "f64_linear": (lambda m: m.nn.functional.linear(F64(m).reshape(1, 2), F64(m).reshape(1, 2)), "float64"),
    "f64_cat": (lambda m: m.cat([F64(m), F64(m)]), "float64"),
}


@pytest.mark.parametrize("name", list(DTYPE_CASES))
def test_dtype_rules_match_torch(name):
    fn, expected = DTYPE_CASES[name]
    assert _dtype_name(fn(torch).dtype) == expected, "the expectation in the table is not what PyTorch does"
    assert _dtype_name(fn(ag).dtype) == expected


# the leaf's dtype, then a function of the leaf (and a Python/float64 companion) whose gradient is taken
GRAD_DTYPE_CASES = {
    "f32_leaf_times_python_float": (np.float32, lambda m, x: (x * 2.5 + 1.0).sum()),
    "f32_leaf_scalar_backward": (np.float32, lambda m, x: m.sigmoid(x).mean()),
    "f32_leaf_with_f64_tensor": (np.float32, lambda m, x: (x * m.tensor(np.array([2.0, 3.0]))).sum()),
    "f32_leaf_through_cast": (np.float32, lambda m, x: x.double().sum()),
    "f64_leaf": (np.float64, lambda m, x: (x**2).sum()),
    "f64_leaf_with_f32_tensor": (np.float64, lambda m, x: (x * m.tensor([2.0, 3.0])).sum()),
    "f64_leaf_through_cast": (np.float64, lambda m, x: x.float().sum()),
}


@pytest.mark.parametrize("name", list(GRAD_DTYPE_CASES))
def test_gradient_has_the_leaf_dtype(name):
    leaf_dtype, fn = GRAD_DTYPE_CASES[name]
    values = np.array([0.5, -1.5], dtype=leaf_dtype)
    x = ag.tensor(values, requires_grad=True)
    t = torch.tensor(values, requires_grad=True)
    fn(ag, x).backward()
    fn(torch, t).backward()
    assert _dtype_name(t.grad.dtype) == np.dtype(leaf_dtype).name
    assert x.grad.dtype == x.dtype
    assert np.asarray(x.grad.data).dtype == leaf_dtype
    np.testing.assert_allclose(np.asarray(x.grad.data), t.grad.numpy(), rtol=1e-6)
