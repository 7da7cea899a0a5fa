"""mini_autograd.viz: the pure functions (graph tracing, layout, SVG, trajectories, regimes, stepper frames, chain
rule) checked against closed forms and real backward passes, then every widget built headless and driven: a slider
set or a button clicked, and the callback's displayed result checked to have changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import mini_autograd as ag
from mini_autograd.viz import (
    REGIMES,
    bowl,
    chain_rule_curves,
    chain_rule_point,
    draw_graph,
    frame_svg,
    get_problem,
    gradient_descent,
    layout,
    progress,
    quadratic,
    regime,
    render_svg,
    run_regime,
    stepper_states,
    to_svg,
    trace,
    trajectory,
)
from mini_autograd.viz.explore import GAP_RATIO, RISE_FRACTION, SLOW_FACTOR, factor_regime, rate_regime
from mini_autograd.viz.graph import HIGHLIGHT, ROW_GAP, format_value, op_label

SVG = "{http://www.w3.org/2000/svg}"


# ------------------------------------------------------------------------------------------ the seed examples


def leaf(value: float, name: str, requires_grad: bool = True) -> ag.Tensor:
    t = ag.tensor(value, requires_grad=requires_grad)
    t.name = name
    return t


def seed_max():
    """Slides: f = (x + y) · max(y, z) at x = 1, y = 2, z = 0; df/dx = 2, df/dy = 5, df/dz = 0."""
    x, y, z = leaf(1.0, "x"), leaf(2.0, "y"), leaf(0.0, "z")
    a = x + y
    a.name = "a"
    b = ag.maximum(y, z)
    b.name = "b"
    f = a * b
    f.name = "f"
    return f, {"x": (x, 2.0), "y": (y, 5.0), "z": (z, 0.0)}


def seed_qz():
    """Slides: q = x + y, f = q · z at x = 4, y = -3, z = 5; df/dx = 5, df/dy = 5, df/dz = 1."""
    x, y, z = leaf(4.0, "x"), leaf(-3.0, "y"), leaf(5.0, "z")
    q = x + y
    q.name = "q"
    f = q * z
    f.name = "f"
    return f, {"x": (x, 5.0), "y": (y, 5.0), "z": (z, 1.0)}


def seed_regression():
    """Notebook: loss = (w·x − y)² at x = 1, y = 2, w = 1; dloss/dw = -2 (x and y need no gradient)."""
    x, y, w = leaf(1.0, "x", False), leaf(2.0, "y", False), leaf(1.0, "w")
    y_hat = w * x
    y_hat.name = "y_hat"
    s = y_hat - y
    s.name = "s"
    loss = s**2
    loss.name = "loss"
    return loss, {"w": (w, -2.0)}


SEEDS = {"max": seed_max, "qz": seed_qz, "regression": seed_regression}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def texts(svg: str) -> list[str]:
    return [t.text for t in parse(svg).iter(f"{SVG}text")]


def boxes(lay) -> list[tuple[str, float, float, float, float]]:
    return [(i, x - lay.sizes[i][0] / 2, y - lay.sizes[i][1] / 2, *lay.sizes[i]) for i, (x, y) in lay.positions.items()]


# -------------------------------------------------------------------------------------------------- trace


def test_trace_lists_values_ops_and_edges_in_forward_order():
    f, _ = seed_max()
    g = trace(f)
    assert [(n.kind, n.label) for n in g.nodes] == [
        ("value", "x"),
        ("value", "y"),
        ("op", "Add"),
        ("value", "a"),
        ("value", "z"),
        ("op", "Maximum"),
        ("value", "b"),
        ("op", "Mul"),
        ("value", "f"),
    ]
    ids = {n.label: n.id for n in g.nodes}
    assert g.output == ids["f"]
    assert g.predecessors(ids["Maximum"]) == [ids["y"], ids["z"]]  # argument order
    assert sorted(g.successors(ids["y"])) == sorted([ids["Add"], ids["Maximum"]])  # y is used twice
    assert g.id_of(f) == ids["f"] and g.id_of(f.grad_fn) == ids["Mul"]
    assert len(g.edges) == 9  # 3 ops × 2 inputs + 3 results


def test_trace_of_a_leaf_is_one_node_and_unnamed_values_get_t_labels():
    x = ag.tensor(3.0, requires_grad=True)
    g = trace(x)
    assert [(n.kind, n.label, n.named) for n in g.nodes] == [("value", "t1", False)] and g.edges == []
    y = x * x  # the same tensor twice: two edges into Mul
    g = trace(y)
    assert [n.label for n in g.nodes] == ["t1", "Mul", "t2"]
    assert g.edges.count(("v0", "o0")) == 2


def test_trace_draws_number_operands_as_constants_but_not_settings():
    loss, _ = seed_regression()
    g = trace(loss)
    consts = [n for n in g.nodes if n.kind == "const"]
    assert [c.label for c in consts] == ["2"]
    assert g.predecessors(g.id_of(loss.grad_fn)) == [g.id_of(loss.grad_fn.inputs[0]), consts[0].id]
    t = ag.ones(2, 3, requires_grad=True).sum(dim=1, keepdim=False).mean()  # dim and keepdim are settings
    assert [n.kind for n in trace(t).nodes] == ["value", "op", "value", "op", "value"]


def test_trace_needs_no_recursion_for_a_deep_chain():
    x = ag.tensor(1.0, requires_grad=True)
    v = x
    for _ in range(3000):
        v = v * 1.0
    g = trace(v)
    assert len(g.ops()) == 3000 and g.nodes[0].tensor is x


def test_trace_rejects_what_is_not_a_tensor():
    with pytest.raises(TypeError, match="Tensor"):
        trace(np.ones(3))


@pytest.mark.parametrize(
    "name, label",
    [("MulBackward0", "Mul"), ("MaximumBackward0", "Maximum"), ("PowBackward1", "Pow"), ("MmBackward0", "Mm")],
)
def test_op_label_drops_the_backward_suffix(name, label):
    class Fake:
        def name(self):
            return name

    assert op_label(Fake()) == label


@pytest.mark.parametrize(
    "value, text",
    [(3.0, "3"), (0.5, "0.5"), (-2.0, "-2"), (-0.0, "0"), (1e-5, "1e-05"), (12345.6, "1.235e+04"), (7, "7")],
)
def test_format_value_is_compact(value, text):
    assert format_value(np.float32(value) if isinstance(value, float) else value) == text


def test_format_value_gives_the_shape_of_a_tensor():
    assert format_value(np.ones((3, 4))) == "[3×4]"
    assert format_value(ag.ones(5)) == "[5]"
    assert format_value(np.ones((1, 1))) == "1"
    assert format_value(None) == "—"


# -------------------------------------------------------------------------------------------------- layout


def assert_sound_layout(g, lay):
    for a, b in g.edges:  # every edge points right
        assert lay.positions[a][0] < lay.positions[b][0], (a, b)
    # no two boxes overlap (boxes in a column keep ROW_GAP apart)
    bs = boxes(lay)
    for i, (ia, xa, ya, wa, ha) in enumerate(bs):
        for ib, xb, yb, wb, hb in bs[i + 1 :]:
            apart = xa + wa <= xb or xb + wb <= xa or ya + ha <= yb or yb + hb <= ya
            assert apart, f"{ia} and {ib} overlap"
    for _, x, y, w, h in bs:  # all inside the drawing
        assert x >= 0 and y >= 0 and x + w <= lay.width + 1e-6 and y + h <= lay.height + 1e-6


def test_layout_puts_inputs_left_output_right_and_keeps_boxes_apart():
    f, _ = seed_max()
    g = trace(f)
    lay = layout(g)
    ids = {n.label: n.id for n in g.nodes}
    assert {lay.columns[ids[k]] for k in "xyz"} == {0}
    assert lay.columns[ids["f"]] == max(lay.columns.values()) == 4
    assert_sound_layout(g, lay)
    assert lay == layout(g)  # pure: the same graph, the same layout
    # x above y above z, as in the formula
    assert lay.positions[ids["x"]][1] < lay.positions[ids["y"]][1] < lay.positions[ids["z"]][1]


def test_layout_draws_a_chain_as_a_straight_line():
    x = ag.tensor(0.5, requires_grad=True)
    y = x.tanh().exp().sigmoid().relu()
    g = trace(y)
    lay = layout(g)
    assert len({round(lay.positions[n.id][1], 6) for n in g.nodes}) == 1
    assert [lay.columns[n.id] for n in g.nodes] == list(range(len(g.nodes)))


def test_layout_routes_edges_that_skip_columns_through_free_lanes():
    a = ag.tensor(0.5, requires_grad=True)
    v = a
    for _ in range(4):
        v = (v * a).tanh()  # a is used by every Mul: its edges skip ever more columns
    g = trace(v)
    lay = layout(g)
    assert_sound_layout(g, lay)
    long_edges = [k for k, (s, t) in enumerate(g.edges) if lay.columns[t] - lay.columns[s] > 1]
    assert long_edges and set(lay.routes) == set(long_edges)
    for k in long_edges:
        s, t = g.edges[k]
        assert len(lay.routes[k]) == lay.columns[t] - lay.columns[s] - 1
        for x, y in lay.routes[k]:  # a lane never runs through a box
            for _, bx, by, bw, bh in boxes(lay):
                assert not (bx <= x <= bx + bw and by - ROW_GAP / 2 < y < by + bh + ROW_GAP / 2)


def small_network(seed: int = 0):
    ag.manual_seed(seed)
    x = ag.randn(4, 3)
    x.name = "x"
    w1 = ag.randn(3, 5, requires_grad=True)
    w1.name = "W1"
    b1 = ag.zeros(5, requires_grad=True)
    b1.name = "b1"
    w2 = ag.randn(5, 1, requires_grad=True)
    w2.name = "W2"
    h = (x @ w1 + b1).relu()
    h.name = "h"
    p = (h @ w2).sigmoid()
    loss = ((p - 1.0) ** 2).mean()
    loss.name = "loss"
    return loss, (w1, b1, w2)


def fifty_nodes():
    """About 50 nodes: a neuron-by-neuron network on scalars (2 inputs, 3 tanh neurons, 1 output) and its loss."""
    x = [leaf(0.5, "x1", False), leaf(-1.0, "x2", False)]
    hidden = []
    for j in range(3):
        w = [leaf(0.3 * (j + 1), f"w{j}{i}") for i in range(2)]
        b = leaf(0.1, f"b{j}")
        z = w[0] * x[0] + w[1] * x[1] + b
        h = z.tanh()
        h.name = f"h{j}"
        hidden.append(h)
    v = [leaf(0.5, "v0"), leaf(-0.5, "v1"), leaf(0.2, "v2")]
    y = v[0] * hidden[0] + v[1] * hidden[1] + v[2] * hidden[2]
    y.name = "y"
    loss = (y - 1.0) ** 2
    loss.name = "loss"
    return loss


def test_a_fifty_node_graph_stays_readable():
    out = fifty_nodes()
    g = trace(out)
    assert 45 <= len(g) <= 60
    lay = layout(g)
    assert_sound_layout(g, lay)
    assert lay.height < 900 and lay.width < 2400  # 12px text, in a box that scrolls sideways in the notebook
    svg = to_svg(out)
    assert svg.count("<g class=") == len(g)


# ---------------------------------------------------------------------------------------------------- SVG


@pytest.mark.parametrize("name", list(SEEDS))
def test_svg_shows_every_label_value_and_gradient(name):
    out, expected = SEEDS[name]()
    out.backward()
    svg = to_svg(out, title="after backward")
    shown = texts(svg)
    g = trace(out)
    for n in g.nodes:
        assert n.label in shown, n.label
        if n.kind == "value":
            assert f"data {format_value(n.tensor.data)}" in shown
    for label, (_, grad) in expected.items():
        assert f"grad {format_value(grad)}" in shown, label
    assert "after backward" in shown
    assert shown.count("grad —") == len([n for n in g.values() if not n.is_leaf])  # PyTorch keeps no .grad there


def test_svg_is_self_contained_and_escapes_labels():
    x = leaf(1.0, 'x<&>"')
    y = x * 2.0
    y.name = "</svg><script>alert(1)</script>"
    svg = to_svg(y, title="a < b & c")
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert 'x<&>"' in texts(svg) and "a < b & c" in texts(svg)
    lowered = svg.lower()
    for bad in ("<script", "<image", "href", "<style", "url(", "@import", "<foreignobject"):
        assert bad not in lowered, bad
    assert lowered.count("http") == 1  # only the xmlns


def test_svg_highlights_and_hides():
    f, _ = seed_qz()
    g = trace(f)
    svg = to_svg(f, highlight=f.grad_fn)
    mul = [el for el in parse(svg).iter(f"{SVG}g") if el.get("id") == f"node-{g.id_of(f.grad_fn)}"][0]
    assert mul.find(f"{SVG}rect").get("stroke") == HIGHLIGHT
    assert svg.count(f'stroke="{HIGHLIGHT}"') == 1
    hidden = render_svg(g, data={}, grads={})
    assert texts(hidden).count("data ?") == 5 and texts(hidden).count("grad ?") == 5
    assert "grad" not in " ".join(texts(to_svg(f, show_grad=False)))


def test_draw_graph_displays_inline():
    f, _ = seed_max()
    d = draw_graph(f, title="f")
    assert d._repr_svg_().startswith("<svg") and d._repr_svg_() == d.svg
    assert "<svg" in d._repr_html_() and d._repr_html_().startswith("<div")


def test_tensor_graph_svg_shows_shapes():
    loss, _ = small_network()
    loss.backward()
    shown = texts(to_svg(loss))
    for s in ("W1", "data [3×5]", "grad [3×5]", "Mm", "Relu", "Sigmoid", "Mean", "no grad"):
        assert s in shown, s


# ------------------------------------------------------------------------------------------------ stepper


@pytest.mark.parametrize("name", list(SEEDS))
def test_stepper_frames_end_in_the_real_gradients(name):
    out, expected = SEEDS[name]()
    st = stepper_states(out)
    g = st.graph
    n_ops = len(g.ops())
    assert [f.phase for f in st.frames] == ["start"] + ["forward"] * n_ops + ["seed"] + ["backward"] * n_ops + ["done"]
    last = st.frames[-1]
    for t, grad in expected.values():
        vid = g.id_of(t)
        assert last.grads[vid] == pytest.approx(grad)
        assert st.leaf_grads[vid] == pytest.approx(grad)
        assert t.grad is None  # the caller's tensors are left alone
    # and the same numbers as the seeds' own backward() on the caller's graph
    out.backward()
    for t, grad in expected.values():
        assert t.grad.item() == pytest.approx(grad)


def test_stepper_shows_values_forward_and_gradients_backward_one_node_at_a_time():
    f, _ = seed_max()
    st = stepper_states(f)
    g = st.graph
    ids = {n.label: n.id for n in g.nodes}
    fr = st.frames
    assert fr[0].data == {ids["x"], ids["y"], ids["z"]} and fr[0].grads == {}
    assert [f.current for f in fr[1:4]] == [ids["Add"], ids["Maximum"], ids["Mul"]]
    assert fr[1].data - fr[0].data == {ids["a"]} and fr[3].data - fr[2].data == {ids["f"]}
    assert fr[1].text == "Forward Add: a = x + y = 1 + 2 = 3"
    assert fr[2].text == "Forward Maximum: b = max(y, z) = max(2, 0) = 2"
    assert fr[4].current == ids["f"] and fr[4].grads == {ids["f"]: 1.0}
    # backward in the engine's order: Mul, then Maximum and Add (each once all users of its result are done)
    assert [f.current for f in fr[5:8]] == [ids["Mul"], ids["Maximum"], ids["Add"]]
    mul = fr[5]
    assert [(t.parent_label, float(t.local), float(t.upstream), float(t.product)) for t in mul.terms] == [
        ("a", 2.0, 1.0, 2.0),
        ("b", 3.0, 1.0, 3.0),
    ]
    assert "∂f/∂a += ∂f/∂f · ∂f/∂a = 1 · 2 = 2" in mul.text
    add = fr[7]  # y's second share: 3 from max, then 2 from the sum, total 5
    y_term = [t for t in add.terms if t.parent_label == "y"][0]
    assert float(y_term.product) == 2.0 and float(y_term.total) == 5.0 and "(total 5)" in add.text
    for frame in fr:
        for t in frame.terms:
            assert np.allclose(t.product, t.upstream * t.local)  # the chain rule, every step
    assert fr[-1].text.startswith("Done: ∂f/∂x = 2, ∂f/∂y = 5, ∂f/∂z = 0")


def test_stepper_works_after_backward_freed_the_graph_and_on_tensors():
    loss, params = small_network(1)
    loss.backward()  # frees the saved values: the stepper replays the graph
    real = [p.grad.numpy().copy() for p in params]
    st = stepper_states(loss)
    for p, r in zip(params, real):
        np.testing.assert_allclose(st.frames[-1].grads[st.graph.id_of(p)], r, rtol=1e-5)
        np.testing.assert_allclose(p.grad.data, r)  # not accumulated twice
    mm = [f for f in st.frames if f.phase == "backward" and st.graph[f.current].label == "Mm"][0]
    assert all(t.local is None for t in mm.terms)  # a matrix output: a vector-Jacobian product, no single local


def test_stepper_edge_cases():
    x = leaf(3.0, "x")
    assert [f.phase for f in stepper_states(x).frames] == ["start", "seed", "done"]  # a leaf: d x / d x = 1
    y = x * x  # the same input twice: two shares, added
    y.name = "y"
    st = stepper_states(y)
    assert [float(t.product) for t in st.frames[-2].terms] == [3.0, 3.0] and "(total 6)" in st.frames[-2].text
    assert float(st.frames[-1].grads[st.graph.id_of(x)]) == 6.0
    v = ag.tensor([1.0, -2.0], requires_grad=True)
    w = (v * 3.0).relu()  # a vector output: seeded with ones, as backward(ones_like(w))
    st = stepper_states(w)
    np.testing.assert_array_equal(st.frames[-1].grads[st.graph.id_of(v)], [3.0, 0.0])
    assert "backward(ones_like(" in st.frames[-1].text
    with pytest.raises(RuntimeError, match="requires grad"):
        stepper_states(ag.tensor(1.0))


def test_stepper_frame_svgs_highlight_the_current_node():
    f, _ = seed_qz()
    st = stepper_states(f)
    svgs = [frame_svg(st, i, title="q = x + y, f = q·z") for i in range(len(st))]
    assert len(set(svgs)) == len(svgs)
    for frame, svg in zip(st.frames, svgs):
        parse(svg)
        shown = texts(svg)
        if frame.current is None:
            assert f'stroke="{HIGHLIGHT}" stroke-width="3.0"' not in svg
        else:
            assert f'stroke="{HIGHLIGHT}" stroke-width="3.0"' in svg
        assert shown.count("data ?") == 5 - len(frame.data)
    assert "grad 5" in texts(svgs[-1]) and "grad 1" in texts(svgs[-1]) and "grad ?" not in texts(svgs[-1])
    assert "data ?" in texts(svgs[0]) and "grad ?" in texts(svgs[0])


# ------------------------------------------------------------------------------------------- trajectories


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
def test_quadratic_trajectory_matches_the_closed_form(lr):
    p = quadratic()
    run = trajectory(p, lr, steps=25)
    k = np.arange(26)
    expected = 2.0 + (1 - 2 * lr) ** k * (-1.0 - 2.0)  # θ_k = c + (1 − lr·a)^k (θ0 − c), a = 2
    np.testing.assert_allclose(run.thetas[:, 0], expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run.losses, (expected - 2.0) ** 2, rtol=1e-10, atol=1e-20)
    np.testing.assert_allclose(run.thetas, p.closed_form(lr, 25), atol=1e-12)


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.15, 0.19])
def test_bowl_trajectory_matches_the_closed_form(lr):
    p = bowl()
    run = trajectory(p, lr, steps=40, start=(3.0, -2.0))
    np.testing.assert_allclose(run.thetas, p.closed_form(lr, 40, start=(3.0, -2.0)), rtol=1e-10, atol=1e-12)
    assert p.critical_rates() == (0.1, 0.2)


def test_gradient_descent_on_a_user_gradient_computed_by_mini_autograd():
    def loss_fn(theta):
        w = ag.tensor(theta, dtype=ag.float64)
        return ((w * 1.0 - 2.0) ** 2).sum().item()

    def grad_fn(theta):
        w = ag.tensor(theta, dtype=ag.float64, requires_grad=True)
        ((w * 1.0 - 2.0) ** 2).sum().backward()
        return w.grad

    run = gradient_descent(grad_fn, start=1.0, lr=0.1, steps=20, loss=loss_fn)
    np.testing.assert_allclose(run.thetas[:, 0], quadratic(start=1.0).closed_form(0.1, 20)[:, 0])
    assert run.losses[0] == 1.0 and regime(run.losses, path=run.thetas, minimum=0.0) == "good"
    assert gradient_descent(lambda t: 2 * t, start=[1.0, 1.0], lr=0.1, steps=3).losses is None


def test_a_diverging_run_stops_without_overflow_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = trajectory("quadratic", lr=50.0, steps=10_000)
        assert run.diverged and run.steps < 100 and np.all(np.isfinite(run.losses))
        assert regime(run.losses) == "diverging"
        run = gradient_descent(lambda t: t**3, start=10.0, lr=1.0, steps=100)  # no loss: stops when θ overflows
        assert run.diverged


# ------------------------------------------------------------------------------------------------ regimes


def test_regime_clear_cases():
    good = 0.5 ** np.arange(30)
    assert regime(good) == "good"
    assert regime(1 - 0.001 * np.arange(30)) == "too small"
    assert regime(np.ones(10)) == "too small"  # no progress at all
    assert regime([1.0, 0.3, 0.6, 0.2, 0.5, 0.15, 0.4, 0.1]) == "oscillating"
    assert regime([1.0, 2.0, 4.0, 8.0]) == "diverging"
    assert regime([1.0, 0.5, np.nan]) == "diverging"
    assert regime([1.0, 0.5, np.inf]) == "diverging"
    with pytest.raises(ValueError, match="at least one step"):
        regime([1.0])


def test_regime_thresholds_are_the_documented_ones():
    # too small with a known minimum: the gap shrank by just less / just more than 1/GAP_RATIO
    assert regime([1.0, 0.5, 1.01 * GAP_RATIO], minimum=0.0) == "too small"
    assert regime([1.0, 0.5, 0.99 * GAP_RATIO], minimum=0.0) == "good"
    # oscillating: the loss rose in RISE_FRACTION of the steps
    n = 40
    losses = 0.9 ** np.arange(n + 1)
    rises = int(np.ceil(RISE_FRACTION * n))
    bumped = losses.copy()
    bumped[2 : 2 + 2 * rises : 2] *= 1.5  # each bump makes one rise
    assert np.count_nonzero(np.diff(bumped) > 0) == rises
    assert regime(bumped) == "oscillating"
    fewer = losses.copy()
    fewer[2 : 2 * (rises - 1) : 2] *= 1.5
    assert regime(fewer) != "oscillating"


def test_regime_sees_theta_bounce_even_when_the_loss_falls_monotonically():
    p = quadratic()
    run = trajectory(p, 0.85, steps=30)  # 1 − lr·a = −0.7: θ flips side every step
    assert np.all(np.diff(run.losses) < 0)
    assert regime(run.losses, minimum=0.0) == "good"
    assert regime(run.losses, path=run.thetas, minimum=0.0) == "oscillating"


@pytest.mark.parametrize("name", ["quadratic", "bowl"])
def test_each_problem_has_one_example_rate_per_regime(name):
    p = get_problem(name)
    assert [run_regime(trajectory(p, lr), p) for lr in p.example_rates] == list(REGIMES)


@pytest.mark.parametrize("name", ["quadratic", "bowl"])
def test_regimes_come_in_order_as_the_rate_grows(name):
    p = get_problem(name)
    seen = [run_regime(trajectory(p, lr), p) for lr in np.geomspace(*p.lr_range, 60)]
    order = [REGIMES.index(r) for r in seen]
    assert order == sorted(order)
    # the bowl (curvatures 1 and 10) is good at exactly one rate, 0.1, which a grid does not hit
    assert set(seen) == set(REGIMES) - ({"good"} if name == "bowl" else set())


def test_rate_regimes_are_the_ranges_of_lr_times_a_the_lesson_derives():
    for a in (0.5, 2.0, 8.0):  # powers of two: lr·a and 1 − lr·a are exact at the boundaries
        for k, want in [
            (0.01, "too small"),
            (0.09, "too small"),
            (0.1, "good"),
            (0.5, "good"),
            (1.0, "good"),
            (1.2, "oscillating"),
            (1.99, "oscillating"),
            (2.0, "diverging"),
            (3.0, "diverging"),
        ]:
            assert rate_regime(k / a, a) == want, (k, a)
    assert factor_regime(SLOW_FACTOR) == "good" and factor_regime(np.nan) == "diverging"


@pytest.mark.parametrize("lr", [0.004, 0.04, 0.045, 0.05, 0.1, 0.3, 0.5, 0.55, 0.7, 0.95, 1.0, 1.05, 1.6])
def test_the_explorer_names_what_one_step_does_to_the_distance(lr):
    """The definition, measured: the regime of a run is what its first step did to the distance to the minimum,
    whatever the start and the number of steps (the explorer once called lr·a = 0.08 'good' after 30 steps)."""
    p = quadratic()
    for start, steps in [(-1.0, 30), (5.0, 7), (1.9, 200)]:
        run = trajectory(p, lr, steps, start=start)
        q = (run.thetas[1, 0] - 2.0) / (start - 2.0)
        assert run_regime(run, p) == factor_regime(q) == rate_regime(lr, 2.0)


def test_the_bowl_is_named_after_its_worst_direction():
    p = bowl()
    assert p.regime(0.15) == "oscillating"  # flat: 0.85 (good), steep: −0.5: the path zig-zags
    assert p.regime(0.05) == "too small"  # flat: 0.95, steep: 0.5
    assert p.regime(0.1) == "good" and p.regime(0.2) == "diverging"
    assert p.regime(0.15, start=(-4.0, 0.0)) == "good"  # on the valley floor the steep direction never moves
    run = trajectory(p, 0.15)
    steep = run.thetas[:, 1]
    assert np.all(steep[1:] * steep[:-1] < 0)  # θ₂ changes sign every step


def test_get_problem_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown problem"):
        get_problem("saddle")


# --------------------------------------------------------------------------------------------- chain rule


def test_chain_rule_point_default_is_sin_of_x_squared():
    for x in (-1.5, 0.0, 0.7, 2.0):
        p = chain_rule_point(x)
        assert p.u == pytest.approx(x**2) and p.h == pytest.approx(np.sin(x**2))
        assert p.dg1 == pytest.approx(2 * x) and p.dg2 == pytest.approx(np.cos(x**2))
        assert p.product == pytest.approx(np.cos(x**2) * 2 * x)


def test_chain_rule_point_differentiates_what_it_is_not_given():
    p = chain_rule_point(0.5, g1=lambda x: 3 * x + 1, g2=np.exp)
    assert p.dg1 == pytest.approx(3.0, rel=1e-6) and p.dg2 == pytest.approx(np.exp(2.5), rel=1e-6)
    assert p.product == pytest.approx(3 * np.exp(2.5), rel=1e-6)
    with pytest.raises(ValueError, match="both g1 and g2"):
        chain_rule_point(1.0, g1=np.sin)


def test_chain_rule_curves():
    c = chain_rule_curves((-1.0, 1.0), n=11)
    assert c["x"].shape == c["g1"].shape == c["h"].shape == c["u"].shape == c["g2"].shape == (11,)
    np.testing.assert_allclose(c["h"], np.sin(c["x"] ** 2))
    assert c["u"].min() < 0 and c["u"].max() > 1  # covers the values g1 takes, with a margin


# ----------------------------------------------------------------------------------------------- progress


def test_progress_is_silent_under_nbgrader(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    bar = progress(range(5), desc="loop")
    assert bar.disable and list(bar) == list(range(5))
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("NBGRADER_EXECUTION")
    bar = progress(range(3), desc="loop")
    assert not bar.disable and list(bar) == [0, 1, 2]


# ------------------------------------------------------------------------------------------ package shape


def run_python(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_the_engine_never_imports_viz():
    r = run_python("import sys, mini_autograd; print('mini_autograd.viz' in sys.modules)")
    assert r.returncode == 0 and r.stdout.strip() == "False", r.stderr


def test_viz_imports_and_draws_without_ipywidgets():
    code = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "ipywidgets" or name.startswith("ipywidgets."):
            raise ImportError("no ipywidgets here")
sys.meta_path.insert(0, Block())
import mini_autograd as ag
from mini_autograd.viz import to_svg, lr_comparison, lr_explorer
x = ag.tensor(1.0, requires_grad=True)
assert to_svg(x * 2.0).startswith("<svg")
lr_comparison(problem="bowl")
try:
    lr_explorer()
except ImportError:
    print("widgets need ipywidgets")
"""
    r = run_python(code)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "widgets need ipywidgets"


