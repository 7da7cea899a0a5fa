"""Verdicts outside the student's kernel: strict hand-out of values, no reference in a student's kernel, and the
grader's comparison (course_tools.verdicts, course_tools.grading.CompareOutside, mini_autograd.testing)."""

from __future__ import annotations

import ast
import json

import nbformat
import nbgrader_helpers as H
import numpy as np
import pytest

import mini_autograd as ag
from course_tools import verdicts as V
from course_tools.grading import NOTES, CompareOutside
from mini_autograd import testing as T

#: Lessons whose hidden tests pass lazy expected values: every lesson.
MIGRATED = H.ENGLISH


def _test_cells(lesson):
    return H.grade_test_cells(H.read(H.SOURCES / lesson / f"{lesson}.ipynb"))


@pytest.mark.parametrize("lesson", MIGRATED)
def test_hidden_checks_are_lazy_and_keep_nothing_computed_with_torch(lesson):
    problems = {}
    for cell in _test_cells(lesson):
        found = V.hidden_rule_problems(cell.source)
        if found:
            problems[H.meta(cell)["grade_id"]] = found
    assert not problems, json.dumps(problems, indent=1)


@pytest.mark.parametrize("lesson", MIGRATED)
def test_a_students_kernel_gets_no_reference_code(lesson):
    """In a student's graded run the hidden regions keep the calls of the student's functions and their inputs, and
    lose every reference: no lazy expected value, no helper that only the references used."""
    for cell in _test_cells(lesson):
        gid = H.meta(cell)["grade_id"]
        source = V.handout_source(cell.source)
        assert len(source.splitlines()) == len(cell.source.splitlines())
        tree = ast.parse(source)
        hidden = V.hidden_lines(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and V.check_name(node.func) and node.lineno in hidden:
                exp = V.expected_arg(node)
                assert isinstance(exp, ast.Constant) and exp.value is None, (gid, node.lineno)
        for d in tree.body:  # a helper that stays is an input of the student's function (a gradient to descend)
            if isinstance(d, ast.FunctionDef) and d.lineno in hidden:
                inside = {id(n) for n in ast.walk(d)}
                used = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == d.name and id(n) not in inside]
                assert used, (gid, d.name)


def test_handout_source_strips_the_lazy_expected_values_and_their_helpers():
    src = """# Checks for exercise 1
assert_close("f(1)", f(1.0), 2.0)
### BEGIN HIDDEN TESTS
import torch as _torch


def _ref(a):
    return _torch.tensor(a) * 2


def _inputs():
    return [1.0, 2.5]


for _a in _inputs():
    assert_close(f"f({_a}) ŷ", f(_a), lambda: _ref(_a), rtol=1e-3)
assert_all_close(g(1), lambda: {
    "a": _ref(1),
}, batch=2)
### END HIDDEN TESTS
"""
    out = V.handout_source(src)
    compile(out, "cell", "exec")
    assert "_ref" not in out and "lambda" not in out and "_torch.tensor" not in out
    assert 'assert_close("f(1)", f(1.0), 2.0)' in out  # visible checks unchanged
    assert "def _inputs" in out and "f(_a), None, rtol=1e-3" in out and "assert_all_close(g(1), None, batch=2)" in out
    assert len(out.splitlines()) == len(src.splitlines())


class Liar(float):
    def __eq__(self, other):
        return True


class ArrayLiar:
    def __array__(self, *a, **k):
        raise RuntimeError("walks the stack")


@pytest.mark.parametrize(
    ("value", "back"),
    [
        (1, 1.0),
        (2.5, 2.5),
        (np.float32(1.5), 1.5),
        ([1.0, np.float64(2)], [1.0, 2.0]),
        ((1, [2, 3]), [1.0, [2.0, 3.0]]),
        (None, None),
        ("slow", "slow"),
        (["good", 1], ["good", 1.0]),
    ],
)
def test_plain_values_are_handed_out(value, back):
    assert T.from_handout(json.loads(json.dumps(T.handout_value(value)))) == back


def test_arrays_and_tensors_are_handed_out_as_arrays():
    torch = pytest.importorskip("torch")
    for value in (np.arange(6.0).reshape(2, 3), ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True),
                  torch.arange(6.0, requires_grad=True).reshape(2, 3) * 1):
        back = T.from_handout(T.handout_value(value))
        assert type(back) is np.ndarray and back.shape == (2, 3) and back.tolist() == [[0, 1, 2], [3, 4, 5]]
    nested = T.from_handout(T.handout_value({"dW": np.ones((2, 2)), "db": [ag.tensor([1.0])]}))
    assert nested["dW"].tolist() == [[1, 1], [1, 1]] and nested["db"][0].tolist() == [1.0]
    assert T.from_handout(T.handout_value(float("nan"))) != T.from_handout(T.handout_value(float("nan")))


@pytest.mark.parametrize(
    "value",
    [Liar(1.0), ArrayLiar(), np.ones(2).view(np.matrix), np.array(["a"]), {1: 2.0}, [Liar(2.0)], b"12",
     np.array([object()], dtype=object)],
)
def test_anything_else_is_refused_without_being_called(value):
    rec = T.handout_value(value)
    assert rec["t"] == "refused"
    with pytest.raises(T.Refused):
        T.from_handout(rec)


