"""What the explorers draw, computed by pure functions (no widgets, no plotting), so each can be tested on its own.

* Gradient descent: :func:`gradient_descent` on any gradient function, :func:`trajectory` on the course's two
  problems (:func:`quadratic`, a 1-D parabola, and :func:`bowl`, an elongated 2-D bowl), their closed form, and the
  regimes, "too small", "good", "oscillating" or "diverging". On these quadratics the regime is decided exactly, by
  the factor 1 − lr·a by which one step multiplies the distance to the minimum (:func:`factor_regime`,
  :func:`rate_regime`, :meth:`QuadraticProblem.regime`: the one definition the explorer names and lesson 1 derives);
  on a measured loss curve (a training run) :func:`regime` estimates it from the losses.
* The backward-pass stepper: :func:`stepper_states` turns a real mini_autograd graph into frames, forward node by
  node and then backward node by node, each with the local gradient and the chain-rule product of the step.
* The chain rule: :func:`chain_rule_point` gives g1(x), g2(g1(x)), both derivatives and their product.

>>> rate_regime(0.1, 2.0), rate_regime(0.04, 2.0), rate_regime(0.7, 2.0), rate_regime(1.0, 2.0)
('good', 'too small', 'oscillating', 'diverging')
>>> bowl().regime(0.15)  # the flat direction is fine, the steep one overshoots: the worst one names it
'oscillating'
>>> regime(trajectory("quadratic", lr=1.05, steps=30).losses)
'diverging'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine import unbroadcast
from ..function import enable_grad
from ..i18n import tr
from ..tensor import Tensor
from .graph import HIDDEN, Graph, format_value, layout, node_lines, node_size, render_svg, trace

# ============================================================================================ gradient descent

REGIMES = ("too small", "good", "oscillating", "diverging")

# ------------------------------------------------------------- the regimes of a quadratic: one definition
#
# On L(θ) = (a/2)(θ − θ*)², one step gives θ' − θ* = (1 − lr·a)(θ − θ*): the distance to the minimum is multiplied
# by the factor q = 1 − lr·a. The regimes are statements about q, so they hold for every start and every number of
# steps (lesson 1, exercise 3, asks the student to turn them into ranges of lr·a):
#
# * diverging:   the distance does not shrink, |q| >= 1 (at q = −1 exactly θ bounces between two points forever);
# * oscillating: θ crosses the minimum at every step, q < 0, but the distance shrinks, |q| < 1;
# * too small:   θ stays on its side and a step removes less than a tenth of the distance, q > SLOW_FACTOR (0.9);
# * good:        θ stays on its side (or lands on the minimum, q = 0) and removes at least a tenth, 0 <= q <= 0.9.
#
# So for lr, a > 0: too small for lr·a < 0.1, good for 0.1 <= lr·a <= 1, oscillating for 1 < lr·a < 2, diverging
# for lr·a >= 2. In several directions with curvatures aᵢ, each has its own factor; the run is named after the
# direction that behaves worst (diverging, then oscillating, then too small).

SLOW_FACTOR = 0.9  # too small: a step keeps more than 90% of the distance to the minimum
_WORST_FIRST = ("diverging", "oscillating", "too small", "good")


def factor_regime(q: float) -> str:
    """The regime of a step that multiplies the distance to the minimum by ``q`` (see the definition above).

    >>> [factor_regime(q) for q in (0.95, 0.9, 0.0, -0.5, -1.0, 1.5)]
    ['too small', 'good', 'good', 'oscillating', 'diverging', 'diverging']
    """
    q = float(q)
    if not np.isfinite(q) or q <= -1 or q > 1:
        return "diverging"
    if q < 0:
        return "oscillating"
    if q > SLOW_FACTOR:
        return "too small"
    return "good"


def rate_regime(lr: float, curvature: float) -> str:
    """The regime of gradient descent with learning rate ``lr`` on (curvature/2)(θ − θ*)²: :func:`factor_regime`
    of 1 − lr·curvature."""
    return factor_regime(1.0 - float(lr) * float(curvature))


def worst_regime(regimes: Sequence[str]) -> str:
    """The worst of several directions' regimes: diverging, then oscillating, then too small, then good."""
    return min(regimes, key=_WORST_FIRST.index, default="good")


