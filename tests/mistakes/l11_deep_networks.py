"""Realistic wrong answers for lesson 11_deep_networks; each must fail a visible check whose message names it."""

from mistakes import Mistake

LESSON = "11_deep_networks"

_NORMS = "def layer_grad_norms(model, x, y):\n"
_DEAD = "def dead_units(layer, x):\n    with ag.no_grad():\n        z = layer(x)\n"
MISTAKES = [
    Mistake(
        "ex1",
        "no zero_grad: the second call adds to the first call's gradients",
        _NORMS + "    loss = ((model(x) - y) ** 2).mean()\n    loss.backward()\n"
        "    return [float(np.linalg.norm(m.weight.grad.numpy())) for m in model if isinstance(m, nn.Linear)]\n",
        words=["second call", "zero_grad"],
    ),
    Mistake(
        "ex1",
        "layers listed from the output back",
        _NORMS + "    model.zero_grad()\n    ((model(x) - y) ** 2).mean().backward()\n"
        "    return [float(np.linalg.norm(m.weight.grad.numpy())) for m in model if isinstance(m, nn.Linear)][::-1]\n",
        words=["last first"],
    ),
    Mistake(
        "ex1",
        "squared norms (no square root)",
        _NORMS + "    model.zero_grad()\n    ((model(x) - y) ** 2).mean().backward()\n"
        "    return [float((m.weight.grad.numpy() ** 2).sum()) for m in model if isinstance(m, nn.Linear)]\n",
        words=["squared norms"],
    ),
    Mistake(
        "ex1",
        "norms of the weights, not of their gradients",
        _NORMS + "    model.zero_grad()\n    ((model(x) - y) ** 2).mean().backward()\n"
        "    return [float(np.linalg.norm(m.weight.detach().numpy())) for m in model if isinstance(m, nn.Linear)]\n",
        words=["weights themselves"],
    ),
    Mistake(
        "ex1",
        "sum of absolute values instead of the Frobenius norm",
        _NORMS + "    model.zero_grad()\n    ((model(x) - y) ** 2).mean().backward()\n"
        "    return [float(np.abs(m.weight.grad.numpy()).sum()) for m in model if isinstance(m, nn.Linear)]\n",
        words=["absolute values"],
    ),
    Mistake(
        "ex1",
        "bias gradients included",
        _NORMS + "    model.zero_grad()\n    ((model(x) - y) ** 2).mean().backward()\n"
        "    return [float(np.linalg.norm(p.grad.numpy())) for p in model.parameters()]\n",
        words=["biases"],
    ),
    Mistake(
        "ex1",
        "a summed loss instead of the mean",
        _NORMS + "    model.zero_grad()\n    ((model(x) - y) ** 2).sum().backward()\n"
        "    return [float(np.linalg.norm(m.weight.grad.numpy())) for m in model if isinstance(m, nn.Linear)]\n",
        words=["times 10"],
    ),
    Mistake(
        "ex2",
        "the variance instead of the standard deviation",
        "def init_std(fan_in, negative_slope=0.0):\n    return 2.0 / ((1.0 + negative_slope**2) * fan_in)\n",
        words=["variance", "square root"],
    ),
    Mistake(
        "ex2",
        "no factor 2 for ReLU",
        "def init_std(fan_in, negative_slope=0.0):\n    return math.sqrt(1.0 / ((1.0 + negative_slope**2) * fan_in))\n",
        words=["factor 2"],
    ),
    Mistake(
        "ex2",
        "slope not squared",
        "def init_std(fan_in, negative_slope=0.0):\n    return math.sqrt(2.0 / ((1.0 + negative_slope) * fan_in))\n",
        words=["slope squared"],
    ),
    Mistake(
        "ex2",
        "He for every slope",
        "def init_std(fan_in, negative_slope=0.0):\n    return math.sqrt(2.0 / fan_in)\n",
        words=["slope", "ignored"],
    ),
    Mistake(
        "ex2",
        "divided by fan_in instead of its square root",
        "def init_std(fan_in, negative_slope=0.0):\n    return math.sqrt(2.0 / (1.0 + negative_slope**2)) / fan_in\n",
        words=["√fan_in"],
    ),
    Mistake(
        "ex3",
        "< 0 instead of <= 0: a unit stuck at exactly 0 looks alive",
        _DEAD + "    return (z.numpy() < 0).all(axis=0)\n",
        words=["exactly 0", "relu'(0) = 0"],
    ),
    Mistake(
        "ex3",
        "any instead of all: off for one example counts as dead",
        _DEAD + "    return (z.numpy() <= 0).any(axis=0)\n",
        words=["every example"],
    ),
    Mistake(
        "ex3",
        "the living units",
        _DEAD + "    return (z.numpy() > 0).any(axis=0)\n",
        words=["living"],
    ),
    Mistake(
        "ex3",
        "reduced over the units instead of the examples",
        _DEAD + "    return (z.numpy() <= 0).all(axis=1)\n",
        words=["one entry per example"],
    ),
    Mistake(
        "ex3",
        "a tensor instead of a numpy array",
        "def dead_units(layer, x):\n    return layer(x) <= 0\n",
        words=["shape"],
    ),
]

EQUIVALENT: dict[str, str] = {}
