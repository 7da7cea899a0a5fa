"""Checking gradients: numerical gradcheck, and a per-tensor comparison that says *what* differs.

The test suite and the course's grade cells use the same functions, so a student sees the same verdict the
autograder gives:

>>> report = compare_all({"dw": [-2.0], "db": [4.0]}, {"dw": [-2.0], "db": [2.0]})
>>> print(report)                                                      # doctest: +NORMALIZE_WHITESPACE
dw  exact  max abs diff 0
db  OFF    got [4], expected [2]  max abs diff 2  (every value is the expected one times 2: a constant factor is wrong)

Grade cells must not be fooled by a notebook that replaces the functions they rely on (``np.allclose = lambda *a,
**k: True``). So this module computes with Python's own float arithmetic on values copied out with ``tolist()``,
through references captured when it is imported, and :func:`check_untampered` refuses to grade when a well-known
function (numpy's and torch's comparisons, ``isinstance``, this module's own functions) has been replaced since.
"""

from __future__ import annotations

import builtins
import math
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .i18n import msg
from .tensor import Tensor

# References captured at import time: later monkeypatching of numpy, math or builtins does not reach them.
_isnan, _isinf, _fabs, _isfinite = math.isnan, math.isinf, math.fabs, math.isfinite
_asarray, _float64 = np.asarray, np.float64
_isinstance, _len, _max, _zip, _float, _abs = isinstance, len, max, zip, float, abs


def to_numpy(value: Any) -> np.ndarray:
    """A float64 numpy copy of a number, list, numpy array, mini_autograd tensor or PyTorch tensor."""
    if _isinstance(value, Tensor):
        value = value.detach().numpy()
    elif hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu().numpy()
    elif _isinstance(value, (list, tuple)) and any(_isinstance(v, (list, tuple)) or hasattr(v, "shape") for v in value):
        value = [to_numpy(v) for v in value]  # e.g. [w.grad, b.grad]: tensors inside a list
    arr = _asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"expected numbers (a number, list, array or tensor), got {type(value).__name__}")
    return arr.astype(_float64)


# ---------------------------------------------------------------------------------------------- comparisons


@dataclass
class Comparison:
    """How one computed tensor compares with the expected one.

    ``detail`` shows the student's value next to the expected one (for arrays, the first entries that differ);
    ``hint`` names the likely cause, only when the numbers say so unambiguously or match a known mistake.
    """

    name: str
    status: str  # "exact", "close", "OFF", "wrong shape", "missing", "not a number"
    max_abs_diff: float = float("nan")
    max_rel_diff: float = float("nan")
    hint: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("exact", "close")

    def line(self, name_width: int = 0, status_width: int = 0) -> str:
        """One row of a report: name and status padded to the given widths, the values, the difference, the hint."""
        status = msg(self.status)
        text = f"{self.name:<{name_width}}  {status:<{status_width}}"
        if self.detail:
            text += f"  {self.detail}"
        if self.status in ("exact", "close", "OFF"):
            text += "  " + msg("max abs diff", diff=f"{self.max_abs_diff:.3g}")
        if self.hint:
            text += f"  ({self.hint})"
        return text.rstrip()

    def __str__(self) -> str:
        return self.line()


class Report(list):
    """A list of Comparisons that prints as an aligned table; ``ok`` when every entry is exact or close."""

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self)

    def __str__(self) -> str:
        if not self:
            return msg("nothing compared")
        width = _max(_len(c.name) for c in self)
        swidth = _max(_len(msg(c.status)) for c in self)
        return "\n".join(c.line(width, swidth) for c in self)


def _flat(value: Any) -> tuple[tuple, list]:
    arr = to_numpy(value)
    flat = arr.reshape(-1).tolist()
    return arr.shape, [_float(v) for v in flat]


def _num(v: float) -> str:
    """A number as a student reads it: 3 rather than 3.0 or np.float64(3.0), 6 significant digits."""
    if _isfinite(v) and v == int(v) and _fabs(v) < 1e15:
        return str(int(v))
    return f"{v:.6g}"


