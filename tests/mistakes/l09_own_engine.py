"""Realistic wrong answers for lesson 09_own_engine; each must fail a visible check whose message names it."""

from mistakes import Mistake

LESSON = "09_own_engine"
MISTAKES = [
    Mistake(
        "ex1",
        "assigns the gradient (=) instead of adding it (+=)",
        """
def _add(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad = out.grad
        other.grad = out.grad

    out._backward = _backward
    return out


def _mul(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad = other.data * out.grad
        other.grad = self.data * out.grad

    out._backward = _backward
    return out


Value.__add__ = _add
Value.__mul__ = _mul
""",
        words=["assigned"],
    ),
    Mistake(
        "ex1",
        "ignores the upstream gradient out.grad",
        """
def _add(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += 1.0
        other.grad += 1.0

    out._backward = _backward
    return out


def _mul(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data
        other.grad += self.data

    out._backward = _backward
    return out


Value.__add__ = _add
Value.__mul__ = _mul
""",
        words=["upstream"],
    ),
    Mistake(
        "ex1",
        "swaps the operands' gradients in mul",
        """
def _add(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out


def _mul(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += self.data * out.grad
        other.grad += other.data * out.grad

    out._backward = _backward
    return out


Value.__add__ = _add
Value.__mul__ = _mul
""",
        words=["swapped"],
    ),
    Mistake(
        "ex1",
        "does not wrap a plain number",
        """
def _add(self, other):
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out


def _mul(self, other):
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


Value.__add__ = _add
Value.__mul__ = _mul
""",
        words=["plain number"],
    ),
    Mistake(
        "ex1",
        "does not record the operands as children",
        """
def _add(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (), "+")

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out


def _mul(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


Value.__add__ = _add
Value.__mul__ = _mul
""",
        words=["_prev"],
    ),
    Mistake(
        "ex1",
        "mul ignores the upstream gradient only",
        """
def _add(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out


def _mul(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data
        other.grad += self.data

    out._backward = _backward
    return out


Value.__add__ = _add
Value.__mul__ = _mul
""",
        words=["upstream"],
    ),
    Mistake(
        "ex2",
        "tanh' = 1 - x^2 (the input, not the output)",
        """
def _pow(self, n):
    assert isinstance(n, (int, float)), "only powers by a plain number"
    out = Value(self.data**n, (self,), "**")

    def _backward():
        self.grad += (n * self.data ** (n - 1)) * out.grad

    out._backward = _backward
    return out


def _tanh(self):
    out = Value(math.tanh(self.data), (self,), "tanh")

    def _backward():
        self.grad += (1 - self.data**2) * out.grad

    out._backward = _backward
    return out


def _exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def _relu(self):
    out = Value(max(0.0, self.data), (self,), "relu")

    def _backward():
        self.grad += (out.data > 0) * out.grad

    out._backward = _backward
    return out


Value.__pow__ = _pow
Value.tanh = _tanh
Value.exp = _exp
Value.relu = _relu
""",
        words=["input x"],
    ),
    Mistake(
        "ex2",
        "tanh ignores the upstream gradient",
        """
def _pow(self, n):
    assert isinstance(n, (int, float)), "only powers by a plain number"
    out = Value(self.data**n, (self,), "**")

    def _backward():
        self.grad += (n * self.data ** (n - 1)) * out.grad

    out._backward = _backward
    return out


def _tanh(self):
    out = Value(math.tanh(self.data), (self,), "tanh")

    def _backward():
        self.grad += (1 - out.data**2)

    out._backward = _backward
    return out


def _exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def _relu(self):
    out = Value(max(0.0, self.data), (self,), "relu")

    def _backward():
        self.grad += (out.data > 0) * out.grad

    out._backward = _backward
    return out


Value.__pow__ = _pow
Value.tanh = _tanh
Value.exp = _exp
Value.relu = _relu
""",
        words=["upstream"],
    ),
    Mistake(
        "ex2",
        "relu passes the gradient at x = 0",
        """
def _pow(self, n):
    assert isinstance(n, (int, float)), "only powers by a plain number"
    out = Value(self.data**n, (self,), "**")

    def _backward():
        self.grad += (n * self.data ** (n - 1)) * out.grad

    out._backward = _backward
    return out


def _tanh(self):
    out = Value(math.tanh(self.data), (self,), "tanh")

    def _backward():
        self.grad += (1 - out.data**2) * out.grad

    out._backward = _backward
    return out


def _exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def _relu(self):
    out = Value(max(0.0, self.data), (self,), "relu")

    def _backward():
        self.grad += (self.data >= 0) * out.grad

    out._backward = _backward
    return out


Value.__pow__ = _pow
Value.tanh = _tanh
Value.exp = _exp
Value.relu = _relu
""",
        words=["x = 0"],
    ),
    Mistake(
        "ex2",
        "relu uses the output as its slope",
        """
def _pow(self, n):
    assert isinstance(n, (int, float)), "only powers by a plain number"
    out = Value(self.data**n, (self,), "**")

    def _backward():
        self.grad += (n * self.data ** (n - 1)) * out.grad

    out._backward = _backward
    return out


def _tanh(self):
    out = Value(math.tanh(self.data), (self,), "tanh")

    def _backward():
        self.grad += (1 - out.data**2) * out.grad

    out._backward = _backward
    return out


def _exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def _relu(self):
    out = Value(max(0.0, self.data), (self,), "relu")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


Value.__pow__ = _pow
Value.tanh = _tanh
Value.exp = _exp
Value.relu = _relu
""",
        words=["slope"],
    ),
    Mistake(
        "ex2",
        "pow misses the factor n",
        """
def _pow(self, n):
    assert isinstance(n, (int, float)), "only powers by a plain number"
    out = Value(self.data**n, (self,), "**")

    def _backward():
        self.grad += self.data ** (n - 1) * out.grad

    out._backward = _backward
    return out


def _tanh(self):
    out = Value(math.tanh(self.data), (self,), "tanh")

    def _backward():
        self.grad += (1 - out.data**2) * out.grad

    out._backward = _backward
    return out


def _exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def _relu(self):
    out = Value(max(0.0, self.data), (self,), "relu")

    def _backward():
        self.grad += (out.data > 0) * out.grad

    out._backward = _backward
    return out


Value.__pow__ = _pow
Value.tanh = _tanh
Value.exp = _exp
Value.relu = _relu
""",
        words=["factor n"],
    ),
    Mistake(
        "ex2",
        "pow does not lower the exponent",
        """
def _pow(self, n):
    assert isinstance(n, (int, float)), "only powers by a plain number"
    out = Value(self.data**n, (self,), "**")

    def _backward():
        self.grad += n * self.data**n * out.grad

    out._backward = _backward
    return out


def _tanh(self):
    out = Value(math.tanh(self.data), (self,), "tanh")

    def _backward():
        self.grad += (1 - out.data**2) * out.grad

    out._backward = _backward
    return out


def _exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def _relu(self):
    out = Value(max(0.0, self.data), (self,), "relu")

    def _backward():
        self.grad += (out.data > 0) * out.grad

    out._backward = _backward
    return out


Value.__pow__ = _pow
Value.tanh = _tanh
Value.exp = _exp
Value.relu = _relu
""",
        words=["not lowered"],
    ),
    Mistake(
        "ex2",
        "exp' uses the input",
        """
def _pow(self, n):
    assert isinstance(n, (int, float)), "only powers by a plain number"
    out = Value(self.data**n, (self,), "**")

    def _backward():
        self.grad += (n * self.data ** (n - 1)) * out.grad

    out._backward = _backward
    return out


def _tanh(self):
    out = Value(math.tanh(self.data), (self,), "tanh")

    def _backward():
        self.grad += (1 - out.data**2) * out.grad

    out._backward = _backward
    return out


def _exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += self.data * out.grad

    out._backward = _backward
    return out


def _relu(self):
    out = Value(max(0.0, self.data), (self,), "relu")

    def _backward():
        self.grad += (out.data > 0) * out.grad

    out._backward = _backward
    return out


Value.__pow__ = _pow
Value.tanh = _tanh
Value.exp = _exp
Value.relu = _relu
""",
        words=["input x"],
    ),
    Mistake(
        "ex2",
        "exp assigns the gradient",
        """
def _pow(self, n):
    assert isinstance(n, (int, float)), "only powers by a plain number"
    out = Value(self.data**n, (self,), "**")

    def _backward():
        self.grad += (n * self.data ** (n - 1)) * out.grad

    out._backward = _backward
    return out


def _tanh(self):
    out = Value(math.tanh(self.data), (self,), "tanh")

    def _backward():
        self.grad += (1 - out.data**2) * out.grad

    out._backward = _backward
    return out


def _exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad = out.data * out.grad

    out._backward = _backward
    return out


def _relu(self):
    out = Value(max(0.0, self.data), (self,), "relu")

    def _backward():
        self.grad += (out.data > 0) * out.grad

    out._backward = _backward
    return out


Value.__pow__ = _pow
Value.tanh = _tanh
Value.exp = _exp
Value.relu = _relu
""",
        words=["assigned"],
    ),
    Mistake(
        "ex3",
        "recursive depth-first search (micrograd's)",
        """
def topological_order(root):
    order, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            order.append(v)

    build(root)
    return order
""",
        words=["recursionerror"],
    ),
    Mistake(
        "ex3",
        "no visited set: a value reached twice is listed twice",
        """
def topological_order(root):
    order = []
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
        else:
            stack.append((node, True))
            for child in node._prev:
                stack.append((child, False))
    return order
""",
        words=["more than once"],
    ),
    Mistake(
        "ex3",
        "returns the order reversed (root first)",
        '''
def topological_order(root):
    """Every value reachable from root, each once, every value after its children (root last)."""
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            for child in node._prev:
                if child not in visited:
                    stack.append((child, False))
    return order[::-1]
''',
        words=["reversed"],
    ),
    Mistake(
        "ex3",
        "pre-order (a value placed when first met), reversed",
        """
def topological_order(root):
    order, visited = [], set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node in visited:
            continue
        visited.add(node)
        order.append(node)
        for child in node._prev:
            stack.append(child)
    return order[::-1]
""",
        words=["before", "children"],
    ),
    Mistake(
        "ex3",
        "follows only the first child",
        """
def topological_order(root):
    order, node = [], root
    while True:
        order.append(node)
        if not node._prev:
            break
        node = node._prev[0]
    return order[::-1]
""",
        words=["misses"],
    ),
    Mistake(
        "ex4",
        "root's gradient not seeded with 1",
        '''
def backward_pass(root, order):
    """Fill grad of every value in order with d root / d value."""
    for node in order:
        if node._prev:  # inside the graph: start from nothing
            node.grad = 0.0
    for node in reversed(order):
        node._backward()
''',
        words=["root", "= 1"],
    ),
    Mistake(
        "ex4",
        "order walked forward, not reversed",
        '''
def backward_pass(root, order):
    """Fill grad of every value in order with d root / d value."""
    for node in order:
        if node._prev:  # inside the graph: start from nothing
            node.grad = 0.0
    root.grad = 1.0
    for node in order:
        node._backward()
''',
        words=["reversed"],
    ),
    Mistake(
        "ex4",
        "inner gradients not reset between calls (micrograd's backward)",
        """
def backward_pass(root, order):
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
""",
        words=["reset"],
    ),
    Mistake(
        "ex4",
        "leaves reset too",
        '''
def backward_pass(root, order):
    """Fill grad of every value in order with d root / d value."""
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
''',
        words=["leaves were reset"],
    ),
    Mistake(
        "ex4",
        "inner gradients cleared after the pass instead of before",
        """
def backward_pass(root, order):
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    for node in order:
        if node._prev:
            node.grad = 0.0
""",
        words=["cleared after"],
    ),
    Mistake(
        "ex4",
        "root seeded with += and nothing reset",
        """
def backward_pass(root, order):
    root.grad += 1.0
    for node in reversed(order):
        node._backward()
""",
        words=["added to its old gradient"],
    ),
]
# Mutants (automatic mutations of the solution cells) that cannot change the result, by name, with why:
EQUIVALENT = {}
