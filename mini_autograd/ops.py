"""One :class:`Function` per primitive operation: its forward and its backward, side by side, numpy in and out.

Each docstring states the local derivative. ``backward`` receives ``grad``, the gradient of the loss with respect to
the op's output, and returns the chain-rule product ``grad * d(output)/d(input)`` for each input. Gradients may keep
the output's (broadcast) shape: the engine sums them back to each input's shape.

Where PyTorch makes a choice at a kink, these ops make the same one: relu'(0) = 0, abs'(0) = 0, a tie in
``maximum``/``minimum`` splits the gradient 0.5/0.5, a full ``max()`` splits it evenly among all maximal elements,
and ``max(dim)`` sends it to the first maximal index.
"""

from __future__ import annotations

import functools

import numpy as np

from .function import Function


def _quiet(method):
    """Run an op's forward or backward without numpy's floating-point warnings.

    PyTorch returns inf and nan silently for log(0), x / 0, sqrt(-1) or exp(1000); numpy would also print a
    RuntimeWarning, which in a notebook's test cell counts as output on stderr. Only ops with a restricted domain
    use this: entering np.errstate costs about a microsecond, as much as a whole scalar op.
    """

    @functools.wraps(method)
    def wrapper(*args):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return method(*args)

    return wrapper


# --------------------------------------------------------------------------------------------------- arithmetic


class Add(Function):
    """z = a + b.   dz/da = 1,   dz/db = 1."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    """z = a - b.   dz/da = 1,   dz/db = -1."""

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class RSub(Function):
    """z = b - a (a number minus a tensor: ``2 - x``).   dz/da = -1."""

    op_name = "RsubBackward1"

    @staticmethod
    def forward(ctx, a, b):
        return b - a

    @staticmethod
    def backward(ctx, grad):
        return -grad, None


class Mul(Function):
    """z = a * b.   dz/da = b,   dz/db = a."""

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad  # keep only what backward uses (as PyTorch: x += 3 * x is fine)
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(Function):
    """z = a / b.   dz/da = 1 / b,   dz/db = -a / b**2."""

    @staticmethod
    @_quiet
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        return a / b

    @staticmethod
    @_quiet
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = grad / b if need_a else None
        gb = -grad * a / (b * b) if need_b else None
        return ga, gb


class Neg(Function):
    """z = -a.   dz/da = -1."""

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class PowScalar(Function):
    """z = a ** p for a number p.   dz/da = p * a ** (p - 1), and 0 when p == 0 (as in PyTorch)."""

    op_name = "PowBackward0"

    @staticmethod
    @_quiet
    def forward(ctx, a, p):
        ctx.save_for_backward(a)
        ctx.p = p
        return a**p

    @staticmethod
    @_quiet
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return grad * 0, None
        if p == 2:  # the common square, without a second power
            return grad * (2 * a), None
        return grad * (p * a ** (p - 1)), None


class Pow(Function):
    """z = a ** b for two tensors.   dz/da = b * a ** (b - 1),   dz/db = a ** b * log(a) (0 where a == 0, b >= 0)."""

    op_name = "PowBackward1"

    @staticmethod
    @_quiet
    def forward(ctx, a, b):
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    @_quiet
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if need_a:
            ga = grad * np.where(b == 0, 0, b * a ** (b - 1))
        if need_b:
            gb = grad * np.where((a == 0) & (b >= 0), 0, out * np.log(a))
        return ga, gb


class RPow(Function):
    """z = c ** a for a number c (``2 ** x``).   dz/da = c ** a * log(c)."""

    op_name = "PowBackward2"

    @staticmethod
    @_quiet
    def forward(ctx, a, c):
        out = np.power(c, a)
        ctx.save_for_backward(a, out)
        ctx.c = c
        return out

    @staticmethod
    @_quiet
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        if ctx.c == 0:  # 0 ** a: PyTorch's gradient is 0 where a >= 0, and inf * log(0) = -inf where a < 0
            return grad * np.where(a >= 0, 0, -np.inf).astype(out.dtype, copy=False), None
        return grad * out * np.log(ctx.c), None


class MatMul(Function):
    """z = a @ b.   dz/da = grad @ b^T,   dz/db = a^T @ grad (1-d operands promoted to matrices and back)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        if a.ndim == 2 and b.ndim == 2:
            ctx.op_name = "MmBackward0"
        elif a.ndim == 1 and b.ndim == 1:
            ctx.op_name = "DotBackward0"
        elif a.ndim == 2 and b.ndim == 1:
            ctx.op_name = "MvBackward0"
        else:
            ctx.op_name = "BmmBackward0"
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, spelled out
            return (grad @ b.T if need_a else None), (a.T @ grad if need_b else None)
        if a.ndim == 1 and b.ndim == 1:
            return grad * b, grad * a
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = grad
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        ga = gb = None
        if need_a:
            ga = g2 @ np.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if need_b:
            gb = np.swapaxes(a2, -1, -2) @ g2
            if b.ndim == 1:
                gb = gb[..., 0]
        return ga, gb  # batch dimensions that were broadcast are summed by the engine


