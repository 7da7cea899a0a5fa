"""Check submissions before autograding, and repair what editors and LMSs break, without losing anything.

    python -m course_tools.submissions 03_graphs            # report only
    python -m course_tools.submissions 03_graphs --repair   # and fix what can be fixed

For each student in ``course/submitted/<student>/<assignment>/`` it compares the handed-in notebooks with the
released ones (``course/notebooks/<assignment>/``) and reports, per student:

- a **missing** notebook, or a **renamed** one ("Copy of 03_graphs.ipynb", "03_graphs (1).ipynb"): renamed back;
- a file that is **not a notebook** (invalid JSON, an HTML page, an empty file): "not gradable", left where it is;
- **stripped nbgrader metadata** (Colab, VS Code and other editors can drop cell metadata; nbgrader then crashes or
  gives 0 without saying why): each released cell's metadata is put back on the student's matching cell, found by
  cell id, then (locked and test cells) by identical text, then (answer cells) by position between cells already
  matched;
- **deleted** test or locked cells: put back from the release (autograde then restores the hidden tests);
- **deleted answer** cells: the release's empty cell is put back, so nbgrader grades the exercise (0) instead of
  failing;
- **edited** test cells: reported (autograde overwrites them from the gradebook anyway);
- **duplicated** grade ids (a student copied a test cell): the copy loses its nbgrader metadata;
- **empty, malformed or forged** nbgrader metadata (an added cell with ``"nbgrader": {}``, which makes nbgrader end
  the whole class's run; metadata without a grade id; a grade id the release does not have): removed;
- a test cell **turned into** markdown or an answer, an answer **marked read-only**, **changed points**: the release's
  cell type and metadata are put back (``nbgrader autograde`` does this part itself too: ``RepairSubmission``);
- a notebook nbgrader's own metadata check still rejects after all that: "not gradable", with the reason.

Nothing is lost: before a file is changed or renamed, the original is copied to
``course/submitted_originals/<student>/<assignment>/``. The report is printed and written to
``course/reports/<assignment>/submissions.json``, from which ``RecordIntegrity`` copies each student's problems
into the gradebook next to their grade. ``python -m course_tools.autograde_all`` runs this with ``--repair`` first.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from .lms import notebook_name


@dataclass
class StudentReport:
    student: str
    status: str = "ok"  # "ok", "noted", "needs --repair", "repaired", "not gradable"
    problems: list[str] = field(default_factory=list)

    @property
    def gradable(self) -> bool:
        return self.status != "not gradable"


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_answer(cell) -> bool:
    return bool(_meta(cell).get("solution"))


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _backup(path: Path, course: Path, student: str, assignment: str) -> None:
    dest = course / "submitted_originals" / student / assignment / path.name
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)


# Cells are dicts, and two cells can be equal (two empty cells): find them by identity, never by ==.
def _position(cells, cell) -> int:
    return next(i for i, c in enumerate(cells) if c is cell)


def _contains(cells, cell) -> bool:
    return any(c is cell for c in cells)


def _discard(cells, cell) -> None:
    del cells[_position(cells, cell)]


def _restore(cell, rcell) -> None:
    """Give ``cell`` the released cell's type and nbgrader metadata (its text stays the student's)."""
    if cell.cell_type != rcell.cell_type:
        cell.cell_type = rcell.cell_type
        if cell.cell_type == "code":
            cell["outputs"], cell["execution_count"] = [], None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    cell.metadata["nbgrader"] = copy.deepcopy(_meta(rcell))
    if "editable" in rcell.metadata:
        cell.metadata["editable"] = rcell.metadata["editable"]
        cell.metadata["deletable"] = rcell.metadata.get("deletable", True)


def gradable_by_nbgrader(nb) -> str | None:
    """None when nbgrader's own metadata check accepts ``nb``, else why not."""
    from nbgrader.nbgraderformat import MetadataValidator

    try:
        MetadataValidator().validate_nb(nb)
    except Exception as exc:  # noqa: BLE001 - SchemaTooOld/New, jsonschema and nbgrader ValidationErrors alike
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    return None


