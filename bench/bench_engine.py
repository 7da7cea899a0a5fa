"""Benchmark mini_autograd against PyTorch (CPU, one thread) and a hand-written numpy forward+backward (the floor).

    python bench/bench_engine.py              # the full table (about two minutes on 2 cores, three with micrograd)
    python bench/bench_engine.py --quick      # a smoke run in seconds
    python bench/bench_engine.py --markdown   # the table as Markdown, for the docs
    python bench/bench_engine.py --only mlp64 # one workload by its key; other text picks every name containing it
    python bench/bench_engine.py --only raw   # the MLPs written with raw tensors (also: f32, f64, nn, demo-raw)
    python bench/bench_engine.py --profile --only chain   # where mini_autograd spends its time (cProfile)

For every workload the implementations run interleaved in one process: one repetition of each in turn (the order
rotating from round to round), many rounds, so noise on the machine hits all of them alike. A repetition times a
batch of iterations sized to take about 10 ms; the table gives the median time per iteration and the ratios of the
medians. Before timing, every workload checks once that all implementations compute the same gradients, and stops
with a message if they do not. This is a benchmark, not a test: nothing here asserts a time.

If Karpathy's micrograd (``pip install micrograd==0.1.0``) is importable, it is timed too, in its own scalar style,
on the demo MLP and on a scalar chain; without it that part is skipped.
"""

from __future__ import annotations

import os

# Single-threaded BLAS and OpenMP: set before numpy or torch is imported, or they have started their thread pools.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

if sys.argv[1:3] != ["--_memory-child", "mini"]:  # the process measuring mini_autograd's memory runs without torch
    import torch

    torch.set_num_threads(1)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's mini_autograd, not an installed one
import mini_autograd as ag  # noqa: E402

try:  # optional: Karpathy's scalar engine, PyPI micrograd==0.1.0
    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn
except ImportError:
    mg_engine = mg_nn = None

# An implementation is a function running one iteration (forward, backward, any update) and returning its output
# (the loss) followed by the gradients it computed, as whatever its library holds them in: returning references
# costs nothing, and they are converted and compared once, before timing.
Impl = Callable[[], list]
IMPL_NAMES = ("mini", "torch", "floor")
MICROGRAD_MLP_ROUNDS = 5  # micrograd's demo MLP: about a second per step, so fewer rounds
TARGET_REPETITION_NS = 10_000_000  # each timed repetition runs about 10 ms of iterations (a single iteration if longer)
# Wall time (perf_counter_ns) is what the table reports; the thread's CPU time is taken alongside, to tell how much
# of the wall time this process actually ran: on a busy machine it waits for a core, and every number grows.
USE_CPU_CLOCK = False  # --cpu-time: report the thread's CPU time instead, which waiting for a core does not inflate
CLOCK_TOTALS = {"wall": 0, "cpu": 0}


def to_numpy(g) -> np.ndarray:
    """A value from any of the implementations as a float64 numpy array, copied (a parameter updated in place by a
    later step does not change it). ``detach().numpy()`` works on both libraries, whatever ``.data`` is."""
    if hasattr(g, "detach"):  # a mini_autograd or PyTorch tensor
        g = g.detach().numpy()
    return np.array(g, dtype=np.float64)


# ================================================================================================== workloads
# 1. The seed example


def seed_example() -> dict[str, Impl]:
    """f = (x + y) * max(y, z) at x=1, y=2, z=0 on 0-d float32 tensors: forward, backward, read the three grads."""
    mx, my, mz = (ag.tensor(v, requires_grad=True) for v in (1.0, 2.0, 0.0))
    tx, ty, tz = (torch.tensor(v, requires_grad=True) for v in (1.0, 2.0, 0.0))
    nx, ny, nz = (np.array(v, dtype=np.float32) for v in (1.0, 2.0, 0.0))
    maximum, tmaximum = ag.maximum, torch.maximum
    half = np.float32(0.5)

    def mini():
        mx.grad = my.grad = mz.grad = None
        f = (mx + my) * maximum(my, mz)
        f.backward()
        return [f, mx.grad, my.grad, mz.grad]

    def tor():
        tx.grad = ty.grad = tz.grad = None
        f = (tx + ty) * tmaximum(ty, tz)
        f.backward()
        return [f, tx.grad, ty.grad, tz.grad]

    def floor():
        a = nx + ny
        m = np.maximum(ny, nz)
        f = a * m
        # df/da = m, df/dm = a; max sends df/dm to the larger input, half to each on a tie (PyTorch's rule)
        share = (ny > nz) + half * (ny == nz)
        return [f, m, m + a * share, a * (1 - share)]

    return {"mini": mini, "torch": tor, "floor": floor}


# 2. A long chain of scalar ops
# Each block of five ops: x = x * w; x = x + b; x = tanh(x); x = x * 1.1; x = x + (-0.01), with leaves x0, w, b.
# The constants keep x near 0.08 and the gradient of x0 near 6e-5 after 2000 ops: no overflow, no denormals.
CHAIN_LEAVES = (0.5, 0.9, 0.01)  # x0, w, b
CHAIN_SCALE, CHAIN_SHIFT = 1.1, -0.01


