"""The compatibility test of issue 12: beginner programs, written the way students copy them from PyTorch's tutorials,
d2l's autograd chapter and Karpathy's micrograd and makemore lectures, run unchanged on PyTorch and on mini_autograd.

Each program is a function ``program(torch, data) -> list``: ``torch`` is the real ``torch`` module or
``mini_autograd``, ``data`` is a fresh dict of numpy arrays (the same numbers for both libraries), and the list holds
what the program would print (floats, lists of floats, booleans, strings). The test runs every program with both
libraries and compares what they return: numbers with ``np.allclose`` (rtol 1e-5 for float32 programs, 1e-10 for
float64 ones), strings exactly, after PyTorch's ``torch.`` is spelled ``mini_autograd.``.

Random numbers are drawn in numpy and passed in through ``data``: mini_autograd need not reproduce PyTorch's random
stream. Where a program draws from the library itself (a shuffling DataLoader, ``torch.randint``), it returns only
quantities that do not depend on the order or the values drawn, and ``test_a_seed_gives_the_same_draws_twice``
checks that the library's own stream is reproducible.
"""

from __future__ import annotations

import functools
import importlib
import math

import numpy as np
import pytest
import torch as real_torch

PROGRAMS: dict = {}


def program(rtol: float = 1e-5, atol: float = 1e-7):
    """Register a beginner program with the tolerance its numbers are compared with."""

    def register(fn):
        PROGRAMS[fn.__name__] = (fn, rtol, atol)
        return fn

    return register


def make_data() -> dict:
    """Every number the programs draw at random, drawn once in numpy (a fresh copy for every run)."""
    rng = np.random.default_rng(12)
    centres = np.array([[2.0, 0.0, 0.0, 1.0], [-1.0, 2.0, 0.0, -1.0], [0.0, -2.0, 1.5, 0.0]])
    labels = np.repeat(np.arange(3), 30)
    contexts = rng.integers(0, 27, size=(40, 3))
    return {
        "x": rng.normal(size=(6, 3)),
        "y": rng.choice([-1.0, 1.0], size=6),
        "w1": rng.normal(size=(3, 4)) * 0.5,
        "b1": rng.normal(size=4) * 0.1,
        "w2": rng.normal(size=(4, 1)) * 0.5,
        "b2": rng.normal(size=1) * 0.1,
        "v5": rng.uniform(-1.5, 1.5, size=5),
        "x34": rng.normal(size=(3, 4)),
        "w44": rng.normal(size=(4, 4)) * 0.5,
        "b4": rng.normal(size=4) * 0.5,
        "abcd": rng.normal(size=4),
        "lin3": rng.normal(size=(1, 3)) * 0.3,
        "lin3_bias": rng.normal(size=1) * 0.3,
        "X_reg": rng.normal(size=(10, 3)),
        "y_reg": rng.normal(size=(10, 1)),
        "X_cls": centres[labels] + rng.normal(size=(90, 4)) * 0.8,
        "y_cls": labels,
        "W_cls1": rng.normal(size=(16, 4)) * 0.5,
        "b_cls1": rng.normal(size=16) * 0.1,
        "W_cls2": rng.normal(size=(3, 16)) * 0.5,
        "b_cls2": rng.normal(size=3) * 0.1,
        "contexts": contexts,
        "next_chars": rng.integers(0, 27, size=40),
        "C": rng.normal(size=(27, 2)),
        "W_mlp1": rng.normal(size=(6, 20)) * 0.3,
        "b_mlp1": rng.normal(size=20) * 0.1,
        "W_mlp2": rng.normal(size=(20, 27)) * 0.3,
        "b_mlp2": rng.normal(size=27) * 0.1,
        "W_bigram": rng.normal(size=(27, 27)),
        "xs_bigram": rng.integers(0, 27, size=50),
        "ys_bigram": rng.integers(0, 27, size=50),
        "a_scalar": 0.7,
    }


# ------------------------------------------------------------------------- updates through .data (micrograd style)


@program(rtol=1e-10)
def micrograd_mlp_update_through_data(torch, data):
    """micrograd's demo loop on raw tensors: loss = sum(...) from 0, ``p.data += -lr * p.grad``, ``p.grad = None``."""
    xs = [torch.tensor(row) for row in data["x"]]
    ys = data["y"].tolist()
    w1 = torch.tensor(data["w1"], requires_grad=True)
    b1 = torch.tensor(data["b1"], requires_grad=True)
    w2 = torch.tensor(data["w2"], requires_grad=True)
    b2 = torch.tensor(data["b2"], requires_grad=True)
    params = [w1, b1, w2, b2]
    printed = []
    for _k in range(20):
        ypred = [((x @ w1 + b1).tanh() @ w2 + b2).tanh() for x in xs]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data += -0.05 * p.grad
        printed.append(loss.item())
    printed.append([yp.item() for yp in ypred])
    return printed


