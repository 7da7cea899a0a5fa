"""Realistic wrong answers for lesson 10_training; each must fail a visible check whose message names it."""

from mistakes import Mistake

LESSON = "10_training"
MISTAKES = [
    # ---------------------------------------------------------------- exercise 1: make_model
    Mistake(
        "ex1",
        "no ReLU between the layers",
        """
def make_model():
    return nn.Sequential(nn.Linear(64, 32), nn.Linear(32, 10))
""",
        words=["no relu", "collapse"],
    ),
    Mistake(
        "ex1",
        "a ReLU after the output layer too",
        """
def make_model():
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10), nn.ReLU())
""",
        words=["after the last layer", "negative"],
    ),
    Mistake(
        "ex1",
        "the ReLU at the end instead of in the middle",
        """
def make_model():
    return nn.Sequential(nn.Linear(64, 32), nn.Linear(32, 10), nn.ReLU())
""",
        words=["instead of between"],
    ),
    Mistake(
        "ex1",
        "Tanh instead of ReLU",
        """
def make_model():
    return nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))
""",
        words=["tanh"],
    ),
    Mistake(
        "ex1",
        "Sigmoid instead of ReLU",
        """
def make_model():
    return nn.Sequential(nn.Linear(64, 32), nn.Sigmoid(), nn.Linear(32, 10))
""",
        words=["sigmoid"],
    ),
    Mistake(
        "ex1",
        "layers without bias",
        """
def make_model():
    return nn.Sequential(nn.Linear(64, 32, bias=False), nn.ReLU(), nn.Linear(32, 10, bias=False))
""",
        words=["shapes", "bias"],
    ),
    Mistake(
        "ex1",
        "the sizes swapped (64 -> 10 -> 32)",
        """
def make_model():
    return nn.Sequential(nn.Linear(64, 10), nn.ReLU(), nn.Linear(10, 32))
""",
        words=["shapes", "64 -> 32"],
    ),
    Mistake(
        "ex1",
        "one network shared by every call",
        """
_the_one = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
def make_model():
    return _the_one
""",
        words=["fresh"],
    ),
    # ---------------------------------------------------------------- exercise 2: accuracy
    Mistake(
        "ex2",
        "a count instead of a fraction",
        """
def accuracy(logits, labels):
    return float(np.sum(logits.numpy().argmax(axis=1) == labels))
""",
        words=["count", "divide"],
    ),
    Mistake(
        "ex2",
        "argmax over the batch axis",
        """
def accuracy(logits, labels):
    return float(np.mean(logits.numpy().argmax(axis=0) == labels))
""",
        words=["wrong axis"],
    ),
    Mistake(
        "ex2",
        "argmax without an axis",
        """
def accuracy(logits, labels):
    return float(np.mean(np.argmax(logits.numpy()) == labels))
""",
        words=["without an axis"],
    ),
    Mistake(
        "ex2",
        "a percentage",
        """
def accuracy(logits, labels):
    return float(100 * np.mean(logits.numpy().argmax(axis=1) == labels))
""",
        words=["percentage"],
    ),
    Mistake(
        "ex2",
        "the last maximal index on a tie",
        """
def accuracy(logits, labels):
    scores = logits.numpy()
    predicted = scores.shape[1] - 1 - scores[:, ::-1].argmax(axis=1)
    return float(np.mean(predicted == labels))
""",
        words=["tie", "first"],
    ),
    Mistake(
        "ex2",
        "returns a numpy number",
        """
def accuracy(logits, labels):
    return np.mean(logits.numpy().argmax(axis=1) == labels)
""",
        words=["python float"],
    ),
    # ---------------------------------------------------------------- exercise 3: train_step
    Mistake(
        "ex3",
        "no zero_grad: gradients pile up",
        """
def train_step(model, optimizer, x, y):
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
""",
        words=["zero_grad", "not cleared"],
    ),
    Mistake(
        "ex3",
        "no optimizer.step()",
        """
def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    return loss.item()
""",
        words=["never changes", "step()"],
    ),
    Mistake(
        "ex3",
        "zero_grad between backward and step",
        """
def train_step(model, optimizer, x, y):
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item()
""",
        words=["never changes", "zero_grad"],
    ),
    Mistake(
        "ex3",
        "no backward()",
        """
def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    optimizer.step()
    return loss.item()
""",
        words=["never changes", "backward"],
    ),
    Mistake(
        "ex3",
        "returns the loss after the update",
        """
def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss_fn(model(x), y).backward()
    optimizer.step()
    return loss_fn(model(x), y).item()
""",
        words=["after the update"],
    ),
    Mistake(
        "ex3",
        "returns the loss tensor",
        """
def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss
""",
        words=["python float", ".item()"],
    ),
    # ---------------------------------------------------------------- exercise 4: evaluate
    Mistake(
        "ex4",
        "no no_grad: a graph is built",
        """
def evaluate(model, x, y):
    logits = model(x)
    loss = loss_fn(logits, y).item()
    acc = float(np.mean(logits.detach().numpy().argmax(axis=1) == y.numpy()))
    return loss, acc
""",
        words=["built a graph", "no_grad"],
    ),
    Mistake(
        "ex4",
        "detaches the output instead of no_grad",
        """
def evaluate(model, x, y):
    logits = model(x).detach()
    loss = loss_fn(logits, y).item()
    acc = float(np.mean(logits.numpy().argmax(axis=1) == y.numpy()))
    return loss, acc
""",
        words=["built a graph", "too late"],
    ),
    Mistake(
        "ex4",
        "the summed loss",
        """
def evaluate(model, x, y):
    with ag.no_grad():
        logits = model(x)
        loss = nn.CrossEntropyLoss(reduction="sum")(logits, y).item()
    acc = float(np.mean(logits.numpy().argmax(axis=1) == y.numpy()))
    return loss, acc
""",
        words=["sum", "mean"],
    ),
    Mistake(
        "ex4",
        "the accuracy as a count",
        """
def evaluate(model, x, y):
    with ag.no_grad():
        logits = model(x)
        loss = loss_fn(logits, y).item()
    acc = float(np.sum(logits.numpy().argmax(axis=1) == y.numpy()))
    return loss, acc
""",
        words=["count", "divide"],
    ),
    Mistake(
        "ex4",
        "the pair the wrong way round",
        """
def evaluate(model, x, y):
    with ag.no_grad():
        logits = model(x)
        loss = loss_fn(logits, y).item()
    acc = float(np.mean(logits.numpy().argmax(axis=1) == y.numpy()))
    return acc, loss
""",
        words=["wrong way round"],
    ),
    Mistake(
        "ex4",
        "the loss as a tensor",
        """
def evaluate(model, x, y):
    with ag.no_grad():
        logits = model(x)
        loss = loss_fn(logits, y)
    acc = float(np.mean(logits.numpy().argmax(axis=1) == y.numpy()))
    return loss, acc
""",
        words=["python floats", ".item()"],
    ),
    # ---------------------------------------------------------------- exercise 5: cross_entropy_grad
    Mistake(
        "ex5",
        "a sum over the batch (no 1/B)",
        """
def cross_entropy_grad(logits, labels):
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    return p
""",
        words=["sum over the batch", "mean"],
    ),
    Mistake(
        "ex5",
        "one-hot minus softmax (the sign flipped)",
        """
def cross_entropy_grad(logits, labels):
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    onehot = np.eye(logits.shape[1])[labels]
    return (onehot - p) / len(labels)
""",
        words=["sign is flipped"],
    ),
    Mistake(
        "ex5",
        "softmax without subtracting the one-hot labels",
        """
def cross_entropy_grad(logits, labels):
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True) / len(labels)
""",
        words=["not subtracted"],
    ),
    Mistake(
        "ex5",
        "softmax over the batch axis",
        """
def cross_entropy_grad(logits, labels):
    p = np.exp(logits - logits.max(axis=0, keepdims=True))
    p /= p.sum(axis=0, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    return p / len(labels)
""",
        words=["wrong axis"],
    ),
    Mistake(
        "ex5",
        "1 subtracted at every label's column in every row",
        """
def cross_entropy_grad(logits, labels):
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[:, labels] -= 1
    return p / len(labels)
""",
        words=["every row"],
    ),
    Mistake(
        "ex5",
        "divided by the number of classes",
        """
def cross_entropy_grad(logits, labels):
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    return p / logits.shape[1]
""",
        words=["number of classes"],
    ),
    Mistake(
        "ex5",
        "no max subtracted: exp overflows",
        """
def cross_entropy_grad(logits, labels):
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    return p / len(labels)
""",
        words=["overflow", "largest logit"],
    ),
    Mistake(
        "ex5",
        "changes the caller's logits in place",
        """
def cross_entropy_grad(logits, labels):
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    return p / len(labels)
""",
        words=["changed the logits"],
    ),
]
# Mutants (automatic mutations of the solution cells) that cannot change the result, by name, with why:
EQUIVALENT = {}
