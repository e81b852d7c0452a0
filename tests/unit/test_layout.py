"""Tests mirror the package layout: tests/unit/<pkg>/ and tests/integration/<pkg>/ for each package
of learner_graph, so the tests of a module are found from its name alone."""

from __future__ import annotations

from pathlib import Path

import learner_graph

TESTS = Path(__file__).resolve().parents[1]
PACKAGE = Path(learner_graph.__file__).parent
# Beside the packages: seed/ (the simulated data, a package of its own) in unit tests; browser/
# (the console in Chromium) beside unit/ and integration/.
OTHER_DIRECTORIES = {"seed"}
# Flat files are tests of learner_graph's top-level modules (test_<module>...) or of the
# repository as a whole:
REPOSITORY_CHECKS = {
    "unit": {"test_compose.py", "test_layout.py", "test_lock.py", "test_wiring.py"},
    "integration": {"test_readme_tour.py"},
}


def packages() -> set[str]:
    return {p.parent.name for p in PACKAGE.glob("*/__init__.py")}


def modules() -> set[str]:
    return {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}


def misplaced() -> list[str]:
    wrong = []
    for kind in ("unit", "integration"):
        for path in sorted((TESTS / kind).rglob("test_*.py")):
            parts = path.relative_to(TESTS / kind).parts
            if len(parts) == 1:
                name = parts[0]
                if name in REPOSITORY_CHECKS[kind]:
                    continue
                stem = name.removeprefix("test_").removesuffix(".py")
                if not any(stem == m or stem.startswith(m + "_") for m in modules()):
                    wrong.append(f"{kind}/{name}: no top-level module of that name: {kind}/<package>/")
            elif parts[0] not in packages() | OTHER_DIRECTORIES:
                wrong.append(f"{kind}/{'/'.join(parts)}: {parts[0]}/ is no package of learner_graph")
    return wrong


def test_every_test_file_sits_under_its_package() -> None:
    assert misplaced() == []


def test_top_level_test_directories_are_known() -> None:
    assert sorted(p.name for p in TESTS.iterdir() if p.is_dir() and p.name != "__pycache__") == [
        "browser", "fixtures", "integration", "unit",
    ]
