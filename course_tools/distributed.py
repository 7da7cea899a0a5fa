"""Autograde a class on a Dask cluster: one task per student, on as many machines as there are workers.

Each task is exactly what :func:`course_tools.autograde_all._grade_one` runs on one machine: the sandboxed
``nbgrader autograde <assignment> --student <id> --force`` subprocess, from the repository root, writing into a
PostgreSQL gradebook and ``course/logs/autograde/<assignment>/<id>.log``. So the course directory must be on a
shared filesystem mounted at the same path on every worker, every worker needs the same Python environment (this
package installed, nbgrader, bubblewrap), and the gradebook must be a database server every worker reaches::

    dask scheduler --port 8786                                   # on one machine
    dask worker tcp://grader-1:8786 --nworkers 4 --nthreads 1    # on each grading machine, one process per core
    python -m course_tools.autograde_all 03_graphs --scheduler tcp://grader-1:8786

A task is safe to run twice. ``--force`` regrades the same submission into the same gradebook rows, so a rerun
gives the same result, never a second submission. When a worker dies mid-task, Dask runs the task again on another
worker; the first attempt must then not keep grading alongside the second (both would rewrite
``course/autograded/<id>`` and the same gradebook rows). Two things see to it:

- next to each nbgrader process, a small watchdog process (``python -c``, psutil only) waits for the worker to say
  it is done; if the worker dies first, the watchdog kills that nbgrader and its kernel, so nothing of a dead
  worker's attempt keeps running on its machine;
- the worker holds a PostgreSQL advisory lock named after the assignment and the student while nbgrader runs, so if
  a worker only looks dead (cut off from the scheduler, not from the database), the second attempt waits for the
  first instead of racing it. The lock goes with the worker's database connection.

A task that raises (say, the database refused the lock) is retried ``retries`` times; a submission that nbgrader
cannot grade is not retried: it comes back as a failed :class:`Outcome` with nbgrader's error lines, like on one
machine. The result has exactly one Outcome per student, in the order given, whatever was retried.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

from .autograde_all import Outcome, _grade_one


def grade_on_dask(
    scheduler_address: str,
    root: Path,
    assignment: str,
    students: list[str],
    db_url: str,
    logs: Path,
    extra_args: list[str] | None = None,
    *,
    retries: int = 2,
    on_outcome=None,
) -> list[Outcome]:
    """Grade ``students``' submissions of ``assignment`` on the Dask cluster at ``scheduler_address``.

    ``root`` (the repository root, holding nbgrader_config.py and course/) and ``logs`` must be the same paths on
    every worker. ``on_outcome(outcome)`` is called as each student finishes, in the order they finish; the returned
    list has one Outcome per student, in the order of ``students`` (repeated names are graded once).
    """
    from distributed import Client, as_completed

    if db_url.startswith("sqlite"):
        raise SystemExit(
            f"workers on a Dask cluster cannot share the SQLite gradebook {db_url}: use a PostgreSQL gradebook that "
            "every worker reaches (export NBGRADER_DB_URL=postgresql+psycopg://USER@HOST:5432/DB)"
        )
    students = list(dict.fromkeys(students))
    root, logs = Path(root).resolve(), Path(logs).resolve()
    logs.mkdir(parents=True, exist_ok=True)
    run = uuid.uuid4().hex[:8]  # a fresh key per run: the scheduler must not hand back an earlier run's result
    outcomes: dict[str, Outcome] = {}
    with Client(scheduler_address, timeout=60) as client:
        futures = [
            client.submit(
                _task,
                str(root),
                assignment,
                student,
                db_url,
                str(logs),
                list(extra_args or []),
                key=f"autograde-{assignment}-{student}-{run}",
                pure=False,
                retries=retries,
            )
            for student in students
        ]
        student_of = {future.key: student for future, student in zip(futures, students)}
        finished = as_completed(futures)
        del futures  # hold each future only until its outcome is in (below)
        for future in finished:
            student = student_of[future.key]
            try:
                outcome = future.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, an error raised again after the retries, ...
                message = f"not graded on the cluster: {type(exc).__name__}: {exc}"
                outcome = Outcome(student, False, 0.0, logs / f"{student}.log", message)
            # forget the result at once: were its worker to die later, Dask would otherwise grade the student again
            # to rebuild a result that nobody needs any more
            future.release()
            outcomes[student] = outcome
            if on_outcome is not None:
                on_outcome(outcome)
    return [outcomes[s] for s in students]


@contextmanager
def local_cluster(where: Path, workers: int = 2):
    """``dask scheduler`` and ``dask worker`` processes on localhost, started as on real machines (each worker a
    nanny and its worker process, one thread each), for the tests, the benchmark and trying this out; yields the
    scheduler's address and stops them all on exit. Their logs go to ``where``."""
    from distributed import Client

    where = Path(where)
    where.mkdir(parents=True, exist_ok=True)
    from .localpg import free_port

    port = str(free_port())
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).parent / "dask")
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    procs = []

    def start(name, *args):
        with open(where / f"{name}.log", "w") as log:
            procs.append(subprocess.Popen([dask, *args], stdout=log, stderr=subprocess.STDOUT, cwd=where, env=env))

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard")
        for i in range(workers):
            name = f"w{i}"
            start(name, "worker", address, "--name", name, "--nthreads", "1", "--no-dashboard",
                  "--local-directory", str(where / name))  # fmt: skip
        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _task(root: str, assignment: str, student: str, db_url: str, logs: str, extra: list[str]) -> Outcome:
    """One student, on a worker: ``_grade_one`` under the student's lock, watched by a process that kills nbgrader
    should this worker die before it is done."""
    lock = _student_lock(db_url, assignment, student)
    try:
        with _watchdog(root, assignment, student):
            return _grade_one(Path(root), assignment, student, db_url, Path(logs), extra)
    finally:
        if lock is not None:
            lock.close()  # NullPool: closes the connection, which releases the lock


