"""The README's first command, `bash scripts/course.sh`, on a clean clone: it installs the course, starts JupyterLab
(as root in CI, headless), prints the address to open as the last thing on the screen, serves lesson 1 whose kernel
runs its first code cells; run again, it reuses .venv; with a Python older than 3.11 it stops with one clear line."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbgrader_helpers as H
import pytest
import requests

from course_tools.localpg import free_port

URL = re.compile(r"http://127\.0\.0\.1:(\d+)/lab\?token=([0-9a-f]+)")


def clean_clone(dest: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(H.ROOT), str(dest)], check=True, timeout=120)
    return dest


def student_env() -> dict:
    """The environment of someone who opens a terminal: no virtual environment active, no display."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "DISPLAY", "WAYLAND_DISPLAY", "BROWSER")}
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env.pop("NBGRADER_EXECUTION", None)
    return env


class Lab:
    """`bash scripts/course.sh --port=P` running in the background, its output in a file."""

    def __init__(self, repo: Path, log: Path):
        self.port, self.log = free_port(), log
        self.proc = subprocess.Popen(
            ["bash", "scripts/course.sh", f"--port={self.port}"],
            cwd=repo,
            env=student_env(),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_url(self, timeout: float) -> tuple[str, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = URL.search(self.output())
            if m and int(m.group(1)) == self.port:
                return f"http://127.0.0.1:{self.port}", m.group(2)
            if self.proc.poll() is not None:
                pytest.fail(f"scripts/course.sh exited with {self.proc.returncode}:\n{self.output()[-5000:]}")
            time.sleep(1)
        pytest.fail(f"JupyterLab printed no address within {timeout:.0f} s:\n{self.output()[-5000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def run_cell(base: str, token: str, kernel_id: str, code: str, timeout: float = 120) -> dict:
    """Execute `code` in a kernel through the server's websocket, as JupyterLab does; return the execute_reply."""
    import websocket

    ws = websocket.create_connection(
        f"{base.replace('http', 'ws')}/api/kernels/{kernel_id}/channels?token={token}", timeout=timeout
    )
    try:
        msg_id = uuid.uuid4().hex
        ws.send(
            json.dumps(
                {
                    "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex,
                               "msg_type": "execute_request", "version": "5.3"},
                    "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                    "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                                "allow_stdin": False, "stop_on_error": True},
                }
            )
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = json.loads(ws.recv())
            if reply.get("parent_header", {}).get("msg_id") == msg_id and reply["msg_type"] == "execute_reply":
                return reply["content"]
        raise TimeoutError(code)
    finally:
        ws.close()


@pytest.mark.slow
def test_the_main_command_serves_the_course_from_a_clean_clone(tmp_path):
    repo = clean_clone(tmp_path / "course")
    lab = Lab(repo, tmp_path / "first.log")
    try:
        base, token = lab.wait_for_url(timeout=1500)
        time.sleep(3)  # anything printed after the address would now be on the screen below it
        out = lab.output()
        last = [line for line in out.splitlines() if line.strip()][-1]
        assert URL.search(last), f"the address is not the last thing printed:\n{out[-3000:]}"
        if os.geteuid() == 0:
            assert "Running as root: passing --allow-root" in out
        assert "No display or browser here" in out
        assert "DeprecationWarning" not in out and "is deprecated" not in out, out

        auth = {"Authorization": f"token {token}"}
        assert requests.get(f"{base}/api/status", headers=auth, timeout=30).status_code == 200
        path = "01_gradient_descent/01_gradient_descent.ipynb"
        nb = requests.get(f"{base}/api/contents/{path}", headers=auth, timeout=30).json()["content"]
        session = requests.post(
            f"{base}/api/sessions",
            headers=auth,
            json={"path": path, "type": "notebook", "name": "", "kernel": {"name": "python3"}},
            timeout=60,
        ).json()
        kernel_id = session["kernel"]["id"]
        code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
        # its first code cell, the setup cell (imports, the self-check); a Colab install cell first when stamped
        for cell in code_cells[: 2 if nb["cells"][0].get("id") == "colab-badge" else 1]:
            reply = run_cell(base, token, kernel_id, cell["source"])
            assert reply["status"] == "ok", (cell["source"], reply)
        assert requests.delete(f"{base}/api/sessions/{session['id']}", headers=auth, timeout=30).status_code == 204
    finally:
        lab.stop()

    again = Lab(repo, tmp_path / "second.log")
    try:
        started = time.monotonic()
        again.wait_for_url(timeout=300)
        assert "Reusing .venv" in again.output() and "Installing" not in again.output()
        print(f"second start: JupyterLab answered in {time.monotonic() - started:.1f} s")
    finally:
        again.stop()


def test_an_old_python_stops_with_one_line_naming_it(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python3").write_text(
        '#!/bin/sh\ncase "$*" in *version_info*) exit 1;; *python_version*) echo 3.10.12;; esac\n'
    )
    (fake / "python3").chmod(0o755)
    env = student_env()
    env["PATH"] = f"{fake}{os.pathsep}{env['PATH']}"
    proc = subprocess.run(
        ["bash", str(H.ROOT / "scripts" / "course.sh")], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "3.10.12" in lines[0] and "Python 3.11 or newer" in lines[0], proc.stderr
