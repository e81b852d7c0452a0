"""The constrained types every request body shares (docs/API.md, "Names, ids and times").

Request models derive from `Input`: unknown fields are refused and types are strict (`"yes"`
is not a boolean, `"5"` not a number); times are RFC 3339 strings with a zone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, Strict

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$"
ID_RULE = "1-200 characters: letters, digits and . _ : - (starting with a letter or digit)"
# Printable: no control characters (C0, DEL, C1), no leading or trailing white space.
_PRINTABLE = r"[^\s\x00-\x1F\x7F-\x9F]"
NAME_PATTERN = rf"^{_PRINTABLE}(?:[^\x00-\x1F\x7F-\x9F]*{_PRINTABLE})?$"

Id = Annotated[str, Field(min_length=1, max_length=200, pattern=ID_PATTERN, description=f"an id: {ID_RULE}")]
Name = Annotated[
    str,
    Field(min_length=1, max_length=500, pattern=NAME_PATTERN, description="printable, no control characters"),
]
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value: object) -> object:
    """Only RFC 3339 text with a zone; pydantic alone would also take numbers as Unix times."""
    if isinstance(value, str) and not RFC3339.match(value):
        raise ValueError("not an RFC 3339 time with a zone, e.g. 2026-03-01T10:00:00Z")
    if not isinstance(value, str | datetime):
        raise ValueError("a time is RFC 3339 text with a zone, e.g. 2026-03-01T10:00:00Z")
    return value


Time = Annotated[
    AwareDatetime,
    Strict(False),
    BeforeValidator(_rfc3339),
    Field(description="RFC 3339 date-time with a zone (Z or an offset), e.g. 2026-03-01T10:00:00Z"),
]
# Free text (descriptions, question text): line breaks and tabs allowed, other control characters not.
Text = Annotated[str, Field(pattern=r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
UnitKind = Literal[
    "curriculum", "subject", "grade", "course", "chapter", "section", "lesson", "skill", "goal"
]
UNIT_KINDS: tuple[str, ...] = get_args(UnitKind)


class Input(BaseModel):
    """A request body: unknown fields refused, no type coercion (times excepted: they arrive as text)."""

    model_config = ConfigDict(extra="forbid", strict=True)


def field_path(parts: Sequence[str | int]) -> str:
    """`("questions", 12, "concepts", 0, "id")` -> `questions[12].concepts[0].id`, the one way the
    API names a field in errors."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
