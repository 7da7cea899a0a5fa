"""Stamp an "Open in Colab" badge and a Colab-only install cell into each released notebook.

The repository and the ref (a tag or a commit: never a branch, so a notebook keeps working after the course moves
on) come from the checkout that generates the release: its ``origin`` remote on GitHub, and the tag at HEAD (or,
without one, HEAD's commit). ``nbgrader_config.py`` can set either instead, or switch the stamp off::

    c.ColabStamp.repository = "owner/name"      # on GitHub
    c.ColabStamp.ref = "v1.0"
    c.ColabStamp.enabled = False                # releases without Colab cells (a course with no public home)

``nbgrader generate_assignment`` runs :class:`ColabStamp` first, so every release carries them; it refuses, saying
what to set, when it can find no GitHub repository or when the repository is the old placeholder, so a release never
points students at a place that does not exist. The sources in ``course/solutions`` never hold these cells; the
release is regenerated when the setting changes.

The install cell does nothing outside Colab. In Colab it runs ``pip install`` of the package at that ref; pip keeps
every requirement already satisfied, and the package's requirements are loose enough that Colab's preinstalled
numpy, torch, matplotlib, ipywidgets and IPython all satisfy them, so nothing is reinstalled.
"""

import os
import re
import subprocess

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Unicode, validate

BADGE_ID = "colab-badge"
INSTALL_ID = "colab-install"
PACKAGE = "mini-autograd-course"
#: What earlier versions of this course shipped in the badge: no such repository exists.
PLACEHOLDERS = {"backprop-course/backprop-course"}
_GITHUB = re.compile(
    r"^(?:https?://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)([\w.-]+/[\w.-]+?)(?:\.git)?/?$"
)


class ColabSettingsError(ValueError):
    """The release cannot say where Colab should install the course from."""


def _git(checkout, *args):
    try:
        out = subprocess.run(["git", *args], cwd=checkout, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def github_repository(checkout):
    """``owner/name`` of the checkout's ``origin`` remote when it is on GitHub, else None."""
    url = _git(checkout, "remote", "get-url", "origin")
    m = _GITHUB.match(url or "")
    return m.group(1) if m else None


def checkout_ref(checkout):
    """The tag at HEAD, or HEAD's commit: what a notebook released from this checkout should install."""
    return _git(checkout, "describe", "--tags", "--exact-match", "HEAD") or _git(checkout, "rev-parse", "HEAD")


def settings(repository, ref, checkout):
    """The (repository, ref) to stamp: the configured values, or the checkout's; raises ColabSettingsError."""
    repository = repository or github_repository(checkout)
    fix = (
        "set c.ColabStamp.repository = 'owner/name' (and c.ColabStamp.ref = a tag or commit) in nbgrader_config.py, "
        "generate from a clone whose origin is on GitHub, or set c.ColabStamp.enabled = False to release without "
        "Colab cells"
    )
    if not repository:
        raise ColabSettingsError(f"ColabStamp: no GitHub repository for the Colab badge (origin of {checkout}): {fix}")
    if repository in PLACEHOLDERS:
        raise ColabSettingsError(f"ColabStamp: {repository!r} is a placeholder, not the course's repository: {fix}")
    ref = ref or checkout_ref(checkout)
    if not ref:
        raise ColabSettingsError(f"ColabStamp: no tag or commit found in {checkout}: {fix}")
    return repository, ref


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
    ref = Unicode(help="tag or commit the notebooks install from (not a branch); default: the checkout's").tag(
        config=True
    )
    enabled = Bool(True, help="stamp the Colab cells; False releases notebooks without them").tag(config=True)
    checkout = Unicode(
        help="the git checkout whose origin and HEAD give the default repository and ref (default: the current "
        "directory, where nbgrader runs)"
    ).tag(config=True)
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
        if not self.enabled:
            nb.cells = [c for c in nb.cells if c.get("id") not in (BADGE_ID, INSTALL_ID)]
            return nb, resources
        repository, ref = settings(self.repository, self.ref, self.checkout or os.getcwd())
        assignment = resources["nbgrader"]["assignment"]
        notebook = resources["nbgrader"]["notebook"]
        path = self.release_path.format(assignment=assignment, notebook=notebook)
        return stamp(nb, repository, ref, path), resources
