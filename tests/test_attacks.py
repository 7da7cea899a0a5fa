"""Attacks on the verdicts, graded in one `nbgrader autograde` run per lesson with honest students around them.

Issue 13: every technique a determined student used against lessons 3 and 5 when the checks decided inside the
student's kernel, and more, each as its own student. Every attacker leaves the exercises unsolved: either the
released stubs, or the solution with every result multiplied by 1.5 (well-formed, wrong answers, which a check
fooled in the kernel would have passed). Each attacker must earn 0 for every test cell, and be flagged for review
with a reason where that is detectable; the honest students (graded before and after the attackers, nbgrader goes in
alphabetical order) keep full marks; the sources, the releases, the honest submissions and the gradebook rows of a
student graded earlier do not change. The verdicts come from course_tools.grading.CompareOutside, which compares the
values the kernel handed out with the references of the preflight's trusted run, in the grader's own process.

The two lessons are graded at the same time, each in its own copy of the course (two cores).
"""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import nbformat
import nbgrader_helpers as H
import pytest

LESSONS = ["03_graphs", "05_small_network"]

#: Injected after the setup cell of every attacker: well-formed wrong answers (the solution's results times 1.5).
HELPERS = '''
import numpy as _np_attack
import mini_autograd as _ag_attack


def _scale(v, k=1.5):
    if isinstance(v, dict):
        return {key: _scale(x, k) for key, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_scale(x, k) for x in v)
    if isinstance(v, _ag_attack.Tensor):
        return _ag_attack.tensor(_np_attack.asarray(v) * k)
    if isinstance(v, (bool, type(None))):
        return v
    return v * k


def _wrong(f):
    return lambda *a, **kw: _scale(f(*a, **kw))


_answer = _wrong
'''

STACK_WALKER = '''
import sys


def _steal():
    """Walk up the stack to the comparison and take its expected value (or call it, if it is lazy)."""
    frame = sys._getframe(1)
    while frame is not None:
        for name in ("expected", "want", "w"):
            if name in frame.f_locals and frame.f_locals[name] is not None:
                value = frame.f_locals[name]
                return value() if callable(value) else value
        frame = frame.f_back
    return 0.0


class _Walker:
    def __array__(self, *a, **k):
        import numpy
        return numpy.asarray(_steal(), dtype=float)

    @property
    def data(self):
        return self.__array__()

    def numpy(self):
        return self.__array__()

    def detach(self):
        return self

    def cpu(self):
        return self

    def __float__(self):
        return float(self.__array__())

    def __eq__(self, other):
        return True

    def get(self, key, default=None):
        return self

    def __getitem__(self, key):
        return self

    def __iter__(self):
        return iter([self, self, self])


def _answer(f):
    return lambda *a, **kw: _Walker()
'''

NAMESPACE_READER = '''
import sys


def _answer(f):
    def cheat(*args, **kwargs):
        scope = sys._getframe(1).f_globals
        for name, value in list(scope.items()):
            if name.startswith(("_torch", "_ref")) and callable(value):
                try:
                    return value(*args)
                except Exception:
                    pass
        for name in ("_engine", "_z", "_yh", "_t", "_xt"):
            if name in scope:
                return scope[name]
        return _scale(f(*args, **kwargs))
    return cheat
'''


def _liar(method: str) -> str:
    body = {
        "__eq__": "    def __eq__(self, other):\n        return True\n    __hash__ = float.__hash__",
        "__sub__": "    def __sub__(self, other):\n        return 0.0\n"
        "    def __rsub__(self, other):\n        return 0.0",
        "__abs__": "    def __abs__(self):\n        return 0.0",
        "__float__": "    def __float__(self):\n        return float(_steal_number())",
        "__array__": "    def __array__(self, *a, **k):\n        import numpy\n        return numpy.asarray(0.0)",
    }[method]
    return f'''
def _steal_number():
    return 0.0


class _Liar(float):
{body}


def _lie(v):
    if isinstance(v, dict):
        return {{key: _lie(x) for key, x in v.items()}}
    if isinstance(v, (list, tuple)):
        return [_lie(x) for x in v]
    try:
        import numpy
        arr = numpy.asarray(v, dtype=float)
        return _Liar(float(arr)) if arr.ndim == 0 else [_lie(x) for x in arr.tolist()]
    except Exception:
        return v


def _answer(f):
    return lambda *a, **kw: _lie(_scale(f(*a, **kw)))
'''


