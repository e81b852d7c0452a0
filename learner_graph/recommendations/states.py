"""Each learner's state as a recommendation reads it, kept in process between their requests.

An entry is served only while the learner's and the content's version tokens in Redis are the
ones seen before it was read (`db/versions.py`): every write of the learner's, in any process,
sets a new token after its commit and before it is acknowledged, so no request after an
acknowledged write is served the state from before it. Redis down: every request reads Neo4j.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from learner_graph.db.graph import Graph
from learner_graph.db.versions import CONTENT, Versions, learner_key
from learner_graph.recommendations.student import MAX_ATTEMPTS, Student

SIZE = 50_000  # learners per process (a few KB each)


@dataclass(frozen=True)
class StudentRead:
    """What `rec_student_state` said: the learner (None when deleted) and the content version."""

    student: Student | None
    content_version: str


class LearnerStates:
    """One per process (in the `Runtime`); `versions` None: nothing is kept."""

    def __init__(self, versions: Versions | None, *, size: int = SIZE) -> None:
        self.versions = versions
        self.size = size
        self._entries: OrderedDict[str, tuple[tuple[str, ...], StudentRead]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    async def read(self, db: Graph, user_id: str, *, tokens: tuple[str, ...] | None = None) -> StudentRead:
        """The learner's state: from this process when nothing changed since, else from Neo4j.

        `tokens`: the learner's and the content's version tokens when the caller read them just
        before (with its rate limit, one Redis round trip); else they are read here.
        The student is a copy: a request may set its day goal without touching the kept entry."""
        if self.versions is None:
            tokens = None
        elif tokens is None:
            tokens = await self.versions.tokens([learner_key(user_id), CONTENT])
        if tokens is not None:
            kept = self._entries.get(user_id)
            if kept is not None and kept[0] == tokens:
                self._entries.move_to_end(user_id)
                self.hits += 1
                return _copy(kept[1])
        self.misses += 1
        read = await read_student(db, user_id)
        # A learner not stored yet is read every time: serving the recommendation stores them (in
        # the caller's app) without a new token, and their app decides who may see them.
        if tokens is not None and (read.student is None or read.student.app is not None):
            self._entries[user_id] = (tokens, read)
            self._entries.move_to_end(user_id)
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return _copy(read)

    def clear(self) -> None:
        self._entries.clear()


async def read_student(db: Graph, user_id: str) -> StudentRead:
    """The student's state and the content version in one round trip."""
    rows = await db.read_plain("rec_student_state", user_id=user_id, max_attempts=MAX_ATTEMPTS)
    row: dict[str, Any] = rows[0]
    student = None if row["deleted"] else Student.from_row(user_id, row)
    return StudentRead(student, str(row["content_version"]))


def _copy(read: StudentRead) -> StudentRead:
    return read if read.student is None else replace(read, student=replace(read.student))