RATE_REGIME_TEXT = {
    "too small": (
        "too small: θ stays on its side of the minimum, but each step removes less than a tenth of the distance",
        "слишком мал: θ не пересекает минимум, но каждый шаг убирает меньше десятой доли расстояния до него",
    ),
    "good": (
        "good: θ stays on its side of the minimum and each step removes at least a tenth of the distance",
        "хороший: θ не пересекает минимум, и каждый шаг убирает не меньше десятой доли расстояния до него",
    ),
    "oscillating": (
        "oscillating: each step jumps across the minimum, so θ bounces from side to side, but closes in",
        "колебания: каждый шаг перескакивает через минимум, θ прыгает с одной стороны на другую, но приближается",
    ),
    "diverging": (
        "diverging: each step jumps across the minimum and lands at least as far away, so θ never gets closer",
        "расходимость: каждый шаг перескакивает через минимум и уходит не ближе, чем был, так что θ не приближается",
    ),
}


def rate_regime_text(reg: str) -> str:
    """The explanation of a regime on a quadratic, in the lesson's language."""
    from ..i18n import tr

    en, ru = RATE_REGIME_TEXT[reg]
    return tr(en, ru)


@dataclass(frozen=True)
class Trajectory:
    """One gradient-descent run: ``thetas[k]`` is θ after k steps (shape (k+1, d)), ``losses[k]`` its loss.

    ``diverged`` is True when the run stopped early because θ or the loss blew up (see :func:`gradient_descent`).
    """

    lr: float
    thetas: np.ndarray
    losses: np.ndarray | None
    diverged: bool = False

    @property
    def steps(self) -> int:
        return len(self.thetas) - 1


def gradient_descent(
    grad: Callable[[np.ndarray], Any],
    start: Any,
    lr: float,
    steps: int,
    loss: Callable[[np.ndarray], Any] | None = None,
    *,
    blowup: float = 1e8,
) -> Trajectory:
    """θ ← θ − lr · grad(θ), ``steps`` times from ``start``: the update rule of the slides.

    ``grad`` (and ``loss``, optional) take θ as a numpy array of shape (d,) and may return arrays, numbers or
    tensors. A diverging run stops as soon as θ is not finite or the loss exceeds ``blowup`` times its start, so
    nothing overflows; ``diverged`` says so.

    >>> run = gradient_descent(lambda t: 2 * (t - 3), start=0.0, lr=0.25, steps=3)
    >>> run.thetas[:, 0].tolist()
    [0.0, 1.5, 2.25, 2.625]
    """
    if steps < 0:
        raise ValueError(f"gradient_descent: steps must be >= 0, got {steps}")
    theta = np.atleast_1d(np.array(start, dtype=np.float64))
    thetas = [theta.copy()]
    losses = [float(np.asarray(loss(theta)))] if loss is not None else None
    limit = blowup * max(abs(losses[0]), 1e-12) if losses else np.inf
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            g = np.asarray(grad(theta), dtype=np.float64).reshape(theta.shape)
            theta = theta - lr * g
            thetas.append(theta.copy())
            if losses is not None:
                losses.append(float(np.asarray(loss(theta))))
                if not np.isfinite(losses[-1]) or losses[-1] > limit:
                    diverged = True
            if not np.all(np.isfinite(theta)):
                diverged = True
            if diverged:
                break
    return Trajectory(float(lr), np.array(thetas), None if losses is None else np.array(losses), diverged)


