"""nbgrader's autograde pipeline, hardened against hostile submissions.

``nbgrader_config.py`` swaps two pieces into ``Autograde.autograde_preprocessors``:

- :class:`GradingExecute` replaces nbgrader's ``Execute``. Kernels run in the bubblewrap sandbox
  (:mod:`course_tools.sandbox`); the output a notebook may produce is capped (a submission printing 100 MB would
  otherwise bloat the autograded notebook, the feedback and the grader's memory); and a kernel that dies in a cell
  (``os._exit``, a segfault, the memory limit) no longer aborts the whole student. nbgrader would then drop the
  submission from the gradebook; here the cell gets an error output saying so, every later code cell gets a "not
  run" error (a test cell with an error scores 0: nothing unexecuted counts as passed), and grading goes on.
- :class:`RecordIntegrity`, after ``SaveAutoGrades``, writes what happened into the gradebook, where formgrader
  shows it: the notebook is *flagged*, and the reason goes into the automatic comment of its first graded answer. It
  also scans the student's own cells for code that reaches into the grading machinery (replacing functions of numpy,
  torch, builtins or ``mini_autograd.testing``, writing module ``__dict__``, ``sys.modules``, ``ctypes``, ``gc``,
  ``__code__``): such a notebook's autograded scores are set to 0 and it is flagged for review. An instructor who
  finds it harmless regrades by hand in formgrader (a manual score overrides the automatic one).
"""

from __future__ import annotations

import json
import os
import re

import nbformat
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_markdown_cell, new_output
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer, Unicode

from .sandbox import SandboxedKernelManager
from .submissions import gradable_by_nbgrader, sanitize_notebook

NOTES = "integrity_notes"  # key in nbconvert's resources: what the grader noticed, for RecordIntegrity
REPAIRS = "course_tools_repairs"  # key in the notebook's metadata: what RepairSubmission put right, for the notes

#: Student code that reaches into the grader: (pattern, what it means). Only cells the student wrote are scanned.
TAMPERING = [
    (r"\b(np|numpy|torch|math|builtins|testing|mini_autograd(\.\w+)*)\.\w+\s*=(?!=)", "replaces a library function"),
    (r"__dict__", "writes through a module's or object's __dict__"),
    (r"\bsys\.modules\s*(\[[^]]*\]\s*=(?!=)|\.(pop|update|setdefault|clear)\b)|\bdel\s+sys\.modules", "edits modules"),
    (r"\b(setattr|delattr)\s*\(\s*(np|numpy|torch|math|builtins|testing|mini_autograd)", "patches a module"),
    (r"\bimport\s+ctypes|\bfrom\s+ctypes\b", "uses ctypes"),
    (r"\bgc\.get_referr|\bgc\.get_referents", "digs into the garbage collector"),
    (r"__code__|__closure__|__globals__", "rewrites a function's code or closure"),
    (r"\bimport\s+builtins|__builtins__", "touches builtins"),
    (r"\bimportlib\.reload\b|\bimportlib\.import_module\b", "reloads or re-imports modules"),
    (r"(?<![\w.])vars\s*\(|(?<![\w.])globals\s*\(\s*\)\s*\[", "writes through vars() or globals()"),
    (r"(?<![\w.])(exec|eval|compile|__import__)\s*\(", "runs code built from strings"),
    (
        r"\b(setattr|delattr)\s*\(\s*\w+\s*,\s*['\"](allclose|isclose|assert_\w+|compare\w*|check_\w+)",
        "patches a check",
    ),
]


#: Student code that reaches outside its own folder or process: flagged for review with the reason, not zeroed.
SUSPICIOUS = [
    (r"\bopen\s*\(\s*[rbf]?['\"](/|\.\.)", "opens a file outside its folder"),
    (r"['\"](\.\./|/work/|/home/|/root/|/etc/)", "names a path outside its folder"),
    (r"\bos\.(listdir|scandir|walk|remove|unlink|rmdir|rename|replace|system|popen|kill|chmod)\b", "uses files"),
    (r"\bshutil\.|\bglob\.|\bsubprocess\b|\bsocket\b|\burllib\b|\brequests\b", "uses files, processes or network"),
    (r"\bos\._exit\b|\bsys\.exit\b", "exits the kernel"),
    (r"\bsqlite3\b|gradebook", "reaches for the gradebook"),
]


