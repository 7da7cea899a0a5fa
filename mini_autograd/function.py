"""Functions, the nodes they leave in the graph, and the grad-mode switch.

Every differentiable operation is a subclass of :class:`Function` with two static methods::

    forward(ctx, *inputs)   numpy in, numpy out; may save what backward needs on ctx
    backward(ctx, grad)     the gradient of the output in, one gradient per input out

``Function.apply`` unwraps tensors, runs ``forward`` and, when gradients are being tracked, wraps the result in a
tensor whose ``grad_fn`` is the context: a :class:`Node` that remembers the function, its input tensors and its saved
values. The backward pass (``engine.py``) walks those nodes. A node points at its inputs but never at its output, so
the graph has no reference cycles and is freed by reference counting as soon as the last tensor using it goes away.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .tensor import _EPOCH, Tensor, _new_tensor

_grad_enabled = True


def is_grad_enabled() -> bool:
    """True when operations record a graph for the backward pass (the default)."""
    return _grad_enabled


def _with_grad_mode(func, mode: bool):
    """``func`` wrapped to run with graph recording set to ``mode``: the decorator form of the classes below."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with set_grad_enabled(mode):
            return func(*args, **kwargs)

    return wrapper


class set_grad_enabled:
    """Turn graph recording on or off; works as a call, a context manager or a decorator, and nests.

    >>> with set_grad_enabled(False):
    ...     y = x * 2          # y.requires_grad is False
    """

    def __init__(self, mode: bool) -> None:
        global _grad_enabled
        self.prev = _grad_enabled
        self.mode = bool(mode)
        _grad_enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        global _grad_enabled
        _grad_enabled = self.prev

    def __call__(self, func):
        self.__exit__()  # undo the switch made in __init__: as a decorator it applies per call only
        return _with_grad_mode(func, self.mode)


class _GradModeContext:
    """Shared body of no_grad and enable_grad: set a mode on entry, restore the previous one on exit."""

    mode = True

    def __new__(cls, func=None):
        # `@no_grad` without parentheses decorates directly, as in PyTorch 2
        self = super().__new__(cls)
        return self if func is None else self(func)

    def __enter__(self) -> None:
        global _grad_enabled
        self._prev = _grad_enabled
        _grad_enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        global _grad_enabled
        _grad_enabled = self._prev

    def __call__(self, func):
        return _with_grad_mode(func, self.mode)


class no_grad(_GradModeContext):
    """Context manager (and decorator) that stops graph recording, e.g. for parameter updates.

    It saves the mode it found and restores it on exit, so ``no_grad`` blocks nest::

        with no_grad():
            w -= lr * w.grad     # an in-place update of a leaf is allowed here
    """

    mode = False


class enable_grad(_GradModeContext):
    """Context manager (and decorator) that turns graph recording back on inside a ``no_grad`` block."""

    mode = True


