"""mini_autograd against PyTorch (CPU, one thread) and a hand-written numpy forward+backward (the floor).

    python bench/bench_engine.py              # the full table (a few minutes)
    python bench/bench_engine.py --quick      # a smoke run
    python bench/bench_engine.py --markdown   # the table as Markdown, for the docs

For each workload the three implementations run interleaved in one process, one repetition of each in turn, so
machine noise hits all of them alike; each repetition times a batch of iterations and the table reports the median
time per iteration and the ratios. Before timing, every workload checks that the three compute the same gradients.
This is a benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # single-threaded BLAS, before numpy
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import mini_autograd as ag  # noqa: E402
import mini_autograd.nn.functional as AF  # noqa: E402

torch.set_num_threads(1)


# ---------------------------------------------------------------------------------------------- workloads
# Each workload returns {"mini": fn, "torch": fn, "floor": fn}; every fn runs one iteration and returns the
# gradients it computed (as numpy arrays), which are compared once before timing.


def seed_example():
    """f = (x + y) * max(y, z) at x=1, y=2, z=0 on 0-d float32 tensors: forward, backward, read the grads."""
    xs = [ag.tensor(v, requires_grad=True) for v in (1.0, 2.0, 0.0)]
    ts = [torch.tensor(v, requires_grad=True) for v in (1.0, 2.0, 0.0)]
    ns = [np.array(v, dtype=np.float32) for v in (1.0, 2.0, 0.0)]

    def mini():
        x, y, z = xs
        x.grad = y.grad = z.grad = None
        ((x + y) * ag.maximum(y, z)).backward()
        return [x.grad.data, y.grad.data, z.grad.data]

    def tor():
        x, y, z = ts
        x.grad = y.grad = z.grad = None
        ((x + y) * torch.maximum(y, z)).backward()
        return [x.grad, y.grad, z.grad]

    def floor():
        x, y, z = ns
        a = x + y
        b = np.maximum(y, z)
        # f = a * b;  df/da = b, df/db = a;  max routes df/db to y (ties split, as in PyTorch)
        share_y = (y > z) + 0.5 * (y == z)
        return [b, b + a * share_y, a * (1 - share_y)]

    return {"mini": mini, "torch": tor, "floor": floor}


CHAIN_OPS = 2000


def scalar_chain():
    """2000 scalar ops: x = tanh((x * 1.001 + 0.01)) * x0, repeated, forward and backward."""

    def build(lib):
        x0 = lib.tensor(0.5, requires_grad=True)

        def run():
            x0.grad = None
            x = x0
            for _ in range(CHAIN_OPS // 4):
                x = ((x * 1.001 + 0.01).tanh()) * x0
            x.backward()
            return [x0.grad.data if lib is ag else x0.grad]

        return run

    x0 = np.array(0.5, dtype=np.float32)
    c1, c2 = np.float32(1.001), np.float32(0.01)

    def floor():
        saved = []
        x = x0
        for _ in range(CHAIN_OPS // 4):
            t = np.tanh(x * c1 + c2)
            saved.append(t)
            x = t * x0
        g = np.float32(1.0)
        g0 = np.float32(0.0)
        for t in reversed(saved):
            g0 = g0 + g * t  # d(t * x0)/dx0
            g = g * x0 * (1 - t * t) * c1  # back through * x0, tanh, * 1.001
        return [g0 + g]

    return {"mini": build(ag), "torch": build(torch), "floor": floor}


def _moons(n=100, seed=0):
    """Two interleaving half circles with noise (sklearn's make_moons, without sklearn)."""
    rng = np.random.default_rng(seed)
    half = n // 2
    t1, t2 = np.linspace(0, np.pi, half), np.linspace(0, np.pi, n - half)
    x = np.concatenate([np.c_[np.cos(t1), np.sin(t1)], np.c_[1 - np.cos(t2), 0.5 - np.sin(t2)]])
    x += rng.normal(0, 0.1, x.shape)
    y = np.concatenate([np.ones(half), -np.ones(n - half)])
    return x.astype(np.float32), y.astype(np.float32)


def _init(sizes, seed=0):
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, (fan_out,)).astype(np.float32))
    return params


