"""Realistic wrong answers for lesson 05_small_network; each must fail a visible check whose message names it."""

from mistakes import Mistake

LESSON = "05_small_network"

_FORWARD = """
def forward(x, W_h, b_h, w_y, b_y, y):
    z = {z}
    h = {h}
    y_hat = {y_hat}
    return {{"z": z, "h": h, "y_hat": y_hat, "L": {L}}}
"""


def _forward(z="W_h @ x + b_h", h="np.maximum(z, 0)", y_hat="w_y @ h + b_y", L="0.5 * (y_hat - y) ** 2"):
    return _FORWARD.format(z=z, h=h, y_hat=y_hat, L=L)


_HIDDEN = """
def hidden_gradients(x, W_h, b_h, w_y, b_y, y):
    z = W_h @ x + b_h
    h = {h}
    y_hat = w_y @ h + b_y
    delta_y = {delta_y}
    delta_1 = {delta_1}
    return {{"delta_y": delta_y, "delta_1": delta_1, "dL_dw11": {w11}, "dL_dw12": {w12}}}
"""


def _hidden(
    h="np.maximum(z, 0)",
    delta_y="y_hat - y",
    delta_1="delta_y * w_y[0] * (1.0 if z[0] > 0 else 0.0)",
    w11="delta_1 * x[0]",
    w12="delta_1 * x[1]",
):
    return _HIDDEN.format(h=h, delta_y=delta_y, delta_1=delta_1, w11=w11, w12=w12)


_BACKWARD = """
def mlp_backward(X, y, W1, b1, W2, b2):
    B = X.shape[0]
    Z1 = X @ W1.T + b1
    H = np.maximum(Z1, 0)
    y_hat = H @ W2.T + b2
    G2 = {G2}
    dW2, db2 = {dW2}, {db2}
    G1 = {G1}
    dW1, db1 = {dW1}, {db1}
    return {{"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}}
"""


def _backward(
    G2="(y_hat - y) / B",
    dW2="G2.T @ H",
    db2="G2.sum(0)",
    G1="(G2 @ W2) * (Z1 > 0)",
    dW1="G1.T @ X",
    db1="G1.sum(0)",
):
    return _BACKWARD.format(G2=G2, dW2=dW2, db2=db2, G1=G1, dW1=dW1, db1=db1)


