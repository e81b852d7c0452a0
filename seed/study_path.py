"""The default study policy: a student works through sections in prerequisite order, sometimes revisiting."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from seed.simulator import Simulator, Student


@dataclass
class _Progress:
    position: int  # the section being studied, an index into CurriculumWalk.sections
    done: int = 0  # attempts in that section so far
    streak: int = 0  # correct answers in a row there
    revisiting: bool = False  # whether the last question came from an earlier section


class CurriculumWalk:
    """Sections in the order of their concepts' prerequisites, easy questions first.

    A student starts at the first section whose concept they do not know yet (a placement test),
    moves on after three right in a row (or `max_per_section` attempts), and with probability
    `revisit` practises an easy question from a section already passed.
    """

    def __init__(
        self, document: dict[str, Any], sim: Simulator, *, revisit: float = 0.15, max_per_section: int = 12
    ) -> None:
        self.sim = sim
        self.revisit = revisit
        self.max_per_section = max_per_section
        tags = {q["id"]: q["difficulty_tag"] for q in document["questions"]}
        sections = [u for u in document["units"] if u["kind"] == "section" and u["questions"]]
        sections.sort(key=lambda u: sim.index[sim.questions[u["questions"][0]].concept_ids[0]])
        self.concepts = [sim.questions[u["questions"][0]].concept_ids[0] for u in sections]
        # questions of each section by difficulty tag: by_tag[section][tag - 1]
        self.by_tag = [
            [[q for q in u["questions"] if tags[q] == tag] for tag in range(1, 6)] for u in sections
        ]
        self.progress: dict[str, _Progress] = {}

    def choose(self, student: Student, at: datetime, rng: random.Random) -> str:
        """An easy question from an earlier section now and then; otherwise the current section's next."""
        progress = self.progress.get(student.user_id) or self._place(student, at, rng)
        progress.revisiting = progress.position > 0 and rng.random() < self.revisit
        if progress.revisiting:
            return self._pick(rng.randrange(progress.position), rng.randint(1, 3), rng)
        tag = 2 + progress.done // 2 + rng.randint(-1, 1)
        return self._pick(progress.position, min(max(tag, 1), 5), rng)

    def observe(self, student: Student, question_id: str, correct: bool) -> None:
        """Count the attempt towards the current section; move on once it looks learned."""
        progress = self.progress[student.user_id]
        if progress.revisiting:
            return
        progress.done += 1
        progress.streak = progress.streak + 1 if correct else 0
        if progress.streak >= 3 or progress.done >= self.max_per_section:
            progress.position = min(progress.position + 1, len(self.by_tag) - 1)
            progress.done = progress.streak = 0

    def _place(self, student: Student, at: datetime, rng: random.Random) -> _Progress:
        """Start a little before the first concept the student does not know yet."""
        first = next((i for i, c in enumerate(self.concepts) if self.sim.true_skill(student, c, at) < 0.5), 0)
        self.progress[student.user_id] = _Progress(max(0, first - rng.randint(0, 2)))
        return self.progress[student.user_id]

    def _pick(self, section: int, tag: int, rng: random.Random) -> str:
        pool = self.by_tag[section][tag - 1] or [q for group in self.by_tag[section] for q in group]
        return rng.choice(pool)
