"""Draw the computational graph behind a mini_autograd result, as SVG made here, with no system binary.

micrograd and HIPS autograd draw their graphs with Graphviz's ``dot``; this module lays the graph out itself and
writes plain SVG text, so the drawing shows in JupyterLab, Colab, GitHub's notebook viewer and nbconvert's HTML
alike. Three steps, each a function you can call on its own:

1. :func:`trace` walks back from a tensor through ``grad_fn.inputs`` and returns the graph as plain data: value nodes
   (tensors: label, data, grad), op nodes (``Mul``, ``Add``, ...) and constant nodes (a number such as the ``2`` of
   ``s ** 2``), with edges from each op's inputs to the op and from the op to its output.
2. :func:`layout` places the nodes in columns, left to right: the inputs on the left, the result on the right
   (every edge points right), and orders each column to keep edges short and straight.
3. :func:`render_svg` writes the SVG; :func:`to_svg` does all three, :func:`draw_graph` wraps the result for display.

>>> import mini_autograd as ag
>>> x = ag.tensor(1.0, requires_grad=True); x.name = "x"
>>> y = ag.tensor(2.0, requires_grad=True); y.name = "y"
>>> f = (x + y) * y; f.name = "f"
>>> g = trace(f)
>>> [n.label for n in g.nodes]
['x', 'y', 'Add', 't1', 'Mul', 'f']
>>> svg = to_svg(f)          # a string: '<svg xmlns=...'
"""

from __future__ import annotations

import html
import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..function import Node
from ..tensor import Tensor

# Functions whose plain-number arguments are operands (the 2 of ``s ** 2``, the 3 of ``3 * x``), drawn as constant
# nodes. For every other op a number argument is a setting (a dim, keepdim), not a value, and is left out.
_NUMBER_OPERANDS = {"Add", "Sub", "RSub", "Mul", "Div", "PowScalar", "Pow", "RPow", "Maximum", "Minimum"}


