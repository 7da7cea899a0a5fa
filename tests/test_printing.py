"""Tensors print as PyTorch prints them, so a student's output matches the lecture's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mini_autograd as ag


def same_repr(make):
    ours, theirs = repr(make(ag)), repr(make(torch)).replace("torch.", "mini_autograd.")
    assert ours == theirs, f"\nours:   {ours}\ntorch:  {theirs}"


CASES = {
    "scalar": lambda m: m.tensor(5.0),
    "scalar_fraction": lambda m: m.tensor(0.5),
    "scalar_negative": lambda m: m.tensor(-2.0),
    "requires_grad": lambda m: m.tensor(1.0, requires_grad=True),
    "pow_backward": lambda m: m.tensor(1.0, requires_grad=True) ** 2,
    "mul_backward": lambda m: m.tensor(2.0, requires_grad=True) * 3.0,
    "add_backward": lambda m: m.tensor(2.0, requires_grad=True) + 1.0,
    "sub_backward": lambda m: m.tensor(2.0, requires_grad=True) - 1.0,
    "sum_backward": lambda m: m.tensor([1.0, 2.0], requires_grad=True).sum(),
    "mean_backward": lambda m: m.tensor([1.0, 2.0], requires_grad=True).mean(),
    "relu_backward": lambda m: m.relu(m.tensor([1.0, -2.0], requires_grad=True)),
    "maximum_backward": lambda m: m.maximum(m.tensor(1.0, requires_grad=True), m.tensor(2.0)),
    "tanh_backward": lambda m: m.tensor([0.5], requires_grad=True).tanh(),
    "mm_backward": lambda m: m.ones(2, 2, requires_grad=True) @ m.ones(2, 2),
    "vector_int_valued": lambda m: m.tensor([1.0, 2.0, 3.0]),
    "vector_fractions": lambda m: m.tensor([0.1, 2.5, -3.25]),
    "vector_ints": lambda m: m.tensor([1, 20, -3]),
    "matrix": lambda m: m.tensor([[1.0, 2.5], [-3.0, 4.0]]),
    "matrix_int_valued": lambda m: m.tensor([[1.0, 2.0], [30.0, 4.0]]),
    "scientific": lambda m: m.tensor([1e-5, 1.0, 300.0]),
    "large": lambda m: m.tensor([1e9, 1.0]),
    "nan_inf": lambda m: m.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
    "float64": lambda m: m.tensor([1.0, 2.0], dtype=m.float64),
    "float64_scalar_grad": lambda m: m.tensor(1.5, dtype=m.float64, requires_grad=True),
    "bool": lambda m: m.tensor([True, False]),
    "three_d": lambda m: m.tensor(np.arange(12.0).reshape(2, 3, 2).astype(np.float32)),
    "wraps_lines": lambda m: m.arange(30.0) * 1.5,
    "empty": lambda m: m.tensor([]),
}


@pytest.mark.parametrize("name", CASES)
def test_repr_matches_torch(name):
    same_repr(CASES[name])


def test_summarised_when_large():
    data = np.arange(2000.0, dtype=np.float32).reshape(40, 50)
    ours, theirs = repr(ag.tensor(data)), repr(torch.tensor(data))
    assert "..." in ours
    assert ours == theirs


def test_str_is_repr_and_grad_prints_plain():
    x = ag.tensor(4.0, requires_grad=True)
    y = ag.tensor(-3.0, requires_grad=True)
    ((x + y) * 5.0).backward()
    assert str(x.grad) == "tensor(5.)" and "Gradient of x is: " + str(x.grad) == "Gradient of x is: tensor(5.)"
