"""Grade the instructor's own solution before any student: a broken grading environment stops with one message.

If the kernel's Python cannot import ``mini_autograd``, or the sandbox hides something a lesson needs, every student
scores 0 on every test and nothing says why. So before it grades anyone, ``nbgrader autograde`` (through
``c.Autograde.pre_convert_hook`` in ``nbgrader_config.py``) and ``python -m course_tools.autograde_all`` run the
*source* notebook, ``course/solutions/<assignment>/``, through the same path a submission takes: the
same kernel, in the same bubblewrap sandbox, with the same limits (:class:`course_tools.grading.GradingExecute`),
scored by nbgrader's own rule (``nbgrader.utils.determine_grade``). Unless it earns full marks, grading stops before
anything is written into the gradebook, with a message that names each failing cell, its error and the likely fix.

The preflight's run is also the *trusted run* of the outside verdicts (:mod:`course_tools.verdicts`): it runs with
``COURSE_HANDOUT=trusted``, so every check of a test cell hands out the solution's value together with the expected
value and the tolerances; these records, per test cell, are the references that
:class:`course_tools.grading.CompareOutside` compares every student's values with, in the grader's process. They are
kept in ``course/reports/<assignment>/references.json`` (never inside a kernel's reach) under the same key.

A passing result is cached in ``course/reports/<assignment>/preflight.json`` under a key made of the source
notebooks, the kernel's Python and what it imports (its ``sys.path``, the folders of the lesson packages and a
fingerprint of their files, the versions of everything installed there): grading one student at a time pays for the
preflight once, and any change to the lesson or the environment runs it again. A failure is never cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import sandbox, verdicts


class PreflightFailed(SystemExit):
    """The solution does not earn full marks here: grading stops (exit status 3) before any student."""

    def __init__(self, message: str):
        super().__init__(3)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass
class Result:
    assignment: str
    ok: bool
    seconds: float
    cached: bool = False
    failures: list[str] = field(default_factory=list)
    message: str = ""


#: (error name, pattern in the error text, likely fix). The first match wins.
FIXES = [
    (
        "ModuleNotFoundError",
        r"No module named '?([\w.]+)'?",
        "the kernel's Python ({python}) cannot import the package {0}; install it into the grading environment "
        "(with that Python: `python -m pip install -c constraints.txt -e .` in the course repository) or point the "
        "`python3` kernel spec at a Python that has it (`jupyter kernelspec list`)",
    ),
    (
        "ImportError",
        r"",
        "a package imports but is broken or of the wrong version in the kernel's Python ({python}); reinstall it "
        "(`pip install -c constraints.txt -e .`)",
    ),
    ("DeadKernelError", r"", "the kernel died: raise c.SandboxedKernelManager.memory_mb, or check the kernel's Python"),
    ("MemoryError", r"", "the sandbox's memory limit is too low: raise c.SandboxedKernelManager.memory_mb"),
    ("CellTimeoutError", r"", "a cell ran past c.Execute.timeout: raise it in nbgrader_config.py"),
    ("NotRun", r"", "not run because the kernel died earlier: fix the first error"),
    (
        "FileNotFoundError|PermissionError|OSError",
        r"",
        "the sandbox hides a file the lesson needs: put it in course/solutions/<assignment>/ (autograde copies it), "
        "or list its folder in c.SandboxedKernelManager.extra_readonly",
    ),
    (
        "NameError",
        r"",
        "a name an earlier cell should have defined is missing: fix the first error in the notebook (often an import)",
    ),
    (
        "",
        r"",
        "the solution fails its own test in this environment: check the source (`nbgrader validate "
        "course/solutions/<assignment>/<notebook>.ipynb`) and the installed mini_autograd",
    ),
]


def likely_fix(ename: str, evalue: str, python: str) -> str:
    for names, pattern, fix in FIXES:
        if names and not re.fullmatch(names, ename):
            continue
        m = re.search(pattern, evalue or "")
        if m is None:
            continue
        return fix.format(*(m.groups() or ("",)), python=python)
    return ""


def _errors(cell) -> list[tuple[str, str]]:
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            out.append((o.get("ename", ""), o.get("evalue", "")))
        elif o.get("output_type") == "stream" and o.get("name") == "stderr":
            text = o.get("text", "").strip()
            out.append(("stderr", text.splitlines()[-1][:200] if text else ""))
    return out


def kernel_python(kernel_name: str) -> str:
    """The interpreter that runs ``kernel_name``, as jupyter_client would start it."""
    from jupyter_client.kernelspec import KernelSpecManager

    argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
    first = argv[0]
    if first in {"python", f"python{sys.version_info[0]}", f"python{sys.version_info[0]}.{sys.version_info[1]}"}:
        return sys.executable  # what jupyter_client does with these names
    return shutil.which(first) or first


def _tree_fingerprint(folder: str) -> list:
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for f in sorted(files):
            if f.endswith((".py", ".json", ".pth", ".so")):
                st = os.stat(os.path.join(root, f))
                out.append([os.path.relpath(os.path.join(root, f), folder), st.st_size, st.st_mtime_ns])
    return out


def environment(python: str) -> dict:
    """What the kernel's Python imports, as data: its answer to :func:`sandbox.ask_python`, the lesson packages'
    files (size and time of each), and the installed distributions (name and version) on its ``sys.path``."""
    view = sandbox.ask_python(os.path.abspath(python))
    installed = []
    for entry in view["path"]:
        if os.path.isdir(entry):
            installed += sorted(n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info", ".pth")))
    return {
        "python": os.path.abspath(python),
        "view": view,
        "packages": {d: _tree_fingerprint(d) for d in sandbox.package_dirs(view)},
        "installed": installed,
    }


def cache_key(sources: list[Path], env: dict, config_bits: dict) -> str:
    h = hashlib.sha256()
    for s in sources:
        h.update(s.name.encode() + b"\0" + s.read_bytes())
    h.update(json.dumps(env, sort_keys=True).encode())
    h.update(json.dumps(config_bits, sort_keys=True, default=str).encode())
    for module in ("sandbox.py", "grading.py", "preflight.py", "verdicts.py"):  # the grading code itself
        h.update((Path(__file__).parent / module).read_bytes())
    return h.hexdigest()


def _config_bits(config) -> dict:
    """The settings that change how a notebook runs: limits, timeouts, folders shown to the kernel."""
    out = {}
    for section in ("SandboxedKernelManager", "GradingExecute", "Execute", "ExecutePreprocessor"):
        if section in config:
            out[section] = {k: repr(v) for k, v in config[section].items()}
    return out


def run_source(nb_path: Path, config, log=None):
    """Execute the source notebook as autograde executes a submission: GradingExecute, sandboxed, in a fresh
    copy of its folder, as the trusted run (``COURSE_HANDOUT=trusted``). Returns the executed notebook."""
    from .grading import GradingExecute

    nb = nbformat.read(str(nb_path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    work = Path(tempfile.mkdtemp(prefix="nbg-preflight-"))
    try:
        folder = work / nb_path.parent.name
        shutil.copytree(nb_path.parent, folder, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        execute = GradingExecute(config=config, **({"log": log} if log is not None else {}))
        execute.handout = "trusted"
        resources = {"metadata": {"path": str(folder)}}
        previous = os.environ.get("NBGRADER_EXECUTION")
        os.environ["NBGRADER_EXECUTION"] = "autograde"
        try:
            nb, _ = execute.preprocess(nb, resources)
        finally:
            if previous is None:
                os.environ.pop("NBGRADER_EXECUTION", None)
            else:
                os.environ["NBGRADER_EXECUTION"] = previous
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return nb


def score(nb) -> tuple[list[str], list[tuple[str, str]]]:
    """(one line per autograded cell that lost points, every error in the notebook in order as (cell, error))."""
    from nbgrader import utils

    failing, errors = [], []
    for index, cell in enumerate(nb.cells):
        name = cell.metadata.get("nbgrader", {}).get("grade_id") or cell.get("id") or f"cell {index}"
        errs = _errors(cell) if cell.cell_type == "code" else []
        errors += [(name, f"{e}: {v}") for e, v in errs]
        if not utils.is_grade(cell):
            continue
        got, most = utils.determine_grade(cell)
        if got is not None and got < most:
            failing.append(name)
    return failing, errors


def check(assignment: str, config, course_root: str, source_directory: str = "solutions", log=None) -> Result:
    """Preflight of ``assignment``: cached if the same sources already passed in the same environment."""
    start = time.perf_counter()
    folder = Path(course_root) / source_directory / assignment
    sources = sorted(folder.glob("*.ipynb"))
    if not sources:
        raise PreflightFailed(f"preflight of {assignment}: no source notebooks in {folder}")
    kernels = {nbformat.read(str(s), as_version=4).metadata.get("kernelspec", {}).get("name") for s in sources}
    kernels = {k or "python3" for k in kernels}
    pythons = {k: kernel_python(k) for k in sorted(kernels)}
    try:
        env = {k: environment(p) for k, p in pythons.items()}
    except sandbox.KernelPythonUnusable as exc:
        raise PreflightFailed(f"PREFLIGHT FAILED for {assignment}: {exc}; fix the `python3` kernel spec") from exc
    key = cache_key(sources, env, _config_bits(config))
    cache = Path(course_root) / "reports" / assignment / "preflight.json"
    refs_path = verdicts.references_path(Path(course_root) / "reports", assignment)
    try:
        if json.loads(cache.read_text()).get("key") == key and (verdicts.read_references(refs_path) or {}).get(
            "key"
        ) == key:
            return Result(assignment, True, time.perf_counter() - start, cached=True)
    except (OSError, ValueError):
        pass
    python = ", ".join(pythons.values())
    failures, lines, references = [], [], {}
    for src in sources:
        nb = run_source(src, config, log)
        cells = verdicts.references_from(nb)
        references[src.stem] = {"source": verdicts.source_digest(src), "cells": cells}
        failing, errors = score(nb)
        for gid, ref in cells.items():  # a trusted record without an expected value cannot grade anyone
            if gid not in failing and any("expected" not in r for r in ref["records"]):
                failing.append(gid)
                errors.append((gid, "NoReference: a check handed out no expected value in the trusted run"))
        if not failing:
            continue
        cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
        said = None
        for name in failing:
            errs = _errors(cells[name]) if name in cells else []
            ename, evalue = errs[0] if errs else ("", "")
            failures.append(f"{src.name}: {name}")
            fix = likely_fix(ename, evalue, python)
            lines.append(f"  - {src.name}, cell {name!r}: {ename}: {evalue}".rstrip(": "))
            lines.append(f"      likely fix: {fix}" if fix != said else "      likely fix: the same")
            said = fix
        if errors:
            first_cell, first_error = errors[0]
            ename, _, evalue = first_error.partition(": ")
            fix = likely_fix(ename, evalue, python)
            lines.append(f"  first error in the notebook: cell {first_cell!r}: {first_error}")
            lines.append(f"      likely fix: {fix}" if fix != said else "      likely fix: the same")
    seconds = time.perf_counter() - start
    if failures:
        message = (
            f"PREFLIGHT FAILED: the solution of {assignment} (course/{source_directory}/{assignment}) does not earn "
            f"full marks in the grading sandbox, so every student would lose the same points. No student was "
            f"graded and nothing was written into the gradebook. Kernel's Python: {python}.\n" + "\n".join(lines)
        )
        return Result(assignment, False, seconds, failures=failures, message=message)
    cache.parent.mkdir(parents=True, exist_ok=True)
    verdicts.write_references(refs_path, key, references)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"key": key, "assignment": assignment, "seconds": round(seconds, 2), "python": python}))
    os.replace(tmp, cache)
    return Result(assignment, True, seconds)


def require(assignment: str, config, course_root: str, source_directory: str = "solutions", log=None) -> Result:
    """:func:`check`, raising :class:`PreflightFailed` (a SystemExit) with the message when it fails."""
    result = check(assignment, config, course_root, source_directory, log)
    if not result.ok:
        raise PreflightFailed(result.message)
    return result


_done: dict[str, Result] = {}


def autograde_hook(assignment=None, student=None, notebooks=None, **_) -> None:
    """``c.Autograde.pre_convert_hook``: the preflight, once per assignment and process, before nbgrader writes
    anything of the first student into the gradebook. Raises SystemExit (nbgrader lets hooks fail silently only
    with an Exception) so that ``nbgrader autograde`` stops with the message."""
    from traitlets.config import Application

    # The running nbgrader application: `nbgrader autograde`'s AutogradeApp, or formgrader's when its Autograde
    # button grades (there AutogradeApp.instance() would raise MultipleInstanceError).
    app = Application.instance() if Application.initialized() else None
    if app is None:
        return
    if getattr(app, "coursedir", None) is None:  # formgrader's server: its config is not the course's
        app.log.warning(
            "Preflight skipped: autograde was started from formgrader, not from `nbgrader autograde`; run "
            "`nbgrader autograde %s` (or python -m course_tools.autograde_all) once to check the solution first",
            assignment or "<assignment>",
        )
        return
    if notebooks:
        assignment = Path(notebooks[0]).parent.name
    if not assignment or assignment in _done:
        return
    coursedir = app.coursedir
    if "Preflight" in app.config and str(app.config.Preflight.get("enabled", True)).lower() in ("false", "0", "no"):
        app.log.warning("Preflight of %s switched off (Preflight.enabled = False)", assignment)
        return
    try:
        result = require(assignment, app.config, coursedir.root, coursedir.source_directory, app.log)
    except PreflightFailed as exc:
        app.log.error("%s", exc.message)
        raise
    _done[assignment] = result
    how = "cached" if result.cached else "ran"
    app.log.info("Preflight of %s: the solution earns full marks (%s, %.2f s)", assignment, how, result.seconds)