@dataclass
class GraphNode:
    """One node of a traced graph.

    Attributes:
        id: a stable key within the graph: ``"v3"`` for a value, ``"o1"`` for an op, ``"c0"`` for a constant.
        kind: ``"value"``, ``"op"`` or ``"const"``.
        label: the tensor's ``name`` if it has one, else ``t1``, ``t2``, ... (values); the op's name without
            ``Backward0`` (ops: ``"Mul"``); the number (constants).
        named: True when the label is the tensor's own ``name`` (not a made-up ``t1``).
        tensor: the tensor (value nodes), ``node`` the ``grad_fn`` (op nodes), ``number`` the value (constants).
        inputs: for op nodes, the ids of the op's inputs in argument order (tensors and constants).
        args: for op nodes, one entry per argument of the op: the id of its input node, or None for a setting
            (a dim, keepdim) that is not drawn.
    """

    id: str
    kind: str
    label: str
    named: bool = False
    tensor: Tensor | None = None
    node: Node | None = None
    number: Any = None
    inputs: tuple[str, ...] = ()
    args: tuple[str | None, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return self.kind == "value" and self.tensor.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self.kind == "value" and bool(self.tensor.requires_grad)


@dataclass
class Graph:
    """The nodes reachable from a tensor, in forward order (every node after the nodes it is computed from)."""

    nodes: list[GraphNode]
    edges: list[tuple[str, str]]  # (from, to): input -> op, op -> output; a tensor used twice gives two edges
    output: str  # id of the value node of the tensor that was traced
    _by_id: dict[str, GraphNode] = field(default_factory=dict, repr=False)
    _by_object: dict[int, str] = field(default_factory=dict, repr=False)

    _preds: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _succs: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {n.id: n for n in self.nodes}
        self._preds = {n.id: [] for n in self.nodes}
        self._succs = {n.id: [] for n in self.nodes}
        for a, b in self.edges:
            self._succs[a].append(b)
            self._preds[b].append(a)

    def __getitem__(self, node_id: str) -> GraphNode:
        return self._by_id[node_id]

    def __len__(self) -> int:
        return len(self.nodes)

    def id_of(self, obj: Any) -> str:
        """The id of the node drawn for a tensor or a grad_fn Node of this graph (or an id, returned as is)."""
        if isinstance(obj, str):
            if obj not in self._by_id:
                raise KeyError(f"no node {obj!r} in this graph; ids are {sorted(self._by_id)}")
            return obj
        try:
            return self._by_object[id(obj)]
        except KeyError:
            raise KeyError(f"{obj!r} is not part of this graph") from None

    def values(self) -> list[GraphNode]:
        return [n for n in self.nodes if n.kind == "value"]

    def ops(self) -> list[GraphNode]:
        return [n for n in self.nodes if n.kind == "op"]

    def predecessors(self, node_id: str) -> list[str]:
        """The nodes with an edge into this one (an op's inputs in argument order; a value's op)."""
        return list(self._preds[node_id])

    def successors(self, node_id: str) -> list[str]:
        """The nodes this one has an edge into (the ops that use a value; an op's result)."""
        return list(self._succs[node_id])


def op_label(node: Node) -> str:
    """``MulBackward0`` -> ``Mul``, ``MaximumBackward0`` -> ``Maximum``, ``PowBackward1`` -> ``Pow``."""
    return re.sub(r"Backward\d*$", "", node.name()) or node.name()


def is_scalar_value(obj: Any) -> bool:
    """True for a micrograd-style scalar (lesson 9's ``Value``): ``data``, ``grad``, ``_prev`` and ``_op``."""
    return all(hasattr(obj, a) for a in ("data", "grad", "_prev", "_op")) and not isinstance(obj, Tensor)


class _ScalarView:
    """What the drawing reads from a value node, for a micrograd-style ``Value``: its data, its grad (every node
    of such an engine keeps one, intermediates included), its name (``label`` or ``name``)."""

    requires_grad = True

    def __init__(self, value: Any) -> None:
        self.value = value
        self.grad_fn = None if not value._prev else value._op or "op"
        self.name = getattr(value, "label", None) or getattr(value, "name", None)

    @property
    def data(self) -> Any:
        return self.value.data

    @property
    def grad(self) -> Any:
        return self.value.grad


def trace_scalar(root: Any) -> Graph:
    """The graph behind a micrograd-style ``Value`` (``_prev`` its inputs, ``_op`` the operation's symbol).

    Same shape of result as :func:`trace`: value nodes (data and grad, for every node, since such an engine keeps a
    gradient on each), one op node per computed value labelled by ``_op``, edges input -> op -> value. Iterative, so a
    deep chain is fine. ``Graph.id_of`` finds a node from the Value itself.
    """
    nodes: list[GraphNode] = []
    edges: list[tuple[str, str]] = []
    by_object: dict[int, str] = {}
    unnamed = [0]
    visited: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    n_ops = 0
    while stack:
        v, expanded = stack.pop()
        if not expanded:
            if id(v) in visited:
                continue
            visited.add(id(v))
            stack.append((v, True))
            stack.extend((c, False) for c in reversed(list(v._prev)) if id(c) not in visited)
            continue
        inputs = tuple(by_object[id(c)] for c in v._prev)
        if inputs:
            oid = f"o{n_ops}"
            n_ops += 1
            nodes.append(GraphNode(oid, "op", str(v._op or "op"), inputs=inputs, args=inputs))
            edges.extend((i, oid) for i in inputs)
        view = _ScalarView(v)
        if view.name:
            label, named = str(view.name), True
        else:
            unnamed[0] += 1
            label, named = f"t{unnamed[0]}", False
        vid = f"v{len(by_object)}"
        nodes.append(GraphNode(vid, "value", label, named, tensor=view))
        by_object[id(v)] = vid
        if inputs:
            edges.append((oid, vid))
    graph = Graph(nodes, edges, by_object[id(root)])
    graph._by_object = by_object
    return graph


def trace(tensor: Tensor) -> Graph:
    """The graph that computed ``tensor``: its value, op and constant nodes and their edges, as plain data.

    Walks ``grad_fn.inputs`` back to the leaves without recursion, so a deep chain is fine. The nodes come in
    forward order, inputs in argument order (for ``(x + y) * max(y, z)``: x, y, Add, ..., z, Maximum, ..., Mul, f).
    A tensor without ``grad_fn`` (a leaf, or a result that needs no gradient) is a graph of one node. A
    micrograd-style ``Value`` (lesson 9's engine) is traced by :func:`trace_scalar`.
    """
    if is_scalar_value(tensor):
        return trace_scalar(tensor)
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"trace() needs a mini_autograd Tensor or a micrograd-style Value (with data, grad, _prev and _op), "
            f"got {type(tensor).__name__}"
        )
    nodes: list[GraphNode] = []
    edges: list[tuple[str, str]] = []
    by_object: dict[int, str] = {}
    counts = {"v": 0, "o": 0, "c": 0}
    unnamed = [0]

    def new_id(kind: str) -> str:
        k = counts[kind]
        counts[kind] = k + 1
        return f"{kind}{k}"

    def add_value(t: Tensor) -> str:
        name = getattr(t, "name", None)
        if name is None or str(name) == "":
            unnamed[0] += 1
            label, named = f"t{unnamed[0]}", False
        else:
            label, named = str(name), True
        vid = new_id("v")
        nodes.append(GraphNode(vid, "value", label, named, tensor=t))
        by_object[id(t)] = vid
        return vid

    # Iterative depth-first search; a tensor is emitted after everything it was computed from (post-order).
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(tensor, False)]
    while stack:
        t, expanded = stack.pop()
        fn = t.grad_fn
        if not expanded:
            if id(t) in visited:
                continue
            visited.add(id(t))
            stack.append((t, True))
            if fn is not None:
                for a in reversed(fn.args):
                    if isinstance(a, Tensor) and id(a) not in visited:
                        stack.append((a, False))
            continue
        if fn is None:
            add_value(t)
            continue
        args: list[str | None] = []
        for a in fn.args:
            if isinstance(a, Tensor):
                args.append(by_object[id(a)])
            elif _is_operand(fn, a):
                cid = new_id("c")
                nodes.append(GraphNode(cid, "const", _format_number(a), number=a))
                args.append(cid)
            else:
                args.append(None)
        inputs = [i for i in args if i is not None]
        oid = new_id("o")
        nodes.append(GraphNode(oid, "op", op_label(fn), node=fn, inputs=tuple(inputs), args=tuple(args)))
        by_object[id(fn)] = oid
        edges.extend((i, oid) for i in inputs)
        vid = add_value(t)
        edges.append((oid, vid))
    graph = Graph(nodes, edges, by_object[id(tensor)])
    graph._by_object = by_object
    return graph


