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
    abs,
    add,
    allclose,
    arange,
    argmax,
    bool_,
    cat,
    clamp,
    cos,
    cuda,
    default_generator,
    device,
    div,
    dot,
    double,
    dtype,
    empty,
    empty_like,
    exp,
    eye,
    float,
    float16,
    float32,
    float64,
    from_numpy,
    full,
    full_like,
    Generator,
    get_default_dtype,
    initial_seed,
    int32,
    int64,
    linspace,
    log,
    log_softmax,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    logsumexp,
    long,
    manual_seed,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    neg,
    norm,
    numel,
    ones,
    ones_like,
    permute,
    pow,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    relu,
    reshape,
    seed,
    sigmoid,
    sin,
    softmax,
    sqrt,
    stack,
    std,
    sub,
    sum,
    tanh,
    Size,
    Tensor,
    tensor,
    transpose,
    var,
    where,
    zeros,
    zeros_like,
)

from . import autograd, nn, optim, testing, utils  # noqa: E402
from .engine import backward, unbroadcast  # noqa: E402
from .function import (  # noqa: E402
    Function,
    Node,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

bool = bool_  # noqa: A001  (torch.bool)

__version__ = "0.1.0"

__all__ = [name for name in dir() if not name.startswith("_")]