_FLAGS = ("grade", "solution", "locked", "points", "task")


def _valid_cell(cell) -> bool:
    from nbgrader.nbgraderformat import MetadataValidator

    try:
        MetadataValidator().validate_cell(cell)
    except Exception:  # noqa: BLE001 - any validation error
        return False
    return True


def sanitize_in_place(nb, wanted: dict, problems: list[str]) -> None:
    """The part of the repair that is about nbgrader's metadata alone, so that nbgrader neither crashes on a notebook
    nor trusts what a student wrote there (``wanted``: the release's cells by grade id)."""
    # nbgrader metadata the release never had: empty ("nbgrader": {}, which nbgrader takes for an outdated schema and
    # then ends the whole class's run), malformed, or naming a grade id the release does not have (forged)
    stripped = []
    for index, cell in enumerate(nb.cells):
        if "nbgrader" not in cell.get("metadata", {}):
            continue
        meta = cell.metadata["nbgrader"]
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if not isinstance(meta, dict) or not meta:
            why = "empty nbgrader metadata"
        elif gid is None:
            why = "nbgrader metadata without a grade id"
        elif gid not in wanted:
            why = f"nbgrader metadata for a grade id the release does not have ({gid!r})"
        else:
            continue
        cell.metadata.pop("nbgrader")
        problems.append(f"cell {index}: {why}; removed")
        stripped.append(cell)

    # duplicated grade ids: the later copy is the student's, not ours
    seen = set()
    for cell in nb.cells:
        gid = _meta(cell).get("grade_id")
        if gid in seen:
            cell.metadata.pop("nbgrader", None)
            problems.append(f"cell {gid!r} appears twice; the copy lost its nbgrader metadata")
        elif gid:
            seen.add(gid)

    # a cell whose metadata was removed above may still be a released one that lost its grade id: the same cell id,
    # or (test and read-only cells) the same text, as a released cell the notebook lacks
    present = {_meta(c).get("grade_id") for c in nb.cells}
    for cell in stripped:
        for gid, rcell in wanted.items():
            same_id = cell.get("id") and cell.get("id") == rcell.get("id")
            same_text = not _is_answer(rcell) and _norm(cell.get("source", "")) == _norm(rcell.source)
            if gid not in present and (same_id or same_text):
                _restore(cell, rcell)
                present.add(gid)
                problems.append(f"cell {gid!r} recognised by its id or text; the release's metadata put back")
                break

    # cells that kept their grade id but not what the release says of it: a test cell turned into markdown or into
    # an answer, an answer marked read-only, points changed, metadata nbgrader rejects. The release's put back.
    for cell in nb.cells:
        gid = _meta(cell).get("grade_id")
        if gid not in wanted:
            continue
        rcell = wanted[gid]
        changed = []
        if cell.cell_type != rcell.cell_type:
            changed.append(f"turned from {rcell.cell_type} into {cell.cell_type}")
        for key in _FLAGS:
            if _meta(cell).get(key) != _meta(rcell).get(key):
                changed.append(f"{key} {_meta(rcell).get(key)!r} -> {_meta(cell).get(key)!r}")
        if changed or not _valid_cell(cell):
            _restore(cell, rcell)
            what = ", ".join(changed) or "metadata nbgrader rejects"
            problems.append(f"cell {gid!r} differed from the release ({what}); the release's put back")


def sanitize_notebook(nb, release) -> tuple[object, list[str]]:
    """A copy of ``nb`` with only its nbgrader metadata made safe (:func:`sanitize_in_place`); what was wrong."""
    nb = copy.deepcopy(nb)
    problems: list[str] = []
    sanitize_in_place(nb, {_meta(c)["grade_id"]: c for c in release.cells if _meta(c).get("grade_id")}, problems)
    return nb, problems


