"""The course as nbgrader sees it: sources valid, releases in sync and stripped, grades right.

Every command is nbgrader's own command line, run as an instructor would from the root of a temporary copy of the
repository, so the checked-in course and its gradebook are never touched.
"""

from __future__ import annotations

import ast
import json
import os
import re
import time

import nbformat
import nbgrader_helpers as H
import pytest
from nbclient import NotebookClient


def test_the_eleven_lessons_are_there_in_english_and_russian():
    assert H.TRANSLATED == [f"{name}_ru" for name in H.ENGLISH]
    assert H.ENGLISH == [
        "01_gradient_descent",
        "02_chain_rule",
        "03_graphs",
        "04_forward_backward",
        "05_small_network",
        "06_gradient_checking",
        "07_matrix_layers",
        "08_autodiff",
        "09_own_engine",
        "10_training",
        "11_deep_networks",
    ]


def test_every_lesson_is_named_and_released():
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+", name) for name in H.LESSONS), H.LESSONS
    released = sorted(p.name for p in H.RELEASES.iterdir() if p.is_dir())
    assert released == H.LESSONS, f"released {released} but sources {H.LESSONS}"


def test_the_course_index_lists_every_lesson():
    index = (H.COURSE / "README.md").read_text()
    for lesson in H.LESSONS:
        assert f"notebooks/{lesson}/{lesson}.ipynb" in index, f"course/README.md does not list {lesson}"


@pytest.mark.parametrize("lesson", H.LESSONS)
def test_source_is_well_formed(lesson):
    """No outputs committed; every graded part has a grade id, exercises pair solution and test cells; 3+ exercises."""
    nb = H.read(H.SOURCES / lesson / f"{lesson}.ipynb")
    nbformat.validate(nb)
    for c in nb.cells:
        assert "nbgrader" in c.metadata, f"{lesson}: a cell has no nbgrader metadata:\n{c.source[:200]}"
        if c.cell_type == "code":
            assert not c.outputs and c.execution_count is None, f"{lesson}: committed outputs in\n{c.source[:200]}"
    ids = [H.meta(c)["grade_id"] for c in nb.cells]
    assert len(ids) == len(set(ids)), f"{lesson}: duplicate grade ids"
    solved = {H.exercise_of(c) for c in H.solution_code_cells(nb)}
    tested = {H.exercise_of(c) for c in H.grade_test_cells(nb)}
    assert solved == tested, f"{lesson}: exercises with a solution but no test, or the reverse: {solved ^ tested}"
    assert len(tested) >= 3, f"{lesson}: only {len(tested)} autograded exercises"
    written = [c for c in nb.cells if c.cell_type == "markdown" and H.meta(c).get("grade")]
    assert written, f"{lesson}: no manually graded written answer"
    for c in H.grade_test_cells(nb):
        assert "### BEGIN HIDDEN TESTS" in c.source, f"{lesson}: test cell {H.meta(c)['grade_id']} has no hidden tests"


@pytest.mark.parametrize("lesson", H.LESSONS)
def test_release_is_what_generate_assignment_makes(lesson, tmp_path):
    repo = H.copy_repo(tmp_path / "repo")
    generated = repo / "course" / "notebooks" / lesson
    for f in generated.iterdir():
        f.unlink()
    H.nbgrader("generate_assignment", lesson, "--force", cwd=repo)
    committed = H.RELEASES / lesson
    assert sorted(p.name for p in generated.iterdir()) == sorted(p.name for p in committed.iterdir())
    for f in generated.iterdir():
        assert f.read_bytes() == (committed / f.name).read_bytes(), (
            f"course/notebooks/{lesson}/{f.name} is not what generate_assignment makes from the source; "
            f"run `nbgrader generate_assignment {lesson} --force` from the repository root and commit the result"
        )