# ======================================================================================= widgets, headless

ipywidgets = pytest.importorskip("ipywidgets")


def png(box) -> str:
    (out,) = box.output.outputs
    assert out["output_type"] == "display_data"
    return out["data"]["image/png"]


def test_lr_explorer_redraws_when_the_learning_rate_slider_moves():
    from mini_autograd.viz import lr_explorer

    w = lr_explorer()
    assert isinstance(w, ipywidgets.VBox)
    lr = w.controls["lr"]
    assert isinstance(lr, ipywidgets.FloatLogSlider) and not lr.continuous_update
    before, status, count = png(w), w.status.value, w.redraws
    assert w.result["regime"] == "good" and "good" in status
    lr.value = 1.05
    assert w.redraws == count + 1
    assert png(w) != before
    assert w.result["regime"] == "diverging" and "diverging" in w.status.value
    lr.value = 0.002
    assert w.result["regime"] == "too small"
    w.controls["steps"].value = 7
    assert w.result["runs"][0][0].steps == 7
    w.controls["start0"].value = 4.0
    assert w.result["runs"][0][0].thetas[0, 0] == 4.0
    w.controls["compare"].value = True
    assert [r for _, r in w.result["runs"][1:]] == list(REGIMES)


def test_lr_explorer_on_the_bowl_names_each_regime():
    from mini_autograd.viz import lr_explorer

    w = lr_explorer("bowl")
    assert {"start0", "start1"} <= set(w.controls)
    seen = []
    for rate in bowl().example_rates:
        before = png(w)
        w.controls["lr"].value = rate
        assert png(w) != before
        seen.append(w.result["regime"])
    assert seen == list(REGIMES)