def _show(shape: tuple, flat: list) -> str:
    """A small value in full (a number, or a nested list up to 6 entries); a big one by its shape."""
    if not shape:
        return _num(flat[0])
    if _len(flat) > 6:
        return f"<array of shape {shape}>"
    arr = np.array(flat).reshape(shape)

    def nest(a: np.ndarray) -> str:
        return "[" + ", ".join(nest(x) if x.ndim else _num(_float(x)) for x in a) + "]"

    return nest(arr)


def _index(i: int, shape: tuple) -> str:
    return "[" + ", ".join(str(int(k)) for k in np.unravel_index(i, shape)) + "]" if shape else "[]"


def _detail(got: list, want: list, shape: tuple, wrong: list[int]) -> str:
    """The student's value beside the expected one; for arrays, also the first entries that differ."""
    text = msg("got expected", got=_show(shape, got), want=_show(shape, want))
    if shape and wrong and (_len(wrong) < _len(want) or _len(want) > 6):
        first = "; ".join(msg("entry", index=_index(i, shape), got=_num(got[i]), want=_num(want[i])) for i in wrong[:3])
        text += "; " + msg("first differing", n=_len(wrong), total=_len(want), where=first)
    return text


def _constant_ratio(got: list, want: list) -> float | None:
    """r when got = r * want entry by entry (with at least one non-zero expected entry), else None."""
    pairs = [(g, w) for g, w in _zip(got, want) if _fabs(w) > 1e-12]
    if not pairs or any(_fabs(g) > 1e-9 for g, w in _zip(got, want) if _fabs(w) <= 1e-12):
        return None
    r = pairs[0][0] / pairs[0][1]
    if all(_fabs(g - r * w) <= 1e-6 * (1 + _fabs(r * w)) for g, w in pairs):
        return r
    return None


def _hint(got: list, want: list, shape: tuple, batch: int | None = None) -> str:
    """Name a cause only when the numbers leave no doubt: all zero, a flipped sign, a transpose, a constant factor
    (told apart from a sum over the batch only when the batch size is known)."""
    if all(_fabs(g) <= 1e-12 for g in got) and any(_fabs(w) > 1e-12 for w in want):
        return msg("all zero")
    if _len(shape) == 2 and shape[0] == shape[1] and shape[0] > 1:
        t = np.array(want).reshape(shape).T.reshape(-1).tolist()
        if t != want and all(_fabs(g - w) <= 1e-6 * (1 + _fabs(w)) for g, w in _zip(got, t)):
            return msg("transposed")
    r = _constant_ratio(got, want)

    def near(value: float) -> bool:  # expected values are often written out to 8 or 12 digits: a relative 1e-6
        return _fabs(r - value) <= 1e-6 * _max(1.0, _fabs(value))

    if r is None or near(1.0):
        return ""
    if near(-1.0):
        return msg("sign")
    if batch and batch > 1 and near(batch):
        return msg("sum for mean", batch=batch)
    if batch and batch > 1 and near(1.0 / batch):
        return msg("mean for sum", batch=batch)
    n = _len(want)
    if n > 1 and n != batch and near(1.0 / n) and batch:
        return msg("mean over entries", n=n)
    if _fabs(r) < 1 and _fabs(1 / r - round(1 / r)) < 1e-6 * _fabs(1 / r):
        return msg("ratio", ratio=f"1/{_num(round(1 / r))}")
    return msg("ratio", ratio=_num(round(r, 6)))


def _matches(got_flat: list, shape_got: tuple, value: Any, rtol: float, atol: float) -> bool:
    try:
        shape, flat = _flat(value)
    except (TypeError, ValueError):
        return False
    return shape == shape_got and all(
        _fabs(a - b) <= atol + rtol * _fabs(b) or (_isnan(a) and _isnan(b)) for a, b in _zip(got_flat, flat)
    )


def _known_mistake(got: list, shape: tuple, mistakes: Mapping[str, Any] | None, rtol: float, atol: float) -> str:
    """The hint of the first known mistake whose value ``got`` matches, or ""."""
    return next((text for text, value in (mistakes or {}).items() if _matches(got, shape, value, rtol, atol)), "")


