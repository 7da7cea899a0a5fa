"""nbgrader's configuration for this course: run nbgrader's own commands from the repository root.

    nbgrader generate_assignment 03_graphs --force     # course/solutions -> course/notebooks
    nbgrader validate course/solutions/03_graphs/03_graphs.ipynb

The course directory is course/, found from this file's own location, so the paths hold wherever the command
runs (``nbgrader ... --config /path/to/nbgrader_config.py``). Sources (with solutions and hidden tests) live in
course/solutions, the released student notebooks in course/notebooks.
"""

import os
import sys

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # course_tools (nbgrader plug-ins) importable even without `pip install -e .`

from nbgrader.converters import Autograde, GenerateAssignment  # noqa: E402
from nbgrader.preprocessors import Execute, SaveAutoGrades  # noqa: E402

from course_tools.colab import ColabStamp  # noqa: E402
from course_tools.grading import CompareOutside, GradingExecute, RecordIntegrity, RepairSubmission  # noqa: E402
from course_tools.lms import LmsFileNameCollector  # noqa: E402
from course_tools.preflight import autograde_hook  # noqa: E402

c.CourseDirectory.root = os.path.join(HERE, "course")
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.course_id = "backprop"

# The gradebook: SQLite in course/gradebook.db (nbgrader's default) for one grader. For parallel autograding
# (python -m course_tools.autograde_all) or a JupyterHub course, point it at PostgreSQL, here or in the environment:
#   export NBGRADER_DB_URL=postgresql+psycopg://grader@localhost:5432/backprop
if os.environ.get("NBGRADER_DB_URL"):
    c.CourseDirectory.db_url = os.environ["NBGRADER_DB_URL"]

# Every lesson runs top to bottom in seconds; a cell that takes a minute is a runaway student loop.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.Execute.raise_on_iopub_timeout = True
c.ExecutePreprocessor.timeout = 60

# The stub students see in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# "Open in Colab" badge and a Colab-only install cell, stamped into every release. By default they point at the
# GitHub repository of the checkout that generates the release (its origin remote) at the tag on HEAD, or HEAD's
# commit; set c.ColabStamp.repository = "owner/name" and c.ColabStamp.ref = "v1.0" to choose. This course has no
# public home yet, so its committed releases carry no Colab cells: once it has one, delete the next line (or set
# the repository and ref) and regenerate the releases.
c.ColabStamp.enabled = False
c.GenerateAssignment.preprocessors = [ColabStamp] + GenerateAssignment.class_traits()["preprocessors"].default()

# Autograde runs every student's kernel in a bubblewrap sandbox (course_tools/sandbox.py): it sees only its own
# folder in course/autograded, no network, limited memory and CPU. GradingExecute also caps output and survives a
# kernel that dies; RecordIntegrity flags the notebook in the gradebook with the reason. Without bubblewrap, grading
# refuses to run; c.SandboxedKernelManager.require_sandbox = False grades unisolated, with loud warnings.
# Verdicts outside the student's kernel (course_tools/verdicts.py): in a student's kernel the test cells only hand
# the student's values out; CompareOutside, right after GradingExecute, compares them in this process with the
# references of the preflight's trusted run of the solution (course/reports/<assignment>/references.json).
_autograde = []
for _p in Autograde.class_traits()["autograde_preprocessors"].default():
    _autograde.append(GradingExecute if _p is Execute else _p)
    if _p is Execute:
        _autograde.append(CompareOutside)
    if _p is SaveAutoGrades:
        _autograde.append(RecordIntegrity)
c.Autograde.autograde_preprocessors = _autograde
# No submission stops the others: RepairSubmission lines each notebook's cells up with the release before nbgrader's
# own checks (which end the whole run on a duplicated grade cell or an empty "nbgrader": {}), as the submission check
# does; a notebook that still cannot be graded fails alone, with the reason.
c.Autograde.sanitize_preprocessors = [RepairSubmission] + Autograde.class_traits()["sanitize_preprocessors"].default()
c.RepairSubmission.release_dir = os.path.join(HERE, "course", "notebooks")
# Preflight (course_tools/preflight.py): before the first student, the source notebook is graded the same way and
# must earn full marks, or autograde stops with the failing cells and their likely fix, writing nothing into the
# gradebook. Cached in course/reports/<assignment>/preflight.json while the sources and the environment stay the same.
c.Autograde.pre_convert_hook = autograde_hook
c.SandboxedKernelManager.memory_mb = 3072
c.SandboxedKernelManager.cpu_seconds = 600
c.GradingExecute.max_output_bytes_per_cell = 2_000_000

# LMS downloads (Moodle, Canvas): `nbgrader zip_collect <assignment>` finds each file's student and notebook.
c.ZipCollectApp.collector_plugin = LmsFileNameCollector
# Notes from the submission check (python -m course_tools.submissions) go into the gradebook with the grades.
c.RecordIntegrity.reports_dir = os.path.join(HERE, "course", "reports")
c.CompareOutside.reports_dir = os.path.join(HERE, "course", "reports")
c.CompareOutside.source_dir = os.path.join(HERE, "course", "solutions")