@program(rtol=1e-10)
def update_with_data_minus_equals_and_zero(torch, data):
    """``p.data -= lr * p.grad``, ``w.grad.data.zero_()`` between steps, ``w.data.zero_()`` to restart."""
    x = torch.tensor(data["X_reg"])
    y = torch.tensor(data["y_reg"])
    w = torch.tensor(data["w1"][:, :1], requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    printed = []
    for _epoch in range(2):
        for _step in range(10):
            loss = ((x @ w + b - y) ** 2).mean()
            loss.backward()
            w.data -= 0.1 * w.grad
            b.data -= 0.1 * b.grad
            w.grad.data.zero_()
            b.grad.data.zero_()
            printed.append(loss.item())
        printed.append(w.detach().flatten().tolist())
        w.data.zero_()
        b.data.zero_()
    printed.append([w.requires_grad, w.grad.tolist(), w.data.requires_grad])
    return printed


@program(rtol=1e-5)
def update_with_data_add_alpha_and_norm(torch, data):
    """``p.data.add_(p.grad, alpha=-lr)``; the step size read from ``p.grad.data.norm()``; float32 throughout."""
    x = torch.tensor(data["X_reg"], dtype=torch.float32)
    y = torch.tensor(data["y_reg"], dtype=torch.float32)
    w = torch.tensor(data["w1"][:, :1], dtype=torch.float32, requires_grad=True)
    printed = []
    for _step in range(15):
        pred = x @ w
        loss = ((pred - y) ** 2).mean()
        loss.backward()
        printed.append([loss.item(), w.grad.data.norm().item(), pred.data.norm().item()])
        w.data.add_(w.grad, alpha=-0.1)
        w.grad.zero_()
    printed.append(w.data.norm().item())
    printed.append(str(w.data.dtype))
    return printed


@program(rtol=1e-5)
def state_dict_values_are_tensors(torch, data):
    """``state_dict()`` values are tensors: read them, set a layer through ``copy_``, load them into a copy."""
    nn = torch.nn
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor(data["lin3"], dtype=torch.float32))
        model.bias.copy_(torch.tensor(data["lin3_bias"], dtype=torch.float32))
    sd = model.state_dict()
    printed = [sorted(sd.keys()), sd["weight"].shape[1], sd["weight"].sum().item(), sd["bias"].requires_grad]
    twin = nn.Linear(3, 1)
    twin.load_state_dict(sd)
    x = torch.tensor(data["X_reg"], dtype=torch.float32)
    printed.append(twin(x).flatten().tolist())
    sd["bias"].zero_()  # the values share storage with the model
    printed.append(model.bias.item())
    printed.append([torch.allclose(model(x) - model.bias, twin(x) - twin.bias)])
    return printed


# ------------------------------------------------------------------------------ manual updates under no_grad()


@program(rtol=1e-10)
def no_grad_update_and_grad_zero_(torch, data):
    """``with torch.no_grad(): w -= lr * w.grad; w.grad.zero_()``, with an L2 term over every parameter."""
    x = torch.tensor(data["x"])
    y = torch.tensor(data["y"]).reshape(-1, 1)
    w1 = torch.tensor(data["w1"], requires_grad=True)
    b1 = torch.tensor(data["b1"], requires_grad=True)
    w2 = torch.tensor(data["w2"], requires_grad=True)
    params = [w1, b1, w2]
    lr = 0.1
    printed = []
    for _step in range(25):
        h = (x @ w1 + b1).relu()
        loss = ((h @ w2 - y) ** 2).mean() + 1e-3 * sum((p**2).sum() for p in params)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()
        printed.append(loss.item())
    printed.append([p.requires_grad and p.grad_fn is None for p in params])
    return printed


@program(rtol=1e-10)
def no_grad_update_and_grad_none(torch, data):
    """The same loop with ``w.grad = None`` instead of zeroing, and ``w *= 0.99`` as weight decay."""
    x = torch.tensor(data["X_reg"])
    y = torch.tensor(data["y_reg"])
    w = torch.tensor(data["w1"][:, :1], requires_grad=True)
    printed = []
    for _step in range(20):
        loss = ((x @ w - y) ** 2).sum() / len(x)
        loss.backward()
        with torch.no_grad():
            w -= 0.05 * w.grad
            w *= 0.99
        printed.append([loss.item(), w.grad.sum().item()])
        w.grad = None
    printed.append([w.grad is None, w.is_leaf, w.flatten().tolist()])
    return printed


# ------------------------------------------------------------------------------------------ loss accumulation


