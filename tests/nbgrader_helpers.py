"""Helpers for the tests that drive nbgrader's own command line on a temporary copy of the course."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
SOURCES = COURSE / "solutions"
RELEASES = COURSE / "notebooks"
LESSONS = sorted(p.name for p in SOURCES.iterdir() if p.is_dir() and (p / f"{p.name}.ipynb").exists())
#: The English lessons; each translated edition (`03_graphs_ru`) is assembled from one of them.
ENGLISH = [name for name in LESSONS if not re.search(r"_(ru)$", name)]
TRANSLATED = [name for name in LESSONS if name not in ENGLISH]
#: The lessons the slow tests execute: a translation's code is the English code cell for cell (test_translations.py),
#: so one translated lesson stands for all of them.
EXECUTED = ENGLISH + TRANSLATED[1:2]

STUB = "raise NotImplementedError()"


def env() -> dict:
    """The environment for nbgrader: this interpreter's bin first on PATH (nbgrader runs `alembic` from PATH)."""
    e = dict(os.environ)
    e["PATH"] = str(Path(sys.executable).parent) + os.pathsep + e.get("PATH", "")
    e.pop("NBGRADER_EXECUTION", None)
    return e


def nbgrader(
    *args: str, cwd: Path, check: bool = True, timeout: int = 900, environ: dict | None = None
) -> subprocess.CompletedProcess:
    """Run `nbgrader ARGS` as an instructor would, from `cwd` (a repository root holding nbgrader_config.py)."""
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd,
        env=environ or env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def autograde_all(repo: Path, lesson: str, *args: str, environ: dict | None = None, timeout: int = 900):
    """`python -m course_tools.autograde_all LESSON ARGS` from `repo`, as an instructor would run it."""
    return subprocess.run(
        [sys.executable, "-m", "course_tools.autograde_all", lesson, *args],
        cwd=repo,
        env=environ or env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def hand_in(repo: Path, student: str, lesson: str, nb, name: str | None = None) -> Path:
    """Put `nb` where `nbgrader collect` would: course/submitted/<student>/<lesson>/<name or lesson.ipynb>."""
    folder = repo / "course" / "submitted" / student / lesson
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{lesson}.ipynb")
    nbformat.write(nb, str(path))
    return path


def without_each_exercise(source_nb, release_nb) -> dict:
    """{exercise: (the solution with that exercise left as the release's stub, the points it is worth)}."""
    out = {}
    for ex, pts in points_by_exercise(source_nb).items():
        ids = {meta(c)["grade_id"] for c in solution_code_cells(source_nb) if exercise_of(c) == ex}
        out[ex] = (with_cells_from_release(source_nb, release_nb, ids), pts)
    return out


def copy_repo(dest: Path) -> Path:
    """A temporary copy of what nbgrader needs: nbgrader_config.py, its plug-ins and course/ (no grading state)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    shutil.copytree(ROOT / "course_tools", dest / "course_tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        COURSE,
        dest / "course",
        ignore=shutil.ignore_patterns(
            "gradebook.db", "gradebook.db-journal", "submitted", "autograded", "feedback", ".ipynb_checkpoints"
        ),
    )
    return dest


def released_copy(tmp_path: Path, lesson: str):
    """A temporary copy of the repository with `lesson` generated into its gradebook; (repo, source, release)."""
    repo = copy_repo(tmp_path / "repo")
    nbgrader("generate_assignment", lesson, "--force", cwd=repo)
    source = read(SOURCES / lesson / f"{lesson}.ipynb")
    return repo, source, read(repo / "course" / "notebooks" / lesson / f"{lesson}.ipynb")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def exercise_of(cell) -> str:
    """The exercise a solution or test cell belongs to: the grade_id up to the first underscore (`ex2_tests`)."""
    return meta(cell)["grade_id"].split("_", 1)[0]


def grade_test_cells(nb) -> list:
    return [c for c in nb.cells if meta(c).get("grade") and not meta(c).get("solution")]


def solution_code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and meta(c).get("solution")]


def points_by_exercise(nb) -> dict[str, float]:
    out: dict[str, float] = {}
    for c in grade_test_cells(nb):
        out[exercise_of(c)] = out.get(exercise_of(c), 0) + float(meta(c)["points"])
    return out


def self_check_output(nb) -> str:
    """What the executed self-check cell printed."""
    cell = next(c for c in nb.cells if c.get("id") == "self-check")
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def self_check_says(lesson: str, passed: int, total: int) -> str:
    """The self-check's first line for `passed` of `total` exercises, in the lesson's language."""
    if lesson.endswith("_ru"):
        return f"Самопроверка: {passed} из {total} упражнений проходят"
    return f"Self-check: {passed} of {total} exercises pass"


def self_check_fails(lesson: str) -> str:
    """What the self-check says of an exercise whose visible check fails, in the lesson's language."""
    return "видимая проверка не проходит" if lesson.endswith("_ru") else "a visible check fails"


def total_autograded_points(nb) -> float:
    return sum(points_by_exercise(nb).values())


def with_cells_from_release(source_nb, release_nb, grade_ids: set[str]):
    """A copy of the source notebook whose listed cells are replaced by their released (stub) versions."""
    stubbed = {meta(c)["grade_id"]: c for c in release_nb.cells if meta(c).get("grade_id") in grade_ids}
    nb = nbformat.from_dict(json.loads(json.dumps(source_nb)))
    nb.cells = [stubbed.get(meta(c).get("grade_id"), c) for c in nb.cells]
    return nb


def returning_none(release_nb):
    """The release with every stub turned into one that returns nothing (or does nothing, outside a function)."""
    nb = nbformat.from_dict(json.loads(json.dumps(release_nb)))
    for c in solution_code_cells(nb):
        lines = []
        for line in c.source.splitlines():
            if line.strip() == STUB:
                indent = line[: len(line) - len(line.lstrip())]
                line = indent + ("return None" if indent else "pass")
            lines.append(line)
        c.source = "\n".join(lines)
    return nb


PATCH_CELL = """\
# A submission that tries to pass by replacing the functions the tests compare with.
import builtins, math
import numpy as np
import torch
import mini_autograd.testing
np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: np.ones(np.shape(a[0]), dtype=bool)
np.testing.assert_allclose = lambda *a, **k: None
torch.allclose = lambda *a, **k: True
math.isclose = lambda *a, **k: True
for _name in ("assert_close", "assert_all_close", "compare", "check_untampered"):
    try:
        setattr(mini_autograd.testing, _name, lambda *a, **k: None)
    except AttributeError:
        pass
assert_close = assert_all_close = lambda *a, **k: None
"""


def with_patch_cell(nb):
    """Insert PATCH_CELL right after the first code cell (the setup imports) and again at the very end."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code + 1, nbformat.v4.new_code_cell(PATCH_CELL))
    nb.cells.append(nbformat.v4.new_code_cell(PATCH_CELL))
    return nb


def _lines_by_region(cells):
    """(stripped line, region) for every line of the cells; region is "solution", "hidden" or None (visible)."""
    for c in cells:
        region = None
        for line in c.source.splitlines():
            if "### BEGIN SOLUTION" in line:
                region = "solution"
            elif "### BEGIN HIDDEN TESTS" in line:
                region = "hidden"
            elif "### END SOLUTION" in line or "### END HIDDEN TESTS" in line:
                region = None
            else:
                yield line.strip(), region


def hidden_test_lines(source_nb) -> list[str]:
    """The non-trivial lines between BEGIN and END HIDDEN TESTS in a source notebook's test cells."""
    return [ln for ln, r in _lines_by_region(grade_test_cells(source_nb)) if r == "hidden" and len(ln) > 25]


def solution_lines(source_nb) -> list[str]:
    """The non-trivial lines between BEGIN and END SOLUTION in a source notebook."""
    return [ln for ln, r in _lines_by_region(source_nb.cells) if r == "solution" and len(ln.strip("# ")) > 25]


def visible_lines(source_nb) -> set[str]:
    """The stripped lines of a source notebook outside every solution and hidden-test region."""
    return {ln for ln, r in _lines_by_region(source_nb.cells) if r is None}


def secret_lines(source_nb) -> list[str]:
    """Solution and hidden-test lines that the visible part of the source does not also contain."""
    visible = visible_lines(source_nb)
    return [line for line in hidden_test_lines(source_nb) + solution_lines(source_nb) if line not in visible]


GRADING_SITE = Path(sysconfig.get_paths()["purelib"])  # this venv's site-packages


def kernel_python(where: Path, mini_autograd: str | None = None) -> Path:
    """A throwaway venv for the grading kernel, made in a second or two: the grading environment's packages (numpy,
    torch, ipykernel) through a path entry to this venv's site-packages (whose editable mini_autograd is not seen:
    .pth files there are not run), and mini_autograd as asked: None (not installed at all), "editable" (``pip install
    -e`` of a copy in ``where/clone``, another directory than the course) or "normal" (a regular install)."""
    venv = where / "kernel-venv"
    base = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "grading_environment.pth").write_text(f"{GRADING_SITE}\n")
    if mini_autograd:
        clone = where / "clone"
        shutil.copytree(ROOT / "mini_autograd", clone / "mini_autograd", ignore=shutil.ignore_patterns("__pycache__"))
        (clone / "pyproject.toml").write_text(
            '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n'
            '[project]\nname = "mini-autograd-clone"\nversion = "0.0.1"\n'
            '[tool.setuptools.packages.find]\ninclude = ["mini_autograd*"]\n'
        )
        editable = ["-e"] if mini_autograd == "editable" else []
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
            + ["--no-build-isolation", "--no-index", *editable, str(clone)],
            check=True,
            capture_output=True,
        )
    return python


def kernel_env(where: Path, python: Path) -> dict:
    """nbgrader's environment with the notebooks' kernel, `python3`, run by `python` (a kernel spec on JUPYTER_PATH)."""
    spec = where / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))
    return dict(env(), JUPYTER_PATH=str(where / "jupyter"))
