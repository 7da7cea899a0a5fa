"""The course's widgets: thin wiring of core ipywidgets around the pure functions of :mod:`.explore` and :mod:`.graph`.

Each widget is a ``VBox``; for tests and for lessons that want to drive it from code it also carries
``.controls`` (name -> slider, button, ...), ``.output`` (the Output that shows the figure), ``.status`` (an HTML
line saying what the figure shows), ``.result`` (what the last callback computed) and ``.redraws`` (how many times
the callback has run).

Portability (ipywidgets 7.7.1 on Colab, 8 in JupyterLab 4, inline matplotlib, no ipympl): only core widgets, and a
figure reaches its Output as a PNG display-data entry set on ``Output.outputs``. That works the same in both
versions and even without a kernel (so the tests can check what a slider did), where ``with out: display(fig)``
needs a kernel and differs between versions. Figures are built with ``matplotlib.figure.Figure``, not pyplot, so
the inline backend never shows a second copy at the end of the cell. (An Output is driven one way only: the
training explorer's progress bars go to a second Output through ``with``.) Expensive callbacks use
``continuous_update=False``: they run when the slider is released (or moved with the arrow keys), not while dragged.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..i18n import tr
from .explore import (
    REGIMES,
    QuadraticProblem,
    Trajectory,
    chain_rule_curves,
    chain_rule_point,
    frame_svg,
    get_problem,
    rate_regime_text,
    regime,
    regime_name,
    regime_text,
    run_regime,
    stepper_states,
    trajectory,
)
from .progress import progress

REGIME_COLOURS = {"too small": "#1f77b4", "good": "#2ca02c", "oscillating": "#ff7f0e", "diverging": "#d62728"}
LOSS_FLOOR = 1e-12  # losses are drawn on a log scale; smaller ones (an exact 0) are drawn at this floor


def _widgets():
    import ipywidgets

    return ipywidgets


def figure_output(fig: Figure) -> dict:
    """A figure as one display-data output (PNG), ready for ``Output.outputs``."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight")
    w, h = fig.get_size_inches() * fig.dpi
    return {
        "output_type": "display_data",
        "data": {
            "image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
            "text/plain": f"<Figure size {w:.0f}x{h:.0f}>",
        },
        "metadata": {},
    }


def _show(out: Any, fig: Figure) -> None:
    out.outputs = (figure_output(fig),)


def _attach(box: Any, controls: dict, output: Any, status: Any, redraw: Callable) -> Any:
    box.controls = controls
    box.output = output
    box.status = status
    box.redraw = redraw
    box.redraws = 0
    box.result = None
    return box


def _log_loss(losses: np.ndarray) -> np.ndarray:
    return np.maximum(np.asarray(losses, dtype=np.float64), LOSS_FLOOR)


# ================================================================================================ figures


def _label(run: Trajectory, reg: str) -> str:
    return f"lr = {run.lr:.3g} ({regime_name(reg)})"


def _styles(runs: Sequence[tuple[Any, ...]], main: int | None) -> list[dict]:
    """Colour by regime; the main run (the slider's) is bold, and black when other runs are drawn beside it."""
    styles = []
    for k, run in enumerate(runs):
        reg = run[-1]
        if main is None:
            styles.append({"color": REGIME_COLOURS[reg], "lw": 1.8, "alpha": 0.9, "ms": 3})
        elif k == main:
            styles.append({"color": REGIME_COLOURS[reg] if len(runs) == 1 else "black", "lw": 2.2, "alpha": 1, "ms": 4})
        else:
            styles.append({"color": REGIME_COLOURS[reg], "lw": 1.1, "alpha": 0.6, "ms": 2.5})
    return styles


def _clip_top(ax: Any, first_losses: Sequence[float]) -> None:
    """A diverging run climbs to 1e30: cap the axis at 1e4 times the largest starting loss to keep the others."""
    finite = [abs(v) for v in first_losses if np.isfinite(v) and v != 0]
    if finite:
        lo, hi = ax.get_ylim()
        ax.set_ylim(lo, min(hi, 1e4 * max(finite)))


