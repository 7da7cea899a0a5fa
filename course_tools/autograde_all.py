"""Autograde a whole class in parallel, one nbgrader process per student, into one PostgreSQL gradebook.

nbgrader grades one student after another (its issue #174, open since 2015). A lesson takes each student's kernel
5 to 15 seconds, so a class of 200 is most of an hour on one core. This command runs ``nbgrader autograde
<assignment> --student <id>`` for every student with a submission, ``--workers`` at a time, from the repository
root, so each run uses nbgrader_config.py (and its sandbox) exactly as a hand-typed command would::

    export NBGRADER_DB_URL=postgresql+psycopg://grader@localhost:5432/backprop
    nbgrader generate_assignment 03_graphs --force       # the gradebook must know the assignment
    python -m course_tools.autograde_all 03_graphs --workers 4

Parallel writers need a database server: SQLite locks the whole file on every write, so with more than one worker
this command refuses a ``sqlite://`` gradebook and says how to point nbgrader at PostgreSQL. With ``--workers 1`` it
is simply ``nbgrader autograde`` student by student, on any gradebook.

Before anyone is graded, the instructor's solution is (:mod:`course_tools.preflight`, unless ``--no-preflight``):
unless it earns full marks in the grading sandbox, the command stops with the failing cells and their likely fix,
and nothing is written into the gradebook. Then it checks the submissions (:mod:`course_tools.submissions`, unless
``--no-check``): renamed notebooks and stripped metadata are repaired (originals kept in
``course/submitted_originals``), and a submission that cannot be graded (not a notebook at all) is reported, not
silently scored 0. Each student's nbgrader log goes to ``course/logs/autograde/<assignment>/<student>.log``; the
summary names every failure, and says loudly when most graded students fail the same test cell with the same
exception.

With ``--scheduler tcp://host:8786`` the same per-student commands run as tasks on a Dask cluster instead of the local
pool (:mod:`course_tools.distributed`: course directory on a shared filesystem, PostgreSQL gradebook).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .preflight import PreflightFailed, require
from .submissions import check_assignment, students_with_submissions

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Outcome:
    student: str
    ok: bool
    seconds: float
    log: Path
    message: str = ""


def _load_config(root: Path = ROOT):
    """nbgrader_config.py in ``root``, as nbgrader reads it."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def _course_directory(root: Path = ROOT, config=None):
    """nbgrader's CourseDirectory as nbgrader_config.py in ``root`` sets it up (read once per command)."""
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=config if config is not None else _load_config(root))


def configured_db_url(coursedir) -> str:
    """The gradebook URL nbgrader would use: NBGRADER_DB_URL, nbgrader_config.py, or the default."""
    return os.environ.get("NBGRADER_DB_URL") or coursedir.db_url


def _grade_one(root: Path, assignment: str, student: str, db_url: str, logs: Path, extra: list[str]) -> Outcome:
    log = logs / f"{student}.log"
    env = dict(os.environ, NBGRADER_DB_URL=db_url)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")  # nbgrader calls `alembic`
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.run(
            [sys.executable, "-m", "nbgrader", "autograde", assignment, "--student", student, "--force", *extra],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    seconds = time.perf_counter() - start
    if proc.returncode == 0:
        return Outcome(student, True, seconds, log)
    tail = [line for line in log.read_text(errors="replace").splitlines() if "ERROR" in line][-3:]
    return Outcome(student, False, seconds, log, " / ".join(tail) or f"nbgrader exited with {proc.returncode}")


def autograde_all(
    assignment: str,
    workers: int = 2,
    *,
    root: Path = ROOT,
    db_url: str | None = None,
    students: list[str] | None = None,
    check: bool = True,
    preflight: bool = True,
    extra_args: list[str] | None = None,
    scheduler: str | None = None,
    echo=print,
) -> list[Outcome]:
    """Grade every (or the listed) student's submission of ``assignment``; returns one Outcome per student."""
    config = _load_config(root)
    settings = [a for a in extra_args or [] if re.match(r"^--\w+\.\w+=", a)]  # --Execute.timeout=15, as nbgrader
    if settings:
        from traitlets.config.loader import KVArgParseConfigLoader

        config.merge(KVArgParseConfigLoader(settings).load_config())  # reads them: the preflight grades alike
    coursedir = _course_directory(root, config)
    db_url = db_url or configured_db_url(coursedir)
    if (workers > 1 or scheduler) and db_url.startswith("sqlite"):
        who = "Dask workers" if scheduler else f"{workers} workers"
        raise SystemExit(
            f"{who} cannot share the SQLite gradebook {db_url} (SQLite locks the whole file on each "
            "write). Use a PostgreSQL gradebook: export NBGRADER_DB_URL=postgresql+psycopg://USER@HOST:5432/DB "
            "(see docs/instructor-guide.md), or --workers 1."
        )
    course = Path(coursedir.root)
    todo = students or students_with_submissions(course, assignment)
    if not todo:
        raise SystemExit(f"no submissions of {assignment!r} in {course / 'submitted'}: run nbgrader collect first")
    if preflight:
        # the solution first, in the same sandbox: a broken environment stops here, before any student is graded
        result = require(assignment, config, coursedir.root, coursedir.source_directory)
        how = "cached" if result.cached else "ran"
        echo(f"preflight: the solution of {assignment} earns full marks ({how}, {result.seconds:.1f} s)")
    outcomes: list[Outcome] = []
    if check:
        reports = check_assignment(course, assignment, students=todo, repair=True)
        for report in reports:
            if report.problems:
                echo(f"  {report.student}: {report.status}: " + "; ".join(report.problems))
            if not report.gradable:
                reason = "not gradable: " + "; ".join(report.problems)
                outcomes.append(Outcome(report.student, False, 0.0, Path(), reason))
        todo = [s for s in todo if s not in {o.student for o in outcomes}]
    logs = course / "logs" / "autograde" / assignment
    logs.mkdir(parents=True, exist_ok=True)
    where = f"on the Dask cluster at {scheduler}" if scheduler else f"with {workers} worker(s)"
    echo(f"autograding {len(todo)} submission(s) of {assignment} {where} into {_safe(db_url)}")
    start = time.perf_counter()

    def report(outcome: Outcome) -> None:
        outcomes.append(outcome)
        mark = "ok" if outcome.ok else f"FAILED: {outcome.message} (log: {outcome.log})"
        echo(f"  {outcome.student:<24} {outcome.seconds:6.1f} s  {mark}")

    if scheduler:
        from .distributed import grade_on_dask

        grade_on_dask(scheduler, root, assignment, todo, db_url, logs, extra_args or [], on_outcome=report)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_grade_one, root, assignment, s, db_url, logs, extra_args or []) for s in todo]
            for future in futures:
                report(future.result())
    elapsed = time.perf_counter() - start
    graded = sum(o.ok for o in outcomes)
    rate = 60 * graded / elapsed if elapsed else 0.0
    echo(f"{graded} of {len(outcomes)} graded in {elapsed:.1f} s ({rate:.1f} submissions per minute)")
    for line in common_failures(course, assignment, [o.student for o in outcomes if o.ok]):
        echo(line)
    return outcomes