@program(rtol=1e-10)
def loss_accumulated_from_int_zero(torch, data):
    """``loss = 0`` then ``loss += term`` in a loop: the first += makes a tensor, the later ones work in place."""
    w = torch.tensor(data["w1"][:, 0], requires_grad=True)
    printed = []
    for _epoch in range(3):
        loss = 0
        for row, target in zip(data["x"], data["y"]):
            x = torch.tensor(row)
            loss += (torch.dot(w, x).tanh() - target) ** 2
        loss /= len(data["y"])
        loss.backward()
        printed.append([loss.item(), w.grad.tolist(), str(loss.grad_fn).split(" object at ")[0]])
        with torch.no_grad():
            w -= 0.5 * w.grad
        w.grad = None
    return printed


@program(rtol=1e-5)
def loss_accumulated_in_tensor_zero(torch, data):
    """``total = torch.tensor(0.)`` then ``total += f(w)``: total joins the graph and backward reaches w."""
    w = torch.tensor(data["v5"], dtype=torch.float32, requires_grad=True)
    total = torch.tensor(0.0)
    printed = [total.requires_grad]
    for k in range(1, 4):
        total += (w**k).sum() / k
    printed.append([total.requires_grad, total.item()])
    total.backward()
    printed.append(w.grad.tolist())
    return printed


@program(rtol=1e-10)
def micrograd_sanity_check_as_tensors(torch, data):
    """micrograd's ``test_sanity_check`` on tensors, as its own test writes the PyTorch side."""
    x = torch.Tensor([-3.0]).double()
    x.requires_grad = True
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    return [y.data.item(), x.grad.item()]


@program(rtol=1e-10)
def micrograd_more_ops_with_inplace(torch, data):
    """micrograd's ``test_more_ops`` structure with in-place accumulation (``c += c + 1`` etc.), numbers of our own."""
    a = torch.Tensor([-3.0]).double()
    b = torch.Tensor([1.5]).double()
    a.requires_grad = True
    b.requires_grad = True
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return [g.data.item(), a.grad.item(), b.grad.item()]


# ------------------------------------------------------------------------------------- in-place ops in a graph


@program(rtol=1e-10)
def inplace_methods_on_a_non_leaf(torch, data):
    """``add_``, ``mul_``, ``sub_``, ``relu_`` on a hidden layer, then backward; grad_fn is the last in-place node."""
    x = torch.tensor(data["x34"], requires_grad=True)
    w = torch.tensor(data["w44"], requires_grad=True)
    b = torch.tensor(data["b4"], requires_grad=True)
    h = x @ w
    h.add_(b)
    h.mul_(2)
    h.sub_(0.25)
    h.relu_()  # relu saves its output: nothing may modify h after this
    out = (h * h).sum()
    out.backward()
    return [out.item(), str(h.grad_fn).split(" object at ")[0], x.grad.tolist(), w.grad.tolist(), b.grad.tolist()]


@program()
def inplace_on_a_value_saved_for_backward_raises(torch, data):
    """``y = x.exp(); y.add_(1); y.sum().backward()``: exp saved y, so backward refuses with PyTorch's error."""
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    try:
        y.sum().backward()
    except RuntimeError as err:
        return ["raised", "modified by an inplace operation" in str(err), x.grad is None]
    return ["no error", x.grad.tolist()]


@program()
def inplace_on_a_leaf_that_requires_grad_raises(torch, data):
    """``w = torch.ones(3, requires_grad=True); w += 1`` outside no_grad: refused, and w keeps its value."""
    w = torch.ones(3, requires_grad=True)
    printed = []
    try:
        w += 1
        printed.append("no error")
    except RuntimeError as err:
        message = str(err)
        printed.append([key in message for key in ("leaf Variable", "requires grad", "in-place operation")])
    printed.append(w.tolist())
    with torch.no_grad():
        w += 1
    printed.append([w.tolist(), w.requires_grad, w.is_leaf])
    return printed


# ------------------------------------------------------------------------------ custom torch.autograd.Function


@program(rtol=1e-5)
def function_legendre_p3_fit(torch, data):
    """PyTorch's tutorial: ``LegendrePolynomial3`` as a Function, fitted to sin(x) with manual updates."""

    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):  # noqa: A002  (the tutorial's name)
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors  # noqa: A001
            return grad_output * 1.5 * (5 * input**2 - 1)

    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    printed = []
    for t in range(1000):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            printed.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    printed.append([a.item(), b.item(), c.item(), d.item()])
    return printed


@program(rtol=1e-10)
def function_exp_relu_and_clamp(torch, data):
    """The docs' Exp (saves its result), the tutorial's MyReLU (``grad_input[input < 0] = 0``) and a clamp whose
    bounds are plain floats (backward returns ``None`` for them)."""

    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    class MyReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):  # noqa: A002  (the tutorial's name)
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors  # noqa: A001
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    seen = []

    class MyClamp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, lo, hi):
            ctx.save_for_backward(x)
            ctx.lo, ctx.hi = lo, hi
            return x.clamp(lo, hi)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            seen.append(list(ctx.needs_input_grad))
            grad_x = grad_output.clone()
            grad_x[(x < ctx.lo) | (x > ctx.hi)] = 0
            return grad_x, None, None

    x = torch.tensor(data["v5"], requires_grad=True)
    y = Exp.apply(x) + MyReLU.apply(x) * 3 + MyClamp.apply(x, -0.5, 0.5) ** 2
    y.sum().backward()
    return [y.tolist(), x.grad.tolist(), seen, str(y.grad_fn).split(" object at ")[0]]