def plot_losses(ax: Any, runs: Sequence[tuple[Trajectory, str]], *, main: int | None = 0) -> None:
    """Loss against step on a log scale, one line per (run, regime)."""
    for (run, reg), st in zip(runs, _styles(runs, main)):
        n = len(run.losses)
        ax.plot(
            np.arange(n),
            _log_loss(run.losses),
            marker="o" if n <= 60 and st["lw"] > 2 else None,
            markersize=st["ms"],
            lw=st["lw"],
            alpha=st["alpha"],
            color=st["color"],
            label=_label(run, reg) + (tr(" (stopped: blew up)", " (остановлен: взрыв)") if run.diverged else ""),
        )
    ax.set_yscale("log")
    _clip_top(ax, [run.losses[0] for run, _ in runs])
    ax.set_xlabel(tr("step", "шаг"))
    ax.set_ylabel(tr("loss (log scale)", "потери (лог. шкала)"))
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="best")


def plot_path(
    ax: Any, problem: QuadraticProblem, runs: Sequence[tuple[Trajectory, str]], *, main: int | None = 0
) -> None:
    """θ's path on the loss curve (1-D) or on the contours of the loss (2-D)."""
    start = np.asarray(runs[0][0].thetas[0]) if runs else np.asarray(problem.start)
    c = np.asarray(problem.center)
    half = np.maximum(1.6 * np.abs(start - c), 1.0)
    styles = _styles(runs, main)
    if problem.dim == 1:
        xs = np.linspace(c[0] - half[0], c[0] + half[0], 400)
        ax.plot(xs, problem.loss(xs), color="#444444", lw=1.5, label=problem.formula)
        for (run, _), st in zip(runs, styles):
            th = run.thetas[:, 0]
            ax.plot(th, problem.loss(th), "-o", ms=st["ms"], lw=st["lw"] * 0.6, color=st["color"], alpha=st["alpha"])
        ax.plot([start[0]], [problem.loss(start[0])], "s", color="black", ms=6, label=tr("start", "начало"))
        top = float(problem.loss(c[0] + half[0]))
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(-0.05 * top, 1.05 * top)
        ax.set_xlabel("θ")
        ax.set_ylabel("L(θ)")
    else:
        gx = np.linspace(c[0] - half[0], c[0] + half[0], 200)
        gy = np.linspace(c[1] - half[1], c[1] + half[1], 200)
        X, Y = np.meshgrid(gx, gy)
        Z = problem.loss(np.stack([X, Y], axis=-1))
        top = float(problem.loss(start)) or 1.0
        ax.contour(X, Y, Z, levels=np.sort(top * 0.5 ** np.arange(0, 12)), colors="#999999", linewidths=0.8)
        for (run, _), st in zip(runs, styles):
            th = run.thetas
            ax.plot(th[:, 0], th[:, 1], "-o", ms=st["ms"], lw=st["lw"] * 0.6, color=st["color"], alpha=st["alpha"])
        ax.plot([start[0]], [start[1]], "s", color="black", ms=6, label=tr("start", "начало"))
        ax.plot([c[0]], [c[1]], "*", color="black", ms=9, label=tr("minimum", "минимум"))
        ax.set_xlim(gx[0], gx[-1])
        ax.set_ylim(gy[0], gy[-1])
        ax.set_aspect("equal")
        ax.set_xlabel("θ₁")
        ax.set_ylabel("θ₂")
    ax.legend(fontsize=8, loc="upper right")


def lr_figure(
    problem: QuadraticProblem,
    runs: Sequence[tuple[Trajectory, str]],
    *,
    main: int | None = 0,
    title: str | None = None,
    pyplot: bool = False,
) -> Figure:
    """Loss per step (left) and θ's path (right) for (run, regime) pairs; ``main`` is the run drawn boldest."""
    fig = _new_figure((11, 4.0), pyplot)
    ax_loss, ax_path = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})
    plot_losses(ax_loss, runs, main=main)
    plot_path(ax_path, problem, runs, main=main)
    ax_loss.set_title(tr("Loss per step", "Потери на каждом шаге"))
    if problem.dim == 1:
        ax_path.set_title(tr(f"Path of θ on {problem.formula}", f"Путь θ по {problem.formula}"))
    else:
        ax_path.set_title(
            tr(f"Path of θ on the contours of {problem.formula}", f"Путь θ по линиям уровня {problem.formula}")
        )
    fig.suptitle(
        title or tr(f"Gradient descent, {problem.name}", f"Градиентный спуск, {problem.name}"), fontweight="bold"
    )
    return fig


def _new_figure(size: tuple[float, float], pyplot: bool) -> Figure:
    if pyplot:  # a figure that displays as the value of a cell (pyplot registers the inline backend's formatter)
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=size, layout="constrained")
        plt.close(fig)  # not shown a second time at the end of the cell
        return fig
    return Figure(figsize=size, dpi=90, layout="constrained")


