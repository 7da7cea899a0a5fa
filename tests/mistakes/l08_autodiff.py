"""Realistic wrong answers for lesson 08_autodiff; each must fail a visible check whose message names it."""

from mistakes import Mistake

LESSON = "08_autodiff"
MISTAKES = [
    # ---------------------------------------------------------------- exercise 1: the Jacobian row by row
    Mistake(
        "ex1",
        "one leaf for every row, its .grad never reset: rows add up",
        """
def jacobian_by_rows(f, x):
    xt = ag.tensor(x, dtype=ag.float64, requires_grad=True)
    m = f(xt).shape[0]
    rows = []
    for i in range(m):
        upstream = np.zeros(m)
        upstream[i] = 1.0
        f(xt).backward(upstream)
        rows.append(xt.grad.numpy().copy())
    return np.stack(rows)
""",
        words=["adds up"],
    ),
    Mistake(
        "ex1",
        "an upstream vector of ones instead of one-hot",
        """
def jacobian_by_rows(f, x):
    m = f(ag.tensor(x, dtype=ag.float64)).shape[0]
    rows = []
    for i in range(m):
        xt = ag.tensor(x, dtype=ag.float64, requires_grad=True)
        f(xt).backward(np.ones(m))
        rows.append(xt.grad.numpy())
    return np.stack(rows)
""",
        words=["one-hot"],
    ),
    Mistake(
        "ex1",
        "rows stacked as columns: the Jacobian transposed",
        """
def jacobian_by_rows(f, x):
    m = f(ag.tensor(x, dtype=ag.float64)).shape[0]
    rows = []
    for i in range(m):
        xt = ag.tensor(x, dtype=ag.float64, requires_grad=True)
        upstream = np.zeros(m)
        upstream[i] = 1.0
        f(xt).backward(upstream)
        rows.append(xt.grad.numpy())
    return np.stack(rows, axis=1)
""",
        words=["transposed"],
    ),
    Mistake(
        "ex1",
        "x.grad zeroed in place after each row, the stored rows all alias one array",
        """
def jacobian_by_rows(f, x):
    xt = ag.tensor(x, dtype=ag.float64, requires_grad=True)
    m = f(xt).shape[0]
    rows = []
    for i in range(m):
        if xt.grad is not None:
            xt.grad.zero_()
        upstream = np.zeros(m)
        upstream[i] = 1.0
        f(xt).backward(upstream)
        rows.append(xt.grad.data)
    return np.stack(rows)
""",
        words=["copy"],
    ),
    # ---------------------------------------------------------------- exercise 2: a layer's VJP by hand
    Mistake(
        "ex2",
        "the upstream gradient v is ignored",
        """
def layer_vjp(W, b, x, v):
    y = np.tanh(W @ x + b)
    g = 1 - y**2
    return {"x": W.T @ g, "W": np.outer(g, x), "b": g}
""",
        words=["upstream"],
    ),
    Mistake(
        "ex2",
        "the derivative of tanh taken as 1 - a**2 at the pre-activation",
        """
def layer_vjp(W, b, x, v):
    a = W @ x + b
    g = v * (1 - a**2)
    return {"x": W.T @ g, "W": np.outer(g, x), "b": g}
""",
        words=["pre-activation"],
    ),
    Mistake(
        "ex2",
        "the derivative of tanh forgotten",
        """
def layer_vjp(W, b, x, v):
    g = v
    return {"x": W.T @ g, "W": np.outer(g, x), "b": g}
""",
        words=["derivative of tanh"],
    ),
    Mistake(
        "ex2",
        "the weight gradient transposed: outer(x, g)",
        """
def layer_vjp(W, b, x, v):
    y = np.tanh(W @ x + b)
    g = v * (1 - y**2)
    return {"x": W.T @ g, "W": np.outer(x, g), "b": g}
""",
        words=["transposed"],
    ),
    Mistake(
        "ex2",
        "W instead of its transpose for the input gradient",
        """
def layer_vjp(W, b, x, v):
    y = np.tanh(W @ x + b)
    g = v * (1 - y**2)
    return {"x": W @ g, "W": np.outer(g, x), "b": g}
""",
        words=["transpose"],
    ),
    Mistake(
        "ex2",
        "1 - y instead of 1 - y**2",
        """
def layer_vjp(W, b, x, v):
    y = np.tanh(W @ x + b)
    g = v * (1 - y)
    return {"x": W.T @ g, "W": np.outer(g, x), "b": g}
""",
        words=["derivative of tanh"],
    ),
    # ---------------------------------------------------------------- exercise 3: a JVP by forward mode
    Mistake(
        "ex3",
        "the biases given a tangent",
        """
def mlp_jvp(W1, b1, W2, b2, x, u):
    a, a_dot = W1 @ x + b1, W1 @ u + b1
    h = np.tanh(a)
    h_dot = (1 - h**2) * a_dot
    return W2 @ h + b2, W2 @ h_dot + b2
""",
        words=["bias"],
    ),
    Mistake(
        "ex3",
        "the derivative of tanh at the pre-activation",
        """
def mlp_jvp(W1, b1, W2, b2, x, u):
    a, a_dot = W1 @ x + b1, W1 @ u
    h = np.tanh(a)
    h_dot = (1 - a**2) * a_dot
    return W2 @ h + b2, W2 @ h_dot
""",
        words=["pre-activation"],
    ),
    Mistake(
        "ex3",
        "the tangent passes tanh unchanged",
        """
def mlp_jvp(W1, b1, W2, b2, x, u):
    a, a_dot = W1 @ x + b1, W1 @ u
    h = np.tanh(a)
    return W2 @ h + b2, W2 @ a_dot
""",
        words=["derivative of tanh"],
    ),
    Mistake(
        "ex3",
        "the tangent started from x instead of the direction u",
        """
def mlp_jvp(W1, b1, W2, b2, x, u):
    a, a_dot = W1 @ x + b1, W1 @ x
    h = np.tanh(a)
    h_dot = (1 - h**2) * a_dot
    return W2 @ h + b2, W2 @ h_dot
""",
        words=["direction"],
    ),
    Mistake(
        "ex3",
        "the pair returned in the wrong order",
        """
def mlp_jvp(W1, b1, W2, b2, x, u):
    a, a_dot = W1 @ x + b1, W1 @ u
    h = np.tanh(a)
    h_dot = (1 - h**2) * a_dot
    return W2 @ h_dot, W2 @ h + b2
""",
        words=["order"],
    ),
    # ---------------------------------------------------------------- exercise 4: checkpointed backward
    Mistake(
        "ex4",
        "the forward pass records the graph: nothing is saved",
        """
def checkpointed_backward(Ws, x, v, every):
    checkpoints = {}
    h = x
    for k, W in enumerate(Ws):
        if k % every == 0:
            checkpoints[k] = h
        h = layer(W, h)
    g = v
    for start in sorted(checkpoints, reverse=True):
        h0 = checkpoints[start].detach().requires_grad_()
        h = h0
        for W in Ws[start : start + every]:
            h = layer(W, h)
        h.backward(g)
        g = h0.grad
    return g, checkpoints
""",
        words=["no_grad"],
    ),
    Mistake(
        "ex4",
        "checkpoints taken after a segment's first layer: off by one",
        """
def checkpointed_backward(Ws, x, v, every):
    checkpoints = {}
    with ag.no_grad():
        h = x
        for k, W in enumerate(Ws):
            h = layer(W, h)
            if (k + 1) % every == 0:
                checkpoints[k + 1] = h
    g = v
    for start in sorted(checkpoints, reverse=True):
        h0 = checkpoints[start].detach().requires_grad_()
        h = h0
        for W in Ws[start : start + every]:
            h = layer(W, h)
        h.backward(g)
        g = h0.grad
    return g, checkpoints
""",
        words=["off-by-one"],
    ),
    Mistake(
        "ex4",
        "segments one layer too long: a layer recomputed in two segments",
        """
def checkpointed_backward(Ws, x, v, every):
    checkpoints = {}
    with ag.no_grad():
        h = x
        for k, W in enumerate(Ws):
            if k % every == 0:
                checkpoints[k] = h
            h = layer(W, h)
    g = v
    for start in sorted(checkpoints, reverse=True):
        h0 = checkpoints[start].detach().requires_grad_()
        h = h0
        for W in Ws[start : start + every + 1]:
            h = layer(W, h)
        h.backward(g)
        g = h0.grad
    return g, checkpoints
""",
        words=["overlap"],
    ),
    Mistake(
        "ex4",
        "the upstream gradient v used for every segment",
        """
def checkpointed_backward(Ws, x, v, every):
    checkpoints = {}
    with ag.no_grad():
        h = x
        for k, W in enumerate(Ws):
            if k % every == 0:
                checkpoints[k] = h
            h = layer(W, h)
    for start in sorted(checkpoints, reverse=True):
        h0 = checkpoints[start].detach().requires_grad_()
        h = h0
        for W in Ws[start : start + every]:
            h = layer(W, h)
        h.backward(v)
        g = h0.grad
    return g, checkpoints
""",
        words=["upstream"],
    ),
    Mistake(
        "ex4",
        "segments recomputed from a stale activation (the last value of h) instead of their checkpoint",
        """
def checkpointed_backward(Ws, x, v, every):
    checkpoints = {}
    with ag.no_grad():
        h = x
        for k, W in enumerate(Ws):
            if k % every == 0:
                checkpoints[k] = h
            h = layer(W, h)
    g = v
    for start in sorted(checkpoints, reverse=True):
        h0 = h.detach().requires_grad_()
        h = h0
        for W in Ws[start : start + every]:
            h = layer(W, h)
        h.backward(g)
        g = h0.grad
    return g, checkpoints
""",
        words=["stale"],
    ),
    Mistake(
        "ex4",
        "the last, shorter segment skipped",
        """
def checkpointed_backward(Ws, x, v, every):
    checkpoints = {}
    with ag.no_grad():
        h = x
        for k, W in enumerate(Ws):
            if k % every == 0:
                checkpoints[k] = h
            h = layer(W, h)
    g = v
    for start in reversed(range(0, len(Ws) - every + 1, every)):
        h0 = checkpoints[start].detach().requires_grad_()
        h = h0
        for W in Ws[start : start + every]:
            h = layer(W, h)
        h.backward(g)
        g = h0.grad
    return g, checkpoints
""",
        words=["shorter"],
    ),
]
# Mutants (automatic mutations of the solution cells) that cannot change the result, by name, with why:
EQUIVALENT = {}