def _is_operand(fn: Node, a: Any) -> bool:
    return (
        fn.fn.__name__ in _NUMBER_OPERANDS
        and isinstance(a, (numbers.Real, np.number))
        and not isinstance(a, (bool, np.bool_))
    )


# ------------------------------------------------------------------------------------------------------ text


def _format_number(v: Any) -> str:
    """Compact: 3, -2, 0.5, 1.235e+04, nan; 4 significant digits; never '-0'."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (numbers.Integral, np.integer)):
        return str(int(v))
    v = float(v)
    if v == 0:
        return "0"
    return f"{v:.4g}"


def format_value(a: Any) -> str:
    """A tensor's data or grad in a few characters: a number for one element, the shape otherwise ('[3×4]')."""
    if a is None:
        return "—"
    if isinstance(a, Tensor):
        a = a.data
    arr = np.asarray(a)
    if arr.size == 1:
        return _format_number(arr.reshape(()).item())
    return "[" + "×".join(str(s) for s in arr.shape) + "]"


def _tooltip(a: Any) -> str:
    arr = np.asarray(a.data if isinstance(a, (Tensor, _ScalarView)) else a)
    if arr.size <= 1:
        return format_value(arr)
    return f"shape {tuple(arr.shape)}\n" + np.array2string(arr, precision=4, threshold=20, edgeitems=2)