def lr_comparison(
    rates: Sequence[float] | None = None,
    problem: str | QuadraticProblem | Callable[[float, int], Sequence[float]] = "quadratic",
    *,
    steps: int | None = None,
    start: Any = None,
    title: str | None = None,
) -> Figure:
    """Several learning rates at once: the loss curves side by side, and θ's paths on the loss curve or contours.

    ``rates`` default to one per regime (too small, good, oscillating, diverging). ``problem`` is "quadratic",
    "bowl", a :class:`QuadraticProblem`, or a training function ``train_fn(lr, steps) -> losses`` (then only the
    loss curves are drawn, and a progress bar shows while the runs train). Returns a matplotlib figure; no widgets.
    """
    if callable(problem) and not isinstance(problem, QuadraticProblem):
        if rates is None:
            raise ValueError("lr_comparison(train_fn): give the rates to compare, e.g. [0.001, 0.01, 0.1, 1.0]")
        steps = 100 if steps is None else steps
        runs = []
        for lr in progress(list(rates), desc="training at each learning rate"):
            losses = np.asarray(problem(float(lr), steps), dtype=np.float64)
            runs.append((Trajectory(float(lr), np.zeros((len(losses), 1)), losses), regime(losses)))
        fig = _new_figure((7.5, 4.2), True)
        ax = fig.subplots()
        plot_losses(ax, runs, main=None)
        ax.set_title(
            title or tr("Training loss at several learning rates", "Потери при нескольких скоростях обучения"),
            fontweight="bold",
        )
        return fig
    p = get_problem(problem)
    runs = []
    for lr in p.example_rates if rates is None else rates:
        run = trajectory(p, float(lr), steps, start)
        runs.append((run, run_regime(run, p)))
    return lr_figure(
        p,
        runs,
        main=None,
        title=title or tr(f"Learning rates compared on {p.formula}", f"Скорости обучения на {p.formula}"),
        pyplot=True,
    )


def chain_figure(point: Any, curves: dict, names: tuple[str, str] = ("g₁", "g₂")) -> Figure:
    """Three panels: the inner function g1 at x, the outer g2 at u = g1(x), and h = g2∘g1 with slope g2'·g1'."""
    n1, n2 = names
    fig = Figure(figsize=(12, 3.6), dpi=90, layout="constrained")
    axes = fig.subplots(1, 3)

    def tangent(ax, xs, x0, y0, slope, colour):
        span = 0.25 * (xs[-1] - xs[0])
        tx = np.array([x0 - span, x0 + span])
        ax.plot(
            tx, y0 + slope * (tx - x0), "--", color=colour, lw=2, label=tr(f"slope {slope:.3g}", f"наклон {slope:.3g}")
        )
        ax.plot([x0], [y0], "o", color=colour, ms=7)

    ax = axes[0]
    ax.plot(curves["x"], curves["g1"], color="#1f77b4", lw=2)
    tangent(ax, curves["x"], point.x, point.u, point.dg1, "#1f77b4")
    ax.set_title(
        tr("inner", "внутренняя") + f": u = {n1}(x)\n{n1}({point.x:.3g}) = {point.u:.3g},  {n1}′(x) = {point.dg1:.3g}"
    )
    ax.set_xlabel("x")
    ax.set_ylabel(f"u = {n1}(x)")
    ax = axes[1]
    ax.plot(curves["u"], curves["g2"], color="#ff7f0e", lw=2)
    tangent(ax, curves["u"], point.u, point.h, point.dg2, "#ff7f0e")
    ax.set_title(
        tr("outer", "внешняя") + f": {n2}(u)\n{n2}({point.u:.3g}) = {point.h:.3g},  {n2}′(u) = {point.dg2:.3g}"
    )
    ax.set_xlabel("u")
    ax.set_ylabel(f"{n2}(u)")
    ax = axes[2]
    ax.plot(curves["x"], curves["h"], color="#2ca02c", lw=2)
    tangent(ax, curves["x"], point.x, point.h, point.product, "#2ca02c")
    ax.set_title(
        tr("composite", "композиция")
        + f": h(x) = {n2}({n1}(x))\nh′(x) = {n2}′(u)·{n1}′(x) = {point.dg2:.3g} × {point.dg1:.3g}"
        f" = {point.product:.3g}"
    )
    ax.set_xlabel("x")
    ax.set_ylabel("h(x)")
    for ax in axes:
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    fig.suptitle(tr("The chain rule: the slopes multiply", "Цепное правило: наклоны перемножаются"), fontweight="bold")
    return fig


def training_figure(runs: Sequence[tuple[float, np.ndarray, str]], *, title: str | None = None) -> Figure:
    """Training loss against step for (lr, losses, regime) runs; the last run is the main one."""
    fig = Figure(figsize=(8, 4.0), dpi=90, layout="constrained")
    ax = fig.subplots()
    positive = all(np.all(np.asarray(losses)[np.isfinite(losses)] > 0) for _, losses, _ in runs)
    for (lr, losses, reg), st in zip(runs, _styles(runs, len(runs) - 1)):
        ax.plot(
            np.arange(len(losses)),
            losses,
            lw=st["lw"],
            alpha=st["alpha"],
            color=st["color"],
            label=f"lr = {lr:.3g} ({regime_name(reg)})",
        )
    if positive:
        ax.set_yscale("log")
        _clip_top(ax, [losses[0] for _, losses, _ in runs])
    ax.set_xlabel(tr("step", "шаг"))
    ax.set_ylabel(tr("training loss", "потери на обучении") + (tr(" (log scale)", " (лог. шкала)") if positive else ""))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title or tr("Training loss per step", "Потери на обучении по шагам"), fontweight="bold")
    return fig


# ================================================================================================ widgets


def _regime_html(reg: str, extra: str = "", text: str | None = None) -> str:
    colour = REGIME_COLOURS[reg]
    text = (text or regime_text(reg)).split(": ", 1)[1]
    return (
        f'<span style="font-size:110%"><b style="color:{colour}">{html.escape(regime_name(reg))}</b> — '
        f"{html.escape(text)}</span>{extra}"
    )


def lr_explorer(
    problem: str | QuadraticProblem = "quadratic",
    *,
    lr: float | None = None,
    steps: int | None = None,
    start: Any = None,
    lr_range: tuple[float, float] | None = None,
    compare: bool = False,
) -> Any:
    """The learning-rate explorer: a log-scale learning-rate slider, steps and starting point; it redraws the loss
    per step and θ's path on the loss curve ("quadratic") or its contours ("bowl") and names the regime.

    The "compare" checkbox adds one run per regime (too small, good, oscillating, diverging) for comparison.
    """
    W = _widgets()
    p = get_problem(problem)
    lo, hi = lr_range or p.lr_range
    start = np.atleast_1d(np.asarray(p.start if start is None else start, dtype=np.float64))
    wide = {"description_width": "initial"}
    lr_slider = W.FloatLogSlider(
        value=p.lr if lr is None else lr,
        base=10,
        min=math.log10(lo),
        max=math.log10(hi),
        step=0.05,
        description=tr("learning rate", "скорость"),
        readout_format=".3g",
        continuous_update=False,
        style=wide,
        layout=W.Layout(width="440px"),
    )
    steps_slider = W.IntSlider(
        value=p.steps if steps is None else steps,
        min=1,
        max=200,
        description=tr("steps", "шаги"),
        continuous_update=False,
        layout=W.Layout(width="320px"),
    )
    start_sliders = []
    names = ["start θ₀"] if p.dim == 1 else ["start θ₁", "start θ₂"]
    for k, name in enumerate(names):
        c = p.center[k]
        reach = max(2.0 * abs(p.start[k] - c), 2.0)
        start_sliders.append(
            W.FloatSlider(
                value=float(start[k]),
                min=c - reach,
                max=c + reach,
                step=0.1,
                description=name,
                continuous_update=False,
                style=wide,
                layout=W.Layout(width="320px"),
            )
        )
    compare_box = W.Checkbox(
        value=compare,
        description=tr("compare with one rate per regime", "сравнить со скоростью каждого режима"),
        indent=False,
        layout=W.Layout(width="auto"),
    )
    status = W.HTML()
    out = W.Output()
    controls = {"lr": lr_slider, "steps": steps_slider, "compare": compare_box}
    controls.update({f"start{k}": s for k, s in enumerate(start_sliders)})

    def redraw(change: Any = None) -> None:
        theta0 = [s.value for s in start_sliders]
        run = trajectory(p, lr_slider.value, steps_slider.value, theta0)
        runs = [(run, run_regime(run, p))]
        if compare_box.value:
            for r in p.example_rates:
                other = trajectory(p, r, steps_slider.value, theta0)
                runs.append((other, run_regime(other, p)))
        reg = runs[0][1]
        title = (
            tr("Gradient descent on", "Градиентный спуск на") + f" {p.formula}: lr = {run.lr:.3g}, {regime_name(reg)}"
        )
        _show(out, lr_figure(p, runs, main=0, title=title))
        status.value = _regime_html(
            reg,
            f" &nbsp; <small>({tr('final loss', 'итоговые потери')} {run.losses[-1]:.3g})</small>",
            rate_regime_text(reg),
        )
        box.result = {"runs": runs, "regime": reg}
        box.redraws += 1

    for w in controls.values():
        w.observe(redraw, names="value")
    box = W.VBox([W.HBox([lr_slider, steps_slider]), W.HBox([*start_sliders, compare_box]), status, out])
    _attach(box, controls, out, status, redraw)
    redraw()
    return box


