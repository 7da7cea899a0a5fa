"""Stateless functions behind the layers and losses, as in ``torch.nn.functional``."""

from __future__ import annotations

import numpy as np

from .. import ops
from ..tensor import Tensor, _float_only
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
    if x.shape[-1] != weight.shape[1]:
        raise RuntimeError(
            f"linear: input of shape {x.shape} has {x.shape[-1]} features but weight of shape {weight.shape} "
            f"expects {weight.shape[1]} (weight is out_features x in_features)"
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
    if input.shape != target.shape:
        raise RuntimeError(
            f"mse_loss: input of shape {input.shape} and target of shape {target.shape} differ; PyTorch would "
            "broadcast them with a warning, which is almost always a bug. Reshape one to match."
        )
    _float_only(input, "mse_loss")
    return ops.MSELoss.apply(input, target, reduction)


def cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Softmax cross-entropy of logits ``input`` (N, C) against class indices ``target`` (N,) in [0, C)."""
    _check_reduction(reduction)
    _float_only(input, "cross_entropy")
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if input.ndim != 2 or t.ndim != 1 or t.shape[0] != input.shape[0]:
        raise RuntimeError(
            f"cross_entropy: expected logits of shape (N, C) and class indices of shape (N,), got {input.shape} "
            f"and {t.shape}"
        )
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"cross_entropy: target must hold integer class indices, got dtype {t.dtype}")
    if t.size and (t.min() < 0 or t.max() >= input.shape[1]):
        raise IndexError(
            f"cross_entropy: target {int(t.min()) if t.min() < 0 else int(t.max())} is out of bounds for "
            f"{input.shape[1]} classes"
        )
    return ops.CrossEntropy.apply(input, t, reduction)
