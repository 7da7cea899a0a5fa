"""Verdicts outside the student's kernel: what the kernel may hold, and the trusted references the grader keeps.

A grade cell's points come from a comparison in the grader's own process (:class:`course_tools.grading.
CompareOutside`); the student's kernel only hands the student's values out (``mini_autograd.testing``, hand-out
mode). For that to be safe the kernel must never hold a secret:

- **no reference value**: hidden checks pass their expected value as a ``lambda`` (``assert_close("f(1.5)",
  f(1.5), lambda: <PyTorch>)``), evaluated only in the instructor's trusted run;
- **no reference code**: before a student's test cell runs, :func:`handout_source` replaces every such lambda in
  its hidden-test region by ``None`` and blanks out the hidden region's helper functions that only those lambdas
  used, so neither the frame, the namespace nor the cell's own source (``In``, ``linecache``) holds a way to the
  reference. The inputs stay: the student's function has to be called on them.

The trusted references come from the preflight (:mod:`course_tools.preflight`), which runs the source notebook with
``COURSE_HANDOUT=trusted``: each check's record then carries the expected value, the tolerances and the known
mistakes' values. They are stored in ``course/reports/<assignment>/references.json``, which no kernel can see (the
sandbox shows a kernel only its own folder).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from pathlib import Path

HANDOUT_MIME = "application/vnd.course.handout+json"  # the same as mini_autograd.testing.HANDOUT_MIME
#: The checks whose expected argument may be lazy, with the position of that argument.
CHECKS = {"assert_close": 2, "assert_all_close": 1, "assert_equal": 2, "assert_topological": 2}
BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def hidden_lines(source: str) -> set[int]:
    """Line numbers (1-based) inside the source's hidden-test regions."""
    out, inside = set(), False
    for i, line in enumerate(source.splitlines(), start=1):
        if BEGIN in line:
            inside = True
        elif END in line:
            inside = False
        elif inside:
            out.add(i)
    return out


def check_name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Name) and func.id in CHECKS:
        return func.id
    if isinstance(func, ast.Attribute) and func.attr in CHECKS:
        return func.attr
    return None


def expected_arg(call: ast.Call) -> ast.AST | None:
    """The node a check call passes as its expected value, or None."""
    name = check_name(call.func)
    if name is None:
        return None
    for kw in call.keywords:
        if kw.arg == "expected":
            return kw.value
    position = CHECKS[name]
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return call.args[position]
    return None


def _inside(node: ast.AST, span: tuple) -> bool:
    return (node.lineno, node.col_offset) >= span[0] and (node.end_lineno, node.end_col_offset) <= span[1]


def _span(node: ast.AST) -> tuple:
    decorators = getattr(node, "decorator_list", [])
    start = min([(node.lineno, node.col_offset)] + [(d.lineno, d.col_offset) for d in decorators])
    return (start, (node.end_lineno, node.end_col_offset))


def handout_source(source: str) -> str:
    """The test cell as a student's graded kernel runs it: in the hidden-test regions, every check's lazy expected
    value (a lambda) becomes ``None``, and every top-level function or class defined there that nothing else uses
    any more is blanked out (lines kept, so line numbers hold). Everything else is unchanged."""
    hidden = hidden_lines(source)
    if not hidden:
        return source
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    removed: list[tuple] = []  # spans of source replaced or blanked
    replace: list[tuple] = []  # (span, text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.lineno in hidden:
            exp = expected_arg(node)
            if isinstance(exp, ast.Lambda):
                replace.append((_span(exp), "None"))
                removed.append(_span(exp))
    defs = [
        n
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.lineno in hidden
    ]
    blank: list = []
    while True:
        gone = removed + [_span(d) for d in blank]
        used = {
            n.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Name) and not any(_inside(n, s) for s in gone)
        }
        more = [d for d in defs if d not in blank and d.name not in used]
        if not more:
            break
        blank += more
    lines = source.splitlines(keepends=True)
    data = [line.encode() for line in lines]
    edits = [(s, t) for s, t in replace if not any(_inside_span(s, _span(d)) for d in blank)]
    for d in blank:
        (l0, _), (l1, _) = _span(d)
        for k in range(l0 - 1, l1):
            data[k] = b"\n" if data[k].endswith(b"\n") else b""
    for ((l0, c0), (l1, c1)), text in sorted(edits, reverse=True):
        if l0 == l1:
            data[l0 - 1] = data[l0 - 1][:c0] + text.encode() + data[l0 - 1][c1:]
        else:  # the joined text on the first line, the lines it spanned left blank (line numbers hold)
            data[l0 - 1] = data[l0 - 1][:c0] + text.encode() + data[l1 - 1][c1:]
            for k in range(l0, l1):
                data[k] = b"\n"
    return b"".join(data).decode()