@program(rtol=1e-10)
def function_needs_input_grad_and_gradcheck(torch, data):
    """A three-input Function that computes only the gradients ``ctx.needs_input_grad`` asks for; gradcheck on it."""
    calls = []

    class MulAdd(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, b):
            ctx.save_for_backward(x, w)
            return x * w + b

        @staticmethod
        def backward(ctx, grad_output):
            x, w = ctx.saved_tensors
            calls.append(tuple(ctx.needs_input_grad))
            grad_x = grad_w = grad_b = None
            if ctx.needs_input_grad[0]:
                grad_x = grad_output * w
            if ctx.needs_input_grad[1]:
                grad_w = grad_output * x
            if ctx.needs_input_grad[2]:
                grad_b = grad_output
            return grad_x, grad_w, grad_b

    x = torch.tensor(data["x34"])
    w = torch.tensor(data["w44"][:3], requires_grad=True)
    b = torch.tensor(data["b4"], requires_grad=True)
    out = MulAdd.apply(x, w, b)
    out.sum().backward()
    printed = [list(calls), out.requires_grad, x.grad is None, w.grad.tolist(), b.grad.tolist()]
    inputs = (
        torch.tensor(data["x34"], dtype=torch.float64, requires_grad=True),
        torch.tensor(data["w44"][:3], dtype=torch.float64, requires_grad=True),
        torch.tensor(data["b4"], dtype=torch.float64, requires_grad=True),
    )
    printed.append(torch.autograd.gradcheck(MulAdd.apply, inputs, eps=1e-6, atol=1e-4))
    printed.append(torch.autograd.gradcheck(lambda a, c: (a @ c.T).tanh().sum(dim=1), inputs[:2]))
    return printed


# ------------------------------------------------------------------ autograd.grad, retain_grad, register_hook


@program(rtol=1e-10)
def autograd_grad_with_and_without_retain_graph(torch, data):
    """``torch.autograd.grad(outputs, inputs, grad_outputs=None, retain_graph=None)``: gradients come back, .grad stays
    None."""
    x = torch.tensor(data["v5"], requires_grad=True)
    y = (x**3).sum()
    (dy_dx,) = torch.autograd.grad(y, x, retain_graph=True)
    (again,) = torch.autograd.grad(outputs=y, inputs=[x], grad_outputs=None, retain_graph=None)
    z = x.sin()
    (dz_dx,) = torch.autograd.grad(z, x, grad_outputs=torch.ones_like(z))
    w = torch.tensor(data["w44"], requires_grad=True)
    b = torch.tensor(data["b4"], requires_grad=True)
    loss = ((torch.tensor(data["x34"]) @ w + b).tanh() ** 2).mean()
    gw, gb = torch.autograd.grad(loss, [w, b])
    return [dy_dx.tolist(), again.tolist(), dz_dx.tolist(), gw.sum().item(), gb.tolist(), x.grad is None, w.grad]