@dataclass(frozen=True)
class QuadraticProblem:
    """L(θ) = ½ Σᵢ aᵢ (θᵢ − cᵢ)², a parabola (d = 1) or an elongated bowl (d = 2, unequal curvatures aᵢ).

    Gradient descent on it has a closed form, θᵢ after k steps = cᵢ + (1 − lr·aᵢ)ᵏ (θᵢ,₀ − cᵢ), so the regime is
    decided by the factors 1 − lr·aᵢ (:meth:`regime`). ``example_rates`` holds one rate per regime, in the order
    of :data:`REGIMES`.
    """

    name: str
    formula: str
    curvatures: tuple[float, ...]
    center: tuple[float, ...]
    start: tuple[float, ...]
    steps: int
    lr: float
    lr_range: tuple[float, float]
    example_rates: tuple[float, ...]
    minimum: float = 0.0

    @property
    def dim(self) -> int:
        return len(self.curvatures)

    def _theta(self, theta: Any) -> np.ndarray:
        t = np.asarray(theta, dtype=np.float64)
        if self.dim == 1 and (t.ndim == 0 or t.shape[-1] != 1):
            t = t[..., None]
        return t

    def loss(self, theta: Any) -> np.ndarray:
        """L(θ); θ of shape (..., d) gives losses of shape (...) (a whole grid at once for contour plots)."""
        t = self._theta(theta)
        return 0.5 * np.sum(np.asarray(self.curvatures) * (t - np.asarray(self.center)) ** 2, axis=-1)

    def grad(self, theta: Any) -> np.ndarray:
        """∇L(θ) = aᵢ (θᵢ − cᵢ), shaped like θ."""
        t = self._theta(theta)
        return np.asarray(self.curvatures) * (t - np.asarray(self.center))

    def closed_form(self, lr: float, steps: int, start: Any = None) -> np.ndarray:
        """θ after 0..steps steps, from the formula instead of the loop: shape (steps + 1, d)."""
        s = np.atleast_1d(np.asarray(self.start if start is None else start, dtype=np.float64))
        k = np.arange(steps + 1)[:, None]
        a, c = np.asarray(self.curvatures), np.asarray(self.center)
        with np.errstate(over="ignore", invalid="ignore"):
            return c + (1 - lr * a) ** k * (s - c)

    def regime(self, lr: float, start: Any = None) -> str:
        """The regime of gradient descent at this rate: :func:`rate_regime` of each direction in which the start
        is away from the minimum (the problem's own start unless given), and the worst of them."""
        s = np.atleast_1d(np.asarray(self.start if start is None else start, dtype=np.float64)).reshape(-1)
        return worst_regime([rate_regime(lr, a) for a, si, ci in zip(self.curvatures, s, self.center) if si != ci])

    def critical_rates(self) -> tuple[float, float]:
        """(1/a_max, 2/a_max): above the first the steepest direction overshoots, above the second it diverges."""
        a = max(self.curvatures)
        return 1 / a, 2 / a


def quadratic(curvature: float = 2.0, center: float = 2.0, start: float = -1.0) -> QuadraticProblem:
    """L(θ) = (curvature/2)(θ − center)²; the default is (θ − 2)², the seed's loss (w·x − y)² at x = 1, y = 2."""
    a = float(curvature)
    formula = f"L(θ) = (θ − {center:g})²" if a == 2 else f"L(θ) = {a / 2:g}(θ − {center:g})²"
    return QuadraticProblem(
        name="quadratic",
        formula=formula,
        curvatures=(a,),
        center=(float(center),),
        start=(float(start),),
        steps=30,
        lr=0.2 / a,
        lr_range=(1e-3 / a, 3.2 / a),
        example_rates=tuple(r / a for r in (0.04, 0.6, 1.7, 2.1)),
    )


def bowl(curvatures: tuple[float, float] = (1.0, 10.0), start: tuple[float, float] = (-4.0, 1.5)) -> QuadraticProblem:
    """L(θ) = ½(a₁θ₁² + a₂θ₂²), by default ½(θ₁² + 10θ₂²): ten times steeper across than along, so a rate large
    enough to make progress along the valley floor makes θ bounce between the steep walls. With the default
    curvatures only lr = 0.1 exactly is good in both directions: below, the flat one is too small; above, the steep
    one oscillates."""
    a1, a2 = (float(c) for c in curvatures)
    top = max(a1, a2)
    return QuadraticProblem(
        name="bowl",
        formula=f"L(θ) = ½({a1:g}·θ₁² + {a2:g}·θ₂²)",
        curvatures=(a1, a2),
        center=(0.0, 0.0),
        start=(float(start[0]), float(start[1])),
        steps=50,
        lr=0.5 / top,
        lr_range=(1e-2 / top, 3.2 / top),
        example_rates=tuple(r / top for r in (0.1, 1.0, 1.8, 2.05)),
    )


PROBLEMS: dict[str, Callable[[], QuadraticProblem]] = {"quadratic": quadratic, "bowl": bowl}


def get_problem(problem: str | QuadraticProblem) -> QuadraticProblem:
    """A problem by name ("quadratic" or "bowl"), or the problem itself."""
    if isinstance(problem, QuadraticProblem):
        return problem
    try:
        return PROBLEMS[problem]()
    except (KeyError, TypeError):
        raise ValueError(f"unknown problem {problem!r}; use 'quadratic', 'bowl' or a QuadraticProblem") from None


def trajectory(problem: str | QuadraticProblem, lr: float, steps: int | None = None, start: Any = None) -> Trajectory:
    """Gradient descent on one of the course's problems (its default steps and start unless given)."""
    p = get_problem(problem)
    return gradient_descent(
        p.grad, p.start if start is None else start, lr, p.steps if steps is None else steps, p.loss
    )


