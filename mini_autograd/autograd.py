"""``torch.autograd``'s names in one place: Function, backward, grad, the grad-mode switches and gradcheck.

:func:`grad` returns gradients instead of adding them into ``.grad``: handy for a quick derivative, or for a
gradient penalty without touching the optimiser's gradients::

    x = tensor(3.0, requires_grad=True)
    (dy_dx,) = autograd.grad(x ** 2, x)      # tensor(6.), and x.grad stays None
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import testing as _testing
from .engine import backward as _backward
from .engine import hooks_in_use
from .function import (
    Function,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .tensor import Tensor, zeros_like

__all__ = [
    "Function",
    "backward",
    "enable_grad",
    "grad",
    "gradcheck",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "set_grad_enabled",
]


def _as_tuple(x: Any) -> tuple:
    return (x,) if isinstance(x, Tensor) or x is None else tuple(x)


def backward(
    tensors: Tensor | Sequence[Tensor], grad_tensors: Any = None, retain_graph: bool | None = None, **kwargs: Any
) -> None:
    """``backward(loss)`` is ``loss.backward()``; several outputs add their gradients into the leaves' ``.grad``."""
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    for i, (t, g) in enumerate(zip(tensors, grads)):
        _backward(t, g, bool(retain_graph) or i < len(tensors) - 1)


def _leaves(outputs: tuple) -> list[Tensor]:
    """Every leaf that requires grad and that the backward pass from ``outputs`` would reach."""
    found, seen, stack = {}, set(), []
    for out in outputs:
        if out.grad_fn is None:
            found[id(out)] = out
        else:
            stack.append(out.grad_fn)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for a, need in zip(node.args, node.needs_input_grad):
            if need:
                fn = node.parent(a)
                if fn is None:
                    found[id(a)] = a
                else:
                    stack.append(fn)
    return list(found.values())


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """d(outputs)/d(inputs), returned as a tuple (one gradient per input) and *not* added into any ``.grad``.

    ``grad_outputs`` plays the role of ``backward(gradient=...)`` for outputs with more than one element. An input
    may be a leaf or an intermediate result (its gradient is caught on its way through the graph, as ``retain_grad``
    does). An input the outputs do not depend on raises, unless ``allow_unused=True`` (its gradient is then None, or
    zeros with ``materialize_grads=True``). ``only_inputs`` is accepted for old code and ignored, as PyTorch does.
    """
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (a gradient you can differentiate again) is not supported: mini_autograd's backward "
            "functions compute with numpy, outside the graph"
        )
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported; call grad once per grad_outputs")
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    # Run an ordinary backward pass with every reachable leaf's .grad set aside, and each intermediate input's
    # gradient retained for the occasion; then put everything back.
    leaves = _leaves(outputs) + [x for x in inputs]
    saved = {id(t): (t, t.grad) for t in leaves}
    retained = {}
    for t, _ in saved.values():
        t.grad = None
        if t.grad_fn is not None:
            retained[id(t)] = (t, t.grad_fn.__dict__.get("_retained"))
            t.grad_fn._retained = weakref.ref(t)
    if retained:
        hooks_in_use()
    try:
        backward(outputs, grad_outputs, retain_graph)
        result = [x.grad for x in inputs]
    finally:
        for t, g in saved.values():
            t.grad = g
        for t, ref in retained.values():
            if ref is None:
                del t.grad_fn._retained
            else:
                t.grad_fn._retained = ref
    for i, (x, g) in enumerate(zip(inputs, result)):
        if g is None:
            if materialize_grads:
                result[i] = zeros_like(x)
            elif not (allow_unused or materialize_grads):
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. Set "
                    "allow_unused=True if this is the desired behavior."
                )
    return tuple(result)


def gradcheck(
    func: Callable[..., Tensor],
    inputs: Tensor | Sequence[Any],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    **kwargs: Any,
) -> bool:
    """PyTorch's spelling of :func:`mini_autograd.testing.gradcheck`: ``gradcheck(func, (x, y))`` compares
    ``func``'s backward pass with central differences in float64, for every input."""
    arrays = [np.asarray(x._data if isinstance(x, Tensor) else x, dtype=np.float64) for x in _as_tuple(inputs)]
    return _testing.gradcheck(func, *arrays, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
