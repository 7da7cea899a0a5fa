"""Realistic wrong answers for lesson 04_forward_backward; each must fail a visible check whose message names it."""

from mistakes import Mistake

LESSON = "04_forward_backward"

_FORWARD = """
def forward(x, y, w):
    y_hat = w * x
    s = y_hat - y
    return y_hat, s, s**2
"""
_LOCAL = """
def local_gradients(x, y, w):
    s = w * x - y
    return 2 * s, 1.0, x
"""

MISTAKES = [
    # ---------------------------------------------------------------- exercise 1: forward, local_gradients
    Mistake(
        "ex1",
        "dy_hat/dw = w instead of x",
        _FORWARD
        + """
def local_gradients(x, y, w):
    s = w * x - y
    return 2 * s, 1.0, w
""",
        words=["x, not w"],
    ),
    Mistake(
        "ex1",
        "drops the 2 of the square's derivative",
        _FORWARD
        + """
def local_gradients(x, y, w):
    s = w * x - y
    return s, 1.0, x
""",
        words=["factor 2"],
    ),
    Mistake(
        "ex1",
        "uses lesson 5's loss with the 1/2",
        """
def forward(x, y, w):
    y_hat = w * x
    s = y_hat - y
    return y_hat, s, 0.5 * s**2


def local_gradients(x, y, w):
    s = w * x - y
    return s, 1.0, x
""",
        words=["1/2", "lesson 5"],
    ),
    Mistake(
        "ex1",
        "error as label minus prediction",
        """
def forward(x, y, w):
    y_hat = w * x
    s = y - y_hat
    return y_hat, s, s**2


def local_gradients(x, y, w):
    s = y - w * x
    return 2 * s, 1.0, x
""",
        words=["prediction minus label"],
    ),
    Mistake(
        "ex1",
        "forgets to square the error",
        """
def forward(x, y, w):
    y_hat = w * x
    s = y_hat - y
    return y_hat, s, s
"""
        + _LOCAL,
        words=["square"],
    ),
    Mistake(
        "ex1",
        "ds/dy_hat = -1",
        _FORWARD
        + """
def local_gradients(x, y, w):
    s = w * x - y
    return 2 * s, -1.0, x
""",
        words=["grows with y_hat"],
    ),
    Mistake(
        "ex1",
        "dy_hat/dw taken as the constant 1 of the worked example",
        _FORWARD
        + """
def local_gradients(x, y, w):
    s = w * x - y
    return 2 * s, 1.0, 1.0
""",
        words=["depends on the example"],
    ),
    Mistake(
        "ex1",
        "adds w and x in the model",
        """
def forward(x, y, w):
    y_hat = w + x
    s = y_hat - y
    return y_hat, s, s**2
"""
        + _LOCAL,
        words=["multiplies"],
    ),
    # ---------------------------------------------------------------- exercise 2: dloss_dw
    Mistake(
        "ex2",
        "dy_hat/dw = w instead of x",
        """
def dloss_dw(x, y, w):
    return 2 * (w * x - y) * w
""",
        words=["x, not w"],
    ),
    Mistake(
        "ex2",
        "drops the 2",
        """
def dloss_dw(x, y, w):
    return (w * x - y) * x
""",
        words=["factor 2"],
    ),
    Mistake(
        "ex2",
        "stops the chain at y_hat",
        """
def dloss_dw(x, y, w):
    return 2 * (w * x - y)
""",
        words=["stops at y_hat"],
    ),
    Mistake(
        "ex2",
        "error as label minus prediction",
        """
def dloss_dw(x, y, w):
    return 2 * (y - w * x) * x
""",
        words=["sign", "prediction minus label"],
    ),
    # ---------------------------------------------------------------- exercise 3: mse_gradients
    Mistake(
        "ex3",
        "sums over the batch instead of averaging",
        """
def mse_gradients(xs, ys, w, b):
    err = w * xs + b - ys
    return 2 * np.sum(err * xs), 2 * np.sum(err)
""",
        words=["sum", "n = 3"],
    ),
    Mistake(
        "ex3",
        "drops the 2",
        """
def mse_gradients(xs, ys, w, b):
    err = w * xs + b - ys
    return np.mean(err * xs), np.mean(err)
""",
        words=["factor 2"],
    ),
    Mistake(
        "ex3",
        "sums and drops the 2",
        """
def mse_gradients(xs, ys, w, b):
    err = w * xs + b - ys
    return np.sum(err * xs), np.sum(err)
""",
        words=["sum", "no factor 2"],
    ),
    Mistake(
        "ex3",
        "error as label minus prediction",
        """
def mse_gradients(xs, ys, w, b):
    err = ys - (w * xs + b)
    return 2 * np.mean(err * xs), 2 * np.mean(err)
""",
        words=["sign"],
    ),
    Mistake(
        "ex3",
        "forgets the bias in the prediction",
        """
def mse_gradients(xs, ys, w, b):
    err = w * xs - ys
    return 2 * np.mean(err * xs), 2 * np.mean(err)
""",
        words=["bias"],
    ),
    Mistake(
        "ex3",
        "dloss_dw without the x_i",
        """
def mse_gradients(xs, ys, w, b):
    err = w * xs + b - ys
    return 2 * np.mean(err), 2 * np.mean(err)
""",
        words=["x_i"],
    ),
    Mistake(
        "ex3",
        "dloss_db with a factor x_i",
        """
def mse_gradients(xs, ys, w, b):
    err = w * xs + b - ys
    return 2 * np.mean(err * xs), 2 * np.mean(err * xs)
""",
        words=["dy_hat/db = 1"],
    ),
    Mistake(
        "ex3",
        "product of the means",
        """
def mse_gradients(xs, ys, w, b):
    err = w * xs + b - ys
    return 2 * np.mean(err) * np.mean(xs), 2 * np.mean(err)
""",
        words=["product of the means"],
    ),
    Mistake(
        "ex3",
        "dy_hat/dw = w instead of x",
        """
def mse_gradients(xs, ys, w, b):
    err = w * xs + b - ys
    return 2 * np.mean(err * w), 2 * np.mean(err)
""",
        words=["not w"],
    ),
    # ---------------------------------------------------------------- exercise 4: fit
    Mistake(
        "ex4",
        "never clears .grad between steps (mini_autograd)",
        """
def fit(xs, ys, lr, steps):
    w = ag.tensor(0.0, dtype=ag.float64, requires_grad=True)
    b = ag.tensor(0.0, dtype=ag.float64, requires_grad=True)
    X, Y = ag.tensor(xs), ag.tensor(ys)
    for _ in range(steps):
        loss = ((w * X + b - Y) ** 2).mean()
        loss.backward()
        with ag.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
    return w.item(), b.item()
""",
        words=["zero_grad", "not cleared"],
    ),
    Mistake(
        "ex4",
        "sums over the batch",
        """
def fit(xs, ys, lr, steps):
    w, b = 0.0, 0.0
    for _ in range(steps):
        err = w * xs + b - ys
        gw, gb = 2 * np.sum(err * xs), 2 * np.sum(err)
        w, b = w - lr * gw, b - lr * gb
    return w, b
""",
        words=["sum", "mean"],
    ),
    Mistake(
        "ex4",
        "drops the 2",
        """
def fit(xs, ys, lr, steps):
    w, b = 0.0, 0.0
    for _ in range(steps):
        err = w * xs + b - ys
        gw, gb = np.mean(err * xs), np.mean(err)
        w, b = w - lr * gw, b - lr * gb
    return w, b
""",
        words=["factor 2"],
    ),
    Mistake(
        "ex4",
        "one step too many",
        """
def fit(xs, ys, lr, steps):
    w, b = 0.0, 0.0
    for _ in range(steps + 1):
        err = w * xs + b - ys
        gw, gb = 2 * np.mean(err * xs), 2 * np.mean(err)
        w, b = w - lr * gw, b - lr * gb
    return w, b
""",
        words=["one step too many"],
    ),
    Mistake(
        "ex4",
        "one step too few",
        """
def fit(xs, ys, lr, steps):
    w, b = 0.0, 0.0
    for _ in range(1, steps):
        err = w * xs + b - ys
        gw, gb = 2 * np.mean(err * xs), 2 * np.mean(err)
        w, b = w - lr * gw, b - lr * gb
    return w, b
""",
        words=["one step too few"],
    ),
    Mistake(
        "ex4",
        "uses the already updated w for b's gradient",
        """
def fit(xs, ys, lr, steps):
    w, b = 0.0, 0.0
    for _ in range(steps):
        w = w - lr * 2 * np.mean((w * xs + b - ys) * xs)
        b = b - lr * 2 * np.mean(w * xs + b - ys)
    return w, b
""",
        words=["already updated"],
    ),
    Mistake(
        "ex4",
        "steps along the gradient",
        """
def fit(xs, ys, lr, steps):
    w, b = 0.0, 0.0
    for _ in range(steps):
        err = w * xs + b - ys
        gw, gb = 2 * np.mean(err * xs), 2 * np.mean(err)
        w, b = w + lr * gw, b + lr * gb
    return w, b
""",
        words=["with the gradient"],
    ),
]

# Mutants (automatic mutations of the solution cells) that cannot change the result, by name, with why:
EQUIVALENT = {}