def compare(
    name: str,
    got: Any,
    expected: Any,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    *,
    mistakes: Mapping[str, Any] | None = None,
    batch: int | None = None,
) -> Comparison:
    """Compare one value or gradient with the expected one: exact, close (within rtol/atol), or OFF by how much.

    ``mistakes`` maps a hint to the value a known mistake gives for this very input; when ``got`` matches one, that
    hint is the one shown. ``batch`` is the batch size, so that a sum over the batch is told from another factor.
    """
    if got is None:
        return Comparison(name, "missing", hint=msg("got None"))
    try:
        shape_got, g = _flat(got)
    except (TypeError, ValueError) as exc:
        return Comparison(name, "not a number", hint=str(exc))
    shape_want, w = _flat(expected)
    if shape_got != shape_want:
        if _len(shape_got) == 2 and shape_got == shape_want[::-1]:
            hint = msg("shape transposed", got=shape_got, want=shape_want)
        else:
            hint = msg("shape", got=shape_got, want=shape_want)
        return Comparison(name, "wrong shape", hint=_known_mistake(g, shape_got, mistakes, rtol, atol) or hint)
    if any(_isnan(v) for v in g) and not any(_isnan(v) for v in w):
        return Comparison(name, "not a number", detail=_detail(g, w, shape_got, []), hint=msg("nan"))
    abs_diff, rel_diff, exact, close, wrong = 0.0, 0.0, True, True, []
    for i, (a, b) in enumerate(_zip(g, w)):
        if a == b or (_isnan(a) and _isnan(b)):
            continue
        exact = False
        d = _fabs(a - b) if _isfinite(a) and _isfinite(b) else float("inf")
        abs_diff = _max(abs_diff, d)
        rel_diff = _max(rel_diff, d / _fabs(b) if b != 0 else float("inf"))
        if not d <= atol + rtol * _fabs(b):
            close = False
            wrong.append(i)
    if exact:
        return Comparison(name, "exact", 0.0, 0.0)
    if close:
        return Comparison(name, "close", abs_diff, rel_diff)
    hint = _known_mistake(g, shape_got, mistakes, rtol, atol)
    if not hint and any(_isinf(v) for v in g) and not any(_isinf(v) for v in w):
        hint = msg("inf")
    hint = hint or _hint(g, w, shape_want, batch)
    return Comparison(name, "OFF", abs_diff, rel_diff, hint, _detail(g, w, shape_got, wrong))


def compare_all(
    got: Mapping[str, Any],
    expected: Mapping[str, Any],
    rtol: float = 1e-5,
    atol: float = 1e-8,
    *,
    mistakes: Mapping[str, Mapping[str, Any]] | None = None,
    batch: int | None = None,
) -> Report:
    """Compare every named tensor in ``expected`` with the same name in ``got`` (missing names are reported).

    ``mistakes`` maps a hint to the named values a known mistake gives, ``{hint: {name: value}}``: each tensor that
    matches its mistaken value gets that hint.
    """
    if not _isinstance(got, Mapping):
        return Report(
            [
                Comparison(name, "missing", hint=f"expected a dict of results, got {type(got).__name__}")
                for name in expected
            ]
        )
    report = Report()
    for name, want in expected.items():
        known = {text: values[name] for text, values in (mistakes or {}).items() if name in values}
        report.append(compare(name, got.get(name), want, rtol, atol, mistakes=known, batch=batch))
    return report


def assert_close(
    name: str,
    got: Any,
    expected: Any,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    *,
    mistakes: Mapping[str, Any] | None = None,
    batch: int | None = None,
) -> None:
    """Raise AssertionError with a one-line explanation unless ``got`` matches ``expected``.

    The message shows your value, the expected one, where they differ and, when the numbers say so, why:

    >>> assert_close("mul_backward(3, -2, 5)", [10.0, -15.0], [-10.0, 15.0])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    AssertionError: mul_backward(3, -2, 5)  OFF  got [10, -15], expected [-10, 15]  ... (... a flipped sign ...)
    """
    check_untampered()
    c = compare(name, got, expected, rtol, atol, mistakes=mistakes, batch=batch)
    if not c.ok:
        raise AssertionError(str(c))