@program(rtol=1e-10)
def retain_grad_and_register_hook(torch, data):
    """``retain_grad()`` on an intermediate, a hook that doubles its gradient, a hook on a leaf that records."""
    x = torch.tensor(data["v5"], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    h = x * 3
    h.retain_grad()
    h.register_hook(lambda g: g * 2)
    y = (h**2).sum()
    y.retain_grad()
    y.backward()
    return [seen, h.grad.tolist(), x.grad.tolist(), y.grad.item(), h.retains_grad, x.retains_grad, h.is_leaf]


# ---------------------------------------------------------------------------------------------- torch.utils.data


@program(rtol=1e-5)
def dataloader_over_tensor_dataset(torch, data):
    """``TensorDataset`` + ``DataLoader(batch_size, shuffle=False, drop_last=True)``, an nn.Linear fitted with SGD."""
    DataLoader, TensorDataset = torch.utils.data.DataLoader, torch.utils.data.TensorDataset  # noqa: N806
    X = torch.tensor(data["X_reg"], dtype=torch.float32)
    Y = torch.tensor(data["y_reg"], dtype=torch.float32)
    ds = TensorDataset(X, Y)
    loader = DataLoader(ds, batch_size=4, shuffle=False, drop_last=True)
    model = torch.nn.Linear(3, 1)
    model.weight = torch.nn.Parameter(torch.tensor(data["lin3"], dtype=torch.float32))
    model.bias = torch.nn.Parameter(torch.tensor(data["lin3_bias"], dtype=torch.float32))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    loss_fn = torch.nn.MSELoss()
    printed = [len(ds), len(loader), len(DataLoader(ds, batch_size=4)), [len(xb) for xb, _ in DataLoader(ds, 4)]]
    for _epoch in range(5):
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            printed.append(loss.item())
    printed.append(model.weight.flatten().tolist())
    return printed


@program(rtol=1e-5)
def dataloader_over_a_dataset_subclass(torch, data):
    """A ``Dataset`` subclass with ``__len__`` and ``__getitem__``; the default collate stacks the pairs."""

    class Squares(torch.utils.data.Dataset):
        def __init__(self, xs):
            self.xs = xs

        def __len__(self):
            return len(self.xs)

        def __getitem__(self, i):
            x = float(self.xs[i])
            return torch.tensor([x]), torch.tensor([x * x])

    ds = Squares(data["v5"])
    loader = torch.utils.data.DataLoader(ds, batch_size=2)
    printed = [len(ds), len(loader)]
    for xb, yb in loader:
        printed.append([list(xb.shape), str(xb.dtype), xb.flatten().tolist(), yb.flatten().tolist()])
    a = torch.tensor(0.0, requires_grad=True)
    for _epoch in range(10):
        for xb, yb in loader:
            loss = ((a * xb - yb) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                a -= 0.2 * a.grad
                a.grad.zero_()
    printed.append(a.item())
    return printed


@program(rtol=1e-10)
def dataloader_shuffled_with_a_generator(torch, data):
    """``shuffle=True, generator=torch.Generator().manual_seed(7)``: only what the order cannot change is compared
    (the items seen, the batch sizes, an epoch's accumulated gradient)."""
    X = torch.tensor(data["X_reg"])
    idx = torch.arange(10)
    g = torch.Generator().manual_seed(7)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, idx), batch_size=3, shuffle=True, generator=g
    )
    w = torch.tensor(data["w1"][:, 0], requires_grad=True)
    seen, sizes = [], []
    for xb, ib in loader:
        seen += ib.tolist()
        sizes.append(len(ib))
        loss = ((xb @ w) ** 2).sum()
        loss.backward()
    return [sorted(seen), sorted(sizes), str(ib.dtype), w.grad.tolist()]


# ------------------------------------------------------------------------------------- d2l's autograd chapter


@program(rtol=1e-5)
def d2l_autograd_chapter(torch, data):
    """d2l 2.5: ``2 * dot(x, x)``, ``grad.zero_()``, a sum, a non-scalar y, ``detach``, and control flow."""
    x = torch.arange(4.0, requires_grad=True)
    same_x = torch.arange(4.0)
    same_x.requires_grad_(True)  # the chapter's other spelling
    printed = [x.grad is None, same_x.requires_grad, str(x.dtype)]
    y = 2 * torch.dot(x, x)
    y.backward()
    printed += [y.item(), x.grad.tolist(), (x.grad == 4 * x).tolist()]
    x.grad.zero_()
    y = x.sum()
    y.backward()
    printed.append(x.grad.tolist())
    x.grad.zero_()
    y = x * x
    y.backward(gradient=torch.ones(len(y)))
    printed.append(x.grad.tolist())
    x.grad.zero_()
    y = x * x
    y.sum().backward()
    printed.append(x.grad.tolist())
    x.grad.zero_()
    y = x * x
    u = y.detach()
    z = u * x
    z.sum().backward()
    printed.append([(x.grad == u).tolist(), u.requires_grad])
    x.grad.zero_()
    y.sum().backward()
    printed.append((x.grad == 2 * x).tolist())

    def f(a):
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        if b.sum() > 0:
            c = b
        else:
            c = 100 * b
        return c

    a = torch.tensor(data["a_scalar"], dtype=torch.float32, requires_grad=True)
    d = f(a)
    d.backward()
    printed += [d.item(), a.grad.item(), (a.grad == d / a).item()]
    return printed


# ------------------------------------------------------------------- PyTorch's tutorial: a cubic fitted to sin(x)


@program(rtol=1e-5)
def cubic_fit_with_tensors_and_autograd(torch, data):
    """Tutorial "PyTorch: Tensors and autograd": no numpy, ``loss.item()`` every 100 steps, update under
    no_grad."""
    dtype = torch.float
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    a0, b0, c0, d0 = data["abcd"]
    a = torch.tensor(a0, device=device, dtype=dtype, requires_grad=True)
    b = torch.tensor(b0, device=device, dtype=dtype, requires_grad=True)
    c = torch.tensor(c0, device=device, dtype=dtype, requires_grad=True)
    d = torch.tensor(d0, device=device, dtype=dtype, requires_grad=True)
    learning_rate = 1e-6
    printed = []
    for t in range(2000):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            printed.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    printed.append(f"Result: y = {a.item():.4f} + {b.item():.4f} x + {c.item():.4f} x^2 + {d.item():.4f} x^3")
    return printed


