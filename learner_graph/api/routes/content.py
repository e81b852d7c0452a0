"""Routes of the content domain: concepts, units, questions, bulk import/export and the audit."""

from __future__ import annotations

from fastapi import APIRouter

from learner_graph.api.routes import content_bulk, content_concepts, content_questions, content_units

# Each module's router carries the whole prefix (`/v1/...`): FastAPI keeps included routers
# nested, and the route a request matched (the metrics label) knows only its own router's prefix.
router = APIRouter()
for module in (content_concepts, content_units, content_questions, content_bulk):
    router.include_router(module.router)
