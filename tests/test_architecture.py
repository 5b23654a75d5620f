"""The layering of the code base, as docs/architecture.md draws it.

Every import counts, including those inside functions and under ``TYPE_CHECKING``:
an import moved into a function to dodge a cycle is still a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("config", "stories", "frontend", "media_pipeline")
# The processing library runs without Django or a broker, and knows none of the apps.
NOT_IN_LIBRARY = ("django", "rest_framework", "celery", "config", "stories", "frontend")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PROJECT_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def imported_names(path: Path, module: str) -> Iterator[tuple[str, int]]:
    """Every module name ``path`` imports (absolute), with the line, anywhere in the file."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, node.lineno
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def import_graph() -> dict[str, set[str]]:
    """Project module → the project modules it imports (a name imported from a package
    counts as the submodule when it is one, else as the package's ``__init__``)."""
    modules = project_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target, _ in imported_names(path, name):
            if target in modules and target != name:
                graph[name].add(target)
    # ``from a.b import c`` yields both a.b and a.b.c: keep only the submodule then.
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not any(o.startswith(t + ".") for o in targets)}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_processing_library_imports_no_django_and_no_app():
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for name, path in project_modules().items()
        if name.startswith("media_pipeline")
        for target, line in imported_names(path, name)
        if target.split(".")[0] in NOT_IN_LIBRARY
    ]
    assert offending == []


def test_project_imports_form_a_dag():
    assert cycles(import_graph()) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_cycle_finder_finds_cycles(graph, expected):
    assert cycles(graph) == expected


def test_a_function_level_import_is_seen(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text("def f():\n    from stories.domain import tasks\n")
    assert ("stories.domain.tasks", 2) in set(imported_names(source, "stories.x"))
