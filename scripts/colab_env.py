"""A virtual environment with Google Colab's preinstalled versions, to prove the lessons run there unchanged.

    python scripts/colab_env.py            # build (or reuse) .cache/colab-venv and print its interpreter

Colab's runtime (November 2026): Python 3.13, IPython 7.34, ipykernel 6.17, ipywidgets 7.7.1, numpy 2.1,
matplotlib 3.10, torch 2.11, plus scikit-learn and tqdm. The pins below match it except in two places, both forced
by what this machine can install without a multi-gigabyte CUDA download:

- Python 3.11, not 3.13: the only CPU build of torch on hand is a Python 3.11 wheel (PyPI's Linux torch wheels
  are CUDA builds of several GB);
- torch 2.13.0 (CPU), not 2.11: the same reason. The lessons use torch only through long-stable calls (tensors,
  autograd, nn.Linear, optim.SGD), so the difference does not touch them.

The environment is rebuilt whenever these pins change (they are recorded in the venv as pins.json).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".cache" / "colab-venv"
PYTHON = "python3.11"
PINS = [
    "ipython==7.34.0",
    "ipykernel==6.17.1",
    "ipywidgets==7.7.1",
    "numpy==2.1.3",
    "matplotlib==3.10.0",
    "scikit-learn==1.6.1",
    "tqdm==4.67.1",
    "torch==2.13.0",
]


def find_python() -> str:
    path = shutil.which(PYTHON)
    if path is None:
        raise FileNotFoundError(
            f"{PYTHON} is needed for the Colab-runtime environment; install it (pyenv install 3.11)"
        )
    return path


def build(venv: Path = VENV) -> Path:
    """Create (or reuse) the environment; returns its python."""
    python = venv / "bin" / "python"
    stamp = venv / "pins.json"
    if python.exists() and stamp.exists() and json.loads(stamp.read_text()) == PINS:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([find_python(), "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PINS], check=True)
    stamp.write_text(json.dumps(PINS))
    return python


def freeze(python: Path) -> dict[str, str]:
    """{normalised name: version} of everything installed in the environment."""
    out = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(out)}


if __name__ == "__main__":
    print(build())
    sys.exit(0)
