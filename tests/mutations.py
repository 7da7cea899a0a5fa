"""Automatic mutants of a solution cell: the small slips of mutation testing, one per site.

Only code inside ``### BEGIN SOLUTION`` … ``### END SOLUTION`` is mutated. Each mutant has a stable name,
``<grade id>:<line in the cell>:<column>:<operator>:<what changed>``, which a lesson's catalogue can list as equivalent.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from dataclasses import dataclass

from lesson_kernel import SOLUTION


@dataclass(frozen=True)
class Mutant:
    name: str
    code: str


_BINOP_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
_CMP_SWAPS = {
    ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Lt: (ast.LtE, ast.Gt),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
}
_SYMBOL = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<",
    ast.LtE: "<=", ast.Eq: "==", ast.NotEq: "!=",
}  # fmt: skip
_REDUCTIONS = {"sum": "mean", "mean": "sum"}


def _is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float) and node.value not in (0, 1)


def _sites(node: ast.AST) -> Iterator[tuple[str, str, ast.AST]]:
    """(operator, description, replacement node) for every mutation of ``node`` itself."""
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOP_SWAPS:
        new = copy.copy(node)
        new.op = _BINOP_SWAPS[type(node.op)]()
        yield "BinOp", f"{_SYMBOL[type(node.op)]} -> {_SYMBOL[type(new.op)]}", new
        if isinstance(node.op, ast.Mult) and _is_number(node.left):
            yield "DropFactor", f"drop {node.left.value} *", node.right
        if isinstance(node.op, (ast.Mult, ast.Div)) and _is_number(node.right):
            yield "DropFactor", f"drop {_SYMBOL[type(node.op)]} {node.right.value}", node.left
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMP_SWAPS:
        for swap in _CMP_SWAPS[type(node.ops[0])]:
            new = copy.copy(node)
            new.ops = [swap()]
            yield "Compare", f"{_SYMBOL[type(node.ops[0])]} -> {_SYMBOL[swap]}", new
    elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
        yield "AugAssign", f"{_SYMBOL[type(node.op)]}= -> =", ast.Assign(targets=[node.target], value=node.value)
    elif isinstance(node, ast.Attribute) and node.attr in _REDUCTIONS and isinstance(node.ctx, ast.Load):
        new = copy.copy(node)
        new.attr = _REDUCTIONS[node.attr]
        yield "Reduction", f"{node.attr} -> {new.attr}", new
    elif isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        yield "DropT", "drop .T", node.value
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "DropMinus", "drop unary -", node.operand
    elif isinstance(node, ast.Return) and node.value is not None:
        value = node.value
        if (
            isinstance(value, ast.Constant)
            and not isinstance(value.value, (int, float))
            or isinstance(value, (ast.Dict, ast.DictComp, ast.JoinedStr, ast.ListComp, ast.List))
        ):
            return
        if isinstance(value, ast.Tuple):
            negated = ast.Tuple(elts=[ast.UnaryOp(op=ast.USub(), operand=e) for e in value.elts], ctx=ast.Load())
        else:
            negated = ast.UnaryOp(op=ast.USub(), operand=value)
        yield "NegateReturn", "return -(...)", ast.Return(value=negated)


def _replace(tree: ast.AST, target: ast.AST, replacement: ast.AST) -> ast.AST:
    """A copy of ``tree`` with the node ``target`` (found by identity in the original) replaced."""

    class Swap(ast.NodeTransformer):
        def generic_visit(self, node):
            if node is target:
                return replacement
            return super().generic_visit(node)

    return ast.fix_missing_locations(Swap().visit(copy.deepcopy(tree, {id(target): target})))


def mutants(grade_id: str, source: str) -> list[Mutant]:
    """Every single-site mutant of the solution region of one cell's source."""
    lines = source.splitlines()
    region, inside = set(), False
    for i, line in enumerate(lines, start=1):
        m = SOLUTION.match(line)
        if m:
            inside = m.group(1) == "BEGIN"
        elif inside:
            region.add(i)
    code = "\n".join("" if SOLUTION.match(line) else line for line in lines)  # keep the line numbers
    tree = ast.parse(code)
    out, seen = [], set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) not in region:
            continue
        for op, what, replacement in _sites(node):
            mutated = ast.unparse(_replace(tree, node, replacement))
            name = f"{grade_id}:{node.lineno}:{node.col_offset}:{op}:{what}"
            if name in seen:  # nested nodes that start at the same place (a * b * c): tell them apart by their end
                name = f"{grade_id}:{node.lineno}:{node.col_offset}-{node.end_col_offset}:{op}:{what}"
            assert name not in seen, name
            seen.add(name)
            out.append(Mutant(name, mutated))
    return out
