"""The backward pass: walk the graph from the output to the leaves, applying the chain rule at every node.

Three ideas carry it:

1. **Order.** A node may pass its gradient on only after *every* node that used its output has passed theirs.
   Kahn's algorithm gives that order without recursion: count how many consumers each node has, start at the
   output, and release a node when its count drops to zero. A chain of a million operations needs no deeper
   Python stack than a chain of three.
2. **Accumulation.** A tensor used twice (``y = x * x``, a diamond ``a -> b, c -> d``) receives two gradients,
   and the chain rule says they *add*. Gradients wait in a dict keyed by ``id(node)`` until they are complete.
3. **Broadcasting.** ``(3, 4) + (4,)`` broadcasts the second input, so the gradient arriving for it is (3, 4)-shaped.
   Summing over the broadcast dimensions (:func:`unbroadcast`) gives it back its own shape. This happens here, once,
   so no op has to think about it.
"""

from __future__ import annotations

import numpy as np

from .function import _FREED, Node
from .tensor import Tensor, _new_tensor


def unbroadcast(grad, shape: tuple, node: Node | None = None):
    """Sum ``grad`` over the dimensions that broadcasting added or stretched, so it takes the input's ``shape``.

    >>> unbroadcast(np.ones((3, 4)), (4,)).tolist()
    [3.0, 3.0, 3.0, 3.0]
    >>> unbroadcast(np.ones((3, 4)), (3, 1)).shape
    (3, 1)
    """
    gshape = np.shape(grad)
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    if lead < 0 or any(s != 1 and s != g for s, g in zip(shape, gshape[lead:])):
        op = node.name() if node is not None else "an operation"
        raise RuntimeError(
            f"{op} returned a gradient of shape {gshape} for an input of shape {shape}; a gradient must have the "
            "input's shape or one that broadcasting the input could produce. Check that op's backward()."
        )
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1)
    return np.sum(grad, axis=axes).reshape(shape)


def _topological_order(root: Node) -> list:
    """Nodes reachable from root, each after every node that consumes its output (Kahn's algorithm)."""
    consumers = {id(root): 0}
    stack = [root]
    while stack:
        node = stack.pop()
        for t in node.inputs:
            if t is not None and t.grad_fn is not None:
                key = id(t.grad_fn)
                if key in consumers:
                    consumers[key] += 1
                else:
                    consumers[key] = 1
                    stack.append(t.grad_fn)
    order = []
    ready = [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for t in node.inputs:
            if t is not None and t.grad_fn is not None:
                key = id(t.grad_fn)
                consumers[key] -= 1
                if consumers[key] == 0:
                    ready.append(t.grad_fn)
    return order


def backward(tensor: Tensor, gradient=None, retain_graph: bool = False) -> None:
    """Compute d(tensor)/d(leaf) for every leaf that requires grad, and *add* it to ``leaf.grad``.

    ``gradient`` is d(something)/d(tensor); it defaults to 1 for a single-element tensor. Without
    ``retain_graph=True`` the values the nodes saved are freed afterwards, as in PyTorch.
    """
    if not tensor.requires_grad:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn: backward() needs a tensor "
            "computed from a leaf made with requires_grad=True (and not inside no_grad())."
        )
    if gradient is None:
        if tensor.data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs, but this tensor has shape "
                f"{tuple(tensor.shape)}. Reduce it first (e.g. loss.sum() or loss.mean()) or pass "
                "backward(gradient=...) with a tensor of the same shape."
            )
        gradient = np.ones_like(tensor.data)
    else:
        gradient = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient, dtype=tensor.data.dtype)
        if np.shape(gradient) != tensor.shape:
            raise RuntimeError(
                f"backward(gradient=...) got a gradient of shape {np.shape(gradient)} for a tensor of shape "
                f"{tuple(tensor.shape)}; they must match."
            )

    root = tensor.grad_fn
    if root is None:  # backward() on a leaf: its gradient with respect to itself
        _accumulate(tensor, gradient)
        return

    grads = {id(root): gradient}
    leaves = {}
    for node in _topological_order(root):
        grad = grads.pop(id(node), None)
        if grad is None:  # no path from the output carried a gradient here
            continue
        if node.saved is _FREED:
            _ = node.saved_tensors  # raises the "backward through the graph a second time" error
        in_grads = node.fn.backward(node, grad)
        if not retain_graph and node.saved:
            node.saved = _FREED
        if type(in_grads) is not tuple:
            in_grads = (in_grads,)
        inputs = node.inputs
        if len(in_grads) != len(inputs):
            raise RuntimeError(
                f"{node.name()}.backward returned {len(in_grads)} gradients for {len(inputs)} inputs; return one "
                "per forward argument (None where there is none)."
            )
        for t, g in zip(inputs, in_grads):
            if g is None or t is None or not t.requires_grad:
                continue
            if np.shape(g) != t.shape:
                g = unbroadcast(g, t.shape, node)
            fn = t.grad_fn
            if fn is None:  # a leaf
                key = id(t)
                if key in leaves:
                    leaves[key][1] = leaves[key][1] + g
                else:
                    leaves[key] = [t, g]
            else:
                key = id(fn)
                if key in grads:
                    grads[key] = grads[key] + g
                else:
                    grads[key] = g
    for t, g in leaves.values():
        _accumulate(t, g)


def _accumulate(leaf: Tensor, grad) -> None:
    """Add grad into leaf.grad, as PyTorch's AccumulateGrad does: in place, so a reference to .grad sees the sum.

    The first gradient is copied into a fresh array, never aliased to a value some op still holds.
    """
    existing = leaf.grad
    if existing is None:
        leaf.grad = _new_tensor(np.array(grad, dtype=leaf.data.dtype), False, None)
    elif isinstance(existing.data, np.ndarray) and existing.data.flags.writeable:
        existing.data += grad
    else:
        existing.data = np.array(existing.data + grad, dtype=leaf.data.dtype)
