"""Realistic wrong answers for lesson 07_matrix_layers; each must fail a visible check whose message names it."""

from mistakes import Mistake

LESSON = "07_matrix_layers"
MISTAKES = [
    # ---------------------------------------------------------------- exercise 1: linear_backward
    Mistake(
        "ex1",
        "dX multiplies dY by W instead of its transpose",
        """
def linear_backward(X, W, b, dY):
    return dY @ W, X.T @ dY, dY.sum(axis=0)
""",
        words=["not by its transpose"],
    ),
    Mistake(
        "ex1",
        "transposed weight gradient",
        """
def linear_backward(X, W, b, dY):
    return dY @ W.T, dY.T @ X, dY.sum(axis=0)
""",
        words=["transposed"],
    ),
    Mistake(
        "ex1",
        "bias gradient not summed over the batch",
        """
def linear_backward(X, W, b, dY):
    return dY @ W.T, X.T @ dY, dY
""",
        words=["one row per example"],
    ),
    Mistake(
        "ex1",
        "bias gradient summed over the outputs",
        """
def linear_backward(X, W, b, dY):
    return dY @ W.T, X.T @ dY, dY.sum(axis=1)
""",
        words=["axis 0"],
    ),
    Mistake(
        "ex1",
        "bias gradient summed over everything",
        """
def linear_backward(X, W, b, dY):
    return dY @ W.T, X.T @ dY, dY.sum()
""",
        words=["single number"],
    ),
    Mistake(
        "ex1",
        "divides by the batch size inside the layer",
        """
def linear_backward(X, W, b, dY):
    B = X.shape[0]
    return dY @ W.T / B, X.T @ dY / B, dY.sum(axis=0) / B
""",
        words=["batch size"],
    ),
    Mistake(
        "ex1",
        "bias gradient is the mean over the batch",
        """
def linear_backward(X, W, b, dY):
    return dY @ W.T, X.T @ dY, dY.mean(axis=0)
""",
        words=["batch size"],
    ),
    # ---------------------------------------------------------- exercise 2: softmax_cross_entropy
    Mistake(
        "ex2",
        "naive softmax overflows",
        """
def softmax_cross_entropy(logits, y):
    B = logits.shape[0]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(B), y]).mean()
    d = p.copy()
    d[np.arange(B), y] -= 1
    return loss, d / B
""",
        words=["overflow"],
    ),
    Mistake(
        "ex2",
        "shifts by the maximum of the whole batch, not of each row",
        """
def softmax_cross_entropy(logits, y):
    B = logits.shape[0]
    s = logits - logits.max()
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    d = np.exp(logp)
    d[np.arange(B), y] -= 1
    return -logp[np.arange(B), y].mean(), d / B
""",
        words=["underflow", "own maximum"],
    ),
    Mistake(
        "ex2",
        "loss summed over the batch instead of averaged",
        """
def softmax_cross_entropy(logits, y):
    B = logits.shape[0]
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    d = np.exp(logp)
    d[np.arange(B), y] -= 1
    return -logp[np.arange(B), y].sum(), d
""",
        words=["sum over the batch", "mean"],
    ),
    Mistake(
        "ex2",
        "gradient misses the 1/B of the mean",
        """
def softmax_cross_entropy(logits, y):
    B = logits.shape[0]
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    d = np.exp(logp)
    d[np.arange(B), y] -= 1
    return -logp[np.arange(B), y].mean(), d
""",
        words=["batch size"],
    ),
    Mistake(
        "ex2",
        "one-hot subtracted with the wrong sign",
        """
def softmax_cross_entropy(logits, y):
    B = logits.shape[0]
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    onehot = np.eye(logits.shape[1])[y]
    return -logp[np.arange(B), y].mean(), (onehot - np.exp(logp)) / B
""",
        words=["sign"],
    ),
    Mistake(
        "ex2",
        "softmax over the batch axis",
        """
def softmax_cross_entropy(logits, y):
    B = logits.shape[0]
    s = logits - logits.max(axis=0, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=0, keepdims=True))
    d = np.exp(logp)
    d[np.arange(B), y] -= 1
    return -logp[np.arange(B), y].mean(), d / B
""",
        words=["axis 0"],
    ),
    Mistake(
        "ex2",
        "one-hot subtracted at whole columns",
        """
def softmax_cross_entropy(logits, y):
    B = logits.shape[0]
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    d = np.exp(logp)
    d[:, y] -= 1
    return -logp[np.arange(B), y].mean(), d / B
""",
        words=["whole columns"],
    ),
    Mistake(
        "ex2",
        "loss without the log",
        """
def softmax_cross_entropy(logits, y):
    B = logits.shape[0]
    s = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    d = p.copy()
    d[np.arange(B), y] -= 1
    return -p[np.arange(B), y].mean(), d / B
""",
        words=["-log p"],
    ),
    # ------------------------------------------------------------ exercise 3: classifier_forward
    Mistake(
        "ex3",
        "bias b1 not added",
        """
def classifier_forward(X, y, params):
    Z1 = X @ params["W1"]
    H = np.maximum(Z1, 0.0)
    logits = H @ params["W2"] + params["b2"]
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return {"Z1": Z1, "H": H, "logits": logits, "probs": np.exp(logp), "loss": -logp[np.arange(len(y)), y].mean()}
""",
        words=["b1"],
    ),
    Mistake(
        "ex3",
        "ReLU missing",
        """
def classifier_forward(X, y, params):
    Z1 = X @ params["W1"] + params["b1"]
    H = Z1
    logits = H @ params["W2"] + params["b2"]
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return {"Z1": Z1, "H": H, "logits": logits, "probs": np.exp(logp), "loss": -logp[np.arange(len(y)), y].mean()}
""",
        words=["relu is missing"],
    ),
    Mistake(
        "ex3",
        "naive softmax overflows on confident logits",
        """
def classifier_forward(X, y, params):
    Z1 = X @ params["W1"] + params["b1"]
    H = np.maximum(Z1, 0.0)
    logits = H @ params["W2"] + params["b2"]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return {"Z1": Z1, "H": H, "logits": logits, "probs": probs, "loss": -np.log(probs[np.arange(len(y)), y]).mean()}
""",
        words=["overflowed"],
    ),
    Mistake(
        "ex3",
        "softmax over the batch axis",
        """
def classifier_forward(X, y, params):
    Z1 = X @ params["W1"] + params["b1"]
    H = np.maximum(Z1, 0.0)
    logits = H @ params["W2"] + params["b2"]
    s = logits - logits.max(axis=0, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=0, keepdims=True))
    return {"Z1": Z1, "H": H, "logits": logits, "probs": np.exp(logp), "loss": -logp[np.arange(len(y)), y].mean()}
""",
        words=["axis 0"],
    ),
    Mistake(
        "ex3",
        "loss summed over the batch",
        """
def classifier_forward(X, y, params):
    Z1 = X @ params["W1"] + params["b1"]
    H = np.maximum(Z1, 0.0)
    logits = H @ params["W2"] + params["b2"]
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return {"Z1": Z1, "H": H, "logits": logits, "probs": np.exp(logp), "loss": -logp[np.arange(len(y)), y].sum()}
""",
        words=["batch size"],
    ),
    # ----------------------------------------------------------- exercise 4: classifier_backward
]

