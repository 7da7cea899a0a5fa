"""Helpers for training loops, as ``torch.nn.utils``: gradient clipping."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..tensor import Tensor, _new_tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _with_grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p for p in parameters if p.grad is not None]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``; returns the norm before.

    The joint norm treats every gradient of every parameter as one long vector. When it exceeds ``max_norm``
    each gradient is multiplied by max_norm / (norm + 1e-6), so the direction of the step is kept and only its
    length shrinks: a guard against one exploding batch. Call it between ``backward()`` and ``step()``::

        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()

    ``foreach`` is accepted for compatibility and ignored.
    """
    params = _with_grads(parameters)
    norm_type = float(norm_type)
    if not params:
        return _new_tensor(np.array(0.0, dtype=np.float32), False, None)
    grads = [np.asarray(p.grad) for p in params]
    if math.isinf(norm_type):
        norms = [np.max(np.abs(g)) if g.size else 0.0 for g in grads]
        total = np.max(norms)
    else:
        norms = [np.sum(np.abs(g) ** norm_type) ** (1.0 / norm_type) for g in grads]
        total = np.sum(np.asarray(norms) ** norm_type) ** (1.0 / norm_type)
    total = np.asarray(total, dtype=grads[0].dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    coef = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    for p in params:
        p.grad *= coef  # in place, as PyTorch: a reference to p.grad sees the clipped values
    return _new_tensor(total, False, None)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    for p in _with_grads(parameters):
        p.grad[...] = np.clip(np.asarray(p.grad), -clip_value, clip_value)
