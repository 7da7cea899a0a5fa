"""The preflight: before any student, autograde grades the instructor's solution in the same sandbox, and stops with
one clear message, writing nothing into the gradebook, unless it earns full marks. Real nbgrader, real sandbox."""

from __future__ import annotations

import json
import re
import sqlite3

import nbformat
import nbgrader_helpers as H
import pytest

LESSON = "02_chain_rule"


def _gradebook_rows(repo) -> dict[str, int]:
    with sqlite3.connect(repo / "course" / "gradebook.db") as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("submitted_assignment", "grade")}


def _preflight_line(output: str) -> tuple[str, float]:
    m = re.search(r"Preflight of \S+: the solution earns full marks \((ran|cached), ([\d.]+) s\)", output)
    assert m, output[-3000:]
    return m.group(1), float(m.group(2))


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """A released copy of the course whose kernel's Python cannot import mini_autograd; two honest students."""
    tmp = tmp_path_factory.mktemp("broken")
    repo, source, _ = H.released_copy(tmp, LESSON)
    for student in ("alice", "bob"):
        H.hand_in(repo, student, LESSON, source)
    return repo, H.kernel_env(tmp, H.kernel_python(tmp, mini_autograd=None))


def _says_why(text: str) -> None:
    assert "PREFLIGHT FAILED" in text, text[-3000:]
    assert "'ex1_tests'" in text and "ModuleNotFoundError" in text and "mini_autograd" in text, text[-3000:]
    assert "install it into the grading environment" in text, text[-3000:]
    assert "nothing was written into the gradebook" in text
    assert text.count("PREFLIGHT FAILED") == 1, text[-5000:]  # one message, not one per student


@pytest.mark.slow
def test_nbgrader_autograde_stops_at_the_preflight_of_a_broken_environment(broken):
    repo, environ = broken
    proc = H.nbgrader("autograde", LESSON, cwd=repo, environ=environ, check=False)
    assert proc.returncode != 0
    _says_why(proc.stdout + proc.stderr)
    assert _gradebook_rows(repo) == {"submitted_assignment": 0, "grade": 0}
    assert not (repo / "course" / "reports" / LESSON / "preflight.json").exists()  # a failure is never cached


@pytest.mark.slow
def test_autograde_all_stops_at_the_preflight_of_a_broken_environment(broken):
    repo, environ = broken
    proc = H.autograde_all(repo, LESSON, "--workers", "1", environ=environ)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    _says_why(proc.stderr)
    assert "autograding" not in proc.stdout  # no student was started
    assert _gradebook_rows(repo) == {"submitted_assignment": 0, "grade": 0}


@pytest.mark.slow
def test_a_healthy_environment_grades_and_pays_for_the_preflight_once_until_the_package_changes(tmp_path):
    repo, source, _ = H.released_copy(tmp_path, LESSON)
    environ = H.kernel_env(tmp_path, H.kernel_python(tmp_path, mini_autograd="editable"))
    for student in ("alice", "bob", "carol"):
        H.hand_in(repo, student, LESSON, source)

    first = H.nbgrader("autograde", LESSON, "--student", "alice", cwd=repo, environ=environ)
    how, ran_seconds = _preflight_line(first.stdout + first.stderr)
    assert how == "ran"
    second = H.nbgrader("autograde", LESSON, "--student", "bob", cwd=repo, environ=environ)
    how, cached_seconds = _preflight_line(second.stdout + second.stderr)
    assert how == "cached" and cached_seconds < 1.5 and cached_seconds < ran_seconds / 4, (ran_seconds, cached_seconds)
    from nbgrader.api import Gradebook

    cells = {H.meta(c)["grade_id"] for c in H.grade_test_cells(source)}
    with Gradebook(f"sqlite:///{repo / 'course' / 'gradebook.db'}") as gb:
        for student in ("alice", "bob"):
            nb = gb.find_submission_notebook(LESSON, LESSON, student)
            assert sum(g.score for g in nb.grades if g.cell.name in cells) == pytest.approx(
                H.total_autograded_points(source)
            )

    # the kernel's package changes (sabotaged): the cache no longer holds, and the preflight stops the next student
    # (first thing in the package: a module failing half-way leaves submodules behind, and a second import works)
    init = tmp_path / "clone" / "mini_autograd" / "__init__.py"
    lines = init.read_text().splitlines(keepends=True)
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("from __future__")), 0)
    init.write_text("".join(lines[:at] + ["raise RuntimeError('sabotaged')\n"] + lines[at:]))
    rows = _gradebook_rows(repo)
    third = H.nbgrader("autograde", LESSON, "--student", "carol", cwd=repo, environ=environ, check=False)
    assert third.returncode != 0
    text = third.stdout + third.stderr
    assert "PREFLIGHT FAILED" in text and "RuntimeError: sabotaged" in text, text[-3000:]
    assert _gradebook_rows(repo) == rows


def test_the_summary_says_loudly_when_most_students_fail_the_same_cell_the_same_way(tmp_path):
    from course_tools.autograde_all import common_failures

    source = H.read(H.SOURCES / LESSON / f"{LESSON}.ipynb")
    test_cells = [c for c in source.cells if H.meta(c).get("grade") and not H.meta(c).get("solution")]

    def graded(student, errors: dict):
        nb = nbformat.from_dict(json.loads(json.dumps(source)))
        for cell in nb.cells:
            if H.meta(cell).get("grade_id") in errors:
                ename, evalue = errors[H.meta(cell)["grade_id"]]
                cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[])]
        folder = tmp_path / "autograded" / student / LESSON
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{LESSON}.ipynb"))

    first, second = H.meta(test_cells[0])["grade_id"], H.meta(test_cells[1])["grade_id"]
    broken = ("ModuleNotFoundError", "No module named 'mini_autograd'")
    graded("s1", {first: broken, second: ("NotImplementedError", "")})
    graded("s2", {first: broken, second: ("NotImplementedError", "")})
    graded("s3", {second: ("NotImplementedError", "")})
    lines = common_failures(tmp_path, LESSON, ["s1", "s2", "s3"])
    text = "\n".join(lines)
    assert f"2 of 3 graded students fail {LESSON}.ipynb cell {first!r}" in text, text
    assert "ModuleNotFoundError: No module named 'mini_autograd'" in text
    assert second not in text  # an unanswered exercise is the students' own business
    assert lines[0].startswith("!!!!")
    assert common_failures(tmp_path, LESSON, ["s1", "s3"]) == []  # one student alone: no alarm
