"""Realistic wrong answers for lesson 06_gradient_checking; each must fail a visible check whose message names it."""

from mistakes import Mistake

LESSON = "06_gradient_checking"

MISTAKES = [
    # ---------------------------------------------------------------- exercise 1: numerical_gradient
    Mistake(
        "ex1",
        "forward difference",
        """
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - f0) / h
        x[i] = old
    return grad
""",
        words=["forward difference"],
    ),
    Mistake(
        "ex1",
        "divides by h instead of 2h",
        """
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / h
    return grad
""",
        words=["divided by h", "2h"],
    ),
    Mistake(
        "ex1",
        "does not restore the entry after perturbing it",
        """
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
""",
        words=["not restored"],
    ),
    Mistake(
        "ex1",
        "works on a private copy of x and never restores its entries",
        """
def numerical_gradient(f, x, h=1e-5):
    x = x.copy()
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
""",
        words=["not restored"],
    ),
    Mistake(
        "ex1",
        "perturbs all entries at once",
        """
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        grad[i] = (f(x + h) - f(x - h)) / (2 * h)
    return grad
""",
        words=["all entries", "one entry at a time"],
    ),
    Mistake(
        "ex1",
        "iterates only over the first axis",
        """
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in range(x.shape[0]):
        old = x[i].copy()
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
""",
        words=["first axis"],
    ),
    Mistake(
        "ex1",
        "ignores the step argument",
        """
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + 1e-5
        f_plus = f(x)
        x[i] = old - 1e-5
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / 2e-5
    return grad
""",
        words=["step", "not used"],
    ),
    Mistake(
        "ex1",
        "perturbs a flattened copy that f never sees",
        """
def numerical_gradient(f, x, h=1e-5):
    flat = x.flatten()
    grad = np.zeros(flat.shape)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = f(x)
        flat[i] = old - h
        f_minus = f(x)
        flat[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad.reshape(x.shape)
""",
        words=["flatten", "copy"],
    ),
    Mistake(
        "ex1",
        "subtracts the wrong way round",
        """
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_minus - f_plus) / (2 * h)
    return grad
""",
        words=["sign"],
    ),
    # ---------------------------------------------------------------- exercise 2: relative_error
    Mistake(
        "ex2",
        "no absolute value on the difference",
        """
def relative_error(a, n):
    return (a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), 1e-300)
""",
        words=["absolute value", "never negative"],
    ),
    Mistake(
        "ex2",
        "signed values in the denominator",
        """
def relative_error(a, n):
    return np.abs(a - n) / np.maximum(np.maximum(a, n), 1e-300)
""",
        words=["denominator", "signed"],
    ),
    Mistake(
        "ex2",
        "no absolute values at all",
        """
def relative_error(a, n):
    return (a - n) / np.maximum(np.maximum(a, n), 1e-300)
""",
        words=["no absolute values"],
    ),
    Mistake(
        "ex2",
        "divides by the analytic side only",
        """
def relative_error(a, n):
    return np.abs(a - n) / np.abs(a)
""",
        words=["inf", "one side only"],
    ),
    Mistake(
        "ex2",
        "divides by the numerical side only",
        """
def relative_error(a, n):
    return np.abs(a - n) / np.maximum(np.abs(n), 1e-300)
""",
        words=["one side only"],
    ),
    Mistake(
        "ex2",
        "divides by the sum of the sizes",
        """
def relative_error(a, n):
    return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-300)
""",
        words=["sum of the sizes"],
    ),
    Mistake(
        "ex2",
        "0/0 where both are zero",
        """
def relative_error(a, n):
    return np.abs(a - n) / np.maximum(np.abs(a), np.abs(n))
""",
        words=["nan", "0/0"],
    ),
    Mistake(
        "ex2",
        "returns only the largest error",
        """
def relative_error(a, n):
    return float(np.max(np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), 1e-300)))
""",
        words=["one error per entry"],
    ),
    # ---------------------------------------------------------------- exercise 4: gradient_errors
    Mistake(
        "ex4",
        "the mean error instead of the largest",
        """
def gradient_errors(loss_fn, backward_fn, params, grad_fn, err_fn, h=1e-5):
    analytic = backward_fn(params)
    errors = {}
    for name, value in params.items():
        def f(v, name=name):
            return loss_fn({**params, name: v})
        errors[name] = float(np.mean(err_fn(analytic[name], grad_fn(f, value.copy(), h))))
    return errors
""",
        words=["mean error"],
    ),
    Mistake(
        "ex4",
        "the smallest error instead of the largest",
        """
def gradient_errors(loss_fn, backward_fn, params, grad_fn, err_fn, h=1e-5):
    analytic = backward_fn(params)
    errors = {}
    for name, value in params.items():
        def f(v, name=name):
            return loss_fn({**params, name: v})
        errors[name] = float(np.min(err_fn(analytic[name], grad_fn(f, value.copy(), h))))
    return errors
""",
        words=["smallest error"],
    ),
    Mistake(
        "ex4",
        "the loss ignores the parameter being moved",
        """
def gradient_errors(loss_fn, backward_fn, params, grad_fn, err_fn, h=1e-5):
    analytic = backward_fn(params)
    errors = {}
    for name, value in params.items():
        def f(v):
            return loss_fn(params)
        errors[name] = float(np.max(err_fn(analytic[name], grad_fn(f, value.copy(), h))))
    return errors
""",
        words=["does not use its argument"],
    ),
    Mistake(
        "ex4",
        "pairs gradients and parameters by position, not by name",
        """
def gradient_errors(loss_fn, backward_fn, params, grad_fn, err_fn, h=1e-5):
    errors = {}
    for (name, value), g in zip(params.items(), backward_fn(params).values()):
        def f(v, name=name):
            return loss_fn({**params, name: v})
        errors[name] = float(np.max(err_fn(g, grad_fn(f, value.copy(), h))))
    return errors
""",
        words=["by name"],
    ),
    Mistake(
        "ex4",
        "returns the arrays of errors",
        """
def gradient_errors(loss_fn, backward_fn, params, grad_fn, err_fn, h=1e-5):
    analytic = backward_fn(params)
    errors = {}
    for name, value in params.items():
        def f(v, name=name):
            return loss_fn({**params, name: v})
        errors[name] = err_fn(analytic[name], grad_fn(f, value.copy(), h))
    return errors
""",
        words=["largest entry"],
    ),
    Mistake(
        "ex4",
        "does not pass the step on",
        """
def gradient_errors(loss_fn, backward_fn, params, grad_fn, err_fn, h=1e-5):
    analytic = backward_fn(params)
    errors = {}
    for name, value in params.items():
        def f(v, name=name):
            return loss_fn({**params, name: v})
        errors[name] = float(np.max(err_fn(analytic[name], grad_fn(f, value.copy()))))
    return errors
""",
        words=["pass h on"],
    ),
    Mistake(
        "ex4",
        "hands the caller's own arrays to grad_fn",
        """
def gradient_errors(loss_fn, backward_fn, params, grad_fn, err_fn, h=1e-5):
    analytic = backward_fn(params)
    errors = {}
    for name, value in params.items():
        def f(v, name=name):
            return loss_fn({**params, name: v})
        errors[name] = float(np.max(err_fn(analytic[name], grad_fn(f, value, h))))
    return errors
""",
        words=["changed params", "copy"],
    ),
    # ---------------------------------------------------------------- exercise 5: find_wrong_gradient
    Mistake(
        "ex5",
        "always names the largest error, even when all are fine",
        """
def find_wrong_gradient(errors):
    return max(errors, key=errors.get)
""",
        words=["nothing is wrong", "none"],
    ),
    Mistake(
        "ex5",
        "a threshold far below the rounding noise",
        """
def find_wrong_gradient(errors):
    name = max(errors, key=errors.get)
    return name if errors[name] > 1e-10 else None
""",
        words=["below 1e-7"],
    ),
    Mistake(
        "ex5",
        "a threshold so loose that a 1 % error passes",
        """
def find_wrong_gradient(errors):
    name = max(errors, key=errors.get)
    return name if errors[name] > 0.1 else None
""",
        words=["0.012", "a bug"],
    ),
    Mistake(
        "ex5",
        "the first parameter above the threshold, not the worst",
        """
def find_wrong_gradient(errors):
    for name, err in errors.items():
        if err > 1e-6:
            return name
    return None
""",
        words=["worst"],
    ),
    Mistake(
        "ex5",
        "the smallest error",
        """
def find_wrong_gradient(errors):
    return min(errors, key=errors.get)
""",
        words=["0.41", "a bug"],
    ),
    Mistake(
        "ex5",
        "returns the error instead of the name",
        """
def find_wrong_gradient(errors):
    worst = max(errors.values())
    return worst if worst > 1e-6 else None
""",
        words=["name"],
    ),
    Mistake(
        "ex5",
        "returns a list of names",
        """
def find_wrong_gradient(errors):
    return [name for name, err in errors.items() if err > 1e-6] or None
""",
        words=["name", "or none"],
    ),
    # ---------------------------------------------------------------- exercise 3: kink_crossings
    Mistake(
        "ex3",
        "every weight moves every pre-activation by h",
        """
def kink_crossings(X, W, b, h=1e-5):
    Z = X @ W.T + b
    near = (np.abs(Z) < h).any(axis=0)
    return np.repeat(near[:, None], W.shape[1], axis=1)
""",
        words=["moves z[i, j] by h·x[i, k]"],
    ),
    Mistake(
        "ex3",
        "no absolute value on the distance to the kink",
        """
def kink_crossings(X, W, b, h=1e-5):
    Z = X @ W.T + b
    return (Z[:, :, None] < h * np.abs(X)[:, None, :]).any(axis=0)
""",
        words=["distance to the kink", "absolute value"],
    ),
    Mistake(
        "ex3",
        "no absolute value on the reach",
        """
def kink_crossings(X, W, b, h=1e-5):
    Z = X @ W.T + b
    return (np.abs(Z)[:, :, None] < h * X[:, None, :]).any(axis=0)
""",
        words=["negative input"],
    ),
    Mistake(
        "ex3",
        "leaves out the bias",
        """
def kink_crossings(X, W, b, h=1e-5):
    Z = X @ W.T
    return (np.abs(Z)[:, :, None] < h * np.abs(X)[:, None, :]).any(axis=0)
""",
        words=["bias"],
    ),
    Mistake(
        "ex3",
        "all examples instead of any",
        """
def kink_crossings(X, W, b, h=1e-5):
    Z = X @ W.T + b
    return (np.abs(Z)[:, :, None] < h * np.abs(X)[:, None, :]).all(axis=0)
""",
        words=[".any", "not .all"],
    ),
    Mistake(
        "ex3",
        "returns the per-example mask of pre-activations near the kink",
        """
def kink_crossings(X, W, b, h=1e-5):
    return np.abs(X @ W.T + b) < h
""",
        words=["shaped like w", "per pre-activation"],
    ),
    Mistake(
        "ex3",
        "compares with <= so a weight whose input is 0 is flagged at an exact kink",
        """
def kink_crossings(X, W, b, h=1e-5):
    Z = X @ W.T + b
    return (np.abs(Z)[:, :, None] <= h * np.abs(X)[:, None, :]).any(axis=0)
""",
        words=["input x[i, k] is 0", "strictly"],
    ),
]
# Mutants (automatic mutations of the solution cells) that cannot change the result, by name, with why:
EQUIVALENT = {
    "ex5_code:5:19:Compare:> -> >=": "the threshold is the student's choice anywhere between 1e-7 and 1e-2; no check "
    "may depend on which side of it an error exactly equal to it falls",
}
