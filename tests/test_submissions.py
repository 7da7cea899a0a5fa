"""Submissions as they arrive from Colab, editors and LMSs: checked, repaired (originals kept), then graded right."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import nbgrader_helpers as H
import pytest

from course_tools import submissions

LESSON = "02_chain_rule"


def _copy(nb):
    return nbformat.from_dict(json.loads(json.dumps(nb)))


def _solved(release, source):
    """The release with the solution code filled in: what a student who solved everything hands in."""
    answers = {H.meta(c)["grade_id"]: c.source for c in H.solution_code_cells(source)}
    nb = _copy(release)
    for c in H.solution_code_cells(nb):
        lines = answers[H.meta(c)["grade_id"]].splitlines()
        c.source = "\n".join(ln for ln in lines if "BEGIN SOLUTION" not in ln and "END SOLUTION" not in ln)
    return nb


def _damaged(release, source):
    solved = _solved(release, source)
    stripped = _copy(solved)
    for c in stripped.cells:
        c.metadata = {}
    stripped_no_ids = _copy(stripped)
    stripped_no_ids.nbformat_minor = 4
    for c in stripped_no_ids.cells:
        c.pop("id", None)
    no_tests = _copy(solved)
    no_tests.cells = [c for c in no_tests.cells if not (H.meta(c).get("grade") and not H.meta(c).get("solution"))]
    edited = _copy(solved)
    test = next(c for c in edited.cells if H.meta(c).get("grade_id") == "ex1_tests")
    test.source = "pass  # nothing to see here"
    duplicated = _copy(solved)
    at = next(i for i, c in enumerate(duplicated.cells) if H.meta(c).get("grade_id") == "ex1_tests")
    duplicated.cells.insert(at + 1, _copy(duplicated.cells[at]))
    duplicated.cells[at + 1]["id"] = "my-copy"
    return {
        "renamed": ("Copy of 02_chain_rule (1).ipynb", solved, "should be named"),
        "stripped": (f"{LESSON}.ipynb", stripped, "metadata was stripped"),
        "stripped_no_ids": (f"{LESSON}.ipynb", stripped_no_ids, "metadata was stripped"),
        "deleted_tests": (f"{LESSON}.ipynb", no_tests, "test cell(s) deleted"),
        "edited_tests": (f"{LESSON}.ipynb", edited, "test cell(s) edited"),
        "duplicated": (f"{LESSON}.ipynb", duplicated, "appears twice"),
        "untouched": (f"{LESSON}.ipynb", solved, None),
    }


@pytest.mark.slow
def test_damaged_submissions_are_repaired_and_graded_in_full(tmp_path):
    repo, source, release = H.released_copy(tmp_path, LESSON)
    course = repo / "course"
    cases = _damaged(release, source)
    for student, (name, nb, _) in cases.items():
        H.hand_in(repo, student, LESSON, nb, name)
    junk = H.hand_in(repo, "not_json", LESSON, release).parent
    (junk / f"{LESSON}.ipynb").write_text("<html>Moodle error page</html>")

    proc = H.autograde_all(repo, LESSON, "--workers", "1")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # one submission could not be graded, and it says so
    assert "not_json" in proc.stdout and "is not a notebook" in proc.stdout, proc.stdout
    assert f"{len(cases)} of {len(cases) + 1} graded" in proc.stdout, proc.stdout
    assert (junk / f"{LESSON}.ipynb").read_text() == "<html>Moodle error page</html>"  # left as it was

    report = json.loads((course / "reports" / LESSON / "submissions.json").read_text())
    for student, (name, nb, problem) in cases.items():
        if problem is None:
            assert report[student]["status"] == "ok", report[student]
            continue
        assert report[student]["status"] == ("noted" if student == "edited_tests" else "repaired"), report[student]
        assert any(problem in p for p in report[student]["problems"]), report[student]
        if student != "edited_tests":  # autograde restores an edited test cell itself: nothing to change here
            original = course / "submitted_originals" / student / LESSON / name
            assert original.exists() and H.read(original) == nb, f"{student}: the original was not kept"

    from nbgrader.api import Gradebook

    graded = {H.meta(c)["grade_id"] for c in H.grade_test_cells(source)}
    total = H.total_autograded_points(source)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, (_, _, problem) in cases.items():
            nb = gb.find_submission_notebook(LESSON, LESSON, student)
            score = sum(g.score for g in nb.grades if g.cell.name in graded)
            assert score == pytest.approx(total), f"{student}: {score} of {total}"
            notes = " ".join(c.auto_comment or "" for c in nb.comments)
            if problem is not None:
                assert "before grading" in notes and problem in notes, f"{student}: {notes!r}"


def test_report_only_changes_nothing(tmp_path):
    course = H.copy_repo(tmp_path / "repo") / "course"
    source = H.read(H.SOURCES / LESSON / f"{LESSON}.ipynb")
    release = H.read(course / "notebooks" / LESSON / f"{LESSON}.ipynb")
    name, nb, _ = _damaged(release, source)["stripped"]
    folder = H.hand_in(course.parent, "s1", LESSON, nb, name).parent
    before = (folder / name).read_bytes()
    (report,) = submissions.check_assignment(course, LESSON)
    assert report.status == "needs --repair" and report.gradable
    assert (folder / name).read_bytes() == before
    assert not (course / "submitted_originals").exists()


def test_a_missing_notebook_is_not_gradable_and_says_what_was_found(tmp_path):
    course = H.copy_repo(tmp_path / "repo") / "course"
    folder = course / "submitted" / "s1" / LESSON
    folder.mkdir(parents=True)
    (folder / "homework.ipynb").write_text("{}")
    (report,) = submissions.check_assignment(course, LESSON, repair=True)
    assert not report.gradable
    assert report.problems == [f"{LESSON}.ipynb missing (found 'homework.ipynb')"]


def test_an_unreleased_assignment_is_a_clear_error(tmp_path):
    course = H.copy_repo(tmp_path / "repo") / "course"
    with pytest.raises(FileNotFoundError, match="nbgrader generate_assignment 99_nothing"):
        submissions.check_assignment(course, "99_nothing")


def _metadata_cases(release, source) -> dict:
    """Notebooks whose nbgrader metadata is broken in ways that end nbgrader's run or slip past a naive check."""
    solved = _solved(release, source)

    def at(nb, gid):
        return next(i for i, c in enumerate(nb.cells) if H.meta(c).get("grade_id") == gid)

    cases = {}
    nb = _copy(solved)  # a duplicated test cell: nbgrader empties one copy's metadata, then ends the whole run
    nb.cells.insert(at(nb, "ex1_tests") + 1, _copy(nb.cells[at(nb, "ex1_tests")]))
    nb.cells[at(nb, "ex1_tests") + 1]["id"] = "my-copy"
    cases["dup_test"] = nb
    nb = _copy(solved)  # a cell that lost its grade id but kept the rest
    del nb.cells[at(nb, "ex1_tests")].metadata["nbgrader"]["grade_id"]
    cases["missing_id"] = nb
    nb = _copy(solved)  # an added cell holding "nbgrader": {}
    nb.cells.insert(at(nb, "ex1_tests"), nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {}}))
    cases["empty_meta"] = nb
    nb = _copy(solved)  # forged: a bonus cell of its own, and the points of a real test raised
    bonus = {"grade": True, "grade_id": "bonus", "points": 100, "solution": False, "locked": False}
    nb.cells.append(nbformat.v4.new_code_cell("pass", metadata={"nbgrader": dict(bonus, schema_version=3)}))
    nb.cells[at(nb, "ex2_tests")].metadata["nbgrader"]["points"] = 100
    cases["forged"] = nb
    nb = _copy(solved)  # a test cell turned into markdown
    cell = nb.cells[at(nb, "ex1_tests")]
    cell.cell_type = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)
    cases["test_to_markdown"] = nb
    nb = _copy(solved)  # a test cell turned into an answer
    nb.cells[at(nb, "ex1_tests")].metadata["nbgrader"]["solution"] = True
    cases["test_to_solution"] = nb
    nb = _copy(solved)  # an answer cell marked read-only
    answer = next(c for c in nb.cells if c.cell_type == "code" and H.meta(c).get("solution"))
    answer.metadata["nbgrader"]["locked"] = True
    cases["answer_locked"] = nb
    return cases


