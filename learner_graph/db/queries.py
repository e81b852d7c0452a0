"""Named Cypher queries loaded from `cypher/*.cypher`: the only place file text becomes a query.

A file is a sequence of blocks::

    -- name: resolve_units
    -- Resolve units to their questions, deduplicated.
    MATCH (u:Unit) WHERE u.id IN $unit_ids ...

Every block has a `-- name:` header, a one-line `--` description right under it and a body.
A malformed file fails loudly with its path and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import LiteralString, cast

_NAME = re.compile(r"^--\s*name:\s*(?P<name>\S*)\s*$")
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


class CypherFileError(ValueError):
    """A `.cypher` file that does not follow the named-query format."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line


@dataclass(frozen=True)
class Query:
    name: str
    doc: str
    text: LiteralString
    path: Path
    line: int


def parse_file(path: Path) -> list[Query]:
    """Parse one file into its named queries, in file order."""
    queries: list[Query] = []
    name: str | None = None
    doc: str | None = None
    start = 0
    body: list[str] = []

    def close(end_line: int) -> None:
        if name is None:
            return
        text = "\n".join(body).strip().removesuffix(";").strip()
        if not text:
            raise CypherFileError(path, start, f"query {name!r} has no body")
        # Checked above to come from a committed file, never from input.
        queries.append(Query(name, doc or "", cast(LiteralString, text), path, start))

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        header = _NAME.match(line.strip())
        if header:
            close(number)
            name = header.group("name")
            if not _IDENT.match(name):
                raise CypherFileError(path, number, f"bad query name {name!r} (use snake_case)")
            if any(q.name == name for q in queries):
                raise CypherFileError(path, number, f"query {name!r} defined twice")
            doc, start, body = None, number, []
            continue
        if name is None:
            if line.strip() and not line.strip().startswith("//"):
                raise CypherFileError(path, number, "text before the first '-- name:' header")
            continue
        if doc is None:
            if not line.strip().startswith("--") or not line.strip().removeprefix("--").strip():
                raise CypherFileError(
                    path, number, f"query {name!r} needs a one-line '-- description' under its name"
                )
            doc = line.strip().removeprefix("--").strip()
            continue
        if line.strip().startswith("--"):
            raise CypherFileError(path, number, "'--' comment inside a query body (use //)")
        body.append(line)
    close(0)
    return queries


class Queries:
    """All named queries of a directory, looked up by name."""

    def __init__(self, queries: list[Query]) -> None:
        self._by_name: dict[str, Query] = {}
        for query in queries:
            if query.name in self._by_name:
                first = self._by_name[query.name]
                raise CypherFileError(
                    query.path,
                    query.line,
                    f"query {query.name!r} already defined at {first.path}:{first.line}",
                )
            self._by_name[query.name] = query

    @classmethod
    def load(cls, directory: Path) -> Queries:
        """Load every `*.cypher` file of `directory`, failing on the first malformed one."""
        files = sorted(directory.glob("*.cypher"))
        if not files:
            raise FileNotFoundError(f"no .cypher files in {directory}")
        return cls([query for path in files for query in parse_file(path)])

    def __getitem__(self, name: str) -> LiteralString:
        try:
            return self._by_name[name].text
        except KeyError:
            raise KeyError(f"no Cypher query named {name!r}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def names(self) -> list[str]:
        """Every query name, sorted."""
        return sorted(self._by_name)

    def from_file(self, filename: str) -> list[Query]:
        """The queries of one file (e.g. `schema.cypher`) in file order."""
        return [q for q in self._by_name.values() if q.path.name == filename]