def assert_all_close(
    got: Mapping[str, Any],
    expected: Mapping[str, Any],
    rtol: float = 1e-5,
    atol: float = 1e-8,
    *,
    mistakes: Mapping[str, Mapping[str, Any]] | None = None,
    batch: int | None = None,
) -> None:
    """Raise AssertionError with the whole table unless every named tensor matches."""
    check_untampered()
    report = compare_all(got, expected, rtol, atol, mistakes=mistakes, batch=batch)
    if not report.ok:
        raise AssertionError(msg("differ") + "\n" + str(report))


# ------------------------------------------------------------------------------------------------ gradcheck


def numerical_grad(fn: Callable[..., Any], *arrays: Any, eps: float = 1e-6) -> list[np.ndarray]:
    """Central differences: d fn / d array[i] ~ (fn(x + eps) - fn(x - eps)) / (2 eps), one element at a time.

    ``fn`` takes numpy float64 arrays and returns a number (or anything with ``.item()``).
    """
    xs = [to_numpy(a).copy() for a in arrays]

    def value(*args: np.ndarray) -> float:
        out = fn(*args)
        return _float(out.item() if hasattr(out, "item") else out)

    grads = []
    for x in xs:
        g = np.zeros_like(x)
        flat, gflat = x.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = value(*xs)
            flat[i] = old - eps
            down = value(*xs)
            flat[i] = old
            gflat[i] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


class GradcheckError(AssertionError):
    """The analytic gradient of an op disagrees with its numerical estimate."""


def gradcheck(
    fn: Callable[..., Tensor],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
    raise_exception: bool = True,
) -> bool:
    """Check ``fn``'s backward pass against central differences, in float64.

    ``fn`` takes mini_autograd tensors and returns a tensor of any shape; it is reduced to a scalar with fixed random
    weights so every output element is checked. Raises :class:`GradcheckError` naming the input and the largest
    difference (or returns False when ``raise_exception=False``).

    >>> gradcheck(lambda a, b: a * b + a.exp(), np.random.randn(3), np.random.randn(3))
    True
    """
    arrays = [to_numpy(x) for x in inputs]
    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*leaves)
    weights = np.random.default_rng(seed).standard_normal(out.shape)
    (out * Tensor(weights)).sum().backward()

    def scalar(*xs: np.ndarray) -> float:
        from .function import no_grad

        with no_grad():
            return _float((fn(*[Tensor(x) for x in xs]) * Tensor(weights)).sum().item())

    numeric = numerical_grad(scalar, *arrays, eps=eps)
    for i, (leaf, num) in enumerate(_zip(leaves, numeric)):
        analytic = np.zeros_like(num) if leaf.grad is None else to_numpy(leaf.grad)
        if not np.allclose(analytic, num, rtol=rtol, atol=atol, equal_nan=True):
            diff = float(np.max(np.abs(analytic - num)))
            msg = (
                f"gradcheck: the gradient of input {i} (shape {num.shape}) differs from the numerical estimate by up "
                f"to {diff:.3g}\nanalytic:\n{analytic}\nnumerical:\n{num}"
            )
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


# ----------------------------------------------------------------------------------------- against PyTorch


def torch_reference(fn: Callable[..., Any], *inputs: Any, gradient: Any = None) -> tuple[np.ndarray, list]:
    """Run ``fn`` on PyTorch float64 tensors that require grad; return its output and the inputs' gradients.

    ``fn`` gets a module-like first argument (``torch`` here), so the same code runs on either library:
    ``torch_reference(lambda m, x: m.relu(x) * 2, [1.0, -1.0])``.
    """
    import torch

    ts = [torch.tensor(to_numpy(x), dtype=torch.float64, requires_grad=True) for x in inputs]
    out = fn(torch, *ts)
    if gradient is None and out.numel() == 1:
        out.backward()
    else:
        g = torch.ones_like(out) if gradient is None else torch.tensor(to_numpy(gradient), dtype=torch.float64)
        out.backward(g)
    return out.detach().numpy(), [None if t.grad is None else t.grad.numpy() for t in ts]


