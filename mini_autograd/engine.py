"""The backward pass: walk the graph from the output to the leaves, applying the chain rule at every node.

Three ideas carry it:

1. **Order.** A node may pass its gradient on only after *every* node that used its output has passed theirs.
   Kahn's algorithm gives that order without recursion: count how many consumers each node has, start at the
   output, and release a node when its count drops to zero. A chain of a million operations needs no deeper
   Python stack than a chain of three.
2. **Accumulation.** A tensor used twice (``y = x * x``, a diamond ``a -> b, c -> d``) receives two gradients,
   and the chain rule says they *add*. Gradients wait in a dict keyed by ``id(node)`` until the last consumer
   has sent its share (a node with one consumer, as in a chain, skips the dict).
3. **Broadcasting.** ``(3, 4) + (4,)`` broadcasts the second input, so the gradient arriving for it is (3, 4)-shaped.
   Summing over the broadcast dimensions (:func:`unbroadcast`) gives it back its own shape. This happens here, once,
   so no op has to think about it.
"""

from __future__ import annotations

import numpy as np

from .function import _FREED, Node
from .tensor import _EPOCH, _INPLACE_RECORDED, Tensor, _new_tensor, _shares, _type_name, _written_since


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


def _count_consumers(root: Node, resolve: bool) -> dict:
    """For every node reachable from root: how many edges into it (uses of its output) the graph holds."""
    consumers = {id(root): 0}
    stack = [root]
    while stack:
        node = stack.pop()
        for a, need in zip(node.args, node.needs_input_grad):
            if need:
                fn = node.parent(a) if resolve else a.grad_fn
                if fn is not None:
                    key = id(fn)
                    if key in consumers:
                        consumers[key] += 1
                    else:
                        consumers[key] = 1
                        stack.append(fn)
    return consumers


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
    data = tensor._data
    if gradient is None:
        if data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs, but this tensor has shape "
                f"{tuple(data.shape)}. Reduce it first (e.g. loss.sum() or loss.mean()) or pass "
                "backward(gradient=...) with a tensor of the same shape."
            )
        # d(tensor)/d(tensor) = 1; dtype.type(1) is several times cheaper than np.ones_like for a 0-d value
        gradient = data.dtype.type(1) if data.ndim == 0 else np.ones(data.shape, dtype=data.dtype)
    else:
        gradient = gradient._data if isinstance(gradient, Tensor) else np.asarray(gradient, dtype=data.dtype)
        if np.shape(gradient) != data.shape:
            raise RuntimeError(
                f"backward(gradient=...) got a gradient of shape {np.shape(gradient)} for a tensor of shape "
                f"{tuple(data.shape)}; they must match."
            )

    root = tensor.grad_fn
    if root is None:  # backward() on a leaf: its gradient with respect to itself
        _accumulate(tensor, _leaf_hooks(tensor, gradient) if _HOOKS[0] else gradient)
        return

    # Kahn's algorithm: a node runs once every consumer of its output has sent its gradient. Gradients from
    # consumers that are not the last wait in `grads`; the last one sends the total on with the node.
    # An in-place op in the graph changed some tensor's grad_fn: each edge then goes to the node the tensor had
    # when the consumer was made (Node.parent). Until one has, a tensor's grad_fn is that node, and cheaper to read.
    resolve = _INPLACE_RECORDED[0]
    consumers = _count_consumers(root, resolve)
    grads = {}
    leaves = {}
    ready = [(root, gradient)]
    epoch = _EPOCH[0]
    while ready:
        node, grad = ready.pop()
        if _HOOKS[0]:  # some tensor asked for its gradient (register_hook, retain_grad): the total arrives here
            grad = _node_hooks(node, grad)
        saved = node.saved
        if saved:
            if saved is _FREED:
                _ = node.saved_tensors  # raises the "backward through the graph a second time" error
            if node.stamp != epoch:  # something changed in place since the node was made: are its values intact?
                _check_saved(node)
        in_grads = node.fn.backward(node, grad)
        if saved and not retain_graph:
            node.saved = _FREED
        if type(in_grads) is not tuple:
            in_grads = (in_grads,)
        args = node.args
        if len(in_grads) != len(args):
            raise RuntimeError(
                f"{node.name()}.backward returned {len(in_grads)} gradients for {len(args)} inputs; return one "
                "per forward argument (None where there is none)."
            )
        for a, g, need in zip(args, in_grads, node.needs_input_grad):
            if not need:
                continue
            if g is not None:
                shape = a._data.shape
                try:
                    gshape = g.shape
                except AttributeError:  # a user-written backward returned a plain number or list
                    g = np.asarray(g, dtype=a._data.dtype)
                    gshape = g.shape
                if gshape != shape:
                    g = unbroadcast(g, shape, node)
            fn = a.grad_fn
            if resolve and fn is not None and fn._inplace_stamp > node.stamp:
                fn = node.parent(a)
            if fn is None:  # a leaf: collect, add into .grad at the end
                if g is not None:
                    key = id(a)
                    leaves[key] = (a, leaves[key][1] + g) if key in leaves else (a, g)
                continue
            key = id(fn)
            left = consumers[key] - 1
            consumers[key] = left
            if left:  # more consumers to come: wait
                if g is not None:
                    grads[key] = grads[key] + g if key in grads else g
                continue
            if key in grads:
                waiting = grads.pop(key)
                g = waiting if g is None else waiting + g
            if g is not None:
                ready.append((fn, g))
            else:  # every path into it carried None: nothing flows further up this branch
                _release_without_gradient(fn, consumers, grads, ready)
    for a, g in leaves.values():
        _accumulate(a, _leaf_hooks(a, g) if _HOOKS[0] else g)