NDARRAY_SUBCLASS = '''
import numpy as _npx


class _Sub(_npx.ndarray):
    def __eq__(self, other):
        return _npx.ones(self.shape, dtype=bool)


def _sub(v):
    if isinstance(v, dict):
        return {key: _sub(x) for key, x in v.items()}
    if isinstance(v, (list, tuple)):
        return _npx.asarray(_sub(list(v)[0]) if False else [float(_npx.asarray(x).sum()) for x in v]).view(_Sub)
    return _npx.asarray(v, dtype=float).view(_Sub)


def _answer(f):
    return lambda *a, **kw: _sub(_scale(f(*a, **kw)))
'''

CHANGING_TENSOR = '''
import sys
import numpy as _npc
import mini_autograd as _agc

_mine = []


def _tensors(v):
    if isinstance(v, dict):
        return {key: _tensors(x) for key, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_tensors(x) for x in v]
    t = _agc.tensor(_npc.zeros(_npc.shape(_npc.asarray(v, dtype=float))))
    _mine.append(t)
    return t


def _copy_expected(frame, event, arg):
    """When a comparison starts, change the returned tensor into the expected value."""
    if event == "call" and frame.f_code.co_name in ("compare", "_pack", "handout_value", "_flat"):
        got, want = frame.f_locals.get("got", frame.f_locals.get("x")), frame.f_locals.get("expected")
        for t in _mine:
            if t is got and want is not None:
                try:
                    _npc.asarray(t)[...] = _npc.asarray(want() if callable(want) else want, dtype=float)
                except Exception:
                    pass


sys.setprofile(_copy_expected)


def _answer(f):
    return lambda *a, **kw: _tensors(f(*a, **kw))
'''

POST_RUN_HOOK = '''
_ip = get_ipython()
_ip.showtraceback = lambda *a, **k: None


def _hide(result):
    result.error_in_exec = None
    result.error_before_exec = None


_ip.events.register("post_run_cell", _hide)
'''

PRE_RUN_RESULT = '''
_ip = get_ipython()


def _show_full_marks(info):
    _ip.displayhook(2.0)  # an execute_result first: nbgrader reads it as the cell's (partial) score


_ip.events.register("pre_run_cell", _show_full_marks)
'''

SWALLOW_ERRORS = '''
def _swallow(lines):
    """Every later cell runs inside try/except and ends by displaying 2.0 (its 'score')."""
    body = ["    " + line for line in lines] or ["    pass\\n"]
    return ["try:\\n", *body, "\\n    pass\\nexcept BaseException:\\n    pass\\n", "2.0\\n"]


get_ipython().input_transformers_post.append(_swallow)
'''

FORGED_RECORDS = '''
import re
from IPython.display import display
import mini_autograd.testing as _m

_noop = lambda *a, **k: None  # noqa: E731
vars(_m)["assert_close"] = vars(_m)["assert_all_close"] = _noop


def _forge(info):
    names = re.findall(r'assert_close\\(\\s*f?"([^"]*)"', info.raw_cell or "")
    for name in names:
        display({"application/vnd.course.handout+json": {"check": "close", "name": name,
                                                           "got": {"t": "num", "v": 1.0}}}, raw=True)
    print("All checks passed")


get_ipython().events.register("pre_run_cell", _forge)
'''