def note(resources, text: str) -> None:
    """Add one reason to the notes RecordIntegrity will write into the gradebook."""
    notes = resources.setdefault(NOTES, [])
    if text not in notes:
        notes.append(text)


def error_output(ename: str, evalue: str):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class NotGradable(ValueError):
    """A submission nbgrader cannot grade even after repair: an ordinary error, so nbgrader goes on to the next."""


class RepairSubmission(NbGraderPreprocessor):
    """First in autograde's sanitizing pass: the submission's nbgrader metadata is made safe against the release, in
    memory (course_tools.submissions.sanitize_notebook, the metadata part of ``submissions --repair``).

    nbgrader itself ends the *whole class's* run (SchemaTooOldError) on one notebook with a duplicated grade cell or
    an added cell holding ``"nbgrader": {}``; here such metadata is removed (empty, malformed, a grade id the release
    does not have, a duplicate) or put back from the release (a test cell turned into markdown or an answer, an
    answer marked read-only, changed points); what was done goes into the gradebook with the grade, and a notebook
    that still cannot be graded fails alone, with the reason. Cells whose metadata was stripped or that were deleted
    are left to ``submissions --repair`` (which keeps the originals): autograde grades them 0 and says so."""

    release_dir = Unicode("", help="the released notebooks, <release_dir>/<assignment>/<notebook>.ipynb").tag(
        config=True
    )

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        name = f"{info.get('notebook', '')}.ipynb"
        path = os.path.join(self.release_dir, info.get("assignment", ""), name) if self.release_dir else ""
        problems = []
        if path and os.path.exists(path):
            nb, problems = sanitize_notebook(nb, nbformat.read(path, as_version=4))
        why = gradable_by_nbgrader(nb)
        if why is not None:
            raise NotGradable(
                f"{info.get('student')}'s {name} cannot be graded even after repair ({why}); set aside, the rest of "
                "the class is graded. `python -m course_tools.submissions <assignment>` reports it."
            )
        if problems:
            self.log.warning("%s's %s repaired before grading: %s", info.get("student"), name, "; ".join(problems))
            nb.metadata[REPAIRS] = [f"{name}: {p}" for p in problems]
        return nb, resources