def test_backward_stepper_buttons_step_through_the_frames():
    from mini_autograd.viz import backward_stepper

    f, _ = seed_max()
    w = backward_stepper(f, title="f = (x + y) · max(y, z)")
    back, nxt, play = w.controls["back"], w.controls["next"], w.controls["play"]
    assert isinstance(play, ipywidgets.Play) and back.disabled and not nxt.disabled
    pictures, texts_seen = [w.output.value], [w.status.value]
    for _ in range(len(w.stepper.frames) - 1):
        nxt.click()
        pictures.append(w.output.value)
        texts_seen.append(w.status.value)
    assert play.value == len(w.stepper.frames) - 1 and nxt.disabled
    assert len(set(pictures)) == len(pictures) and len(set(texts_seen)) == len(texts_seen)
    assert "∂f/∂y = 5" in w.status.value and "grad 5" in w.output.value
    nxt.click()  # at the end: nothing happens
    assert play.value == len(w.stepper.frames) - 1
    back.click()
    assert w.output.value == pictures[-2] and w.result.phase == "backward"
    play.value = 5  # the Play widget drives the same callback
    assert "∂f/∂a += ∂f/∂f · ∂f/∂a = 1 · 2 = 2" in w.status.value


def test_chain_rule_explorer_redraws_when_x_moves():
    from mini_autograd.viz import chain_rule_explorer

    w = chain_rule_explorer()
    before, status = png(w), w.status.value
    w.controls["x"].value = -1.2
    assert png(w) != before and w.status.value != status
    assert w.result.product == pytest.approx(np.cos(1.44) * 2 * -1.2)
    custom = chain_rule_explorer(lambda x: 3 * x + 1, np.tanh, x=0.0, names=("f", "g"))
    assert custom.result.dg1 == pytest.approx(3.0) and "f′(x)" in custom.status.value


