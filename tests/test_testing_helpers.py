"""mini_autograd.testing: the verdicts and hints students and the autograder see, and the tamper guard."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import mini_autograd as ag
from mini_autograd import testing as T


@pytest.mark.parametrize(
    ("got", "want", "status", "hint"),
    [
        ([1.0, 2.0], [1.0, 2.0], "exact", ""),
        ([1.0, 2.0 + 1e-9], [1.0, 2.0], "close", ""),
        ([2.0, 4.0], [1.0, 2.0], "OFF", "extra factor 2"),
        ([0.5, 1.0], [1.0, 2.0], "OFF", "missing factor 2"),
        ([-1.0, -2.0], [1.0, 2.0], "OFF", "sign is flipped"),
        ([0.0, 0.0], [1.0, 2.0], "OFF", "forgotten branch"),
        ([3.0, 6.0, 9.0], [1.0, 2.0, 3.0], "OFF", "a sum where a mean"),
        ([1.0, 2.0, 5.0], [1.0, 2.0, 3.0], "OFF", "1 of 3 entries differ, first at (2,)"),
        (np.ones((2, 3)), np.ones((3, 2)), "wrong shape", "transposed"),
        (None, [1.0], "missing", "None"),
        ([float("nan")], [1.0], "not a number", "nan"),
        ("text", [1.0], "not a number", "numbers"),
    ],
)
def test_compare_names_the_mistake(got, want, status, hint):
    c = T.compare("dW", got, want)
    assert c.status == status and hint in c.hint and c.ok == (status in ("exact", "close"))
    assert str(c).startswith("dW  " + status)


def test_compare_accepts_tensors_of_both_libraries():
    torch = pytest.importorskip("torch")
    assert T.compare("x", ag.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])).status == "exact"


def test_report_table_and_assertions():
    report = T.compare_all({"dw": [-2.0], "db": [4.0]}, {"dw": [-2.0], "db": [2.0], "dc": [1.0]})
    assert not report.ok and [c.status for c in report] == ["exact", "OFF", "missing"]
    assert str(report).splitlines()[1].startswith("db  OFF")
    with pytest.raises(AssertionError, match="db"):
        T.assert_all_close({"dw": [-2.0], "db": [4.0]}, {"dw": [-2.0], "db": [2.0]})
    T.assert_close("w", [1.0], [1.0])
    with pytest.raises(AssertionError, match="sign is flipped"):
        T.assert_close("w", [-1.0], [1.0])


def test_compare_with_torch_and_numerical_grad():
    report = T.compare_with_torch(lambda m, x, y: (x + y) * m.maximum(y, x * 0), 1.0, 2.0, names=["x", "y"])
    assert report.ok and [c.name for c in report] == ["output", "x.grad", "y.grad"]
    (g,) = T.numerical_grad(lambda a: (a**3).sum(), np.array([1.0, 2.0]))
    np.testing.assert_allclose(g, [3.0, 12.0], rtol=1e-6)


def test_the_module_is_read_only():
    with pytest.raises(AttributeError, match="read-only"):
        T.compare = lambda *a, **k: None
    with pytest.raises(AttributeError, match="read-only"):
        del T.compare


PATCHES = [
    "np.allclose = lambda *a, **k: True",
    "np.isclose = lambda *a, **k: True",
    "math.isclose = lambda *a, **k: True",
    "builtins.isinstance = lambda *a: True",
    "torch.allclose = lambda *a, **k: True",
    "np.testing.assert_allclose = lambda *a, **k: None",
]


@pytest.mark.parametrize("patch", PATCHES)
def test_grading_refuses_a_patched_environment(patch):
    """In a fresh interpreter (patches would leak into this one): a replaced comparison makes every check fail."""
    code = textwrap.dedent(
        f"""
        import builtins, math
        import numpy as np
        import torch
        import mini_autograd.testing as T
        T.assert_close("x", 1.0, 1.0)   # fine before the patch
        {patch}
        try:
            T.assert_close("x", 1.0, 1.0)
        except T.TamperedEnvironmentError as e:
            print("REFUSED", e)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "REFUSED" in out.stdout, out.stdout + out.stderr


def test_lists_of_tensors_from_either_library():
    torch = pytest.importorskip("torch")
    w = torch.tensor(2.0, requires_grad=True)
    assert T.compare("wb", [1.0, 2.0], [ag.tensor(1.0), w]).status == "exact"
    assert T.to_numpy([[ag.tensor(1.0), 2.0], (3.0, torch.tensor(4.0))]).tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_gradcheck_catches_a_wrong_backward():
    class WrongSquare(ag.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * a  # the factor 2 is missing

    with pytest.raises(AssertionError, match="input 0"):
        T.gradcheck(lambda a: WrongSquare.apply(a), np.array([0.5, -1.5, 2.0]))
    assert not T.gradcheck(lambda a: WrongSquare.apply(a), np.array([0.5]), raise_exception=False)
