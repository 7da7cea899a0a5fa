"""The course on a real JupyterHub, driven in headless Chromium as its people use it (issue 14).

The test runs ``deploy/hub/jupyterhub_config.py`` itself (as root, PAM logins, one local server per user, formgrader
as a hub service of the grader account, the exchange on a shared folder, the gradebook in a throwaway PostgreSQL) and
creates real system accounts for it: a grader account, an instructor and three students (homes 0700). Then:

1. the instructor logs in and, in formgrader, generates and releases ``01_gradient_descent``;
2. each student logs in, fetches the lesson in JupyterLab's Assignments tab, opens it, types answers (alice the whole
   solution, bob exercise 1, carol nothing), saves and submits;
3. alice, from a notebook in her own server, tries to read bob's work and the instructor's sources, to list and
   write the exchange, to reach the gradebook, and to submit under bob's name; each attempt must fail (the forged
   submission lands in the exchange, and collect, ``deploy/hub/hub_exchange.py``, refuses it);
4. the instructor collects, autogrades each submission (sandboxed, in the grader's service), sees the three scores,
   generates and releases feedback; alice fetches hers and reads her score.

Assertions are on what the pages show and on the gradebook. Accounts, servers and folders are removed at the end.

Needs root (system accounts, PAM), Debian's chromium, bubblewrap and PostgreSQL, and configurable-http-proxy from npm
in .venv/node (scripts/test.sh installs all of it). The accounts run this venv's own interpreter (shared with them by
:func:`shared_interpreter`, since it lives under /root) with this venv's packages. Prints the time of each phase and
of the whole test; HUB_SCREENSHOT_DIR=folder keeps screenshots and the hub's log.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import nbformat
import nbgrader_helpers as H
import pytest

from course_tools.localpg import LocalPostgres, free_port

ROOT = Path(__file__).resolve().parents[1]
HUB_CONFIG = ROOT / "deploy" / "hub" / "jupyterhub_config.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROXY = ROOT / ".venv" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
COURSE = "backprop"
LESSON = "01_gradient_descent"
MARKER = "backprop hub test account"  # the accounts' GECOS field: only such accounts are ever removed
GRADER = "grader-bphub"
INSTRUCTOR = "bphub-teacher"
STUDENTS = {"bphub-alice": "all", "bphub-bob": "ex1", "bphub-carol": "none"}  # what each one answers
ACCOUNTS = [GRADER, INSTRUCTOR, *STUDENTS]
BUDGET = 900.0  # seconds: a hard stop for the whole test on a loaded machine
SCREENSHOT_DIR = os.environ.get("HUB_SCREENSHOT_DIR")

pytestmark = pytest.mark.slow


def run(*cmd: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


class Clock:
    def __init__(self, budget: float) -> None:
        self.start = time.monotonic()
        self.end = self.start + budget
        self.marks: list[tuple[str, float]] = []

    def ms(self, cap: float) -> float:
        return max(min(self.end - time.monotonic(), cap), 0.5) * 1000

    def mark(self, what: str) -> None:
        self.marks.append((what, time.monotonic() - self.start))
        print(f"[{self.marks[-1][1]:6.1f} s] {what}", flush=True)


# -- system accounts ---------------------------------------------------------------------------------------------


def account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def remove_account(name: str) -> None:
    """Remove a test account (only one this test made: its GECOS says so) with its processes and home."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return
    if entry.pw_gecos != MARKER:
        raise AssertionError(f"account {name} exists and is not this test's; refusing to touch it")
    run("pkill", "-KILL", "-u", str(entry.pw_uid), check=False)
    time.sleep(0.2)
    run("userdel", "-r", name, check=False)


def create_account(name: str, password: str) -> None:
    remove_account(name)  # left over from an interrupted run
    run("useradd", "--create-home", "--key", "HOME_MODE=0700", "--comment", MARKER, "--shell", "/bin/bash", name)
    run("chpasswd", input=f"{name}:{password}\n")
    home = Path(pwd.getpwnam(name).pw_dir)
    assert (home.stat().st_mode & 0o777) == 0o700, f"{home} is not private"
    # JupyterLab as the test wants it on a closed network: no news toast; every cell rendered (no windowing)
    settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    run("chown", "-R", f"{name}:{name}", str(home / ".jupyter"))