def demo_mlp():
    """micrograd's demo: a 2-16-16-1 ReLU MLP on 100 moons points, SVM hinge loss + 1e-4 L2, one SGD step."""
    x, y = _moons()
    init = _init([2, 16, 16, 1])
    lr, alpha = 0.05, 1e-4

    def build(lib):
        ps = [lib.tensor(p.copy(), requires_grad=True) for p in init]
        xt, yt = lib.tensor(x), lib.tensor(y)
        grad_ctx = ag.no_grad if lib is ag else torch.no_grad

        def run():
            for p in ps:
                p.grad = None
            w1, b1, w2, b2, w3, b3 = ps
            h = lib.relu(xt @ w1.T + b1)
            h = lib.relu(h @ w2.T + b2)
            score = (h @ w3.T + b3).reshape(-1)
            loss = lib.relu(1 - yt * score).mean() + alpha * sum((p * p).sum() for p in ps)
            loss.backward()
            grads = [p.grad.data.copy() if lib is ag else p.grad.clone() for p in ps]
            with grad_ctx():
                for p in ps:
                    p -= lr * p.grad
            return grads

        return run, ps

    mini, mini_ps = build(ag)
    tor, torch_ps = build(torch)
    floor_ps = [p.copy() for p in init]

    def floor():
        w1, b1, w2, b2, w3, b3 = floor_ps
        z1 = x @ w1.T + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2.T + b2
        h2 = np.maximum(z2, 0)
        score = (h2 @ w3.T + b3).reshape(-1)
        margin = 1 - y * score
        n = len(y)
        g_score = np.where(margin > 0, -y, 0).astype(np.float32) / n
        g_z3 = g_score[:, None]
        grads = [None] * 6
        grads[4], grads[5] = g_z3.T @ h2, g_z3.sum(0)
        g_z2 = (g_z3 @ w3) * (z2 > 0)
        grads[2], grads[3] = g_z2.T @ h1, g_z2.sum(0)
        g_z1 = (g_z2 @ w2) * (z1 > 0)
        grads[0], grads[1] = g_z1.T @ x, g_z1.sum(0)
        grads = [g + 2 * alpha * p for g, p in zip(grads, floor_ps)]
        for p, g in zip(floor_ps, grads):
            p -= lr * g
        return grads

    return {"mini": mini, "torch": tor, "floor": floor}


def softmax_mlp(batch):
    """A 64-128-10 ReLU MLP with softmax cross-entropy at the given batch size: forward, backward, SGD step."""

    def make():
        rng = np.random.default_rng(1)
        x = rng.standard_normal((batch, 64)).astype(np.float32)
        t = rng.integers(0, 10, batch)
        init = _init([64, 128, 10], seed=2)
        lr = 0.01

        def build(lib):
            ps = [lib.tensor(p.copy(), requires_grad=True) for p in init]
            xt, tt = lib.tensor(x), lib.tensor(t)
            if lib is ag:
                opt, F = ag.optim.SGD(ps, lr=lr), AF
            else:
                opt, F = torch.optim.SGD(ps, lr=lr), torch.nn.functional

            def run():
                opt.zero_grad()
                w1, b1, w2, b2 = ps
                loss = F.cross_entropy(F.linear(F.relu(F.linear(xt, w1, b1)), w2, b2), tt)
                loss.backward()
                grads = [p.grad.data.copy() if lib is ag else p.grad.clone() for p in ps]
                opt.step()
                return grads

            return run

        floor_ps = [p.copy() for p in init]
        rows = np.arange(batch)

        def floor():
            w1, b1, w2, b2 = floor_ps
            z1 = x @ w1.T + b1
            h = np.maximum(z1, 0)
            logits = h @ w2.T + b2
            e = np.exp(logits - logits.max(1, keepdims=True))
            g = e / e.sum(1, keepdims=True)
            g[rows, t] -= 1
            g /= batch
            grads = [None, None, g.T @ h, g.sum(0)]
            gz1 = (g @ w2) * (z1 > 0)
            grads[0], grads[1] = gz1.T @ x, gz1.sum(0)
            for p, gr in zip(floor_ps, grads):
                p -= lr * gr
            return grads

        return {"mini": build(ag), "torch": build(torch), "floor": floor}

    return make