_inference_mode = False


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``."""
    return _inference_mode


class inference_mode:
    """Like :class:`no_grad`, for code that only evaluates a model: ``with inference_mode(): preds = model(x)``.

    PyTorch makes this a little faster than no_grad by also marking the results as "inference tensors" that may
    never enter a graph later; here it simply turns graph recording off (and ``inference_mode(False)`` turns it back
    on), restoring the previous mode on exit. Works as a context manager and as a decorator, with or without ().
    """

    def __new__(cls, mode: Any = True):
        self = super().__new__(cls)
        if callable(mode):  # `@inference_mode` without parentheses
            self.mode = True
            return self(mode)
        self.mode = bool(mode)
        return self

    def __enter__(self) -> None:
        global _grad_enabled, _inference_mode
        self._prev = (_grad_enabled, _inference_mode)
        _grad_enabled, _inference_mode = not self.mode, self.mode

    def __exit__(self, *exc: object) -> None:
        global _grad_enabled, _inference_mode
        _grad_enabled, _inference_mode = self._prev

    def __call__(self, func):
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return func(*args, **kwargs)

        return wrapper


class Node:
    """What an operation leaves behind for the backward pass; it is both ``ctx`` and ``tensor.grad_fn``.

    Attributes:
        fn: the :class:`Function` subclass that made the output.
        args: the forward arguments as given (tensors, numbers, indices).
        inputs: the same with every non-tensor as None: the parents of this node in the graph.
        needs_input_grad: one bool per argument: is it a tensor that wants a gradient?
        saved: what ``ctx.save_for_backward`` stored, until a backward pass without retain_graph frees it.
        stamp: how many in-place changes the process had made when the node was created (see
            ``tensor._VersionCounter``): a saved input changed in place after that makes backward refuse.

    Ops may also set their own attributes on ctx (a dim, a mask): they live in the node's ``__dict__``.
    """

    __slots__ = ("fn", "args", "needs_input_grad", "saved", "stamp", "__dict__")

    # Set only on the node of an in-place op (see Tensor._inplace), or on a node whose saved output was overwritten.
    _inplace_prev = None
    _inplace_stamp = 0
    _dirty = None

    def save_for_backward(self, *values: Any) -> None:
        self.saved = values

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """PyTorch's ctx method: the output takes no gradient (an index, a mask)."""
        self._non_differentiable = True

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for PyTorch code: gradients reaching backward are always arrays here, never None."""

    @property
    def saved_tensors(self) -> tuple:
        saved = self.saved
        if saved is _FREED:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (or to read {self.name()}'s saved values "
                "after they were freed). The saved intermediate values of the graph are freed when you call "
                ".backward(). Specify retain_graph=True on the first backward() call if you need to backward "
                "through the graph a second time."
            )
        return saved

    @property
    def inputs(self) -> tuple:
        """The parent tensors in argument order (None where an argument is not a tensor)."""
        return tuple(a if isinstance(a, Tensor) else None for a in self.args)

    def name(self) -> str:
        """PyTorch's name for this node, such as ``MulBackward0``."""
        return self.__dict__.get("op_name") or self.fn.op_name

    @property
    def next_functions(self) -> tuple:
        """PyTorch's view of the parents: ``(node, 0)`` per argument, with an :class:`AccumulateGrad` node for a
        leaf that requires grad and ``(None, 0)`` for anything that takes no gradient."""
        out = []
        for a, need in zip(self.args, self.needs_input_grad):
            if not need:
                out.append((None, 0))
            else:
                fn = self.parent(a)
                out.append((fn if fn is not None else AccumulateGrad(a), 0))
        return tuple(out)

    def parent(self, a: Tensor) -> Node | None:
        """The node that made argument ``a`` as this node saw it: ``a.grad_fn``, unless an in-place op has changed
        ``a`` since this node was created (then the node ``a`` had before that op)."""
        fn = a.grad_fn
        stamp = self.stamp
        while fn is not None and fn._inplace_stamp > stamp:
            fn = fn._inplace_prev
        return fn

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