# -- the environment every user's server runs in -----------------------------------------------------------------


def shared_interpreter(where: Path) -> Path:
    """This venv's own interpreter, where every account can run it. Here it lives under /root (0700), so its standard
    library is linked (or copied) beside the test's folders and the binary's library path made relative. Debian's
    python3.11 is no substitute: it is 3.11.2, whose possessive quantifiers in ``re`` break the pinned soupsieve
    (nbconvert's HTML export, hence feedback: "SelectorSyntaxError: Invalid character 'i'"), fixed in 3.11.5."""
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if run("runuser", "-u", "nobody", "--", str(base / "bin" / version), "-c", "pass", check=False).returncode == 0:
        return base / "bin" / version
    dest = where / "python"
    skip = {"site-packages", "test", "idlelib", "tkinter", "turtledemo", "ensurepip", "__pycache__"}

    def link_or_copy(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(
        base / "lib" / version,
        dest / "lib" / version,
        ignore=lambda d, names: [n for n in names if n in skip],
        copy_function=link_or_copy,
    )
    (dest / "lib" / version / "site-packages").mkdir()
    for lib in (base / "lib").glob("libpython*.so*"):
        link_or_copy(lib, dest / "lib" / lib.name)
    binary = (dest / "bin" / version).resolve()
    binary.parent.mkdir(parents=True)
    data = (base / "bin" / version).read_bytes()
    old = str(base / "lib").encode() + b"\0"
    if old in data:  # RUNPATH: the libpython beside the binary, wherever the tree is
        new = b"$ORIGIN/../lib"
        data = data.replace(old, new + b"\0" * (len(old) - len(new)))
    binary.write_bytes(data)
    binary.chmod(0o755)
    run("chmod", "-R", "a+rX", str(dest))
    return binary


def user_python(where: Path) -> Path:
    """A venv every account can run: this venv's interpreter (:func:`shared_interpreter`) with this venv's packages
    (``site.addsitedir``, so the editable mini_autograd is seen too), console scripts and Jupyter data."""
    venv = where / "userenv"
    run(str(shared_interpreter(where)), "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    purelib = run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    site = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    Path(purelib, "grading_environment.pth").write_text(f"import site; site.addsitedir({str(site)!r})\n")
    for script in (Path(sys.prefix) / "bin").iterdir():  # jupyter, nbgrader, alembic, ... run by the new Python
        try:
            text = script.read_text()
        except (UnicodeDecodeError, IsADirectoryError, OSError):
            continue
        first, _, rest = text.partition("\n")
        target = venv / "bin" / script.name
        if first.startswith("#!") and "python" in first and not target.exists():
            target.write_text(f"#!{python}\n{rest}")
            target.chmod(0o755)
    for sub in ("etc/jupyter", "share/jupyter"):  # the server extensions' switches and the lab extensions
        (venv / sub).parent.mkdir(parents=True, exist_ok=True)
        (venv / sub).symlink_to(Path(sys.prefix) / sub)
    version = run("runuser", "-u", "nobody", "--", str(python), "-c", "import sys, soupsieve; print(sys.version)")
    assert version.stdout.split()[0] == sys.version.split()[0], version.stdout
    return python


def secure_postgres(pg: LocalPostgres, password: str) -> str:
    """The throwaway server trusts every local connection; a hub's gradebook must not: a password, over TCP only."""
    as_pg = ["runuser", "-u", "postgres", "--"]
    bin_dir = Path(run("sh", "-c", "ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1").stdout.strip())
    sql = f"ALTER USER \"{pg.user}\" PASSWORD '{password}'"
    run(
        *as_pg,
        str(bin_dir / "psql"),
        "-h",
        "localhost",
        "-p",
        str(pg.port),
        "-U",
        pg.user,
        "-d",
        pg.database,
        "-c",
        sql,
    )
    hba = "host all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n"
    (pg.data / "pg_hba.conf").write_text(hba)
    run(*as_pg, str(bin_dir / "pg_ctl"), "-D", str(pg.data), "reload")
    time.sleep(0.5)
    return f"postgresql+psycopg://{pg.user}:{password}@localhost:{pg.port}/{pg.database}"


# -- the hub -------------------------------------------------------------------------------------------------------


def start_hub(where: Path, env: dict) -> tuple[subprocess.Popen, Path]:
    state = where / "state"
    state.mkdir(mode=0o700)
    log = where / "jupyterhub.log"
    with open(log, "wb") as f:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG)],
            cwd=state,
            env=env,
            stdout=f,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return proc, log


