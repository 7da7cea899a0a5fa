"""Optimisers: turn gradients into parameter updates, step for step the same as ``torch.optim``.

>>> opt = SGD(model.parameters(), lr=0.1)
>>> for x, y in batches:
...     opt.zero_grad()
...     loss_fn(model(x), y).backward()
...     opt.step()

An optimiser keeps its parameters in ``param_groups``: a list of dicts, each with its ``"params"`` and its own
hyperparameters (``"lr"``, ``"momentum"``, ...). Pass dicts to give parts of a model different settings, and change
``group["lr"]`` during training to change the step (that is all a learning-rate scheduler in ``lr_scheduler`` does)::

    opt = SGD([{"params": model.body.parameters()}, {"params": model.head.parameters(), "lr": 1e-2}], lr=1e-3)
    for group in opt.param_groups:
        group["lr"] *= 0.5
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "lr_scheduler"]


class Optimizer:
    """Holds ``param_groups``; ``zero_grad()`` clears the gradients and ``step()`` updates every parameter that has
    one. Subclasses define ``_update(state, w, g, group)``: the new value of one parameter ``w`` (numpy) given its
    gradient ``g``, its ``state`` dict (momentum buffers and the like, kept in ``self.state[p]``) and its group."""

    def __init__(self, params: Iterable[Any], defaults: dict) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got a Tensor; "
                "pass model.parameters() or a list such as [w, b]"
            )
        self.defaults = defaults
        self.param_groups: list[dict] = []
        self.state: dict[Tensor, dict] = {}
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list; pass model.parameters()")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own hyperparameters (the others come from the optimiser's defaults),
        e.g. to start training a layer that was frozen."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.requires_grad:
                raise ValueError(f"parameter {i} is not a tensor that requires grad, so it cannot be optimised")
        group = {**self.defaults, **param_group, "params": params}
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or seen & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients (set them to None, PyTorch's default, or to zeros with ``set_to_none=False``)."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient. ``closure``, if given, recomputes and returns the loss."""
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    state = self.state.setdefault(p, {})
                    new = self._update(state, np.asarray(p._data), np.asarray(p.grad._data), group)
                    if type(p._data) is np.ndarray and p._data.flags.writeable:  # in place, as PyTorch: .data and
                        np.copyto(p._data, new, casting="unsafe")  # state_dict() tensors see the update
                    else:
                        p._data = np.asarray(new, dtype=p._data.dtype)
                    p._counter().bump(p._data)  # a value saved for a backward pass still to come is now stale
        return loss

    def _update(self, state: dict, w: np.ndarray, g: np.ndarray, group: dict) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines + [")"])


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _check_common(lr: float, eps: float | None = None, weight_decay: float = 0.0) -> None:
    _check(lr >= 0, f"Invalid learning rate: {lr}")
    if eps is not None:
        _check(eps >= 0, f"Invalid epsilon value: {eps}")
    _check(weight_decay >= 0, f"Invalid weight_decay value: {weight_decay}")


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum:
    v = momentum * v + (1 - dampening) * g (v = g on the first step),   w <- w - lr * v
    (with ``nesterov=True``: w <- w - lr * (g + momentum * v)); ``weight_decay`` adds weight_decay * w to g."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        _check_common(lr, None, weight_decay)
        _check(momentum >= 0, f"Invalid momentum value: {momentum}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
            maximize=maximize,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, state: dict, w: np.ndarray, g: np.ndarray, group: dict) -> np.ndarray:
        if group["maximize"]:
            g = -g
        if group["weight_decay"]:
            g = g + group["weight_decay"] * w
        momentum = group["momentum"]
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = g.copy()
            else:
                buf = momentum * buf + (1 - group["dampening"]) * g
            state["momentum_buffer"] = buf
            g = g + momentum * buf if group["nesterov"] else buf
        w -= group["lr"] * g
        return w


class Adam(Optimizer):
    """Adam (Kingma and Ba): running averages of the gradient (m) and of its square (v), bias-corrected, and the
    step lr * m_hat / (sqrt(v_hat) + eps), with PyTorch's placement of eps. ``weight_decay`` adds weight_decay * w to
    the gradient (L2 regularisation; see AdamW for the decoupled kind); ``amsgrad`` uses the largest v so far."""

    _decoupled = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        _check_common(lr, eps, weight_decay)
        for i, beta in enumerate(betas):
            _check(0.0 <= beta < 1.0, f"Invalid beta parameter at index {i}: {beta}")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, {**defaults, "maximize": maximize})

    def _update(self, state: dict, w: np.ndarray, g: np.ndarray, group: dict) -> np.ndarray:
        b1, b2 = group["betas"]
        lr, wd = group["lr"], group["weight_decay"]
        if group["maximize"]:
            g = -g
        if wd:
            if self._decoupled:
                w *= 1 - lr * wd  # AdamW: shrink the weights directly, outside the adaptive scaling
            else:
                g = g + wd * w
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(w), exp_avg_sq=np.zeros_like(w))
        state["step"] += 1
        t = state["step"]
        state["exp_avg"] = b1 * state["exp_avg"] + (1 - b1) * g
        state["exp_avg_sq"] = b2 * state["exp_avg_sq"] + (1 - b2) * g * g
        v = state["exp_avg_sq"]
        if group["amsgrad"]:
            v = state["max_exp_avg_sq"] = np.maximum(state.get("max_exp_avg_sq", v), v)
        denom = np.sqrt(v) / math.sqrt(1 - b2**t) + group["eps"]
        w -= (lr / (1 - b1**t)) * state["exp_avg"] / denom
        return w


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter): each step first shrinks the weights,
    w <- w * (1 - lr * weight_decay), then takes Adam's step on the plain gradient. The default weight_decay is
    0.01, as in PyTorch."""

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)


class RMSprop(Optimizer):
    """RMSprop (Hinton): divide the gradient by a running root-mean-square of its recent values,
    s = alpha * s + (1 - alpha) * g**2,   w <- w - lr * g / (sqrt(s) + eps);
    ``centered`` subtracts the square of the running mean gradient from s first, ``momentum`` accumulates the
    scaled steps in a buffer as SGD does."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        _check_common(lr, eps, weight_decay)
        _check(momentum >= 0, f"Invalid momentum value: {momentum}")
        _check(alpha >= 0, f"Invalid alpha value: {alpha}")
        defaults = dict(
            lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
            maximize=maximize,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, state: dict, w: np.ndarray, g: np.ndarray, group: dict) -> np.ndarray:
        alpha, eps, momentum = group["alpha"], group["eps"], group["momentum"]
        if group["maximize"]:
            g = -g
        if group["weight_decay"]:
            g = g + group["weight_decay"] * w
        if not state:
            state.update(step=0, square_avg=np.zeros_like(w))
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(w)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(w)
        state["step"] += 1
        state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
        if group["centered"]:
            state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
            avg = np.sqrt(state["square_avg"] - state["grad_avg"] ** 2) + eps
        else:
            avg = np.sqrt(state["square_avg"]) + eps
        if momentum > 0:
            state["momentum_buffer"] = momentum * state["momentum_buffer"] + g / avg
            w -= group["lr"] * state["momentum_buffer"]
        else:
            w -= group["lr"] * g / avg
        return w


from . import lr_scheduler  # noqa: E402  (it imports Optimizer from here)