HIDDEN = object()  # in ``data``/``grads`` of render_svg: draw the row as '?' (not yet computed)


def node_lines(
    gnode: GraphNode,
    *,
    show_grad: bool = True,
    data: Any = None,
    grad: Any = None,
) -> list[str]:
    """The text rows of a node: label, ``data …``, ``grad …`` for a value; the name for an op or a constant.

    ``data``/``grad`` replace the tensor's own (``HIDDEN`` draws '?'); by default a value shows ``tensor.data`` and
    ``tensor.grad`` ('—' while there is none, 'no grad' for a tensor that does not require one).
    """
    if gnode.kind != "value":
        return [gnode.label]
    t = gnode.tensor
    d = t.data if data is None else data
    lines = [gnode.label, "data " + ("?" if d is HIDDEN else format_value(d))]
    if show_grad:
        if not t.requires_grad:
            lines.append("no grad")
        else:
            g = t.grad if grad is None else grad
            lines.append("grad " + ("?" if g is HIDDEN else format_value(g)))
    return lines


# ---------------------------------------------------------------------------------------------------- layout

CHAR_W = 7.2  # width of one character of 12px monospace text, for sizing boxes
LINE_H = 15
PAD_X = 8
PAD_Y = 5
COL_GAP = 38
ROW_GAP = 14
MARGIN = 12


def node_size(gnode: GraphNode, lines: list[str], min_chars: int = 0) -> tuple[float, float]:
    """Width and height of a node drawn with these text rows."""
    chars = max(max((len(s) for s in lines), default=1), min_chars)
    if gnode.kind == "value":
        return chars * CHAR_W + 2 * PAD_X, len(lines) * LINE_H + 2 * PAD_Y
    if gnode.kind == "op":
        return chars * CHAR_W + 2 * PAD_X + 8, LINE_H + 2 * PAD_Y + 4
    return chars * CHAR_W + 2 * PAD_X, LINE_H + 2 * PAD_Y


@dataclass
class Layout:
    """Where each node goes: ``positions[id] = (x, y)`` of its centre, ``columns[id]`` its column (0 = inputs),
    ``sizes[id]`` its (width, height). An edge that skips columns is routed through a free lane of each column it
    crosses: ``routes[k]`` lists those (x, y) points for edge ``graph.edges[k]`` (absent for edges to the next column).
    """

    positions: dict[str, tuple[float, float]]
    columns: dict[str, int]
    sizes: dict[str, tuple[float, float]]
    width: float
    height: float
    routes: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    column_widths: list[float] = field(default_factory=list)


def columns_of(graph: Graph) -> dict[str, int]:
    """Each node's column, 0 for the leftmost: the output is rightmost and a node sits just left of its leftmost
    user (column = longest path in the graph minus the longest path from this node to the output), so every edge
    points right and an input used late in the computation is drawn near its use, not among the first inputs."""
    depth = {graph.output: 0}
    for n in reversed(graph.nodes):  # consumers come before their inputs in reverse forward order
        d = depth.setdefault(n.id, 0)
        for p in graph.predecessors(n.id):
            if depth.get(p, -1) < d + 1:
                depth[p] = d + 1
    top = max(depth.values())
    return {n.id: top - depth[n.id] for n in graph.nodes}