def _check_saved(node: Node) -> None:
    """Refuse to run a node's backward with saved values that an in-place op has changed since, as PyTorch does."""
    if node._dirty is not None:  # the node's own output, which it saved, was changed
        t, then = node._dirty
        raise _modified(t, f", which is output 0 of {node.name()},", then)
    for s in node.saved or ():
        if _written_since(s, node.stamp):
            for a in node.args:  # the input the value belongs to, for PyTorch's message
                if isinstance(a, Tensor) and _shares(s, a._data):
                    vc = getattr(a, "_vc", None)
                    raise _modified(a, "", vc.version_at(node.stamp) if vc is not None else a._version)
            raise _modified(None, f", saved by {node.name()},", None, s)


def _modified(t: Tensor | None, which: str, expected: int | None, array=None) -> RuntimeError:
    data = t._data if t is not None else array
    shape = list(np.shape(data))
    if expected is None or t is None or expected == t._version:  # changed through a view or a detached tensor
        version = "was changed in place after it was saved"
    else:
        version = f"is at version {t._version}; expected version {expected} instead"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[mini_autograd.{_type_name(np.asarray(data).dtype)}Tensor {shape}]{which} {version}. Hint: the backward "
        "pass needs the value the tensor had when it was used; make a new tensor (x = x + 1) instead of changing "
        "it in place (x += 1), or clone() it before."
    )


# Hooks and retained gradients cost the backward pass one check per node, and only once some tensor has asked.
_HOOKS = [False]


def hooks_in_use() -> None:
    """Called by ``register_hook`` and ``retain_grad``: from now on the backward pass looks for them."""
    _HOOKS[0] = True


def _run_hooks(hooks: list | None, grad):
    for hook in list(hooks or ()):
        out = hook(_new_tensor(grad, False, None))
        if out is not None:
            grad = out._data if isinstance(out, Tensor) else np.asarray(out)
    return grad


def _node_hooks(node: Node, grad):
    """The gradient of a node's output, complete: run the output tensor's hooks, then keep it if it is retained."""
    extra = node.__dict__
    if not extra:
        return grad
    grad = _run_hooks(extra.get("_hooks"), grad)
    ref = extra.get("_retained")
    t = ref() if ref is not None else None
    if t is not None:
        _accumulate(t, grad)
    return grad


def _leaf_hooks(leaf: Tensor, grad):
    return _run_hooks(getattr(leaf, "_hooks", None), grad)


def _release_without_gradient(node: Node, consumers: dict, grads: dict, ready: list) -> None:
    """A node that received no gradient at all still counts as done for the nodes below it."""
    stack = [node]
    while stack:
        n = stack.pop()
        for a, need in zip(n.args, n.needs_input_grad):
            fn = n.parent(a) if need else None
            if fn is not None:
                key = id(fn)
                consumers[key] -= 1
                if consumers[key] == 0:
                    if key in grads:
                        ready.append((fn, grads.pop(key)))
                    else:
                        stack.append(fn)


def _accumulate(leaf: Tensor, grad) -> None:
    """Add grad into leaf.grad, as PyTorch's AccumulateGrad does: in place, so a reference to .grad sees the sum.

    The first gradient is copied into a fresh array, never aliased to a value some op still holds.
    """
    existing = leaf.grad
    if existing is None:
        leaf.grad = _new_tensor(np.array(grad, dtype=leaf._data.dtype), False, None)
    elif isinstance(existing._data, np.ndarray) and existing._data.flags.writeable:
        existing._data += grad
        existing._counter().bump(existing._data)  # in place, as PyTorch's AccumulateGrad: a graph that saved it sees
    else:
        existing._data = np.array(existing._data + grad, dtype=leaf._data.dtype)
