"""JupyterHub for the backprop course: PAM logins of real system accounts, one local server per user, nbgrader's
exchange on a shared folder, formgrader as a hub service run by the grader account, the gradebook in PostgreSQL.

Run as root (PAM reads /etc/shadow; the spawner switches to each user)::

    jupyterhub -f deploy/hub/jupyterhub_config.py

Every setting a site changes is an environment variable with the production default beside it; tests/test_hub.py
runs this very file with throwaway values (a free port, temporary folders, a private PostgreSQL). The layout follows
nbgrader's ``demos/demo_multiple_classes``; docs/instructor-guide.md, section 12, says how to set a machine up.
"""

import os
import secrets
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by traitlets when JupyterHub loads this file)


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _names(name: str, default: str = "") -> list[str]:
    return [n.strip() for n in _env(name, default).split(",") if n.strip()]


COURSE = _env("BACKPROP_COURSE_ID", "backprop")  # as CourseDirectory.course_id in the course's nbgrader_config.py
GRADER = _env("BACKPROP_GRADER", f"grader-{COURSE}")  # the account that owns the course directory and runs formgrader
INSTRUCTORS = _names("BACKPROP_INSTRUCTORS", "instructor1")
STUDENTS = _names("BACKPROP_STUDENTS")  # or add them later: POST /hub/api/groups/nbgrader-backprop/users
COURSE_ROOT = _env("BACKPROP_COURSE_ROOT", f"/home/{GRADER}/backprop-course")  # the grader's clone of the repository
STATE = Path(_env("BACKPROP_HUB_STATE", "/srv/jupyterhub"))  # the hub's database, cookie secret, service token
# The folder holding the global nbgrader_config.py (deploy/hub/nbgrader_config.py): exchange root, hub auth plugin.
NBGRADER_GLOBAL_CONFIG = _env("BACKPROP_NBGRADER_CONFIG_DIR", "/etc/jupyter")
# The Python environment users' servers and kernels run in (the course's pinned grading environment); every user
# must be able to read and run it.
USER_PYTHON = _env("BACKPROP_USER_PYTHON", sys.executable)
USER_PATH = os.pathsep.join([str(Path(USER_PYTHON).parent), "/usr/local/bin", "/usr/bin", "/bin"])
EXCHANGE = _env("NBGRADER_EXCHANGE_ROOT", "/srv/nbgrader/exchange")  # as in deploy/hub/nbgrader_config.py
GRADEBOOK = _env("NBGRADER_DB_URL", f"postgresql+psycopg://{GRADER}@localhost:5432/{COURSE}")
SERVICE_PORT = int(_env("BACKPROP_SERVICE_PORT", "9999"))

# -- the hub -------------------------------------------------------------------------------------------------------
c.JupyterHub.ip = _env("BACKPROP_HUB_IP", "")
c.JupyterHub.port = int(_env("BACKPROP_HUB_PORT", "8000"))
c.JupyterHub.hub_port = int(_env("BACKPROP_HUB_API_PORT", "8081"))
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.ConfigurableHTTPProxy.command = [_env("BACKPROP_PROXY", "configurable-http-proxy")]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{_env('BACKPROP_PROXY_API_PORT', '8001')}"
c.JupyterHub.cleanup_servers = True

# -- who logs in: system accounts through PAM ------------------------------------------------------------------------
c.JupyterHub.authenticator_class = "jupyterhub.auth.PAMAuthenticator"
c.PAMAuthenticator.open_sessions = False  # no systemd-logind session per server
c.Authenticator.allowed_users = set(INSTRUCTORS + STUDENTS)
c.Authenticator.admin_users = set()  # instructors need formgrader, not the power to act as students

# -- where their servers run: a local process as each user, in their home ------------------------------------------
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [USER_PYTHON, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
# what every user's nbgrader reads: the global nbgrader_config.py and, through it, the exchange and the course
NBGRADER_ENV = {
    "JUPYTER_CONFIG_PATH": NBGRADER_GLOBAL_CONFIG,
    "NBGRADER_EXCHANGE_ROOT": EXCHANGE,
    "BACKPROP_COURSE_ID": COURSE,
}
c.Spawner.environment = {"PATH": USER_PATH, **NBGRADER_ENV}
c.Spawner.start_timeout = int(_env("BACKPROP_START_TIMEOUT", "120"))
c.Spawner.http_timeout = int(_env("BACKPROP_START_TIMEOUT", "120"))

# -- groups: nbgrader reads the course list from them (formgrade-<course>, nbgrader-<course>) --------------------------
c.JupyterHub.load_groups = {
    f"formgrade-{COURSE}": {"users": [*INSTRUCTORS, GRADER]},
    f"nbgrader-{COURSE}": {"users": STUDENTS},
}
c.JupyterHub.load_roles = [
    {  # instructors reach formgrader (the service) and nothing of the students'
        "name": f"formgrade-{COURSE}",
        "groups": [f"formgrade-{COURSE}"],
        "scopes": [f"access:services!service={COURSE}"],
    },
    {  # students see the course's service listed (nbgrader's course list) but cannot open it
        "name": f"nbgrader-{COURSE}",
        "groups": [f"nbgrader-{COURSE}"],
        "scopes": ["list:services", f"read:services!service={COURSE}"],
    },
    # a server's token may do what its owner may: nbgrader's exchange asks the hub for the owner's groups
    {"name": "server", "scopes": ["inherit"]},
    {  # formgrader's service: nbgrader's JupyterHubAuthPlugin reads and edits the student group
        "name": f"grader-{COURSE}-service",
        "services": [COURSE],
        "scopes": ["read:users", "list:users", "read:groups", "list:groups", f"groups!group=nbgrader-{COURSE}"],
    },
]


def _service_token() -> str:
    path = STATE / f"service-{COURSE}.token"
    if not path.exists():
        STATE.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


# -- formgrader: JupyterLab with nbgrader, run by the grader account in the course directory, for instructors only ---
c.JupyterHub.services = [
    {
        "name": COURSE,
        "url": f"http://127.0.0.1:{SERVICE_PORT}",
        "command": [USER_PYTHON, "-m", "jupyterhub.singleuser", f"--ServerApp.port={SERVICE_PORT}"],
        "user": GRADER,
        "cwd": COURSE_ROOT,
        "oauth_no_confirm": True,
        "environment": {
            "PATH": USER_PATH,
            "JUPYTERHUB_DEFAULT_URL": "/lab",
            **NBGRADER_ENV,
            "NBGRADER_DB_URL": GRADEBOOK,  # read by the course's nbgrader_config.py
        },
        "api_token": _service_token(),
    }
]
