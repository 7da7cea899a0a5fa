"""A whole class graded in parallel with one command, into a real PostgreSQL gradebook (Debian's postgresql)."""

from __future__ import annotations

import csv
import subprocess
import sys

import nbformat
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
    points = H.points_by_exercise(source)
    total = sum(points.values())
    submissions = {"s01_solver": (source, total), "s02_blank": (release, 0.0), "s03_solver": (source, total)}
    for i, (ex, pts) in enumerate(sorted(points.items()), start=4):
        ids = {H.meta(c)["grade_id"] for c in H.solution_code_cells(source) if H.exercise_of(c) == ex}
        submissions[f"s{i:02d}_without_{ex}"] = (H.with_cells_from_release(source, release, ids), total - pts)
    for student, (nb, _) in submissions.items():
        folder = repo / "course" / "submitted" / student / LESSON
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{LESSON}.ipynb"))

    proc = subprocess.run(
        [sys.executable, "-m", "course_tools.autograde_all", LESSON, "--workers", "2", "--no-check"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
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
    folder = repo / "course" / "submitted" / "someone" / LESSON
    folder.mkdir(parents=True)
    proc = subprocess.run(
        [sys.executable, "-m", "course_tools.autograde_all", LESSON, "--workers", "2"],
        cwd=repo,
        env=H.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "cannot share the SQLite gradebook" in proc.stderr and "NBGRADER_DB_URL=postgresql" in proc.stderr
