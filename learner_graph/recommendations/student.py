"""The student as a recommendation sees them: history in scope, concept states, streak."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fsrs import Scheduler

from learner_graph.learners import activity
from learner_graph.learners.mastery import MASTERED, ready_concepts
from learner_graph.learners.mastery import mastered as mastered_of
from learner_graph.learners.memory import MemoryState
from learner_graph.learners.service import stored_goal
from learner_graph.mixer.models import ConceptView, StreakView
from learner_graph.recommendations.catalog import Catalog
from learner_graph.timeutil import from_epoch_ms

MAX_ATTEMPTS = 1000  # the newest attempts read per request (the live fit uses fewer)
NEVER_REVIEWED = MemoryState()  # frozen: one shared default, not one built per concept per request


@dataclass
class Student:
    user_id: str
    timezone: str
    target_offset: float
    attempts: list[dict[str, Any]]  # newest first: question_id, correct, at (native), time_ms
    memory: dict[str, MemoryState]
    rejected: set[str]
    goal: activity.SetGoal | None = None  # the daily goal fixed for a day, as stored on the learner
    goal_to_store: activity.SetGoal | None = None  # set by `streak` when today's goal was not fixed yet
    app: str | None = None  # the app the learner is stored in (None: not stored yet)

    @staticmethod
    def profile(user: dict[str, Any] | None) -> dict[str, Any]:
        """The fields a learner's stored profile (`rec_student_state`'s `user`) decides."""
        user = user or {}
        return {
            "timezone": user.get("timezone") or "UTC",
            "target_offset": float(user.get("target_offset") or 0.0),
            "goal": stored_goal(user),
            "app": user.get("app"),
        }

    @classmethod
    def from_row(cls, user_id: str, row: dict[str, Any]) -> Student:
        attempts = [
            {"question_id": q, "correct": c, "at": from_epoch_ms(at), "time_ms": t}
            for q, c, at, t in zip(
                row["attempt_questions"],
                row["attempt_correct"],
                row["attempt_at_ms"],
                row["attempt_time_ms"],
                strict=True,
            )
        ]
        memory = {m[0]: _memory(m[1:]) for m in row["memory"] if m}
        return cls(
            user_id=user_id, attempts=attempts, memory=memory, rejected=set(row["rejected"]),
            **cls.profile(row["user"]),
        )

    def history_rows(self, in_scope: Callable[[str], bool] | None) -> list[dict[str, Any]]:
        """Attempts inside the filter scope, oldest first (all attempts when `in_scope` is None)."""
        rows = [a for a in self.attempts if in_scope is None or in_scope(a["question_id"])]
        return rows[::-1]

    def recent(self, now: datetime, hours: float) -> set[str]:
        since = now - timedelta(hours=hours)
        return {a["question_id"] for a in self.attempts if a["at"] >= since}

    def last_attempts(self) -> dict[str, datetime]:
        last: dict[str, datetime] = {}
        for a in self.attempts:  # newest first: keep the first seen
            last.setdefault(a["question_id"], a["at"])
        return last

    def streak(self, now: datetime, goal_scale: float) -> StreakView:
        days = activity.practice_days([(a["at"], a["time_ms"] or 0) for a in self.attempts], self.timezone)
        today = activity.local_day(now, self.timezone)
        if self.goal is None or self.goal.day != today:
            self.goal = self.goal_to_store = activity.SetGoal(today, activity.goal_base(days, today))
        s = activity.streak(days, now, self.timezone, goal_scale, self.goal)
        return StreakView(current=s.current, daily_goal=s.daily_goal, today=s.today.questions)

    def concept_views(self, catalog: Catalog, now: datetime, scheduler: Scheduler,
                      predicted: dict[str, float] | None = None, *,
                      reached: float = MASTERED) -> dict[str, ConceptView]:
        """The mixer's view of every concept; `predicted`: the model's mean P(correct) per concept,
        which counts a concept as known from `reached` on (the recommender's target P)."""
        recall = {cid: state.retrievability(now, scheduler) for cid, state in self.memory.items()}
        levels = {cid: state.evidence * recall[cid] for cid, state in self.memory.items()}
        mastered = mastered_of(levels, predicted, reached=reached)
        ready = ready_concepts(catalog.requires, mastered, catalog.concept_order)
        views: dict[str, ConceptView] = {}
        for cid, meta in catalog.concepts.items():
            state = self.memory.get(cid, NEVER_REVIEWED)
            # Positional, in `ConceptView`'s field order: concept_id, name, level, retrievability,
            # due, last_review, ready, mastered.
            views[cid] = ConceptView(
                cid, meta.name, levels.get(cid, 0.0), recall.get(cid, 0.0), state.due, state.last_review,
                cid in ready, cid in mastered,
            )
        return views


def _memory(values: list[Any]) -> MemoryState:
    """A review state from `rec_student_state`'s flat list (same order as the query)."""
    stability, difficulty, due, last_review, reps, lapses, wins, fails, last_time_ms = values
    return MemoryState(
        stability=stability,
        difficulty=difficulty,
        due=from_epoch_ms(due) if due is not None else None,
        last_review=from_epoch_ms(last_review) if last_review is not None else None,
        reps=reps or 0,
        lapses=lapses or 0,
        wins=wins or 0.0,
        fails=fails or 0.0,
        last_time_ms=last_time_ms,
    )