def wait_for_hub(proc: subprocess.Popen, log: Path, base: str, clock: Clock) -> None:
    deadline = time.monotonic() + clock.ms(90) / 1000
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jupyterhub exited with code {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{base}/hub/api", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"jupyterhub did not answer:\n{log.read_text()[-4000:]}")


def stop_hub(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # the hub stops the users' servers and its service (cleanup_servers)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


class KernelWatch(threading.Thread):
    """Every kernel process `uid` runs while the watch is on, and whether bubblewrap is among its ancestors."""

    def __init__(self, uid: int) -> None:
        super().__init__(daemon=True)
        self.uid, self.done, self.kernels = uid, threading.Event(), {}

    @staticmethod
    def _stat(pid: str) -> tuple[str, str]:
        text = Path(f"/proc/{pid}/stat").read_text()
        comm = text[text.index("(") + 1 : text.rindex(")")]
        return comm, text[text.rindex(")") + 2 :].split()[1]  # (command name, parent pid)

    def run(self) -> None:
        while not self.done.wait(0.1):
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    if pid in self.kernels or os.stat(f"/proc/{pid}").st_uid != self.uid:
                        continue
                    if b"ipykernel_launcher" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                        continue
                    own, parent = self._stat(pid)
                    if own in ("bwrap", "prlimit"):  # the sandbox's own processes name the kernel in their arguments
                        continue
                    chain = []
                    for _ in range(4):
                        comm, next_parent = self._stat(parent)
                        chain.append(comm)
                        parent = next_parent
                    self.kernels[pid] = "bwrap" in chain
                except (OSError, ValueError, IndexError):
                    continue

    def stop(self) -> dict:
        self.done.set()
        self.join(5)
        return self.kernels


# -- the browser ---------------------------------------------------------------------------------------------------


def shot(page, name: str) -> None:
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}.png"), full_page=True)


def log_in(page, base: str, user: str, password: str, next_url: str, clock: Clock) -> None:
    page.goto(f"{base}/hub/login?next={next_url}", timeout=clock.ms(60))
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")


def wait_for_lab(page, clock: Clock, cap: float = 240) -> None:
    page.wait_for_selector("#jp-main-dock-panel", timeout=clock.ms(cap))
    page.wait_for_selector(".jp-MenuBar, #jp-menu-panel", timeout=clock.ms(60))


def formgrader_modal(page, clock: Clock, what: str, cap: float = 240) -> str:
    """Wait for formgrader's answer to a button: its success dialog (closed) or its error dialog (a failure)."""
    found = page.wait_for_selector("#success-modal, #error-modal", state="visible", timeout=clock.ms(cap))
    text = found.text_content() or ""
    modal_id = found.get_attribute("id")
    if modal_id == "error-modal":
        shot(page, f"error-{what}")
        pytest.fail(f"formgrader reported an error on {what}:\n{text[:3000]}")
    found.query_selector("button").click()
    page.wait_for_selector("#success-modal", state="detached", timeout=clock.ms(30))
    return text


def assignment_row(page, clock: Clock):
    row = page.locator("tr", has=page.locator("td.name", has_text=LESSON)).first
    row.wait_for(timeout=clock.ms(60))
    return row


def open_assignment_list(page, clock: Clock) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click(timeout=clock.ms(30))
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Assignment List$")).click(timeout=clock.ms(30))
    page.wait_for_selector("#released_assignments_list", timeout=clock.ms(30))


def answer_for(source_cell) -> str:
    lines = source_cell.source.splitlines()
    return "\n".join(ln for ln in lines if "BEGIN SOLUTION" not in ln and "END SOLUTION" not in ln)


def type_answer(page, marker: str, text: str, clock: Clock) -> None:
    """Click into the code cell that holds `marker` (its stub), select the stub, type the answer over it."""
    cell = page.locator(".jp-Notebook .jp-CodeCell", has_text=marker).first
    cell.scroll_into_view_if_needed(timeout=clock.ms(30))
    editor = cell.locator(".cm-content").first
    editor.click(timeout=clock.ms(30))
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)
    page.keyboard.press("Escape")  # command mode, as after editing