def test_a_patched_tensor_class_is_refused():
    original = ag.Tensor.__dict__["__array__"]
    try:
        type.__setattr__(ag.Tensor, "__array__", lambda self, *a, **k: np.zeros(2))
        assert T.handout_value(ag.tensor([1.0, 2.0]))["t"] == "refused"
    finally:
        type.__setattr__(ag.Tensor, "__array__", original)
    assert T.handout_value(ag.tensor([1.0, 2.0]))["t"] == "array"


# --------------------------------------------------------------------------------------------- the grader


def _reference(name, expected, check="close", **kw):
    return {"check": check, "name": name, "expected": T._trusted_value(expected), "rtol": 1e-5, "atol": 1e-8,
            "mistakes": {h: T._trusted_value(v) for h, v in kw.get("mistakes", {}).items()}, "batch": None,
            "language": "en"}


def _record(name, got, check="close"):
    return {"check": check, "name": name, "got": T.handout_value(got)}


def _judge(records, refs, extra_outputs=(), results=0):
    cell = nbformat.v4.new_code_cell("# Checks for exercise 1")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "ex1_tests", "locked": True, "points": 2,
                                 "solution": False}
    cell.outputs = [nbformat.v4.new_output("display_data", data={V.HANDOUT_MIME: r}) for r in records]
    cell.outputs += list(extra_outputs)
    resources = {}
    CompareOutside()._judge(cell, 3, {"records": refs, "results": results}, resources)
    return cell, resources.get(NOTES, [])


def test_the_grader_passes_an_honest_right_answer_and_fails_a_wrong_one_without_flagging():
    refs = [_reference("f(1)", [2.0, 3.0]), _reference("", {"a": 1.0, "b": [1.0, 2.0]}, check="all")]
    cell, notes = _judge([_record("f(1)", (2.0, 3.0)), _record("", {"a": 1, "b": np.array([1.0, 2.0])}, "all")],
                         refs)
    assert not [o for o in cell.outputs if o.output_type == "error"] and not notes
    refs[0] = _reference("f(1)", [2.0, 3.0], mistakes={"the sign is flipped": [-2.0, -3.0]})
    cell, notes = _judge([_record("f(1)", [-2.0, -3.0]), _record("", {"a": 1.0, "b": [1.0, 2.5]}, "all")], refs)
    first = cell.outputs[0]
    assert first.output_type == "error" and "the sign is flipped" in first.evalue and "b  OFF" in first.evalue
    assert not notes  # an honest wrong answer is not flagged


def test_missing_forged_refused_and_extra_records_fail_and_are_flagged():
    refs = [_reference("f(1)", 2.0), _reference("f(2)", 4.0)]
    cases = {
        "missing": [_record("f(1)", 2.0)],
        "renamed": [_record("f(1)", 2.0), _record("f(3)", 4.0)],
        "refused": [_record("f(1)", 2.0), _record("f(2)", Liar(4.0))],
        "extra": [_record("f(1)", 2.0), _record("f(2)", 4.0), _record("f(2)", 4.0)],
        "malformed": [_record("f(1)", 2.0), {"check": "close", "name": "f(2)", "got": {"t": "array", "v": [1]}}],
    }
    for what, records in cases.items():
        cell, notes = _judge(records, refs)
        assert cell.outputs[0].output_type == "error", what
        assert notes and "ex1_tests" in notes[0], what


def test_a_displayed_result_cannot_buy_points():
    result = nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=1)
    cell, notes = _judge([_record("f(1)", 2.0)], [_reference("f(1)", 2.0)], extra_outputs=[result])
    assert cell.outputs[0].output_type == "error" and notes
    from nbgrader.utils import determine_grade

    assert determine_grade(cell)[0] == 0


def test_a_kernel_error_explains_missing_records_without_a_flag():
    err = nbformat.v4.new_output("error", ename="NotImplementedError", evalue="", traceback=[])
    cell, notes = _judge([], [_reference("f(1)", 2.0)], extra_outputs=[err])
    assert not notes


def test_a_topological_order_is_judged_as_a_property_in_the_grader():
    graph = {"nodes": ["x", "y", "a", "c"], "edges": [["x", "a"], ["y", "a"], ["a", "c"]]}
    refs = [dict(_reference("order", 0.0), check="topological", expected=T._trusted_value(graph))]
    for order in (["x", "y", "a", "c"], ["y", "x", "a", "c"]):
        cell, notes = _judge([_record("order", order, check="topological")], refs)
        assert not [o for o in cell.outputs if o.output_type == "error"] and not notes
    wrong = [(["c", "x", "y", "a"], "before one of their children"), (["x", "x", "a", "c"], "more than once")]
    for order, says in wrong:
        cell, notes = _judge([_record("order", order, check="topological")], refs)
        assert cell.outputs[0].output_type == "error" and says in cell.outputs[0].evalue and not notes


@pytest.mark.parametrize("lesson", MIGRATED)
def test_no_check_is_judged_only_in_the_kernel_after_the_last_handed_out_one(lesson):
    """A bare assert after a cell's last check could hide its error unseen (an IPython hook); before one, the
    records after it would be missing, which the grader sees."""
    for cell in _test_cells(lesson):
        tree = ast.parse(cell.source)
        calls = [n.end_lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and V.check_name(n.func)]
        assert calls, f"{H.meta(cell)['grade_id']} hands nothing out: give it at least one check"
        late = [n.lineno for n in ast.walk(tree) if isinstance(n, (ast.Assert, ast.Raise)) and n.lineno > max(calls)]
        assert not late, f"{H.meta(cell)['grade_id']}: asserts after the last check, lines {late}"
