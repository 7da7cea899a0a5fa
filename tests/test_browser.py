"""The learning-rate explorer in a real browser: JupyterLab on a free localhost port, driven by headless Chromium.

The test copies the learning-rate lesson (or, until the lesson has an ``lr_explorer()`` cell, the small fixture
notebook ``tests/fixtures/lr_explorer_demo.ipynb``) to a temporary directory, starts ``jupyter lab`` there, opens the
notebook, runs all cells from JupyterLab's Run menu, waits for the kernel to go idle, presses ArrowRight on the
learning-rate slider's handle, waits again, and checks that the figure (its ``<img>`` data) changed and that no cell
raised. The test's id and its output say which notebook it used.

Needs Debian's ``chromium`` package (/usr/bin/chromium) and the ``playwright`` Python package, driving that binary
through ``executable_path`` (``playwright install`` is never needed). It skips only when Chromium is absent.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from course_tools.localpg import free_port

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "course" / "solutions" / "01_gradient_descent" / "01_gradient_descent.ipynb"
FIXTURE = ROOT / "tests" / "fixtures" / "lr_explorer_demo.ipynb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # without these three, Chromium's own connections are refused on a closed
    "--disable-component-update",  # network and page loads stall
    "--disable-sync",
]
BUDGET = 85.0  # seconds for the whole test, start-up included (a 2-core machine)
ARROW_PRESSES = 3
SCREENSHOT_DIR = os.environ.get("VIZ_SCREENSHOT_DIR")  # set it to keep PNG screenshots of the notebook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"SKIPPED the real-browser test of the learning-rate explorer: Chromium is not installed at {CHROMIUM} "
        "(apt-get install chromium)",
    ),
]


def has_lr_explorer_cell(path: Path) -> bool:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "code" and re.search(r"\blr_explorer\(", source):
            return True
    return False


def choose_notebook() -> tuple[str, Path]:
    """The lesson once it has an lr_explorer() cell, the fixture until then."""
    if LESSON.exists() and has_lr_explorer_cell(LESSON):
        return "lesson", LESSON
    return "fixture", FIXTURE


NOTEBOOK = choose_notebook()


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read().decode())


class Clock:
    def __init__(self, budget: float) -> None:
        self.end = time.monotonic() + budget

    def left(self, cap: float | None = None) -> float:
        left = max(self.end - time.monotonic(), 0.5)
        return left if cap is None else min(left, cap)


def start_lab(folder: Path, port: int, token: str) -> tuple[subprocess.Popen, Path]:
    home = folder.parent / "jupyter-home"  # beside the served folder, so the file browser shows only the notebook
    settings = home / "lab-settings"
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    # no "get Jupyter news?" toast over the notebook, no update check on a closed network
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    )
    env.pop("MPLBACKEND", None)  # the kernel picks the inline backend, as a student's would
    env.pop("NBGRADER_EXECUTION", None)
    log = home / "jupyter-lab.log"
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={folder}",
        "--ServerApp.open_browser=False",
        "--ServerApp.allow_root=True",  # CI containers run as root
    ]
    with open(log, "wb") as f:
        proc = subprocess.Popen(cmd, cwd=folder, env=env, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, log


def wait_for_server(proc: subprocess.Popen, log: Path, base: str, token: str, clock: Clock) -> None:
    deadline = time.monotonic() + clock.left(40)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited with code {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            get_json(f"{base}/api/status?token={token}")
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"jupyter lab did not answer within its time:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    """Stop the server (it shuts its kernel down); if it hangs, kill the process group it was started in."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


# What "the kernel is idle" means here: the server says idle, JupyterLab's indicator says idle, and no cell waits
# or runs ("[*]"), twice in a row.
_PAGE_BUSY = """() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
    const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
    const status = indicator ? indicator.getAttribute('data-status') : null;
    return {running: prompts.filter(p => p.includes('*')).length, prompts, status};
}"""


