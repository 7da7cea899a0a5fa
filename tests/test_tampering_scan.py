"""The autograder's scan of student code for reaching into the grader: catches the ways in, spares the lessons."""

import nbformat
import nbgrader_helpers as H
import pytest

from course_tools.grading import SUSPICIOUS, TAMPERING, scan_for_tampering


def _student_nb(code: str):
    """A notebook whose only cell is a student's answer cell holding `code`."""
    cell = nbformat.v4.new_code_cell(code)
    cell.metadata["nbgrader"] = {"grade": False, "grade_id": "ex1_code", "locked": False, "solution": True}
    return nbformat.v4.new_notebook(cells=[cell])


@pytest.mark.parametrize(
    "code",
    [
        "np.allclose = lambda *a, **k: True",
        "numpy.testing.assert_allclose = print",
        "torch.allclose=lambda *a: True",
        "mini_autograd.testing.compare = None",
        "import mini_autograd.testing as t\nvars(t)['assert_close'] = lambda *a, **k: None",
        "testing.__dict__['assert_close'] = print",
        "sys.modules['numpy'] = fake",
        "setattr(np, 'allclose', lambda *a: True)",
        "setattr(t, 'assert_close', lambda *a: None)",
        "import ctypes",
        "f.__code__ = g.__code__",
        "import builtins\nbuiltins.abs = lambda x: 0",
        "exec('np.' + 'allclose = lambda *a: True')",
        "getattr(__import__('numpy'), 'testing')",
        "gc.get_referents(module)",
        "assert_close.__defaults__ = (1e300, 1e300)",
        "types.ModuleType.__setattr__(t, 'assert_close', None)",
        "T.Comparison.ok = property(lambda self: True)",
        's = "#"; mini_autograd.testing.compare = None',  # a # inside a string does not end the scanned code
        "display({'application/vnd.course.handout+json': {}}, raw=True)",
    ],
)
def test_ways_into_the_grader_are_caught(code):
    assert scan_for_tampering(_student_nb(code)), code


@pytest.mark.parametrize(
    "code",
    [
        "open('/work/main/course/solutions/x.ipynb').read()",
        "os.listdir('..')",
        "import subprocess",
        "os._exit(0)",
        "import sqlite3",
        "get_ipython().events.register('post_run_cell', hide)",
        "ip.showtraceback = lambda *a, **k: None",
        "scope = sys._getframe(1).f_globals",
        "if os.environ.get('COURSE_HANDOUT'): pass",
    ],
)
def test_reaching_outside_is_noted_for_review(code):
    assert scan_for_tampering(_student_nb(code), SUSPICIOUS), code


@pytest.mark.parametrize("lesson", H.ENGLISH)
def test_the_solutions_and_releases_are_not_flagged(lesson):
    for nb in (H.read(H.SOURCES / lesson / f"{lesson}.ipynb"), H.read(H.RELEASES / lesson / f"{lesson}.ipynb")):
        assert scan_for_tampering(nb, TAMPERING + SUSPICIOUS) == []


@pytest.mark.parametrize(
    "code",
    ["model.eval()", "pattern = re.compile(r'x')", "y = np.maximum(x, 0)", "w.grad = None", "loss == best",
     "print('# not a comment')  # np.allclose = None in a comment"],
)
def test_ordinary_code_is_not_flagged(code):
    assert scan_for_tampering(_student_nb(code)) == [], code


def test_locked_and_test_cells_are_not_the_students():
    nb = _student_nb("np.allclose = None")
    nb.cells[0].metadata["nbgrader"] = {"grade": True, "grade_id": "ex1_tests", "locked": True, "solution": False}
    assert scan_for_tampering(nb) == []
