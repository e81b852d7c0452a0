"""Bulk import and export of the content document.

Import validates everything before writing anything and reports every problem at once; then,
in one transaction under the content lock, it compares each entry with the graph's view of
it and writes only what differs, batched with UNWIND. One audit record is kept per entity
created or updated (so `GET /v1/content/changes?entity_id=x` shows imports too), and the
version goes up once per import that changed anything. Entities the document does not
mention are left alone: import adds and updates, it never deletes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neo4j import AsyncManagedTransaction
from pydantic import BaseModel

from learner_graph.content.audit import Change, audited, content_version
from learner_graph.content.document import FORMAT, SECTIONS, ContentDocument, Parsed, find_cycles, parse
from learner_graph.content.questions import write_params
from learner_graph.content.views import Run, fetch_views, in_tx, missing_ids
from learner_graph.db.graph import Graph
from learner_graph.errors import Invalid

BATCH = 1000


class Counts(BaseModel):
    concepts: int = 0
    units: int = 0
    questions: int = 0


class ImportResult(BaseModel):
    created: Counts
    updated: Counts
    unchanged: Counts
    version: int


def view_of(section: str, entry: BaseModel) -> dict[str, Any]:
    """An entry as the graph's view would show it (the order an export uses)."""
    view = entry.model_dump()
    if section == "concepts":
        view["requires"] = sorted(view["requires"])
    if section == "questions":
        view["concepts"] = sorted(view["concepts"], key=lambda link: link["id"])
    return view


async def import_content(
    *, db: Graph, document: ContentDocument | Mapping[str, Any], author: str
) -> ImportResult:
    """Validate a whole content document, then write what differs; Invalid lists every problem."""
    parsed = parse(document.model_dump() if isinstance(document, ContentDocument) else document)

    async def work(tx: AsyncManagedTransaction) -> tuple[ImportResult, list[Change]]:
        run = in_tx(db, tx)
        result, changes, rows = await _plan(run, parsed)
        await _write(run, rows)
        return result, changes

    result, version = await audited(db, author=author, work=work)
    return result.model_copy(update={"version": version})


async def dry_run(*, db: Graph, document: Mapping[str, Any]) -> ImportResult:
    """What `import_content` would do, read in one transaction and never written; Invalid as it."""
    parsed = parse(document)

    async def work(tx: AsyncManagedTransaction) -> ImportResult:
        return (await _plan(in_tx(db, tx), parsed))[0]

    result = await db.in_read_transaction(work)
    return result.model_copy(update={"version": await content_version(db=db)})


Rows = dict[str, list[dict[str, Any]]]


async def _plan(run: Run, parsed: Parsed) -> tuple[ImportResult, list[Change], Rows]:
    """Check every problem, then the entries that differ from the graph and the changes they make."""
    problems = parsed.problems + await _graph_problems(run, parsed)
    if problems:
        raise Invalid(f"the content document has {len(problems)} problems; nothing was written", problems)
    result = ImportResult(created=Counts(), updated=Counts(), unchanged=Counts(), version=0)
    changes: list[Change] = []
    rows: Rows = {}
    for section, (kind, _) in SECTIONS.items():
        entries = [view_of(section, e) for e in getattr(parsed, section)]
        current = await fetch_views(run, kind, [e["id"] for e in entries])
        rows[section] = [e for e in entries if current.get(e["id"]) != e]
        for entry in rows[section]:
            before = current.get(entry["id"])
            changes.append(Change(kind, entry["id"], "update" if before else "create", before, entry))
            counts = result.updated if before else result.created
            setattr(counts, section, getattr(counts, section) + 1)
        setattr(result.unchanged, section, len(entries) - len(rows[section]))
    return result, changes, rows


async def _graph_problems(run: Run, parsed: Parsed) -> list[dict[str, str]]:
    """References to ids neither in the document nor in the graph, and cycles with the graph's edges."""
    wanted: dict[str, set[str]] = {"concept": set(), "unit": set(), "question": set()}
    for _, kind, ref in parsed.unresolved:
        wanted[kind].add(ref)
    missing = await missing_ids(
        run,
        concepts=sorted(wanted["concept"]),
        units=sorted(wanted["unit"]),
        questions=sorted(wanted["question"]),
    )
    problems = [
        {"field": f, "message": f"unknown {kind} {ref!r}"}
        for f, kind, ref in parsed.unresolved
        if ref in missing[kind]
    ]
    edges = (await run("content_import_edges"))[0]
    for section, key, existing in (
        ("concepts", "requires", edges["requires"]),
        ("units", "units", edges["contains"]),
    ):
        entries = getattr(parsed, section)
        graph: dict[str, list[str]] = {}
        for source, target in existing:
            graph.setdefault(source, []).append(target)
        positions = {}
        for entry, index in zip(entries, parsed.at[section], strict=True):
            if entry.id not in positions:  # a duplicate id is reported already; check the first
                graph[entry.id] = list(getattr(entry, key))  # the document's edges replace the graph's
                positions[entry.id] = index
        for cycle in find_cycles(graph):
            start = next((node for node in cycle if node in positions), cycle[0])
            field = f"{section}[{positions.get(start, '?')}].{key}"
            problems.append({"field": field, "message": "would close a cycle: " + " -> ".join(cycle)})
    return problems


async def _write(run: Run, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Nodes first (concepts before the questions that assess them), then the edges between them."""
    steps = [
        ("content_import_concepts", rows["concepts"]),
        ("content_import_units", rows["units"]),
        ("content_import_questions", [write_params(q) for q in rows["questions"]]),
        ("content_import_requires", rows["concepts"]),
        ("content_import_contains", rows["units"]),
    ]
    for query, batch_rows in steps:
        for start in range(0, len(batch_rows), BATCH):
            await run(query, rows=batch_rows[start : start + BATCH])


async def export_content(*, db: Graph) -> dict[str, Any]:
    """The whole content graph as one document, read in one transaction (lists sorted by id)."""

    async def work(tx: AsyncManagedTransaction) -> dict[str, Any]:
        run = in_tx(db, tx)
        document: dict[str, Any] = {"format": FORMAT}
        for section, (kind, _) in SECTIONS.items():
            document[section] = list((await fetch_views(run, kind, None)).values())
        return document

    return await db.in_read_transaction(work)