# Thresholds of regime(), named so the docs, the tests and the lessons can quote them.
RISE_FRACTION = 0.25  # oscillating: the loss rose in at least this fraction of the steps
REVERSALS = 3  # oscillating: at least this many consecutive steps pointing back (and at least half of them)
SIGNIFICANT_STEP = 0.01  # a step counts towards reversals if it is at least 1% of the largest step
GAP_RATIO = 0.01  # too small (known minimum): the gap to the minimum shrank by less than 100×
TAIL_SHARE = 0.05  # too small (unknown minimum): the last quarter of the steps brought over 5% of the decrease


def regime(losses: Sequence[float], *, path: Any = None, minimum: float | None = None) -> str:
    """Name what a learning rate did to a run: "too small", "good", "oscillating" or "diverging".

    The checks, in order (the thresholds are the module constants in capitals):

    1. **diverging**: a loss is not finite, or the last loss is above the first.
    2. **oscillating**: the loss rose in at least ``RISE_FRACTION`` (a quarter) of the steps; or, when the ``path``
       of θ is given (shape (steps + 1,) or (steps + 1, d)), θ turned back (two consecutive steps with a negative
       dot product) at least ``REVERSALS`` (3) times and in at least half of the step pairs, counting only steps of
       at least ``SIGNIFICANT_STEP`` (1%) of the largest. On a quadratic the loss itself falls monotonically even
       while θ bounces from side to side, so pass ``path`` to see that kind of oscillation.
    3. **too small**: with a known ``minimum``, the gap to it shrank by less than a factor 1/``GAP_RATIO`` (100);
       without, the loss is still falling at the end: the last quarter of the steps brought more than
       ``TAIL_SHARE`` (5%) of the total decrease (or the loss did not fall at all).
    4. otherwise **good**.

    Meant for deterministic (full-batch) losses; smooth mini-batch losses first, as their noise alone goes up and
    down.

    >>> regime([1.0, 0.5, 0.25, 0.125, 0.06, 0.03, 0.015, 0.007, 0.004, 0.002, 0.001, 0.0005])
    'good'
    >>> regime([1.0, 0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.93])
    'too small'
    >>> regime([1.0, 0.3, 0.6, 0.2, 0.5, 0.15, 0.4, 0.1])
    'oscillating'
    >>> regime([1.0, 2.0, 4.0, 8.0])
    'diverging'
    """
    L = np.asarray(losses, dtype=np.float64).ravel()
    if L.size < 2:
        raise ValueError(f"regime() needs the losses of at least one step (two values), got {L.size}")
    if not np.all(np.isfinite(L)) or L[-1] > L[0]:
        return "diverging"
    scale = abs(L[0] - (minimum if minimum is not None else L.min())) + 1e-300
    rises = np.count_nonzero(np.diff(L) > 1e-9 * scale)
    if rises >= RISE_FRACTION * (L.size - 1):
        return "oscillating"
    if path is not None and _reverses(path):
        return "oscillating"
    if minimum is not None:
        gap0, gap = L[0] - minimum, L[-1] - minimum
        return "too small" if gap0 > 0 and gap > GAP_RATIO * gap0 else "good"
    total = L[0] - L[-1]
    if total <= 1e-12 * (abs(L[0]) + 1e-300):
        return "too small"
    quarter = L[int(round(0.75 * (L.size - 1)))]
    return "too small" if quarter - L[-1] > TAIL_SHARE * total else "good"


def _reverses(path: Any) -> bool:
    P = np.asarray(path, dtype=np.float64)
    P = P.reshape(len(P), -1)
    steps = np.diff(P, axis=0)
    if len(steps) < 2:
        return False
    norms = np.linalg.norm(steps, axis=1)
    if not np.all(np.isfinite(norms)) or norms.max() == 0:
        return False
    big = norms >= SIGNIFICANT_STEP * norms.max()
    pairs = big[:-1] & big[1:]
    back = pairs & (np.sum(steps[:-1] * steps[1:], axis=1) < 0)
    n_back = int(np.count_nonzero(back))
    return n_back >= REVERSALS and n_back >= 0.5 * np.count_nonzero(pairs)