def _chain_fn(lib, n_ops: int) -> Impl:
    x0, w, b = (lib.tensor(v, requires_grad=True) for v in CHAIN_LEAVES)
    blocks, rest = divmod(n_ops, 5)
    s, k = CHAIN_SCALE, CHAIN_SHIFT

    def run():
        x0.grad = w.grad = b.grad = None
        x = x0
        for _ in range(blocks):
            x = (x * w + b).tanh() * s + k
        for i in range(rest):  # a chain whose length is not a multiple of 5 ends with a partial block
            x = x * w if i == 0 else x + b if i == 1 else x.tanh() if i == 2 else x * s
        x.backward()
        return [x, x0.grad, w.grad, b.grad]

    return run


def _chain_floor(n_ops: int) -> Impl:
    x0, w, b = (np.array(v, dtype=np.float32) for v in CHAIN_LEAVES)
    s, k = np.float32(CHAIN_SCALE), np.float32(CHAIN_SHIFT)
    blocks, rest = divmod(n_ops, 5)
    if rest:
        raise ValueError("the floor of the chain is written for whole blocks of 5 ops")
    tanh = np.tanh

    def floor():
        saved = []  # per block, what the backward pass needs: the block's input and its tanh
        append = saved.append
        x = x0
        for _ in range(blocks):
            t = tanh(x * w + b)
            append((x, t))
            x = t * s + k
        g = np.float32(1.0)
        gw = gb = np.float32(0.0)
        for x_in, t in reversed(saved):
            dv = g * s * (1 - t * t)  # through + k, * s, tanh
            gb = gb + dv
            gw = gw + dv * x_in
            g = dv * w
        return [x, g, gw, gb]

    return floor


CHAIN_OPS = 2000


def scalar_chain(n_ops: int = CHAIN_OPS) -> dict[str, Impl]:
    """A chain of n_ops scalar ops (mul, add, tanh) mixing three leaves: forward and backward."""
    return {"mini": _chain_fn(ag, n_ops), "torch": _chain_fn(torch, n_ops), "floor": _chain_floor(n_ops)}


