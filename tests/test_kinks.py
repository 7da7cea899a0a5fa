"""Where a derivative is not defined, mini_autograd makes PyTorch's choice; and its dtypes follow PyTorch's rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import mini_autograd as ag


def grads(m, fn, *values):
    """Run fn on float32 leaves of library m; return the output and each leaf's gradient as lists."""
    leaves = [m.tensor(v, requires_grad=True) for v in values]
    out = fn(m, *leaves)
    (out.sum() if out.ndim else out).backward()
    return out.detach().tolist(), [leaf.grad.tolist() for leaf in leaves]


KINKS = {
    "relu_at_0": (lambda m, x: m.relu(x), [0.0, -1.0, 2.0]),
    "abs_at_0": (lambda m, x: m.abs(x), [0.0, -1.0, 2.0]),
    "maximum_tie": (lambda m, x, y: m.maximum(x, y), [1.0, 2.0], [1.0, 3.0]),
    "minimum_tie": (lambda m, x, y: m.minimum(x, y), [1.0, 2.0], [1.0, 3.0]),
    "max_full_ties": (lambda m, x: x.max(), [3.0, 1.0, 3.0, 3.0]),
    "min_full_ties": (lambda m, x: x.min(), [0.0, 1.0, 0.0]),
    "max_dim_first_index": (lambda m, x: x.max(1).values, [[2.0, 5.0, 5.0], [1.0, 1.0, 0.0]]),
    "clamp_at_bounds": (lambda m, x: x.clamp(-1.0, 1.0), [-1.0, 1.0, 0.5, 2.0, -3.0]),
    "sqrt_at_0": (lambda m, x: m.sqrt(x), [0.0, 4.0]),
    "pow_zero_exponent": (lambda m, x: x**0, [0.0, 2.0]),
    "pow_half_of_negative": (lambda m, x: x**0.5, [-4.0, 4.0]),
    "pow_tensor_zero_base": (lambda m, x, y: x**y, [0.0, 2.0], [2.0, 0.0]),
    "seed_max_tie": (lambda m, x, y, z: (x + y) * m.maximum(y, z), 1.0, 2.0, 2.0),
}


@pytest.mark.parametrize("name", KINKS)
def test_kinks_and_ties_match_torch(name):
    fn, *values = KINKS[name]
    ours = grads(ag, fn, *values)
    theirs = grads(torch, fn, *values)
    np.testing.assert_allclose(np.array(ours[0], dtype=float), np.array(theirs[0], dtype=float), equal_nan=True)
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(np.array(a, dtype=float), np.array(b, dtype=float), equal_nan=True)


def test_negative_base_to_a_fractional_power_is_nan_in_value_and_gradient():
    x = ag.tensor(-4.0, requires_grad=True)
    y = x**0.5
    y.backward()
    assert math.isnan(y.item()) and math.isnan(x.grad.item())


def test_seed_example_at_the_slide_values():
    """f = (x + y) max(y, z) at x=1, y=2, z=0: df/dx = 2, df/dy = 3 + 2 = 5, df/dz = 0."""
    x, y, z = (ag.tensor(v, requires_grad=True) for v in (1.0, 2.0, 0.0))
    f = (x + y) * ag.maximum(y, z)
    f.backward()
    assert (f.item(), x.grad.item(), y.grad.item(), z.grad.item()) == (6.0, 2.0, 5.0, 0.0)


DTYPE_CASES = {
    "python_float": (lambda m: m.tensor(1.5), "float32"),
    "python_int": (lambda m: m.tensor(3), "int64"),
    "list_mixed": (lambda m: m.tensor([1, 2.5]), "float32"),
    "bool": (lambda m: m.tensor([True, False]), "bool"),
    "numpy_float64": (lambda m: m.tensor(np.array([1.0, 2.0])), "float64"),
    "float32_times_float": (lambda m: m.tensor([1.0]) * 2.5, "float32"),
    "int_times_float": (lambda m: m.tensor([1, 2]) * 2.5, "float32"),
    "int_plus_int": (lambda m: m.tensor([1, 2]) + 1, "int64"),
    "int_div_int": (lambda m: m.tensor([1, 2]) / 2, "float32"),
    "float64_times_float": (lambda m: m.tensor([1.0], dtype=m.float64) * 2.0, "float64"),
    "arange_int": (lambda m: m.arange(5), "int64"),
    "arange_float": (lambda m: m.arange(0, 1, 0.25), "float32"),
    "zeros": (lambda m: m.zeros(2, 3), "float32"),
    "comparison": (lambda m: m.tensor([1.0, 2.0]) > 1.5, "bool"),
    "mean_float": (lambda m: m.tensor([1.0, 2.0]).mean(), "float32"),
    "sum_int": (lambda m: m.tensor([1, 2]).sum(), "int64"),
}


@pytest.mark.parametrize("name", DTYPE_CASES)
def test_dtypes_follow_torch(name):
    make, expected = DTYPE_CASES[name]
    assert str(make(ag).dtype) == f"mini_autograd.{expected}"
    assert str(make(torch).dtype) == f"torch.{expected}"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradients_have_the_dtype_of_their_leaf(dtype):
    x = ag.tensor([1.0, 2.0], dtype=getattr(ag, dtype), requires_grad=True)
    ((x * 3.0) ** 2 + x.exp()).sum().backward()
    assert x.grad.dtype == getattr(ag, dtype)


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor(3).requires_grad_()
