"""The small things a student sees differ no more: a shape, a device, the order of next_functions, Tensor(...)."""

from __future__ import annotations

import pytest

import mini_autograd as ag

torch = pytest.importorskip("torch")


def same_text(fn):
    """What fn prints with each library, with the library's name taken out."""
    return fn(ag).replace("mini_autograd", "torch"), fn(torch)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: str(m.zeros(2, 3).shape),
        lambda m: repr(m.zeros(4).shape),
        lambda m: str(m.zeros(2, 3).size()),
        lambda m: str(m.tensor(1.0).shape),
        lambda m: str(m.zeros(2).device),
        lambda m: repr(m.zeros(2).device),
        lambda m: str(m.Tensor([1, 2, 3])),
        lambda m: str(m.Tensor(2, 3).dtype) + str(m.Tensor(2, 3).shape),
        lambda m: str(m.Tensor(5).shape),
        lambda m: str(m.Tensor([[1.5, 2]]).dtype),
    ],
)
def test_prints_as_pytorch_does(fn):
    mine, theirs = same_text(fn)
    assert mine == theirs


def test_a_shape_is_still_a_tuple():
    s = ag.zeros(2, 3).shape
    assert s == (2, 3) and s[1] == 3 and isinstance(s, tuple) and s.numel() == 6 == torch.zeros(2, 3).shape.numel()


@pytest.mark.parametrize("expr", ["2 * b", "b * 2", "2 + b", "b + 2"])
def test_next_functions_list_the_inputs_in_pytorchs_order(expr):
    def kinds(m):
        b = m.tensor([1.0, 2.0], requires_grad=True)
        out = eval(expr, {"b": b})
        return [type(f).__name__ if f is not None else None for f, _ in out.grad_fn.next_functions]

    assert kinds(ag) == kinds(torch)


def test_an_error_names_shapes_as_tuples():
    with pytest.raises(RuntimeError, match=r"shapes \(3, 4\) and \(5, 6\)"):
        ag.zeros(3, 4) @ ag.zeros(5, 6)
