"""The one list shape (docs/API.md, "Lists"): `{items, next_cursor, total}`, paged by an opaque cursor."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from learner_graph.errors import Invalid

T = TypeVar("T")
MAX_OFFSET = 100_000  # deeper than this, narrow the filter: no list pages through more
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,200}={0,2}$"

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Cursor = Annotated[
    str | None,
    Query(max_length=200, pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page"),
]


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` back as `cursor` for the next (null: the last page)."""

    items: list[T]
    next_cursor: str | None = Field(description="the cursor of the next page; null on the last page")
    total: int | None = Field(default=None, description="matches over all pages, where counted")

    @classmethod
    def at(cls, items: list[T], *, offset: int, total: int) -> Page[T]:
        """The page of `items` that starts `offset` into `total` matches."""
        end = offset + len(items)
        following = encode_offset(end) if items and end < total and end <= MAX_OFFSET else None
        return cls(items=items, next_cursor=following, total=total)


def page_of(items: Sequence[T], *, limit: int, cursor: str | None) -> Page[T]:
    """A page of a list computed whole in memory (mastery, gaps, experiments...)."""
    offset = decode_offset(cursor)
    return Page[T].at(list(items[offset : offset + limit]), offset=offset, total=len(items))


def encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_offset(cursor: str | None) -> int:
    """The position a cursor of `encode_offset` stands for (0 for none); 422 for anything else."""
    if not cursor:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        offset = int(value)
        if kind != "o" or not 0 <= offset <= MAX_OFFSET:
            raise ValueError(cursor)
    except ValueError:
        problem = {"field": "cursor", "in": "query", "message": "not a cursor from this list"}
        raise Invalid("bad cursor", [problem]) from None
    return offset