WORKLOADS = {
    "seed f=(x+y)max(y,z)": seed_example,
    "scalar chain, 2000 ops": scalar_chain,
    "demo MLP 2-16-16-1, 100 pts": demo_mlp,
    "MLP 64-128-10, batch 64": softmax_mlp(64),
    "MLP 64-128-10, batch 512": softmax_mlp(512),
}


# ------------------------------------------------------------------------------------------------ timing


def _check_same(name, impls):
    results = {
        k: [np.asarray(g.detach().numpy() if hasattr(g, "detach") else g, dtype=np.float64) for g in fn()]
        for k, fn in impls.items()
    }
    for k in ("torch", "floor"):
        for i, (a, b) in enumerate(zip(results["mini"], results[k])):
            if a.shape != b.shape or not np.allclose(a, b, rtol=1e-4, atol=1e-5):
                sys.exit(f"{name}: gradient {i} of mini_autograd differs from {k}:\n{a}\n{b}")


def _batch_size(fn, target_s=0.01):
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start >= target_s or n >= 1 << 16:
            return n
        n *= 2


def measure(name, make, rounds):
    impls = make()
    _check_same(name, impls)
    impls = make()  # fresh state: the check above took a step
    sizes = {k: _batch_size(fn) for k, fn in impls.items()}
    times = {k: [] for k in impls}
    gc_was = gc.isenabled()
    for _ in range(rounds):
        for k, fn in impls.items():
            n = sizes[k]
            start = time.perf_counter_ns()
            for _ in range(n):
                fn()
            times[k].append((time.perf_counter_ns() - start) / n / 1000)
    if gc_was:
        gc.enable()
    return {k: statistics.median(v) for k, v in times.items()}


def bytes_per_node(n=100_000):
    """Memory a graph node costs: a chain of n scalar multiplications kept alive, measured by tracemalloc for
    mini_autograd (all its memory is Python's) and by the growth of the resident set size of a fresh interpreter
    for PyTorch (its graph lives in C++, where tracemalloc does not look)."""

    def mini_bytes():
        x = ag.tensor(0.5, requires_grad=True)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        y = x
        for _ in range(n):
            y = y * 1.0000001
        used = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        del y
        return used / n

    def torch_bytes():
        # A fresh interpreter: in this one, memory freed by earlier workloads would be reused and hide the growth.
        code = (
            "import gc, os, torch\n"
            "def rss():\n"
            "    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')\n"
            "x = torch.tensor(0.5, requires_grad=True)\n"
            "gc.collect(); before = rss(); y = x\n"
            f"for _ in range({n}): y = y * 1.0000001\n"
            f"print((rss() - before) / {n})\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return float(out.stdout)

    return statistics.median(mini_bytes() for _ in range(3)), statistics.median(torch_bytes() for _ in range(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds per workload (default 30)")
    parser.add_argument("--only", default=None, help="run only workloads whose name contains this text")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 30)

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__} (1 thread), "
        f"mini_autograd {ag.__version__}; median of {rounds} interleaved rounds; times per iteration in us"
    )
    rows = []
    for name, make in WORKLOADS.items():
        if args.only and args.only not in name:
            continue
        t = measure(name, make, rounds)
        rows.append((name, t["mini"], t["torch"], t["floor"]))
        print(f"  measured {name}", file=sys.stderr)

    header = ["workload", "mini_autograd", "PyTorch", "numpy floor", "mini/torch", "mini/floor", "torch/floor"]
    lines = [
        [name, f"{m:,.1f}", f"{t:,.1f}", f"{f:,.1f}", f"{m / t:.2f}", f"{m / f:.2f}", f"{t / f:.2f}"]
        for name, m, t, f in rows
    ]
    if not args.only or "memory" in args.only:
        mini_b, torch_b = bytes_per_node(20_000 if args.quick else 100_000)
        ratio = f"{mini_b / torch_b:.2f}"
        lines.append(["bytes per graph node", f"{mini_b:,.0f}", f"{torch_b:,.0f}", "", ratio, "", ""])
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(len(header))]
        for r in [header, *lines]:
            print("  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths))))


if __name__ == "__main__":
    main()
