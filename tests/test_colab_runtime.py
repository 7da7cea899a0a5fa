"""The lessons on Colab's runtime: a virtual environment with Colab's preinstalled versions (scripts/colab_env.py),
the course's package installed into it as Colab's install cell does, nothing preinstalled replaced, and every
solution notebook executed there by a kernel of that environment."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess

import nbformat
import nbgrader_helpers as H
import pytest
from nbclient import NotebookClient

_spec = importlib.util.spec_from_file_location("colab_env", H.ROOT / "scripts" / "colab_env.py")
colab_env = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(colab_env)

VERSIONS = (
    "import IPython, ipykernel, ipywidgets, numpy, matplotlib, torch, sys\n"
    "print(sys.version_info[:2], IPython.__version__, ipykernel.__version__, ipywidgets.__version__,"
    " numpy.__version__, matplotlib.__version__, torch.__version__)"
)


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    python = colab_env.build()
    subprocess.run([str(python), "-m", "pip", "uninstall", "--quiet", "-y", "mini-autograd-course"], check=False)
    before = colab_env.freeze(python)
    # what the stamped install cell does in Colab, from this checkout instead of GitHub
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(H.ROOT)], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = colab_env.freeze(python)
    kernels = tmp_path_factory.mktemp("jupyter") / "kernels" / "colab"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Colab runtime",
                "language": "python",
            }
        )
    )
    return python, before, after, kernels.parent.parent


def test_installing_the_package_replaces_nothing_colab_has(colab):
    _, before, after, _ = colab
    changed = {name: (v, after.get(name)) for name, v in before.items() if after.get(name) != v}
    assert not changed, f"installing the course replaced preinstalled packages: {changed}"
    assert set(after) - set(before) == {"mini-autograd-course"}


def _run(nb, jupyter_path, cwd):
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(jupyter_path)
    try:
        NotebookClient(nb, timeout=180, kernel_name="colab", resources={"metadata": {"path": str(cwd)}}).execute(
            env=env
        )
    finally:
        if old is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = old


def test_the_kernel_is_colabs(colab, tmp_path):
    _, _, _, jupyter_path = colab
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(VERSIONS)])
    _run(nb, jupyter_path, tmp_path)
    printed = nb.cells[0].outputs[0]["text"]
    assert printed.startswith("(3, 11) 7.34.0 6.17.1 7.7.1 2.1.3 3.10.0 2.13.0"), printed


@pytest.mark.slow
@pytest.mark.parametrize("lesson", H.EXECUTED)
def test_every_solution_runs_on_colabs_runtime(colab, lesson, tmp_path):
    _, _, _, jupyter_path = colab
    nb = H.read(H.SOURCES / lesson / f"{lesson}.ipynb")
    _run(nb, jupyter_path, tmp_path)
    for c in H.grade_test_cells(nb):
        stderr = [o for o in c.outputs if o.get("name") == "stderr"]
        assert not stderr, f"{lesson}: test cell {H.meta(c)['grade_id']} wrote to stderr on Colab: {stderr}"
    n = len(H.points_by_exercise(nb))
    summary = H.self_check_output(nb)
    assert H.self_check_says(lesson, n, n) in summary, summary