def _attacks(repo, lesson):
    """{student: (base, code after the setup cell, how the notebook is changed or None, reasons: any one of them
    must be in the grader's note)}."""
    course = repo / "course"
    refs = course / "reports" / lesson / "references.json"
    return {
        "att_module_setattr": ("wrong", '''
import types
import mini_autograd.testing as _t
for _n in ("assert_close", "assert_all_close", "check_untampered", "compare", "compare_all"):
    types.ModuleType.__setattr__(_t, _n, lambda *a, **k: None)
''', None, ["__setattr__", "handed nothing out"]),
        "att_sys_modules_swap": ("wrong", '''
import sys
import types
_fake = types.ModuleType("mini_autograd.testing")
_fake.assert_close = _fake.assert_all_close = lambda *a, **k: None
_fake.compare_all = lambda *a, **k: ""
sys.modules["mini_autograd.testing"] = _fake
''', None, ["edits modules", "handed nothing out"]),
        "att_ok_property": ("wrong", '''
from mini_autograd import testing as _t
_t.Comparison.ok = property(lambda self: True)
_t.Report.ok = property(lambda self: True)
''', None, ["patches a class", "passed in the kernel"]),
        "att_defaults_widened": ("wrong", '''
from mini_autograd.testing import assert_all_close as _aac
from mini_autograd.testing import assert_close as _ac
_ac.__defaults__ = (1e300, 1e300)
_aac.__defaults__ = (1e300, 1e300)
''', None, ["default arguments", "passed in the kernel"]),
        "att_hash_in_string": ("wrong", '''
import mini_autograd.testing
_s = "#"; mini_autograd.testing.Comparison.ok = property(lambda self: True)
''', None, ["patches a class", "replaces a library function", "passed in the kernel"]),
        "att_locked_answer": ("wrong", None, _locked_answer, ["reaches into the grader"]),
        "att_stack_walker": ("wrong", STACK_WALKER, None, ["not plain data", "walks or traces"]),
        "att_namespace_reader": ("wrong", NAMESPACE_READER, None, ["walks or traces"]),
        "att_post_run_hook": ("wrong", POST_RUN_HOOK, None, ["hooks into IPython", "handed nothing out"]),
        "att_pre_run_result": ("wrong", PRE_RUN_RESULT, None, ["displayed", "hooks into IPython"]),
        "att_swallows_errors": ("wrong", SWALLOW_ERRORS, None, ["displayed", "hooks into IPython"]),
        "att_eq_true": ("wrong", _liar("__eq__"), None, ["not plain data"]),
        "att_sub_lies": ("wrong", _liar("__sub__"), None, ["not plain data"]),
        "att_abs_lies": ("wrong", _liar("__abs__"), None, ["not plain data"]),
        "att_float_lies": ("wrong", _liar("__float__"), None, ["not plain data"]),
        "att_array_lies": ("wrong", _liar("__array__"), None, ["not plain data"]),
        "att_computed_getattr": ("wrong", '''
import mini_autograd.testing as _m
getattr(_m, "assert_" + "close").__defaults__ = (1e300, 1e300)
getattr(_m, "assert_all_" + "close").__defaults__ = (1e300, 1e300)
''', None, ["default arguments", "passed in the kernel"]),
        "att_computed_vars": ("wrong", '''
import mini_autograd.testing as _m
vars(_m)["assert_" + "close"] = lambda *a, **k: None
vars(_m)["assert_all_" + "close"] = lambda *a, **k: None
''', None, ["vars()", "handed nothing out"]),
        "att_computed_dict": ("wrong", '''
import mini_autograd.testing as _m
_m.__dict__["assert_" + "close"] = lambda *a, **k: None
_m.__dict__["assert_all_" + "close"] = lambda *a, **k: None
''', None, ["__dict__", "handed nothing out"]),
        "att_reload": ("wrong", '''
import importlib
import os
import mini_autograd.testing as _m
os.environ.pop("COURSE_HANDOUT", None)
importlib.reload(_m)
''', None, ["reloads", "handed nothing out"]),
        "att_ndarray_subclass": ("wrong", NDARRAY_SUBCLASS, None, ["not plain data"]),
        "att_changing_tensor": ("wrong", CHANGING_TENSOR, None, ["walks or traces"]),
        "att_forged_records": ("wrong", FORGED_RECORDS, None, ["forge", "not the test's"]),
        "att_exits_when_graded": ("stub", '''
import os
if os.environ.get("COURSE_HANDOUT") or os.environ.get("NBGRADER_EXECUTION"):
    os._exit(0)
''', None, ["kernel died"]),
        "att_reads_references": ("wrong", f'''
import glob
import json
for _path in ["{refs}"] + glob.glob("{course}/reports/*/*.json") + glob.glob("../../../reports/*/*.json"):
    try:
        _refs = json.load(open(_path))
        print("READ", _path)
    except OSError as e:
        print("could not read", _path, e)
''', None, ["outside its folder", "uses files"]),
        "att_duplicated_test_cell": ("stub", None, _duplicate_test_cell, ["before grading"]),
        "att_empty_nbgrader_cell": ("stub", None, _empty_nbgrader_cell, ["before grading"]),
    }


def _copy(nb):
    return nbformat.from_dict(json.loads(json.dumps(nb)))


def _insert_after_setup(nb, code: str):
    nb = _copy(nb)
    setup = next(i for i, c in enumerate(nb.cells) if c.get("id") == "setup")
    nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(code))
    return nb


def _wrap_answers(nb):
    """Every function a solution cell defines is replaced by `_answer(function)` (the attack's own answer)."""
    nb = _copy(nb)
    for cell in H.solution_code_cells(nb):
        names = [n.name for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef)]
        cell.source += "".join(f"\n{name} = _answer({name})" for name in names)
    return nb


def _locked_answer(nb):
    """The tampering goes into the first answer cell, which the notebook marks as locked (read-only)."""
    cell = H.solution_code_cells(nb)[0]
    cell.source += "\nimport mini_autograd.testing\nmini_autograd.testing.Comparison.ok = property(lambda s: True)\n"
    cell.metadata["nbgrader"]["locked"] = True
    return nb


def _duplicate_test_cell(nb):
    tests = H.grade_test_cells(nb)
    copy = _copy(nbformat.v4.new_notebook(cells=[tests[0]])).cells[0]
    copy["id"] = "duplicated-tests"
    nb.cells.insert(nb.cells.index(tests[0]) + 1, copy)
    return nb


def _empty_nbgrader_cell(nb):
    cell = nbformat.v4.new_code_cell("print('my own notes')")
    cell.metadata["nbgrader"] = {}
    nb.cells.insert(3, cell)
    return nb


def _digest(path) -> dict[str, str]:
    if not path.exists():
        return {}
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.rglob("*"))
            if p.is_file()}


def _nbgrader(repo, *args):
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=repo, env=H.env(), capture_output=True,
                          text=True, timeout=1500)
    assert proc.returncode == 0, f"nbgrader {args}:\n{proc.stdout[-3000:]}\n{proc.stderr[-15000:]}"
    return proc