def repair_notebook(nb, release) -> tuple[object, list[str]]:
    """A copy of ``nb`` whose nbgrader cells line up with ``release``; and what was wrong, in words."""
    nb = copy.deepcopy(nb)
    problems = []
    wanted = {_meta(c)["grade_id"]: c for c in release.cells if _meta(c).get("grade_id")}  # in release order
    order = list(wanted)

    sanitize_in_place(nb, wanted, problems)

    # match every released grade cell to a student cell: grade id -> student cell
    matched = {_meta(c)["grade_id"]: c for c in nb.cells if _meta(c).get("grade_id") in wanted}
    free = [c for c in nb.cells if not _meta(c).get("grade_id")]
    restored = []

    def take(gid, candidates):
        if candidates:
            matched[gid] = candidates[0]
            _discard(free, candidates[0])
            restored.append(gid)

    def neighbours(gid):
        """The student cells already matched to the released cells before and after ``gid``."""
        k = order.index(gid)
        return [matched[g] for g in order[:k] if g in matched], [matched[g] for g in order[k + 1 :] if g in matched]

    for gid, rcell in wanted.items():  # 1. same cell id (Jupyter, and nbformat 4.5 editors, keep ids)
        if gid not in matched:
            take(
                gid,
                [c for c in free if c.get("id") and c.get("id") == rcell.get("id") and c.cell_type == rcell.cell_type],
            )
    for gid, rcell in wanted.items():  # 2. locked and test cells: the same text
        if gid not in matched and not _is_answer(rcell):
            take(gid, [c for c in free if c.cell_type == rcell.cell_type and _norm(c.source) == _norm(rcell.source)])
    for gid, rcell in wanted.items():  # 3. answers: between the neighbours already matched
        if gid not in matched and _is_answer(rcell):
            before, after = neighbours(gid)
            lo = _position(nb.cells, before[-1]) if before else -1
            hi = _position(nb.cells, after[0]) if after else len(nb.cells)
            take(gid, [c for c in nb.cells[lo + 1 : hi] if _contains(free, c) and c.cell_type == rcell.cell_type])
    for gid in restored:
        _restore(matched[gid], wanted[gid])
    if restored:
        problems.append(f"nbgrader metadata was stripped from {len(restored)} cell(s); put back")

    # what is still missing comes back from the release, after the cell matched before it
    missing = [rcell for gid, rcell in wanted.items() if gid not in matched]
    for rcell in missing:
        before, _ = neighbours(_meta(rcell)["grade_id"])
        fresh = copy.deepcopy(rcell)
        nb.cells.insert(_position(nb.cells, before[-1]) + 1 if before else 0, fresh)
        matched[_meta(rcell)["grade_id"]] = fresh
    deleted_tests = [_meta(c)["grade_id"] for c in missing if not _is_answer(c) and _meta(c).get("grade")]
    deleted_answers = [_meta(c)["grade_id"] for c in missing if _is_answer(c)]
    deleted_locked = [_meta(c)["grade_id"] for c in missing if not _is_answer(c) and not _meta(c).get("grade")]
    if deleted_tests:
        problems.append(f"test cell(s) deleted, put back from the release: {', '.join(deleted_tests)}")
    if deleted_answers:
        problems.append(f"answer cell(s) deleted, the empty cell put back (scores 0): {', '.join(deleted_answers)}")
    if deleted_locked:
        problems.append(f"{len(deleted_locked)} read-only cell(s) deleted, put back from the release")

    edited = [
        gid
        for gid, c in wanted.items()
        if _meta(c).get("grade")
        and not _is_answer(c)
        and gid not in deleted_tests
        and _norm(matched[gid].source) != _norm(c.source)
    ]
    if edited:
        problems.append(f"test cell(s) edited (autograde restores them): {', '.join(edited)}")
    return nb, problems