MISTAKES = [
    # ---------------------------------------------------------------- exercise 1: forward
    Mistake("ex1", "forgets the ReLU", _forward(h="z"), words=["point b", "relu"]),
    Mistake("ex1", "uses the loss of lesson 4, without the ½", _forward(L="(y_hat - y) ** 2"), words=["twice", "½"]),
    Mistake(
        "ex1",
        "puts a ReLU on the output too",
        _forward(y_hat="np.maximum(w_y @ h + b_y, 0)"),
        words=["output", "linear"],
    ),
    Mistake("ex1", "multiplies by the transpose of W_h", _forward(z="W_h.T @ x + b_h"), words=["transposed", "row j"]),
    Mistake("ex1", "forgets the bias of the hidden layer", _forward(z="W_h @ x"), words=["bias", "missing"]),
    Mistake(
        "ex1",
        "applies ReLU with np.max, which reduces over an axis",
        _forward(h="np.max(z, 0)"),
        words=["dimensions"],
    ),
    Mistake(
        "ex1",
        "loses the sign of the error, |ŷ − y| / 2",
        _forward(L="0.5 * abs(y_hat - y)"),
        words=["L", "OFF"],
    ),
    # ---------------------------------------------------------------- exercise 2: hidden_gradients
    Mistake(
        "ex2",
        "forgets g'(z1)",
        _hidden(delta_1="delta_y * w_y[0]"),
        words=["g′(z₁) is missing", "point b"],
        cell=None,
    ),
    Mistake(
        "ex2",
        "takes ReLU's derivative as 1 at z1 = 0",
        _hidden(delta_1="delta_y * w_y[0] * (1.0 if z[0] >= 0 else 0.0)"),
        words=["point c", "z₁ ≥ 0"],
    ),
    Mistake(
        "ex2",
        "differentiates (ŷ − y)² of lesson 4: a factor 2",
        _hidden(delta_y="2 * (y_hat - y)"),
        words=["twice", "½"],
    ),
    Mistake("ex2", "flips the sign of the error", _hidden(delta_y="y - y_hat"), words=["sign"]),
    Mistake(
        "ex2",
        "forgets the upstream factor δʸ",
        _hidden(delta_1="w_y[0] * (1.0 if z[0] > 0 else 0.0)"),
        words=["upstream"],
    ),
    Mistake(
        "ex2",
        "takes the output weight of the other unit",
        _hidden(delta_1="delta_y * w_y[1] * (1.0 if z[0] > 0 else 0.0)"),
        words=["w^y₂", "w_y[0]"],
    ),
    Mistake(
        "ex2",
        "swaps the inputs of the two weights",
        _hidden(w11="delta_1 * x[1]", w12="delta_1 * x[0]"),
        words=["swapped"],
    ),
    Mistake(
        "ex2",
        "computes ŷ without the ReLU",
        _hidden(h="z"),
        words=["without the relu", "point b"],
    ),
    Mistake(
        "ex2",
        "uses the hidden weight instead of the output weight",
        _hidden(delta_1="delta_y * W_h[0, 0] * (1.0 if z[0] > 0 else 0.0)"),
        words=["delta_1 at point a", "OFF"],
    ),
    # ---------------------------------------------------------------- exercise 3: stored_activations
    Mistake(
        "ex3",
        "stores the ReLU output and the next layer's input separately",
        """
def stored_activations(batch, widths):
    return batch * (sum(widths[:-1]) + sum(widths[1:-1]))
""",
        words=["twice", "stored once"],
    ),
    Mistake(
        "ex3",
        "counts the network's output",
        """
def stored_activations(batch, widths):
    return batch * sum(widths)
""",
        words=["output is counted"],
    ),
    Mistake(
        "ex3",
        "keeps each layer's input and pre-activation",
        """
def stored_activations(batch, widths):
    return batch * (sum(widths[:-1]) + sum(widths[1:]))
""",
        words=["pre-activation"],
    ),
    Mistake(
        "ex3",
        "counts one example, not the batch",
        """
def stored_activations(batch, widths):
    return sum(widths[:-1])
""",
        words=["batch is missing"],
    ),
    Mistake(
        "ex3",
        "counts the outputs of the layers instead of their inputs",
        """
def stored_activations(batch, widths):
    return batch * sum(widths[1:])
""",
        words=["instead of their inputs"],
    ),
    Mistake(
        "ex3",
        "counts the parameters",
        """
def stored_activations(batch, widths):
    return sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))
""",
        words=["parameters"],
    ),
    # ---------------------------------------------------------------- exercise 4: mlp_backward
    Mistake("ex4", "sums over the batch instead of taking the mean", _backward(G2="y_hat - y"), words=["batch", "1/b"]),
    Mistake("ex4", "keeps the 2 of the square", _backward(G2="2 * (y_hat - y) / B"), words=["twice", "½"]),
    Mistake("ex4", "flips the sign of the error", _backward(G2="(y - y_hat) / B"), words=["sign"]),
    Mistake("ex4", "transposes the weight gradient of layer 1", _backward(dW1="X.T @ G1"), words=["dw1", "transposed"]),
    Mistake("ex4", "transposes the weight gradient of layer 2", _backward(dW2="H.T @ G2"), words=["dw2", "transposed"]),
    Mistake(
        "ex4", "sums the bias gradient of layer 1 over the units", _backward(db1="G1.sum(1)"), words=["db1", "axis 0"]
    ),
    Mistake(
        "ex4",
        "sums the bias gradient of layer 2 over the wrong axis",
        _backward(db2="G2.sum(1)"),
        words=["db2", "axis"],
    ),
    Mistake("ex4", "forgets the ReLU mask", _backward(G1="G2 @ W2"), words=["mask is missing"]),
    Mistake(
        "ex4", "lets the ReLU mask pass at Z1 = 0", _backward(G1="(G2 @ W2) * (Z1 >= 0)"), words=["z1 = 0 exactly"]
    ),
    Mistake(
        "ex4",
        "takes the ReLU mask from X W1ᵀ, without the bias",
        _backward(G1="(G2 @ W2) * (X @ W1.T > 0)"),
        words=["without the bias"],
    ),
    Mistake(
        "ex4",
        "takes the ReLU mask from the gradient",
        _backward(G1="(G2 @ W2) * (G2 @ W2 > 0)"),
        words=["mask comes from the gradient"],
    ),
    Mistake(
        "ex4", "uses the pre-activation as the input of layer 2", _backward(dW2="G2.T @ Z1"), words=["dw2 uses z1"]
    ),
    Mistake("ex4", "uses H as the input of layer 1", _backward(dW1="G1.T @ H"), words=["dw1 uses h"]),
    Mistake(
        "ex4",
        "takes the mean over all entries for the bias gradients",
        _backward(db1="G1.mean(0)", db2="G2.mean(0)"),
        words=["db1", "1/5"],
    ),
]

# Mutants (automatic mutations of the solution cells) that cannot change the result, by name, with why:
EQUIVALENT = {}
