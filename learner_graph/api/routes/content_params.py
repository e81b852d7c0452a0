"""Query parameters shared by the content routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from learner_graph.content.traversals import MAX_DEPTH

Text = Annotated[str | None, Query(alias="q", min_length=1, description="case-insensitive text search")]
Cascade = Annotated[bool, Query(description="delete even when others depend on it, removing those edges")]
Depth = Annotated[int, Query(ge=1, le=MAX_DEPTH, description="hop bound of the traversal")]