def test_training_lr_explorer_reruns_training_and_caches():
    from mini_autograd.viz import training_lr_explorer

    calls = []

    def train(lr, steps):
        calls.append((lr, steps))
        return (quadratic().closed_form(lr, steps)[:, 0] - 2.0) ** 2  # stands in for a real training loop

    w = training_lr_explorer(train, lr=0.1, steps=50, lr_range=(1e-3, 2.0))
    assert not w.controls["lr"].continuous_update and not w.controls["steps"].continuous_update
    assert len(calls) == 1 and w.result["regime"] == "good"
    before = png(w)
    w.controls["lr"].value = 1.5
    assert len(calls) == 2 and png(w) != before and w.result["regime"] == "diverging"
    w.controls["keep"].value = True  # a redraw with both runs, from the cache
    assert len(calls) == 2 and w.redraws == 3
    w.controls["lr"].value = 0.1
    assert len(calls) == 2 and w.result["regime"] == "good"
    w.controls["steps"].value = 60
    assert calls[-1] == (pytest.approx(0.1), 60)


def test_lr_comparison_is_a_titled_figure_without_widgets():
    from matplotlib.figure import Figure

    from mini_autograd.viz import lr_comparison

    for problem in ("quadratic", "bowl"):
        fig = lr_comparison(problem=problem)
        assert isinstance(fig, Figure) and fig.get_suptitle()
        loss_ax, path_ax = fig.axes[:2]
        assert len(loss_ax.get_lines()) == 4
        for ax in (loss_ax, path_ax):
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert [t.get_text() for t in loss_ax.get_legend().get_texts()][0].endswith("(too small)")
    fig = lr_comparison(
        [0.01, 0.3, 1.5], lambda lr, steps: (quadratic().closed_form(lr, steps)[:, 0] - 2) ** 2, steps=20
    )
    assert len(fig.axes[0].get_lines()) == 3 and fig.axes[0].get_title()


def test_a_micrograd_style_value_is_drawn_with_every_gradient():
    """Lesson 9's engine: draw_graph reads data, grad, _prev and _op, and shows the gradient of every node."""

    class Value:
        def __init__(self, data, children=(), op=""):
            self.data, self.grad, self._prev, self._op = float(data), 0.0, tuple(children), op

        def __add__(self, other):
            return Value(self.data + other.data, (self, other), "+")

        def __mul__(self, other):
            return Value(self.data * other.data, (self, other), "*")

    x = Value(3.0)
    x.label = "x"
    sq = x * x
    f = sq + x
    f.label = "f"
    f.grad, sq.grad, x.grad = 1.0, 1.0, 7.0
    g = trace(f)
    assert [n.kind for n in g.nodes] == ["value", "op", "value", "op", "value"]
    assert [n.label for n in g.ops()] == ["*", "+"]
    assert g.predecessors(g.id_of(sq)) and len(g.successors(g.id_of(x))) == 3  # x feeds * twice, then +
    svg = draw_graph(f).svg
    for text in ("data 12", "grad 1", "data 9", "grad 7"):
        assert text in svg, text
    with pytest.raises(TypeError, match="micrograd-style Value"):
        trace(3.0)
