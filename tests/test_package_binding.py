"""The sandboxed kernel imports the mini_autograd its own Python would import, wherever that is installed.

The sandbox shows the kernel only the folders it binds; which ones is asked of the kernel's own Python
(course_tools.sandbox.ask_python), never worked out in the grader's process. Each case grades the solution of the
cheapest lesson to full marks with the real `nbgrader autograde`, in one temporary copy of the repository, and the
kernel says which mini_autograd it imported:

- installed editable from another directory than the course (a throwaway venv runs the kernel);
- installed normally (non-editable) into that venv;
- the course directory holding its own copy of the package, which the grader's process finds first (the course
  directory is on its sys.path), while the kernel's Python imports the one installed in this venv.
"""

from __future__ import annotations

import json
import shutil

import nbformat
import nbgrader_helpers as H
import pytest

LESSON = "02_chain_rule"
SAYS = "mini_autograd imported from:"


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("binding")
    return H.released_copy(tmp, LESSON)


def _grade(repo, student, environ) -> tuple[float, str]:
    """Hand in the solution plus a cell that says where mini_autograd came from; autograde; (score, that path)."""
    source = H.read(H.SOURCES / LESSON / f"{LESSON}.ipynb")
    nb = nbformat.from_dict(json.loads(json.dumps(source)))
    nb.cells.append(nbformat.v4.new_code_cell(f"import mini_autograd\nprint({SAYS!r}, mini_autograd.__file__)"))
    H.hand_in(repo, student, LESSON, nb)
    H.nbgrader("autograde", LESSON, "--student", student, "--force", cwd=repo, environ=environ)
    graded = H.read(repo / "course" / "autograded" / student / LESSON / f"{LESSON}.ipynb")
    said = "".join(o.get("text", "") for o in graded.cells[-1].get("outputs", []) if o.get("output_type") == "stream")
    from nbgrader.api import Gradebook

    cells = {H.meta(c)["grade_id"] for c in H.grade_test_cells(source)}
    with Gradebook(f"sqlite:///{repo / 'course' / 'gradebook.db'}") as gb:
        sub = gb.find_submission_notebook(LESSON, LESSON, student)
        score = sum(g.score for g in sub.grades if g.cell.name in cells)
    return score, said.split(SAYS, 1)[-1].strip()


@pytest.mark.slow
@pytest.mark.parametrize("install", ["editable", "normal"])
def test_a_kernel_python_with_its_own_mini_autograd_grades_full_marks(released, tmp_path, install):
    repo, source, _ = released
    python = H.kernel_python(tmp_path, mini_autograd=install)
    score, origin = _grade(repo, f"kernel_{install}", H.kernel_env(tmp_path, python))
    assert score == pytest.approx(H.total_autograded_points(source))
    where = tmp_path / "clone" if install == "editable" else tmp_path / "kernel-venv"
    assert origin.startswith(str(where) + "/"), origin


@pytest.mark.slow
def test_a_copy_in_the_course_directory_does_not_hide_the_installed_one(released):
    repo, source, _ = released
    copy = repo / "mini_autograd"
    shutil.copytree(H.ROOT / "mini_autograd", copy, ignore=shutil.ignore_patterns("__pycache__"))
    try:
        score, origin = _grade(repo, "course_copy", H.env())
    finally:
        shutil.rmtree(copy)
    assert score == pytest.approx(H.total_autograded_points(source))
    assert origin.startswith(str(H.ROOT / "mini_autograd") + "/"), origin
