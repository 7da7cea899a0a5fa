"""The mistake catalogue: every realistic wrong answer of tests/mistakes/ fails a visible check of its exercise, in
the released notebook, with a message that names it; and the solution passes the same checks.

The released notebook runs top to bottom once in one kernel; then, for each catalogued mistake, the mistake's code
takes the place of the exercise's cell and the exercise's visible test cells run, exactly as a student would run them.
"""

from __future__ import annotations

import nbgrader_helpers as H
import pytest
from lesson_kernel import LessonKernel, solution_code
from mistakes import catalogues

CATALOGUES = catalogues()


def exercise_cells(nb, exercise: str) -> tuple[list, list]:
    """(solution code cells, test cells) of one exercise, in notebook order."""
    solutions = [c for c in H.solution_code_cells(nb) if H.exercise_of(c) == exercise]
    tests = [c for c in H.grade_test_cells(nb) if H.exercise_of(c) == exercise]
    return solutions, tests


@pytest.mark.parametrize("lesson", H.ENGLISH)
def test_every_exercise_has_a_catalogue_of_at_least_three_mistakes(lesson):
    assert lesson in CATALOGUES, f"no tests/mistakes/ module has LESSON = {lesson!r}"
    source = H.read(H.SOURCES / lesson / f"{lesson}.ipynb")
    counts = {ex: 0 for ex in H.points_by_exercise(source)}
    for m in CATALOGUES[lesson].mistakes:
        assert m.exercise in counts, f"{lesson}: mistake {m.name!r} names exercise {m.exercise}, which has no tests"
        assert m.words, f"{lesson}: mistake {m.name!r} lists no words its message must contain"
        counts[m.exercise] += 1
    thin = {ex: n for ex, n in counts.items() if n < 3}
    assert not thin, f"{lesson}: exercises with fewer than 3 catalogued mistakes: {thin}"


@pytest.mark.slow
@pytest.mark.parametrize("lesson", H.ENGLISH)
def test_every_catalogued_mistake_fails_a_visible_check_that_names_it(lesson, tmp_path):
    if lesson not in CATALOGUES:
        pytest.fail(f"no catalogue for {lesson}")
    catalogue = CATALOGUES[lesson]
    release = H.read(H.RELEASES / lesson / f"{lesson}.ipynb")
    source = H.read(H.SOURCES / lesson / f"{lesson}.ipynb")
    kernel = LessonKernel(tmp_path)
    problems = []
    try:
        kernel.run_prelude([c.source for c in release.cells if c.cell_type == "code"])
        # The control: each exercise's solution passes its visible checks here, so a failure below is the mistake's.
        for ex in H.points_by_exercise(source):
            solutions, _ = exercise_cells(source, ex)
            _, tests = exercise_cells(release, ex)
            for cell in solutions:
                assert kernel.run(solution_code(cell.source)).ok, f"{lesson}: the solution of {ex} does not run"
            for t in tests:
                out = kernel.run(t.source)
                assert out.ok, f"{lesson}: the solution fails the visible check {H.meta(t)['grade_id']}: {out.message}"
        stubs = {H.meta(c)["grade_id"]: c.source for c in H.solution_code_cells(release)}
        for m in catalogue.mistakes:
            solutions, tests = exercise_cells(release, m.exercise)
            ids = [H.meta(c)["grade_id"] for c in solutions]
            target = m.cell or (ids[0] if len(ids) == 1 else None)
            if target not in ids:
                problems.append(f"{m.exercise} / {m.name}: say which of the cells {ids} it replaces (cell=...)")
                continue
            for gid in ids:  # back to the release: the solutions of the control run must not linger
                kernel.run(stubs[gid])
            defined = kernel.run(m.code)
            if not defined.ok:
                problems.append(f"{m.exercise} / {m.name}: the mistake's own code raises {defined.message}")
                continue
            messages = [out.message for out in (kernel.run(t.source) for t in tests) if not out.ok]
            if not messages:
                problems.append(f"{m.exercise} / {m.name}: passes every visible check")
            elif not any(all(w.lower() in text.lower() for w in m.words) for text in messages):
                problems.append(
                    f"{m.exercise} / {m.name}: fails, but no message contains {m.words}:\n      "
                    + "\n      ".join(text[:600] for text in messages)
                )
    finally:
        kernel.shutdown()
    print(f"{lesson}: {len(catalogue.mistakes)} catalogued mistakes, {len(problems)} not caught as they should be")
    assert not problems, f"{lesson}: " + "\n  ".join(["catalogued mistakes not caught as they should be:", *problems])