def wait_idle(page, base: str, token: str, clock: Clock, cap: float, what: str) -> dict:
    deadline = time.monotonic() + clock.left(cap)
    calm = 0
    state: dict = {}
    kernels: object = None
    while time.monotonic() < deadline:
        state = page.evaluate(_PAGE_BUSY)
        try:
            kernels = get_json(f"{base}/api/kernels?token={token}")
        except OSError as e:  # e.g. an HTTP 500 while a kernel is being started: not idle yet
            kernels = [{"execution_state": f"unknown ({e}: {getattr(e, 'read', lambda: b'')()[:300]!r})"}]
        server_idle = bool(kernels) and all(k.get("execution_state") == "idle" for k in kernels)
        page_idle = state["running"] == 0 and state["status"] in (None, "idle")
        calm = calm + 1 if server_idle and page_idle else 0
        if calm >= 2:
            return state
        time.sleep(0.4)
    pytest.fail(f"the kernel did not go idle {what}: page {state}, kernels {kernels}")


def image_sources(page) -> list[str]:
    return page.eval_on_selector_all(".jp-Notebook .widget-output img", "els => els.map(e => e.src)")


def cell_errors(page) -> list[str]:
    found = page.eval_on_selector_all(
        '.jp-Notebook [data-mime-type="application/vnd.jupyter.error"], '
        '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]',
        "els => els.map(e => e.textContent)",
    )
    return [t for t in found if re.search(r"Traceback|\b\w*Error\b", t)]


def run_all_cells(page, clock: Clock) -> None:
    """JupyterLab's Run menu, Run All Cells (what a student clicks)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click(timeout=clock.left(15) * 1000)
    item = page.locator(
        ".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")
    )
    item.click(timeout=clock.left(15) * 1000)


def shot(page, name: str) -> None:
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / name), full_page=True)


@pytest.mark.parametrize("notebook", [NOTEBOOK], ids=[f"{NOTEBOOK[0]}:{NOTEBOOK[1].name}"])
def test_learning_rate_slider_redraws_the_plot_in_jupyterlab(notebook, tmp_path):
    kind, source = notebook
    print(f"browser test on the {kind} notebook: {source.relative_to(ROOT)}")
    from playwright.sync_api import sync_playwright  # a test dependency: pip install playwright (no browser download)

    clock = Clock(BUDGET)
    folder = tmp_path / "lab"
    folder.mkdir()
    shutil.copy(source, folder / source.name)  # never touch the repository's notebook
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    proc, log = start_lab(folder, port, token)
    try:
        wait_for_server(proc, log, base, token, clock)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{base}/lab/tree/{source.name}?token={token}", timeout=clock.left(40) * 1000)
                page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=clock.left(40) * 1000)
                page.wait_for_selector(
                    '.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=clock.left(40) * 1000
                )
                wait_idle(page, base, token, clock, 30, "after the notebook opened")

                run_all_cells(page, clock)
                page.wait_for_selector(".jp-Notebook .widget-output img", timeout=clock.left(60) * 1000)
                state = wait_idle(page, base, token, clock, 60, "after Run All Cells")
                assert all(re.search(r"\[\d+\]", p) for p in state["prompts"]), f"not every cell ran: {state}"
                assert not cell_errors(page), f"a cell raised:\n{cell_errors(page)}"

                slider = page.locator(".widget-slider", has=page.locator(".widget-label", has_text="learning rate"))
                handle = slider.locator(".noUi-handle").first
                readout = slider.locator(".widget-readout").first
                handle.scroll_into_view_if_needed(timeout=clock.left(10) * 1000)
                shot(page, f"{kind}_before.png")
                before_src, before_value = image_sources(page), readout.text_content()
                assert before_src, "the explorer shows no figure"

                handle.focus()
                for _ in range(ARROW_PRESSES):
                    handle.press("ArrowRight")
                    page.wait_for_timeout(150)
                deadline = time.monotonic() + clock.left(30)
                while image_sources(page) == before_src and time.monotonic() < deadline:
                    page.wait_for_timeout(250)
                wait_idle(page, base, token, clock, 30, "after the slider moved")
                after_src, after_value = image_sources(page), readout.text_content()
                shot(page, f"{kind}_after.png")

                assert after_value != before_value, f"the slider did not move: {before_value} -> {after_value}"
                assert after_src != before_src, (
                    f"the plot did not change after {ARROW_PRESSES} ArrowRight presses "
                    f"(learning rate {before_value} -> {after_value})"
                )
                assert not cell_errors(page), f"a cell raised:\n{cell_errors(page)}"
                print(f"learning rate {before_value} -> {after_value}; the plot changed; no cell raised")
            finally:
                browser.close()
    finally:
        stop(proc)