class Linear(Function):
    """z = x @ W^T + b (PyTorch's addmm).   dz/dx = grad @ W,   dz/dW = grad^T @ x,   dz/db = sum of grad over rows.

    One fused node instead of three (transpose, matmul, add): the layer every network uses, so it is worth it.
    """

    op_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        out = x @ w.T
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        return (
            grad @ w if need_x else None,
            grad.T @ x if need_w else None,
            grad.sum(axis=0) if need_b else None,
        )


# --------------------------------------------------------------------------------------------------- reductions


def _as_axis(dim, ndim: int):
    """PyTorch's dim (None, an int, a tuple; negative counts from the end) as numpy's axis, checked."""
    if dim is None:
        return None
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    out = []
    for d in dims:
        d = int(d)
        lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
        if not lo <= d <= hi:
            raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {d})")
        out.append(d % max(ndim, 1))
    return tuple(out) if isinstance(dim, (tuple, list)) else out[0]


def _expand_like(grad, axis, shape):
    """Broadcast a reduced gradient back over the reduced axes of an input of ``shape``."""
    if axis is not None:
        grad = np.expand_dims(grad, axis)
    elif not np.ndim(grad):  # the gradient of a full sum or mean: one number, filled in (cheaper than broadcast_to)
        out = np.empty(shape, dtype=grad.dtype)
        out.fill(grad)
        return out
    return np.broadcast_to(grad, shape)


class Sum(Function):
    """z = sum of a over dim.   dz/da = 1 for every element summed."""

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        axis = _as_axis(dim, a.ndim) if np.ndim(a) else None  # dim 0 or -1 of a 0-d tensor: nothing to reduce
        ctx.shape, ctx.axis = a.shape, (None if keepdim else axis)
        if dim is not None:
            ctx.op_name = "SumBackward1"  # PyTorch's name for a sum over given dims
        return a.sum(axis=axis, keepdims=keepdim)  # the method: np.sum's Python wrapper costs a microsecond

    @staticmethod
    def backward(ctx, grad):
        return _expand_like(grad, ctx.axis, ctx.shape), None, None


