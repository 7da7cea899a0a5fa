"""The Tensor: a numpy array, a flag saying whether it wants a gradient, and a link to the op that made it.

Every operator here is a one-line call of a :class:`~mini_autograd.function.Function` from ``ops.py``; the maths
lives there, the graph-walking in ``engine.py``. Names and behaviour follow PyTorch, so code moves between the two.

>>> x = tensor(2.0, requires_grad=True)
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad                      # dy/dx = 2x + 3 = 7
tensor(7.)
"""

from __future__ import annotations

import bisect
import numbers
import weakref
from typing import Any, NamedTuple

import numpy as np

# ------------------------------------------------------------------------------------------------------- dtypes


class dtype:
    """A tensor's element type; prints as ``mini_autograd.float32`` the way PyTorch prints ``torch.float32``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.numpy = np.dtype(name)
        self.is_floating_point = self.numpy.kind == "f"

    def __repr__(self) -> str:
        return f"mini_autograd.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


def _dtype_by_name(name: str) -> dtype:
    return _DTYPES[np.dtype(name)]


float32 = dtype("float32")
float64 = dtype("float64")
int64 = dtype("int64")
bool_ = dtype("bool")
float16 = dtype("float16")
int32 = dtype("int32")
_DTYPES = {d.numpy: d for d in (float32, float64, int64, bool_, float16, int32)}
float = float32  # noqa: A001  (PyTorch's aliases: torch.float is float32, torch.double float64, torch.long int64)
double = float64
long = int64
get_default_dtype = lambda: float32  # noqa: E731


def _numpy_dtype(d: Any) -> np.dtype:
    """Accept mini_autograd dtypes, numpy dtypes, strings and torch dtypes (by name)."""
    if isinstance(d, dtype):
        return d.numpy
    if d in (bool, "bool"):
        return np.dtype(bool)
    name = str(d).replace("torch.", "").replace("mini_autograd.", "")
    try:
        nd = np.dtype(name)
    except TypeError:
        raise TypeError(f"unknown dtype {d!r}; use mini_autograd.float32, float64, int64 or bool") from None
    if nd not in _DTYPES:
        raise TypeError(f"dtype {nd} is not supported; use mini_autograd.float32, float64, int64 or bool")
    return nd


class Size(tuple):
    """A tensor's shape: a tuple that prints as PyTorch's ``torch.Size([2, 3])`` does (here ``mini_autograd.Size``).

    >>> Size((2, 3))
    mini_autograd.Size([2, 3])
    >>> Size((2, 3)) == (2, 3), Size((2, 3)).numel()
    (True, 6)
    """

    def __repr__(self) -> str:
        return f"mini_autograd.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for d in self:
            n *= d
        return n


class device:
    """Only the CPU exists here; ``device("cpu")`` lets PyTorch code that picks a device run unchanged."""

    def __init__(self, kind: str = "cpu") -> None:
        kind = kind.type if isinstance(kind, device) else str(kind)
        if kind.split(":")[0] != "cpu":
            raise RuntimeError(f"mini_autograd runs on numpy, on the CPU only; device {kind!r} is not available.")
        self.type = "cpu"

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:  # print(x.device) shows cpu, as in PyTorch
        return "cpu"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) or other == "cpu"

    __hash__ = object.__hash__


def _require_cpu(d: Any) -> None:
    """Raise for any device but the CPU (a named helper: the parameter `device` shadows the class in signatures)."""
    device(d)


class cuda:
    """No GPU here: ``cuda.is_available()`` is False, so the usual device-selection code picks the CPU."""

    @staticmethod
    def is_available() -> bool:
        return False


# ------------------------------------------------------------------------------------------------------- Tensor


class _RemovableHandle:
    """What ``register_hook`` returns: ``remove()`` takes the hook off."""

    def __init__(self, hooks: list, hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _new_tensor(data, requires_grad: bool, grad_fn) -> Tensor:
    """The fast path every op result takes: no checks, no copies."""
    t = object.__new__(Tensor)
    t._data = data
    t.requires_grad = requires_grad
    t.grad_fn = grad_fn
    t.grad = None
    return t


def _to_array(data: Any, dt: np.dtype | None) -> np.ndarray:
    """PyTorch's rules for tensor(data): floats become float32, ints int64, bools bool, numpy keeps its dtype."""
    if isinstance(data, Tensor):
        data = data._data
    arr = np.array(data, dtype=dt)
    if dt is None and not isinstance(data, (np.ndarray, np.generic)):  # Python numbers and lists: torch's defaults
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float32)
        elif arr.dtype.kind in "iu":
            arr = arr.astype(np.int64)
    if arr.dtype.kind == "O" or arr.dtype not in _DTYPES:
        if arr.dtype.kind in "iu":
            return arr.astype(np.int64)
        if arr.dtype.kind == "f":
            return arr.astype(np.float32)
        raise TypeError(
            f"can't make a tensor from {type(data).__name__} with numpy dtype {arr.dtype}; "
            "give numbers, nested lists of numbers or a numeric numpy array"
        )
    return arr


