"""The grading kernel's sandbox on its own: what a kernel started by SandboxedKernelManager can see and do."""

from __future__ import annotations

import asyncio

import pytest

from course_tools import sandbox


def _run(code: str, workdir, **traits) -> tuple[str, str]:
    """Run `code` in a sandboxed kernel started in `workdir`; returns (stdout, error name or '')."""

    async def go():
        km = sandbox.SandboxedKernelManager(**traits)
        await km.start_kernel(cwd=str(workdir))
        kc = km.client()
        kc.start_channels()
        out, err = [], []

        def hook(msg):
            content = msg["content"]
            if msg["msg_type"] == "stream":
                out.append(content["text"])
            elif msg["msg_type"] == "error":
                err.append(content["ename"])

        try:
            await kc.wait_for_ready(timeout=60)
            await kc.execute_interactive(code, output_hook=hook, timeout=60)
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
        return "".join(out), "".join(err)

    return asyncio.run(go())


@pytest.fixture(scope="module")
def bwrap_works():
    reason = sandbox.probe()
    assert reason is None, f"the grading sandbox cannot run here: {reason} (scripts/test.sh installs bubblewrap)"


def test_the_kernel_sees_only_its_folder_and_no_network(tmp_path, bwrap_works):
    secret = tmp_path / "solutions" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("the answer")
    work = tmp_path / "autograded" / "student" / "lesson"
    work.mkdir(parents=True)
    code = f"""
import os, socket
print("secret visible:", os.path.exists({str(secret)!r}))
print("sibling visible:", os.path.exists({str(tmp_path / 'autograded')!r} + "/other"))
print("parent holds:", sorted(os.listdir("..")))
open("mine.txt", "w").write("ok")
try:  # lands in the sandbox's own empty /tmp at most, never on the grader's disk
    open({str(tmp_path / "outside.txt")!r}, "w").write("x")
except OSError:
    pass
try:
    socket.create_connection(("127.0.0.1", 22), timeout=2)
    print("network: yes")
except OSError:
    print("network: no")
print("env:", sorted(k for k in os.environ if "TOKEN" in k or "PASSWORD" in k or k.startswith("PG")))
import mini_autograd, numpy, torch
print("imports ok")
"""
    out, err = _run(code, work)
    assert err == "", out
    assert "secret visible: False" in out
    assert "parent holds: ['lesson']" in out
    assert "network: no" in out
    assert "env: []" in out
    assert "imports ok" in out
    assert (work / "mine.txt").read_text() == "ok"
    assert not (tmp_path / "outside.txt").exists()


def test_memory_is_limited(tmp_path, bwrap_works):
    out, err = _run("x = bytearray(2 * 1024**3)", tmp_path, memory_mb=1024)
    assert err == "MemoryError"


def test_refuses_to_grade_unisolated_unless_told(tmp_path):
    with pytest.raises(sandbox.SandboxUnavailable, match="Install bubblewrap"):
        _run("1", tmp_path, bwrap="/nonexistent/bwrap")


def test_runs_unisolated_when_told_and_says_so(tmp_path, caplog):
    out, err = _run("print('ran')", tmp_path, bwrap="/nonexistent/bwrap", require_sandbox=False)
    assert out.strip() == "ran" and err == ""
