"""Realistic wrong answers for lesson 01_gradient_descent; each must fail a visible check whose message names it."""

from mistakes import Mistake

LESSON = "01_gradient_descent"

MISTAKES = [
    # ---------------------------------------------------------------- exercise 1: gd_step
    Mistake(
        "ex1",
        "steps uphill, along the gradient",
        """
def gd_step(theta, grad, lr):
    return theta + lr * grad
""",
        words=["uphill"],
    ),
    Mistake(
        "ex1",
        "forgets the learning rate",
        """
def gd_step(theta, grad, lr):
    return theta - grad
""",
        words=["learning rate is missing"],
    ),
    Mistake(
        "ex1",
        "divides the gradient by the learning rate",
        """
def gd_step(theta, grad, lr):
    return theta - grad / lr
""",
        words=["divided by the learning rate"],
    ),
    Mistake(
        "ex1",
        "returns the step instead of the new parameters",
        """
def gd_step(theta, grad, lr):
    return -lr * grad
""",
        words=["step alone"],
    ),
    Mistake(
        "ex1",
        "updates the caller's array in place",
        """
def gd_step(theta, grad, lr):
    theta -= lr * grad
    return theta
""",
        words=["changed the array", "in-place"],
    ),
    # ---------------------------------------------------------------- exercise 2: descend
    Mistake(
        "ex2",
        "leaves out the starting point",
        """
def descend(grad_fn, theta0, lr, steps):
    path = []
    theta = theta0
    for _ in range(steps):
        theta = theta - lr * grad_fn(theta)
        path.append(theta)
    return path
""",
        words=["starting point is missing"],
    ),
    Mistake(
        "ex2",
        "takes one step too many",
        """
def descend(grad_fn, theta0, lr, steps):
    path = [theta0]
    theta = theta0
    for _ in range(steps + 1):
        theta = theta - lr * grad_fn(theta)
        path.append(theta)
    return path
""",
        words=["one step too many"],
    ),
    Mistake(
        "ex2",
        "takes one step too few",
        """
def descend(grad_fn, theta0, lr, steps):
    path = [theta0]
    theta = theta0
    for _ in range(1, steps):
        theta = theta - lr * grad_fn(theta)
        path.append(theta)
    return path
""",
        words=["one step too few"],
    ),
    Mistake(
        "ex2",
        "evaluates the gradient once, at the start",
        """
def descend(grad_fn, theta0, lr, steps):
    path = [theta0]
    theta = theta0
    g = grad_fn(theta0)
    for _ in range(steps):
        theta = theta - lr * g
        path.append(theta)
    return path
""",
        words=["gradient at the start"],
    ),
    Mistake(
        "ex2",
        "returns only the last point",
        """
def descend(grad_fn, theta0, lr, steps):
    theta = theta0
    for _ in range(steps):
        theta = theta - lr * grad_fn(theta)
    return theta
""",
        words=["only the last point"],
    ),
    Mistake(
        "ex2",
        "climbs instead of descending",
        """
def descend(grad_fn, theta0, lr, steps):
    path = [theta0]
    theta = theta0
    for _ in range(steps):
        theta = theta + lr * grad_fn(theta)
        path.append(theta)
    return path
""",
        words=["uphill"],
    ),
    Mistake(
        "ex2",
        "updates theta0 in place",
        """
def descend(grad_fn, theta0, lr, steps):
    path = [theta0]
    theta = theta0
    for _ in range(steps):
        theta -= lr * grad_fn(theta)
        path.append(theta)
    return path
""",
        words=["changed the caller's theta0", "in-place"],
    ),
    Mistake(
        "ex2",
        "appends the same array object at every step",
        """
def descend(grad_fn, theta0, lr, steps):
    theta = np.array(theta0, dtype=float)
    path = [theta0]
    for _ in range(steps):
        theta -= lr * grad_fn(theta)
        path.append(theta)
    return path
""",
        words=["one array several times"],
    ),
    # ---------------------------------------------------------------- exercise 3: regime, largest_stable_lr
    Mistake(
        "ex3",
        "uses the learning rate alone, without the curvature",
        """
def regime(lr, a):
    if lr < 0.1:
        return "too small"
    if lr <= 1:
        return "good"
    if lr < 2:
        return "oscillating"
    return "diverging"


def largest_stable_lr(a):
    return 2 / a
""",
        words=["product ρa"],
    ),
    Mistake(
        "ex3",
        "divides the learning rate by the curvature",
        """
def regime(lr, a):
    k = lr / a
    if k < 0.1:
        return "too small"
    if k <= 1:
        return "good"
    if k < 2:
        return "oscillating"
    return "diverging"


def largest_stable_lr(a):
    return 2 / a
""",
        words=["product ρa"],
    ),
    Mistake(
        "ex3",
        "takes crossing the minimum for divergence (stability limit 1/a)",
        """
def regime(lr, a):
    k = lr * a
    if k < 0.1:
        return "too small"
    if k <= 1:
        return "good"
    return "diverging"


def largest_stable_lr(a):
    return 2 / a
""",
        words=["crossing the minimum is oscillating"],
    ),
    Mistake(
        "ex3",
        "counts the endless bounce at ρa = 2 as oscillating",
        """
def regime(lr, a):
    k = lr * a
    if k < 0.1:
        return "too small"
    if k <= 1:
        return "good"
    if k <= 2:
        return "oscillating"
    return "diverging"


def largest_stable_lr(a):
    return 2 / a
""",
        words=["forever"],
    ),
    Mistake(
        "ex3",
        "counts the exact landing at ρa = 1 as oscillating",
        """
def regime(lr, a):
    k = lr * a
    if k < 0.1:
        return "too small"
    if k < 1:
        return "good"
    if k < 2:
        return "oscillating"
    return "diverging"


def largest_stable_lr(a):
    return 2 / a
""",
        words=["lands exactly on the minimum"],
    ),
    Mistake(
        "ex3",
        "counts removing exactly a tenth as too small",
        """
def regime(lr, a):
    k = lr * a
    if k <= 0.1:
        return "too small"
    if k <= 1:
        return "good"
    if k < 2:
        return "oscillating"
    return "diverging"


def largest_stable_lr(a):
    return 2 / a
""",
        words=["exactly a tenth"],
    ),
    Mistake(
        "ex3",
        "reads 'removes a tenth' as 'keeps a tenth' (too small below ρa = 0.9)",
        """
def regime(lr, a):
    k = lr * a
    if k < 0.9:
        return "too small"
    if k <= 1:
        return "good"
    if k < 2:
        return "oscillating"
    return "diverging"


def largest_stable_lr(a):
    return 2 / a
""",
        words=["well over a tenth"],
    ),
    Mistake(
        "ex3",
        "stability limit 1/a, where the steps start to overshoot",
        """
def regime(lr, a):
    k = lr * a
    if k < 0.1:
        return "too small"
    if k <= 1:
        return "good"
    if k < 2:
        return "oscillating"
    return "diverging"


def largest_stable_lr(a):
    return 1 / a
""",
        words=["overshoot", "closer than it started"],
    ),
    Mistake(
        "ex3",
        "stability limit a/2, upside down",
        """
def regime(lr, a):
    k = lr * a
    if k < 0.1:
        return "too small"
    if k <= 1:
        return "good"
    if k < 2:
        return "oscillating"
    return "diverging"


def largest_stable_lr(a):
    return a / 2
""",
        words=["divided by a"],
    ),
    Mistake(
        "ex3",
        "stability limit 2, without the curvature",
        """
def regime(lr, a):
    k = lr * a
    if k < 0.1:
        return "too small"
    if k <= 1:
        return "good"
    if k < 2:
        return "oscillating"
    return "diverging"


def largest_stable_lr(a):
    return 2.0
""",
        words=["depends on a"],
    ),
]

# Mutants (automatic mutations of the solution cells) that cannot change the result, by name, with why:
EQUIVALENT = {}