@pytest.mark.parametrize("lesson", H.LESSONS)
def test_release_reveals_no_solution_or_hidden_test(lesson):
    source = H.read(H.SOURCES / lesson / f"{lesson}.ipynb")
    text = (H.RELEASES / lesson / f"{lesson}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    released_sources = "\n".join(c.source for c in H.read(H.RELEASES / lesson / f"{lesson}.ipynb").cells)
    secrets = H.secret_lines(source)
    assert secrets, f"{lesson}: found no solution or hidden-test lines to look for"
    for line in secrets:
        assert line not in released_sources, f"{lesson}: the release contains a solution or hidden line: {line}"


@pytest.mark.parametrize("lesson", H.EXECUTED)
def test_source_passes_validate(lesson, tmp_path):
    repo = H.copy_repo(tmp_path / "repo")
    out = H.nbgrader("validate", f"course/solutions/{lesson}/{lesson}.ipynb", cwd=repo).stdout
    assert "Success! Your notebook passes all the tests." in out, out


@pytest.mark.parametrize("lesson", H.EXECUTED)
def test_release_fails_every_test(lesson, tmp_path):
    repo = H.copy_repo(tmp_path / "repo")
    out = H.nbgrader("validate", "--invert", f"course/notebooks/{lesson}/{lesson}.ipynb", cwd=repo).stdout
    assert "Success! The notebook does not pass any tests." in out, out


@pytest.mark.parametrize("lesson", H.EXECUTED)
def test_solution_runs_top_to_bottom_without_nbgrader(lesson, tmp_path):
    """As a student runs it: a plain kernel, full-length training, no errors, nothing on stderr in test cells."""
    nb = H.read(H.SOURCES / lesson / f"{lesson}.ipynb")
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    os.environ.pop("NBGRADER_EXECUTION", None)
    start = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute(
        env=env
    )
    elapsed = time.perf_counter() - start
    print(f"{lesson}: ran in {elapsed:.1f} s")
    for c in H.grade_test_cells(nb):
        stderr = [o for o in c.outputs if o.get("name") == "stderr"]
        assert not stderr, f"{lesson}: test cell {H.meta(c)['grade_id']} wrote to stderr: {stderr}"
    summary = H.self_check_output(nb)
    n = len(H.points_by_exercise(nb))
    assert H.self_check_says(lesson, n, n) in summary, summary


@pytest.mark.parametrize("lesson", H.LESSONS)
def test_self_check_lists_every_exercise_with_its_points(lesson):
    """The summary cell's table of exercises and points is the one nbgrader grades, and every test cell is marked."""
    nb = H.read(H.SOURCES / lesson / f"{lesson}.ipynb")
    call = next(c.source for c in nb.cells if c.get("id") == "self-check")
    declared = ast.literal_eval(call[call.index("(") + 1 : call.rindex(")")])
    graded = {int(ex.removeprefix("ex")): pts for ex, pts in H.points_by_exercise(nb).items()}
    assert declared == graded, f"{lesson}: selfcheck.summary({declared}) but nbgrader grades {graded}"
    for c in H.grade_test_cells(nb):
        ex = int(H.exercise_of(c).removeprefix("ex"))
        assert c.source.startswith(f"# Checks for exercise {ex}"), f"{lesson}: {H.meta(c)['grade_id']} has no marker"


@pytest.mark.parametrize("lesson", H.EXECUTED)
def test_release_runs_before_solving_and_self_check_passes_nothing(lesson, tmp_path):
    """A student who runs the untouched release top to bottom sees every figure and demo, and every exercise fail,
    in a plain kernel."""
    nb = H.read(H.RELEASES / lesson / f"{lesson}.ipynb")
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    NotebookClient(
        nb, timeout=120, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}
    ).execute(env=env)
    # Before solving anything, only the exercises' own cells fail: every figure, demo and widget runs.
    graded = {id(c) for c in H.grade_test_cells(nb) + H.solution_code_cells(nb)}
    for c in nb.cells:
        if c.cell_type == "code" and id(c) not in graded:
            errors = [o for o in c.outputs if o.get("output_type") == "error"]
            assert not errors, (
                f"{lesson}: cell {c.get('id')} fails before the exercises are solved: "
                f"{errors[0].get('ename')}: {errors[0].get('evalue')}"
            )
    summary = H.self_check_output(nb)
    n = len(H.points_by_exercise(nb))
    assert H.self_check_says(lesson, 0, n) in summary, summary
    assert summary.count(H.self_check_fails(lesson)) == n, summary
    assert "HIDDEN" not in summary


@pytest.mark.slow
@pytest.mark.parametrize("lesson", H.EXECUTED)
def test_autograde_gives_the_right_grades(lesson, tmp_path):
    """Solutions get full marks, the untouched release 0, stubs plus patched comparisons 0, and the solutions with
    one exercise left as the stub lose exactly that exercise's points, graded in one `nbgrader autograde` run."""
    repo = H.copy_repo(tmp_path / "repo")
    source = H.read(H.SOURCES / lesson / f"{lesson}.ipynb")
    release = H.read(H.RELEASES / lesson / f"{lesson}.ipynb")
    H.nbgrader("generate_assignment", lesson, "--force", cwd=repo)
    points = H.points_by_exercise(source)
    total = sum(points.values())

    submissions = {
        "solver": (source, total),
        "blank": (release, 0.0),
        "patcher": (H.with_patch_cell(H.returning_none(release)), 0.0),
    }
    for ex, (nb, pts) in H.without_each_exercise(source, release).items():
        submissions[f"without_{ex}"] = (nb, total - pts)
    for student, (nb, _) in submissions.items():
        H.hand_in(repo, student, lesson, nb)

    H.nbgrader("autograde", lesson, cwd=repo)

    from nbgrader.api import Gradebook

    graded_cells = {H.meta(c)["grade_id"] for c in H.grade_test_cells(source)}
    with Gradebook(f"sqlite:///{repo / 'course' / 'gradebook.db'}") as gb:
        got = {}
        for student in submissions:
            sub = gb.find_submission_notebook(lesson, lesson, student)
            got[student] = sum(g.score for g in sub.grades if g.cell.name in graded_cells)
    wanted = {student: want for student, (_, want) in submissions.items()}
    assert got == pytest.approx(wanted), json.dumps({"got": got, "wanted": wanted}, indent=1)
