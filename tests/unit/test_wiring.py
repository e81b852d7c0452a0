"""The wiring stays in one place: routes take the runtime's pieces as dependencies."""

from __future__ import annotations

import ast
from pathlib import Path

import learner_graph

PACKAGE = Path(learner_graph.__file__).parent


def test_routes_never_read_app_state() -> None:
    offenders = [
        f"{path.name}:{node.lineno}"
        for path in sorted((PACKAGE / "api" / "routes").glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr == "state"
    ]
    assert offenders == []


def test_no_module_level_instances_of_process_state() -> None:
    """Caches, stores and recorders are built by `Runtime.open`, never at import time."""
    built_once = {"HotCache", "ModelStore", "PinnedModels", "CatalogCache", "Recorder", "Metrics", "Cache"}
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            called = value.func if isinstance(value, ast.Call) else None
            if isinstance(called, ast.Name) and called.id in built_once:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []
