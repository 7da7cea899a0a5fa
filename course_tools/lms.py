"""LMS downloads into nbgrader: a file-name collector for ``nbgrader zip_collect``.

Moodle and Canvas hand the instructor one archive with every submission. Put it (or what it holds: loose .ipynb
files, a folder per student, or a .zip per student) in ``course/downloaded/<assignment>/archive/`` and run::

    nbgrader zip_collect 03_graphs

nbgrader extracts the archives into ``course/downloaded/<assignment>/extracted/`` and asks this plugin, for every
file, whose it is and which notebook it is. Names it understands (the student id is the LMS's number):

- Moodle: ``Ivan Petrov_12345_assignsubmission_file_/Copy of 03_graphs.ipynb`` (a folder per student) or the same
  as one file name, ``Ivan Petrov_12345_assignsubmission_file_Copy of 03_graphs.ipynb``;
- Canvas: ``petrovivan_12345_67890_03_graphs.ipynb`` and ``petrovivan_LATE_12345_67890_Copy of 03_graphs (1).ipynb``.

The notebook's name is matched to the released one after dropping what Colab and browsers add: "Copy of " (also
Colab's Russian "Копия "), " (1)", "-1" and a doubled ".ipynb". A file it cannot place is logged with its name
(and counted by nbgrader as skipped), never dropped silently. Other LMSs: set ``c.LmsFileNameCollector.patterns``.
"""

from __future__ import annotations

import functools
import os
import re

from nbgrader.plugins import FileNameCollectorPlugin
from nbgrader.utils import find_all_notebooks
from traitlets import List, Unicode

MOODLE = r"^(?P<first_name>[^_/]+?)_(?P<student_id>\d+)_assignsubmission_(?:file|onlinetext)_/?(?P<file_id>[^/]+)$"
CANVAS = r"^(?P<first_name>[a-z0-9.-]+?)(?:_LATE)?_(?P<student_id>\d+)_\d+_(?P<file_id>[^/]+)$"
CANVAS_ZIP = r"^(?P<first_name>[a-z0-9.-]+?)(?:_LATE)?_(?P<student_id>\d+)_\d+_[^/]*/(?P<file_id>[^/]+)$"  # its zip


def notebook_name(file_name: str) -> str:
    """The notebook's own name, without what Colab, browsers and LMSs add to a copy's name."""
    name = re.sub(r"(\.ipynb)+$", "", file_name.strip(), flags=re.IGNORECASE)
    name = re.sub(r"^(Copy of |Копия (файла )?)+", "", name, flags=re.IGNORECASE)
    name = re.sub(r"(\s*\(\d+\)|-\d+)$", "", name)
    return name.strip() + ".ipynb"


class LmsFileNameCollector(FileNameCollectorPlugin):
    """Student id and notebook from Moodle and Canvas download names (see the module's docstring)."""

    patterns = List(
        Unicode(),
        default_value=[MOODLE, CANVAS, CANVAS_ZIP],
        help="regular expressions tried in order on 'folder/file' and then on the file name alone; each must "
        "name the groups student_id and file_id",
    ).tag(config=True)
    named_regexp = Unicode("(?P<student_id>)(?P<file_id>)", help="unused: see patterns").tag(config=True)

    @functools.cached_property
    def _released(self) -> dict[str, str]:
        """{lower-case name: name} of the assignment's released notebooks (one lookup per zip_collect run)."""
        coursedir = getattr(self.parent, "coursedir", None)
        if coursedir is None:
            return {}
        path = coursedir.format_path(coursedir.release_directory, ".", coursedir.assignment_id)
        return {n.lower(): n for n in find_all_notebooks(path)} if os.path.isdir(path) else {}

    def collect(self, submitted_file: str):
        folder = os.path.basename(os.path.dirname(submitted_file))
        base = os.path.basename(submitted_file)
        for candidate in (f"{folder}/{base}", base):
            for pattern in self.patterns:
                match = re.match(pattern, candidate)
                if match:
                    info = match.groupdict()
                    info["file_id"] = self._file_id(info["file_id"])
                    info = {k: v for k, v in info.items() if v is not None}
                    self.log.info("%s -> student %s, %s", submitted_file, info["student_id"], info["file_id"])
                    return info
        self.log.warning(
            "NOT COLLECTED: cannot tell whose file this is: %s (expected Moodle or Canvas download names; set "
            "c.LmsFileNameCollector.patterns for others). Copy it into course/submitted/<student>/<assignment>/ "
            "by hand.",
            submitted_file,
        )
        return None

    def _file_id(self, file_name: str) -> str:
        if not file_name.lower().endswith(".ipynb"):
            return file_name
        name = notebook_name(file_name)
        return self._released.get(name.lower(), name)