REGIME_TEXT = {
    "too small": "too small: every step is safe but tiny, and the loss is still falling when the steps run out",
    "good": "good: the loss falls fast and settles at the minimum",
    "oscillating": "oscillating: each step overshoots the minimum, so θ bounces from side to side",
    "diverging": "diverging: each step overshoots by more than the last, and the loss grows without bound",
}
_REGIME_TEXT_RU = {
    "too small": "слишком мал: каждый шаг безопасен, но крошечен, и потери ещё падают, когда шаги кончаются",
    "good": "хороший: потери быстро падают и устанавливаются в минимуме",
    "oscillating": "колебания: каждый шаг перескакивает через минимум, и θ прыгает с одной стороны на другую",
    "diverging": "расходимость: каждый шаг перескакивает дальше предыдущего, и потери растут без предела",
}
#: A regime's name as the lesson shows it (the names themselves, "too small" ..., are what regime() returns).
REGIME_NAMES_RU = {
    "too small": "слишком мал",
    "good": "хороший",
    "oscillating": "колебания",
    "diverging": "расходимость",
}


def regime_name(reg: str) -> str:
    """The regime's name in the lesson's language."""
    from ..i18n import tr

    return tr(reg, REGIME_NAMES_RU.get(reg))


def regime_text(reg: str) -> str:
    """The explanation of a regime seen on a loss curve, in the lesson's language."""
    from ..i18n import tr

    return tr(REGIME_TEXT[reg], _REGIME_TEXT_RU[reg])


def run_regime(run: Trajectory, problem: QuadraticProblem | None = None) -> str:
    """The regime of a run: on one of the quadratic problems, exactly, from its rate and start
    (:meth:`QuadraticProblem.regime`, the definition lesson 1 derives); without a problem, estimated from the
    losses and the path by :func:`regime`."""
    if problem is not None:
        return problem.regime(run.lr, run.thetas[0])
    return regime(run.losses, path=run.thetas)


# ============================================================================================ backward stepper


@dataclass(frozen=True)
class ChainTerm:
    """One parent's share at a backward step: ``product`` = ``upstream`` · ``local`` is added into its gradient.

    ``local`` is d(op output)/d(parent) when the op's output has one element (else None: a Jacobian, applied as a
    vector-Jacobian product); ``total`` is the parent's gradient after the addition.
    """

    parent: str
    parent_label: str
    local: np.ndarray | None
    upstream: np.ndarray
    product: np.ndarray
    total: np.ndarray


@dataclass(frozen=True)
class Frame:
    """The state of the stepper after one click.

    ``phase``: "start", "forward", "seed", "backward" or "done". ``current``: the node id to highlight (None at
    start and done). ``data``: ids of the value nodes whose data is known. ``grads``: value id -> gradient so far
    (d output / d value). ``terms``: at a backward step, one :class:`ChainTerm` per parent. ``text``: one line.
    """

    index: int
    phase: str
    current: str | None
    data: frozenset[str]
    grads: dict[str, np.ndarray]
    terms: tuple[ChainTerm, ...] = ()
    text: str = ""
    edges: tuple[tuple[str, str], ...] = ()


@dataclass
class Stepper:
    """Frames of the forward and backward pass through a graph, and the gradients a real backward() gave.

    ``leaf_grads``: value id -> gradient of every leaf that requires grad, from ``backward()`` run on a replay of
    the graph; :func:`stepper_states` checks that the last frame shows exactly these.
    """

    graph: Graph
    frames: list[Frame]
    leaf_grads: dict[str, np.ndarray] = field(default_factory=dict)
    _layouts: dict = field(default_factory=dict, repr=False)  # frame_svg's layout, computed once

    def __len__(self) -> int:
        return len(self.frames)


_SYMBOL = {"Add": "+", "Sub": "−", "Mul": "·", "Div": "/", "PowScalar": "^", "Pow": "^", "MatMul": "@"}


def _replay(graph: Graph) -> dict[str, Tensor]:
    """Recompute the graph on fresh leaves: the same ops on the same values, so its saved values are there even if
    the original's were freed by a backward(), and gradients land on copies, never on the caller's tensors."""
    new: dict[str, Tensor] = {}
    with enable_grad():
        for n in graph.values():
            t = n.tensor
            fn = t.grad_fn
            if fn is None:
                new[n.id] = t.detach().requires_grad_(True) if t.requires_grad else t
                continue
            args = [new[graph.id_of(a)] if isinstance(a, Tensor) else a for a in fn.args]
            new[n.id] = fn.fn.apply(*args)
    return new


def _seed(data: Any) -> Any:
    arr = np.asarray(data)
    return arr.dtype.type(1) if arr.ndim == 0 else np.ones(arr.shape, dtype=arr.dtype)