def check_student(course: Path, assignment: str, student: str, releases: dict, repair: bool) -> StudentReport:
    report = StudentReport(student)
    folder = course / "submitted" / student / assignment
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".ipynb")
    changed = needs_fix = False
    for name, release in releases.items():
        path = folder / name
        if not path.exists():
            candidates = [p for p in files if notebook_name(p.name).lower() == name.lower()]
            if len(candidates) == 1:
                report.problems.append(
                    f"{candidates[0].name!r} should be named {name!r}" + ("; renamed" if repair else "")
                )
                if repair:
                    _backup(candidates[0], course, student, assignment)
                    candidates[0].rename(path)
                    changed = True
                else:
                    path, needs_fix = candidates[0], True
            else:
                others = ", ".join(repr(p.name) for p in files) or "no notebooks"
                why = "several candidates" if candidates else "missing"
                report.problems.append(f"{name} {why} (found {others})")
                report.status = "not gradable"
                continue
        try:
            nb = nbformat.read(str(path), as_version=4)
        except Exception as exc:  # noqa: BLE001 - json errors, nbformat validation, binary junk: all "not a notebook"
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            report.problems.append(f"{path.name} is not a notebook ({type(exc).__name__}: {first[:200]})")
            report.status = "not gradable"
            continue
        fixed, problems = repair_notebook(nb, release)
        report.problems += [f"{path.name}: {p}" for p in problems]
        why = gradable_by_nbgrader(fixed)
        if why is not None:  # nbgrader would fail on it even after the repair: set aside, with the reason
            report.problems.append(f"{path.name} cannot be graded by nbgrader even after repair ({why})")
            report.status = "not gradable"
            continue
        if fixed != nb:
            needs_fix = True
            if repair:
                _backup(path, course, student, assignment)
                nbformat.write(fixed, str(path))
                changed = True
    if report.status == "ok" and report.problems:
        # "noted": something to know (an edited test cell) that autograde itself puts right
        report.status = "repaired" if changed else "needs --repair" if needs_fix else "noted"
    return report


def students_with_submissions(course: Path, assignment: str) -> list[str]:
    """The students with a folder course/submitted/<student>/<assignment>/, sorted."""
    submitted = course / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())


def check_assignment(course_dir, assignment: str, students=None, repair: bool = False) -> list[StudentReport]:
    """Check (and with ``repair`` fix) every listed student's submission; writes the JSON report too."""
    course = Path(course_dir)
    release_dir = course / "notebooks" / assignment
    release_files = sorted(release_dir.glob("*.ipynb")) if release_dir.is_dir() else []
    if not release_files:
        raise FileNotFoundError(
            f"no released notebooks in {release_dir}: run `nbgrader generate_assignment {assignment}` first"
        )
    releases = {p.name: nbformat.read(str(p), as_version=4) for p in release_files}
    everyone = students or students_with_submissions(course, assignment)
    reports = [check_student(course, assignment, s, releases, repair) for s in everyone]
    out = course / "reports" / assignment / "submissions.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous.update({r.student: asdict(r) for r in reports})
    out.write_text(json.dumps(previous, indent=1, ensure_ascii=False))
    return reports


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.submissions", description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--student", action="append", help="only these students (repeatable)")
    parser.add_argument("--course", default="course", help="the course directory (default: ./course)")
    parser.add_argument("--repair", action="store_true", help="fix what can be fixed (originals are kept)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        reports = check_assignment(args.course, args.assignment, args.student, repair=args.repair)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([asdict(r) for r in reports], indent=1, ensure_ascii=False))
    else:
        for r in reports:
            print(f"{r.student:<24} {r.status}")
            for p in r.problems:
                print(f"{'':<26}- {p}")
        bad = sum(not r.gradable for r in reports)
        print(f"{len(reports)} submission(s); {bad} not gradable" + ("" if args.repair else "; --repair to fix"))
    return 0 if all(r.gradable for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
