"""Run each student's notebook in a kernel that can see nothing but its own folder: bubblewrap, through nbgrader.

nbgrader, as shipped, runs submissions with the grader's own permissions: a notebook can read the solutions, rewrite
``gradebook.db``, overwrite other students' work and open network connections. Here every kernel that
``nbgrader autograde`` starts (through :class:`course_tools.grading.GradingExecute`) goes through
:class:`SandboxedKernelManager`, which wraps the kernel command in bubblewrap (``bwrap``, Debian's ``bubblewrap``
package) so that the kernel

- sees a file system built from scratch: the system's ``/usr``, the kernel's Python installation and the packages the
  lessons import, all read-only (found by asking the kernel's own Python what it imports, :func:`ask_python`, so an
  editable ``mini_autograd`` from another clone is the one shown, not whatever the grader's process would import);
  an empty ``/tmp``; and, writable, only the notebook's own folder (``course/autograded/<student>/<assignment>``).
  The course directory, the gradebook, the solutions, other students' submissions, the exchange and the grader's
  home are simply not there;
- has no network (a new, empty network namespace; the kernel talks to nbgrader over Unix sockets in a private
  folder, ZeroMQ's ``ipc`` transport), its own process and IPC namespaces, and a cleared environment;
- is limited by ``prlimit``: address space (memory), CPU seconds, file size and open files. nbgrader's per-cell
  timeout (``c.Execute.timeout``) interrupts an endless loop; the CPU limit ends a kernel that ignores interrupts.

:class:`GradingExecute` (nbgrader's ``Execute`` with this kernel manager) also caps the output a notebook may
produce, and turns a kernel that dies mid-notebook (``os._exit``, a crash, the memory limit) into error outputs on the
cells that could not run, so that nothing unexecuted counts as passed and nbgrader still records the submission.

Where bubblewrap is missing or cannot create namespaces, grading refuses to run unless the instructor explicitly sets
``c.SandboxedKernelManager.require_sandbox = False``, and then it warns loudly on every kernel.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, List, Unicode

_ENV_KEEP = ("COURSE_HANDOUT", "LANG", "LC_ALL", "NBGRADER_EXECUTION", "NBGRADER_VALIDATING", "PYTHONHASHSEED", "TZ")
_SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc/alternatives", "/etc/ssl")
_SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is not installed or cannot create namespaces on this machine."""