# 3. micrograd's demo MLP, batched


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles with Gaussian noise, labels +1/-1 (sklearn's make_moons, without sklearn)."""
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    x = np.concatenate([np.c_[np.cos(t_out), np.sin(t_out)], np.c_[1 - np.cos(t_in), 0.5 - np.sin(t_in)]])
    x += rng.normal(0.0, noise, x.shape)
    y = np.concatenate([np.ones(n_out), -np.ones(n_in)])
    return x.astype(np.float32), y.astype(np.float32)


def init_params(sizes: list[int], seed: int) -> list[np.ndarray]:
    """[W1, b1, W2, b2, ...], W of shape (out, in), uniform in +-1/sqrt(in) as PyTorch initialises nn.Linear."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / math.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, (fan_out,)).astype(np.float32))
    return params


def make_sequential(lib, sizes: list[int], init: list[np.ndarray]):
    """nn.Sequential(Linear, ReLU, ..., Linear) in mini_autograd or torch, in init's dtype, parameters set to init."""
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i:
            layers.append(lib.nn.ReLU())
        layers.append(lib.nn.Linear(fan_in, fan_out))
    model = lib.nn.Sequential(*layers).to(lib_dtype(lib, init[0].dtype))
    names = [name for name, _ in model.named_parameters()]
    model.load_state_dict({n: lib.tensor(p.copy()) for n, p in zip(names, init)})
    return model


def lib_dtype(lib, dt):
    """The library's float32 or float64 for a numpy dtype."""
    return lib.float64 if np.dtype(dt) == np.float64 else lib.float32


# The MLP workloads come in two forms, each in float32 and float64:
# - "nn": nn.Sequential of nn.Linear and nn.ReLU, optim.SGD (zero_grad, step), as the tutorials end up writing it;
# - "raw": the loop as students first write it, with raw tensors: x @ W + b (W of shape (in, out)), relu, an L2 term
#   over every parameter, and a manual update under no_grad(): p -= lr * p.grad, then p.grad = None.
# Each form is one function taking the library module, run unchanged on mini_autograd and on PyTorch, as a student's
# `import mini_autograd as torch` would. An implementation returns the loss, the gradients and then the parameters
# after the update (references: they are compared once, right after one step, before timing).

DEMO_SIZES = [2, 16, 16, 1]
DEMO_LR, DEMO_ALPHA = 0.05, 1e-4


def demo_nn_step(lib, x: np.ndarray, y: np.ndarray, init: list[np.ndarray]) -> Impl:
    """micrograd's demo with nn.Sequential and optim.SGD: hinge loss + 1e-4 L2 over all parameters, one SGD step."""
    model = make_sequential(lib, DEMO_SIZES, init)
    params = list(model.parameters())
    opt = lib.optim.SGD(params, lr=DEMO_LR)
    xt, yt = lib.tensor(x), lib.tensor(y)
    relu = lib.nn.functional.relu

    def step():
        opt.zero_grad()
        score = model(xt).reshape(-1)
        data_loss = relu(1 - yt * score).mean()
        reg_loss = DEMO_ALPHA * sum((p * p).sum() for p in params)  # micrograd's demo: all parameters
        loss = data_loss + reg_loss
        loss.backward()
        opt.step()
        return [loss, *(p.grad for p in params), *params]

    return step


def demo_raw_step(lib, x: np.ndarray, y: np.ndarray, init: list[np.ndarray]) -> Impl:
    """micrograd's demo with raw tensors: x @ W + b, relu, hinge loss + 1e-4 L2, a manual update under no_grad()."""
    xt, yt = lib.tensor(x), lib.tensor(y)
    params = [lib.tensor(p.copy(), requires_grad=True) for p in init]
    W1, b1, W2, b2, W3, b3 = params

    def step():
        h1 = lib.relu(xt @ W1 + b1)
        h2 = lib.relu(h1 @ W2 + b2)
        score = (h2 @ W3 + b3).reshape(-1)
        data_loss = lib.relu(1 - yt * score).mean()
        reg_loss = DEMO_ALPHA * sum((p * p).sum() for p in params)
        loss = data_loss + reg_loss
        loss.backward()
        grads = [p.grad for p in params]  # kept for the check before timing: the update clears them
        with lib.no_grad():
            for p in params:
                p -= DEMO_LR * p.grad
                p.grad = None
        return [loss, *grads, *params]

    return step


def _transposed(p: np.ndarray) -> np.ndarray:
    return p.T if p.ndim == 2 else p


def demo_floor(x: np.ndarray, y: np.ndarray, init: list[np.ndarray], nn_layout: bool) -> Impl:
    """The demo by hand in numpy, in x's dtype: forward with the loss, backward by the chain rule, the SGD update.
    The maths runs on weights of shape (in, out); with nn_layout the parameters are nn.Linear's (out, in), used
    through transposed views (free), so the update lands in them and the gradients come back in their layout."""
    dt = x.dtype.type
    ps = [p.copy() for p in init]
    ws = [_transposed(p) for p in ps] if nn_layout else ps  # (in, out) views of the same memory
    out = _transposed if nn_layout else lambda g: g
    n = len(y)
    alpha, alpha2, lr = dt(DEMO_ALPHA), dt(2 * DEMO_ALPHA), dt(DEMO_LR)

    def floor():
        w1, b1, w2, b2, w3, b3 = ws
        z1 = x @ w1 + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2 + b2
        h2 = np.maximum(z2, 0)
        score = (h2 @ w3 + b3)[:, 0]
        margin = 1 - y * score
        loss = np.maximum(margin, 0).mean() + alpha * sum(np.vdot(p, p) for p in ps)
        # d mean(relu(1 - y * score)) / d score = -y / n where the margin is positive
        g3 = (np.where(margin > 0, -y, 0) / n).astype(dt)[:, None]
        g2 = (g3 @ w3.T) * (z2 > 0)
        g1 = (g2 @ w2.T) * (z1 > 0)
        grads = [x.T @ g1, g1.sum(0), h1.T @ g2, g2.sum(0), h2.T @ g3, g3.sum(0)]
        for w, g in zip(ws, grads):
            g += alpha2 * w  # d(alpha * sum p^2) / dp
            w -= lr * g
        return [loss, *map(out, grads), *ps]

    return floor


def demo_mlp(raw: bool, dt: type) -> Callable[[], dict[str, Impl]]:
    def make() -> dict[str, Impl]:
        """micrograd's demo: 2-16-16-1 ReLU MLP on 100 moons points, hinge loss + 1e-4 L2, one SGD step, batched."""
        x, y = (a.astype(dt) for a in make_moons())
        init = [p.astype(dt) for p in init_params(DEMO_SIZES, seed=0)]
        if raw:
            init = [_transposed(p).copy() for p in init]  # x @ W + b: W of shape (in, out)
        student = demo_raw_step if raw else demo_nn_step
        impls = {key: student(lib, x, y, init) for key, lib in (("mini", ag), ("torch", torch))}
        impls["floor"] = demo_floor(x, y, init, nn_layout=not raw)
        return impls

    return make


# 4. A softmax classifier MLP at two batch sizes


MLP_SIZES = [64, 128, 10]
MLP_LR, MLP_ALPHA = 0.01, 1e-4  # MLP_ALPHA: the raw form's L2 term (the nn form has none)


def mlp_nn_step(lib, x: np.ndarray, target: np.ndarray, init: list[np.ndarray]) -> Impl:
    """nn.Sequential, F.cross_entropy, optim.SGD: zero_grad, forward, backward, step."""
    model = make_sequential(lib, MLP_SIZES, init)
    params = list(model.parameters())
    opt = lib.optim.SGD(params, lr=MLP_LR)
    xt, tt = lib.tensor(x), lib.tensor(target)
    cross_entropy = lib.nn.functional.cross_entropy

    def step():
        opt.zero_grad()
        loss = cross_entropy(model(xt), tt)
        loss.backward()
        opt.step()
        return [loss, *(p.grad for p in params), *params]

    return step


def mlp_raw_step(lib, x: np.ndarray, target: np.ndarray, init: list[np.ndarray]) -> Impl:
    """Raw tensors, cross-entropy written out as in Karpathy's makemore lectures (max subtracted, exp, sum, log, the
    targets' entries picked by indexing, mean), + 1e-4 L2 over every parameter, a manual update under no_grad()."""
    xt, tt = lib.tensor(x), lib.tensor(target)
    rows = lib.arange(len(target))
    params = [lib.tensor(p.copy(), requires_grad=True) for p in init]
    W1, b1, W2, b2 = params

    def step():
        h = lib.relu(xt @ W1 + b1)
        logits = h @ W2 + b2
        shifted = logits - logits.max(1, keepdim=True).values
        log_probs = shifted - shifted.exp().sum(1, keepdim=True).log()
        data_loss = -log_probs[rows, tt].mean()
        loss = data_loss + MLP_ALPHA * sum((p * p).sum() for p in params)
        loss.backward()
        grads = [p.grad for p in params]
        with lib.no_grad():
            for p in params:
                p -= MLP_LR * p.grad
                p.grad = None
        return [loss, *grads, *params]

    return step


def mlp_floor(x: np.ndarray, target: np.ndarray, init: list[np.ndarray], nn_layout: bool, l2: bool) -> Impl:
    """The classifier by hand in numpy, in x's dtype (weights as in demo_floor); l2: the raw form's L2 term.
    The max subtracted from the logits changes neither the loss nor the gradients (its gradient sums to zero), so
    the floor, like any hand-written softmax, only uses it for stability."""
    dt = x.dtype.type
    ps = [p.copy() for p in init]
    ws = [_transposed(p) for p in ps] if nn_layout else ps
    out = _transposed if nn_layout else lambda g: g
    batch = len(target)
    rows = np.arange(batch)
    alpha, alpha2, lr = dt(MLP_ALPHA), dt(2 * MLP_ALPHA), dt(MLP_LR)

    def floor():
        w1, b1, w2, b2 = ws
        z1 = x @ w1 + b1
        h = np.maximum(z1, 0)
        logits = h @ w2 + b2
        shifted = logits - logits.max(1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(1, keepdims=True)
        loss = np.mean(np.log(s[:, 0]) - shifted[rows, target])  # mean of logsumexp - logit of the target
        if l2:
            loss = loss + alpha * sum(np.vdot(p, p) for p in ps)
        g = e / s  # d mean CE / d logits = (softmax - onehot) / batch
        g[rows, target] -= 1
        g /= batch
        gz1 = (g @ w2.T) * (z1 > 0)
        grads = [x.T @ gz1, gz1.sum(0), h.T @ g, g.sum(0)]
        for w, gr in zip(ws, grads):
            if l2:
                gr += alpha2 * w
            w -= lr * gr
        return [loss, *map(out, grads), *ps]

    return floor


def softmax_mlp(batch: int, raw: bool, dt: type) -> Callable[[], dict[str, Impl]]:
    def make() -> dict[str, Impl]:
        """64-128-10 Linear-ReLU-Linear, softmax cross-entropy, forward + backward + SGD step."""
        rng = np.random.default_rng(1)
        x = rng.standard_normal((batch, 64)).astype(dt)
        target = rng.integers(0, 10, batch)
        init = [p.astype(dt) for p in init_params(MLP_SIZES, seed=2)]
        if raw:
            init = [_transposed(p).copy() for p in init]
        student = mlp_raw_step if raw else mlp_nn_step
        impls = {key: student(lib, x, target, init) for key, lib in (("mini", ag), ("torch", torch))}
        impls["floor"] = mlp_floor(x, target, init, nn_layout=not raw, l2=raw)
        return impls

    return make


# ---------------------------------------------------------------------------------- micrograd, in its own style


def _mg_tanh(v):
    """tanh for micrograd 0.1.0 (which has none), written as its own ops are."""
    t = math.tanh(v.data)
    out = mg_engine.Value(t, (v,), "tanh")

    def _backward():
        v.grad += (1 - t * t) * out.grad

    out._backward = _backward
    return out


def mg_chain(n_ops: int) -> Impl:
    Value = mg_engine.Value
    x0, w, b = (Value(v) for v in CHAIN_LEAVES)

    def run():
        x0.grad = w.grad = b.grad = 0
        x = x0
        for i in range(n_ops):
            op = i % 5
            if op == 0:
                x = x * w
            elif op == 1:
                x = x + b
            elif op == 2:
                x = _mg_tanh(x)
            elif op == 3:
                x = x * CHAIN_SCALE
            else:
                x = x + CHAIN_SHIFT
        x.backward()
        return [x.data, x0.grad, w.grad, b.grad]

    return run


def mg_demo_mlp() -> Impl:
    """micrograd's demo notebook, step for step: scalar Values, hinge loss, L2 over all parameters, SGD."""
    Value = mg_engine.Value
    x, y = make_moons()
    init = init_params(DEMO_SIZES, seed=0)
    model = mg_nn.MLP(DEMO_SIZES[0], DEMO_SIZES[1:])
    for layer, w, b in zip(model.layers, init[0::2], init[1::2]):
        for neuron, w_row, b_j in zip(layer.neurons, w, b):
            for wi, v in zip(neuron.w, w_row):
                wi.data = float(v)
            neuron.b.data = float(b_j)
    params = model.parameters()
    xs, ys = x.astype(float).tolist(), y.astype(float).tolist()

    def step():
        inputs = [list(map(Value, row)) for row in xs]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = DEMO_ALPHA * sum(p * p for p in params)
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        for p in params:
            p.data -= DEMO_LR * p.grad
        grads = [total_loss.data]
        for layer in model.layers:
            grads.append([[wi.grad for wi in neuron.w] for neuron in layer.neurons])
            grads.append([neuron.b.grad for neuron in layer.neurons])
        for layer in model.layers:  # the parameters after the update
            grads.append([[wi.data for wi in neuron.w] for neuron in layer.neurons])
            grads.append([neuron.b.data for neuron in layer.neurons])
        return grads

    return step


def mg_recursion_limit(max_ops: int = CHAIN_OPS) -> int | None:
    """The shortest chain on which micrograd's recursive topological sort raises RecursionError (None: none up
    to max_ops)."""

    def fails(n):
        try:
            mg_chain(n)()
        except RecursionError:
            return True
        return False

    if not fails(max_ops):
        return None
    lo, hi = 1, max_ops  # fails(hi) is True
    while lo < hi:
        mid = (lo + hi) // 2
        if fails(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def gc_off_ms(fn: Impl, steps: int = 3) -> float:
    """Median milliseconds of one call of fn with the cyclic garbage collector disabled."""
    clock = time.thread_time_ns if USE_CPU_CLOCK else time.perf_counter_ns
    times = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(steps):
            start = clock()
            fn()
            times.append((clock() - start) / 1e6)
    finally:
        gc.enable()
        gc.collect()
    return statistics.median(times)


# ================================================================================================ measurement


@dataclass
class Workload:
    key: str
    name: str
    make: Callable[[], dict[str, Impl]]
    labels: tuple[str, ...]  # the gradients each implementation returns after the output, in order
    rtol: float = 1e-4


MLP_LABELS = ("W1", "b1", "W2", "b2")
DEMO_LABELS = (*MLP_LABELS, "W3", "b3")
DTYPES = (("f32", np.float32), ("f64", np.float64))


def _mlp_workloads() -> list[Workload]:
    """The demo MLP and the classifier at batch 64 and 512, each in the nn and raw forms, float32 and float64. Keys:
    demo, mlp64, mlp512 (nn, float32, as before), with -f64 (nn, float64), -raw-f32 and -raw-f64 (raw tensors)."""
    out = []
    models = (
        ("demo", "demo MLP 2-16-16-1, 100 pts", DEMO_LABELS, demo_mlp),
        ("mlp64", "MLP 64-128-10, batch 64", MLP_LABELS, lambda raw, dt: softmax_mlp(64, raw, dt)),
        ("mlp512", "MLP 64-128-10, batch 512", MLP_LABELS, lambda raw, dt: softmax_mlp(512, raw, dt)),
    )
    for key, name, labels, make in models:
        for dname, dt in DTYPES:
            for raw in (False, True):
                form = "raw" if raw else "nn"
                suffix = f"-raw-{dname}" if raw else "" if dname == "f32" else f"-{dname}"
                checked = (*labels, *(f"{label} after the update" for label in labels))
                out.append(Workload(key + suffix, f"{name}, {form} {dname}", make(raw, dt), checked))
    return out


WORKLOADS = [
    Workload("seed", "seed f=(x+y)*max(y,z)", seed_example, ("x", "y", "z")),
    Workload("chain", f"scalar chain, {CHAIN_OPS} ops", scalar_chain, ("x0", "w", "b"), rtol=1e-3),
    *_mlp_workloads(),
]
MEMORY_KEY, MEMORY_NAME = "memory", "bytes per graph node"


ALL_KEYS = (*(wl.key for wl in WORKLOADS), MEMORY_KEY)


def selected(key: str, name: str, only: str | None) -> bool:
    """--only NAME: a workload's key picks that workload alone; other text, every workload whose key or name
    contains it (--only raw, --only f64, --only mlp64-raw)."""
    if only is None:
        return True
    only = only.lower()
    return key == only if only in ALL_KEYS else only in key or only in name.lower()


def check_gradients(name: str, impls: dict[str, Impl], rtol: float, labels: tuple[str, ...] = ()) -> None:
    """Run each implementation once and stop the benchmark if its output or any gradient differs from the floor's."""
    got = {k: [to_numpy(g) for g in fn()] for k, fn in impls.items()}
    ref = got["floor"]
    for k, grads in got.items():
        if k == "floor":
            continue
        if len(grads) != len(ref):
            sys.exit(f"ABORT {name}: {k} returned {len(grads)} values, the numpy floor {len(ref)}")
        for i, (a, b) in enumerate(zip(grads, ref)):
            what = "the output (loss)" if i == 0 else f"gradient {i} ({labels[i - 1] if labels else '?'})"
            atol = 1e-6 + 1e-5 * float(np.max(np.abs(b), initial=0.0))
            if a.shape != b.shape or not np.allclose(a, b, rtol=rtol, atol=atol):
                diff = np.max(np.abs(a - b)) if a.shape == b.shape else f"shapes {a.shape} vs {b.shape}"
                sys.exit(
                    f"ABORT {name}: {what} of {k} differs from the numpy floor's (max abs difference {diff}).\n"
                    f"{k}: {a.ravel()[:8]}\nfloor: {b.ravel()[:8]}\n"
                    "The implementations must compute the same maths before their times mean anything."
                )


def iterations_per_repetition(fn: Impl) -> int:
    """How many iterations make a repetition of about TARGET_REPETITION_NS (at least one)."""
    fn()  # warm up: first calls allocate, fill caches, initialise lazily
    start = time.perf_counter_ns()
    fn()
    elapsed = time.perf_counter_ns() - start
    if elapsed >= TARGET_REPETITION_NS:  # slow (micrograd's MLP): one iteration per repetition, no more warm-up
        return 1
    fn()
    n = 1
    while True:
        start = time.perf_counter_ns()
        for _ in itertools.repeat(None, n):
            fn()
        elapsed = time.perf_counter_ns() - start
        if elapsed >= TARGET_REPETITION_NS / 4 or n >= 1 << 20:
            break
        n *= 4
    return max(1, round(TARGET_REPETITION_NS * n / max(elapsed, 1)))


def time_interleaved(impls: dict[str, Impl], rounds: int) -> dict[str, list[float]]:
    """Per-iteration times in microseconds, one sample per round and implementation, the order rotating."""
    sizes = {k: iterations_per_repetition(fn) for k, fn in impls.items()}
    samples: dict[str, list[float]] = {k: [] for k in impls}
    order = list(impls)
    wall_clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    gc.collect()
    for r in range(rounds):
        shift = r % len(order)
        for k in order[shift:] + order[:shift]:
            fn, n = impls[k], sizes[k]
            wall, cpu = wall_clock(), cpu_clock()
            for _ in itertools.repeat(None, n):
                fn()
            cpu, wall = cpu_clock() - cpu, wall_clock() - wall
            CLOCK_TOTALS["wall"] += wall
            CLOCK_TOTALS["cpu"] += cpu
            samples[k].append((cpu if USE_CPU_CLOCK else wall) / n / 1000)
    return samples


@dataclass
class Row:
    name: str
    mini: float
    torch: float
    floor: float | None
    spread: dict[str, float]  # interquartile range / median, per implementation
    unit: str = "us"


def summarise(name: str, samples: dict[str, list[float]]) -> tuple[Row, dict[str, float]]:
    med = {k: statistics.median(v) for k, v in samples.items()}
    spread = {}
    for k, v in samples.items():
        if len(v) >= 4:
            q1, _, q3 = statistics.quantiles(v, n=4)
            spread[k] = (q3 - q1) / med[k]
    return Row(name, med["mini"], med.get("torch", math.nan), med["floor"], spread), med


# -------------------------------------------------------------------------------------------------- memory

MEMORY_OPS = 100_000


def _build_chain(lib, n_ops: int, leaves):
    """The chain of workload 2, n_ops long, kept alive: every node holds what its backward needs."""
    x0, w, b = leaves
    x = x0
    for _ in range(n_ops // 5):
        x = (x * w + b).tanh() * CHAIN_SCALE + CHAIN_SHIFT
    return x


def _build_floor_chain(n_ops: int):
    """The floor's equivalent: the list of (block input, tanh) pairs its backward pass reads."""
    x0, w, b = (np.array(v, dtype=np.float32) for v in CHAIN_LEAVES)
    s, k = np.float32(CHAIN_SCALE), np.float32(CHAIN_SHIFT)
    saved = []
    x = x0
    for _ in range(n_ops // 5):
        t = np.tanh(x * w + b)
        saved.append((x, t))
        x = t * s + k
    return saved


def traced_bytes_per_op(build: Callable[[], object], n_ops: int) -> float:
    """Bytes that tracemalloc sees allocated and still alive after build(), per op."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = build()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del kept
    gc.collect()
    return used / n_ops


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _memory_child(lib_name: str, n_ops: int) -> None:
    """Run in a fresh interpreter: growth of the resident set size while the chain is built, per op, as JSON."""
    lib = torch if lib_name == "torch" else ag
    leaves = [lib.tensor(v, requires_grad=True) for v in CHAIN_LEAVES]
    warm = _build_chain(lib, 500, leaves)  # first-use allocations (autograd engine, caches) outside the count
    warm.backward()
    del warm
    gc.collect()
    before = _rss()
    kept = _build_chain(lib, n_ops, leaves)
    grown = _rss() - before
    print(json.dumps({"bytes_per_op": grown / n_ops}))
    del kept


def rss_bytes_per_op(lib_name: str, n_ops: int, repeats: int) -> list[float]:
    """RSS growth per op, each measurement in a fresh interpreter: in this one, memory freed by earlier
    workloads would be reused and hide the growth. torch's graph lives in C++, where tracemalloc does not look."""
    out = []
    for _ in range(repeats):
        proc = subprocess.run(
            [sys.executable, __file__, "--_memory-child", lib_name, "--_memory-ops", str(n_ops)],
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            sys.exit(f"ABORT memory: the {lib_name} child process failed:\n{proc.stderr}")
        out.append(json.loads(proc.stdout.strip().splitlines()[-1])["bytes_per_op"])
    return out


def measure_memory(n_ops: int, repeats: int, cross_check: bool) -> tuple[Row, list[str]]:
    mini_leaves = [ag.tensor(v, requires_grad=True) for v in CHAIN_LEAVES]
    mini = [traced_bytes_per_op(lambda: _build_chain(ag, n_ops, mini_leaves), n_ops) for _ in range(repeats)]
    floor = [traced_bytes_per_op(lambda: _build_floor_chain(n_ops), n_ops) for _ in range(repeats)]
    have_statm = os.path.exists("/proc/self/statm")
    tor = rss_bytes_per_op("torch", n_ops, repeats) if have_statm else [math.nan]
    notes = [
        f"bytes per graph node: a {n_ops:,}-op chain of workload 2 kept alive; mini_autograd and the floor (its "
        "list of saved values) by tracemalloc, torch by resident-set growth in a fresh interpreter; median of "
        f"{repeats} measurements"
    ]
    if have_statm and cross_check:
        mini_rss = rss_bytes_per_op("mini", n_ops, repeats)
        notes.append(
            f"cross-check: mini_autograd by resident-set growth, the method used for torch: "
            f"{statistics.median(mini_rss):,.0f} bytes per node"
        )
    elif not have_statm:
        notes.append("no /proc/self/statm on this system: torch's memory not measured")
    row = Row(MEMORY_NAME, statistics.median(mini), statistics.median(tor), statistics.median(floor), {}, "B")
    return row, notes


# ------------------------------------------------------------------------------------------------- reporting


def fmt(v: float | None, unit: str = "us") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if unit == "B":
        return f"{v:,.0f}"
    return f"{v:,.2f}" if v < 10 else f"{v:,.1f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or not b or math.isnan(a) or math.isnan(b):
        return ""
    return f"{a / b:.2f}"


def print_table(header: list[str], lines: list[list[str]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
        for line in lines:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
    for r in [header, *lines]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))


def versions_header(rounds: int, clock: str) -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    blas = ""
    try:
        import threadpoolctl

        info = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
        if info:
            b = info[0]
            blas = f", BLAS {b.get('internal_api')} {b.get('version')} ({b.get('num_threads')} thread)"
    except ImportError:
        pass
    mg = "micrograd found" if mg_engine is not None else "micrograd not installed"
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return [
        f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__} "
        f"({torch.get_num_threads()} thread), mini_autograd {ag.__version__}; {mg}",
        f"{cpu}, {os.cpu_count()} cores{blas}; load average {load} (1, 5, 15 min) at the start",
        f"median of {rounds} interleaved rounds, each repetition ~{TARGET_REPETITION_NS // 1_000_000} ms; "
        f"{clock} in µs per iteration (forward + backward + update)",
    ]


def profile_mini(workloads: list[Workload], seconds: float) -> None:
    """cProfile mini_autograd's implementation of each workload for about `seconds`, top functions by own time."""
    for wl in workloads:
        fn = wl.make()["mini"]
        fn()
        n = iterations_per_repetition(fn)
        reps = max(1, round(seconds * 1e9 / TARGET_REPETITION_NS / 3))  # cProfile slows the code about 3x
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(reps * n):
            fn()
        prof.disable()
        print(f"\n=== {wl.name}: mini_autograd, {reps * n} iterations under cProfile ===")
        pstats.Stats(prof).strip_dirs().sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few rounds and a short memory chain: a smoke run")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds per workload (default 200)")
    parser.add_argument(
        "--only",
        metavar="NAME",
        default=None,
        help="one workload by its key (seed, chain, demo, demo-raw-f64, mlp64-f64, mlp512-raw-f32, memory, ...), "
        "or those whose key or name contains NAME (raw, f64, mlp64-raw)",
    )
    parser.add_argument("--markdown", action="store_true", help="print the results table as Markdown")
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="report the thread's CPU time instead of wall time (steadier on a machine busy with other work)",
    )
    parser.add_argument("--profile", action="store_true", help="profile mini_autograd on the workloads instead")
    parser.add_argument("--_memory-child", dest="memory_child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--_memory-ops", dest="memory_ops", type=int, default=MEMORY_OPS, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.memory_child:
        _memory_child(args.memory_child, args.memory_ops)
        return
    global USE_CPU_CLOCK
    USE_CPU_CLOCK = args.cpu_time
    rounds = args.rounds or (5 if args.quick else 200)
    workloads = [wl for wl in WORKLOADS if selected(wl.key, wl.name, args.only)]
    if args.profile:
        profile_mini(workloads, seconds=0.5 if args.quick else 3.0)
        return
    want_memory = selected(MEMORY_KEY, MEMORY_NAME, args.only)
    if not workloads and not want_memory:
        sys.exit(f"--only {args.only!r} matches no workload")

    bullet = "- " if args.markdown else ""  # the lines around the tables, as a Markdown list
    for line in versions_header(rounds, "thread CPU time" if args.cpu_time else "wall time"):
        print(bullet + line)
    print()

    rows: list[Row] = []
    mg_lines: list[list[str]] = []
    mg_notes: list[str] = []
    started = time.perf_counter()
    for wl in workloads:
        print(f"  {wl.name} ...", file=sys.stderr, flush=True)
        impls = wl.make()
        if mg_engine is not None and wl.key == "demo":
            impls["micrograd"] = mg_demo_mlp()
        check_gradients(wl.name, impls, wl.rtol, wl.labels)
        mg_impl = impls.pop("micrograd", None)
        row, _ = summarise(wl.name, time_interleaved(impls, rounds))
        rows.append(row)
        if mg_impl is not None:  # a second set of rounds, fewer: one micrograd step takes a second or more
            print("  micrograd on the demo MLP ...", file=sys.stderr, flush=True)
            trio = {"mini": impls["mini"], "floor": impls["floor"], "micrograd": mg_impl}
            _, med = summarise("", time_interleaved(trio, 1 if args.quick else min(rounds, MICROGRAD_MLP_ROUNDS)))
            mg_lines.append(_mg_line(wl.name, med))
            mg_notes.append(
                f"micrograd's demo step with the garbage collector off: {gc_off_ms(mg_impl):,.0f} ms. Its graph has "
                "reference cycles (each node's _backward closure holds the node), so only the collector frees it, and "
                "the collections it triggers walk the whole live graph; mini_autograd's graph has no cycles."
            )

    if mg_engine is not None and selected("chain", "scalar chain", args.only):
        print("  micrograd on the scalar chain ...", file=sys.stderr, flush=True)
        limit = mg_recursion_limit(CHAIN_OPS)
        n_short = CHAIN_OPS if limit is None else min(500, 5 * ((limit - 1) // 10))
        if limit is not None:
            mg_lines.append([f"scalar chain, {CHAIN_OPS} ops", f"RecursionError from {limit} ops", "", "", ""])
            mg_notes.append(
                f"micrograd's recursive topological sort raises RecursionError on a chain of {limit} ops or more "
                f"(Python's recursion limit is {sys.getrecursionlimit()}); mini_autograd's backward is iterative."
            )
        impls = scalar_chain(n_short)
        del impls["torch"]
        impls["micrograd"] = mg_chain(n_short)
        check_gradients(f"scalar chain, {n_short} ops", impls, rtol=1e-3, labels=("x0", "w", "b"))
        _, med = summarise("", time_interleaved(impls, rounds))
        mg_lines.append(_mg_line(f"scalar chain, {n_short} ops", med))

    notes: list[str] = []
    if want_memory:
        print("  memory ...", file=sys.stderr, flush=True)
        mem_row, notes = measure_memory(20_000 if args.quick else MEMORY_OPS, 1 if args.quick else 5, not args.quick)
        rows.append(mem_row)
    print(f"  done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    header = ["workload", "mini_autograd", "torch", "numpy floor", "mini/torch", "mini/floor", "torch/floor"]
    lines = [
        [r.name, fmt(r.mini, r.unit), fmt(r.torch, r.unit), fmt(r.floor, r.unit)]
        + [ratio(r.mini, r.torch), ratio(r.mini, r.floor), ratio(r.torch, r.floor)]
        for r in rows
    ]
    print_table(header, lines, args.markdown)
    print()
    for note in notes:
        print(bullet + note)
    if CLOCK_TOTALS["wall"]:
        share = CLOCK_TOTALS["cpu"] / CLOCK_TOTALS["wall"]
        hint = "" if USE_CPU_CLOCK else "; rerun, or try --cpu-time"
        busy = f" (the machine was busy: times are inflated and noisy{hint})" if share < 0.9 else ""
        print(f"{bullet}CPU share: this process ran {share:.0%} of the timed wall time{busy}")
    timed = [r for r in rows if r.spread]
    if timed:
        worst = {k: max(r.spread.get(k, 0.0) for r in timed) for k in IMPL_NAMES}
        print(
            f"{bullet}noise: interquartile range of the rounds, as a fraction of the median, at most "
            + ", ".join(f"{k} {v:.1%}" for k, v in worst.items())
        )

    print()
    if mg_engine is None:
        print("micrograd: skipped (not installed; `pip install micrograd==0.1.0` to include it)")
    elif mg_lines:
        print("micrograd 0.1.0 (Karpathy's scalar engine) in its own style, interleaved with mini_autograd, floor:")
        print()
        print_table(
            ["workload", "micrograd", "mini_autograd", "numpy floor", "micrograd/mini"], mg_lines, args.markdown
        )
        print()
        for note in mg_notes:
            print(bullet + note)


def _mg_line(name: str, med: dict[str, float]) -> list[str]:
    return [name, fmt(med["micrograd"]), fmt(med["mini"]), fmt(med["floor"]), ratio(med["micrograd"], med["mini"])]


if __name__ == "__main__":
    main()
