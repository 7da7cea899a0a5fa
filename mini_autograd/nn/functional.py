"""Stateless functions behind the layers and losses, as in ``torch.nn.functional``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..tensor import Tensor, _float_only, _rng
from ..tensor import log_softmax as _log_softmax
from ..tensor import softmax as _softmax

_REDUCTIONS = ("mean", "sum", "none")


def relu(x: Tensor) -> Tensor:
    """max(x, 0) elementwise."""
    return ops.Relu.apply(x)


def tanh(x: Tensor) -> Tensor:
    return ops.Tanh.apply(x)


def sigmoid(x: Tensor) -> Tensor:
    return ops.Sigmoid.apply(x)


def softmax(x: Tensor, dim: int) -> Tensor:
    """exp(x) / sum(exp(x)) along dim (computed with the maximum subtracted, so it never overflows)."""
    return _softmax(x, dim)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    """log(softmax(x)) along dim, computed stably as x - logsumexp(x)."""
    return _log_softmax(x, dim)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias, with weight of shape (out_features, in_features), as in PyTorch."""
    if x._data.shape[-1] != weight._data.shape[1]:
        raise RuntimeError(
            f"linear: input of shape {x._data.shape} has {x.shape[-1]} features but weight of shape "
            f"{weight._data.shape} expects {weight._data.shape[1]} (weight is out_features x in_features)"
        )
    if x.ndim == 2:
        return ops.Linear.apply(x, weight, bias)
    out = x @ weight.T
    return out if bias is None else out + bias


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean (or sum) of the squared differences: the loss of linear regression."""
    _check_reduction(reduction)
    if not isinstance(target, Tensor):
        target = Tensor(target, dtype=input.dtype)
    if input._data.shape != target._data.shape:
        raise RuntimeError(
            f"mse_loss: input of shape {input._data.shape} and target of shape {target._data.shape} differ; PyTorch "
            "would broadcast them with a warning, which is almost always a bug. Reshape one to match."
        )
    _float_only(input, "mse_loss")
    return ops.MSELoss.apply(input, target, reduction)


def cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Softmax cross-entropy of logits ``input`` (N, C) against class indices ``target`` (N,) in [0, C)."""
    _check_reduction(reduction)
    _float_only(input, "cross_entropy")
    t = np.asarray(target._data if isinstance(target, Tensor) else target)
    if input.ndim != 2 or t.ndim != 1 or t.shape[0] != input._data.shape[0]:
        raise RuntimeError(
            f"cross_entropy: expected logits of shape (N, C) and class indices of shape (N,), got {input._data.shape} "
            f"and {t.shape}"
        )
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"cross_entropy: target must hold integer class indices, got dtype {t.dtype}")
    if t.size and (t.min() < 0 or t.max() >= input._data.shape[1]):
        raise IndexError(
            f"cross_entropy: target {int(t.min()) if t.min() < 0 else int(t.max())} is out of bounds for "
            f"{input._data.shape[1]} classes"
        )
    return ops.CrossEntropy.apply(input, t, reduction)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """x where x > 0, else negative_slope * x: a ReLU that lets a little gradient through for negative inputs.

    ``inplace`` is accepted so PyTorch code runs, but the result is always a new tensor (no in-place ops in a graph
    here); ``x = F.leaky_relu(x, inplace=True)`` gives the same values either way."""
    _float_only(input, "leaky_relu")
    return ops.LeakyRelu.apply(input, float(negative_slope))


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """While training, zero each element with probability ``p`` and scale the rest by 1 / (1 - p), so the expected
    value of every element is unchanged; with ``training=False`` return the input as it is.

    The mask is a constant of the graph, so the gradient is the same mask times 1 / (1 - p). The zeros are drawn
    from the generator that ``manual_seed`` seeds. ``inplace`` is accepted and the result is a new tensor.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    _float_only(input, "dropout")
    dt = input._data.dtype
    if p == 1.0:
        mask = np.zeros(input.shape, dtype=dt)
    else:
        keep = _rng().random(input.shape) >= p
        mask = (keep / (1.0 - p)).astype(dt)
    return input * Tensor(mask)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (int64, any shape) as one-hot rows: one more dimension of size ``num_classes`` (by default
    the largest index + 1), a 1 at each index and 0 elsewhere, int64 as in PyTorch (use ``.float()`` for a target).

    >>> one_hot(tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    idx = np.asarray(tensor._data)
    if idx.dtype != np.int64:
        raise RuntimeError(
            "one_hot is only applicable to index tensor of type LongTensor; make the indices with "
            "tensor([...]) of ints or convert them with .long()"
        )
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError(
            f"Class values must be smaller than num_classes (got {int(idx.max())} with num_classes={num_classes})."
        )
    return Tensor((idx[..., None] == np.arange(num_classes)).astype(np.int64))


def _loss_operands(name: str, input: Tensor, target: Any, what: str) -> Tensor:  # noqa: A002
    _float_only(input, name)
    if not isinstance(target, Tensor):
        target = Tensor(target, dtype=input.dtype)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"{name}: {what} target size ({target._data.shape}) must be the same as the input size "
            f"({input._data.shape}); reshape one of them (e.g. target.reshape(input.shape) or output.squeeze(1))"
        )
    if target._data.dtype != input._data.dtype:
        target = target.to(input.dtype)
    return target


def _weight_array(weight: Any, input: Tensor) -> np.ndarray | None:  # noqa: A002
    if weight is None:
        return None
    values = np.asarray(weight._data if isinstance(weight, Tensor) else weight, dtype=input._data.dtype)
    return np.broadcast_to(values, input.shape)


def binary_cross_entropy(
    input: Tensor,  # noqa: A002
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """-(t log p + (1 - t) log(1 - p)), averaged: the loss of a probability ``input`` p in [0, 1] (the output of a
    sigmoid) against a target t of the same shape (0 and 1, or soft labels). Each log is clamped at -100, as in
    PyTorch. Prefer :func:`binary_cross_entropy_with_logits` on the scores before the sigmoid: it never overflows.
    """
    _check_reduction(reduction)
    target = _loss_operands("binary_cross_entropy", input, target, "Using a")
    p = np.asarray(input._data)
    if p.size and (np.min(p) < 0 or np.max(p) > 1 or np.isnan(p).any()):
        raise RuntimeError(
            "all elements of input should be between 0 and 1; binary_cross_entropy takes probabilities. Apply "
            "sigmoid first, or use binary_cross_entropy_with_logits on the raw scores"
        )
    return ops.BinaryCrossEntropy.apply(input, target, _weight_array(weight, input), reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """binary_cross_entropy(sigmoid(input), target) computed in one stable step from the scores (logits) ``input``.
    ``pos_weight`` multiplies the loss of the positive examples (t = 1), e.g. n_negative / n_positive for rare
    positives."""
    _check_reduction(reduction)
    target = _loss_operands("binary_cross_entropy_with_logits", input, target, "the")
    return ops.BinaryCrossEntropyWithLogits.apply(
        input, target, _weight_array(weight, input), _weight_array(pos_weight, input), reduction
    )


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:  # noqa: A002
    """Rows of ``weight`` picked by the integer ``input`` (any shape): the output has shape input.shape + (dim,)."""
    idx = np.asarray(input._data if isinstance(input, Tensor) else input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got {idx.dtype} instead; embedding takes integer indices (use .long())"
        )
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError(f"index out of range in self: the indices must be in [0, {n}) for an Embedding of {n} rows")
    return ops.Embedding.apply(weight, idx, padding_idx)
