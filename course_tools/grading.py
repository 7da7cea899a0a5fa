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

import io
import json
import os
import re
import tokenize

import nbformat
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_markdown_cell, new_output
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Enum, Integer, Unicode

from . import verdicts
from .sandbox import SandboxedKernelManager
from .submissions import gradable_by_nbgrader, sanitize_notebook

NOTES = "integrity_notes"  # key in nbconvert's resources: what the grader noticed, for RecordIntegrity
HANDOUT_MODE = "course_handout"  # key in nbconvert's resources: GradingExecute's COURSE_HANDOUT, for CompareOutside
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
    (r"__defaults__|__kwdefaults__", "changes a function's default arguments"),
    (r"__setattr__|__delattr__|__class__\s*=", "patches through __setattr__ or __class__"),
    (r"\b(Comparison|Report|Tensor|ndarray)\.\w+\s*=(?!=)", "patches a class the checks rely on"),
    (r"application/vnd\.course|\bHANDOUT\w*\s*=(?!=)", "forges or switches off the hand-out of results"),
]


#: Student code that reaches outside its own folder or process: flagged for review with the reason, not zeroed.
SUSPICIOUS = [
    (r"\bopen\s*\(\s*[rbf]?['\"](/|\.\.)", "opens a file outside its folder"),
    (r"['\"](\.\./|/work/|/home/|/root/|/etc/)", "names a path outside its folder"),
    (r"\bos\.(listdir|scandir|walk|remove|unlink|rmdir|rename|replace|system|popen|kill|chmod)\b", "uses files"),
    (r"\bshutil\.|\bglob\.|\bsubprocess\b|\bsocket\b|\burllib\b|\brequests\b", "uses files, processes or network"),
    (r"\bos\._exit\b|\bsys\.exit\b", "exits the kernel"),
    (r"\bsqlite3\b|gradebook", "reaches for the gradebook"),
    (r"\bget_ipython\b|showtraceback|\bevents\.register\b|displayhook|display_pub|input_transformers",
     "hooks into IPython"),
    (r"_getframe|\bf_globals\b|\bf_locals\b|\bf_back\b|currentframe|inspect\.stack|settrace|setprofile",
     "walks or traces the call stack"),
    (r"COURSE_HANDOUT|NBGRADER_EXECUTION|NBGRADER_VALIDATING", "checks whether it is being graded"),
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
    handout = Enum(
        ["1", "trusted", ""],
        "1",
        help="COURSE_HANDOUT for the kernel: '1' a student's run (test cells hand values out, hidden references "
        "stripped), 'trusted' the instructor's (the preflight), '' the checks decide in the kernel as at home",
    ).tag(config=True)

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
        if resources is not None:
            resources[HANDOUT_MODE] = self.handout  # for CompareOutside: were values handed out?
        previous = os.environ.get("COURSE_HANDOUT")
        if self.handout:
            os.environ["COURSE_HANDOUT"] = self.handout  # the sandbox passes it on to the kernel, read at its import
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError:
            # the kernel died outside a cell (while starting, say): every code cell is marked as not run
            self._kernel_died(None, "the kernel died before the notebook could run")
            for cell in nb.cells:
                self._mark_not_run(cell)
            return nb, resources
        finally:
            if previous is None:
                os.environ.pop("COURSE_HANDOUT", None)
            else:
                os.environ["COURSE_HANDOUT"] = previous

    def preprocess_cell(self, cell, resources, index):
        if self._dead is not None:
            self._mark_not_run(cell)
            return cell, self.resources
        source = cell.source
        if self.handout == "1" and verdicts.is_test_cell(cell):
            cell.source = verdicts.handout_source(source)  # no reference code in a student's kernel
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.source = source
            self._kernel_died(cell, f"the kernel died while running cell {index} (os._exit, a crash, or no memory)")
            return cell, self.resources
        finally:
            cell.source = source
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


class CompareOutside(NbGraderPreprocessor):
    """After GradingExecute, before SaveAutoGrades: every autograded test cell's verdict, decided here.

    In the student's kernel the checks only handed the student's values out (``mini_autograd.testing``, hand-out
    mode: one record per check, a display output of the MIME type ``application/vnd.course.handout+json``). Here,
    in the grader's process, each test cell's records must be exactly the checks the instructor's trusted run made
    (same number, same names, same order), and each value is compared with the trusted expected value by
    ``mini_autograd.testing.compare``, with the trusted run's tolerances and hints. A missing, extra, refused or
    differing record fails the cell: an error output goes *first* in the cell (so nbgrader's SaveAutoGrades scores
    it 0 whatever else the cell displayed), with the message a student would have seen. Records that look forged,
    refused or missing are noted for RecordIntegrity (flagged for review with the reason); an honest wrong answer is
    not. The kernel's own errors still count. The records are removed from every cell afterwards."""

    reports_dir = Unicode("", help="where the preflight keeps <assignment>/references.json").tag(config=True)
    source_dir = Unicode("", help="the source notebooks, <source_dir>/<assignment>/<notebook>.ipynb").tag(config=True)

    def _references(self, assignment: str, notebook: str) -> dict | None:
        if not self.reports_dir:
            return None
        refs = verdicts.read_references(verdicts.references_path(self.reports_dir, assignment))
        entry = ((refs or {}).get("notebooks") or {}).get(notebook)
        if entry is None:
            return None
        src = os.path.join(self.source_dir, assignment, f"{notebook}.ipynb") if self.source_dir else ""
        if src and os.path.exists(src) and verdicts.source_digest(src) != entry.get("source"):
            return None  # the references are of another version of the source
        return entry["cells"]

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        if resources.get(HANDOUT_MODE, "1") != "1":  # the kernel was told not to hand values out: nothing to judge
            self.log.warning("GradingExecute.handout is %r: the kernel's own verdicts stand", resources[HANDOUT_MODE])
            return nb, resources
        refs = self._references(info.get("assignment", ""), info.get("notebook", ""))
        if refs is None:
            self.log.warning(
                "No trusted references for %s/%s (run the preflight: nbgrader autograde with the preflight on): "
                "its test cells are graded by the kernel's own verdicts only",
                info.get("assignment"),
                info.get("notebook"),
            )
        for index, cell in enumerate(nb.cells):
            if refs is not None and verdicts.is_test_cell(cell):
                self._judge(cell, index, refs.get(cell.metadata["nbgrader"]["grade_id"]), resources)
            if cell.cell_type == "code":
                cell.outputs = [
                    o for o in cell.get("outputs", []) if verdicts.HANDOUT_MIME not in o.get("data", {})
                ]
        return nb, resources

    def _judge(self, cell, index, ref, resources) -> None:
        from mini_autograd.testing import Refused, verdict, verdict_message

        gid = cell.metadata["nbgrader"]["grade_id"]
        if ref is None:
            return  # a test cell the source does not have: nbgrader's own checks deal with it
        records = verdicts.records_of(cell)
        wanted = ref["records"]
        outputs = cell.get("outputs", [])
        kernel_error = any(
            o.get("output_type") == "error" or (o.get("output_type") == "stream" and o.get("name") == "stderr")
            for o in outputs
        )
        messages, problems, tampered_checks = [], [], False
        results = sum(1 for o in outputs if o.get("output_type") == "execute_result")
        if results > ref.get("results", 0):
            problems.append("a result was displayed that the test cell does not display (forged output)")
            messages.append("the cell displayed a result of its own; test cells display none")
        for k, want in enumerate(wanted):
            if k >= len(records):
                if not kernel_error:
                    problems.append(f"{len(wanted) - k} of its {len(wanted)} checks handed nothing out (the checks "
                                    "were bypassed, or the kernel's error hidden)")
                    messages.append(f"{want.get('name') or 'a check'}: not checked (nothing was handed out)")
                break
            rec = records[k]
            if not isinstance(rec, dict) or rec.get("check") != want["check"] or rec.get("name") != want["name"]:
                problems.append(f"check {k + 1} of {len(wanted)} handed out a record that is not the test's "
                                f"(forged or out of order: {str(rec)[:80]!r})")
                messages.append(f"{want.get('name') or 'a check'}: the record handed out is not this check's")
                break
            try:
                result = verdict(rec, want)
            except Refused as exc:
                problems.append(f"check {want['name'] or k + 1!r}: the value is not plain data ({exc}), refused")
                messages.append(
                    f"{want.get('name') or 'a result'}: your value is {exc}; return plain numbers, lists, dicts, "
                    "numpy arrays or tensors"
                )
                continue
            except (KeyError, TypeError, ValueError, AttributeError, RecursionError, OverflowError) as exc:
                problems.append(f"check {k + 1}: a malformed record ({exc})")
                messages.append(f"{want.get('name') or 'a check'}: the record handed out is malformed")
                continue
            if not result.ok:
                messages.append(verdict_message(result))
                if not kernel_error and want.get("lazy") is False and not tampered_checks:
                    tampered_checks = True  # the kernel compared this very value itself, and did not object
                    problems.append(f"check {want['name'] or k + 1!r} passed in the kernel with a value that is wrong "
                                    "(the kernel's checks were tampered with, or its error hidden)")
        if len(records) > len(wanted):
            problems.append(f"{len(records) - len(wanted)} more records than the test's {len(wanted)} checks (forged)")
            messages.append("more results were handed out than the test checks")
        if problems:
            note(resources, f"test cell {gid} (cell {index}): " + "; ".join(problems))
        if messages and not (kernel_error and not problems):  # else the kernel's own error already fails it
            text = "\n".join(messages)
            out = new_output(
                "error",
                ename="AssertionError",
                evalue=text,
                traceback=["AssertionError (checked by the grader, outside your notebook's kernel):", *messages],
            )
            cell.outputs = [out, *outputs]


def _code_lines(source: str) -> list[tuple[str, str]]:
    """(line, the line without its comment) for each line: comments found by Python's tokenizer, so a ``#``
    inside a string does not hide the rest of the line. Source that does not tokenize is scanned whole."""
    lines = source.splitlines()
    cut = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                cut[tok.start[0] - 1] = tok.start[1]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [(line, line) for line in lines]
    return [(line, line[: cut[i]] if i in cut else line) for i, line in enumerate(lines)]


def scan_for_tampering(nb, patterns=TAMPERING) -> list[str]:
    """Lines of student-written code cells matching ``patterns`` (by default: reaching into the grader)."""
    findings = []
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("locked") or (meta.get("grade") and not meta.get("solution")):
            continue  # locked cells and tests were restored from the gradebook by nbgrader: they are ours
        for line, code in _code_lines(cell.source):
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


__all__ = ["CompareOutside", "GradingExecute", "RecordIntegrity", "RepairSubmission", "scan_for_tampering"]
