"""Time in one convention: aware datetimes in UTC (naive input is taken to be UTC)."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(at: datetime) -> datetime:
    """`at` as an aware UTC datetime; a naive `at` is read as UTC."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def now_or(at: datetime | None) -> datetime:
    """`at` in UTC, or the current time when None."""
    return datetime.now(UTC) if at is None else as_utc(at)


def from_epoch_ms(ms: int | float) -> datetime:
    """An epoch-milliseconds instant (as Cypher's `.epochMillis` gives it) in UTC."""
    return datetime.fromtimestamp(ms / 1000, UTC)
