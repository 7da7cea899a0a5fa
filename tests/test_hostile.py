"""Hostile submissions, graded in one `nbgrader autograde` run together with honest students.

Each hostile notebook is the unsolved release plus one attack, so any point it gets is a point it did not earn
(except `exits`, which is the full solution with `os._exit` before its tests: they never run, so it earns nothing).
One honest student is graded before the hostile ones and one after (nbgrader goes in alphabetical order).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

import nbformat
import nbgrader_helpers as H
import pytest

LESSON = "02_chain_rule"


def _inject(nb, code: str):
    """A copy of `nb` with a code cell right after the setup cell (where a student would put it)."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    setup = next(i for i, c in enumerate(nb.cells) if c.get("id") == "setup")
    nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(code))
    return nb


def _strip_metadata(nb):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for c in nb.cells:
        c.metadata.pop("nbgrader", None)
    return nb


def _delete_tests(nb):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.cells = [c for c in nb.cells if not (H.meta(c).get("grade") and not H.meta(c).get("solution"))]
    return nb


def _tree_digest(path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def _attacks(repo):
    """The attacks, each as code a student could write; absolute paths included, as a worst case."""
    course = repo / "course"
    steal = f"""
import json, os
# look everywhere for the solutions, then run them to pass the tests
for top in ["{course}", "..", "../..", "../../..", "/", "/tmp", "/work", "/root"]:
    for root, dirs, files in os.walk(top):
        for f in files:
            if f == "{LESSON}.ipynb" and "solutions" in root:
                nb = json.load(open(os.path.join(root, f)))
                for cell in nb["cells"]:
                    if cell["cell_type"] == "code" and "BEGIN SOLUTION" in "".join(cell["source"]):
                        exec("".join(cell["source"]))
                        print("STOLEN", "".join(cell["source"]))
"""
    wipe = f"""
import os
for path in ["{course}/gradebook.db", "../../../gradebook.db", "../../gradebook.db", "gradebook.db"]:
    try:
        open(path, "w").write("wiped")
        os.remove(path)
    except OSError as e:
        print("could not wipe", path, e)
"""
    overwrite = f"""
import os, glob
targets = glob.glob("{course}/submitted/*/*/*.ipynb") + glob.glob("{course}/solutions/*/*.ipynb")
targets += glob.glob("{course}/notebooks/*/*.ipynb") + glob.glob("../../../submitted/*/*/*.ipynb")
targets += ["{course}/canary.txt"]
for t in targets:
    try:
        open(t, "w").write("overwritten")
    except OSError as e:
        print("could not overwrite", t, e)
"""
    patch = H.PATCH_CELL + (
        "\nimport mini_autograd.testing as _t\n"
        "vars(_t)['assert_close'] = vars(_t)['assert_all_close'] = lambda *a, **k: None\n"
        "vars(_t)['check_untampered'] = lambda *a, **k: None\n"
    )
    return {
        "reads_solutions": ("stub", steal, "for review"),
        "wipes_gradebook": ("stub", wipe, "for review"),
        "overwrites_others": ("stub", overwrite, "for review"),
        "loops_forever": ("stub", "while True:\n    pass", "time limit"),
        "exits": ("solution", "import os\nos._exit(0)", "kernel died"),
        "memory_bomb": ("stub", "hog = [bytearray(10**8) for _ in range(10_000)]", "memory limit"),
        "floods_output": ("stub", "for _ in range(100):\n    print('x' * 1_000_000)", "output"),
        "patches_comparisons": ("stub", patch, "reaches into the grader"),
    }


@pytest.mark.slow
def test_hostile_submissions_earn_nothing_and_harm_no_one(tmp_path):
    repo, source, release = H.released_copy(tmp_path, LESSON)
    course = repo / "course"
    stub = H.returning_none(release)
    (course / "canary.txt").write_text("the instructor's own file")

    submissions = {"aaa_honest": source, "zzz_honest": source}
    reasons = {}
    for student, (base, code, reason) in _attacks(repo).items():
        submissions[student] = _inject(source if base == "solution" else stub, code)
        reasons[student] = reason
    submissions["deletes_tests"] = _delete_tests(stub)
    reasons["deletes_tests"] = "graded cells missing"
    submissions["strips_metadata"] = _strip_metadata(source)
    reasons["strips_metadata"] = "graded cells missing"
    for student, nb in submissions.items():
        H.hand_in(repo, student, LESSON, nb)

    before = {
        "solutions": _tree_digest(course / "solutions"),
        "release": _tree_digest(course / "notebooks"),
        "honest": _tree_digest(course / "submitted" / "aaa_honest") | _tree_digest(course / "submitted" / "zzz_honest"),
        "canary": (course / "canary.txt").read_text(),
    }

    # a short cell timeout keeps the endless loop cheap; honest cells of this lesson take well under a second
    run = H.nbgrader("autograde", LESSON, "--Execute.timeout=15", cwd=repo, check=False, timeout=1200)
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-20000:]
    H.nbgrader("generate_feedback", LESSON, cwd=repo)

    # nothing outside the sandboxes changed
    assert _tree_digest(course / "solutions") == before["solutions"]
    assert _tree_digest(course / "notebooks") == before["release"]
    honest_now = _tree_digest(course / "submitted" / "aaa_honest") | _tree_digest(course / "submitted" / "zzz_honest")
    assert honest_now == before["honest"]
    assert (course / "canary.txt").read_text() == before["canary"]
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    from nbgrader.api import Gradebook

    graded_cells = {H.meta(c)["grade_id"] for c in H.grade_test_cells(source)}
    total = H.total_autograded_points(source)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores, flagged, notes = {}, {}, {}
        for student in submissions:
            nb = gb.find_submission_notebook(LESSON, LESSON, student)  # every one of them is in the gradebook
            scores[student] = sum(g.score for g in nb.grades if g.cell.name in graded_cells)
            flagged[student] = nb.flagged
            notes[student] = " ".join(c.auto_comment or "" for c in nb.comments)

    wanted = {s: (total if s.endswith("_honest") else 0.0) for s in submissions}
    assert scores == pytest.approx(wanted), json.dumps({"got": scores, "wanted": wanted}, indent=1)
    assert not flagged["aaa_honest"] and not flagged["zzz_honest"], notes
    for student, reason in reasons.items():
        assert flagged[student], f"{student} is not flagged for review"
        assert "Grader's note" in notes[student] and reason in notes[student], f"{student}: {notes[student]!r}"

    # nothing leaked: no solution line reached a hostile student's graded notebook or feedback
    secrets = H.solution_lines(source)
    for student in submissions:
        if student.endswith("_honest") or student in ("exits", "strips_metadata"):
            continue  # these hand in the solution themselves
        for folder in ("autograded", "feedback"):
            for f in (course / folder / student / LESSON).iterdir():
                text = f.read_text(errors="replace")
                leaked = [line for line in secrets if line in text]
                assert not leaked, f"{student}'s {folder}/{f.name} shows solution lines: {leaked[:3]}"
    flood = course / "autograded" / "floods_output" / LESSON / f"{LESSON}.ipynb"
    assert flood.stat().st_size < 5_000_000, f"the 100 MB of output was kept: {flood.stat().st_size} bytes"