def compare_with_torch(
    fn: Callable[..., Any],
    *inputs: Any,
    names: list[str] | None = None,
    rtol: float = 1e-7,
    atol: float = 1e-10,
) -> Report:
    """Run ``fn(module, *tensors)`` with mini_autograd and with PyTorch (float64) and compare output and gradients.

    >>> import mini_autograd
    >>> print(compare_with_torch(lambda m, x, y: (x + y) * m.maximum(y, x * 0), 1.0, 2.0, names=["x", "y"]))
    output  exact  max abs diff 0
    x.grad  exact  max abs diff 0
    y.grad  exact  max abs diff 0
    """
    import mini_autograd

    names = names or [f"input{i}" for i in range(_len(inputs))]
    want_out, want_grads = torch_reference(fn, *inputs)
    leaves = [Tensor(to_numpy(x), requires_grad=True) for x in inputs]
    out = fn(mini_autograd, *leaves)
    if out.numel() == 1:
        out.backward()
    else:
        out.backward(np.ones(out.shape))
    report = Report([compare("output", out, want_out, rtol, atol)])
    for name, leaf, want in _zip(names, leaves, want_grads):
        if want is None:
            want = np.zeros(leaf.shape)
        report.append(
            compare(f"{name}.grad", np.zeros(leaf.shape) if leaf.grad is None else leaf.grad, want, rtol, atol)
        )
    return report


# -------------------------------------------------------------------------------------------- tamper guard


def _guarded() -> dict[str, tuple[Any, str, Any]]:
    """The functions a grade cell relies on, with the object each name pointed to when this module loaded."""
    table: dict[str, tuple[Any, str, Any]] = {}
    for name in ("allclose", "isclose", "array_equal", "abs", "max", "asarray", "testing"):
        table[f"numpy.{name}"] = (np, name, getattr(np, name))
    for name in ("isinstance", "abs", "max", "len", "float", "all", "any", "__import__", "print"):
        table[f"builtins.{name}"] = (builtins, name, getattr(builtins, name))
    for name in ("isclose", "isnan", "fabs"):
        table[f"math.{name}"] = (math, name, getattr(math, name))
    table["numpy.testing.assert_allclose"] = (np.testing, "assert_allclose", np.testing.assert_allclose)
    return table


_GUARDED = _guarded()
_TORCH_GUARDED: dict[str, tuple[Any, str, Any]] = {}


class TamperedEnvironmentError(AssertionError):
    """A notebook cell replaced a function the grader relies on; no points can be given."""


def check_untampered() -> None:
    """Raise :class:`TamperedEnvironmentError` if a function the grader relies on was replaced since import.

    Covers numpy's and math's comparisons, key builtins, torch's comparisons (once torch is loaded) and this module's
    own functions. Grading with replaced comparison functions would accept anything, so it is refused outright.
    """
    torch = sys.modules.get("torch")
    if torch is not None and not _TORCH_GUARDED:
        for name in ("allclose", "isclose", "equal", "tensor"):
            if hasattr(torch, name):
                _TORCH_GUARDED[f"torch.{name}"] = (torch, name, getattr(torch, name))
    changed = [
        label
        for label, (owner, attr, original) in list(_GUARDED.items()) + list(_TORCH_GUARDED.items())
        if getattr(owner, attr, None) is not original
    ]
    module = sys.modules.get(__name__)
    if module is None or type(module) is not _SealedModule:
        changed.append(f"the module {__name__}")
    if changed:
        raise TamperedEnvironmentError(msg("tampered", what=", ".join(changed)))


class _SealedModule(types.ModuleType):
    """This module, read-only: ``mini_autograd.testing.compare = ...`` raises instead of fooling the grader."""

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            f"mini_autograd.testing is read-only (the autograder relies on it); you cannot set {name!r}. "
            "Write your own helper function instead."
        )

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"mini_autograd.testing is read-only; you cannot delete {name!r}.")


sys.modules[__name__].__class__ = _SealedModule