def stepper_states(output: Tensor) -> Stepper:
    """The frames of the backward-pass stepper for the graph behind ``output``.

    Frame 0 shows the inputs. Then one frame per op in forward order: the op is current and its result appears.
    Then the seed (d output / d output = 1) and one frame per op in the order the engine runs them (a node goes once
    every user of its result has sent its gradient): for each parent, the local gradient, the upstream gradient,
    their product and the parent's new total. The last frame shows every gradient; they are checked against a real
    ``backward()`` run on a replay of the graph (the caller's tensors and their ``.grad`` are left alone).

    >>> import mini_autograd as ag
    >>> x = ag.tensor(4.0, requires_grad=True); x.name = "x"
    >>> y = ag.tensor(-3.0, requires_grad=True); y.name = "y"
    >>> z = ag.tensor(5.0, requires_grad=True); z.name = "z"
    >>> q = x + y; q.name = "q"
    >>> f = q * z; f.name = "f"
    >>> s = stepper_states(f)
    >>> [fr.phase for fr in s.frames]
    ['start', 'forward', 'forward', 'seed', 'backward', 'backward', 'done']
    >>> s.frames[4].text
    'Mul: ∂f/∂q += ∂f/∂f · ∂f/∂q = 1 · 5 = 5;  ∂f/∂z += ∂f/∂f · ∂f/∂z = 1 · 1 = 1'
    """
    if not isinstance(output, Tensor) or not output.requires_grad:
        raise RuntimeError(
            "stepper_states needs a tensor that requires grad: compute it from a leaf made with requires_grad=True "
            "(outside no_grad()), e.g. x = tensor(1.0, requires_grad=True); f = x * x"
        )
    graph = trace(output)
    out_id = graph.output
    replay = _replay(graph)
    label = {n.id: n.label for n in graph.nodes}
    root = label[out_id]
    frames: list[Frame] = []

    def add(phase: str, current: str | None, data: set, grads: dict, text: str, terms=(), edges=()) -> None:
        frames.append(Frame(len(frames), phase, current, frozenset(data), dict(grads), tuple(terms), text, edges))

    # Forward: the leaves (and constants) are known; each op computes its value.
    known = {n.id for n in graph.values() if n.is_leaf}
    inputs = ", ".join(f"{n.label} = {format_value(n.tensor.data)}" for n in graph.values() if n.is_leaf)
    add(
        "start",
        None,
        known,
        {},
        tr(
            f"Inputs: {inputs}. Next runs the forward pass, one operation at a time.",
            f"Входы: {inputs}. «Next» выполняет прямой проход, по одной операции за шаг.",
        ),
    )
    for op in graph.ops():
        (vid,) = graph.successors(op.id)
        known.add(vid)
        args = [label[i] for i in op.inputs]
        vals = [graph[i].tensor.data if graph[i].kind == "value" else graph[i].number for i in op.inputs]
        sym = _SYMBOL.get(op.node.fn.__name__)
        fname = {"Maximum": "max", "Minimum": "min"}.get(op.label, op.label.lower())
        if sym and len(args) == 2:
            formula = f"{args[0]} {sym} {args[1]} = {_operand(vals[0])} {sym} {_operand(vals[1])}"
        elif op.node.fn.__name__ == "RSub":
            formula = f"{args[1]} − {args[0]} = {_operand(vals[1])} − {_operand(vals[0])}"
        else:
            formula = f"{fname}({', '.join(args)}) = {fname}({', '.join(format_value(v) for v in vals)})"
        out_val = format_value(graph[vid].tensor.data)
        edges = tuple((i, op.id) for i in op.inputs) + ((op.id, vid),)
        text = tr(f"Forward {op.label}: ", f"Прямой проход, {op.label}: ") + f"{label[vid]} = {formula} = {out_val}"
        add("forward", op.id, known, {}, text, edges=edges)

    # Backward: the seed, then the engine's order (Kahn's algorithm from the output, a stack of ready nodes).
    seed = _seed(replay[out_id].data)
    grads: dict[str, np.ndarray] = {out_id: np.asarray(seed)}
    start = tr(f"Backward starts at {root}", f"Обратный проход начинается с {root}")
    add("seed", out_id, known, grads, f"{start}: ∂{root}/∂{root} = {format_value(seed)}")
    users: dict[str, int] = {}
    for op in graph.ops():
        for i in op.inputs:
            src = graph[i]
            if src.kind == "value" and not src.is_leaf:
                (maker,) = graph.predecessors(i)
                users[maker] = users.get(maker, 0) + 1
    vid_of = {id(t): vid for vid, t in replay.items()}
    (root_op,) = graph.predecessors(out_id) or (None,)
    ready = [root_op] if root_op is not None else []
    while ready:
        oid = ready.pop()
        op = graph[oid]
        (vid,) = graph.successors(oid)
        node = replay[vid].grad_fn
        upstream = grads.get(vid)
        if upstream is None:  # every path into it carried no gradient (the engine skips it the same way)
            _release(node, graph, vid_of, users, ready)
            continue
        ones = _seed(replay[vid].data)
        local_all = _as_tuple(node.fn.backward(node, ones)) if np.size(ones) == 1 else None
        prod_all = _as_tuple(node.fn.backward(node, upstream))
        terms, edges, parts = [], [], []
        for k, (arg, need) in enumerate(zip(node.args, node.needs_input_grad)):
            if not need or prod_all[k] is None:
                continue
            pid = op.args[k]
            shape = np.shape(arg.data)
            product = np.asarray(unbroadcast(np.asarray(prod_all[k]), shape, node))
            local = None if local_all is None else np.asarray(unbroadcast(np.asarray(local_all[k]), shape, node))
            total = grads[pid] + product if pid in grads else product
            grads[pid] = np.asarray(total)
            terms.append(ChainTerm(pid, label[pid], local, np.asarray(upstream), product, grads[pid]))
            edges.append((pid, oid))
            p = label[pid]
            v = label[vid]
            if local is not None:
                part = (
                    f"∂{root}/∂{p} += ∂{root}/∂{v} · ∂{v}/∂{p} = {format_value(upstream)} · {format_value(local)}"
                    f" = {format_value(product)}"
                )
            else:
                part = f"∂{root}/∂{p} += (∂{root}/∂{v})ᵀ · ∂{v}/∂{p}, " + tr(
                    f"a {format_value(product)} array", f"массив {format_value(product)}"
                )
            if not np.array_equal(grads[pid], product):
                part += tr(f" (total {format_value(grads[pid])})", f" (всего {format_value(grads[pid])})")
            parts.append(part)
        add("backward", oid, known, grads, f"{op.label}: " + ";  ".join(parts), terms, tuple(edges) + ((oid, vid),))
        _release(node, graph, vid_of, users, ready)

    # The real thing, on the replay: the last frame must show exactly these gradients.
    leaf_ids = [n.id for n in graph.values() if n.is_leaf and n.requires_grad]
    if replay[out_id].requires_grad:
        replay[out_id].backward(None if np.size(seed) == 1 else Tensor(np.asarray(seed)))
    leaf_grads = {i: np.asarray(replay[i].grad.data) for i in leaf_ids if replay[i].grad is not None}
    for i in leaf_ids:
        mine = grads.get(i)
        real = leaf_grads.get(i)
        if (mine is None) != (real is None) or (
            mine is not None and not np.allclose(mine, real, rtol=1e-6, atol=1e-12, equal_nan=True)
        ):
            raise RuntimeError(
                f"stepper_states: the stepper's gradient of {label[i]} ({mine}) differs from backward()'s ({real}); "
                "this is a bug in mini_autograd.viz, please report it"
            )
    summary = ", ".join(f"∂{root}/∂{label[i]} = {format_value(grads.get(i))}" for i in leaf_ids)
    call = f"{root}.backward()" if np.size(seed) == 1 else f"{root}.backward(ones_like({root}))"
    add(
        "done",
        None,
        known,
        grads,
        tr(f"Done: {summary} (the same as {call} gives)", f"Готово: {summary} (то же, что даёт {call})"),
    )
    return Stepper(graph, frames, leaf_grads)