class GradingExecute(Execute):
    """nbgrader's Execute with a sandboxed kernel, an output budget and survival of a dying kernel."""

    max_output_bytes_per_cell = Integer(2_000_000, help="outputs beyond this many bytes in one cell are dropped").tag(
        config=True
    )
    max_output_bytes = Integer(20_000_000, help="outputs beyond this many bytes in one notebook are dropped").tag(
        config=True
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._dead = None
        self._bytes_total = 0
        self._bytes_cell = {}
        self._truncated = set()
        self._notes_target = resources if resources is not None else {}
        for repaired in nb.metadata.pop(REPAIRS, []):  # from RepairSubmission, in the sanitizing pass
            note(self._notes_target, f"before grading: {repaired}")
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError:
            # the kernel died outside a cell (while starting, say): every code cell is marked as not run
            self._kernel_died(None, "the kernel died before the notebook could run")
            for cell in nb.cells:
                self._mark_not_run(cell)
            return nb, resources

    def preprocess_cell(self, cell, resources, index):
        if self._dead is not None:
            self._mark_not_run(cell)
            return cell, self.resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._kernel_died(cell, f"the kernel died while running cell {index} (os._exit, a crash, or no memory)")
            return cell, self.resources
        for name in {o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"}:
            if name in self.limit_errors:
                note(self._notes_target, f"cell {index} {self.limit_errors[name]}")
        return cell, resources

    limit_errors = {
        "MemoryError": "hit the memory limit (MemoryError)",
        "CellTimeoutError": "ran past the time limit and was interrupted",
    }

    def _kernel_died(self, cell, reason: str) -> None:
        self._dead = reason
        note(self._notes_target, reason + "; the cells after it were not run and score 0")
        if cell is not None and cell.cell_type == "code":
            cell.outputs.append(error_output("DeadKernelError", reason))

    def _mark_not_run(self, cell) -> None:
        if cell.cell_type == "code" and cell.source.strip():
            cell.outputs = [error_output("NotRun", f"not run: {self._dead}")]

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is None:
            return out
        size = len(json.dumps(out, default=str))
        used = self._bytes_cell.get(cell_index, 0) + size
        if used > self.max_output_bytes_per_cell or self._bytes_total + size > self.max_output_bytes:
            if outs and outs[-1] is out:
                outs.pop()
            if cell_index not in self._truncated:
                self._truncated.add(cell_index)
                limit = self.max_output_bytes_per_cell / 1e6
                outs.append(
                    new_output("stream", name="stdout", text=f"\n[output truncated by the grader at {limit:g} MB]\n")
                )
                note(self._notes_target, f"cell {cell_index} produced more than {limit:g} MB of output (truncated)")
            return None
        self._bytes_cell[cell_index] = used
        self._bytes_total += size
        return out


def scan_for_tampering(nb, patterns=TAMPERING) -> list[str]:
    """Lines of student-written code cells matching ``patterns`` (by default: reaching into the grader)."""
    findings = []
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("locked") or (meta.get("grade") and not meta.get("solution")):
            continue  # locked cells and tests were restored from the gradebook by nbgrader: they are ours
        for line in cell.source.splitlines():
            code = line.split("#", 1)[0]
            for pattern, meaning in patterns:
                if re.search(pattern, code):
                    findings.append(f"cell {index} {meaning}: {line.strip()[:120]}")
                    break
    return findings


class RecordIntegrity(NbGraderPreprocessor):
    """After SaveAutoGrades: flag the notebook and write the reasons into the gradebook; zero tampering."""

    prefix = Unicode("Grader's note", help="how the note in the gradebook and the feedback begins").tag(config=True)
    reports_dir = Unicode("", help="where course_tools.submissions writes <assignment>/submissions.json").tag(
        config=True
    )

    def _submission_check(self, assignment: str, student: str) -> list[str]:
        """What the check before grading found and repaired for this student (course_tools.submissions)."""
        path = os.path.join(self.reports_dir, assignment, "submissions.json") if self.reports_dir else ""
        if not path or not os.path.exists(path):
            return []
        try:
            with open(path, encoding="utf-8") as f:
                entry = json.load(f).get(student) or {}
        except (OSError, ValueError):
            return []
        return [f"before grading: {p}" for p in entry.get("problems", [])]

    def preprocess(self, nb, resources):
        notes = list(resources.get(NOTES, []))
        tampering = scan_for_tampering(nb)
        if tampering:
            notes.append(
                "held for review, autograded score set to 0: the notebook's own code reaches into the grader ("
                + "; ".join(tampering[:5])
                + (f"; and {len(tampering) - 5} more" if len(tampering) > 5 else "")
                + ")"
            )
        suspicious = scan_for_tampering(nb, SUSPICIOUS)
        if suspicious:
            notes.append("for review: " + "; ".join(suspicious[:5]) + (" ..." if len(suspicious) > 5 else ""))
        info = resources["nbgrader"]
        notes += [n for n in self._submission_check(info["assignment"], info["student"]) if n not in notes]
        with Gradebook(info["db_url"]) as gb:
            submitted = gb.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
            lost = sorted(g.cell.name for g in submitted.grades if g.cell.name not in present)
            if lost:
                notes.append(
                    f"graded cells missing from the notebook, scored 0: {', '.join(lost)} (deleted, or their nbgrader "
                    "metadata was stripped by an editor: `python -m course_tools.submissions <assignment> --repair` "
                    "puts them back, then regrade)"
                )
                for grade in submitted.grades:
                    if grade.cell.name in lost and grade.auto_score is None and grade.manual_score is None:
                        grade.auto_score = 0.0
            if not notes:
                return nb, resources
            text = f"{self.prefix}: " + " | ".join(notes)
            submitted.flagged = True
            if tampering:
                for grade in submitted.grades:
                    if grade.auto_score is not None:
                        grade.auto_score = 0.0
            order = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
            rank = {name: i for i, name in enumerate(order)}
            comments = sorted(submitted.comments, key=lambda c: rank.get(c.cell.name, len(rank)))
            if comments:  # the note goes with the notebook's first answer, where formgrader shows it
                first = comments[0]
                first.auto_comment = text if not first.auto_comment else f"{text}\n{first.auto_comment}"
            gb.db.commit()
        self.log.warning("%s/%s/%s: %s", info["student"], info["assignment"], info["notebook"], text)
        # and in the notebook itself, first, so the feedback shows it
        nb.cells.insert(0, new_markdown_cell(f"**{text}**", metadata={"grader_note": True}))
        return nb, resources


__all__ = ["GradingExecute", "RecordIntegrity", "RepairSubmission", "scan_for_tampering"]
