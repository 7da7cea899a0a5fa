"""mini_autograd: a small reverse-mode automatic differentiation engine on numpy, with PyTorch's names.

>>> import mini_autograd as ag
>>> x = ag.tensor(1.0, requires_grad=True)
>>> y = ag.tensor(2.0, requires_grad=True)
>>> z = ag.tensor(0.0, requires_grad=True)
>>> f = (x + y) * ag.maximum(y, z)
>>> f.backward()
>>> x.grad, y.grad, z.grad
(tensor(2.), tensor(5.), tensor(0.))

The pieces, each small enough to read in one sitting: ``tensor.py`` (the Tensor and its operators), ``function.py``
(Function, the graph node, no_grad), ``ops.py`` (every primitive's forward and backward), ``engine.py`` (the
backward pass), ``nn`` and ``optim`` (layers, losses, optimisers) and ``testing.py`` (gradcheck and the comparison
with PyTorch used by the tests and the course's autograder).
"""

# tensor first: it pulls in function, ops and engine in the order their imports need
from .tensor import (  # isort: skip
    Tensor,
    abs,
    add,
    arange,
    argmax,
    bool_,
    cat,
    clamp,
    cuda,
    device,
    div,
    double,
    dtype,
    exp,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    int32,
    int64,
    linspace,
    log,
    log_softmax,
    logsumexp,
    long,
    manual_seed,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    neg,
    ones,
    ones_like,
    permute,
    pow,
    rand,
    randn,
    relu,
    reshape,
    sigmoid,
    softmax,
    sqrt,
    stack,
    sub,
    sum,
    tanh,
    tensor,
    transpose,
    zeros,
    zeros_like,
)

from . import nn, optim, testing  # noqa: E402
from .engine import backward, unbroadcast  # noqa: E402
from .function import Function, Node, enable_grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: E402

bool = bool_  # noqa: A001  (torch.bool)

__version__ = "0.1.0"

__all__ = [name for name in dir() if not name.startswith("_")]