def _operand(v: Any) -> str:
    """A value inside a formula: negative numbers in parentheses, so '4 + (-3)' and '(-1) ^ 2' read right."""
    s = format_value(v)
    return f"({s})" if s.startswith("-") else s


def _as_tuple(g: Any) -> tuple:
    return g if type(g) is tuple else (g,)


def _release(node: Any, graph: Graph, vid_of: dict[int, str], users: dict[str, int], ready: list) -> None:
    """This op is done: each op that made one of its inputs has one user fewer to wait for."""
    for arg, need in zip(node.args, node.needs_input_grad):
        if need and arg.grad_fn is not None:
            (maker,) = graph.predecessors(vid_of[id(arg)])
            users[maker] -= 1
            if users[maker] == 0:
                ready.append(maker)


# ============================================================================================ chain rule


@dataclass(frozen=True)
class ChainPoint:
    """h(x) = g2(g1(x)) at one x: u = g1(x), h = g2(u), dg1 = g1'(x), dg2 = g2'(u), product = dg2 · dg1 = h'(x)."""

    x: float
    u: float
    h: float
    dg1: float
    dg2: float
    product: float


def _square(x):
    return x * x


def _d_square(x):
    return 2 * x


def _sin(u):
    return np.sin(u)


def _d_sin(u):
    return np.cos(u)