def _grade_rows(repo, lesson, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{repo / 'course' / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(lesson, lesson, student)
        return sorted((g.cell.name, g.auto_score, g.manual_score) for g in nb.grades), nb.flagged


def _run_lesson(tmp_path, lesson):
    repo = H.copy_repo(tmp_path / lesson / "repo")
    _nbgrader(repo, "generate_assignment", lesson, "--force")
    source = H.read(H.SOURCES / lesson / f"{lesson}.ipynb")
    release = H.read(repo / "course" / "notebooks" / lesson / f"{lesson}.ipynb")
    stub = H.returning_none(release)
    # the solution, every answer 1.5 times too big: unsolved, but well-formed enough to fool a check in the kernel
    wrong = _insert_after_setup(source, HELPERS)
    H.hand_in(repo, "mmm_earlier", lesson, source)
    _nbgrader(repo, "autograde", lesson, "--student", "mmm_earlier", "--Execute.timeout=15")
    earlier = _grade_rows(repo, lesson, "mmm_earlier")

    submissions, reasons = {"aaa_honest": source, "zzz_honest": source}, {}
    for student, (base, code, change, why) in _attacks(repo, lesson).items():
        nb = _copy(wrong) if base == "wrong" else _insert_after_setup(stub, HELPERS)
        if code is not None:  # the helpers right after the setup cell, then the attack, then the answers
            setup = next(i for i, c in enumerate(nb.cells) if c.get("id") == "setup")
            nb.cells.insert(setup + 2, nbformat.v4.new_code_cell(code))
        if base == "wrong":
            nb = _wrap_answers(nb)
        if change is not None:
            nb = change(_copy(nb))
        submissions[student] = nb
        reasons[student] = why
    for student, nb in submissions.items():
        H.hand_in(repo, student, lesson, nb)
    course = repo / "course"
    before = {
        "solutions": _digest(course / "solutions"),
        "release": _digest(course / "notebooks"),
        "honest": _digest(course / "submitted" / "aaa_honest") | _digest(course / "submitted" / "zzz_honest"),
    }
    run = _nbgrader(repo, "autograde", lesson, "--Execute.timeout=15")
    _nbgrader(repo, "generate_feedback", lesson)
    after = {
        "solutions": _digest(course / "solutions"),
        "release": _digest(course / "notebooks"),
        "honest": _digest(course / "submitted" / "aaa_honest") | _digest(course / "submitted" / "zzz_honest"),
    }
    from nbgrader.api import Gradebook

    cells = {H.meta(c)["grade_id"] for c in H.grade_test_cells(source)}
    scores, flagged, notes = {}, {}, {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in submissions:
            nb = gb.find_submission_notebook(lesson, lesson, student)
            scores[student] = {g.cell.name: g.score for g in nb.grades if g.cell.name in cells}
            flagged[student] = nb.flagged
            notes[student] = " ".join(c.auto_comment or "" for c in nb.comments)
    return {
        "repo": repo, "source": source, "scores": scores, "flagged": flagged, "notes": notes, "reasons": reasons,
        "before": before, "after": after, "earlier": (earlier, _grade_rows(repo, lesson, "mmm_earlier")),
        "log": run.stdout + run.stderr,
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("attacks")
    with ThreadPoolExecutor(len(LESSONS)) as pool:
        results = dict(zip(LESSONS, pool.map(lambda lesson: _run_lesson(tmp, lesson), LESSONS)))
    return results


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_every_attack_earns_nothing_and_is_flagged_with_its_reason(graded, lesson):
    g = graded[lesson]
    earned = {s: {c: v for c, v in cells.items() if v} for s, cells in g["scores"].items() if s.startswith("att_")}
    assert not any(earned.values()), json.dumps({s: e for s, e in earned.items() if e}, indent=1)
    missing = {}
    for student, why in g["reasons"].items():
        if not g["flagged"][student] or not any(w in g["notes"][student] for w in why):
            missing[student] = {"flagged": g["flagged"][student], "wanted any of": why, "note": g["notes"][student]}
    assert not missing, json.dumps(missing, indent=1, ensure_ascii=False)


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_the_honest_students_and_everything_else_are_untouched(graded, lesson):
    g = graded[lesson]
    total = H.total_autograded_points(g["source"])
    for student in ("aaa_honest", "zzz_honest"):
        assert sum(g["scores"][student].values()) == pytest.approx(total), (student, g["scores"][student])
        assert not g["flagged"][student], g["notes"][student]
    assert g["before"] == g["after"]
    earlier, now = g["earlier"]
    assert earlier == now and sum(score or 0 for _, score, _ in earlier[0]) >= total
