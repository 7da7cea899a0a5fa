"""Optimisers: turn gradients into parameter updates, step for step the same as ``torch.optim``.

>>> opt = SGD(model.parameters(), lr=0.1)
>>> for x, y in batches:
...     opt.zero_grad()
...     loss_fn(model(x), y).backward()
...     opt.step()
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .tensor import Tensor


class Optimizer:
    """Holds a list of parameters; ``zero_grad()`` clears their gradients and ``step()`` updates them."""

    def __init__(self, params: Iterable[Tensor], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list; pass model.parameters()")
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise ValueError(f"parameter {i} is not a tensor that requires grad, so it cannot be optimised")
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        self.lr = lr
        self.state: dict[int, dict] = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    def step(self) -> None:
        for i, p in enumerate(self.params):
            if p.grad is not None:
                p.data = self._update(i, np.asarray(p.data), np.asarray(p.grad.data))

    def _update(self, i: int, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class SGD(Optimizer):
    """w <- w - lr * v, with v = momentum * v + (g + weight_decay * w) (v = the gradient on the first step)."""

    def __init__(
        self, params: Iterable[Tensor], lr: float = 1e-3, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(params, lr)
        self.momentum, self.weight_decay = momentum, weight_decay

    def _update(self, i: int, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            g = g + self.weight_decay * w
        if self.momentum:
            buf = self.state.get(i)
            buf = g.copy() if buf is None else self.momentum * buf + g
            self.state[i] = buf
            g = buf
        w -= self.lr * g
        return w


class Adam(Optimizer):
    """Adam (Kingma and Ba), with PyTorch's bias correction and eps placement."""

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay

    def _update(self, i: int, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        b1, b2 = self.betas
        if self.weight_decay:
            g = g + self.weight_decay * w
        st = self.state.setdefault(i, {"step": 0, "m": np.zeros_like(w), "v": np.zeros_like(w)})
        st["step"] += 1
        t = st["step"]
        st["m"] = b1 * st["m"] + (1 - b1) * g
        st["v"] = b2 * st["v"] + (1 - b2) * g * g
        bias1 = 1 - b1**t
        bias2 = 1 - b2**t
        denom = np.sqrt(st["v"]) / math.sqrt(bias2) + self.eps
        w -= (self.lr / bias1) * st["m"] / denom
        return w
