"""Seeing backpropagation: graph drawings, a step-by-step backward pass, the learning-rate and chain-rule explorers.

Everything here reads the engine and never changes it; the engine does not import this package. The drawings are
SVG written by :mod:`.graph` itself (no Graphviz), the figures plain matplotlib, and the widgets core ipywidgets
(7.7 on Colab, 8 in JupyterLab), imported only when a widget is built. What the widgets draw is computed by the pure
functions of :mod:`.explore`, which the tests check one by one.

>>> import mini_autograd as ag
>>> from mini_autograd.viz import draw_graph
>>> x = ag.tensor(1.0, requires_grad=True); x.name = "x"
>>> f = x * x + 3 * x; f.name = "f"
>>> f.backward()
>>> drawing = draw_graph(f)          # in a notebook, the last line of a cell shows it
"""

from .depth import DepthProfile, depth_explorer, depth_figure, depth_profile
from .explore import (
    REGIME_TEXT,
    REGIMES,
    ChainPoint,
    ChainTerm,
    Frame,
    QuadraticProblem,
    Stepper,
    Trajectory,
    bowl,
    chain_rule_curves,
    chain_rule_point,
    frame_svg,
    get_problem,
    gradient_descent,
    quadratic,
    regime,
    run_regime,
    stepper_states,
    trajectory,
)
from .graph import Graph, GraphDrawing, GraphNode, Layout, draw_graph, layout, render_svg, to_svg, trace
from .progress import progress
from .widgets import (
    backward_stepper,
    chain_rule_explorer,
    lr_comparison,
    lr_explorer,
    training_lr_explorer,
)

__all__ = [
    "REGIMES",
    "REGIME_TEXT",
    "ChainPoint",
    "ChainTerm",
    "DepthProfile",
    "Frame",
    "Graph",
    "GraphDrawing",
    "GraphNode",
    "Layout",
    "QuadraticProblem",
    "Stepper",
    "Trajectory",
    "backward_stepper",
    "bowl",
    "chain_rule_curves",
    "chain_rule_explorer",
    "chain_rule_point",
    "depth_explorer",
    "depth_figure",
    "depth_profile",
    "draw_graph",
    "frame_svg",
    "get_problem",
    "gradient_descent",
    "layout",
    "lr_comparison",
    "lr_explorer",
    "progress",
    "quadratic",
    "regime",
    "render_svg",
    "run_regime",
    "stepper_states",
    "to_svg",
    "trace",
    "training_lr_explorer",
    "trajectory",
]
