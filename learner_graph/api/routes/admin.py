"""Who am I, and the schema as the database has it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from learner_graph.api.deps import Admin, AnyRole, GraphDep
from learner_graph.db.graph import apply_schema_async, missing_schema_objects, schema_object_names

router = APIRouter(prefix="/v1", tags=["operations"])


@router.get("/me")
async def me(key: AnyRole) -> dict[str, str]:
    """The name and role of the key making the request."""
    return {"name": key.name, "role": key.role.value}


@router.get("/admin/schema")
async def schema(_: Admin, graph: GraphDep) -> dict[str, Any]:
    """The schema objects `cypher/schema.cypher` declares and which of them are missing."""
    missing = await missing_schema_objects(graph.driver, graph.queries, graph.database)
    return {"declared": schema_object_names(graph.queries), "missing": missing}


@router.post("/admin/schema/apply")
async def apply(_: Admin, graph: GraphDep) -> dict[str, Any]:
    """Apply the schema now (idempotent)."""
    await apply_schema_async(graph.driver, graph.queries, graph.database)
    missing = await missing_schema_objects(graph.driver, graph.queries, graph.database)
    return {"applied": True, "missing": missing}