def save(page, clock: Clock) -> None:
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => !document.querySelector('.jp-mod-current.jp-mod-dirty, .lm-TabBar-tab.lm-mod-current.jp-mod-dirty')",
        timeout=clock.ms(30),
    )
    page.wait_for_timeout(500)


def xsrf_fetch(page, method: str, url: str, body: object | None = None) -> dict:
    """A request from the page to its own server, with the cookie and XSRF token JupyterLab uses."""
    return page.evaluate(
        """async ([method, url, body]) => {
            const m = document.cookie.match(/(?:^|; )_xsrf=([^;]*)/);
            const headers = {'Content-Type': 'application/json'};
            if (m) headers['X-XSRFToken'] = decodeURIComponent(m[1]);
            const r = await fetch(url, {method, headers, body: body === null ? undefined : JSON.stringify(body),
                                        credentials: 'same-origin'});
            return {status: r.status, text: await r.text()};
        }""",
        [method, url, body],
    )


def run_all_cells(page, clock: Clock) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click(timeout=clock.ms(15))
    page.locator(
        ".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")
    ).click(timeout=clock.ms(15))


# -- what alice tries --------------------------------------------------------------------------------------------

ATTACK = """\
import glob, json, os, subprocess
paths = json.loads({paths!r})
tried = {{}}
def attempt(name, action):
    try:
        result = action()
        tried[name] = "SUCCEEDED: " + repr(result)[:300] if result not in ([], None, "", b"") else "refused: nothing"
    except Exception as exc:
        tried[name] = "refused: " + type(exc).__name__
def append(path):
    with open(path, "a") as f:
        f.write(" ")
    return "appended"
attempt("list bob's home", lambda: os.listdir(paths["bob_home"]))
attempt("read bob's notebook", lambda: open(paths["bob_notebook"]).read())
attempt("change bob's notebook", lambda: append(paths["bob_notebook"]))
attempt("list the grader's home", lambda: os.listdir(paths["grader_home"]))
attempt("read the instructor's source", lambda: open(paths["source"]).read())
attempt("read bob's collected submission", lambda: open(paths["submitted"]).read())
attempt("list the exchange's inbound", lambda: os.listdir(paths["inbound"]))
attempt("find bob's submission in the exchange", lambda: glob.glob(paths["inbound"] + "/bphub-bob+*"))
attempt("replace the released lesson", lambda: append(paths["outbound_notebook"]))
attempt("read the hub's state", lambda: os.listdir(paths["hub_state"]))
def gradebook():
    import psycopg
    with psycopg.connect(paths["gradebook"], connect_timeout=5) as conn:
        return conn.execute("select 1").fetchall()
attempt("open the gradebook", gradebook)
def submit_as_bob():
    proc = subprocess.run(["nbgrader", "submit", paths["lesson"], "--student", "bphub-bob"],
                          cwd=os.path.expanduser("~"), capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError((proc.stdout + proc.stderr).strip().splitlines()[-3:])
    return proc.stdout[-200:]
attempt("submit as bob with nbgrader", submit_as_bob)
def forge():
    import datetime, shutil
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    dest = paths["inbound"] + "/bphub-bob+" + paths["lesson"] + "+" + stamp + "+forged"
    shutil.copytree(os.path.expanduser("~/backprop/" + paths["lesson"]), dest)
    return dest
try:
    tried["forge"] = "wrote " + forge()
except Exception as exc:
    tried["forge"] = "refused: " + type(exc).__name__
print("ATTACK-RESULTS " + json.dumps(tried))
"""