_BACKWARD = """
def classifier_backward(X, y, params, cache):
    B = X.shape[0]
    dlogits = {dlogits}
    dW2 = {dW2}
    db2 = {db2}
    dH = dlogits @ params["W2"].T
    dZ1 = {dZ1}
    dW1 = {dW1}
    db1 = {db1}
    return {{"dlogits": dlogits, "dW2": dW2, "db2": db2, "dH": dH, "dZ1": dZ1, "dW1": dW1, "db1": db1}}
"""
_RIGHT = dict(
    dlogits='(cache["probs"] - np.eye(cache["probs"].shape[1])[y]) / B',
    dW2='cache["H"].T @ dlogits',
    db2="dlogits.sum(axis=0)",
    dZ1='dH * (cache["Z1"] > 0)',
    dW1="X.T @ dZ1",
    db1="dZ1.sum(axis=0)",
)


def _backward(**wrong):
    return _BACKWARD.format(**{**_RIGHT, **wrong})


MISTAKES += [
    Mistake("ex4", "ReLU mask missing", _backward(dZ1="dH"), words=["gradient is missing"]),
    Mistake(
        "ex4",
        "mask from the activation with >=, always true",
        _backward(dZ1='dH * (cache["H"] >= 0)'),
        words=["gradient is missing"],
    ),
    Mistake(
        "ex4", "ReLU mask passes gradient at exactly 0", _backward(dZ1='dH * (cache["Z1"] >= 0)'), words=["exactly 0"]
    ),
    Mistake(
        "ex4",
        "multiplies by the activation instead of the ReLU's derivative",
        _backward(dZ1='dH * cache["H"]'),
        words=["activation h itself"],
    ),
    Mistake("ex4", "transposed dW1", _backward(dW1="dZ1.T @ X"), words=["transposed"]),
    Mistake("ex4", "transposed dW2", _backward(dW2='dlogits.T @ cache["H"]'), words=["transposed"]),
    Mistake(
        "ex4",
        "missing 1/B in dlogits",
        _backward(dlogits='cache["probs"] - np.eye(cache["probs"].shape[1])[y]'),
        words=["batch size"],
    ),
    Mistake(
        "ex4",
        "one-hot subtracted with the wrong sign",
        _backward(dlogits='(np.eye(cache["probs"].shape[1])[y] - cache["probs"]) / B'),
        words=["sign"],
    ),
    Mistake("ex4", "db2 summed over the classes", _backward(db2="dlogits.sum(axis=1)"), words=["axis 0"]),
    Mistake("ex4", "db1 summed over the units", _backward(db1="dZ1.sum(axis=1)"), words=["axis 0"]),
    Mistake(
        "ex4",
        "hidden-layer gradients divided by B once more",
        _backward(dW1="X.T @ dZ1 / B", db1="dZ1.sum(axis=0) / B"),
        words=["batch size"],
    ),
]

# Mutants (automatic mutations of the solution cells) that cannot change the result, by name, with why:
EQUIVALENT = {}
