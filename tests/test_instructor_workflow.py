"""The instructor's day, end to end, with nbgrader's own command line in a temporary copy of the repository:
generate, release to an exchange, three students fetch and submit, collect, autograde (sandboxed), feedback,
release of feedback, export of grades to CSV, and regrading one student who resubmitted. One student takes the
Russian edition of the same lesson, released and graded beside the English one."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import nbformat
import nbgrader_helpers as H
import pytest

LESSON = "02_chain_rule"
LESSON_RU = f"{LESSON}_ru"


def as_student(student: str, *args: str, cwd) -> None:
    """`nbgrader ARGS` run by `student`: nbgrader takes the name from the OS account, which the test cannot switch,
    so the command runs with nbgrader's user-name lookup answering `student` (on a hub, each has an account)."""
    launcher = (
        "import sys, nbgrader.utils as u; name = sys.argv.pop(1); u.get_osusername = lambda: name; "
        "from nbgrader.apps.nbgraderapp import main; sys.argv[0] = 'nbgrader'; main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", launcher, student, *args], cwd=cwd, env=H.env(), capture_output=True, text=True
    )
    assert proc.returncode == 0, f"{student}: nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"


def _solved_copy(release_nb, source_nb, skip: set[str] = frozenset()):
    """What a student hands in: the fetched release with the solution cells filled in (except those in `skip`)."""
    answers = {H.meta(c)["grade_id"]: c.source for c in H.solution_code_cells(source_nb)}
    nb = nbformat.from_dict(json.loads(json.dumps(release_nb)))
    for c in H.solution_code_cells(nb):
        gid = H.meta(c)["grade_id"]
        if gid in answers and H.exercise_of(c) not in skip:
            lines = answers[gid].splitlines()
            c.source = "\n".join(ln for ln in lines if "BEGIN SOLUTION" not in ln and "END SOLUTION" not in ln)
    return nb


@pytest.mark.slow
def test_release_collect_autograde_feedback_export(tmp_path):
    repo = H.copy_repo(tmp_path / "repo")
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    ex = f"--Exchange.root={exchange}"
    for lesson in (LESSON, LESSON_RU):
        H.nbgrader("generate_assignment", lesson, "--force", cwd=repo)
        H.nbgrader("release_assignment", lesson, ex, cwd=repo)

    source = H.read(H.SOURCES / LESSON / f"{LESSON}.ipynb")
    points = H.points_by_exercise(source)
    total = sum(points.values())
    plans = {"alice": set(), "bob": {"ex1"}, "carol": {"ex1", "ex2", "ex3"}}  # exercises each one leaves undone
    for student, skip in plans.items():
        home = tmp_path / "students" / student
        home.mkdir(parents=True)
        as_student(student, "fetch_assignment", LESSON, "--course", "backprop", ex, cwd=home)
        fetched = home / LESSON / f"{LESSON}.ipynb"
        nbformat.write(_solved_copy(H.read(fetched), source, skip), str(fetched))
        as_student(student, "submit", LESSON, "--course", "backprop", ex, cwd=home)

    # dmitry works in Russian: the same exercises and grade ids, so the English answers fit cell for cell
    home = tmp_path / "students" / "dmitry"
    home.mkdir(parents=True)
    as_student("dmitry", "fetch_assignment", LESSON_RU, "--course", "backprop", ex, cwd=home)
    fetched = home / LESSON_RU / f"{LESSON_RU}.ipynb"
    assert "Урок 2" in fetched.read_text(encoding="utf-8")
    nbformat.write(_solved_copy(H.read(fetched), source, {"ex2"}), str(fetched))
    as_student("dmitry", "submit", LESSON_RU, "--course", "backprop", ex, cwd=home)

    H.nbgrader("collect", LESSON, ex, cwd=repo)
    H.nbgrader("collect", LESSON_RU, ex, cwd=repo)
    assert sorted(p.name for p in (repo / "course" / "submitted").iterdir()) == sorted([*plans, "dmitry"])
    H.nbgrader("autograde", LESSON, cwd=repo)
    H.nbgrader("autograde", LESSON_RU, cwd=repo)
    H.nbgrader("generate_feedback", LESSON, cwd=repo)
    H.nbgrader("release_feedback", LESSON, ex, cwd=repo)
    as_student("alice", "fetch_feedback", LESSON, "--course", "backprop", ex, cwd=tmp_path / "students" / "alice")
    assert list((tmp_path / "students" / "alice" / LESSON / "feedback").rglob("*.html")), "alice got no feedback"

    grades = tmp_path / "grades.csv"
    H.nbgrader("export", "--to", str(grades), cwd=repo)
    rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(open(grades))}
    wanted = {s: total - sum(points[e] for e in skip) for s, skip in plans.items()}
    assert {s: float(rows[LESSON, s]["raw_score"]) for s in plans} == pytest.approx(wanted)
    assert float(rows[LESSON_RU, "dmitry"]["raw_score"]) == pytest.approx(total - points["ex2"])

    # bob finishes exercise 1 and resubmits; the instructor regrades only him
    home = tmp_path / "students" / "bob"
    bob_nb = home / LESSON / f"{LESSON}.ipynb"
    nbformat.write(_solved_copy(H.read(bob_nb), source), str(bob_nb))
    as_student("bob", "submit", LESSON, "--course", "backprop", ex, cwd=home)
    H.nbgrader("collect", LESSON, "--update", "--student", "bob", ex, cwd=repo)
    H.nbgrader("autograde", LESSON, "--student", "bob", "--force", cwd=repo)
    H.nbgrader("export", "--to", str(grades), cwd=repo)
    rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(open(grades))}
    assert float(rows[LESSON, "bob"]["raw_score"]) == pytest.approx(total)
    assert float(rows[LESSON, "carol"]["raw_score"]) == pytest.approx(wanted["carol"])
