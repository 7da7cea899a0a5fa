"""A throwaway PostgreSQL server on localhost, for the tests, the autograde benchmark and trying parallel grading.

Uses Debian's ``postgresql`` package (``initdb`` and ``pg_ctl`` under /usr/lib/postgresql/<version>/bin); as root it
runs the server as the ``postgres`` system user, since PostgreSQL refuses to run as root::

    with LocalPostgres() as pg:
        print(pg.url)          # postgresql+psycopg://grader@localhost:PORT/gradebook

A real course uses its own server (see docs/instructor-guide.md); this one lives in a temporary folder and is gone
when the ``with`` block ends.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def postgres_bin() -> Path:
    """The folder holding initdb and pg_ctl; raises with the install command when PostgreSQL is missing."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise FileNotFoundError("PostgreSQL's server is not installed: sudo apt-get install postgresql")
    return Path(found[-1]).parent


def free_port() -> int:
    """A TCP port on localhost that nothing listens on now (the kernel picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalPostgres:
    """Start a private PostgreSQL cluster with one database on a free port; stop and delete it on exit."""

    def __init__(self, database: str = "gradebook", user: str = "grader"):
        self.database, self.user = database, user
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="localpg-"))
        self.data = self.dir / "data"
        self.url = f"postgresql+psycopg://{user}@localhost:{self.port}/{database}"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *cmd: str) -> None:
        proc = subprocess.run([*self._as, *cmd], capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")

    def start(self) -> LocalPostgres:
        bin_dir = postgres_bin()
        if self._as:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(str(bin_dir / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=localhost -c fsync=off -c max_connections=100"
        log = str(self.dir / "log")
        self._run(str(bin_dir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start")
        self._run(str(bin_dir / "createdb"), "-h", "localhost", "-p", str(self.port), "-U", self.user, self.database)
        return self

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(
                [*self._as, str(postgres_bin() / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                timeout=120,
            )
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