DEFAULT_CHAIN = (_square, _sin, _d_square, _d_sin)  # h(x) = sin(x²), h'(x) = cos(x²) · 2x


def derivative(g: Callable[[Any], Any], x: float, h: float = 1e-5) -> float:
    """g'(x) by central differences (for a g given without its derivative)."""
    return float((np.asarray(g(x + h), dtype=np.float64) - np.asarray(g(x - h), dtype=np.float64)) / (2 * h))


def chain_rule_point(
    x: float,
    g1: Callable | None = None,
    g2: Callable | None = None,
    dg1: Callable | None = None,
    dg2: Callable | None = None,
) -> ChainPoint:
    """The chain rule at x for h(x) = g2(g1(x)): h'(x) = g2'(g1(x)) · g1'(x).

    With no functions the default is g1(x) = x², g2(u) = sin u. A derivative left out is computed by central
    differences.

    >>> p = chain_rule_point(1.0)
    >>> round(p.u, 4), round(p.h, 4), round(p.dg1, 4), round(p.dg2, 4), round(p.product, 4)
    (1.0, 0.8415, 2.0, 0.5403, 1.0806)
    """
    if g1 is None and g2 is None:
        g1, g2, d1, d2 = DEFAULT_CHAIN
        dg1, dg2 = dg1 or d1, dg2 or d2
    if g1 is None or g2 is None:
        raise ValueError("chain_rule_point: give both g1 and g2 (or neither, for the default sin(x²))")
    x = float(x)
    u = float(g1(x))
    h = float(g2(u))
    d1 = float(dg1(x)) if dg1 is not None else derivative(g1, x)
    d2 = float(dg2(u)) if dg2 is not None else derivative(g2, u)
    return ChainPoint(x, u, h, d1, d2, d2 * d1)


def chain_rule_curves(
    x_range: tuple[float, float] = (-2.0, 2.0), g1: Callable | None = None, g2: Callable | None = None, n: int = 241
) -> dict[str, np.ndarray]:
    """The curves the chain-rule explorer draws: ``x``, ``g1`` = g1(x), ``u`` (a grid over the values g1 takes),
    ``g2`` = g2(u) and ``h`` = g2(g1(x))."""
    if g1 is None and g2 is None:
        g1, g2 = DEFAULT_CHAIN[0], DEFAULT_CHAIN[1]
    xs = np.linspace(*x_range, n)
    g1s = np.array([float(g1(float(v))) for v in xs])
    lo, hi = float(np.min(g1s)), float(np.max(g1s))
    pad = 0.1 * (hi - lo) + 1e-3
    us = np.linspace(lo - pad, hi + pad, n)
    return {
        "x": xs,
        "g1": g1s,
        "u": us,
        "g2": np.array([float(g2(float(v))) for v in us]),
        "h": np.array([float(g2(float(v))) for v in g1s]),
    }


def frame_svg(stepper: Stepper, index: int, *, title: str | None = None) -> str:
    """The SVG of one stepper frame: the current node outlined in red, the edges of its step in red, data and
    gradients shown as far as the frame has got ('?' for the rest). One layout serves every frame, so nothing moves.
    """
    graph = stepper.graph
    frame = stepper.frames[index]
    key = title is not None
    lay = stepper._layouts.get(key)
    if lay is None:  # box sizes: the widest text any frame puts in each node
        sizes = {}
        for n in graph.nodes:
            chars = 12 if n.kind == "value" else 0
            sizes[n.id] = max(
                node_size(n, node_lines(n, grad=fr.grads.get(n.id, HIDDEN)), chars) for fr in stepper.frames
            )
        lay = layout(graph, sizes, top=26.0 if key else 0.0)
        stepper._layouts[key] = lay
    data = {i: graph[i].tensor.data for i in frame.data}
    return render_svg(
        graph, lay, highlight=frame.current, title=title, data=data, grads=frame.grads, active_edges=frame.edges
    )
