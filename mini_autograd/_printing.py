"""Print tensors the way PyTorch does, so a student's output matches the lecture's: ``tensor(5.)``,
``tensor(1., requires_grad=True)``, ``tensor(1., grad_fn=<PowBackward0>)``, aligned rows for matrices.

The number format follows ``torch/_tensor_str.py``: integral floats print as ``2.``, others with four decimals, and
scientific notation when the magnitudes span more than a factor of 1000 or leave [1e-4, 1e8].
"""

from __future__ import annotations

import math

import numpy as np

LINEWIDTH = 80
THRESHOLD = 1000  # more elements than this are summarised with '...'
EDGEITEMS = 3
PRECISION = 4


class _Formatter:
    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = values.ravel()
        if not self.floating:
            self.width = max((len(self._plain(v)) for v in flat), default=1)
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:  # like torch: the width comes from nonzero finite values only
            return
        big, small = float(np.abs(finite).max()), float(np.abs(finite).min())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            self.sci_mode = big / small > 1000.0 or big > 1.0e8
        else:
            self.sci_mode = big / small > 1000.0 or big > 1.0e8 or small < 1.0e-4
        self.width = max(len(self.format(v)) for v in finite)

    def _plain(self, v) -> str:
        return str(bool(v)) if isinstance(v, (bool, np.bool_)) else str(v)

    def format(self, v) -> str:
        if not self.floating:
            return self._plain(v)
        v = float(v)
        if math.isnan(v) or math.isinf(v):
            return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        if self.sci_mode:
            return f"{v:.{PRECISION}e}"
        if self.int_mode:
            return f"{v:.0f}."
        return f"{v:.{PRECISION}f}"

    def cell(self, v) -> str:
        s = self.format(v)
        return " " * (self.width - len(s)) + s


def _summarise(values: np.ndarray) -> np.ndarray:
    """The corner values that a summarised print shows (for choosing the number format)."""
    if values.ndim == 0 or values.size <= THRESHOLD:
        return values
    idx = [np.r_[0 : min(EDGEITEMS, n), max(n - EDGEITEMS, EDGEITEMS) : n] for n in values.shape]
    return values[np.ix_(*idx)]


def _body(values: np.ndarray, fmt: _Formatter, indent: int, summarise: bool) -> str:
    if values.ndim == 0:
        return fmt.cell(values.item() if hasattr(values, "item") else values)
    n = values.shape[0]
    cut = summarise and n > 2 * EDGEITEMS
    idx = list(range(EDGEITEMS)) + [None] + list(range(n - EDGEITEMS, n)) if cut else list(range(n))
    if values.ndim == 1:
        cells = [" ..." if i is None else fmt.cell(values[i]) for i in idx]  # torch pads it so
        per_line = max(1, (LINEWIDTH - indent) // (fmt.width + 2))
        lines = [", ".join(cells[k : k + per_line]) for k in range(0, len(cells), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    sep = "," + "\n" * (values.ndim - 1) + " " * (indent + 1)
    parts = ["..." if i is None else _body(values[i], fmt, indent + 1, summarise) for i in idx]
    return "[" + sep.join(parts) + "]"


def tensor_repr(t) -> str:
    values = np.asarray(t._data)
    prefix = "tensor("
    summarise = values.size > THRESHOLD
    suffixes = []
    if values.size == 0:
        body = "[]"
        if values.shape != (0,):
            suffixes.append(f"size={tuple(values.shape)}")
        if values.dtype != np.dtype("float32"):  # an empty tensor's dtype cannot be guessed from its values
            suffixes.append(f"dtype={t.dtype!r}")
    else:
        fmt = _Formatter(_summarise(values) if summarise else values)
        body = _body(values, fmt, len(prefix), summarise)
        if values.dtype not in (np.dtype("float32"), np.dtype("int64"), np.dtype("bool")):
            suffixes.append(f"dtype={t.dtype!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    # torch's _add_suffixes: a suffix that would pass the line width goes on a new line under the first value
    text = prefix + body
    last = len(text) - text.rfind("\n") + 1
    parts = [text]
    for s in suffixes:
        if last + len(s) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * len(prefix) + s)
            last = len(prefix) + len(s)
        else:
            parts.append(", " + s)
            last += len(s) + 2
    return "".join(parts) + ")"
