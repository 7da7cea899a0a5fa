"""The benchmark's workloads compute the same maths in mini_autograd, PyTorch and the hand-written numpy floor.

``bench/bench_engine.py`` checks this before it times anything; here the same check runs in the test suite (one
step of each implementation, no timing), so a change to the engine or to a workload that breaks the agreement fails
CI instead of the next benchmark run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import bench_engine as B  # noqa: E402

WORKLOADS = {
    "seed": (B.seed_example, 1e-5, ()),
    "chain": (lambda: B.scalar_chain(200), 1e-4, ()),
    **{w.key: (w.make, w.rtol, w.labels) for w in B._mlp_workloads()},
}


@pytest.mark.parametrize("key", WORKLOADS)
def test_every_implementation_matches_the_floor(key):
    make, rtol, labels = WORKLOADS[key]
    try:
        B.check_gradients(key, make(), rtol, labels)
    except SystemExit as stop:  # check_gradients stops the benchmark with the reason
        pytest.fail(str(stop))


def test_the_check_catches_a_wrong_gradient():
    impls = B.seed_example()
    right = impls["mini"]
    impls["mini"] = lambda: [g * 1.01 for g in right()]
    with pytest.raises(SystemExit, match="differs from the numpy floor"):
        B.check_gradients("seed", impls, 1e-5)