@pytest.mark.slow
def test_broken_metadata_stops_no_one_in_one_nbgrader_autograde_of_the_class(tmp_path):
    repo, source, release = H.released_copy(tmp_path, LESSON)
    course = repo / "course"
    cases = _metadata_cases(release, source)
    honest = _solved(release, source)
    students = {"aaa_honest": honest, **cases, "zzz_honest": honest}
    for student, nb in students.items():
        H.hand_in(repo, student, LESSON, nb)

    # the check sees every one of them (it used to call an empty "nbgrader": {} fine), and changes nothing yet
    reports = {r.student: r for r in submissions.check_assignment(course, LESSON)}
    for student in cases:
        assert reports[student].status == "needs --repair" and reports[student].gradable, reports[student]
    assert reports["aaa_honest"].status == "ok" and reports["zzz_honest"].status == "ok"
    (course / "reports" / LESSON / "submissions.json").unlink()  # the autograde below works from the notebooks alone

    # nbgrader's own command over the whole class, with no repair first: everyone is graded, in full
    run = H.nbgrader("autograde", LESSON, cwd=repo, check=False, timeout=1200)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-6000:]
    from nbgrader.api import Gradebook

    graded = {H.meta(c)["grade_id"] for c in H.grade_test_cells(source)}
    total = H.total_autograded_points(source)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            nb = gb.find_submission_notebook(LESSON, LESSON, student)
            score = sum(g.score for g in nb.grades if g.cell.name in graded)
            assert score == pytest.approx(total), f"{student}: {score} of {total}"
            notes = " ".join(c.auto_comment or "" for c in nb.comments)
            if student in cases:
                assert nb.flagged and "before grading" in notes, f"{student}: {notes!r}"
            else:
                assert not nb.flagged, f"{student}: {notes!r}"

    # and the check's --repair mends the files themselves, keeping the originals
    proc = subprocess.run(
        [sys.executable, "-m", "course_tools.submissions", LESSON, "--repair", "--json"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=H.env(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    reports = {r["student"]: r for r in json.loads(proc.stdout)}
    for student, nb in cases.items():
        assert reports[student]["status"] == "repaired", reports[student]
        fixed = H.read(course / "submitted" / student / LESSON / f"{LESSON}.ipynb")
        assert submissions.gradable_by_nbgrader(fixed) is None
        assert H.read(course / "submitted_originals" / student / LESSON / f"{LESSON}.ipynb") == nb
