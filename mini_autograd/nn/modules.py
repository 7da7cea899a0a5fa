"""Modules: objects that hold parameters and compute a forward pass, as in ``torch.nn``.

A :class:`Module` finds its parameters by looking at its attributes: assigning a :class:`Parameter` or another
Module registers it, so ``parameters()`` and ``zero_grad()`` reach everything inside.
"""

from __future__ import annotations

import math
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from ..function import no_grad
from ..tensor import Tensor, _numpy_dtype, _require_cpu, _rng, device, float32, float64
from . import functional as F


class Parameter(Tensor):
    """A tensor that is a learnable weight of a Module: it requires grad and is registered on assignment."""

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        if isinstance(data, Tensor):
            data = data._data
        super().__init__(np.array(data, dtype=np.result_type(data) if hasattr(data, "dtype") else np.float32))
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of layers and networks. Subclasses set parameters and sub-modules in ``__init__`` and compute
    the output in ``forward``; calling the module calls ``forward``.

    >>> class TwoLayer(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = Linear(2, 16)
    ...         self.out = Linear(16, 1)
    ...     def forward(self, x):
    ...         return self.out(F.relu(self.hidden(x)))
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() call; call super().__init__() first in "
                f"{type(self).__name__}.__init__"
            )
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """(name, parameter) pairs, depth first, each parameter once, named as PyTorch names them."""
        seen = set()
        for name, module in self.named_modules(prefix):
            for pname, p in module._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{name}.{pname}" if name else pname), p

    def parameters(self) -> Iterator[Parameter]:
        for _, p in self.named_parameters():
            yield p

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        yield prefix, self
        for name, m in self._modules.items():
            yield from m.named_modules(f"{prefix}.{name}" if prefix else name)

    def children(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def zero_grad(self) -> None:
        """Forget the gradients of every parameter (set them to None, as PyTorch does by default)."""
        for p in self.parameters():
            p.grad = None

    def train(self, mode: bool = True) -> Module:
        for _, m in self.named_modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module (children first) and then on this module; returns self. The usual use is
        custom initialisation::

            def init_weights(m):
                if isinstance(m, nn.Linear):
                    nn.init.xavier_uniform_(m.weight)
                    nn.init.zeros_(m.bias)
            model.apply(init_weights)
        """
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``to("cpu")`` / ``to(device)`` does nothing here (there is only the CPU); ``to(float64)`` converts every
        floating-point parameter (and its gradient) in place, keeping the same Parameter objects, so an optimiser
        made earlier still holds them. Returns self, so ``model = Net().to(device)`` works."""
        target = kwargs.get("dtype")
        if "device" in kwargs:
            _require_cpu(kwargs["device"])
        for a in args:
            if isinstance(a, (str, device)):
                _require_cpu(a)
            elif isinstance(a, Tensor):
                target = a.dtype
            elif a is not None:
                target = a
        if target is not None:
            dt = _numpy_dtype(target)
            if dt.kind != "f":
                raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={target}")
            for p in self.parameters():
                if p._data.dtype.kind == "f" and p._data.dtype != dt:
                    p._data = np.asarray(p._data).astype(dt)
                    if p.grad is not None:
                        p.grad = Tensor(np.asarray(p.grad._data).astype(dt))
        return self

    def cpu(self) -> Module:
        return self

    def float(self) -> Module:
        return self.to(float32)

    def double(self) -> Module:
        return self.to(float64)

    def _all_named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """Every (name, parameter) pair, a shared parameter under each name, as torch's state_dict lists them."""
        for name, module in self.named_modules():  # every path to a module, shared ones included
            for pname, p in module._parameters.items():
                yield (f"{name}.{pname}" if name else pname), p

    def state_dict(self) -> OrderedDict:
        """Every parameter by name, as a tensor that shares its storage (as PyTorch's): training goes on changing
        them, so take ``copy.deepcopy(model.state_dict())`` (or ``{k: v.clone() ...}``) to keep a snapshot."""
        return OrderedDict((name, p.detach()) for name, p in self._all_named_parameters())

    def load_state_dict(self, state: dict) -> None:
        """Copy values (numpy arrays, tensors, or PyTorch tensors) into the parameters, checking names and shapes."""
        params = dict(self._all_named_parameters())
        missing, unexpected = set(params) - set(state), set(state) - set(params)
        if missing or unexpected:
            raise KeyError(f"load_state_dict: missing keys {sorted(missing)}, unexpected keys {sorted(unexpected)}")
        for name, value in state.items():
            arr = _as_numpy(value)
            p = params[name]
            if arr.shape != p.shape:
                raise RuntimeError(
                    f"load_state_dict: {name} has shape {p._data.shape} here but {arr.shape} in the state"
                )
            with no_grad():
                p.copy_(Tensor(arr.astype(p._data.dtype, copy=False)))

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(m).replace("\n", "\n  ") for name, m in self._modules.items()]
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _as_numpy(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        return np.asarray(value._data)
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        return value.detach().cpu().numpy()
    return np.asarray(value)


class Linear(Module):
    """y = x @ weight.T + bias, with weight of shape (out_features, in_features).

    Initialised as PyTorch does: weight and bias uniform in [-1/sqrt(in_features), 1/sqrt(in_features)].
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features) if in_features else 0.0
        rng = _rng()
        self.weight = Parameter(rng.uniform(-bound, bound, (out_features, in_features)).astype(np.float32))
        self.bias = Parameter(rng.uniform(-bound, bound, (out_features,)).astype(np.float32)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class ReLU(Module):
    """max(x, 0). ``inplace=True`` is accepted so PyTorch code runs; the result is a new tensor either way."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Sequential(Module):
    """Modules applied one after another; indexable (``net[0]``) and iterable, as in PyTorch."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: argument {i} is a {type(m).__name__}, not a Module")
            setattr(self, str(i), m)

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, i: int | slice) -> Module:
        mods = list(self._modules.values())
        return Sequential(*mods[i]) if isinstance(i, slice) else mods[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class MSELoss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, self.reduction)


class CrossEntropyLoss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.cross_entropy(input, target, self.reduction)


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x (``inplace`` accepted, as for ReLU)."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Softmax(Module):
    """softmax along ``dim``: each slice along it becomes positive numbers that sum to 1."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        dim = self.dim
        if dim is None:  # PyTorch's legacy guess, with its warning
            warnings.warn(
                "Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X as an "
                "argument.",
                UserWarning,
                stacklevel=2,
            )
            dim = 0 if x.ndim in (0, 1, 3) else 1
        return F.softmax(x, dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Flatten(Module):
    """Merge dimensions start_dim..end_dim into one: by default every dimension but the batch (the first)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return _flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


def _flatten(x: Tensor, start_dim: int, end_dim: int) -> Tensor:
    if x.ndim == 0:
        return x.reshape(1)
    start, end = (d if d >= 0 else x.ndim + d for d in (start_dim, end_dim))
    if not 0 <= start <= end < x.ndim:
        raise IndexError(
            f"Flatten: start_dim={start_dim} and end_dim={end_dim} do not name dimensions in order of a tensor "
            f"of shape {x._data.shape}"
        )
    if start == end:  # nothing to merge: PyTorch returns the input itself
        return x
    return x.reshape(x.shape[:start] + (-1,) + x.shape[end + 1 :])


class Dropout(Module):
    """While training, zero each element with probability ``p`` and scale the others by 1 / (1 - p); after
    ``model.eval()`` pass the input through unchanged. Call ``model.train()`` to switch it back on."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Embedding(Module):
    """A learnable table of ``num_embeddings`` vectors of size ``embedding_dim``; calling it with integer indices
    returns their rows. Initialised from the standard normal distribution, as in PyTorch (the ``padding_idx`` row,
    if given, at zero and never updated)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None) -> None:
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim, self.padding_idx = num_embeddings, embedding_dim, padding_idx
        weight = _rng().standard_normal((num_embeddings, embedding_dim)).astype(np.float32)
        if padding_idx is not None:
            weight[padding_idx] = 0
        self.weight = Parameter(weight)

    def forward(self, x: Tensor) -> Tensor:
        return F.embedding(x, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"


class ModuleList(Module):
    """A list of modules whose parameters the parent module sees (a plain Python list hides them from
    ``parameters()``, so the optimiser would never update them). It has no forward: loop over it yourself.

    >>> self.layers = ModuleList([Linear(4, 4) for _ in range(3)])
    >>> for layer in self.layers:
    ...     x = layer(x).relu()
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _check(self, module: Any) -> Module:
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList holds modules, but got a {type(module).__name__}")
        return module

    def append(self, module: Module) -> ModuleList:
        setattr(self, str(len(self)), self._check(module))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        mods = list(self._modules.values())
        mods.insert(index, self._check(module))
        self._reset(mods)

    def _reset(self, mods: list) -> None:
        for name in list(self._modules):
            delattr(self, name)
        for m in mods:
            self.append(m)

    def __getitem__(self, i: int | slice) -> Any:
        mods = list(self._modules.values())
        return ModuleList(mods[i]) if isinstance(i, slice) else mods[i]

    def __setitem__(self, i: int, module: Module) -> None:
        mods = list(self._modules.values())
        mods[i] = self._check(module)
        self._reset(mods)

    def __delitem__(self, i: int | slice) -> None:
        mods = list(self._modules.values())
        del mods[i]
        self._reset(mods)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            'Module [ModuleList] is missing the required "forward" function: a ModuleList only holds modules; '
            "call them in your own forward, e.g. `for layer in self.layers: x = layer(x)`"
        )

    def __repr__(self) -> str:
        # as PyTorch: runs of identical modules print once, as "(0-2): 3 x Linear(...)"
        if not self._modules:
            return "ModuleList()"
        reprs = [repr(m) for m in self._modules.values()]
        lines, start = [], 0
        for i in range(1, len(reprs) + 1):
            if i == len(reprs) or reprs[i] != reprs[start]:
                body = reprs[start].replace("\n", "\n  ")
                count = i - start
                lines.append(f"({start}): {body}" if count == 1 else f"({start}-{i - 1}): {count} x {body}")
                start = i
        return "ModuleList(\n  " + "\n  ".join(lines) + "\n)"


class BCELoss(Module):
    """Binary cross-entropy of probabilities (after a sigmoid) against targets in [0, 1]; see F.binary_cross_entropy."""

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__()
        self.weight, self.reduction = weight, reduction

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(Module):
    """Sigmoid and binary cross-entropy in one stable step, on raw scores; see F.binary_cross_entropy_with_logits."""

    def __init__(self, weight: Any = None, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__()
        self.weight, self.reduction, self.pos_weight = weight, reduction, pos_weight

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction, self.pos_weight)
