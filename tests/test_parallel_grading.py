"""A whole class graded in parallel with one command, into a real PostgreSQL gradebook (Debian's postgresql)."""

from __future__ import annotations

import csv

import nbgrader_helpers as H
import pytest

from course_tools.localpg import LocalPostgres

LESSON = "01_gradient_descent"


@pytest.fixture(scope="module")
def postgres():
    with LocalPostgres() as pg:
        yield pg


@pytest.mark.slow
def test_parallel_autograde_into_postgres_matches_the_expected_grades(tmp_path, postgres):
    repo = H.copy_repo(tmp_path / "repo")
    env = dict(H.env(), NBGRADER_DB_URL=postgres.url)
    source = H.read(H.SOURCES / LESSON / f"{LESSON}.ipynb")
    release = H.read(H.RELEASES / LESSON / f"{LESSON}.ipynb")
    H.nbgrader("generate_assignment", LESSON, "--force", cwd=repo, environ=env)
    total = H.total_autograded_points(source)
    submissions = {"s01_solver": (source, total), "s02_blank": (release, 0.0), "s03_solver": (source, total)}
    for i, (ex, (nb, pts)) in enumerate(sorted(H.without_each_exercise(source, release).items()), start=4):
        submissions[f"s{i:02d}_without_{ex}"] = (nb, total - pts)
    for student, (nb, _) in submissions.items():
        H.hand_in(repo, student, LESSON, nb)

    proc = H.autograde_all(repo, LESSON, "--workers", "2", "--no-check", environ=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(submissions)} of {len(submissions)} graded" in proc.stdout, proc.stdout

    from nbgrader.api import Gradebook

    graded_cells = {H.meta(c)["grade_id"] for c in H.grade_test_cells(source)}
    with Gradebook(postgres.url, "backprop") as gb:
        assert sorted(s.id for s in gb.students) == sorted(submissions)
        got = {}
        for student in submissions:
            nb = gb.find_submission_notebook(LESSON, LESSON, student)
            assert {g.cell.name for g in nb.grades} >= graded_cells, f"{student}: grades missing"
            got[student] = sum(g.score for g in nb.grades if g.cell.name in graded_cells)
    assert got == pytest.approx({s: want for s, (_, want) in submissions.items()})

    # and nbgrader's own export reads the same gradebook
    H.nbgrader("export", "--to", str(tmp_path / "grades.csv"), cwd=repo, environ=env)
    rows = {r["student_id"]: r for r in csv.DictReader(open(tmp_path / "grades.csv"))}
    assert set(rows) == set(submissions)
    assert float(rows["s01_solver"]["raw_score"]) == pytest.approx(total)


def test_parallel_autograde_refuses_a_shared_sqlite_gradebook(tmp_path):
    repo = H.copy_repo(tmp_path / "repo")
    H.hand_in(repo, "someone", LESSON, H.read(H.RELEASES / LESSON / f"{LESSON}.ipynb"))
    proc = H.autograde_all(repo, LESSON, "--workers", "2", timeout=120)
    assert proc.returncode != 0
    assert "cannot share the SQLite gradebook" in proc.stderr and "NBGRADER_DB_URL=postgresql" in proc.stderr
