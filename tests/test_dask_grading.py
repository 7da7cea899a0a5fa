"""A class graded on a real Dask cluster (a scheduler and two worker processes on localhost) into PostgreSQL, with
one worker killed in the middle: everyone is graded exactly once, with the scores a single nbgrader process gives."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import nbgrader_helpers as H
import psutil
import pytest

from course_tools.distributed import grade_on_dask, local_cluster
from course_tools.localpg import LocalPostgres

LESSON = "02_chain_rule"
BROKEN = "s10_broken"  # not a notebook at all: nbgrader cannot grade it


@pytest.fixture(scope="module")
def postgres():
    with LocalPostgres() as pg:
        yield pg


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:  # it ended meanwhile
        return []


def _age(proc: psutil.Process) -> float:
    try:
        return time.time() - proc.create_time()
    except psutil.Error:
        return 0.0


def _dead(proc: psutil.Process) -> bool:
    try:
        return not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _scores(db_url: str, students) -> tuple[dict, dict]:
    """({student: {graded cell: score}}, {student: number of submission rows}) from the gradebook."""
    from nbgrader.api import Assignment, Gradebook, Student, SubmittedAssignment

    scores, rows = {}, {}
    with Gradebook(db_url, "backprop") as gb:
        for student in students:
            rows[student] = (
                gb.db.query(SubmittedAssignment)
                .join(Assignment)
                .join(Student)
                .filter(Assignment.name == LESSON, Student.id == student)
                .count()
            )
            if rows[student]:
                nb = gb.find_submission_notebook(LESSON, LESSON, student)
                scores[student] = {g.cell.name: g.score for g in nb.grades if g.cell.name in GRADED_CELLS}
    return scores, rows


SOURCE = H.read(H.SOURCES / LESSON / f"{LESSON}.ipynb")
RELEASE = H.read(H.RELEASES / LESSON / f"{LESSON}.ipynb")
GRADED_CELLS = {H.meta(c)["grade_id"] for c in H.grade_test_cells(SOURCE)}
KINDS = {"solution": SOURCE, "release": RELEASE}
KINDS |= {f"without_{ex}": nb for ex, (nb, _) in sorted(H.without_each_exercise(SOURCE, RELEASE).items())}


def _class(n: int = 20) -> dict[str, str]:
    """{student: kind}: n students cycling through the kinds of submission, and BROKEN in the middle of them."""
    kinds = list(KINDS) * n
    students = {f"s{i:02d}_{kinds[i]}": kinds[i] for i in range(n + 1) if i != 10}
    return dict(sorted({**students, BROKEN: "broken"}.items()))


def _reference_scores(tmp_path: Path) -> dict[str, dict]:
    """{kind: {graded cell: score}}: each kind of submission graded once by one plain `nbgrader autograde` process,
    in another copy of the repository with its own SQLite gradebook."""
    ref = H.copy_repo(tmp_path / "reference")
    H.nbgrader("generate_assignment", LESSON, "--force", cwd=ref)
    for kind, nb in KINDS.items():
        H.hand_in(ref, kind, LESSON, nb)
    H.nbgrader("autograde", LESSON, "--force", cwd=ref)
    scores, rows = _scores(f"sqlite:///{ref / 'course' / 'gradebook.db'}", list(KINDS))
    assert rows == dict.fromkeys(KINDS, 1)
    return scores


@pytest.mark.slow
def test_a_class_graded_on_dask_survives_a_killed_worker(tmp_path, postgres):
    from distributed import Client

    start = time.perf_counter()
    students = _class(20)
    repo = H.copy_repo(tmp_path / "repo")
    env = dict(H.env(), NBGRADER_DB_URL=postgres.url)
    H.nbgrader("generate_assignment", LESSON, "--force", cwd=repo, environ=env)
    for student, kind in students.items():
        if kind == "broken":
            path = repo / "course" / "submitted" / student / LESSON / f"{LESSON}.ipynb"
            path.parent.mkdir(parents=True)
            path.write_text("this is not a notebook\n")
        else:
            H.hand_in(repo, student, LESSON, KINDS[kind])
    logs = repo / "course" / "logs" / "autograde" / LESSON

    with local_cluster(tmp_path / "dask", workers=2) as address, Client(address) as client:
        done, result = [], {}

        def run():
            result["outcomes"] = grade_on_dask(
                address, repo, LESSON, list(students), postgres.url, logs, [], on_outcome=done.append
            )

        grading = threading.Thread(target=run)
        grading_start = time.perf_counter()
        grading.start()
        # once a few students are done, SIGKILL a worker process in the middle of grading someone
        killed = victims = None
        while grading.is_alive() and killed is None:
            time.sleep(0.2)
            if len(done) < 3:
                continue
            for pid in client.run(os.getpid).values():
                tree = psutil.Process(pid).children(recursive=True)
                graders = [(p, _cmdline(p)) for p in tree]
                graders = [(p, cmd) for p, cmd in graders if "--student" in cmd and "autograde" in cmd]
                if graders and _age(graders[0][0]) > 1:  # nbgrader well under way
                    cmd = graders[0][1]
                    killed, victims = cmd[cmd.index("--student") + 1], tree
                    os.kill(pid, signal.SIGKILL)
                    break
        assert killed, f"no worker was caught grading: {len(done)} done"
        # nothing of the dead worker's attempt keeps running: the watchdog kills its nbgrader and the kernel
        deadline = time.time() + 30
        while not all(_dead(p) for p in victims) and time.time() < deadline:
            time.sleep(0.2)
        assert all(_dead(p) for p in victims), [_cmdline(p) for p in victims if not _dead(p)]
        grading.join(timeout=600)
        assert not grading.is_alive()
        dask_seconds = time.perf_counter() - grading_start
        outcomes = result["outcomes"]

        # one outcome per student, in order; only the broken submission failed, and it says why
        assert [o.student for o in outcomes] == list(students)
        failed = {o.student: o.message for o in outcomes if not o.ok}
        assert list(failed) == [BROKEN], failed
        assert failed[BROKEN] and (logs / f"{BROKEN}.log").exists()
        assert killed != BROKEN
        assert len(students) == 21 and set(students.values()) == set(KINDS) | {"broken"}

        # exactly one submission row per graded student, with a single nbgrader process's scores
        reference = _reference_scores(tmp_path)
        graded = [s for s in students if s != BROKEN]
        scores, rows = _scores(postgres.url, graded)
        assert rows == dict.fromkeys(graded, 1)
        assert scores == {s: reference[students[s]] for s in graded}
        total = H.total_autograded_points(SOURCE)
        assert {sum(scores[s].values()) for s in graded if students[s] == "solution"} == {total}
        assert {sum(scores[s].values()) for s in graded if students[s] == "release"} == {0}

        # the command line: autograde_all --scheduler regrades (the killed student among them) and names the failure
        again = [killed, BROKEN, next(s for s in graded if s != killed)]
        proc = H.autograde_all(
            repo, LESSON, "--scheduler", address, "--no-check", "--no-preflight",
            *[arg for s in again for arg in ("--student", s)], environ=env,
        )  # fmt: skip
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert f"on the Dask cluster at {address}" in proc.stdout, proc.stdout
        assert "2 of 3 graded" in proc.stdout, proc.stdout
        assert any(BROKEN in line and "FAILED" in line for line in proc.stdout.splitlines()), proc.stdout
        scores_again, rows_again = _scores(postgres.url, graded)
        assert (scores_again, rows_again) == (scores, rows)
    print(
        f"\n{len(students)} submissions on 2 Dask workers, one killed while grading {killed}: "
        f"{dask_seconds:.0f} s; whole test {time.perf_counter() - start:.0f} s"
    )
