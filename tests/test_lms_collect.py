"""An LMS download through `nbgrader zip_collect`: loose files, a folder per student and zips, Moodle and Canvas
names, Colab's "Copy of" copies; every file lands in course/submitted/<student id>/<lesson>/<lesson>.ipynb."""

from __future__ import annotations

import zipfile

import nbformat
import nbgrader_helpers as H
import pytest

from course_tools.lms import notebook_name

LESSON = "03_graphs"


@pytest.mark.parametrize(
    "given, wanted",
    [
        ("03_graphs.ipynb", "03_graphs.ipynb"),
        ("Copy of 03_graphs.ipynb", "03_graphs.ipynb"),
        ("Копия 03_graphs_ru.ipynb", "03_graphs_ru.ipynb"),
        ("03_graphs (1).ipynb", "03_graphs.ipynb"),
        ("03_graphs-2.ipynb", "03_graphs.ipynb"),
        ("Copy of 03_graphs (3).ipynb.ipynb", "03_graphs.ipynb"),
    ],
)
def test_notebook_names_lose_what_copies_add(given, wanted):
    assert notebook_name(given) == wanted


def test_zip_collect_of_a_moodle_and_canvas_download(tmp_path):
    repo = H.copy_repo(tmp_path / "repo")
    release = H.read(H.RELEASES / LESSON / f"{LESSON}.ipynb")
    text = nbformat.writes(release)
    archive = repo / "course" / "downloaded" / LESSON / "archive"
    archive.mkdir(parents=True)
    # Moodle, loose: one file per student, the folder name folded into the file name
    (archive / f"Ivan Petrov_1001_assignsubmission_file_Copy of {LESSON}.ipynb").write_text(text)
    # Moodle's zip of everything: a folder per student
    with zipfile.ZipFile(archive / "moodle-all.zip", "w") as z:
        z.writestr(f"Anna Ivanova_1002_assignsubmission_file_/{LESSON} (1).ipynb", text)
        z.writestr(f"Oleg Sidorov_1003_assignsubmission_file_/{LESSON}.ipynb", text)
    # Canvas, loose and late, and one student's own zip
    (archive / f"smithjane_LATE_2001_55501_Copy of {LESSON}.ipynb").write_text(text)
    with zipfile.ZipFile(archive / f"doejohn_2002_55502_{LESSON}.zip", "w") as z:
        z.writestr(f"{LESSON}.ipynb", text)
    # and one file nobody can place
    (archive / "notes.ipynb").write_text(text)

    out = H.nbgrader("zip_collect", LESSON, cwd=repo)
    log = out.stdout + out.stderr
    submitted = repo / "course" / "submitted"
    found = sorted(str(p.relative_to(submitted)) for p in submitted.rglob("*.ipynb"))
    assert found == [f"{sid}/{LESSON}/{LESSON}.ipynb" for sid in ("1001", "1002", "1003", "2001", "2002")], log
    for path in submitted.rglob("*.ipynb"):
        assert H.read(path) == release
    assert "NOT COLLECTED" in log and "notes.ipynb" in log, log
