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
        ([2.0, 4.0], [1.0, 2.0], "OFF", "the expected one times 2: a constant factor"),
        ([0.5, 1.0], [1.0, 2.0], "OFF", "the expected one times 1/2: a constant factor"),
        ([-1.0, -2.0], [1.0, 2.0], "OFF", "a flipped sign"),
        ([0.0, 0.0], [1.0, 2.0], "OFF", "all your values are 0"),
        ([3.0, 6.0, 9.0], [1.0, 2.0, 3.0], "OFF", "the expected one times 3"),
        ([1.0, 2.0, 5.0], [1.0, 2.0, 3.0], "OFF", ""),
        ([[1.0, 3.0], [2.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]], "OFF", "transpose of the expected"),
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
    with pytest.raises(AssertionError, match="flipped sign"):
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


def test_a_failing_check_shows_both_values_and_where_they_differ():
    line = str(T.compare("f(2)", [1.0, 7.0, 3.0], [1.0, 2.0, 3.0]))
    assert "got [1, 7, 3], expected [1, 2, 3]" in line
    big = str(T.compare("W", np.arange(12.0).reshape(3, 4) + np.eye(3, 4), np.arange(12.0).reshape(3, 4)))
    assert "3 of 12 entries differ, first at [0, 0]: got 1, expected 0; [1, 1]: got 6, expected 5" in big
    assert "np.float" not in str(T.compare("x", np.float32(1.0), 2.0))


def test_sum_for_mean_is_named_from_the_batch_size_not_the_number_of_entries():
    # 3 examples, 4 entries: a gradient summed over the batch is 3x the mean's
    assert "the batch has 3 examples" in T.compare("dW", np.full((2, 2), 3.0), np.ones((2, 2)), batch=3).hint
    # without the batch size, a factor is only a factor: no guess at its cause
    hint = T.compare("dW", np.full((2, 2), 2.0), np.ones((2, 2))).hint
    assert "times 2" in hint and "square" not in hint and "sum" not in hint
    assert "once too often" in T.compare("db", [0.25, 0.5], [1.0, 2.0], batch=4).hint


def test_a_known_mistake_is_named_only_when_the_value_is_exactly_the_mistaken_one():
    known = {"the upstream gradient is not multiplied in": [5.0, 1.0]}
    assert T.compare("mul_backward(1, 5, 3)", [5.0, 1.0], [15.0, 3.0], mistakes=known).hint == (
        "the upstream gradient is not multiplied in"
    )
    other = T.compare("mul_backward(1, 5, 3)", [5.0, 2.0], [15.0, 3.0], mistakes=known)
    assert other.hint != "the upstream gradient is not multiplied in"
    assert T.compare("mul_backward(1, 5, 3)", [15.0, 3.0], [15.0, 3.0], mistakes=known).ok
    report = T.compare_all({"dw": [2.0], "db": 1.0}, {"dw": [4.0], "db": 1.0}, mistakes={"no factor 2": {"dw": [2.0]}})
    assert report[0].hint == "no factor 2" and report[1].ok


@pytest.mark.parametrize(
    "want", [[1.0, 2.0, 3.0], [[1.0, -2.0], [0.5, 4.0]], [0.0, 1.0, 0.0], 7.0, [1e-3, 2e3]]
)
def test_no_hint_fires_on_a_correct_answer(want):
    for batch in (None, 2, 3):
        c = T.compare("x", want, want, batch=batch, mistakes={"a mistake": np.zeros(np.shape(want))})
        assert c.ok and c.hint == "" and c.status == "exact"


def test_messages_speak_the_lessons_language():
    from mini_autograd.i18n import set_language, tr

    try:
        set_language("ru")
        line = str(T.compare("f(1)", [-1.0], [1.0]))
        assert "НЕВЕРНО" in line and "у вас [-1], ожидалось [1]" in line and "знак" in line
        assert tr("Loss", "Потери") == "Потери"
    finally:
        set_language("en")
    assert "OFF" in str(T.compare("f(1)", [-1.0], [1.0]))
    with pytest.raises(ValueError, match="unknown language"):
        set_language("fr")


def test_causes_are_named_when_the_expected_values_are_written_to_eight_digits():
    want = [0.12345679, -0.98765432]
    assert "flipped sign" in T.compare("g", [-0.123456789, 0.987654321], want).hint
    assert "batch has 3" in T.compare("g", [0.370370367, -2.962962963], want, batch=3).hint