def layout(graph: Graph, sizes: Mapping[str, tuple[float, float]] | None = None, *, top: float = 0.0) -> Layout:
    """Layered left-to-right positions: inputs left, output right, every edge pointing right.

    Columns come from :func:`columns_of`; an edge that skips columns gets a waypoint (a lane) in each column it
    crosses, so it passes between boxes instead of through them. Within a column, nodes and lanes start in forward
    order and are then moved, a few sweeps left-to-right and right-to-left, towards the mean height of their
    neighbours (which also reorders them to remove crossings) and packed so boxes keep ``ROW_GAP`` apart. ``sizes``
    gives each node's (width, height); by default the size of its rows as drawn with data and grad. Pure: the same
    graph gives the same layout.
    """
    if sizes is None:
        sizes = {n.id: node_size(n, node_lines(n), 12 if n.kind == "value" else 0) for n in graph.nodes}
    sizes = dict(sizes)
    cols = columns_of(graph)
    ncols = max(cols.values()) + 1
    members: list[list[str]] = [[] for _ in range(ncols)]
    for n in graph.nodes:
        members[cols[n.id]].append(n.id)
    preds: dict[str, list[str]] = {n.id: [] for n in graph.nodes}
    succs: dict[str, list[str]] = {n.id: [] for n in graph.nodes}
    lanes: dict[int, list[str]] = {}
    height = dict(sizes)
    for k, (a, b) in enumerate(graph.edges):
        chain = [a]
        for c in range(cols[a] + 1, cols[b]):  # a lane in every column the edge crosses
            lane = f"~{k}:{c}"
            members[c].append(lane)
            height[lane] = (0.0, 0.0)
            preds[lane], succs[lane] = [], []
            lanes.setdefault(k, []).append(lane)
            chain.append(lane)
        chain.append(b)
        for u, v in zip(chain, chain[1:]):
            succs[u].append(v)
            preds[v].append(u)

    y: dict[str, float] = {}
    for col in members:
        total = sum(height[i][1] for i in col) + ROW_GAP * (len(col) - 1)
        pos = -total / 2
        for i in col:
            y[i] = pos + height[i][1] / 2
            pos += height[i][1] + ROW_GAP

    def sweep(order: range, neighbours: dict[str, list[str]]) -> None:
        for c in order:
            col = members[c]
            want = {}
            for i in col:
                nb = neighbours[i]
                want[i] = sum(y[j] for j in nb) / len(nb) if nb else y[i]
            col.sort(key=lambda i: want[i])  # stable: ties keep the current order
            placed = _pack([want[i] for i in col], [height[i][1] for i in col])
            for i, v in zip(col, placed):
                y[i] = v

    for _ in range(4):
        sweep(range(1, ncols), preds)
        sweep(range(ncols - 2, -1, -1), succs)
    sweep(range(1, ncols), preds)

    widths = [max(sizes[i][0] for i in col if i in sizes) for col in members]
    xs, x = [], MARGIN
    for w in widths:
        xs.append(x + w / 2)
        x += w + COL_GAP
    width = x - COL_GAP + MARGIN
    ymin = min(y[i] - height[i][1] / 2 for i in y)
    ymax = max(y[i] + height[i][1] / 2 for i in y)
    shift = MARGIN + top - ymin
    positions = {n.id: (xs[cols[n.id]], y[n.id] + shift) for n in graph.nodes}
    routes = {k: [(xs[int(lane.split(":")[1])], y[lane] + shift) for lane in ls] for k, ls in lanes.items()}
    return Layout(positions, cols, sizes, width, ymax - ymin + 2 * MARGIN + top, routes, widths)


def _pack(want: list[float], heights: list[float]) -> list[float]:
    """Positions as close to ``want`` as the boxes allow, in the given order, ``ROW_GAP`` apart.

    The mean of a push-down and a push-up pass: both keep the gaps, so their mean does too.
    """
    n = len(want)
    down, up = list(want), list(want)
    for i in range(1, n):
        down[i] = max(want[i], down[i - 1] + (heights[i - 1] + heights[i]) / 2 + ROW_GAP)
    for i in range(n - 2, -1, -1):
        up[i] = min(want[i], up[i + 1] - (heights[i] + heights[i + 1]) / 2 - ROW_GAP)
    return [(a + b) / 2 for a, b in zip(down, up)]


# ------------------------------------------------------------------------------------------------------- SVG

# Colours: leaves that want a gradient blue, other values grey, the output green, ops amber, the highlight red.
_FILL = {"leaf": "#e3eefa", "value": "#f4f4f4", "output": "#e2f3e0", "op": "#fff1cc", "const": "#ffffff"}
_STROKE = {"leaf": "#3b6ea8", "value": "#666666", "output": "#3f8a3a", "op": "#b07d00", "const": "#999999"}
HIGHLIGHT = "#d62728"
_HIGHLIGHT_FILL = "#fde3dc"
_INK = "#222222"
_FAINT = "#8a8a8a"


