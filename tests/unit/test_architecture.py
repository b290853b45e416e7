"""The shape of the code base, checked: the modules under functions/ import one another without a
cycle, and nothing that ships (functions/, infra/) imports the tests."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path: Path) -> set[str]:
    """Every module `path` names in an import, at any depth (TYPE_CHECKING and function-level too):
    `from a.b import c` names a.b and a.b.c, whichever of them is a module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def import_graph(package: str) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports (a package's own __init__ excluded)."""
    modules = {_module_name(path): path for path in (ROOT / package).rglob("*.py")}
    return {
        name: {other for other in _imported(path) & modules.keys() if not name.startswith(f"{other}.")} - {name}
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in order:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], order[target])
        if low[node] == order[node]:
            component = [stack.pop()]
            while component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    # given: a → b → c → a, and d on its own
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    # when / then
    assert cycles(graph) == [["a", "b", "c"]]


def test_functions_import_each_other_without_a_cycle():
    # given
    graph = import_graph("functions")

    # when
    found = cycles(graph)

    # then
    assert len(graph) > 40
    assert found == []


def test_nothing_that_ships_imports_the_tests():
    # given
    shipped = [path for package in ("functions", "infra") for path in (ROOT / package).rglob("*.py")]

    # when
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imported(path) if name.split(".")[0] == "tests")
        for path in shipped
    }

    # then
    assert {path: names for path, names in offenders.items() if names} == {}