#: Errors that are the student's own: an unanswered exercise's stub.
_STUDENT_ERRORS = {"NotImplementedError"}


def common_failures(course: Path, assignment: str, students: list[str], share: float = 0.5) -> list[str]:
    """A loud warning for every test cell that most graded students fail with the same exception: more often a
    broken environment or a broken test than a class that all made the same mistake."""
    import nbformat

    counts: dict[tuple[str, str, str], list[str]] = {}
    for student in students:
        for path in sorted((course / "autograded" / student / assignment).glob("*.ipynb")):
            try:
                nb = nbformat.read(str(path), as_version=4)
            except Exception:  # noqa: BLE001 - an unreadable graded notebook is reported by nbgrader itself
                continue
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                    continue
                errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                if errors and errors[0].get("ename") not in _STUDENT_ERRORS:
                    evalue = (str(errors[0].get("evalue") or "").splitlines() or [""])[0][:160]
                    what = f"{errors[0].get('ename')}: {evalue}"
                    counts.setdefault((path.name, meta.get("grade_id"), what), []).append(student)
    lines = []
    for (notebook, cell, what), who in sorted(counts.items(), key=lambda kv: -len(kv[1])):
        if len(who) >= 2 and len(who) > share * len(students):
            lines += [
                "!" * 100,
                f"!!! {len(who)} of {len(students)} graded students fail {notebook} cell {cell!r} with the same "
                f"error: {what}",
                "!!! the same exception for most of a class is more likely the environment or the test than the "
                "students: check the preflight, the kernel's Python and the test cell before releasing grades",
                "!" * 100,
            ]
    return lines


def _safe(url: str) -> str:
    """The URL without a password, for printing."""
    if "@" in url and ":" in url.split("@", 1)[0].split("//", 1)[-1]:
        scheme, rest = url.split("//", 1)
        user = rest.split("@", 1)[0].split(":", 1)[0]
        return f"{scheme}//{user}:***@{rest.split('@', 1)[1]}"
    return url


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.autograde_all", description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--workers", "-j", type=int, default=os.cpu_count() or 1, help="parallel students (cores)")
    parser.add_argument("--student", action="append", help="grade only these students (repeatable)")
    parser.add_argument(
        "--scheduler", metavar="tcp://HOST:8786", help="grade on this Dask cluster instead of --workers local processes"
    )
    parser.add_argument("--db-url", help="gradebook URL (default: NBGRADER_DB_URL or nbgrader_config.py)")
    parser.add_argument("--no-check", action="store_true", help="skip the submission check and repair")
    parser.add_argument(
        "--no-preflight", action="store_true", help="skip grading the solution first (not recommended)"
    )
    args, extra = parser.parse_known_args(argv)
    try:
        outcomes = autograde_all(
            args.assignment,
            workers=args.workers,
            db_url=args.db_url,
            students=args.student,
            check=not args.no_check,
            preflight=not args.no_preflight,
            extra_args=extra,
            scheduler=args.scheduler,
        )
    except PreflightFailed as exc:
        print(exc.message, file=sys.stderr)
        return 3
    except FileNotFoundError as exc:  # no release to check against, no PostgreSQL server binaries, ...
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
