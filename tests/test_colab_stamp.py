"""The Colab badge and install cell that the release step stamps into every notebook."""

import subprocess
import sys
import types

import nbformat
import nbgrader_helpers as H
import pytest

from course_tools import colab

LESSON = "03_graphs"


def _published(tmp_path, origin="https://github.com/someone/backprop.git", tag="v2.0", config_lines=()):
    """A copy of the course in a git checkout whose origin is `origin`, tagged `tag` at HEAD, Colab switched on."""
    repo = H.copy_repo(tmp_path / "repo")
    cfg = repo / "nbgrader_config.py"
    text = cfg.read_text().replace("c.ColabStamp.enabled = False\n", "")
    cfg.write_text(text + "".join(f"{line}\n" for line in config_lines))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    if origin:
        subprocess.run([*git, "remote", "add", "origin", origin], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "course"], cwd=repo, check=True)
    if tag:
        subprocess.run([*git, "tag", tag], cwd=repo, check=True)
    return repo


def _install_cell(release) -> str:
    cells = {c.get("id"): c for c in release.cells}
    assert [c.get("id") for c in release.cells[:2]] == [colab.BADGE_ID, colab.INSTALL_ID]
    assert cells[colab.INSTALL_ID].metadata["nbgrader"]["locked"], "autograde must restore the install cell"
    return cells[colab.INSTALL_ID].source


@pytest.mark.parametrize("lesson", H.LESSONS)
def test_committed_releases_never_point_at_a_placeholder(lesson):
    """This course has no public home yet (nbgrader_config.py switches the stamp off): no Colab cells at all."""
    release = H.read(H.RELEASES / lesson / f"{lesson}.ipynb")
    assert colab.BADGE_ID not in [c.get("id") for c in release.cells]
    text = (H.RELEASES / lesson / f"{lesson}.ipynb").read_text()
    assert not any(p in text for p in colab.PLACEHOLDERS)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """LESSON and its Russian edition released from a checkout on GitHub, tagged v2.0."""
    repo = _published(tmp_path_factory.mktemp("published"))
    for name in (LESSON, f"{LESSON}_ru"):
        H.nbgrader("generate_assignment", name, "--force", cwd=repo)
    return {name: H.read(repo / "course" / "notebooks" / name / f"{name}.ipynb") for name in (LESSON, f"{LESSON}_ru")}


def test_the_badge_opens_the_release_at_its_own_path_from_the_checkouts_repository(published):
    for name, release in published.items():
        badge = release.cells[0].source
        assert "colab.research.google.com/assets/colab-badge.svg" in badge
        assert f"github/someone/backprop/blob/v2.0/course/notebooks/{name}/{name}.ipynb)" in badge
    assert "Открыть в Colab" in published[f"{LESSON}_ru"].cells[0].source


def test_the_install_cell_does_nothing_outside_colab(published, monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "check_call", lambda *a, **k: calls.append(a))
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(_install_cell(published[LESSON]), {})
    assert calls == []


def test_in_colab_it_pip_installs_the_pinned_ref_and_nothing_else(published, monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "check_call", lambda args, **k: calls.append(args))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    exec(_install_cell(published[f"{LESSON}_ru"]), {})
    spec = "mini-autograd-course @ git+https://github.com/someone/backprop@v2.0"
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet", spec]]


def test_without_a_tag_the_release_installs_the_commit(tmp_path):
    repo = _published(tmp_path, origin="git@github.com:someone/backprop.git", tag=None)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    H.nbgrader("generate_assignment", LESSON, "--force", cwd=repo)
    release = H.read(repo / "course" / "notebooks" / LESSON / f"{LESSON}.ipynb")
    assert f"git+https://github.com/someone/backprop@{commit}" in _install_cell(release)


@pytest.mark.parametrize(
    ("origin", "config", "says"),
    [
        (None, (), "no GitHub repository"),
        ("/srv/git/backprop.git", (), "no GitHub repository"),
        ("https://github.com/someone/backprop.git", ('c.ColabStamp.repository = "backprop-course/backprop-course"',),
         "placeholder"),
    ],
)  # fmt: skip
def test_generation_refuses_when_it_cannot_say_where_the_course_lives(tmp_path, origin, config, says):
    repo = _published(tmp_path, origin=origin, config_lines=config)
    proc = H.nbgrader("generate_assignment", LESSON, "--force", cwd=repo, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and says in out and "c.ColabStamp.enabled = False" in out, out


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
