"""Import time of a curriculum through the content service, its re-import and export.

`LG_NEO4J_URI=bolt://... python -m benchmarks.content_import [--synthetic]` imports the demo
curriculum (`seed.curriculum.build_curriculum`, or a synthetic ~60 concept / ~2,000 question
document) into the configured database. The first import creates (or updates) everything;
the second must change nothing; export must then equal what a third import leaves unchanged.
Run it against an empty database for the "created" figures.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from learner_graph.config import Settings
from learner_graph.content.document import FORMAT
from learner_graph.content.importer import export_content, import_content
from learner_graph.runtime import Runtime


def synthetic_document(*, n_concepts: int = 60, n_questions: int = 2000) -> dict[str, Any]:
    """A layered prerequisite DAG, subject > 6 chapters > 30 sections, questions spread evenly."""
    concepts = [
        {
            "id": f"c{i:03}",
            "name": f"Concept {i}",
            "subject": "math",
            "requires": sorted({f"c{j:03}" for j in (i - 1, i // 2) if 0 <= j < i}),
        }
        for i in range(n_concepts)
    ]
    questions = [
        {
            "id": f"q{i:05}",
            "text": f"Question {i}?",
            "difficulty_tag": 1 + i % 5,
            "concepts": [{"id": f"c{i % n_concepts:03}", "weight": 1.0}],
            "answer": {"kind": "numeric", "value": str(i)},
        }
        for i in range(n_questions)
    ]
    sections = [f"s{i:02}" for i in range(30)]
    units = [{"id": "math", "name": "Math", "kind": "subject", "units": [f"ch{c}" for c in range(6)]}]
    units += [
        {"id": f"ch{c}", "name": f"Chapter {c}", "kind": "chapter", "units": sections[c * 5 : c * 5 + 5]}
        for c in range(6)
    ]
    units += [
        {"id": s, "name": s, "kind": "section", "questions": [q["id"] for q in questions[i::30]]}
        for i, s in enumerate(sections)
    ]  # fmt: skip
    return {"format": FORMAT, "concepts": concepts, "units": units, "questions": questions}


def load_document(synthetic: bool) -> tuple[str, dict[str, Any]]:
    if not synthetic:
        try:
            from seed.curriculum import build_curriculum
        except ImportError:
            pass
        else:
            return "seed.curriculum.build_curriculum()", build_curriculum()
    return "synthetic", synthetic_document()


async def _measure(settings: Settings, document: dict[str, Any]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    async with Runtime.open(settings) as runtime:
        graph = runtime.graph
        for label in ("first_import", "second_import"):
            started = time.perf_counter()
            result = await import_content(db=graph, document=document, author="benchmark")
            figures[label] = {"seconds": round(time.perf_counter() - started, 2), **result.model_dump()}
        started = time.perf_counter()
        exported = await export_content(db=graph)
        figures["export_seconds"] = round(time.perf_counter() - started, 2)
        again = await import_content(db=graph, document=exported, author="benchmark")
        changed = [*again.created.model_dump().values(), *again.updated.model_dump().values()]
        figures["export_reimport_changed"] = sum(changed)  # 0: export -> import round-trips
    return figures


def run(*, synthetic: bool = False) -> dict[str, Any]:
    """Time importing a ~2,000-question curriculum twice (the second changes nothing) and exporting it."""
    source, document = load_document(synthetic)
    sizes = {section: len(document[section]) for section in ("concepts", "units", "questions")}
    return {"document": source, **sizes, **asyncio.run(_measure(Settings(), document))}


if __name__ == "__main__":
    print(run(synthetic="--synthetic" in sys.argv))