def _esc(s: Any) -> str:
    return html.escape(str(s), quote=True)


def _style_of(graph: Graph, n: GraphNode) -> str:
    if n.kind != "value":
        return n.kind
    if n.id == graph.output:
        return "output"
    return "leaf" if n.is_leaf and n.requires_grad else "value"


def _ids(graph: Graph, items: Any) -> set[str]:
    if items is None:
        return set()
    if isinstance(items, (str, Tensor, Node)):
        items = [items]
    return {graph.id_of(i) for i in items}


def render_svg(
    graph: Graph,
    lay: Layout | None = None,
    *,
    show_grad: bool = True,
    highlight: Any = None,
    title: str | None = None,
    data: Mapping[str, Any] | None = None,
    grads: Mapping[str, Any] | None = None,
    active_edges: Iterable[tuple[str, str]] = (),
) -> str:
    """Self-contained SVG text for a traced graph (no stylesheet, no fonts, no links; every label escaped).

    ``highlight``: tensors, grad_fn nodes or node ids to outline in red. ``data``/``grads``: per value id, what
    to print instead of the tensor's own data and grad (``HIDDEN`` for '?'); values missing from ``grads`` show
    '?' when ``grads`` is given. ``active_edges``: (from, to) pairs drawn in red, e.g. the edges a gradient is
    flowing along. ``lay``: a :func:`layout` to reuse (the stepper keeps one for every frame).
    """
    top = 26.0 if title else 0.0
    if lay is None:
        sizes = {}
        for n in graph.nodes:
            lines = node_lines(n, show_grad=show_grad)
            sizes[n.id] = node_size(n, lines, 12 if n.kind == "value" else 0)
        lay = layout(graph, sizes, top=top)
    width, height = lay.width, lay.height
    if title:
        width = max(width, len(title) * 8.4 + 2 * MARGIN)
    marked = _ids(graph, highlight)
    active = set(active_edges)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" '
        f'font-size="12" role="img">',
        f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    if title:
        out.append(
            f'<text x="{MARGIN}" y="{MARGIN + 12}" font-size="14" font-weight="bold" fill="{_INK}">{_esc(title)}</text>'
        )

    # Edges first, so boxes cover their ends. A tensor used twice by one op gets two entry points.
    slots: dict[str, int] = {}
    for k, (a, b) in enumerate(graph.edges):
        (xa, ya), (xb, yb) = lay.positions[a], lay.positions[b]
        node_b = graph[b]
        n_in = len(node_b.inputs)
        if node_b.kind == "op" and n_in > 1:
            slot = slots.get(b, 0)
            slots[b] = slot + 1
            yb += (slot - (n_in - 1) / 2) * min(8.0, lay.sizes[b][1] / n_in)
        x0, x1 = xa + lay.sizes[a][0] / 2, xb - lay.sizes[b][0] / 2 - 1
        # (x in, x out, y) segments: leave the source, cross each skipped column in its lane, enter the target
        segments = [(x0, x0, ya)]
        for xl, yl in lay.routes.get(k, []):
            half = lay.column_widths[lay.columns[a] + len(segments)] / 2
            segments.append((xl - half, xl + half, yl))
        segments.append((x1 - 6, x1, yb))
        path = [f"M{x0:.1f},{ya:.1f}"]
        for (_, px, py), (qi, qo, qy) in zip(segments, segments[1:]):
            mid = (px + qi) / 2
            path.append(f"C{mid:.1f},{py:.1f} {mid:.1f},{qy:.1f} {qi:.1f},{qy:.1f} L{qo:.1f},{qy:.1f}")
        hot = (a, b) in active
        colour, width = (HIGHLIGHT, 2.4) if hot else ("#777777", 1.2)
        out.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="{width}"/>')
        out.append(
            f'<polygon points="{x1:.1f},{yb:.1f} {x1 - 7:.1f},{yb - 3.5:.1f} {x1 - 7:.1f},{yb + 3.5:.1f}" '
            f'fill="{colour}"/>'
        )

    for n in graph.nodes:
        x, y = lay.positions[n.id]
        w, h = lay.sizes[n.id]
        style = _style_of(graph, n)
        fill, stroke, sw = _FILL[style], _STROKE[style], 1.3
        if n.id in marked:
            fill, stroke, sw = _HIGHLIGHT_FILL, HIGHLIGHT, 3.0
        if n.kind == "value":
            d = None if data is None else data.get(n.id, HIDDEN)
            g = None if grads is None else grads.get(n.id, HIDDEN)
            lines = node_lines(n, show_grad=show_grad, data=d, grad=g)
            tip = f"{n.label}: data {_tooltip(n.tensor)}"
            dash = "" if n.requires_grad else ' stroke-dasharray="4,3"'
            out.append(f'<g class="value" id="node-{n.id}"><title>{_esc(tip)}</title>')
            out.append(
                f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="{sw}"{dash}/>'
            )
            ty = y - h / 2 + PAD_Y + 11
            for k, line in enumerate(lines):
                weight = ' font-weight="bold"' if k == 0 else ""
                colour = _INK if (k == 0 and n.named) or (k > 0 and "?" not in line) else _FAINT
                if k == 0 and not n.named:
                    weight = ' font-style="italic"'
                out.append(
                    f'<text x="{x:.1f}" y="{ty + k * LINE_H:.1f}" text-anchor="middle" fill="{colour}"{weight}>'
                    f"{_esc(line)}</text>"
                )
            out.append("</g>")
        elif n.kind == "op":
            tip = n.node.name() if n.node is not None else n.label
            out.append(f'<g class="op" id="node-{n.id}"><title>{_esc(tip)}</title>')
            out.append(
                f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{h / 2:.1f}" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>'
            )
            out.append(
                f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-weight="bold" fill="{_INK}">'
                f"{_esc(n.label)}</text></g>"
            )
        else:
            out.append(f'<g class="const" id="node-{n.id}"><title>constant {_esc(n.label)}</title>')
            out.append(
                f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" rx="4" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="{sw}" stroke-dasharray="2,2"/>'
            )
            out.append(
                f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" fill="{_INK}">{_esc(n.label)}</text></g>'
            )
    out.append("</svg>")
    return "\n".join(out)


