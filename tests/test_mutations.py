"""Mutation testing of every lesson's checks: slip small mistakes into each solution (tests/mutations.py) and count
what the checks catch. The visible checks of the exercise must catch at least 95 % of the mutants that can change a
result, visible and hidden tests together all of them; the equivalent ones are listed, with the reason, in the
lesson's catalogue (tests/mistakes/). Run with -s to read the scores and every survivor."""

from __future__ import annotations

import nbgrader_helpers as H
import pytest
from lesson_kernel import LessonKernel, solution_code, visible_part
from mistakes import catalogues
from mutations import mutants

CATALOGUES = catalogues()
VISIBLE_SHARE = 0.95


@pytest.mark.slow
@pytest.mark.parametrize("lesson", H.ENGLISH)
def test_the_checks_catch_the_mutants(lesson, tmp_path):
    equivalent = CATALOGUES[lesson].equivalent if lesson in CATALOGUES else {}
    source = H.read(H.SOURCES / lesson / f"{lesson}.ipynb")
    release = H.read(H.RELEASES / lesson / f"{lesson}.ipynb")
    stubs = {H.meta(c)["grade_id"]: c.source for c in H.solution_code_cells(release)}
    solved = {H.meta(c)["grade_id"]: solution_code(c.source) for c in H.solution_code_cells(source)}
    kernel = LessonKernel(tmp_path, timeout=30)
    counts = {"visible": 0, "hidden": 0, "survived": 0, "equivalent": 0}
    survivors, seen = [], set()
    try:
        kernel.run_prelude([c.source for c in release.cells if c.cell_type == "code"])
        for cell in H.solution_code_cells(source):
            gid, ex = H.meta(cell)["grade_id"], H.exercise_of(cell)
            tests = [c.source for c in H.grade_test_cells(source) if H.exercise_of(c) == ex]
            siblings = [H.meta(c)["grade_id"] for c in H.solution_code_cells(source) if H.exercise_of(c) == ex]
            for mutant in mutants(gid, cell.source):
                seen.add(mutant.name)
                for sibling in siblings:  # the exercise's other cells solved, this one mutated
                    if sibling != gid:
                        kernel.run(solved[sibling])
                kernel.run(stubs[gid])
                defined = kernel.run(mutant.code)
                caught_visible = not defined.ok or any(not kernel.run(visible_part(t)).ok for t in tests)
                caught = caught_visible or any(not kernel.run(t).ok for t in tests)
                if mutant.name in equivalent:
                    counts["equivalent"] += 1
                    if caught:
                        survivors.append(f"{mutant.name}: listed as equivalent but caught; remove it from EQUIVALENT")
                elif caught_visible:
                    counts["visible"] += 1
                elif caught:
                    counts["hidden"] += 1
                    survivors.append(f"{mutant.name}: caught by the hidden tests only")
                else:
                    counts["survived"] += 1
                    survivors.append(f"{mutant.name}: SURVIVES every check")
    finally:
        kernel.shutdown()
    stale = sorted(set(equivalent) - seen)
    total = counts["visible"] + counts["hidden"] + counts["survived"]
    share = counts["visible"] / total if total else 1.0
    print(
        f"\n{lesson}: {total} mutants (+{counts['equivalent']} equivalent): visible {counts['visible']}/{total} = "
        f"{share:.0%}, visible + hidden {counts['visible'] + counts['hidden']}/{total}"
    )
    for line in survivors:
        print("   ", line)
    assert not stale, f"{lesson}: EQUIVALENT lists mutants that no longer exist: {stale}"
    assert counts["survived"] == 0, f"{lesson}: {counts['survived']} mutants survive every check (run with -s)"
    assert share >= VISIBLE_SHARE, f"{lesson}: the visible checks catch only {share:.0%} of the mutants (run with -s)"
    assert not [s for s in survivors if "listed as equivalent" in s], survivors