#: The watchdog, run as ``python -c WATCHDOG <worker pid> <root> <assignment> <student>``: it notes the worker's
#: nbgrader process for the student every half second, and exits quietly when the worker writes "done" on its stdin.
#: End of file without "done" means the worker died mid-task: it then kills that nbgrader and all it started.
_WATCHDOG = """
import os, select, sys, time
import psutil

worker, root, assignment, student = int(sys.argv[1]), *sys.argv[2:]
started, seen = time.time(), {}

def ours(p):
    try:
        cmd = p.cmdline()
        return "nbgrader" in cmd and "autograde" in cmd and assignment in cmd and student in cmd and p.cwd() == root
    except psutil.Error:
        return False

try:
    me = psutil.Process(worker)
    while True:
        if select.select([0], [], [], 0.5)[0]:
            if os.read(0, 64).startswith(b"done"):
                sys.exit(0)
            break
        for p in me.children():
            if p.pid not in seen and ours(p):
                seen[p.pid] = p
except psutil.Error:
    pass
for p in psutil.process_iter():
    if p.pid not in seen and ours(p) and p.create_time() >= started - 1:
        seen[p.pid] = p
for p in seen.values():
    try:
        tree = [p, *p.children(recursive=True)]
    except psutil.Error:
        continue
    for q in tree:
        try:
            q.kill()
        except psutil.Error:
            pass
"""


@contextmanager
def _watchdog(root: str, assignment: str, student: str):
    proc = subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, str(os.getpid()), root, assignment, student], stdin=subprocess.PIPE
    )
    try:
        yield
    finally:
        try:
            proc.stdin.write(b"done\n")
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _student_lock(db_url: str, assignment: str, student: str):
    """A PostgreSQL session holding an advisory lock for this student's grading (None for other databases)."""
    if not db_url.startswith("postgresql"):
        return None
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    digest = hashlib.sha256(f"nbgrader autograde {assignment} {student}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    # autocommit: no transaction stays open for the whole grading (the lock belongs to the session, not to one)
    conn = create_engine(db_url, poolclass=NullPool, isolation_level="AUTOCOMMIT").connect()
    conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
    return conn
