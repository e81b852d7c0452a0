"""Text search (`q=`) through the schema's full-text indexes (concept_text, unit_text, question_text)."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")


def fulltext_query(text: str | None) -> str | None:
    """Every word of `text` as a prefix, all required: `adding fractions` → `adding* AND fractions*`.

    Only word characters reach Lucene, so no input is read as query syntax. None when there is
    no text; an empty string when the text has no words (which matches nothing).
    """
    if text is None:
        return None
    return " AND ".join(f"{word}*" for word in _WORD.findall(text.lower()))