class AccumulateGrad:
    """The node PyTorch shows for a leaf in ``next_functions``: it adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)
    next_functions = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


_FREED = object()  # marks a node whose saved values the backward pass has released


class Function:
    """Base class of every differentiable operation: subclass it and write ``forward`` and ``backward``.

    ``backward`` gets the gradient of the output, shaped like the output, and returns one gradient per forward
    argument (None where there is none). It may return gradients shaped like the output: the engine sums broadcast
    dimensions back to each input's shape, once, in one place.

    Your own subclasses work as PyTorch's ``torch.autograd.Function`` does: ``forward(ctx, *args)`` gets the
    tensors themselves (with graph recording off) and returns a tensor; ``backward(ctx, grad_output)`` gets a tensor
    and returns tensors (or None); ``ctx.save_for_backward``, ``ctx.saved_tensors`` and ``ctx.needs_input_grad``
    are PyTorch's. The library's own ops (``mini_autograd.ops``) skip the tensors and compute on numpy arrays.

    >>> class Square(Function):
    ...     '''y = x ** 2.   dy/dx = 2x.'''
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * grad
    >>> y = Square.apply(tensor(3.0, requires_grad=True))
    """

    op_name = "FunctionBackward"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "op_name" not in cls.__dict__:
            # PyTorch names its built-in nodes MulBackward0, but a user's Function Square prints as SquareBackward
            builtin = cls.__module__ == "mini_autograd.ops"
            cls.op_name = f"{cls.__name__}Backward0" if builtin else f"{cls.__name__}Backward"
        if not cls.__module__.startswith("mini_autograd.") and "apply" not in cls.__dict__:
            cls.apply = classmethod(_apply_with_tensors)
            cls._on_numpy = _NumpyBackward(cls)

    @staticmethod
    def forward(ctx: Node, *args: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Node, grad: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the op on tensors (and plain values) and record it in the graph when a gradient is needed."""
        ctx = Node()  # one class for every op's node: a class per op made every step ~8% slower
        ctx.saved = ()
        n = len(args)
        # Unrolled for one and two arguments: nearly every op, and this is the hottest code in the library.
        if n == 1:
            (a,) = args
            if isinstance(a, Tensor):
                track = a.requires_grad
                ctx.needs_input_grad = (track,)
                out = cls.forward(ctx, a._data)
            else:
                track = False
                ctx.needs_input_grad = (False,)
                out = cls.forward(ctx, a)
        elif n == 2:
            a, b = args
            if isinstance(a, Tensor):
                ra, a = a.requires_grad, a._data
            else:
                ra = False
            if isinstance(b, Tensor):
                rb, b = b.requires_grad, b._data
            else:
                rb = False
            track = ra or rb
            ctx.needs_input_grad = (ra, rb)
            out = cls.forward(ctx, a, b)
        else:
            raw = []
            needs = []
            for a in args:
                if isinstance(a, Tensor):
                    raw.append(a._data)
                    needs.append(a.requires_grad)
                else:
                    raw.append(a)
                    needs.append(False)
            track = any(needs)
            ctx.needs_input_grad = tuple(needs)
            out = cls.forward(ctx, *raw)
        if track and _grad_enabled:
            ctx.fn = cls
            ctx.args = args
            ctx.stamp = _EPOCH[0]
            return _new_tensor(out, True, ctx)
        return _new_tensor(out, False, None)


class _NumpyBackward:
    """What the engine calls for a Function written with tensors: the user's backward, given and giving tensors."""

    def __init__(self, fn: type) -> None:
        self.fn, self.op_name, self.__name__ = fn, fn.op_name, fn.__name__

    def apply(self, *args: Any) -> Tensor:
        return self.fn.apply(*args)

    def backward(self, ctx: Node, grad: Any) -> Any:
        global _grad_enabled
        prev, _grad_enabled = _grad_enabled, False  # no graph of the backward pass itself (no create_graph)
        try:
            out = self.fn.backward(ctx, _new_tensor(grad, False, None))
        finally:
            _grad_enabled = prev
        if type(out) is not tuple:
            out = (out,)
        return tuple(g._data if isinstance(g, Tensor) else g for g in out)


def _apply_with_tensors(cls: type, *args: Any) -> Tensor:
    """``MyFunction.apply(x, ...)`` for a user's Function: forward on the tensors, graph recording off, as PyTorch."""
    global _grad_enabled
    ctx = Node()
    ctx.saved = ()
    ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
    prev, _grad_enabled = _grad_enabled, False
    try:
        out = cls.forward(ctx, *args)
    finally:
        _grad_enabled = prev
    if isinstance(out, tuple):
        raise NotImplementedError(
            f"{cls.__name__}.forward returned {len(out)} outputs; mini_autograd's Function supports one output "
            "tensor (split the op into one Function per output)"
        )
    data = out._storage() if isinstance(out, Tensor) else np.asarray(out)
    if any(ctx.needs_input_grad) and _grad_enabled and not ctx.__dict__.get("_non_differentiable"):
        ctx.fn = cls._on_numpy
        ctx.args = args
        ctx.stamp = _EPOCH[0]
        return _new_tensor(data, True, ctx)
    return _new_tensor(data, False, None)