@program(rtol=1e-5)
def cubic_fit_with_nn_sequential(torch, data):
    """Tutorial "PyTorch: nn": ``x.unsqueeze(-1).pow(p)``, ``Sequential(Linear(3, 1), Flatten(0, 1))``, MSELoss(sum),
    ``model.zero_grad()`` and ``param -= lr * param.grad`` under no_grad."""
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    model[0].weight = torch.nn.Parameter(torch.tensor(data["lin3"], dtype=torch.float32))
    model[0].bias = torch.nn.Parameter(torch.tensor(data["lin3_bias"], dtype=torch.float32))
    loss_fn = torch.nn.MSELoss(reduction="sum")
    learning_rate = 1e-6
    printed = [list(xx.shape), str(xx.dtype)]
    for t in range(2000):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if t % 100 == 99:
            printed.append(loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    linear_layer = model[0]
    printed.append(
        f"Result: y = {linear_layer.bias.item():.4f} + {linear_layer.weight[:, 0].item():.4f} x"
        f" + {linear_layer.weight[:, 1].item():.4f} x^2 + {linear_layer.weight[:, 2].item():.4f} x^3"
    )
    return printed


@program(rtol=1e-5)
def cubic_fit_with_optim_rmsprop_and_sgd(torch, data):
    """Tutorial "PyTorch: optim": the model trained by ``optim.RMSprop(lr=1e-3)``, then by ``optim.SGD``
    with momentum."""
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
    printed = []
    for make_optimizer in (
        lambda params: torch.optim.RMSprop(params, lr=1e-3),
        lambda params: torch.optim.SGD(params, lr=1e-6, momentum=0.9),
    ):
        model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
        model[0].weight = torch.nn.Parameter(torch.tensor(data["lin3"], dtype=torch.float32))
        model[0].bias = torch.nn.Parameter(torch.tensor(data["lin3_bias"], dtype=torch.float32))
        loss_fn = torch.nn.MSELoss(reduction="sum")
        optimizer = make_optimizer(model.parameters())
        for t in range(1000):
            loss = loss_fn(model(xx), y)
            if t % 100 == 99:
                printed.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        printed.append([model[0].bias.item()] + model[0].weight.flatten().tolist())
    return printed


@program(rtol=1e-5)
def cubic_fit_with_a_custom_module(torch, data):
    """Tutorial "PyTorch: Custom nn Modules": ``Polynomial3(torch.nn.Module)``, four scalar Parameters, SGD."""

    class Polynomial3(torch.nn.Module):
        def __init__(self, coefficients):
            super().__init__()
            self.a = torch.nn.Parameter(torch.tensor(float(coefficients[0])))
            self.b = torch.nn.Parameter(torch.tensor(float(coefficients[1])))
            self.c = torch.nn.Parameter(torch.tensor(float(coefficients[2])))
            self.d = torch.nn.Parameter(torch.tensor(float(coefficients[3])))

        def forward(self, x):
            return self.a + self.b * x + self.c * x**2 + self.d * x**3

        def string(self):
            a, b, c, d = self.a.item(), self.b.item(), self.c.item(), self.d.item()
            return f"y = {a:.4f} + {b:.4f} x + {c:.4f} x^2 + {d:.4f} x^3"

    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    model = Polynomial3(data["abcd"])
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    printed = [len(list(model.parameters())), [name for name, _ in model.named_parameters()]]
    for t in range(2000):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        if t % 100 == 99:
            printed.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    printed.append(f"Result: {model.string()}")
    return printed


# ------------------------------------------------------------------------------------------ a small classifier


def _classifier(torch, data, hidden_activation):
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), hidden_activation, torch.nn.Linear(16, 3))
    model[0].weight = torch.nn.Parameter(torch.tensor(data["W_cls1"], dtype=torch.float32))
    model[0].bias = torch.nn.Parameter(torch.tensor(data["b_cls1"], dtype=torch.float32))
    model[2].weight = torch.nn.Parameter(torch.tensor(data["W_cls2"], dtype=torch.float32))
    model[2].bias = torch.nn.Parameter(torch.tensor(data["b_cls2"], dtype=torch.float32))
    return model


@program()
def classifier_adam_steplr_clip(torch, data):
    """``F.cross_entropy``, ``optim.Adam``, ``lr_scheduler.StepLR``, ``clip_grad_norm_``, train()/eval() and the
    accuracy under no_grad."""
    F = torch.nn.functional  # noqa: N806
    X = torch.tensor(data["X_cls"], dtype=torch.float32)
    y = torch.tensor(data["y_cls"])
    model = _classifier(torch, data, torch.nn.ReLU())
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
    printed = [str(y.dtype)]
    for _epoch in range(30):
        model.train()
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        total_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        printed.append([loss.item(), total_norm.item(), scheduler.get_last_lr()[0]])
    model.eval()
    with torch.no_grad():
        pred = model(X).argmax(dim=1)
        accuracy = (pred == y).float().mean().item()
    printed += [accuracy, model.training, model[0].training]
    return printed


