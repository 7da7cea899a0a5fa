"""Self-check for students working without nbgrader: which exercises pass their visible checks.

Each lesson's setup cell calls :func:`track`, which asks IPython to tell us after every cell whether it raised.
Test cells begin with a marker comment naming their exercise::

    # Checks for exercise 2 (part delta-y)
    from mini_autograd.testing import assert_close
    ...

and the last code cell of the lesson calls :func:`summary` with the lesson's exercises and their points::

    selfcheck.summary({1: 2, 2: 3, 3: 3})

It prints one line per exercise: every visible check passes, a check fails (with the first line of its message), or
its checks have not been run yet. Only the checks a student can see are counted: the hidden tests run when the
notebook is graded, and nothing here knows or reveals them. Re-running a fixed test cell replaces its old result.

The tracker is plain Python plus one IPython event, so it works the same in JupyterLab, classic Jupyter and Colab
(IPython 7.34 and newer); outside IPython :func:`track` does nothing and :func:`summary` says so.
"""

import re

from .i18n import msg, set_language

__all__ = ["MARKER", "track", "record", "results", "summary", "reset"]

#: The first line of a test cell: ``# Checks for exercise 3`` or ``# Checks for exercise 3 (part local)``.
MARKER = re.compile(r"^\s*#\s*Checks for exercise (\d+)(?:\s*\(part ([^)]*)\))?", re.MULTILINE)

_results = {}  # (exercise, part) -> None when the cell passed, else the first line of its error
_callback = None


def _first_line(error):
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def record(source, error=None):
    """Record the outcome of one executed cell; cells without the marker comment are ignored.

    ``source`` is the cell's code, ``error`` the exception it raised or None. Returns the (exercise, part) key, or
    None when the cell is not a test cell. :func:`track` calls this for you after every cell.
    """
    match = MARKER.search(source or "")
    if match is None:
        return None
    key = (int(match.group(1)), (match.group(2) or "").strip())
    _results[key] = None if error is None else _first_line(error)
    return key


def _after_cell(result=None):
    if result is None or getattr(result, "info", None) is None:  # IPython older than 7: no result to read
        return
    error = result.error_before_exec or result.error_in_exec
    record(result.info.raw_cell, error)


def track(language=None):
    """Start recording test cells' outcomes in this IPython session (calling it again is harmless).

    ``language`` ("en" or "ru") is the lesson's language: the Russian edition's setup cell passes "ru" (written from
    the notebook's metadata when the edition is assembled), and every message, figure label and hint the library
    shows follows it. Returns None, so the setup cell displays nothing.
    """
    global _callback
    if language is not None:
        set_language(language)
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to hook into
        return None
    shell = get_ipython()
    if shell is None:
        return None
    if _callback is not None:
        try:
            shell.events.unregister("post_run_cell", _callback)
        except ValueError:
            pass
    _callback = _after_cell
    shell.events.register("post_run_cell", _callback)
    return None


def reset():
    """Forget every recorded outcome (for example after restarting work on a lesson)."""
    _results.clear()


def results():
    """The recorded outcomes: ``{(exercise, part): None or 'Error: first line'}``."""
    return dict(_results)


def summary(points):
    """Print which exercises pass their visible checks; ``points`` maps exercise number to its points.

    Returns a dict mapping each exercise to ``"pass"``, ``"fail"`` or ``"not run"``.
    """
    if _callback is None and not _results:
        print(msg("selfcheck off"))
    verdicts = {}
    lines = []
    for exercise in sorted(points):
        outcomes = {part: err for (ex, part), err in _results.items() if ex == exercise}
        failures = [(part, err) for part, err in outcomes.items() if err is not None]
        pts = points[exercise]
        unit = msg("point") if pts == 1 else msg("points") if pts in (2, 3, 4) else msg("points many")
        label = msg("selfcheck exercise", n=exercise, points=pts, unit=unit)
        if not outcomes:
            verdicts[exercise] = "not run"
            lines.append(f"  ·  {label}: {msg('selfcheck not run')}")
        elif failures:
            verdicts[exercise] = "fail"
            part, err = sorted(failures)[0]
            where = msg("selfcheck part", part=part) if part else ""
            lines.append(f"  ✗  {label}: {msg('selfcheck fails', where=where, error=err)}")
        else:
            verdicts[exercise] = "pass"
            count = len(outcomes)
            passed_text = msg("selfcheck pass one") if count == 1 else msg("selfcheck pass", count=count)
            lines.append(f"  ✓  {label}: {passed_text}")
    passed = sum(v == "pass" for v in verdicts.values())
    print(msg("selfcheck title", passed=passed, total=len(verdicts)))
    print("\n".join(lines))
    print(msg("selfcheck footer"))
    return verdicts