@functools.cache
def probe(bwrap: str = "bwrap") -> str | None:
    """None when bubblewrap works here, else a sentence saying why not (cached per process)."""
    path = shutil.which(bwrap)
    if path is None:
        return f"`{bwrap}` is not installed (Debian/Ubuntu: sudo apt-get install bubblewrap)"
    try:
        proc = subprocess.run(
            [path, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--", "true"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`{path}` could not run: {exc}"
    if proc.returncode != 0:
        return (
            f"`{path}` cannot create namespaces here ({proc.stderr.strip() or proc.returncode}); unprivileged user "
            "namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1) or a container forbids them"
        )
    return None


#: Packages the lessons import that may live outside the Python installation (an editable install, a clone).
LESSON_PACKAGES = ("mini_autograd", "course_tools")

# Run by the kernel's own Python, in the sandbox's environment: what would *it* import? Prints JSON.
_PROBE = r"""
import importlib.util, json, os, sys, sysconfig
out = {"executable": os.path.realpath(sys.executable), "version": sys.version,
       "prefixes": [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix],
       "install": [sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")],
       "path": [p for p in sys.path if p], "packages": {}, "editable": []}
for name in sys.argv[1:]:
    try:
        spec = importlib.util.find_spec(name)
    except Exception:
        spec = None
    if spec is None:
        out["packages"][name] = None
    else:
        locations = list(spec.submodule_search_locations or [])
        out["packages"][name] = {"origin": spec.origin, "locations": locations or [os.path.dirname(spec.origin)]}
for mod in list(sys.modules.values()):  # setuptools' editable finders map package names to folders anywhere
    if getattr(mod, "__name__", "").startswith("__editable__"):
        for table in ("MAPPING", "NAMESPACES"):
            value = getattr(mod, table, None)
            if isinstance(value, dict):
                for v in value.values():
                    out["editable"] += [str(x) for x in (v if isinstance(v, list) else [v])]
print(json.dumps(out))
"""


class KernelPythonUnusable(RuntimeError):
    """The kernel's Python could not be asked what it imports."""


def _probe_env(home: str) -> dict[str, str]:
    """The environment the kernel will have inside the sandbox (cleared; no PYTHONPATH, no user site)."""
    env = {k: os.environ[k] for k in _ENV_KEEP if k in os.environ}
    env.update({"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "PYTHONDONTWRITEBYTECODE": "1"})
    return env


@functools.cache
def ask_python(python: str, packages: tuple[str, ...] = LESSON_PACKAGES) -> dict:
    """What ``python`` itself imports: its installation, ``sys.path``, and where each package and editable install is.

    Asked of that Python in a subprocess (``python -c``) with the sandbox's cleared environment, never worked out in
    the grader's process, whose ``sys.path`` (the course directory first, an editable install of another clone, a
    PYTHONPATH) need not be the kernel's. Cached per process."""
    with tempfile.TemporaryDirectory(prefix="nbg-probe-") as home:
        try:
            proc = subprocess.run(
                [python, "-c", _PROBE, *packages],
                capture_output=True,
                text=True,
                timeout=60,
                cwd=home,
                env=_probe_env(home),
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise KernelPythonUnusable(f"the kernel's Python {python} could not run: {exc}") from exc
    if proc.returncode != 0:
        raise KernelPythonUnusable(f"the kernel's Python {python} failed: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def package_dirs(view: dict) -> list[str]:
    """The folders of the lesson packages and editable installs that ``view`` (from :func:`ask_python`) names."""
    dirs = list(view["editable"])
    for found in view["packages"].values():
        if found:
            dirs += found["locations"]
    return sorted({os.path.realpath(d) for d in dirs if d and os.path.exists(d)})


def python_dirs(python: str | None = None) -> tuple[str, ...]:
    """Read-only folders the kernel's Python needs: its installation, the venv, ``sys.path``, the lesson packages.

    ``python`` is the kernel's interpreter (by default this one); it is asked itself (:func:`ask_python`)."""
    view = ask_python(os.path.abspath(python or sys.executable))
    candidates = set(view["prefixes"]) | set(view["install"]) | set(view["path"])
    candidates.update(os.path.realpath(c) for c in list(candidates))
    candidates.add(os.path.dirname(view["executable"]))
    candidates.update(package_dirs(view))
    existing = sorted(c for c in candidates if c and c != "/" and os.path.exists(c))
    # drop folders inside another listed folder: one bind each
    return tuple(c for c in existing if not any(c != o and c.startswith(o.rstrip("/") + "/") for o in existing))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def visible_dirs(python: str | None, workdir: str) -> tuple[str, ...]:
    """:func:`python_dirs`, less any folder that holds the kernel's own folder (a ``sys.path`` entry that is the
    course repository, from an old-style editable install, would show the solutions and the gradebook): from such a
    folder only the lesson packages themselves are shown."""
    view = ask_python(os.path.abspath(python or sys.executable))
    workdir = os.path.realpath(workdir)
    keep = [d for d in python_dirs(python) if not _inside(workdir, d)]
    extra = [d for d in package_dirs(view) if not any(_inside(d, k) for k in keep) and not _inside(workdir, d)]
    return tuple(keep + extra)


def bwrap_command(
    kernel_cmd: list[str],
    *,
    workdir: str,
    private_dir: str,
    env: dict[str, str],
    memory_mb: int,
    cpu_seconds: int,
    file_size_mb: int,
    bwrap: str = "bwrap",
    extra_ro: tuple[str, ...] = (),
    python: str | None = None,
) -> list[str]:
    """The full command line: bwrap (namespaces and mounts) then prlimit (resource limits) then the kernel."""
    cmd = [bwrap, "--unshare-all", "--die-with-parent", "--clearenv"]
    for d in _SYSTEM_DIRS:
        if os.path.islink(d):
            cmd += ["--symlink", os.readlink(d), d]
        else:
            cmd += ["--ro-bind-try", d, d]
    for f in _SYSTEM_FILES:
        cmd += ["--ro-bind-try", f, f]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/dev/shm"]
    cmd += ["--ro-bind-try", "/sys/devices/system/cpu", "/sys/devices/system/cpu"]
    python = python or sys.executable
    for d in visible_dirs(python, workdir) + tuple(extra_ro):
        cmd += ["--ro-bind", d, d]
    cmd += ["--bind", private_dir, private_dir, "--bind", workdir, workdir, "--chdir", workdir]
    sandbox_env = {k: env[k] for k in _ENV_KEEP if k in env}
    sandbox_env.update(
        {
            "PATH": f"{os.path.dirname(python)}:/usr/local/bin:/usr/bin:/bin",
            "HOME": private_dir,
            "USER": "student",
            "MPLCONFIGDIR": os.path.join(private_dir, "matplotlib"),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "OMP_NUM_THREADS": "1",  # one grading kernel per core; torch's thread pool would fight the others
            "OPENBLAS_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    for k, v in sandbox_env.items():
        cmd += ["--setenv", k, v]
    limits = [
        "prlimit",
        f"--as={memory_mb * 1024 * 1024}",
        f"--cpu={cpu_seconds}",
        f"--fsize={file_size_mb * 1024 * 1024}",
        "--nofile=1024",
        "--core=0",
        "--",
    ]
    return cmd + ["--"] + limits + kernel_cmd


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run under bubblewrap and prlimit (see the module's docstring)."""

    bwrap = Unicode("bwrap", help="the bubblewrap executable").tag(config=True)
    require_sandbox = Bool(
        True, help="refuse to start kernels when bubblewrap does not work (False: run them unisolated, warning loudly)"
    ).tag(config=True)
    memory_mb = Integer(3072, help="address-space limit of a kernel, in MiB").tag(config=True)
    cpu_seconds = Integer(600, help="CPU-time limit of a kernel, in seconds").tag(config=True)
    file_size_mb = Integer(64, help="largest file a kernel may write, in MiB").tag(config=True)
    extra_readonly = List(Unicode(), help="more folders to show the kernel, read-only (data sets, say)").tag(
        config=True
    )

    _private_dir: str | None = None
    _workdir: str | None = None

    async def _async_pre_start_kernel(self, **kw):
        reason = probe(self.bwrap)
        self._sandboxed = reason is None
        if not self._sandboxed:
            if self.require_sandbox:
                raise SandboxUnavailable(
                    f"Refusing to run student code without isolation: {reason}. Install bubblewrap, or set "
                    "c.SandboxedKernelManager.require_sandbox = False in nbgrader_config.py to grade unisolated "
                    "(any submission can then read the solutions and rewrite the gradebook)."
                )
            self.log.warning("!" * 100)
            self.log.warning("STUDENT CODE RUNS WITHOUT ISOLATION: %s", reason)
            self.log.warning("It can read course/solutions, rewrite gradebook.db and reach the network.")
            self.log.warning("!" * 100)
        else:
            self._private_dir = tempfile.mkdtemp(prefix="nbg-kernel-")
            os.makedirs(os.path.join(self._private_dir, "matplotlib"))
            _copy_font_cache(os.path.join(self._private_dir, "matplotlib"))
            self._workdir = os.path.realpath(kw.get("cwd") or os.getcwd())
            # the kernel has no network: it talks to us through Unix sockets in the private folder
            self.transport = "ipc"
            self.ip = os.path.join(self._private_dir, "kernel")
            self.connection_file = os.path.join(self._private_dir, "connection.json")
            # signals sent from outside do not reach a process in its own PID namespace reliably: ask the kernel
            # to interrupt itself over the control channel instead (ipykernel then sends itself SIGINT)
            self.kernel_spec.interrupt_mode = "message"
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if not getattr(self, "_sandboxed", False):
            return cmd
        env = (self._launch_args or {}).get("env") or os.environ
        return bwrap_command(
            cmd,
            workdir=self._workdir,
            private_dir=self._private_dir,
            env=env,
            memory_mb=self.memory_mb,
            cpu_seconds=self.cpu_seconds,
            file_size_mb=self.file_size_mb,
            bwrap=shutil.which(self.bwrap) or self.bwrap,
            extra_ro=tuple(self.extra_readonly),
            python=shutil.which(cmd[0]) or cmd[0],
        )

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if self._private_dir and not restart:
            shutil.rmtree(self._private_dir, ignore_errors=True)
            self._private_dir = None


def _copy_font_cache(dest: str) -> None:
    """Give the kernel matplotlib's font list, so it does not rebuild it (a second or two) in every kernel."""
    try:
        import matplotlib

        cache = Path(matplotlib.get_cachedir())
    except Exception:  # noqa: BLE001 - matplotlib missing or unconfigured: the kernel rebuilds the list itself
        return
    for f in cache.glob("fontlist-*.json"):
        shutil.copy(f, dest)