@program()
def classifier_adamw_param_groups(torch, data):
    """``nn.CrossEntropyLoss``, ``optim.AdamW(weight_decay=...)``, the learning rate changed through
    ``optimizer.param_groups``, mini-batches by slicing, ``torch.no_grad()`` evaluation with ``F.softmax``."""
    F = torch.nn.functional  # noqa: N806
    X = torch.tensor(data["X_cls"], dtype=torch.float32)
    y = torch.tensor(data["y_cls"])
    model = _classifier(torch, data, torch.nn.Tanh())
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.02, weight_decay=0.01)
    printed = [len(optimizer.param_groups), optimizer.param_groups[0]["lr"], optimizer.param_groups[0]["weight_decay"]]
    order = np.random.default_rng(3).permutation(len(data["y_cls"]))
    for epoch in range(6):
        if epoch == 3:
            for group in optimizer.param_groups:
                group["lr"] = 0.005
        for start in range(0, 90, 30):
            batch = torch.tensor(order[start : start + 30])
            loss = criterion(model(X[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            printed.append(loss.item())
    with torch.no_grad():
        probs = F.softmax(model(X), dim=1)
        printed += [probs[:3].tolist(), probs.sum(dim=1).mean().item(), (probs.argmax(1) == y).sum().item()]
    return printed


# ---------------------------------------------------------------------------------------- makemore (Karpathy)


@program()
def makemore_bigram_one_hot(torch, data):
    """Bigram net: ``F.one_hot(xs, num_classes=27).float() @ W``, counts/softmax by hand, ``probs[arange, ys]``,
    a regularised loss, ``W.grad = None`` and an update under no_grad; ``torch.randint`` for a minibatch."""
    F = torch.nn.functional  # noqa: N806
    xs = torch.tensor(data["xs_bigram"])
    ys = torch.tensor(data["ys_bigram"])
    num = xs.nelement()
    W = torch.tensor(data["W_bigram"], dtype=torch.float32, requires_grad=True)
    xenc = F.one_hot(xs, num_classes=27).float()
    printed = [num, list(xenc.shape), str(xenc.dtype)]
    for _k in range(15):
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
        W.grad = None
        loss.backward()
        with torch.no_grad():
            W += -10 * W.grad
        printed.append(loss.item())
    printed.append(torch.allclose(F.softmax(logits, dim=1), probs, atol=1e-6))
    g = torch.Generator().manual_seed(2147483647)
    ix = torch.randint(0, num, (32,), generator=g)
    printed += [list(ix.shape), str(ix.dtype), bool(((ix >= 0) & (ix < num)).all())]
    return printed


@program()
def makemore_mlp_embedding(torch, data):
    """The makemore MLP: ``C[X]`` embedding lookup, ``emb.view(-1, 6)``, tanh, ``F.cross_entropy``, parameters created
    then ``p.requires_grad = True``, ``p.data += -lr * p.grad``; the loss by hand; ``nn.Embedding`` gives C[X]."""
    F = torch.nn.functional  # noqa: N806
    X = torch.tensor(data["contexts"])
    Y = torch.tensor(data["next_chars"])
    C = torch.tensor(data["C"], dtype=torch.float32)
    W1 = torch.tensor(data["W_mlp1"], dtype=torch.float32)
    b1 = torch.tensor(data["b_mlp1"], dtype=torch.float32)
    W2 = torch.tensor(data["W_mlp2"], dtype=torch.float32)
    b2 = torch.tensor(data["b_mlp2"], dtype=torch.float32)
    parameters = [C, W1, b1, W2, b2]
    printed = [sum(p.nelement() for p in parameters)]
    for p in parameters:
        p.requires_grad = True
    for _i in range(20):
        emb = C[X]
        h = torch.tanh(emb.view(-1, 6) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Y)
        for p in parameters:
            p.grad = None
        loss.backward()
        for p in parameters:
            p.data += -0.1 * p.grad
        printed.append(loss.item())
    counts = logits.exp()
    prob = counts / counts.sum(1, keepdims=True)
    by_hand = -prob[torch.arange(X.shape[0]), Y].log().mean()
    printed += [list(emb.shape), by_hand.item()]
    embedding = torch.nn.Embedding(27, 2)
    embedding.weight = torch.nn.Parameter(C.detach().clone())
    printed.append(torch.allclose(embedding(X), C[X]))
    return printed


# -------------------------------------------------------------------------------------------------- printing


@program()
def printing_shapes_dtypes_devices_and_tensors(torch, data):
    """What ``print`` shows: shapes, dtypes, devices, grad_fn names, small tensors (with requires_grad and grad_fn)."""
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 2
    z = y.sum()
    z.backward()
    b = torch.tensor([1.5, -2.0], requires_grad=True)
    return [
        str(x.shape),
        str(x.size()),
        x.shape[0],
        list(x.shape),
        str(x.dtype),
        str(x.device),
        str(x.grad_fn),
        str(y.grad_fn).split(" object at ")[0],
        str(z.grad_fn).split(" object at ")[0],  # the op's name (type(z.grad_fn) is one Node class here)
        z.grad_fn.name(),
        [type(fn).__name__ for fn, _ in (b * 2).grad_fn.next_functions],
        [type(fn).__name__ for fn, _ in (2 * b).grad_fn.next_functions],
        str(x),
        str(y),
        str(z),
        str(x.grad),
        repr(torch.tensor([1, 2, 3])),
        str(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)),
        str(torch.zeros(2, 3)),
        str(torch.tensor(3.5)),
        str(torch.arange(5)),
        str(torch.tensor([True, False])),
        str(x.detach()),
        str(torch.Tensor([1, 2, 3])),
        str(torch.Tensor(2, 3).shape),
    ]


# ------------------------------------------------------------------------------------------------- the tests


@functools.cache
def _torch_result(name: str):
    fn, _, _ = PROGRAMS[name]
    return fn(real_torch, make_data())


def _differences(ours, theirs, rtol: float, atol: float, prefix: str, where: str = "printed") -> list[str]:
    """Every place where ``ours`` differs from ``theirs``: numbers beyond the tolerance, strings that differ once
    PyTorch's ``torch.`` is spelled ``prefix``, booleans, None and the shape of nested lists."""
    if isinstance(theirs, str):
        same = isinstance(ours, str) and ours == theirs.replace("torch.", prefix)
    elif isinstance(theirs, (bool, np.bool_)) or theirs is None:
        same = isinstance(ours, (bool, np.bool_)) and ours == theirs if theirs is not None else ours is None
    elif isinstance(theirs, (list, tuple)):
        if not isinstance(ours, (list, tuple)) or len(ours) != len(theirs):
            return [f"{where}: {ours!r} != {theirs!r}"]
        return [
            d
            for i, (a, b) in enumerate(zip(ours, theirs))
            for d in _differences(a, b, rtol, atol, prefix, f"{where}[{i}]")
        ]
    elif isinstance(theirs, int):
        same = type(ours) is int and ours == theirs  # a count or a class index prints without a decimal point
    else:
        same = isinstance(ours, (int, float)) and not isinstance(ours, bool)
        same = same and bool(np.allclose(ours, theirs, rtol=rtol, atol=atol))
    return [] if same else [f"{where}: {ours!r} != {theirs!r}"]


def assert_prints_the_same(ours, theirs, rtol: float, atol: float, prefix: str = "mini_autograd.") -> None:
    differences = _differences(ours, theirs, rtol, atol, prefix)
    assert not differences, f"{len(differences)} differences (rtol {rtol}, atol {atol}):\n" + "\n".join(differences)


def test_there_are_twenty_programs_or_more():
    assert len(PROGRAMS) >= 20


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_runs_on_pytorch(name):
    """Every program is real PyTorch: it runs to the end on torch (the result is kept for the comparison below)."""
    printed = _torch_result(name)
    assert isinstance(printed, list) and printed


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_prints_the_same_on_mini_autograd(name):
    import mini_autograd  # here, not at the top: the PyTorch half of the file runs even while the engine is broken

    fn, rtol, atol = PROGRAMS[name]
    theirs = _torch_result(name)
    ours = fn(mini_autograd, make_data())
    assert_prints_the_same(ours, theirs, rtol, atol)


@pytest.mark.parametrize("lib", ["mini_autograd", "torch"])
def test_a_seed_gives_the_same_draws_twice(lib):
    """mini_autograd keeps its own random stream: the same seed must give the same draws, factories, layers and
    shuffles alike."""
    m = importlib.import_module(lib)

    def draws():
        out = [m.randn(4).tolist(), m.rand(2, 2).tolist(), m.randint(0, 10, (5,)).tolist(), m.randperm(6).tolist()]
        out.append(m.nn.Linear(3, 2).weight.tolist())
        ds = m.utils.data.TensorDataset(m.arange(10))
        out.append([b.tolist() for (b,) in m.utils.data.DataLoader(ds, batch_size=4, shuffle=True)])
        g = m.Generator().manual_seed(5)
        out.append([b.tolist() for (b,) in m.utils.data.DataLoader(ds, batch_size=4, shuffle=True, generator=g)])
        out.append(m.randint(0, 27, (8,), generator=m.Generator().manual_seed(2147483647)).tolist())
        return out

    m.manual_seed(1234)
    first = draws()
    m.manual_seed(1234)
    second = draws()
    assert first == second
    m.manual_seed(4321)
    assert draws() != first