def backward_stepper(output_tensor: Any, *, title: str | None = None, interval: int = 1500) -> Any:
    """Step through the forward and backward pass of the graph behind ``output_tensor`` with Back/Next (or Play).

    Forward, node by node, the values appear; backward, node by node, the gradients appear. The current node is
    outlined in red, and the line under the graph gives its local gradient and the chain-rule product added into
    each parent. The caller's tensors are not changed (the stepper works on a replay of the graph).
    """
    W = _widgets()
    st = stepper_states(output_tensor)
    n = len(st.frames)
    picture = W.HTML()
    status = W.HTML()
    back = W.Button(
        description=tr("Back", "Назад"), icon="step-backward", tooltip=tr("previous step", "предыдущий шаг")
    )
    nxt = W.Button(description=tr("Next", "Далее"), icon="step-forward", tooltip=tr("next step", "следующий шаг"))
    play = W.Play(value=0, min=0, max=n - 1, step=1, interval=interval, description=tr("play", "пуск"))
    counter = W.Label()
    controls = {"back": back, "next": nxt, "play": play}

    def redraw(change: Any = None) -> None:
        i = play.value
        frame = st.frames[i]
        picture.value = frame_svg(st, i, title=title)
        status.value = frame_html(frame)
        back.disabled = i == 0
        nxt.disabled = i == n - 1
        counter.value = tr(f"step {i} of {n - 1}", f"шаг {i} из {n - 1}") + f": {_phase_word(frame.phase)}"
        box.result = frame
        box.redraws += 1

    back.on_click(lambda _: setattr(play, "value", max(play.value - 1, 0)))
    nxt.on_click(lambda _: setattr(play, "value", min(play.value + 1, n - 1)))
    play.observe(redraw, names="value")
    box = W.VBox([W.HBox([back, nxt, play, counter]), picture, status])
    _attach(box, controls, picture, status, redraw)
    box.stepper = st
    redraw()
    return box


_PHASE = {
    "start": ("#555555", "inputs"),
    "forward": ("#1f77b4", "forward"),
    "seed": ("#d62728", "backward"),
    "backward": ("#d62728", "backward"),
    "done": ("#2ca02c", "done"),
}
_PHASE_RU = {"inputs": "входы", "forward": "прямой проход", "backward": "обратный проход", "done": "готово",
             "start": "начало", "seed": "начало обратного прохода"}  # fmt: skip


def _phase_word(word: str) -> str:
    return tr(word, _PHASE_RU.get(word))


def frame_html(frame: Any) -> str:
    """The text under the stepper's graph: the phase, then one line per chain-rule product."""
    colour, word = _PHASE[frame.phase]
    word = _phase_word(word)
    head, _, rest = frame.text.partition(": ")
    lines = [html.escape(s) for s in rest.split(";  ")] if rest else []
    body = "<br>".join(f"&nbsp;&nbsp;{s}" for s in lines)
    return (
        f'<div style="font-family:monospace;font-size:13px;line-height:1.5">'
        f'<b style="color:{colour}">{word}</b> · <b>{html.escape(head)}</b><br>{body}</div>'
    )


