"""Tensors print as PyTorch prints them, so a student's output matches the lecture's and the seed notebooks'.

Every case builds the same data in both libraries and compares ``repr`` (and ``str``) character for character, after
turning PyTorch's ``torch.`` prefix (``dtype=torch.float64``) into ours (``dtype=mini_autograd.float64``).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mini_autograd as ag

NAN, INF = float("nan"), float("inf")


def torch_text(text: str) -> str:
    return text.replace("torch.", "mini_autograd.")


def assert_same_print(make, render=repr):
    ours, theirs = render(make(ag)), torch_text(render(make(torch)))
    assert ours == theirs, f"\nours:\n{ours}\ntorch:\n{theirs}"


def leaf(m, value):
    return m.tensor(value, requires_grad=True)


VALUES = {
    # scalars
    "scalar_5": lambda m: m.tensor(5.0),
    "scalar_fraction": lambda m: m.tensor(0.5),
    "scalar_negative": lambda m: m.tensor(-2.0),
    "scalar_four_decimals": lambda m: m.tensor(1.0 / 3.0),
    "scalar_small_scientific": lambda m: m.tensor(1e-5),
    "scalar_large_scientific": lambda m: m.tensor(123456789.0),
    "scalar_zero": lambda m: m.tensor(0.0),
    "scalar_int": lambda m: m.tensor(7),
    "scalar_bool": lambda m: m.tensor(True),
    "scalar_requires_grad": lambda m: leaf(m, 1.0),
    "scalar_fraction_requires_grad": lambda m: leaf(m, -0.25),
    # small 1-d and 2-d, float and int
    "vector_integral_floats": lambda m: m.tensor([1.0, 2.0, 3.0]),
    "vector_fractions": lambda m: m.tensor([0.1, 2.5, -3.25]),
    "vector_ints": lambda m: m.tensor([1, 20, -3]),
    "vector_requires_grad": lambda m: leaf(m, [1.0, 2.0]),
    "matrix_fractions": lambda m: m.tensor([[1.0, 2.5], [-3.0, 4.0]]),
    "matrix_integral_floats": lambda m: m.tensor([[1.0, 2.0], [30.0, 4.0]]),
    "matrix_ints": lambda m: m.tensor([[1, -20], [300, 4]]),
    "matrix_one_row": lambda m: m.tensor([[1.0, 2.0, 3.0]]),
    "matrix_one_column": lambda m: m.tensor([[1.5], [-2.0]]),
    # alignment of negative values
    "negative_alignment_fractions": lambda m: m.tensor([[-1.5, 2.25], [3.0, -40.125]]),
    "negative_alignment_integral": lambda m: m.tensor([-1.0, 10.0, -100.0]),
    "negative_alignment_ints": lambda m: m.tensor([[-1, 5], [10, -200]]),
    # mixed magnitudes: scientific notation
    "mixed_magnitudes": lambda m: m.tensor([1e-5, 1.0, 300.0]),
    "mixed_magnitudes_integral": lambda m: m.tensor([1.0, 2000.0]),
    "mixed_magnitudes_negative": lambda m: m.tensor([-1e-5, 1e5]),
    "large_integral": lambda m: m.tensor([1e9, 1.0]),
    "just_below_sci_ratio": lambda m: m.tensor([1.0, 999.0]),
    "small_fractions": lambda m: m.tensor([0.00012, 0.1]),
    "large_fraction_and_small": lambda m: m.tensor([123456.5, 0.5]),
    # nan and inf
    "nan_inf_with_fractions": lambda m: m.tensor([NAN, INF, -INF, 1.5]),
    "nan_with_integral_values": lambda m: m.tensor([NAN, 1.0, 2.0]),
    "inf_with_integral_values": lambda m: m.tensor([INF, 1.0, 2.0]),
    "zero_and_nan": lambda m: m.tensor([0.0, NAN]),
    "nan_with_scientific": lambda m: m.tensor([NAN, 1e-5, 1.0]),
    "only_nan": lambda m: m.tensor([NAN, NAN]),
    "nan_scalar": lambda m: m.tensor(NAN),
    "negative_zero_with_fractions": lambda m: m.tensor([-0.0, 1.5]),
    "zeros": lambda m: m.zeros(3),
    # other dtypes: torch prints dtype=torch.float64, we dtype=mini_autograd.float64
    "float64_vector": lambda m: m.tensor([1.0, 2.5], dtype=m.float64),
    "float64_scalar": lambda m: m.tensor(2.5, dtype=m.float64),
    "float64_requires_grad": lambda m: m.tensor(1.5, dtype=m.float64, requires_grad=True),
    "float64_with_grad_fn": lambda m: m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True) * 2.0,
    "float64_four_decimals": lambda m: m.tensor([1 / 3, 2 / 3], dtype=m.float64),
    "int32": lambda m: m.tensor([1, 2], dtype=m.int32),
    "float16": lambda m: m.tensor([1.5, 2.0], dtype=m.float16),
    "bool_vector": lambda m: m.tensor([True, False]),
    "bool_matrix": lambda m: m.tensor([[True, False], [False, True]]),
    "comparison_result": lambda m: m.tensor([1.0, -1.0, 0.0]) > 0,
    # 3-d
    "three_d_integral": lambda m: m.arange(24.0).reshape(2, 3, 4),
    "three_d_fractions": lambda m: m.arange(24.0).reshape(2, 3, 4) / 3.0,
    "three_d_from_numpy": lambda m: m.tensor(np.arange(12.0).reshape(2, 3, 2).astype(np.float32)),
    # long rows that wrap
    "arange_30_wraps": lambda m: m.arange(30.0),
    "arange_30_fractions_wrap": lambda m: m.arange(30.0) / 7.0,
    "arange_100_ints_wrap": lambda m: m.arange(100),
    "wide_matrix_wraps": lambda m: m.arange(60.0).reshape(2, 30) / 7.0,
    "long_row_with_grad_fn": lambda m: m.arange(30.0, requires_grad=True) * 1.5,
    "long_row_requiring_grad": lambda m: m.arange(30.0, requires_grad=True),
    "long_row_float64": lambda m: m.arange(30.0, dtype=m.float64) / 7.0,
    "network_output_with_grad_fn": lambda m: leaf(m, (np.arange(16.0) / 7.0).reshape(2, 8).tolist()) * 1.0,
    "one_full_line_with_grad_fn": lambda m: leaf(m, (np.arange(9.0) / 7.0).tolist()) * 1.0,
    # more than 1000 elements: summarised with '...'
    "summarised_1d": lambda m: m.arange(2000.0),
    "summarised_2d": lambda m: m.arange(2000.0).reshape(40, 50),
    "summarised_2d_fractions": lambda m: m.arange(2000.0).reshape(40, 50) / 3.0,
    "summarised_3d": lambda m: m.arange(2000.0).reshape(10, 20, 10),
    "summarised_ints": lambda m: m.arange(1001),
    "summarised_with_grad_fn": lambda m: m.arange(1500.0, requires_grad=True) * 2.0,
    "not_summarised_at_1000": lambda m: m.arange(1000.0),
    # empty
    "empty": lambda m: m.tensor([]),
    "empty_matrix": lambda m: m.zeros(0, 3),
    "empty_ints": lambda m: m.tensor([], dtype=m.int64),
    # nn
    "parameter": lambda m: m.nn.Parameter(m.tensor([1.0, 2.0])),
}


@pytest.mark.parametrize("name", VALUES)
def test_repr_matches_torch(name):
    assert_same_print(VALUES[name])


@pytest.mark.parametrize("name", VALUES)
def test_str_matches_torch(name):
    assert_same_print(VALUES[name], render=str)


def _x(m):
    return m.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)


GRAD_FNS = {
    "PowBackward0": lambda m: leaf(m, 1.0) ** 2,
    "MulBackward0": lambda m: leaf(m, 2.0) * 3.0,
    "MulBackward0_two_tensors": lambda m: leaf(m, 2.0) * leaf(m, 3.0),
    "AddBackward0": lambda m: leaf(m, 2.0) + 1.0,
    "AddBackward0_reflected": lambda m: 1.0 + leaf(m, 2.0),
    "SubBackward0": lambda m: leaf(m, 2.0) - 1.0,
    "RsubBackward1": lambda m: 1.0 - leaf(m, 2.0),
    "DivBackward0": lambda m: leaf(m, 1.0) / 2.0,
    "NegBackward0": lambda m: -leaf(m, 1.0),
    "SumBackward0": lambda m: leaf(m, [1.0, 2.0]).sum(),
    "MeanBackward0": lambda m: leaf(m, [1.0, 2.0]).mean(),
    "SumBackward1_over_a_dim": lambda m: _x(m).sum(0),
    "MeanBackward1_over_a_dim": lambda m: _x(m).mean(1),
    "ReluBackward0": lambda m: m.relu(leaf(m, [1.0, -2.0])),
    "MaximumBackward0": lambda m: m.maximum(leaf(m, 1.0), m.tensor(2.0)),
    "MinimumBackward0": lambda m: m.minimum(leaf(m, 1.0), m.tensor(2.0)),
    "MaxBackward1": lambda m: _x(m).max(),
    "MinBackward1": lambda m: _x(m).min(),
    "TanhBackward0": lambda m: leaf(m, [0.5]).tanh(),
    "SigmoidBackward0": lambda m: leaf(m, [0.5]).sigmoid(),
    "ExpBackward0": lambda m: leaf(m, 1.0).exp(),
    "LogBackward0": lambda m: leaf(m, 2.0).log(),
    "AbsBackward0": lambda m: leaf(m, -2.0).abs(),
    "SqrtBackward0": lambda m: leaf(m, 4.0).sqrt(),
    "PowBackward1_tensor_exponent": lambda m: leaf(m, 2.0) ** m.tensor(3.0),
    "PowBackward2_number_base": lambda m: 2.0 ** leaf(m, 3.0),
    "MmBackward0": lambda m: m.ones(2, 2, requires_grad=True) @ m.ones(2, 2),
    "AddmmBackward0_linear": lambda m: m.nn.functional.linear(m.ones(2, 3), leaf(m, [[1.0, 2.0, 3.0]]), m.ones(1)),
    "MseLossBackward0": lambda m: m.nn.functional.mse_loss(_x(m), m.zeros(2, 2)),
    "NllLossBackward0_cross_entropy": lambda m: m.nn.functional.cross_entropy(_x(m), m.tensor([0, 1])),
    "ViewBackward0": lambda m: _x(m).reshape(4),
    "SelectBackward0": lambda m: _x(m)[0],
    "SoftmaxBackward0": lambda m: _x(m).softmax(1),
    "LogSoftmaxBackward0": lambda m: _x(m).log_softmax(1),
    "scalar_grad_fn_with_four_decimals": lambda m: leaf(m, 0.5) * leaf(m, 1.0 / 3.0),
}


@pytest.mark.parametrize("name", GRAD_FNS)
def test_results_print_their_grad_fn_as_torch(name):
    assert_same_print(GRAD_FNS[name])


def test_a_linear_layers_output_prints_addmm_as_torch():
    layer = torch.nn.Linear(3, 2)
    ours = ag.nn.Linear(3, 2)
    ours.load_state_dict(layer.state_dict())
    x = [[1.0, 2.0, 3.0]]
    assert repr(ours(ag.tensor(x))) == repr(layer(torch.tensor(x)))


def test_the_seed_lines_print_exactly():
    # the lines the seed documents show PyTorch printing (on the CPU)
    x = ag.tensor(4.0, requires_grad=True)
    y = ag.tensor(-3.0, requires_grad=True)
    z = ag.tensor(5.0, requires_grad=True)
    ((x + y) * z).backward()
    assert "Gradient of x is: " + str(x.grad) == "Gradient of x is: tensor(5.)"
    assert str(z.grad) == "tensor(1.)"
    w = ag.tensor(1.0, requires_grad=True)
    loss = (w * ag.tensor(1.0) - ag.tensor(2.0)) ** 2
    assert str(w) == "tensor(1., requires_grad=True)"
    assert str(loss) == "tensor(1., grad_fn=<PowBackward0>)"
    loss.backward()
    assert str(w.grad) == "tensor(-2.)"


def test_printing_inside_containers_uses_repr():
    ours = str([ag.tensor(1.0), ag.tensor([2, 3])])
    theirs = str([torch.tensor(1.0), torch.tensor([2, 3])])
    assert ours == theirs == "[tensor(1.), tensor([2, 3])]"


FORMATS = {
    "scalar_float_no_spec": (lambda m: m.tensor(5.0), "{}"),
    "scalar_loss_no_spec": (lambda m: leaf(m, 0.5) * 3.0, "{}"),
    "scalar_int_no_spec": (lambda m: m.tensor(3), "{}"),
    "scalar_with_spec": (lambda m: m.tensor(1.0 / 3.0), "{:.3f}"),
    "scalar_loss_with_spec": (lambda m: leaf(m, 0.5) * 3.0, "loss {:8.4f}"),
    "vector_no_spec": (lambda m: m.tensor([1.0, 2.0]), "{}"),
}


@pytest.mark.parametrize("name", FORMATS)
def test_format_and_f_strings_match_torch(name):
    # PyTorch formats a 0-d tensor as its Python number: f"{loss}" gives '1.5', not 'tensor(1.5000, ...)'
    make, spec = FORMATS[name]
    assert_same_print(make, render=spec.format)
