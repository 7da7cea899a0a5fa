"""mini_autograd at two revisions, A/B: does a change cost anything on the scalar graphs?

    python bench/ab_revisions.py 8916718            # that commit against the working tree
    python bench/ab_revisions.py 8916718 HEAD --rounds 8

Each revision's ``mini_autograd`` is unpacked with ``git archive`` into a temporary folder (the working tree is used
as it is for ``.``) and timed in its own interpreter, the two alternating round by round so that noise on the
machine falls on both. One timing is the median over 21 repetitions of the thread's CPU time for the scalar chain of
``bench_engine.py`` (2000 ops: ``x = tanh(x * w + b) * 1.1 - 0.01`` from three 0-d float32 leaves, forward and
backward) and for the seed example; the script prints each round, then the medians and new / old.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import os, sys, time
os.environ["OMP_NUM_THREADS"] = "1"
import numpy as np
import mini_autograd as ag

x0, w, b = (ag.tensor(v, requires_grad=True) for v in (0.3, 0.9, 0.1))
sx, sy, sz = (ag.tensor(v, requires_grad=True) for v in (1.0, 2.0, 0.0))


def chain():
    x0.grad = w.grad = b.grad = None
    x = x0
    for _ in range(400):
        x = (x * w + b).tanh() * 1.1 - 0.01
    x.backward()


def seed():
    sx.grad = sy.grad = sz.grad = None
    ((sx + sy) * ag.maximum(sy, sz)).backward()


def median_us(fn, n):
    times = []
    for _ in range(21):
        t0 = time.thread_time_ns()
        for _ in range(n):
            fn()
        times.append((time.thread_time_ns() - t0) / n / 1e3)
    return sorted(times)[10]


print(median_us(chain, 10), median_us(seed, 2000))
"""


def unpack(rev: str, dest: Path) -> Path:
    if rev == ".":
        return ROOT
    archive = subprocess.run(["git", "archive", rev, "mini_autograd"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def time_once(path: Path) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD],
        env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    chain, seed = out.stdout.split()
    return float(chain), float(seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the revision to compare against (a commit, tag or branch)")
    parser.add_argument("new", nargs="?", default=".", help="the revision to measure (default: the working tree)")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for label, rev in (("old", args.old), ("new", args.new)):
            folder = Path(tmp) / label
            folder.mkdir()
            paths[label] = unpack(rev, folder)
        results = {"old": [], "new": []}
        for r in range(args.rounds):
            for label in ("old", "new") if r % 2 == 0 else ("new", "old"):
                results[label].append(time_once(paths[label]))
                chain, seed = results[label][-1]
                print(f"round {r + 1} {label}: chain {chain:8.1f} us   seed {seed:6.2f} us", flush=True)
        med = {k: [statistics.median(x[i] for x in v) for i in (0, 1)] for k, v in results.items()}
        print(f"\nmedian, {args.old} -> {args.new}:")
        for i, name in enumerate(("scalar chain, 2000 ops", "seed f=(x+y)*max(y,z)")):
            old, new = med["old"][i], med["new"][i]
            print(f"  {name:24s} old {old:9.2f} us   new {new:9.2f} us   new/old {new / old:.3f}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