def chain_rule_explorer(
    g1: Callable | None = None,
    g2: Callable | None = None,
    dg1: Callable | None = None,
    dg2: Callable | None = None,
    *,
    x: float = 1.0,
    x_range: tuple[float, float] = (-2.0, 2.0),
    names: tuple[str, str] = ("g₁", "g₂"),
) -> Any:
    """A slider on x showing g1 at x, g2 at u = g1(x), their derivatives, and h = g2(g1(x)) whose slope is their
    product. Defaults: g1(x) = x², g2(u) = sin u. A derivative left out is computed by central differences."""
    W = _widgets()
    curves = chain_rule_curves(x_range, g1, g2)
    x_slider = W.FloatSlider(
        value=x,
        min=x_range[0],
        max=x_range[1],
        step=(x_range[1] - x_range[0]) / 200,
        description="x",
        continuous_update=False,
        readout_format=".3g",
        layout=W.Layout(width="480px"),
    )
    status = W.HTML()
    out = W.Output()
    n1, n2 = names

    def redraw(change: Any = None) -> None:
        pt = chain_rule_point(x_slider.value, g1, g2, dg1, dg2)
        _show(out, chain_figure(pt, curves, names))
        status.value = html.escape(
            f"x = {pt.x:.3g}: u = {n1}(x) = {pt.u:.4g}, h = {n2}(u) = {pt.h:.4g};  "
            f"{n1}′(x) = {pt.dg1:.4g}, {n2}′(u) = {pt.dg2:.4g}, h′(x) = {n2}′(u)·{n1}′(x) = {pt.product:.4g}"
        )
        box.result = pt
        box.redraws += 1

    x_slider.observe(redraw, names="value")
    box = W.VBox([x_slider, status, out])
    _attach(box, {"x": x_slider}, out, status, redraw)
    redraw()
    return box


def training_lr_explorer(
    train_fn: Callable[[float, int], Sequence[float]],
    *,
    lr: float = 0.1,
    steps: int = 100,
    lr_range: tuple[float, float] = (1e-4, 1.0),
    steps_range: tuple[int, int] = (10, 500),
    keep: bool = False,
) -> Any:
    """The learning-rate explorer on a real training loop: ``train_fn(lr, steps)`` trains from scratch and returns
    the losses; the sliders rerun it (only on release: training is expensive) and the regime is named.

    "keep earlier runs" overlays the runs so far for comparison; results are cached per (lr, steps).
    """
    W = _widgets()
    wide = {"description_width": "initial"}
    lr_slider = W.FloatLogSlider(
        value=lr,
        base=10,
        min=math.log10(lr_range[0]),
        max=math.log10(lr_range[1]),
        step=0.1,
        description=tr("learning rate", "скорость"),
        readout_format=".3g",
        continuous_update=False,
        style=wide,
        layout=W.Layout(width="440px"),
    )
    steps_slider = W.IntSlider(
        value=steps, min=steps_range[0], max=steps_range[1], description=tr("steps", "шаги"), continuous_update=False
    )
    keep_box = W.Checkbox(
        value=keep,
        description=tr("keep earlier runs", "оставлять прежние запуски"),
        indent=False,
        layout=W.Layout(width="auto"),
    )
    status = W.HTML()
    out = W.Output()
    progress_out = W.Output()
    cache: dict[tuple[float, int], np.ndarray] = {}
    history: list[tuple[float, int]] = []
    controls = {"lr": lr_slider, "steps": steps_slider, "keep": keep_box}

    def redraw(change: Any = None) -> None:
        key = (float(lr_slider.value), int(steps_slider.value))
        if key not in cache:
            # A progress bar (or an error) from train_fn shows in its own Output, captured with `with`, and is
            # cleared the same way. The figure's Output is only ever set from here: mixing the two ways on one Output
            # races (the front end sends its captured copy back and it overwrites the figure).
            losses = None
            progress_out.clear_output()
            with progress_out:
                losses = np.asarray(train_fn(*key), dtype=np.float64)
            if losses is None:  # train_fn raised; in a kernel the traceback is in progress_out
                return
            progress_out.clear_output()
            cache[key] = losses
        if key in history:
            history.remove(key)
        history.append(key)
        shown = history[-6:] if keep_box.value else history[-1:]
        runs = [(k[0], cache[k], regime(cache[k])) for k in shown]
        reg = runs[-1][2]
        title = tr("Training loss", "Потери на обучении") + f", lr = {key[0]:.3g}: {regime_name(reg)}"
        _show(out, training_figure(runs, title=title))
        final = tr("final loss", "итоговые потери")
        status.value = _regime_html(reg, f" &nbsp; <small>({final} {cache[key][-1]:.4g})</small>")
        box.result = {"lr": key[0], "steps": key[1], "losses": cache[key], "regime": reg}
        box.redraws += 1

    for w in controls.values():
        w.observe(redraw, names="value")
    box = W.VBox([W.HBox([lr_slider, steps_slider, keep_box]), status, progress_out, out])
    _attach(box, controls, out, status, redraw)
    redraw()
    return box


__all__ = [
    "REGIMES",
    "backward_stepper",
    "chain_rule_explorer",
    "frame_svg",
    "lr_comparison",
    "lr_explorer",
    "training_lr_explorer",
]