def to_svg(tensor: Tensor, *, show_grad: bool = True, highlight: Any = None, title: str | None = None) -> str:
    """The graph behind ``tensor`` as self-contained SVG text: op nodes and value nodes (label, data, grad).

    ``highlight``: a tensor or grad_fn of the graph (or a list of them) to outline. Intermediate values show
    'grad —' as PyTorch keeps no ``.grad`` for them; :func:`mini_autograd.viz.backward_stepper` shows those too.
    ``tensor`` may also be a micrograd-style ``Value`` (lesson 9's engine), whose every node shows its gradient.
    """
    return render_svg(trace(tensor), show_grad=show_grad, highlight=highlight, title=title)


class GraphDrawing:
    """An SVG drawing that Jupyter displays inline (``_repr_svg_``, ``_repr_html_``); ``.svg`` is the text."""

    def __init__(self, svg: str) -> None:
        self.svg = svg

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        return f'<div style="overflow-x:auto;max-width:100%">{self.svg}</div>'

    def __str__(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"<GraphDrawing: {len(self.svg)} characters of SVG>"

    def save(self, path: str) -> None:
        """Write the SVG to a file (open it in any browser)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.svg)


def draw_graph(tensor: Tensor, **kw: Any) -> GraphDrawing:
    """Draw the graph behind ``tensor`` inline in a notebook; keywords as for :func:`to_svg`.

    >>> import mini_autograd as ag
    >>> w = ag.tensor(1.0, requires_grad=True); w.name = "w"
    >>> loss = (w * 1.0 - 2.0) ** 2; loss.name = "loss"
    >>> loss.backward()
    >>> draw_graph(loss, title="(w·x − y)²")      # doctest: +ELLIPSIS
    <GraphDrawing: ... characters of SVG>
    """
    return GraphDrawing(to_svg(tensor, **kw))
