"""Dependencies between our Django apps go one way: content below the compliance review, no cycles.

Every ``.py`` file under ``advocacy/`` and ``compliance/`` (migrations excepted) is parsed with ``ast``, and
every import counts, including the lazy ones inside functions: a lazy import is still a dependency, only a
hidden one. Each module belongs to its Django app (the nearest folder with an ``apps.py``); a module outside
any app is its own unit (``advocacy/settings.py``, ``advocacy/texts.py``), and so is a plain package such as
``compliance/checks`` (the rule engine, which knows nothing about Django).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP_PACKAGES = ("advocacy", "compliance")
CONTENT = "advocacy/content"
REVIEW = "compliance/review"


def _sources() -> list[Path]:
    return sorted(
        path
        for top in TOP_PACKAGES
        for path in (ROOT / top).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


@cache
def _unit_of_path(path: Path) -> str:
    """The app folder holding ``path`` (relative to the repository), else the top-level package or module."""
    relative = path.relative_to(ROOT)
    folder = path.parent if path.suffix == ".py" else path
    while folder != ROOT:
        if (folder / "apps.py").exists():
            return folder.relative_to(ROOT).as_posix()
        folder = folder.parent
    parts = relative.parts
    if len(parts) == 2:  # advocacy/settings.py, advocacy/texts.py: project modules, each its own unit
        return relative.as_posix()
    return "/".join(parts[:2])  # a plain package such as compliance/checks


def _module_path(dotted: str) -> Path | None:
    """The file or package folder of an importable module of ours, or None."""
    base = ROOT.joinpath(*dotted.split("."))
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base
    return None


def _unit_of_module(dotted: str) -> str | None:
    """The unit of ``dotted`` (or of its longest importable prefix), None for modules not ours."""
    if dotted.split(".")[0] not in TOP_PACKAGES:
        return None
    parts = dotted.split(".")
    while parts:
        path = _module_path(".".join(parts))
        if path is not None:
            return _unit_of_path(path)
        parts.pop()
    return None


def _package_of(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts if path.name == "__init__.py" else parts[:-1]


def _imported_modules(path: Path) -> list[tuple[str, int]]:
    """(dotted module, line) for every import in the file, at any depth (functions, ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package_of(path)
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:  # ``from advocacy.content import workflow`` imports a module
                candidate = f"{base}.{alias.name}"
                found.append((candidate if _module_path(candidate) else base, node.lineno))
    return found


@cache
def _edges() -> dict[tuple[str, str], list[str]]:
    """(importing unit, imported unit) -> the places ("file:line") where it happens."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in _sources():
        source = _unit_of_path(path)
        for module, line in _imported_modules(path):
            target = _unit_of_module(module)
            place = f"{path.relative_to(ROOT).as_posix()}:{line}"
            if target is not None and target != source and place not in edges[source, target]:
                edges[source, target].append(place)
    return dict(edges)


def _cycles(edges) -> list[list[str]]:
    """Strongly connected components of more than one unit (Tarjan), each sorted."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_units_are_found_by_their_app_folders():
    assert _unit_of_module("advocacy.content.workflow.decisions") == CONTENT
    assert _unit_of_module("compliance.review.checking") == REVIEW
    assert _unit_of_module("compliance.checks.urls") == "compliance/checks"
    assert _unit_of_module("advocacy.settings") == "advocacy/settings.py"
    assert _unit_of_module("django.db") is None
    assert (REVIEW, CONTENT) in _edges()  # the walk sees real imports (the review app reads content)


def test_content_never_imports_the_compliance_review_app():
    """The review app depends on content (it decides on content's versions); content must not depend back,
    not even lazily: content gets the automatic checks through ``advocacy.content.compliance_checks``."""
    assert _edges().get((CONTENT, REVIEW), []) == []


def test_content_templates_load_no_template_tags_of_the_review_app():
    """A ``{% load %}`` in a content template is an import too, made at render time."""
    review_tags = {path.stem for path in (ROOT / REVIEW / "templatetags").glob("*.py")} - {"__init__"}
    loads = {
        f"{path.relative_to(ROOT)}: {library}"
        for path in (ROOT / "templates" / "content").rglob("*.html")
        for match in re.finditer(r"{%\s*load\s+([^%]+?)\s*%}", path.read_text(encoding="utf-8"))
        for library in match.group(1).split()
        if library in review_tags
    }
    assert loads == set()


def test_the_app_import_graph_has_no_cycle():
    edges = _edges()
    cycles = _cycles(edges)
    described = [
        " <-> ".join(cycle)
        + "".join(
            f"\n    {source} -> {target}: {', '.join(edges[source, target][:3])}"
            for source in cycle
            for target in cycle
            if (source, target) in edges
        )
        for cycle in cycles
    ]
    assert cycles == [], "import cycles between apps:\n" + "\n".join(described)
