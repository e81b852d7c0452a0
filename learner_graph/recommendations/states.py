"""Each learner's state as a recommendation reads it, kept in process between their requests.

An entry is served only while the learner's and the content's version tokens in Redis are the
ones seen before it was read (`db/versions.py`): every write of the learner's, in any process,
sets a new token after its commit and before it is acknowledged, so no request after an
acknowledged write is served the state from before it. Redis down: every request reads Neo4j.

An attempt committed by this process carries the learner's entry over to the token its bump
set (`advance`), with what the commit stored applied to it, so the recommendation a learner app
asks for after each answer is served without reading Neo4j. Only when the entry is exactly the
state the write started from: it was kept before the transaction began (a request of this
process may read Neo4j while the write commits, and keep what it read, the write included, under
the old token), the token the bump replaced is the entry's (no other write of the learner's was
acknowledged in between; one committed but not yet bumped bumps after, and its token replaces
the carried one), and the new attempts are newer than every kept one (the read orders by time;
an older or tied one could fall elsewhere in it). Otherwise the entry is dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from learner_graph.db.graph import Graph
from learner_graph.db.versions import CONTENT, Bumped, Versions, learner_key
from learner_graph.learners.attempts import Written
from learner_graph.recommendations.student import MAX_ATTEMPTS, Student

SIZE = 50_000  # learners per process (a few KB each)


@dataclass(frozen=True)
class StudentRead:
    """What `rec_student_state` said: the learner (None when deleted) and the content version."""

    student: Student | None
    content_version: str


class LearnerStates:
    """One per process (in the `Runtime`); `versions` None: nothing is kept."""

    def __init__(
        self, versions: Versions | None, *, size: int = SIZE, on_read: Callable[[str], None] | None = None
    ) -> None:
        self.versions = versions
        self.size = size
        self.on_read = on_read  # told `kept` or `read` for every state served (the metrics counter)
        self._entries: OrderedDict[str, tuple[tuple[str, ...], StudentRead]] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self.carried = 0  # entries carried over a write of this process (`advance`)

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
                if self.on_read is not None:
                    self.on_read("kept")
                return _copy(kept[1])
        self.misses += 1
        if self.on_read is not None:
            self.on_read("read")
        read = await read_student(db, user_id)
        # A learner not stored yet is read every time: serving the recommendation stores them (in
        # the caller's app) without a new token, and their app decides who may see them.
        if tokens is not None and (read.student is None or read.student.app is not None):
            self._entries[user_id] = (tokens, read)
            self._entries.move_to_end(user_id)
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return _copy(read)

    def marks(self, user_ids: Iterable[str]) -> dict[str, object]:
        """The entries kept now of these learners, taken before a write of theirs starts: only
        such an entry is carried over it (one stored while the write ran may already hold it)."""
        return {user_id: kept for user_id in user_ids if (kept := self._entries.get(user_id)) is not None}

    def advance(self, user_id: str, token: Bumped, written: Written, mark: object) -> None:
        """After a committed write of the learner's whose bump replaced `token.before` by
        `token.after`: keep their entry under the new token with `written` applied, when it was
        the state the write started from (see the module's docstring); else drop it."""
        kept = self._entries.pop(user_id, None)
        if kept is None or kept is not mark or token.before is None or kept[0][0] != token.before:
            return
        tokens, read = kept
        student = read.student
        if student is None:
            return
        times = [a["at"] for a in written.attempts] + [a["at"] for a in student.attempts[:1]]
        if any(newer <= older for newer, older in pairwise(times)):
            return
        carried = replace(
            student,
            **Student.profile(written.user),
            attempts=(written.attempts + student.attempts)[:MAX_ATTEMPTS],
            memory=student.memory | written.memory,
            goal_to_store=None,
        )
        self._entries[user_id] = ((token.after, *tokens[1:]), replace(read, student=carried))
        self.carried += 1

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