class Tensor:
    """An n-dimensional array that can remember how it was computed, so gradients can flow back through it.

    Attributes:
        data: the values, as a tensor that shares this one's storage and is cut off from the graph, as in PyTorch:
            ``p.data -= lr * p.grad`` updates ``p`` without the graph seeing it. ``numpy()`` gives the numpy array.
        requires_grad: whether gradients should be computed for this tensor.
        grad: after ``backward()``, d(output)/d(this tensor) for a leaf that requires grad; None before, and always
            None for intermediate (non-leaf) tensors, as in PyTorch.
        grad_fn: the graph node of the op that produced this tensor (None for leaves): ``grad_fn.name()``,
            ``grad_fn.inputs`` (the parent tensors) and ``grad_fn.saved_tensors`` let you walk the graph.
    """

    # _data is the storage: a numpy array (a numpy scalar for 0-d results of ops, which keeps scalar graphs fast).
    # _vc, the version counter, exists once the tensor has been modified in place (see _VersionCounter).
    __slots__ = ("_data", "requires_grad", "grad_fn", "grad", "name", "_hooks", "_vc", "__weakref__")
    __array_ufunc__ = None  # numpy defers to our reflected operators: np_array + tensor gives a Tensor

    def __init__(self, *data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> None:
        # PyTorch's constructor: Tensor(2, 3) is a 2x3 tensor of the default dtype (here zeros), Tensor([1, 2, 3]) a
        # float tensor of those numbers. An array (or a tensor) keeps its own dtype, which the engine relies on.
        if len(data) == 1 and not isinstance(data[0], (numbers.Integral, np.integer)):
            data = data[0]
            if dtype is None and isinstance(data, (list, tuple, numbers.Number)):
                dtype = get_default_dtype()
        elif all(isinstance(d, (numbers.Integral, np.integer)) and not isinstance(d, bool) for d in data) and data:
            data = np.zeros(tuple(int(d) for d in data), dtype=_numpy_dtype(dtype or get_default_dtype()))
        elif not data:
            data = np.zeros((0,), dtype=_numpy_dtype(dtype or get_default_dtype()))
        else:
            raise TypeError(f"Tensor() takes sizes (Tensor(2, 3)) or one list or array of numbers, got {data!r}")
        self._init(data, dtype, requires_grad, device)

    def _init(self, data: Any, dtype: Any, requires_grad: bool, device: Any) -> None:
        """``tensor(data)``'s rules: the dtype inferred from the data as PyTorch's ``torch.tensor`` does."""
        arr = _to_array(data, None if dtype is None else _numpy_dtype(dtype))
        if device is not None:
            _require_cpu(device)
        self._data = arr
        self.grad = None
        self.grad_fn = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------------------------------ introspection
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> dtype:
        return _DTYPES[self._data.dtype]

    @property
    def device(self) -> device:
        return device("cpu")

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user (and for results that do not require grad), as in PyTorch."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        return permute(self, tuple(range(self.ndim - 1, -1, -1)))

    def size(self, dim: int | None = None):
        return self.shape if dim is None else self._data.shape[dim]

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel  # PyTorch's older name for the same thing

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar; item() needs exactly one"
            )
        return self._data.item() if self._data.ndim == 0 else self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    @property
    def data(self) -> Tensor:
        """The values as a tensor that shares this one's storage, cut off from the graph (PyTorch's ``.data``).

        Changing it changes this tensor, and the graph does not see the change: ``p.data -= lr * p.grad`` is the
        classic parameter update. Prefer ``with no_grad():`` (the change is then checked) or ``detach()``.
        """
        t = _new_tensor(self._storage(), False, None)
        t._vc = _VersionCounter(tracked=False)
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(
                f"Variable data has to be a tensor, but got {type(value).__name__}; "
                "wrap a numpy array with mini_autograd.from_numpy(...) or mini_autograd.tensor(...)"
            )
        self._data = value._storage()

    def _storage(self) -> np.ndarray:
        """The storage as a numpy array (a 0-d op result keeps a numpy scalar until something needs to share it)."""
        d = self._data
        if type(d) is not np.ndarray:
            d = self._data = np.asarray(d)
        return d

    def data_ptr(self) -> int:
        """The address of the first element: equal for two tensors that share storage from its start."""
        return self._storage().__array_interface__["data"][0]

    def numpy(self) -> np.ndarray:
        """The values as a numpy array (shared, not copied), as PyTorch's ``numpy()`` does."""
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._storage()

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        arr = np.asarray(self._data)
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr  # numpy asks for a copy (np.array(t)) and trusts it to be one

    def detach(self) -> Tensor:
        """The same values (shared storage), cut off from the graph: a new leaf that does not require grad."""
        t = _new_tensor(self._storage(), False, None)
        t._vc = self._counter()
        return t

    def clone(self) -> Tensor:
        return Clone.apply(self)

    def retain_grad(self) -> None:
        """Keep this tensor's gradient in ``.grad`` after ``backward()``, although it is not a leaf.

        The backward pass computes every intermediate gradient, passes it on and drops it (memory); this asks it to
        keep this one, adding into ``.grad`` as a leaf's is. A leaf keeps its gradient anyway.

        >>> import mini_autograd as ag
        >>> x = ag.tensor(3.0, requires_grad=True)
        >>> y = x * x
        >>> y.retain_grad()
        >>> (2 * y).backward()
        >>> y.grad, x.grad
        (tensor(2.), tensor(12.))
        """
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retained = weakref.ref(self)
            _engine.hooks_in_use()

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor whose gradient :meth:`retain_grad` keeps."""
        ref = getattr(self.grad_fn, "_retained", None) if self.grad_fn is not None else None
        return ref is not None and ref() is self

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` whenever the gradient of this tensor is computed; a tensor it returns replaces the
        gradient from then on (what flows further back, or what a leaf adds into ``.grad``). Returns a handle whose
        ``remove()`` takes the hook off again.

        >>> import mini_autograd as ag
        >>> x = ag.tensor(3.0, requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 10)
        >>> (x * 2).backward()
        >>> x.grad
        tensor(20.)
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        owner = self.grad_fn
        if owner is None:
            hooks = getattr(self, "_hooks", None)
            if hooks is None:
                hooks = self._hooks = []
        else:
            hooks = getattr(owner, "_hooks", None)
            if hooks is None:
                hooks = owner._hooks = []
        hooks.append(hook)
        _engine.hooks_in_use()
        return _RemovableHandle(hooks, hook)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"Only Tensors of floating point dtype can require gradients, and this one is {self.dtype}; "
                "make it with floats (tensor(2.0)) or pass dtype=mini_autograd.float32."
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables; use .detach() for a non-leaf."
            )
        self.requires_grad = bool(requires_grad)
        return self

    def backward(
        self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False, inputs: Any = None
    ) -> None:
        """Compute the gradient of this tensor with respect to every leaf that requires grad (or only ``inputs``),
        adding it into their ``.grad``; see engine.backward."""
        if create_graph:
            raise NotImplementedError(
                "create_graph=True (a gradient you can differentiate again) is not supported: mini_autograd's "
                "backward functions compute with numpy, outside the graph"
            )
        if inputs is None:
            _engine.backward(self, gradient, bool(retain_graph))
            return
        inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
        grads = _autograd.grad(self, inputs, gradient, retain_graph, allow_unused=True)
        for x, g in zip(inputs, grads):
            if g is not None:
                _engine._accumulate(x, g._data)

    # ----------------------------------------------------------------------------------------------- dtypes
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)`` converts; ``to("cpu")`` or ``to(device)`` is a no-op here."""
        target = kwargs.get("dtype")
        for a in args:
            if isinstance(a, dtype) or (not isinstance(a, (str, device)) and a is not None):
                target = a
            else:
                device(a)
        if target is None or _numpy_dtype(target) == self._data.dtype:
            return self
        return Cast.apply(self, _numpy_dtype(target))

    def float(self) -> Tensor:
        return self.to(float32)

    def double(self) -> Tensor:
        return self.to(float64)

    def long(self) -> Tensor:
        return self.to(int64)

    def cpu(self) -> Tensor:
        return self

    # ------------------------------------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> Tensor:
        return _binary(Add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _binary(Add, self, other)  # as PyTorch: 2 + b is b.add(2), so next_functions lists b first

    def __sub__(self, other: Any) -> Tensor:
        return _binary(Sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _binary(Mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _binary(Mul, self, other)  # as PyTorch: 2 * b is b.mul(2), so next_functions lists b first

    def __truediv__(self, other: Any) -> Tensor:
        return div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(other, self)

    def __neg__(self) -> Tensor:
        return Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return abs(self)

    # ------------------------------------------------------------------------------------------- in place
    # x += y and the _-suffixed methods change x's own storage, as in PyTorch. On a tensor in a graph they are
    # recorded: x's grad_fn becomes the in-place op's node, while the nodes that used x before keep its old node
    # (see _inplace). A version counter lets the backward pass refuse values that changed after a node saved them.
    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace_binary(Add, np.add, other)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace_binary(Sub, np.subtract, other)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace_binary(Mul, np.multiply, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace(lambda: div(self, other))

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``x.add_(y, alpha=a)``: x += a * y in place."""
        return self._inplace_binary(Add, np.add, other if alpha == 1 else other * alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``x.sub_(y, alpha=a)``: x -= a * y in place."""
        return self._inplace_binary(Sub, np.subtract, other if alpha == 1 else other * alpha)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace_binary(Mul, np.multiply, other)

    def div_(self, other: Any) -> Tensor:
        return self._inplace(lambda: div(self, other))

    def pow_(self, exponent: Any) -> Tensor:
        return self._inplace(lambda: pow(self, exponent))

    def neg_(self) -> Tensor:
        return self._inplace(lambda: Neg.apply(self))

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return self._inplace(lambda: clamp(self, min, max))

    clip_ = clamp_

    def relu_(self) -> Tensor:
        return self._inplace(lambda: Relu.apply(self))

    def tanh_(self) -> Tensor:
        return self._inplace(lambda: Tanh.apply(self))

    def sigmoid_(self) -> Tensor:
        return self._inplace(lambda: Sigmoid.apply(self))

    def exp_(self) -> Tensor:
        return self._inplace(lambda: Exp.apply(self))

    def log_(self) -> Tensor:
        return self._inplace(lambda: Log.apply(self))

    def sqrt_(self) -> Tensor:
        return self._inplace(lambda: Sqrt.apply(self))

    def abs_(self) -> Tensor:
        return self._inplace(lambda: Abs.apply(self))

    def zero_(self) -> Tensor:
        """Set every element to zero in place (PyTorch's idiom for clearing a gradient: ``w.grad.zero_()``)."""
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        """Set every element to ``value`` in place."""
        value = value.item() if isinstance(value, Tensor) and value.ndim == 0 and not value.requires_grad else value
        d = self._data
        if not (self.requires_grad and _function._grad_enabled) and type(d) is np.ndarray and d.flags.writeable:
            if isinstance(value, Tensor):
                raise RuntimeError("fill_ only supports 0-dimension value tensor; use copy_ for a tensor of values")
            d.fill(value)  # the common case, a gradient cleared by zero_(): no graph, no temporary
            self._counter().bump(d)
            return self
        return self._inplace(lambda: Fill.apply(self, value))

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src`` (broadcast to this shape, converted to this dtype) into this tensor; gradients flow to src."""
        return self._inplace(lambda: Copy.apply(self, src if isinstance(src, Tensor) else Tensor(src)))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with draws from N(mean, std**2) (from ``manual_seed``'s stream, or ``generator``'s)."""
        draws = _rng(generator).normal(mean, std, self._data.shape).astype(self._data.dtype)
        return self._inplace(lambda: Fill.apply(self, draws))

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with draws from the uniform distribution on [a, b)."""
        draws = _rng(generator).uniform(a, b, self._data.shape).astype(self._data.dtype)
        return self._inplace(lambda: Fill.apply(self, draws))

    def detach_(self) -> Tensor:
        """Cut this tensor off the graph in place: it becomes a leaf that does not require grad."""
        self.grad_fn = None
        self.requires_grad = False
        return self

    @property
    def _version(self) -> int:
        """How many times this tensor's values were changed in place (PyTorch's ``x._version``)."""
        vc = getattr(self, "_vc", None)
        return 0 if vc is None else vc.count

    def _counter(self) -> _VersionCounter:
        vc = getattr(self, "_vc", None)
        if vc is None:
            vc = self._vc = _VersionCounter()
        return vc

    def _refuse_leaf(self) -> None:
        if self.requires_grad and self.grad_fn is None and _function._grad_enabled:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation. (Update parameters "
                "inside `with no_grad():`, e.g. `with no_grad(): w -= lr * w.grad`, or through `w.data`.)"
            )

    def _inplace_binary(self, fn: Any, ufunc: Any, other: Any) -> Tensor:
        """``self op= other``: numpy's in-place ufunc when no graph is recorded (an optimiser's update), else
        :meth:`_inplace`."""
        if _function._grad_enabled and (self.requires_grad or (isinstance(other, Tensor) and other.requires_grad)):
            return self._inplace(lambda: _binary(fn, self, other))  # refuses a leaf that requires grad
        d = self._data
        if type(d) is not np.ndarray or not d.flags.writeable:
            return self._inplace(lambda: _binary(fn, self, other))
        try:
            ufunc(d, other._data if isinstance(other, Tensor) else other, out=d, casting="same_kind")
        except (TypeError, ValueError):
            return self._inplace(lambda: _binary(fn, self, other))  # for the error that names the problem
        self._counter().bump(d)
        return self

    def _inplace(self, compute: Any) -> Tensor:
        """Make ``compute()``, the op's ordinary (out-of-place) result, this tensor's new value, in its own storage.

        When the result is in a graph, its node becomes this tensor's ``grad_fn``. The node's input is this tensor
        too, so it remembers the node this tensor had before (``_inplace_prev``) and from when the new one counts
        (``_inplace_stamp``): the backward pass sends every node created before that to the old one.
        """
        self._refuse_leaf()
        old_fn = self.grad_fn
        out = compute()
        d, value = self._data, out._data
        if np.shape(value) != np.shape(d):
            raise RuntimeError(
                f"output with shape {list(np.shape(d))} doesn't match the broadcast shape {list(np.shape(value))}: "
                "an in-place operation cannot change a tensor's shape; write `x = x + y` for a new tensor"
            )
        if value.dtype != d.dtype and not np.can_cast(value.dtype, d.dtype, "same_kind"):
            raise RuntimeError(
                f"result type {_type_name(value.dtype)} can't be cast to the desired output type {_type_name(d.dtype)}"
            )
        node = out.grad_fn
        base = None
        if node is not None and type(d) is np.ndarray and d.base is not None:
            base = _viewed(old_fn, d)  # the tensor this one is a view of: it changes too, and must say so
        if old_fn is not None and _saves(old_fn, d):  # this tensor is what old_fn saved: its backward would be wrong
            old_fn._dirty = (self, self._version)
        if node is not None and _saves(node, d):  # the op saved the value it is about to overwrite: keep a copy
            node.saved = tuple(np.array(s, copy=True) if _shares(s, d) else s for s in node.saved)
        if type(d) is np.ndarray and d.flags.writeable:
            np.copyto(d, value, casting="unsafe")
        else:
            self._data = d = np.array(value, dtype=d.dtype)
        epoch = self._counter().bump(d)
        if node is not None:
            node._inplace_prev = old_fn
            node._inplace_stamp = epoch
            _INPLACE_RECORDED[0] = True
            self.grad_fn = node
            self.requires_grad = True
        if base is not None:  # as PyTorch's CopySlices: base = base with the viewed part replaced by this tensor
            base._inplace(lambda: ViewPut.apply(base, self, old_fn))
        return self

    # --------------------------------------------------------------------------------- comparisons (no grad)
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(self, other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(self, other, np.not_equal)

    def __lt__(self, other: Any) -> Tensor:
        return _compare(self, other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return _compare(self, other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return _compare(self, other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return _compare(self, other, np.greater_equal)

    # logical on bool tensors (masks), bitwise on integers, as in PyTorch; never part of a graph
    def __and__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_and, self, other, "bitwise_and")

    __rand__ = __and__

    def __or__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_or, self, other, "bitwise_or")

    __ror__ = __or__

    def __xor__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_xor, self, other, "bitwise_xor")

    __rxor__ = __xor__

    def __invert__(self) -> Tensor:
        return _bitwise(np.invert, self, None, "bitwise_not")

    def logical_not(self) -> Tensor:
        return logical_not(self)

    __hash__ = object.__hash__  # hashable by identity, as in PyTorch, despite the elementwise ==

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape {self._data.shape}); "
                "use .any() or .all()"
            )
        return bool(self._data)

    def __float__(self) -> float:
        return builtins_float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __format__(self, spec: str) -> str:
        # as torch: f"{loss}" and f"{loss:.3f}" format the number of a 0-d tensor, anything else its repr
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def any(self) -> Tensor:
        return _new_tensor(np.any(self._data), False, None)

    def all(self) -> Tensor:
        return _new_tensor(np.all(self._data), False, None)

    # ----------------------------------------------------------------------------------------- reductions
    def sum(self, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
        return sum(self, dim, keepdim, keepdims=keepdims)

    def mean(self, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
        return mean(self, dim, keepdim, keepdims=keepdims)

    def max(self, dim: int | None = None, keepdim: bool = False, *, keepdims: bool | None = None):
        return max(self, dim, keepdim, keepdims=keepdims)

    def min(self, dim: int | None = None, keepdim: bool = False, *, keepdims: bool | None = None):
        return min(self, dim, keepdim, keepdims=keepdims)

    def argmax(self, dim: int | None = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
        return argmax(self, dim, keepdim, keepdims=keepdims)

    def logsumexp(self, dim: Any, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
        return logsumexp(self, dim, keepdim, keepdims=keepdims)

    def var(
        self,
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        return var(self, dim, unbiased, keepdim, correction=correction, keepdims=keepdims)

    def std(
        self,
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        return std(self, dim, unbiased, keepdim, correction=correction, keepdims=keepdims)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
        return norm(self, p, dim, keepdim)

    # ------------------------------------------------------------------------------------------ elementwise
    def relu(self) -> Tensor:
        return Relu.apply(self)

    def tanh(self) -> Tensor:
        return Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return Sigmoid.apply(self)

    def exp(self) -> Tensor:
        return Exp.apply(self)

    def log(self) -> Tensor:
        return Log.apply(self)

    def abs(self) -> Tensor:
        return Abs.apply(self)

    def sin(self) -> Tensor:
        return Sin.apply(self)

    def cos(self) -> Tensor:
        return Cos.apply(self)

    def sqrt(self) -> Tensor:
        return Sqrt.apply(self)

    def pow(self, exponent: Any) -> Tensor:
        return pow(self, exponent)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        return clamp(self, min, max)

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        return maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return minimum(self, other)

    def softmax(self, dim: int) -> Tensor:
        return softmax(self, dim)

    def log_softmax(self, dim: int) -> Tensor:
        return log_softmax(self, dim)

    def matmul(self, other: Any) -> Tensor:
        return matmul(self, other)

    def mm(self, mat2: Any) -> Tensor:
        return mm(self, mat2)

    def dot(self, other: Any) -> Tensor:
        return dot(self, other)

    def where(self, condition: Any, other: Any) -> Tensor:
        """``x.where(cond, y)`` is ``where(cond, x, y)``."""
        return where(condition, self, other)

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        return allclose(self, other, rtol, atol, equal_nan)

    def add(self, other: Any) -> Tensor:
        return add(self, other)

    def sub(self, other: Any) -> Tensor:
        return sub(self, other)

    def mul(self, other: Any) -> Tensor:
        return mul(self, other)

    def div(self, other: Any) -> Tensor:
        return div(self, other)

    # ---------------------------------------------------------------------------------------------- shape
    def reshape(self, *shape: Any) -> Tensor:
        return reshape(self, *shape)

    def view(self, *shape: Any) -> Tensor:
        return reshape(self, *shape)

    def flatten(self) -> Tensor:
        return reshape(self, -1)

    def unsqueeze(self, dim: int) -> Tensor:
        shape = list(self.shape)
        shape.insert(dim if dim >= 0 else self.ndim + 1 + dim, 1)
        return reshape(self, tuple(shape))

    def squeeze(self, dim: int | None = None) -> Tensor:
        if dim is None:
            return reshape(self, tuple(s for s in self.shape if s != 1))
        d = _ops._as_axis(dim, self.ndim)
        if self.ndim == 0 or self.shape[d] != 1:
            return self
        return reshape(self, self.shape[:d] + self.shape[d + 1 :])

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but got {self.ndim}; use transpose()")
        return transpose(self, 0, 1) if self.ndim == 2 else self

    def permute(self, *dims: Any) -> Tensor:
        dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        return permute(self, dims)

    def __getitem__(self, key: Any) -> Tensor:
        return Index.apply(self, _index_key(key))

    def __setitem__(self, key: Any, value: Any) -> None:
        """``x[key] = value`` in place; in a graph, gradients flow to ``value`` and around the overwritten entries."""
        key = _index_key(key)
        self._refuse_leaf()
        if _function._grad_enabled and (self.requires_grad or (isinstance(value, Tensor) and value.requires_grad)):
            self._inplace(lambda: IndexPut.apply(self, value, key))
            return
        if type(self._data) is not np.ndarray or not self._data.flags.writeable:
            self._data = np.array(self._data)
        self._data[key] = value._data if isinstance(value, Tensor) else value
        self._counter().bump(self._data)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    # ------------------------------------------------------------------------------------------- printing
    def __repr__(self) -> str:
        return _printing.tensor_repr(self)


builtins_float = __builtins__["float"] if isinstance(__builtins__, dict) else __builtins__.float
builtins_max = __builtins__["max"] if isinstance(__builtins__, dict) else __builtins__.max


def _index_key(key: Any) -> Any:
    """Tensors inside an index become numpy arrays; lists of ints become integer arrays."""
    if isinstance(key, tuple):
        return tuple(_index_key(k) for k in key)
    if isinstance(key, Tensor):
        return np.asarray(key._data)
    if isinstance(key, list):
        return np.asarray(key)
    return key


class _VersionCounter:
    """How many times a tensor's values were changed in place (``count``), and when: ``recent`` holds the global
    in-place count after each of the latest changes (for the error message; only the latest are kept, so a training
    loop does not grow it).

    ``detach()`` shares the counter, since it shares the values. ``.data`` gets an untracked one (``tracked``
    False): changes through ``.data`` go unseen by the graph, as in PyTorch.
    """

    __slots__ = ("count", "recent", "tracked")

    def __init__(self, tracked: bool = True) -> None:
        self.count = 0
        self.recent: list[int] = []
        self.tracked = tracked

    def bump(self, storage: Any = None) -> int:
        """Count one in-place change of ``storage`` (the numpy array written)."""
        _EPOCH[0] = last = _EPOCH[0] + 1
        self.count += 1
        recent = self.recent
        recent.append(last)
        if len(recent) > 64:
            del recent[:32]
        if self.tracked and type(storage) is np.ndarray:
            _mark_written(storage, last)
        return last

    def version_at(self, epoch: int) -> int:
        """The tensor's version when the global in-place count was ``epoch`` (at least this, for old epochs)."""
        return self.count - (len(self.recent) - bisect.bisect_right(self.recent, epoch))


_EPOCH = [0]  # in-place changes so far, in the whole process
_INPLACE_RECORDED = [False]  # set once an in-place op has entered a graph: the backward pass then resolves edges

# Which numpy buffers were written in place, and when: id of the array owning the memory -> (epoch, weakref to it).
# A node made at epoch `stamp` whose saved array lies in a buffer written after that holds a stale value, whichever
# tensor (a view, a detached copy, the optimiser) did the writing: the backward pass refuses it.
_WRITTEN: dict[int, tuple[int, Any]] = {}


def _owner(a: np.ndarray) -> np.ndarray:
    """The array that owns ``a``'s memory (``a`` itself, or the array a view was taken of)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _mark_written(storage: np.ndarray, epoch: int) -> None:
    owner = _owner(storage)
    key = id(owner)
    entry = _WRITTEN.get(key)
    if entry is not None and entry[1]() is owner:
        _WRITTEN[key] = (epoch, entry[1])
        return

    def forget(ref: Any, key: int = key) -> None:  # the buffer is gone: its id may be reused by a new one
        if key in _WRITTEN and _WRITTEN[key][1] is ref:
            del _WRITTEN[key]

    _WRITTEN[key] = (epoch, weakref.ref(owner, forget))


def _written_since(saved: Any, stamp: int) -> bool:
    """Was the buffer of the saved array ``saved`` written in place after the global in-place count ``stamp``?"""
    if isinstance(saved, Tensor):  # what a Function written with tensors saves
        saved = saved._data
    if type(saved) is not np.ndarray:
        return False
    owner = _owner(saved)
    entry = _WRITTEN.get(id(owner))
    return entry is not None and entry[0] > stamp and entry[1]() is owner


def _saves(node: Any, d: Any) -> bool:
    """Does ``node`` hold the storage ``d`` (or a view of it) among its saved values?"""
    saved = node.saved
    if not saved or type(saved) is not tuple:
        return False
    for s in saved:
        if _shares(s, d):
            return True
    return False


def _shares(s: Any, d: Any) -> bool:
    return s is d or (type(s) is np.ndarray and type(d) is np.ndarray and np.may_share_memory(s, d))


def _type_name(dt: np.dtype) -> str:
    """PyTorch's name for a dtype in its error messages: Float, Double, Long, ..."""
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int"}
    names["bool"] = "Bool"
    return names.get(dt.name, dt.name)


def _viewed(view_node: Any, d: np.ndarray) -> Tensor:
    """The tensor whose memory ``d`` views, made by the view op ``view_node``; or an error that says what to do."""
    op = getattr(view_node, "fn", None)
    is_view = getattr(op, "is_view", False) or (op is Index and not view_node.advanced)
    base = view_node.args[0] if is_view else None
    if base is None or type(base._data) is not np.ndarray or not np.may_share_memory(d, base._data):
        raise RuntimeError(
            "an in-place operation on a view of another tensor's memory (from_numpy of a slice, or a tensor made "
            "outside the graph) cannot be recorded in the graph: the tensor it views would change without the graph "
            "knowing. Work on a copy (y = x.clone(), then change y) or write it out of place (y = x + 1)."
        )
    if base.requires_grad and base.grad_fn is None and _function._grad_enabled:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation. (Change the leaf "
            "inside `with no_grad():`, or work on a copy: y = x[0].clone().)"
        )
    return base


def _scalar_operand(t: Tensor, other: Any) -> Any:
    """A Python number beside a tensor takes the tensor's dtype (PyTorch's rule), floats turning ints to float32."""
    if isinstance(other, Tensor):
        return other
    if isinstance(other, (np.integer, np.floating)):  # numpy scalars count as Python numbers, as in PyTorch
        return other.item()
    if isinstance(other, (np.ndarray, np.generic, list)):
        return Tensor(other, dtype=t.dtype if isinstance(other, list) else None)
    if isinstance(other, bool) or not isinstance(other, numbers.Number):
        raise TypeError(f"unsupported operand: a Tensor and {type(other).__name__}")
    return other


def _binary(fn, a: Any, b: Any) -> Tensor:
    """Apply a two-input Function to tensors or numbers, with PyTorch's dtype rules for numbers."""
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):  # the common cases first
            if a._data.dtype != b._data.dtype:
                a, b = _promote(a, b)
            if a._data.shape != b._data.shape:
                _check_broadcast(fn, a, b)
            return fn.apply(a, b)
        if b.__class__ is builtins_float and a._data.dtype.kind == "f":
            return fn.apply(a, b)
        b = _scalar_operand(a, b)
        if isinstance(b, Tensor):
            return _binary(fn, a, b)
        if isinstance(b, builtins_float) and a._data.dtype.kind != "f":
            a = a.float()
    else:
        a = _scalar_operand(b, a)
        if isinstance(a, Tensor):
            return _binary(fn, a, b)
        if isinstance(a, builtins_float) and b._data.dtype.kind != "f":
            b = b.float()
    return fn.apply(a, b)


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def _promote(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """Cast two tensors of different dtypes to PyTorch's result dtype (numpy's differs: int64 with float32 gives
    float64 there). The higher category wins (bool < integer < floating point); within one category a tensor with
    dimensions outranks a 0-d one (float32 tensor * float64 0-d tensor is float32), else the wider type wins."""
    da, db = a._data.dtype, b._data.dtype
    ca, cb = _CATEGORY[da.kind], _CATEGORY[db.kind]
    if ca != cb:
        dt = da if ca > cb else db
    elif (a._data.ndim == 0) != (b._data.ndim == 0):
        dt = db if a._data.ndim == 0 else da
    else:
        dt = np.promote_types(da, db)
    return (a if da == dt else Cast.apply(a, dt)), (b if db == dt else Cast.apply(b, dt))


def _check_broadcast(fn, a: Tensor, b: Tensor) -> None:
    sa, sb = a._data.shape, b._data.shape
    if sa == sb:
        return
    for x, y in zip(reversed(sa), reversed(sb)):
        if x != y and x != 1 and y != 1:
            op = fn.op_name.replace("Backward0", "").replace("Backward1", "").lower()
            raise RuntimeError(
                f"{op}: the shapes {tuple(sa)} and {tuple(sb)} cannot be broadcast together (dimension {x} vs {y}); "
                "line them up from the right, each pair equal or one of them 1 (reshape or unsqueeze to fix)"
            )


def _compare(a: Tensor, b: Any, ufunc) -> Tensor:
    other = b._data if isinstance(b, Tensor) else b
    return _new_tensor(ufunc(a._data, other), False, None)


def _bitwise(ufunc: Any, a: Tensor, b: Any, name: str) -> Tensor:
    arrays = [a._data] if b is None else [a._data, b._data if isinstance(b, Tensor) else b]
    for arr in arrays:
        if np.asarray(arr).dtype.kind == "f":
            raise TypeError(f"\"{name}_cpu\" not implemented for 'Float': {name} takes bool or integer tensors")
    return _new_tensor(ufunc(*arrays), False, None)


def logical_and(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise ``input and other`` (nonzero is True), a bool tensor."""
    return _new_tensor(np.logical_and(np.asarray(input), np.asarray(other)), False, None)


def logical_or(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise ``input or other`` (nonzero is True), a bool tensor."""
    return _new_tensor(np.logical_or(np.asarray(input), np.asarray(other)), False, None)


def logical_xor(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise ``input xor other`` (nonzero is True), a bool tensor."""
    return _new_tensor(np.logical_xor(np.asarray(input), np.asarray(other)), False, None)


def logical_not(input: Any) -> Tensor:  # noqa: A002
    """Elementwise ``not input`` (nonzero is True), a bool tensor."""
    return _new_tensor(np.logical_not(np.asarray(input)), False, None)


# ------------------------------------------------------------------------------------------ function forms


def add(a: Any, b: Any) -> Tensor:
    """a + b with broadcasting."""
    return _binary(Add, a, b)


def sub(a: Any, b: Any) -> Tensor:
    """a - b with broadcasting."""
    if isinstance(a, (np.integer, np.floating)):  # numpy scalars count as Python numbers, as in PyTorch
        a = a.item()
    if not isinstance(a, Tensor) and isinstance(a, numbers.Number):
        b2 = b.float() if isinstance(a, builtins_float) and b._data.dtype.kind != "f" else b
        return RSub.apply(b2, a)
    return _binary(Sub, a, b)


def mul(a: Any, b: Any) -> Tensor:
    """a * b with broadcasting."""
    return _binary(Mul, a, b)


def div(a: Any, b: Any) -> Tensor:
    """a / b with broadcasting; integer tensors divide to float32, as in PyTorch."""
    if isinstance(a, Tensor) and a._data.dtype.kind != "f":
        a = a.float()
    if isinstance(b, Tensor) and b._data.dtype.kind != "f":
        b = b.float()
    return _binary(Div, a, b)


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001
    """a ** b: a tensor to a number, a number to a tensor, or a tensor to a tensor."""
    a, b = (x.item() if isinstance(x, (np.integer, np.floating)) else x for x in (a, b))
    if isinstance(a, Tensor) and not isinstance(b, Tensor):
        if isinstance(b, (np.ndarray, list)):
            return _binary(Pow, a, b)
        if not isinstance(b, numbers.Number) or isinstance(b, bool):
            raise TypeError(f"unsupported exponent type {type(b).__name__}")
        if isinstance(b, builtins_float) and a._data.dtype.kind != "f":
            a = a.float()
        return PowScalar.apply(a, b)
    if not isinstance(a, Tensor):
        if not isinstance(a, numbers.Number):
            return _binary(Pow, a, b)
        if b._data.dtype.kind != "f":
            b = b.float()
        return RPow.apply(b, a)
    return _binary(Pow, a, b)


def neg(a: Tensor) -> Tensor:
    return Neg.apply(a)


def mm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002
    """The product of two matrices (2-d only; :func:`matmul` also takes vectors and batches)."""
    if input.ndim != 2:
        raise RuntimeError(f"self must be a matrix (mm takes 2-d tensors, got shape {input._data.shape}); use matmul")
    if mat2.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix (mm takes 2-d tensors, got shape {tuple(mat2.shape)}); use matmul")
    if input._data.shape[1] != mat2._data.shape[0]:
        (n, k), (k2, m) = input._data.shape, mat2._data.shape
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m}); the columns of the first must equal "
            "the rows of the second (transpose one of them?)"
        )
    return matmul(input, mat2)


def dot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The dot product of two 1-d tensors of the same length, sum(input * other)."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input._data.shape[0] != other._data.shape[0]:
        n, m = input._data.shape[0], other._data.shape[0]
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number of elements, "
            f"but got {n} and {m} elements respectively"
        )
    return matmul(input, other)


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product with numpy's (and PyTorch's) rules for 1-d, 2-d and batched operands."""
    a = a if isinstance(a, Tensor) else Tensor(a)
    b = b if isinstance(b, Tensor) else Tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"matmul: both arguments need at least 1 dimension, got shapes {a._data.shape} and {b._data.shape}; "
            "use * for scalars"
        )
    ka = a._data.shape[-1]
    kb = b._data.shape[0] if b.ndim == 1 else b._data.shape[-2]
    if ka != kb:
        raise RuntimeError(
            f"matmul: shapes {a._data.shape} and {b._data.shape} cannot be multiplied ({ka} columns in the first vs "
            f"{kb} rows in the second); the inner dimensions must match (transpose one of them?)"
        )
    if a.ndim > 2 or b.ndim > 2:
        try:
            np.broadcast_shapes(a._data.shape[:-2] if a.ndim > 1 else (), b._data.shape[:-2] if b.ndim > 1 else ())
        except ValueError:
            raise RuntimeError(
                f"matmul: the batch dimensions of {a._data.shape} and {b._data.shape} cannot be broadcast together"
            ) from None
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"matmul: expected both operands to have the same dtype, but got {a.dtype} and {b.dtype}; "
            "convert one with .float() or .double()"
        )
    return MatMul.apply(a, b)


def _float_only(t: Tensor, what: str) -> None:
    if t._data.dtype.kind != "f":
        raise RuntimeError(f"{what}: expected a floating point tensor but got {t.dtype}; convert it with .float()")


def _keepdim(keepdim: bool, keepdims: bool | None) -> bool:
    """PyTorch accepts numpy's spelling ``keepdims=`` as an alias of ``keepdim=`` on its reductions (not on norm)."""
    if keepdims is None:
        return bool(keepdim)
    if keepdim:
        raise TypeError("got both keepdim= and keepdims=; they mean the same thing, pass only one of them")
    return bool(keepdims)


def sum(t: Tensor, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:  # noqa: A001
    """Sum of all elements, or along ``dim`` (an int or a tuple), keeping reduced dims if ``keepdim``."""
    return Sum.apply(t, dim, _keepdim(keepdim, keepdims))


def mean(t: Tensor, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
    """Average of all elements, or along ``dim``."""
    _float_only(t, "mean")
    return Mean.apply(t, dim, _keepdim(keepdim, keepdims))


def var(
    t: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Variance: sum((t - mean)**2) / (n - correction) over ``dim`` (all elements by default).

    ``correction=1`` (the default, Bessel's correction: the unbiased sample variance) divides by n - 1;
    ``correction=0`` divides by n, the population variance numpy's ``np.var`` computes. The older spelling
    ``unbiased=True/False`` means correction 1/0. Built from mean, subtraction, multiplication and sum, so its
    gradient, 2 (t - mean) / (n - correction), comes from theirs.

    >>> tensor([1., 2., 3., 4.]).var()
    tensor(1.6667)
    >>> tensor([1., 2., 3., 4.]).var(correction=0)
    tensor(1.2500)
    """
    if isinstance(dim, bool):  # var(t, False): PyTorch's overload with `unbiased` as the only argument
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError("var/std: pass either unbiased= (the older spelling) or correction=, not both")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    _float_only(t, "std and var")
    keep = _keepdim(keepdim, keepdims)
    centred = t - Mean.apply(t, dim, True)
    total = Sum.apply(centred * centred, dim, keep)
    n = t._data.size // builtins_max(total._data.size, 1) if t._data.size else 0
    return _renamed(total / builtins_max(n - correction, 0), "VarBackward0")


def std(
    t: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Standard deviation, the square root of :func:`var` (same arguments, same default correction=1).

    >>> tensor([1., 2., 3., 4.]).std()
    tensor(1.2910)
    """
    out = var(t, dim, unbiased, keepdim, correction=correction, keepdims=keepdims)
    return _renamed(Sqrt.apply(out), "StdBackward0")


def norm(t: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    """The vector p-norm, (sum |t|**p)**(1/p), of all elements or along ``dim``: p=2 (or "fro", the default) is the
    Euclidean length, p=1 the sum of absolute values, p=float("inf") the largest absolute value.

    >>> tensor([3., 4.]).norm()
    tensor(5.)
    >>> tensor([[3., 4.], [6., 8.]]).norm(dim=1)
    tensor([ 5., 10.])
    """
    if p is None or p == "fro":
        p = 2
    if isinstance(p, str) or not isinstance(p, numbers.Real):
        raise RuntimeError(f"norm: p={p!r} is not supported here; use a number (2 is the default, 1, float('inf'))")
    _float_only(t, "norm")
    return Norm.apply(t, builtins_float(p), dim, keepdim)


class _ValuesIndices(NamedTuple):
    """What ``max(dim=...)`` returns, as PyTorch's ``torch.return_types.max``."""

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return f"mini_autograd.return_types.max(\nvalues={self.values!r},\nindices={self.indices!r})"


def max(t: Tensor, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None):  # noqa: A001
    """``max(t)``: the largest element (the gradient splits evenly among ties). ``max(t, dim)``: (values, indices),
    the gradient going to the first maximal index. ``max(a, b)`` with two tensors is ``maximum(a, b)``."""
    keepdim = _keepdim(keepdim, keepdims)
    if isinstance(dim, Tensor):
        return maximum(t, dim)
    if dim is None:
        if t._data.size == 0:
            raise RuntimeError("max(): expected a non-empty tensor")
        return Max.apply(t)
    d = _ops._as_axis(dim, t.ndim)
    if t.ndim == 0:
        return _ValuesIndices(t, _new_tensor(np.array(0), False, None))
    indices = np.argmax(t._data, axis=d, keepdims=keepdim)
    return _ValuesIndices(MaxDim.apply(t, d, keepdim, indices), _new_tensor(indices.astype(np.int64), False, None))


def min(t: Tensor, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None):  # noqa: A001
    """Like max, for the smallest: computed as -max(-t), so gradients follow the same rules."""
    keepdim = _keepdim(keepdim, keepdims)
    if isinstance(dim, Tensor):
        return minimum(t, dim)
    if dim is None:
        return _renamed(-max(-t), "MinBackward1")
    values, indices = max(-t, dim, keepdim)
    return _ValuesIndices(_renamed(-values, "MinBackward0"), indices)


def _renamed(t: Tensor, name: str) -> Tensor:
    """Give a composite's last node PyTorch's name for the whole operation (min is -max(-t) inside)."""
    if t.grad_fn is not None:
        t.grad_fn.op_name = name
    return t


def argmax(t: Tensor, dim: int | None = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
    keepdim = _keepdim(keepdim, keepdims)
    if dim is None:
        return _new_tensor(np.array(np.argmax(t._data), dtype=np.int64), False, None)
    d = _ops._as_axis(dim, t.ndim)
    return _new_tensor(np.argmax(t._data, axis=d, keepdims=keepdim).astype(np.int64), False, None)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of a and b; a tie sends half the gradient to each."""
    return _binary(Maximum, a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise smaller of a and b; a tie sends half the gradient to each."""
    return _binary(Minimum, a, b)


def relu(t: Tensor) -> Tensor:
    return Relu.apply(t)


def tanh(t: Tensor) -> Tensor:
    return Tanh.apply(t)


def sigmoid(t: Tensor) -> Tensor:
    return Sigmoid.apply(t)


def exp(t: Tensor) -> Tensor:
    return Exp.apply(t)


def log(t: Tensor) -> Tensor:
    return Log.apply(t)


def abs(t: Tensor) -> Tensor:  # noqa: A001
    return Abs.apply(t)


def sqrt(t: Tensor) -> Tensor:
    return Sqrt.apply(t)


def sin(t: Tensor) -> Tensor:
    """sin(t) elementwise, t in radians."""
    return Sin.apply(t)


def cos(t: Tensor) -> Tensor:
    """cos(t) elementwise, t in radians."""
    return Cos.apply(t)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """Pick elementwise: ``input`` where ``condition`` is True, ``other`` where it is False (all three broadcast).

    The gradient flows to ``input`` at the True places and to ``other`` at the False ones. ``input`` and ``other``
    may be numbers. With the condition alone, ``where(condition)`` returns the indices of the True elements, one
    tensor per dimension.

    >>> x = tensor([-1., 2., -3.])
    >>> where(x > 0, x, 0.)
    tensor([0., 2., 0.])
    """
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if input is None and other is None:
        return tuple(_new_tensor(i.astype(np.int64), False, None) for i in np.nonzero(cond))
    if input is None or other is None:
        raise TypeError("where() takes a condition and both input and other (or the condition alone)")
    if np.result_type(cond) != np.bool_:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_TORCH_NAMES.get(np.result_type(cond), np.result_type(cond))}; write a comparison such as x > 0"
        )
    a, b = _as_operand(input, other), _as_operand(other, input)
    if a._data.dtype != b._data.dtype:
        a, b = _promote(a, b)
    try:
        np.broadcast_shapes(np.shape(cond), a.shape, b.shape)
    except ValueError:
        raise RuntimeError(
            f"where: the condition {np.shape(cond)}, input {a.shape} and other {b.shape} cannot be broadcast "
            "together; line their shapes up from the right, each pair equal or one of them 1"
        ) from None
    return Where.apply(np.asarray(cond), a, b)


def _as_operand(value: Any, beside: Any) -> Tensor:
    """A number next to a tensor takes the tensor's dtype (a float next to an integer tensor gives float32); two
    numbers take PyTorch's defaults (float32, int64)."""
    if isinstance(value, Tensor):
        return value
    if isinstance(beside, Tensor) and isinstance(value, numbers.Number) and not isinstance(value, bool):
        if beside._data.dtype.kind == "f" or not isinstance(value, builtins_float):
            return tensor(value, dtype=beside.dtype) if beside._data.dtype.kind != "b" else tensor(value)
    return tensor(value)


_TORCH_NAMES = {  # PyTorch's C++ names of the scalar types, as its error messages print them
    np.dtype("float32"): "Float",
    np.dtype("float64"): "Double",
    np.dtype("float16"): "Half",
    np.dtype("int64"): "Long",
    np.dtype("int32"): "Int",
    np.dtype("bool"): "Bool",
}


def allclose(  # noqa: A002
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """True when |input - other| <= atol + rtol * |other| everywhere (the shapes broadcast); a bool, not a tensor.

    Both must have the same dtype, as in PyTorch: compare ``a.float()`` with ``b`` if one holds integers.
    """
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{_TORCH_NAMES[a.dtype]} did not match {_TORCH_NAMES[b.dtype]}: allclose needs two tensors of the same "
            "dtype; convert one with .float() or .double()"
        )
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def numel(t: Tensor) -> int:
    """The number of elements of t."""
    return t.numel()


def clamp(t: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit values to [min, max]; the gradient passes where min <= t <= max."""
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    return Clamp.apply(t, min, max)


def softmax(t: Tensor, dim: int) -> Tensor:
    _float_only(t, "softmax")
    return Softmax.apply(t, _ops._as_axis(dim, t.ndim))


def log_softmax(t: Tensor, dim: int) -> Tensor:
    _float_only(t, "log_softmax")
    return LogSoftmax.apply(t, _ops._as_axis(dim, t.ndim))


def logsumexp(t: Tensor, dim: Any, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
    _float_only(t, "logsumexp")
    return LogSumExp.apply(t, dim, _keepdim(keepdim, keepdims))


def reshape(t: Tensor, *shape: Any) -> Tensor:
    """The same elements in another shape (one dimension may be -1)."""
    shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    shape = tuple(int(s) for s in shape)
    known = int(np.prod([s for s in shape if s != -1]))
    free = shape.count(-1)
    size = t._data.size
    if free > 1 or any(s < -1 for s in shape) or (size != known if free == 0 else (known == 0 or size % known)):
        raise RuntimeError(
            f"shape {list(shape)} is invalid for input of size {size} (a tensor of shape {t._data.shape})"
        )
    return Reshape.apply(t, shape)


def transpose(t: Tensor, dim0: int, dim1: int) -> Tensor:
    axes = list(range(t.ndim))
    d0, d1 = _ops._as_axis(dim0, t.ndim), _ops._as_axis(dim1, t.ndim)
    if t.ndim < 2:
        return t
    axes[d0], axes[d1] = axes[d1], axes[d0]
    return Transpose.apply(t, tuple(axes))


def permute(t: Tensor, axes: tuple) -> Tensor:
    if sorted(_ops._as_axis(a, t.ndim) for a in axes) != list(range(t.ndim)):
        raise RuntimeError(f"permute: {axes} is not a reordering of the {t.ndim} dimensions of a {t.shape} tensor")
    return Permute.apply(t, tuple(_ops._as_axis(a, t.ndim) for a in axes))


# ------------------------------------------------------------------------------------------------ factories


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Make a tensor from a number, a (nested) list or a numpy array, with PyTorch's dtype rules.

    >>> tensor(5.)
    tensor(5.)
    >>> tensor([1, 2, 3]).dtype
    mini_autograd.int64
    """
    t = object.__new__(Tensor)
    t._init(data, dtype, requires_grad, device)
    return t


def _shape_args(size: tuple) -> tuple:
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)


def _factory(data: np.ndarray, device: Any, requires_grad: bool) -> Tensor:
    """The tail of every factory: check the device, wrap the array (no copy) and set requires_grad."""
    if device is not None:
        _require_cpu(device)
    t = _new_tensor(data, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``, float32 unless ``dtype`` says otherwise."""
    return _factory(np.zeros(_shape_args(size), dtype=_numpy_dtype(dtype or float32)), device, requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``, float32 unless ``dtype`` says otherwise."""
    return _factory(np.ones(_shape_args(size), dtype=_numpy_dtype(dtype or float32)), device, requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor whose values you are about to overwrite. PyTorch leaves them uninitialised (whatever was in
    memory); here they are zeros, so a program that forgets to fill it behaves the same on every run."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` (a tuple) filled with ``fill_value``; the dtype follows the value as in ``tensor()``:
    a float gives float32, an int int64, a bool bool.

    >>> full((2,), 3.5)
    tensor([3.5000, 3.5000])
    """
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}; "
            f"write full(({size},), value)"
        )
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    dt = _numpy_dtype(dtype) if dtype is not None else _to_array(value, None).dtype
    return _factory(np.full(tuple(size), value, dtype=dt), device, requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The n x n identity matrix (n x m with ones on the diagonal when m is given), float32 by default."""
    return _factory(np.eye(n, m, dtype=_numpy_dtype(dtype or float32)), device, requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(t.shape, dtype=dtype or t.dtype, device=device, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return ones(t.shape, dtype=dtype or t.dtype, device=device, requires_grad=requires_grad)


def empty_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return empty(t.shape, dtype=dtype or t.dtype, device=device, requires_grad=requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return full(t.shape, fill_value, dtype=dtype or t.dtype, device=device, requires_grad=requires_grad)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor that *shares memory* with a numpy array, as in PyTorch: changing one changes the other.

    >>> a = np.zeros(3)
    >>> t = from_numpy(a)
    >>> a[0] = 5.0
    >>> t
    tensor([5., 0., 0.], dtype=mini_autograd.float64)

    The dtype is the array's (numpy's float64 stays float64, unlike ``tensor(list_of_floats)``, which is float32).
    Use ``tensor(a)`` for a copy.
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__}); use tensor(...) for lists and numbers")
    if ndarray.dtype not in _DTYPES:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{ndarray.dtype.type.__name__}. The only supported types are: "
            "float64, float32, float16, int64, int32 and bool; convert it with a.astype(np.float32) first."
        )
    return _new_tensor(ndarray, False, None)


# ------------------------------------------------------------------------------------------- random numbers


class Generator:
    """A source of random numbers with its own seed, for ``generator=`` of randn, rand, randint, randperm and a
    DataLoader's shuffling, so one stream can be reproduced independently of every other draw.

    >>> g = Generator().manual_seed(0)
    >>> a = randn(3, generator=g)
    >>> b = randn(3, generator=Generator().manual_seed(0))   # the same seed gives the same numbers

    The numbers come from numpy's PCG64, so they differ from PyTorch's for the same seed; reproducibility within
    mini_autograd is what a seed promises here. Like PyTorch's, a new Generator starts from a fixed seed,
    67280421310721.
    """

    DEFAULT_SEED = 67280421310721

    def __init__(self, device: Any = "cpu") -> None:
        _require_cpu(device)
        self.manual_seed(self.DEFAULT_SEED)

    @property
    def device(self) -> device:
        return _CPU

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed``; returns the generator, so ``Generator().manual_seed(0)`` reads well."""
        self._seed = int(seed) % 2**64
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy and return the new seed."""
        self.manual_seed(int(np.random.SeedSequence().entropy) % 2**63)
        return self._seed

    def initial_seed(self) -> int:
        """The seed the current stream started from."""
        return self._seed

    def get_state(self) -> dict:
        """The stream's position (numpy's bit-generator state), for ``set_state`` to return to later."""
        return self._rng.bit_generator.state

    def set_state(self, state: dict) -> Generator:
        self._rng.bit_generator.state = state
        return self

    def __repr__(self) -> str:
        return f"<mini_autograd.Generator object at {id(self):#x}>"


_CPU = device("cpu")
default_generator = Generator()
default_generator.seed()  # unlike a new Generator, the global one starts from a fresh seed on every run


def manual_seed(seed: int) -> Generator:
    """Seed the generator behind randn, rand, randint, randperm, dropout and nn's initialisation, so a program
    draws the same numbers on every run (not PyTorch's numbers: those come from another algorithm). Returns the
    default generator, as PyTorch does."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator's current stream started from."""
    return default_generator.initial_seed()


def _rng(generator: Generator | None = None) -> np.random.Generator:
    """The numpy generator behind a draw: ``generator``'s if one is given, else the default (see manual_seed)."""
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a mini_autograd.Generator, got {type(generator).__name__}")
    return generator._rng


def randn(
    *size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Samples of the standard normal distribution (mean 0, variance 1), float32 by default."""
    data = _rng(generator).standard_normal(_shape_args(size)).astype(_numpy_dtype(dtype or float32))
    return _factory(data, device, requires_grad)


def rand(
    *size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Samples of the uniform distribution on [0, 1), float32 by default."""
    data = _rng(generator).random(_shape_args(size)).astype(_numpy_dtype(dtype or float32))
    return _factory(data, device, requires_grad)


def randn_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(t.shape, dtype=dtype or t.dtype, device=device, requires_grad=requires_grad)


def rand_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(t.shape, dtype=dtype or t.dtype, device=device, requires_grad=requires_grad)


def randint(
    low: int = 0,
    high: Any = None,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Random integers in [low, high), int64 by default: ``randint(10, (3,))`` or ``randint(1, 7, (2, 2))``.

    As in PyTorch, ``size`` is a tuple even for one dimension: ``randint(0, 10, (5,))``.
    """
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    if high is None or size is None:
        raise TypeError("randint() needs high and size: randint(high, size) or randint(low, high, size), size a tuple")
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"randint(): size must be a tuple of ints, not {type(size).__name__}; write randint({low}, {high}, "
            f"({size},))"
        )
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    data = _rng(generator).integers(low, high, tuple(size)).astype(_numpy_dtype(dtype or int64))
    return _factory(data, device, requires_grad)


def randperm(
    n: int, *, generator: Generator | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """The integers 0 .. n-1 in random order (int64 by default): the usual way to shuffle a dataset's indices."""
    data = _rng(generator).permutation(int(n)).astype(_numpy_dtype(dtype or int64))
    return _factory(data, device, requires_grad)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced values in [start, end): integers give int64, any float gives float32, as in PyTorch."""
    if end is None:
        start, end = 0, start
    data = np.arange(start, end, step)
    if dtype is None:
        dt = np.int64 if all(isinstance(v, int) for v in (start, end, step)) else np.float32
    else:
        dt = _numpy_dtype(dtype)
    return _factory(data.astype(dt), device, requires_grad)


def linspace(
    start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from start to end, both included; float32 by default."""
    data = np.linspace(start, end, steps).astype(_numpy_dtype(dtype or float32))
    return _factory(data, device, requires_grad)


def stack(tensors: list, dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new dimension (as a composite of reshape and concatenation)."""
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def cat(tensors: list, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    return Cat.apply(dim, *tensors)


# ops.py imports function.py, which imports this module: these names resolve once the module body has run.
from . import _printing  # noqa: E402
from . import autograd as _autograd  # noqa: E402
from . import engine as _engine  # noqa: E402
from . import function as _function  # noqa: E402
from . import ops as _ops  # noqa: E402
from .ops import (  # noqa: E402
    Abs,
    Add,
    Cast,
    Cat,
    Clamp,
    Clone,
    Copy,
    Cos,
    Div,
    Exp,
    Fill,
    Index,
    IndexPut,
    Log,
    LogSoftmax,
    LogSumExp,
    MatMul,
    Max,
    MaxDim,
    Maximum,
    Mean,
    Minimum,
    Mul,
    Neg,
    Norm,
    Permute,
    Pow,
    PowScalar,
    Relu,
    Reshape,
    RPow,
    RSub,
    Sigmoid,
    Sin,
    Softmax,
    Sqrt,
    Sub,
    Sum,
    Tanh,
    Transpose,
    ViewPut,
    Where,
)