def _inside_span(inner: tuple, outer: tuple) -> bool:
    return inner[0] >= outer[0] and inner[1] <= outer[1]


# ------------------------------------------------------------------------------------------- references


def references_path(reports_dir: str | os.PathLike, assignment: str) -> Path:
    return Path(reports_dir) / assignment / "references.json"


def source_digest(path: str | os.PathLike) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def records_of(cell) -> list[dict]:
    """The hand-out records among a cell's outputs, in order (only outputs of the hand-out MIME type)."""
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") in ("display_data", "execute_result") and HANDOUT_MIME in o.get("data", {}):
            try:
                out.append(json.loads(json.dumps(o["data"][HANDOUT_MIME])))  # plain dicts, not NotebookNodes
            except (TypeError, ValueError, RecursionError):
                out.append({"malformed": True})
    return out


def is_test_cell(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def references_from(nb) -> dict:
    """{grade_id: {"records": [trusted records], "results": number of displayed results}} of an executed trusted
    run's test cells."""
    out = {}
    for cell in nb.cells:
        if not is_test_cell(cell):
            continue
        gid = cell.metadata["nbgrader"]["grade_id"]
        results = sum(1 for o in cell.get("outputs", []) if o.get("output_type") == "execute_result")
        out[gid] = {"records": records_of(cell), "results": results}
    return out


def write_references(path: Path, key: str, notebooks: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"key": key, "notebooks": notebooks}))
    os.replace(tmp, path)


def read_references(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


# ------------------------------------------------------------------------------------------------ the rule

TORCH_NAMES = frozenset({"torch", "_torch"})


def _mentions_torch(node: ast.AST) -> bool:
    """Whether ``node`` uses torch outside a lambda or a function defined in it."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(n, ast.Name) and n.id in TORCH_NAMES:
            return True
        stack.extend(ast.iter_child_nodes(n))
    return False


def hidden_rule_problems(source: str) -> list[str]:
    """What breaks the rule of hidden tests in one test cell's source: every check's expected value is a
    ``lambda``, and nothing computed with torch is kept in a variable (or computed at all) outside a lambda or a
    function. Empty when the cell keeps it."""
    hidden = hidden_lines(source)
    if not hidden:
        return []
    tree = ast.parse(source)
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and check_name(node.func) and node.lineno in hidden:
            exp = expected_arg(node)
            if not isinstance(exp, ast.Lambda):
                problems.append(f"line {node.lineno}: the expected value of {check_name(node.func)} is not a lambda")

    lazy = {id(expected_arg(n)) for n in ast.walk(tree) if isinstance(n, ast.Call) and check_name(n.func)}
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    in_defs = {id(n) for d in defs for n in ast.walk(d)}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Lambda) and node.lineno in hidden and id(node) not in lazy
                and id(node) not in in_defs and _mentions_torch(node.body)):
            problems.append(f"line {node.lineno}: a lambda computing with torch stays in the student's namespace")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.lineno in hidden:
            if node not in tree.body and id(node) not in in_defs:
                problems.append(f"line {node.lineno}: define {node.name} at the top level of the hidden tests")

    def visit(body):
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
                continue
            if stmt.lineno not in hidden:
                continue
            if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try)):
                head = [getattr(stmt, k) for k in ("iter", "test") if hasattr(stmt, k)]
                head += [item.context_expr for item in getattr(stmt, "items", [])]
                if any(_mentions_torch(h) for h in head):
                    problems.append(f"line {stmt.lineno}: computes with torch outside a lambda")
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(stmt, field, []))
                for handler in getattr(stmt, "handlers", []):
                    visit(handler.body)
            elif _mentions_torch(stmt):
                problems.append(f"line {stmt.lineno}: computes with torch outside a lambda")

    visit(tree.body)
    return problems
