"""Stamp an "Open in Colab" badge and a Colab-only install cell into each released notebook.

The repository and the ref (a tag or a commit: never a branch, so a notebook keeps working after the course moves
on) are set in one place, ``nbgrader_config.py``::

    c.ColabStamp.repository = "owner/name"      # on GitHub
    c.ColabStamp.ref = "v1.0"

and ``nbgrader generate_assignment`` runs :class:`ColabStamp` first, so every release carries them. The sources in
``course/solutions`` never hold these cells; the release is regenerated when the setting changes.

The install cell does nothing outside Colab. In Colab it runs ``pip install`` of the package at that ref; pip keeps
every requirement already satisfied, and the package's requirements are loose enough that Colab's preinstalled
numpy, torch, matplotlib, ipywidgets and IPython all satisfy them, so nothing is reinstalled.
"""

import re

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode, validate

BADGE_ID = "colab-badge"
INSTALL_ID = "colab-install"
PACKAGE = "mini-autograd-course"

_TEXT = {
    "en": {
        "alt": "Open In Colab",
        "badge": "Open this lesson in Google Colab, or run it in JupyterLab (see the course README).",
        "comment": "# Google Colab only: install the course's package (Colab already has numpy, torch, matplotlib\n"
        "# and ipywidgets, and pip keeps them). Elsewhere this cell does nothing.",
    },
    "ru": {
        "alt": "Открыть в Colab",
        "badge": "Откройте урок в Google Colab или запустите его в JupyterLab (см. README курса).",
        "comment": "# Только в Google Colab: ставит пакет курса (numpy, torch, matplotlib и ipywidgets в Colab уже\n"
        "# есть, pip их не трогает). В других средах эта ячейка ничего не делает.",
    },
}


def notebook_language(nb):
    """The lesson's language, from the notebook metadata the translation step writes (English by default)."""
    return nb.metadata.get("course", {}).get("language", "en")


def badge_markdown(repository, ref, notebook_path, language="en"):
    """The badge cell's markdown for the released notebook at ``notebook_path`` (relative to the repository)."""
    text = _TEXT[language]
    url = f"https://colab.research.google.com/github/{repository}/blob/{ref}/{notebook_path}"
    return f"[![{text['alt']}](https://colab.research.google.com/assets/colab-badge.svg)]({url})\n\n{text['badge']}"


def install_code(repository, ref, language="en"):
    """The install cell's code: pip install from GitHub at ``ref``, only when running in Colab."""
    spec = f"{PACKAGE} @ git+https://github.com/{repository}@{ref}"
    return (
        f"{_TEXT[language]['comment']}\n"
        "import sys\n\n"
        'if "google.colab" in sys.modules:\n'
        "    import subprocess\n\n"
        f'    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "{spec}"])'
    )


def _locked(grade_id):
    """Locked nbgrader cells: the gradebook keeps their source, and autograde puts it back over any edit."""
    return {
        "nbgrader": {
            "grade": False,
            "grade_id": grade_id,
            "locked": True,
            "schema_version": 3,
            "solution": False,
            "task": False,
        }
    }


def stamp(nb, repository, ref, notebook_path):
    """Put the badge and install cells first in ``nb`` (replacing earlier stamps); returns ``nb``."""
    language = notebook_language(nb)
    nb.cells = [c for c in nb.cells if c.get("id") not in (BADGE_ID, INSTALL_ID)]
    badge = nbformat.v4.new_markdown_cell(
        badge_markdown(repository, ref, notebook_path, language), id=BADGE_ID, metadata=_locked(BADGE_ID)
    )
    install = nbformat.v4.new_code_cell(
        install_code(repository, ref, language), id=INSTALL_ID, metadata=_locked(INSTALL_ID)
    )
    nb.cells[:0] = [badge, install]
    return nb


class ColabStamp(NbGraderPreprocessor):
    """nbgrader preprocessor (first in ``GenerateAssignment.preprocessors``): badge and install cell on top."""

    repository = Unicode(help="GitHub repository as owner/name, used in the badge URL and in pip's git URL").tag(
        config=True
    )
    ref = Unicode(help="tag or commit the notebooks install from (not a branch)").tag(config=True)
    release_path = Unicode(
        "course/notebooks/{assignment}/{notebook}.ipynb",
        help="where released notebooks live in the repository, for the badge's link",
    ).tag(config=True)

    @validate("repository")
    def _check_repository(self, proposal):
        value = proposal["value"]
        if value and not re.fullmatch(r"[\w.-]+/[\w.-]+", value):
            raise ValueError(f"ColabStamp.repository must be 'owner/name' on GitHub, got {value!r}")
        return value

    @validate("ref")
    def _check_ref(self, proposal):
        value = proposal["value"]
        if value in ("main", "master", "HEAD"):
            raise ValueError(
                f"ColabStamp.ref is {value!r}, a moving branch: released notebooks would change under the students."
                " Use a tag (git tag v1.0) or a commit hash."
            )
        return value

    def preprocess(self, nb, resources):
        if not (self.repository and self.ref):
            self.log.warning("ColabStamp: repository or ref not set in nbgrader_config.py; no Colab badge stamped")
            return nb, resources
        assignment = resources["nbgrader"]["assignment"]
        notebook = resources["nbgrader"]["notebook"]
        path = self.release_path.format(assignment=assignment, notebook=notebook)
        return stamp(nb, self.repository, self.ref, path), resources