class Mean(Function):
    """z = mean of a over dim.   dz/da = 1 / n, n the number of elements averaged."""

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        axis = _as_axis(dim, a.ndim) if np.ndim(a) else None  # dim 0 or -1 of a 0-d tensor: nothing to reduce
        ctx.shape, ctx.axis = a.shape, (None if keepdim else axis)
        if dim is not None:
            ctx.op_name = "MeanBackward1"
        total = a.sum(axis=axis, keepdims=keepdim)
        ctx.n = n = a.size // max(np.size(total), 1) if a.size else 1
        if a.size:
            return np.true_divide(total, n, dtype=a.dtype)  # sum / n: np.mean's Python wrapper costs microseconds
        with np.errstate(invalid="ignore"):  # the mean of nothing is nan, as in PyTorch, without numpy's warning
            return np.true_divide(total, 0, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        return _expand_like(grad / ctx.n, ctx.axis, ctx.shape), None, None


class Max(Function):
    """z = max of all elements.   dz/da = 1 / k at each of the k elements equal to the max, 0 elsewhere."""

    op_name = "MaxBackward1"

    @staticmethod
    def forward(ctx, a):
        out = np.max(a)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        mask = a == out
        return grad * mask / np.count_nonzero(mask)


class MaxDim(Function):
    """z = max of a along dim, at precomputed ``indices``.   dz/da = 1 at the first maximal index, 0 elsewhere."""

    op_name = "MaxBackward0"

    @staticmethod
    def forward(ctx, a, dim, keepdim, indices):
        ctx.shape, ctx.dim, ctx.keepdim, ctx.indices = a.shape, dim, keepdim, indices
        if a.ndim == 2 and dim == 1:  # rows of a matrix (logits.max(1)): plain indexing, cheaper than take_along_axis
            ctx.rows = rows = np.arange(a.shape[0])
            out = a[rows, indices.reshape(-1)]
            return out[:, None] if keepdim else out
        idx = indices if keepdim else np.expand_dims(indices, dim)
        out = np.take_along_axis(a, idx, axis=dim)
        return out if keepdim else np.squeeze(out, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        dim = ctx.dim
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        if len(ctx.shape) == 2 and dim == 1:
            out[ctx.rows, ctx.indices.reshape(-1)] = grad.reshape(-1)
            return out, None, None, None
        idx = ctx.indices if ctx.keepdim else np.expand_dims(ctx.indices, dim)
        g = grad if ctx.keepdim else np.expand_dims(grad, dim)
        np.put_along_axis(out, idx, g, axis=dim)
        return out, None, None, None


class LogSumExp(Function):
    """z = log(sum(exp(a))) over dim.   dz/da = exp(a - z) = softmax(a)."""

    op_name = "LogsumexpBackward0"

    @staticmethod
    @_quiet
    def forward(ctx, a, dim, keepdim):
        axis = _as_axis(dim, a.ndim)
        m = np.max(a, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # rows of all -inf (or inf): no shift, let exp and log say what happens
        out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
        ctx.save_for_backward(a, out)
        ctx.axis, ctx.keepdim = axis, keepdim
        return out if keepdim else np.squeeze(out, axis=axis)

    @staticmethod
    @_quiet
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        g = grad if ctx.keepdim or ctx.axis is None else np.expand_dims(grad, ctx.axis)
        return g * np.exp(a - out), None, None


class Norm(Function):
    """z = (sum |a|**p)**(1/p) over dim (the vector p-norm; p = 2 is the Euclidean length).

    dz/da = a * |a|**(p-2) / z**(p-1); for p = 2 that is a / z, for p = 1 sign(a). p = inf is max |a| (the gradient
    split evenly among the largest), p = 0 counts the nonzero entries (gradient 0). Where z = 0 the gradient is 0,
    as in PyTorch, instead of the 0/0 the formula gives.
    """

    op_name = "LinalgVectorNormBackward0"

    @staticmethod
    @_quiet
    def forward(ctx, a, p, dim, keepdim):
        axis = _as_axis(dim, a.ndim) if np.ndim(a) else None
        absa = np.abs(a)
        if p == np.inf:
            out = np.max(absa, axis=axis, keepdims=True)
        elif p == -np.inf:
            out = np.min(absa, axis=axis, keepdims=True)
        elif p == 0:
            out = np.sum(absa != 0, axis=axis, keepdims=True).astype(a.dtype)
        elif p == 1:
            out = np.sum(absa, axis=axis, keepdims=True)
        elif p == 2:
            out = np.sqrt(np.sum(a * a, axis=axis, keepdims=True))
        else:
            out = np.sum(absa**p, axis=axis, keepdims=True) ** (1.0 / p)
        out = np.asarray(out, dtype=a.dtype)
        ctx.save_for_backward(a, out)
        ctx.p, ctx.axis, ctx.keepdim = p, axis, keepdim
        if keepdim:
            return out
        return out.reshape(()) if axis is None else np.squeeze(out, axis=axis)

    @staticmethod
    @_quiet
    def backward(ctx, grad):
        a, out = ctx.saved_tensors  # out kept its reduced dims, so it broadcasts against a
        p = ctx.p
        g = grad if ctx.keepdim else np.reshape(grad, out.shape)
        zero = np.zeros((), dtype=a.dtype)
        if p == 0:
            local = np.zeros_like(a)
        elif p == 1:
            local = np.sign(a)
        elif np.isinf(p):
            hit = np.abs(a) == out
            local = np.sign(a) * hit / np.sum(hit, axis=ctx.axis, keepdims=True)
        elif p == 2:
            local = np.where(out == 0, zero, a / out)
        else:
            local = np.where(out == 0, zero, a * np.abs(a) ** (p - 2) / out ** (p - 1))
        return g * local, None, None, None


# --------------------------------------------------------------------------------------------------- elementwise


class Maximum(Function):
    """z = maximum(a, b).   dz/da = 1 where a > b, 0.5 where a == b, 0 where a < b (and the mirror for b)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = (a > b) + 0.5 * (a == b)
        return grad * share.astype(grad.dtype, copy=False), grad * (1 - share).astype(grad.dtype, copy=False)


class Minimum(Function):
    """z = minimum(a, b).   dz/da = 1 where a < b, 0.5 where a == b, 0 where a > b (and the mirror for b)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = (a < b) + 0.5 * (a == b)
        return grad * share.astype(grad.dtype, copy=False), grad * (1 - share).astype(grad.dtype, copy=False)


class Relu(Function):
    """z = max(a, 0).   dz/da = 1 where a > 0, else 0 (so relu'(0) = 0)."""

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)


class Tanh(Function):
    """z = tanh(a).   dz/da = 1 - z**2."""

    @staticmethod
    def forward(ctx, a):
        out = np.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


class Sigmoid(Function):
    """z = 1 / (1 + exp(-a)).   dz/da = z * (1 - z)."""

    @staticmethod
    def forward(ctx, a):
        # exp of a negative number only, so large |a| neither overflows nor warns
        e = np.exp(-np.abs(a))
        out = np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(np.result_type(a), copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class Exp(Function):
    """z = exp(a).   dz/da = exp(a) = z."""

    @staticmethod
    @_quiet
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    @_quiet
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    """z = log(a).   dz/da = 1 / a."""

    @staticmethod
    @_quiet
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    @_quiet
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Sin(Function):
    """z = sin(a).   dz/da = cos(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * np.cos(a)


class Cos(Function):
    """z = cos(a).   dz/da = -sin(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * -np.sin(a)


class Where(Function):
    """z = a where cond else b (cond a boolean array, not differentiated).   dz/da = cond,   dz/db = not cond."""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond = cond
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        cond = ctx.cond
        need_a, need_b = ctx.needs_input_grad[1:]
        zero = np.zeros((), dtype=grad.dtype)
        return None, (np.where(cond, grad, zero) if need_a else None), (np.where(cond, zero, grad) if need_b else None)


class Abs(Function):
    """z = |a|.   dz/da = sign(a), with sign(0) = 0."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * np.sign(a)


class Sqrt(Function):
    """z = sqrt(a).   dz/da = 1 / (2 z)."""

    @staticmethod
    @_quiet
    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    @_quiet
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Clamp(Function):
    """z = min(max(a, lo), hi).   dz/da = 1 where lo <= a <= hi, else 0."""

    op_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(a, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        keep = np.ones(np.shape(a), dtype=bool)
        if ctx.lo is not None:
            keep &= a >= ctx.lo
        if ctx.hi is not None:
            keep &= a <= ctx.hi
        return grad * keep, None, None


class Softmax(Function):
    """z = exp(a) / sum(exp(a)) over dim.   dz/da applied to grad: z * (grad - sum(grad * z))."""

    @staticmethod
    @_quiet
    def forward(ctx, a, dim):
        e = np.exp(a - np.max(a, axis=dim, keepdims=True))
        out = e / np.sum(e, axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    @_quiet
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return out * (grad - np.sum(grad * out, axis=ctx.dim, keepdims=True)), None


class LogSoftmax(Function):
    """z = a - logsumexp(a) over dim.   dz/da applied to grad: grad - exp(z) * sum(grad)."""

    @staticmethod
    @_quiet
    def forward(ctx, a, dim):
        shifted = a - np.max(a, axis=dim, keepdims=True)
        out = shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    @_quiet
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - np.exp(out) * np.sum(grad, axis=ctx.dim, keepdims=True), None


class CrossEntropy(Function):
    """z = mean over rows of logsumexp(logits) - logits[target].   dz/dlogits = (softmax(logits) - onehot) / n.

    One fused node, named after the node a printed PyTorch loss shows; PyTorch records the same computation as
    LogSoftmaxBackward0 followed by NllLossBackward0.
    """

    op_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, logits, target, reduction):
        n = logits.shape[0]
        shifted = logits - np.max(logits, axis=1, keepdims=True)
        e = np.exp(shifted)
        s = np.sum(e, axis=1, keepdims=True)
        rows = np.arange(n)
        losses = np.log(s[:, 0]) - shifted[rows, target]
        ctx.save_for_backward(e / s, target)
        ctx.reduction = reduction
        if reduction == "none":
            return losses
        total = np.sum(losses)
        return (total / n if reduction == "mean" else total).astype(logits.dtype)

    @staticmethod
    def backward(ctx, grad):
        probs, target = ctx.saved_tensors
        n = probs.shape[0]
        g = probs.copy()
        g[np.arange(n), target] -= 1
        if ctx.reduction == "none":
            g *= grad[:, None]
        elif ctx.reduction == "mean":
            g *= grad / n
        else:
            g *= grad
        return g, None, None


class MSELoss(Function):
    """z = mean((a - b)**2).   dz/da = 2 (a - b) / n,   dz/db = -2 (a - b) / n."""

    op_name = "MseLossBackward0"

    @staticmethod
    def forward(ctx, a, b, reduction):
        diff = a - b
        ctx.save_for_backward(diff)
        ctx.reduction = reduction
        sq = diff * diff
        if reduction == "none":
            return sq
        return np.mean(sq) if reduction == "mean" else np.sum(sq)

    @staticmethod
    def backward(ctx, grad):
        (diff,) = ctx.saved_tensors
        scale = 2 / diff.size if ctx.reduction == "mean" else 2
        g = grad * (scale * diff)
        return g, -g, None


class LeakyRelu(Function):
    """z = a where a > 0, else slope * a.   dz/da = 1 where a > 0, else slope (so at 0 it is slope, as in PyTorch)."""

    @staticmethod
    def forward(ctx, a, slope):
        ctx.save_for_backward(a)
        ctx.slope = slope
        return np.where(a > 0, a, a * slope).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * np.where(a > 0, 1, ctx.slope).astype(grad.dtype, copy=False), None


def _reduce_loss(losses, reduction: str):
    """The three reductions of PyTorch's losses: elementwise ("none"), their sum, or their mean."""
    if reduction == "none":
        return losses
    return np.asarray(np.sum(losses) if reduction == "sum" else np.mean(losses), dtype=losses.dtype)


def _loss_grad(grad, size: int, reduction: str):
    """The upstream gradient of a reduced loss, as a factor for each element's local derivative."""
    return grad / size if reduction == "mean" else grad


class BinaryCrossEntropy(Function):
    """z = -w (t log p + (1 - t) log(1 - p)) per element, then reduced (each log clamped at -100, as in PyTorch,
    so p = 0 or 1 gives a large finite loss instead of inf).

    dz/dp = w (p - t) / (p (1 - p))   (the denominator kept >= 1e-12),   dz/dt = w (log(1 - p) - log p).
    """

    @staticmethod
    @_quiet
    def forward(ctx, p, t, weight, reduction):
        log_p = np.maximum(np.log(p), -100)
        log_1mp = np.maximum(np.log(1 - p), -100)
        losses = -(t * log_p + (1 - t) * log_1mp)
        if weight is not None:
            losses = losses * weight
        ctx.save_for_backward(p, t, log_p, log_1mp)
        ctx.weight, ctx.reduction = weight, reduction
        return _reduce_loss(losses.astype(p.dtype, copy=False), reduction)

    @staticmethod
    @_quiet
    def backward(ctx, grad):
        p, t, log_p, log_1mp = ctx.saved_tensors
        g = _loss_grad(grad, p.size, ctx.reduction)
        if ctx.weight is not None:
            g = g * ctx.weight
        need_p, need_t = ctx.needs_input_grad[:2]
        gp = g * (p - t) / np.maximum(p * (1 - p), 1e-12) if need_p else None
        gt = g * (log_1mp - log_p) if need_t else None
        return gp, gt, None, None


class BinaryCrossEntropyWithLogits(Function):
    """z = sigmoid then binary cross-entropy of logits x, fused so it never overflows:
    per element (1 - t) x + (1 + (q - 1) t) softplus(-x), with softplus(-x) = log(1 + exp(-|x|)) + max(-x, 0) and q
    the pos_weight (1 without one), times the weight w; then reduced.

    dz/dx = w ((1 - t) - (1 + (q - 1) t) sigmoid(-x))   (= w (sigmoid(x) - t) when q = 1),
    dz/dt = w (-x + (q - 1) softplus(-x)).
    """

    @staticmethod
    @_quiet
    def forward(ctx, x, t, weight, pos_weight, reduction):
        softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)
        q = 1 if pos_weight is None else pos_weight
        scale = 1 + (q - 1) * t
        losses = (1 - t) * x + scale * softplus_neg
        if weight is not None:
            losses = losses * weight
        ctx.save_for_backward(x, t, softplus_neg)
        ctx.weight, ctx.q, ctx.reduction = weight, q, reduction
        return _reduce_loss(losses.astype(x.dtype, copy=False), reduction)

    @staticmethod
    @_quiet
    def backward(ctx, grad):
        x, t, softplus_neg = ctx.saved_tensors
        g = _loss_grad(grad, x.size, ctx.reduction)
        if ctx.weight is not None:
            g = g * ctx.weight
        q = ctx.q
        need_x, need_t = ctx.needs_input_grad[:2]
        e = np.exp(-np.abs(x))
        sigmoid_neg = np.where(x >= 0, e / (1 + e), 1 / (1 + e))  # sigmoid(-x), without overflow for any x
        gx = g * ((1 - t) - (1 + (q - 1) * t) * sigmoid_neg) if need_x else None
        gt = g * (-x + (q - 1) * softplus_neg) if need_t else None
        return gx, gt, None, None, None


class Embedding(Function):
    """z = weight[indices]: a row of the table per index.   dz/dweight = grad scattered back into the rows used
    (an index used twice gets both gradients added), none to the ``padding_idx`` row."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx):
        ctx.shape, ctx.indices, ctx.padding_idx = weight.shape, indices, padding_idx
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        np.add.at(out, ctx.indices, grad)
        if ctx.padding_idx is not None:
            out[ctx.padding_idx] = 0
        return out, None, None


# --------------------------------------------------------------------------------------------------- shape


class Reshape(Function):
    """z = a viewed with another shape.   dz/da = grad reshaped back."""

    op_name = "ViewBackward0"
    is_view = True  # the result shares the input's memory (when numpy can reshape without copying)

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = np.shape(a)
        return np.reshape(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return np.reshape(grad, ctx.shape), None


class Permute(Function):
    """z = a with its axes reordered.   dz/da = grad with the inverse order."""

    is_view = True

    @staticmethod
    def forward(ctx, a, axes):
        ctx.axes = axes
        return np.transpose(a, axes)

    @staticmethod
    def backward(ctx, grad):
        return np.transpose(grad, np.argsort(ctx.axes)), None


class Transpose(Permute):
    """z = a with two axes swapped.   dz/da = grad with them swapped back."""


class Index(Function):
    """z = a[key] (ints, slices, integer arrays).   dz/da = grad scattered back; repeated indices add up."""

    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.dtype, ctx.key = np.shape(a), a.dtype, key
        keys = key if isinstance(key, tuple) else (key,)
        ctx.advanced = any(isinstance(k, (np.ndarray, list)) for k in keys)
        if all(isinstance(k, (int, np.integer)) for k in keys):
            ctx.op_name = "SelectBackward0"
        elif all(isinstance(k, slice) or k is Ellipsis or k is None for k in keys):
            ctx.op_name = "SliceBackward0"
        out = a[key]
        if type(out) is not np.ndarray and type(a) is np.ndarray and not ctx.advanced:
            out = a[(*keys, Ellipsis)]  # one element: a 0-d view of it (numpy gives a copy), as PyTorch's x[0]
        return out

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape, dtype=ctx.dtype)
        if ctx.advanced:
            np.add.at(out, ctx.key, grad)
        else:
            out[ctx.key] = grad
        return out, None


class Cat(Function):
    """z = the inputs joined along dim.   dz/d(input i) = the slice of grad where input i landed."""

    @staticmethod
    def forward(ctx, dim, *arrays):
        ctx.dim = dim
        ctx.sizes = [np.shape(a)[dim] for a in arrays]
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        cuts = np.cumsum(ctx.sizes)[:-1]
        return (None, *np.split(grad, cuts, axis=ctx.dim))


# --------------------------------------------------------------------------------------------------- identities


class Clone(Function):
    """z = a copy of a.   dz/da = 1."""

    @staticmethod
    def forward(ctx, a):
        return np.array(a, copy=True)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Copy(Function):
    """z = src broadcast to dst's shape, in dst's dtype: ``dst.copy_(src)``.   dz/d(dst) = 0, dz/d(src) = 1."""

    op_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, dst, src):
        ctx.src_dtype = getattr(src, "dtype", None)
        return np.array(np.broadcast_to(np.asarray(src, dtype=dst.dtype), np.shape(dst)))

    @staticmethod
    def backward(ctx, grad):
        return None, grad if ctx.src_dtype is None else grad.astype(ctx.src_dtype, copy=False)


class Fill(Function):
    """z = a constant (a number or fixed draws) in dst's shape and dtype: ``fill_``, ``normal_``.   dz/d(dst) = 0."""

    @staticmethod
    def forward(ctx, dst, value):
        return np.array(np.broadcast_to(np.asarray(value, dtype=dst.dtype), np.shape(dst)))

    @staticmethod
    def backward(ctx, grad):
        return None, None


class IndexPut(Function):
    """z = a with z[key] = v: ``a[key] = v``.   dz/da = grad except at key (overwritten there); dz/dv = grad[key]."""

    op_name = "CopySlices"

    @staticmethod
    def forward(ctx, a, v, key):
        ctx.key = key
        ctx.v_dtype = getattr(v, "dtype", None)
        out = np.array(a, copy=True)
        out[key] = v
        return out

    @staticmethod
    def backward(ctx, grad):
        ga = np.array(grad, copy=True)
        ga[ctx.key] = 0
        gv = grad[ctx.key]
        return ga, gv if ctx.v_dtype is None else np.asarray(gv).astype(ctx.v_dtype, copy=False), None


class ViewPut(Function):
    """z = a with the part that a view showed replaced by v: the tensor a view was taken of, after an in-place change
    made through that view (``h[0] += 1``, ``h.view(-1).mul_(2)``).   dz/da = grad outside that part, 0 inside;
    dz/dv = that part of grad, shaped as v.

    ``view`` is the view's node (Index, Reshape or Permute): running its op on the gradient picks the part out.
    """

    op_name = "CopySlices"

    @staticmethod
    def forward(ctx, a, v, view):
        ctx.view = view
        return np.array(a, copy=True)  # the values are already there: the view wrote them into a's memory

    @staticmethod
    def backward(ctx, grad):
        view = ctx.view
        ga = np.array(grad, copy=True)
        part = view.fn.forward(_Scratch(), ga, *view.args[1:])  # the same view, of the gradient
        gv = np.array(part, copy=True)
        part[...] = 0
        return ga, gv, None


class _Scratch:
    """A throwaway ctx for running a view op's forward on a gradient."""

    def save_for_backward(self, *values):
        pass


class Cast(Function):
    """z = a converted to another dtype.   dz/da = 1 (converted back to a's dtype)."""

    op_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.dtype = a.dtype
        return np.asarray(a).astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.dtype), None