def test_course_on_jupyterhub_end_to_end():  # noqa: C901  (one story, told in order)
    if os.geteuid() != 0:
        pytest.skip("the hub test creates system accounts and runs JupyterHub with PAM: it needs root")
    missing = [str(p) for p in (Path(CHROMIUM), PROXY, Path("/usr/bin/bwrap")) if not p.exists()]
    assert not missing, f"missing {missing}: run scripts/test.sh (it installs chromium, bubblewrap, npm's proxy)"
    from nbgrader.api import Gradebook
    from playwright.sync_api import sync_playwright

    clock = Clock(BUDGET)
    where = Path(tempfile.mkdtemp(prefix="backprop-hub-", dir="/var/tmp"))  # not /tmp: the sandbox hides /tmp
    where.chmod(0o755)
    passwords = {name: secrets.token_urlsafe(12) for name in ACCOUNTS}
    hub = pg = None
    try:
        for name in ACCOUNTS:
            create_account(name, passwords[name])
        python = user_python(where)
        exchange = where / "exchange"
        exchange.mkdir()
        exchange.chmod(0o777)
        grader_home = Path(pwd.getpwnam(GRADER).pw_dir)
        course_root = H.copy_repo(grader_home / "backprop-course")  # the grader's clone: config, plug-ins, course/
        run("chown", "-R", f"{GRADER}:{GRADER}", str(course_root))
        pg = LocalPostgres(database=COURSE, user="grader").start()
        gradebook_url = secure_postgres(pg, secrets.token_urlsafe(16))
        clock.mark("accounts, environment, exchange and gradebook ready")

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = dict(
            os.environ,
            BACKPROP_HUB_IP="127.0.0.1",
            BACKPROP_HUB_PORT=str(port),
            BACKPROP_HUB_API_PORT=str(free_port()),
            BACKPROP_PROXY_API_PORT=str(free_port()),
            BACKPROP_SERVICE_PORT=str(free_port()),
            BACKPROP_PROXY=str(PROXY),
            BACKPROP_HUB_STATE=str(where / "state"),
            BACKPROP_GRADER=GRADER,
            BACKPROP_INSTRUCTORS=INSTRUCTOR,
            BACKPROP_STUDENTS=",".join(STUDENTS),
            BACKPROP_COURSE_ROOT=str(course_root),
            BACKPROP_NBGRADER_CONFIG_DIR=str(HUB_CONFIG.parent),
            BACKPROP_USER_PYTHON=str(python),
            NBGRADER_DB_URL=gradebook_url,
            NBGRADER_EXCHANGE_ROOT=str(exchange),
        )
        env.pop("NBGRADER_EXECUTION", None)
        hub, hub_log = start_hub(where, env)
        wait_for_hub(hub, hub_log, base, clock)
        clock.mark("hub up")

        source = H.read(H.SOURCES / LESSON / f"{LESSON}.ipynb")
        answers = {H.meta(c)["grade_id"]: answer_for(c) for c in H.solution_code_cells(source)}
        stubs = {"ex1_code": "def gd_step", "ex2_code": "def descend", "ex3_code": "def regime"}
        plans = {"all": ["ex1_code", "ex2_code", "ex3_code"], "ex1": ["ex1_code"], "none": []}
        points = H.points_by_exercise(source)
        expected = {"bphub-alice": sum(points.values()), "bphub-bob": points["ex1"], "bphub-carol": 0.0}

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                # 1. the instructor generates and releases the lesson in formgrader
                teacher = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                formgrader = f"/services/{COURSE}/formgrader"
                log_in(teacher, base, INSTRUCTOR, passwords[INSTRUCTOR], f"{formgrader}/manage_assignments", clock)
                teacher.wait_for_url(re.compile(r".*/formgrader/manage_assignments.*"), timeout=clock.ms(180))
                row = assignment_row(teacher, clock)
                clock.mark("instructor in formgrader")
                row.locator("td.assign a").click()
                formgrader_modal(teacher, clock, "generate")
                row = assignment_row(teacher, clock)
                row.locator("td.release a").click(timeout=clock.ms(60))
                formgrader_modal(teacher, clock, "release")
                row = assignment_row(teacher, clock)
                assert row.locator("td.status").text_content(timeout=clock.ms(30)).strip() == "released"
                shot(teacher, "1-released")
                clock.mark("generated and released in formgrader")

                # 2. the students log in (their servers start side by side), fetch, answer, save, submit
                pages = {}
                for student in STUDENTS:
                    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                    log_in(page, base, student, passwords[student], "/hub/spawn", clock)
                    pages[student] = page
                for page in pages.values():
                    wait_for_lab(page, clock)
                clock.mark("three students in JupyterLab")
                for student, page in pages.items():
                    open_assignment_list(page, clock)
                    released = page.locator("#released_assignments_list .list_item", has_text=LESSON)
                    released.locator("button", has_text="Fetch").click(timeout=clock.ms(60))
                    fetched = page.locator("#fetched_assignments_list .list_item", has_text=LESSON).first
                    fetched.wait_for(timeout=clock.ms(60))
                    fetched.locator("a.assignment-notebooks-link").click()
                    page.locator("#fetched_assignments_list a", has_text=re.compile(rf"^{LESSON}$")).last.click(
                        timeout=clock.ms(30)
                    )
                    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=clock.ms(60))
                    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=clock.ms(90))
                    for grade_id in plans[STUDENTS[student]]:
                        type_answer(page, stubs[grade_id], answers[grade_id], clock)
                    save(page, clock)
                    page.locator(".lm-TabBar-tab", has_text=re.compile(r"^Assignments$")).click()
                    item = page.locator("#fetched_assignments_list .list_item", has_text=LESSON).first
                    item.locator("button", has_text="Submit").click(timeout=clock.ms(30))
                    page.locator("#submitted_assignments_list .list_item", has_text=LESSON).first.wait_for(
                        timeout=clock.ms(90)
                    )
                    shot(page, f"2-submitted-{student}")
                    clock.mark(f"{student} fetched, answered ({STUDENTS[student]}) and submitted")
                    home = Path(pwd.getpwnam(student).pw_dir)
                    got = H.read(home / COURSE / LESSON / f"{LESSON}.ipynb")
                    typed = [H.meta(c)["grade_id"] for c in H.solution_code_cells(got) if H.STUB not in c.source]
                    assert typed == plans[STUDENTS[student]], f"{student}'s saved notebook: answered {typed}"

                # 3. alice, in her own server, goes after bob's work, the sources, the exchange, the gradebook
                alice = pages["bphub-alice"]
                bob_home = Path(pwd.getpwnam("bphub-bob").pw_dir)
                bob_notebook = bob_home / COURSE / LESSON / f"{LESSON}.ipynb"
                bob_before = bob_notebook.read_bytes()
                paths = {
                    "bob_home": str(bob_home),
                    "bob_notebook": str(bob_notebook),
                    "grader_home": str(grader_home),
                    "source": str(course_root / "course" / "solutions" / LESSON / f"{LESSON}.ipynb"),
                    "submitted": str(course_root / "course" / "submitted" / "bphub-bob" / LESSON / f"{LESSON}.ipynb"),
                    "inbound": str(exchange / COURSE / "inbound"),
                    "outbound_notebook": str(exchange / COURSE / "outbound" / LESSON / f"{LESSON}.ipynb"),
                    "hub_state": str(where / "state"),
                    "gradebook": f"postgresql://grader@localhost:{pg.port}/{COURSE}",  # no password
                    "lesson": LESSON,
                }
                attack_nb = nbformat.v4.new_notebook()
                attack_nb.cells = [nbformat.v4.new_code_cell(ATTACK.format(paths=json.dumps(paths)))]
                attack_nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
                put = xsrf_fetch(
                    alice,
                    "PUT",
                    "/user/bphub-alice/api/contents/attack.ipynb",
                    {"type": "notebook", "format": "json", "content": json.loads(nbformat.writes(attack_nb))},
                )
                assert put["status"] in (200, 201), put
                alice = alice.context.new_page()  # a second tab: the lesson's tab stays as it is
                alice.goto(f"{base}/user/bphub-alice/lab/tree/attack.ipynb", timeout=clock.ms(60))
                attack_cell = alice.locator(".jp-Notebook .jp-CodeCell", has_text="ATTACK-RESULTS").first
                attack_cell.wait_for(timeout=clock.ms(90))
                alice.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=clock.ms(90))
                alice.wait_for_timeout(1000)  # the kernel's first idle comes before JupyterLab connects the cell
                attack_cell.locator(".jp-InputPrompt").click()
                alice.keyboard.press("Shift+Enter")  # run the cell, as a student would
                out = alice.locator(".jp-OutputArea-output", has_text="ATTACK-RESULTS").first
                out.wait_for(timeout=clock.ms(180))
                shot(alice, "3-attempts")
                tried = json.loads(out.text_content().split("ATTACK-RESULTS", 1)[1].strip().splitlines()[0])
                print("alice's attempts:\n" + "\n".join(f"  {k}: {v}" for k, v in tried.items()))
                forged = tried.pop("forge")
                succeeded = {k: v for k, v in tried.items() if not v.startswith("refused")}
                assert not succeeded, f"alice got through: {succeeded}"
                assert bob_notebook.read_bytes() == bob_before, "bob's notebook changed"
                # the inbound folder is writable by every student (nbgrader's design): she can drop a folder named
                # for bob there, by hand; collect must refuse it (below)
                assert forged.startswith("wrote"), forged
                forged_dirs = [p for p in (exchange / COURSE / "inbound").iterdir() if p.owner() == "bphub-alice"]
                assert any(p.name.startswith("bphub-bob+") for p in forged_dirs), forged_dirs
                clock.mark("alice's attempts refused (the forged submission waits for collect)")

                # 4. the instructor collects, autogrades, sees the scores, releases feedback
                teacher.goto(f"{base}{formgrader}/manage_assignments", timeout=clock.ms(60))
                row = assignment_row(teacher, clock)
                row.locator("td.collect a").click(timeout=clock.ms(30))
                said = formgrader_modal(teacher, clock, "collect")
                refusal = "claims to be bphub-bob's submission but belongs to bphub-alice"
                assert refusal in said, f"formgrader's collect log does not name the forgery:\n{said[-2000:]}"
                row = assignment_row(teacher, clock)
                assert row.locator("td.num-submissions").text_content(timeout=clock.ms(30)).strip() == "3"
                submitted = course_root / "course" / "submitted"
                assert sorted(p.name for p in submitted.iterdir()) == sorted(STUDENTS)
                bob_submitted = H.read(submitted / "bphub-bob" / LESSON / f"{LESSON}.ipynb")
                typed = [H.meta(c)["grade_id"] for c in H.solution_code_cells(bob_submitted) if H.STUB not in c.source]
                assert typed == ["ex1_code"], f"collect took alice's forged submission for bob's: {typed}"
                clock.mark("collected in formgrader (the forged one refused)")

                teacher.goto(f"{base}{formgrader}/manage_submissions/{LESSON}", timeout=clock.ms(60))
                watch = KernelWatch(pwd.getpwnam(GRADER).pw_uid)
                watch.start()
                for student in STUDENTS:
                    srow = teacher.locator("tr", has=teacher.locator("td.student-id", has_text=student)).first
                    srow.locator("td.autograde a").click(timeout=clock.ms(60))
                    said = formgrader_modal(teacher, clock, f"autograde {student}")
                    assert f"Successfully autograded '{LESSON}' for student '{student}'" in said, said
                    srow = teacher.locator("tr", has=teacher.locator("td.student-id", has_text=student)).first
                    srow.locator("td.score", has_text=re.compile(r"\d")).wait_for(timeout=clock.ms(60))
                    clock.mark(f"autograded {student} in formgrader")
                kernels = watch.stop()
                print(f"grading kernels seen (pid: inside bubblewrap): {kernels}")
                assert kernels, "no grading kernel was seen"
                assert all(kernels.values()), f"a grading kernel ran outside bubblewrap: {kernels}"
                teacher.reload()
                shown = {}
                for student in STUDENTS:
                    srow = teacher.locator("tr", has=teacher.locator("td.student-id", has_text=student)).first
                    score = srow.locator("td.score").text_content(timeout=clock.ms(60)).strip()
                    shown[student] = float(score.split("/")[0])
                shot(teacher, "4-scores")
                print(f"formgrader shows: {shown}")
                assert shown == pytest.approx(expected)
                with Gradebook(gradebook_url, COURSE) as gb:
                    in_db = {s: gb.find_submission(LESSON, s).score for s in STUDENTS}
                assert in_db == pytest.approx(expected)

                teacher.goto(f"{base}{formgrader}/manage_assignments", timeout=clock.ms(60))
                assignment_row(teacher, clock).locator("td.generate-feedback a").click(timeout=clock.ms(30))
                formgrader_modal(teacher, clock, "generate feedback")
                assignment_row(teacher, clock).locator("td.release-feedback a").click(timeout=clock.ms(30))
                formgrader_modal(teacher, clock, "release feedback")
                clock.mark("feedback generated and released in formgrader")

                # 5. alice fetches her feedback and reads her score
                alice = alice.context.new_page()
                alice.goto(f"{base}/user/bphub-alice/lab", timeout=clock.ms(60))
                wait_for_lab(alice, clock)
                open_assignment_list(alice, clock)
                alice.locator("#submitted_assignments_list", has_text="feedback available to fetch").wait_for(
                    timeout=clock.ms(60)
                )
                alice.locator("#submitted_assignments_list button", has_text="Fetch Feedback").first.click(
                    timeout=clock.ms(60)
                )
                alice.locator("#submitted_assignments_list", has_text="view feedback").wait_for(timeout=clock.ms(60))
                listing = xsrf_fetch(alice, "GET", f"/user/bphub-alice/api/contents/{COURSE}/{LESSON}/feedback")
                stamp = json.loads(listing["text"])["content"][0]["name"]
                alice.goto(
                    f"{base}/user/bphub-alice/files/{COURSE}/{LESSON}/feedback/{stamp}/{LESSON}.html",
                    timeout=clock.ms(60),
                )
                heading = alice.locator("h4", has_text="Score:").first.text_content(timeout=clock.ms(30))
                shot(alice, "5-feedback")
                match = re.search(r"Score: ([\d.]+) / ([\d.]+)", heading)
                assert match and float(match[1]) == pytest.approx(expected["bphub-alice"]), heading
                clock.mark(f"alice reads her feedback: {heading.strip()}")
            finally:
                if SCREENSHOT_DIR:  # the last state of every tab, for a failure's post-mortem
                    for i, ctx in enumerate(browser.contexts):
                        for j, pg_ in enumerate(ctx.pages):
                            shot(pg_, f"last-{i}-{j}")
                browser.close()
    finally:
        if hub is not None:
            stop_hub(hub)
            print(f"--- hub log (tail) ---\n{(where / 'jupyterhub.log').read_text()[-6000:]}")
            if SCREENSHOT_DIR:
                shutil.copy(where / "jupyterhub.log", Path(SCREENSHOT_DIR) / "jupyterhub.log")
        for name in ACCOUNTS:
            remove_account(name)
        if pg is not None:
            pg.stop()
        shutil.rmtree(where, ignore_errors=True)
        print(f"test_hub: {time.monotonic() - clock.start:.0f} s in all; phases: {clock.marks}")
