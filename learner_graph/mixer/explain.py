"""Explanations a student can read, and the factors and confidence behind each pick."""

from __future__ import annotations

from datetime import datetime

from learner_graph.mixer.models import Candidate, ConceptView, Explanation, MixInput
from learner_graph.mixer.settings import MixSettings


def _names(c: Candidate, data: MixInput) -> str:
    names = [data.concepts[cid].name if cid in data.concepts else cid for cid in c.concepts[:2]]
    return " and ".join(names) or "this topic"


def _days_since(when: datetime | None, now: datetime) -> float | None:
    return None if when is None else max(0.0, (now - when).total_seconds() / 86400)


def confidence(c: Candidate, data: MixInput) -> float:
    """How much data stands behind the pick: the student's attempts in scope, the model's view."""
    evidence = data.attempts_in_scope / (data.attempts_in_scope + 10)
    return round((0.3 + 0.7 * evidence) * (1.0 if c.known_to_model else 0.6), 3)


def factors(c: Candidate, data: MixInput, settings: MixSettings, kind: str) -> dict[str, float]:
    """The weight each consideration carried, in [0, 1]."""
    levels = [data.concepts[cid].level for cid in c.concepts if cid in data.concepts]
    gap = 1.0 - (min(levels) if levels else 0.0)
    target = settings.target_p if kind == "next" else (settings.review_low + settings.review_high) / 2
    if kind == "streak":
        target = 1.0
    reviews = [data.concepts[cid].last_review for cid in c.concepts if cid in data.concepts]
    days = [d for d in (_days_since(r, data.now) for r in reviews) if d is not None]
    return {
        "mastery_gap": round(gap, 3),
        "difficulty_match": round(max(0.0, 1 - abs(c.p_correct - target) / 0.5), 3),
        "time_since_review": round(min(1.0, max(days) / 30) if days else 0.0, 3),
        "streak": 1.0 if kind == "streak" else 0.0,
    }


def explain_next(c: Candidate, data: MixInput, settings: MixSettings, fallback: str) -> Explanation:
    topic = _names(c, data)
    percent = round(c.p_correct * 100)
    reasons = [f"We expect about a {percent}% chance you get this right: a stretch, but within reach."]
    if fallback != "band":
        reasons[0] = f"This is the closest we have to your level on {topic} (about {percent}% chance)."
    if any(data.concepts.get(cid, ConceptView(cid, cid)).ready for cid in c.concepts):
        reasons.append(f"You know what {topic} builds on, so it is a good time to learn it.")
    if data.attempts_in_scope < 5:
        reasons.append("We are still learning what you know, so this starts near the middle.")
    return Explanation(reasons, factors(c, data, settings, "next"), confidence(c, data))


def explain_review(c: Candidate, view: ConceptView, data: MixInput, settings: MixSettings) -> Explanation:
    days = _days_since(view.last_review, data.now)
    when = f"{round(days)} days ago" if days is not None and days >= 1.5 else "recently"
    reasons = [
        f"You last practised {view.name} {when}; a quick review now helps you keep it.",
        f"This one should feel manageable (about {round(c.p_correct * 100)}% chance).",
    ]
    return Explanation(reasons, factors(c, data, settings, "review"), confidence(c, data))


def explain_streak(c: Candidate, data: MixInput, settings: MixSettings) -> Explanation:
    s = data.streak
    left = s.daily_goal - s.today
    keep = f"keep your {s.current}-day streak going" if s.current else "start a new streak today"
    reasons = [
        f"You have done {s.today} of today's {s.daily_goal} questions; {left} more to {keep}.",
        f"A quick win on {_names(c, data)} (about {round(c.p_correct * 100)}% chance).",
    ]
    return Explanation(reasons, factors(c, data, settings, "streak"), confidence(c, data))
