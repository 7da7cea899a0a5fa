"""The Colab badge and install cell that the release step stamps into every notebook."""

import subprocess
import sys
import types

import nbformat
import nbgrader_helpers as H
import pytest

from course_tools import colab


def _install_cell(lesson: str) -> str:
    release = H.read(H.RELEASES / lesson / f"{lesson}.ipynb")
    cells = {c.get("id"): c for c in release.cells}
    assert [c.get("id") for c in release.cells[:2]] == [colab.BADGE_ID, colab.INSTALL_ID]
    assert cells[colab.INSTALL_ID].metadata["nbgrader"]["locked"], "autograde must restore the install cell"
    return cells[colab.INSTALL_ID].source


@pytest.mark.parametrize("lesson", H.LESSONS)
def test_every_release_opens_in_colab_from_its_own_path(lesson):
    badge = H.read(H.RELEASES / lesson / f"{lesson}.ipynb").cells[0].source
    assert "colab.research.google.com/assets/colab-badge.svg" in badge
    assert f"/blob/v1.0/course/notebooks/{lesson}/{lesson}.ipynb)" in badge


def test_the_install_cell_does_nothing_outside_colab(monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "check_call", lambda *a, **k: calls.append(a))
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(_install_cell("03_graphs"), {})
    assert calls == []


def test_in_colab_it_pip_installs_the_pinned_ref_and_nothing_else(monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "check_call", lambda args, **k: calls.append(args))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    exec(_install_cell("03_graphs_ru"), {})
    assert calls == [
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "mini-autograd-course @ git+https://github.com/backprop-course/backprop-course@v1.0",
        ]
    ]


def test_stamping_twice_leaves_one_badge_and_one_install_cell():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A lesson")])
    colab.stamp(nb, "owner/repo", "v2", "course/notebooks/x/x.ipynb")
    colab.stamp(nb, "owner/repo", "v3", "course/notebooks/x/x.ipynb")
    assert [c.get("id") for c in nb.cells] == [colab.BADGE_ID, colab.INSTALL_ID, nb.cells[2].get("id")]
    assert "@v3" in nb.cells[1].source and "v2" not in nb.cells[1].source


@pytest.mark.parametrize("ref", ["main", "master", "HEAD"])
def test_a_moving_branch_is_refused(ref):
    with pytest.raises(Exception, match="moving branch"):
        colab.ColabStamp(repository="owner/repo", ref=ref)


def test_a_repository_must_be_owner_slash_name():
    with pytest.raises(Exception, match="owner/name"):
        colab.ColabStamp(repository="https://github.com/owner/repo", ref="v1")
