"""Autograde throughput: submissions per minute for a class, at 1 and 2 workers, into PostgreSQL.

    python bench/bench_autograde.py                      # 30 students, lesson 02_chain_rule
    python bench/bench_autograde.py --students 60 --lesson 04_forward_backward --workers 1 2 4

What it does, in a temporary copy of the repository with a throwaway PostgreSQL server (course_tools.localpg):
a class of N students (a mix of full solutions, solutions missing one exercise, and untouched releases) submits
the lesson; ``python -m course_tools.autograde_all`` grades everyone, once per worker count, and the script prints
wall time, submissions per minute and the speed-up over one worker.

Two reference points are measured in the same run:
- the floor: the same notebooks executed one after another by nbclient in a plain kernel, no nbgrader, no
  sandbox, no database: what running the students' code costs by itself;
- unsandboxed: ``nbgrader autograde`` at 1 worker without bubblewrap, to show what the isolation costs.

With ``--dask`` it measures instead what grading on a Dask cluster (course_tools.distributed) costs against the local
pool: the same class graded by the local pool (``_grade_one`` in threads, what ``autograde_all --workers N`` runs)
and through ``grade_on_dask`` on a scheduler and N worker processes on localhost, for each ``--workers`` count,
interleaved; it prints submissions per minute and the worker time Dask adds per student::

    python bench/bench_autograde.py --dask --students 10

The machine is shared and noisy: run it more than once, and compare ratios from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import nbgrader_helpers as H  # noqa: E402

from course_tools.localpg import LocalPostgres  # noqa: E402


def build_class(repo: Path, lesson: str, n: int) -> None:
    source = H.read(H.SOURCES / lesson / f"{lesson}.ipynb")
    release = H.read(H.RELEASES / lesson / f"{lesson}.ipynb")
    kinds = [source, release] + [nb for nb, _ in H.without_each_exercise(source, release).values()]
    for i in range(n):
        H.hand_in(repo, f"student{i:03d}", lesson, kinds[i % len(kinds)])


def floor_seconds(repo: Path, lesson: str) -> float:
    """Execute every submission with nbclient in a plain kernel, one after another."""
    from nbclient import NotebookClient

    env = {k: v for k, v in os.environ.items()}
    env["NBGRADER_EXECUTION"] = "autograde"  # the lessons' short training, as under nbgrader
    start = time.perf_counter()
    for nb_path in sorted((repo / "course" / "submitted").glob(f"*/{lesson}/{lesson}.ipynb")):
        nb = H.read(nb_path)
        NotebookClient(
            nb,
            timeout=120,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(nb_path.parent)}},
        ).execute(env=env)
    return time.perf_counter() - start


def autograde_seconds(repo: Path, lesson: str, workers: int, db_url: str, extra: list[str] = ()) -> float:
    env = dict(H.env(), NBGRADER_DB_URL=db_url)
    shutil.rmtree(repo / "course" / "autograded", ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "course_tools.autograde_all", lesson, "--workers", str(workers), "--no-check", *extra],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"autograde failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return seconds


def pool_seconds(repo: Path, lesson: str, students: list[str], workers: int, db_url: str) -> tuple[float, list]:
    """The local pool of autograde_all, without its checks: _grade_one for every student, ``workers`` at a time."""
    from concurrent.futures import ThreadPoolExecutor

    from course_tools.autograde_all import _grade_one

    logs = repo / "course" / "logs" / "autograde" / lesson
    logs.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda s: _grade_one(repo, lesson, s, db_url, logs, []), students))
    seconds = time.perf_counter() - start
    if not all(o.ok for o in outcomes):
        raise SystemExit(f"grading failed: {[o for o in outcomes if not o.ok]}")
    return seconds, outcomes


def dask_seconds(repo: Path, lesson: str, students: list[str], workers: int, db_url: str) -> tuple[float, list]:
    """The same students through grade_on_dask, on a scheduler and ``workers`` worker processes started beforehand."""
    from course_tools.distributed import grade_on_dask, local_cluster

    logs = repo / "course" / "logs" / "autograde" / lesson
    with local_cluster(repo.parent / f"dask-{workers}", workers) as address:
        start = time.perf_counter()
        outcomes = grade_on_dask(address, repo, lesson, students, db_url, logs, [])
        seconds = time.perf_counter() - start
    if not all(o.ok for o in outcomes):
        raise SystemExit(f"grading failed: {[o for o in outcomes if not o.ok]}")
    return seconds, outcomes


def compare_dask(repo: Path, args, results: dict) -> None:
    """Local pool and Dask at each worker count, into one PostgreSQL gradebook; the table and the overhead."""
    students = sorted(p.name for p in (repo / "course" / "submitted").iterdir())
    n = len(students)
    with LocalPostgres() as pg:
        env = dict(H.env(), NBGRADER_DB_URL=pg.url)
        H.nbgrader("generate_assignment", args.lesson, "--force", cwd=repo, environ=env)
        print(f"{n} submissions of {args.lesson}; {os.cpu_count()} CPUs, load average {results['load'][0]:.1f}")
        print(f"{'configuration':<30}{'wall s':>8}{'subm/min':>10}{'s/student':>11}{'outside nbgrader':>18}")
        for w in args.workers:
            runs = {}
            for name, measure in ((f"local pool, {w} worker(s)", pool_seconds), (f"Dask, {w} worker(s)", dask_seconds)):
                seconds, outcomes = measure(repo, args.lesson, students, w, pg.url)
                per_student = seconds * w / n  # worker-seconds per submission
                outside = per_student - sum(o.seconds for o in outcomes) / n  # beyond the nbgrader processes
                runs[name] = outside
                print(f"{name:<30}{seconds:8.1f}{60 * n / seconds:10.1f}{per_student:11.2f}{outside:18.2f}")
                results[name] = {"seconds": seconds, "per_minute": 60 * n / seconds, "s_per_student": per_student}
                results[name]["outside_nbgrader_s_per_student"] = outside
            extra = runs[f"Dask, {w} worker(s)"] - runs[f"local pool, {w} worker(s)"]
            results[f"dask_adds_s_per_student_{w}"] = extra
            print(f"  Dask adds {extra:+.2f} s per student at {w} worker(s), outside nbgrader")
        print(
            "s/student: worker-seconds per submission (wall time x workers / submissions); outside nbgrader: the part "
            "of it not spent in the nbgrader processes (dispatch, Dask, the watchdog and lock, idle workers at the end)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--lesson", default="02_chain_rule")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--skip-unsandboxed", action="store_true")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--dask", action="store_true", help="compare the local pool with Dask instead (see above)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-autograde-"))
    results = {"students": args.students, "lesson": args.lesson, "cpus": os.cpu_count(), "load": os.getloadavg()}
    try:
        repo = H.copy_repo(tmp / "repo")
        build_class(repo, args.lesson, args.students)
        if args.dask:
            compare_dask(repo, args, results)
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=1))
            return
        floor = floor_seconds(repo, args.lesson)
        results["floor_s"] = floor
        print(f"{args.students} submissions of {args.lesson}; load average {results['load'][0]:.1f}")
        print(f"{'configuration':<36}{'wall s':>9}{'subm/min':>10}{'vs 1 worker':>13}{'vs floor':>10}")

        def row(name, seconds, base):
            rate = 60 * args.students / seconds
            print(f"{name:<36}{seconds:9.1f}{rate:10.1f}{base / seconds if base else 1:12.2f}x{seconds / floor:9.2f}x")
            results[name] = {"seconds": seconds, "per_minute": rate}

        row("floor: nbclient, plain kernel, serial", floor, None)
        with LocalPostgres() as pg:
            H.nbgrader(
                "generate_assignment", args.lesson, "--force", cwd=repo, environ=dict(H.env(), NBGRADER_DB_URL=pg.url)
            )
            base = None
            for w in args.workers:
                seconds = autograde_seconds(repo, args.lesson, w, pg.url)
                base = base or seconds
                row(f"autograde_all, sandboxed, {w} worker(s)", seconds, base)
            if not args.skip_unsandboxed:
                extra = [
                    "--SandboxedKernelManager.bwrap=/nonexistent",
                    "--SandboxedKernelManager.require_sandbox=False",
                ]
                row(
                    "autograde_all, unsandboxed, 1 worker", autograde_seconds(repo, args.lesson, 1, pg.url, extra), base
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
