"""The three candidate streams, each ranked best first: next best, spaced review, streak wins."""

from __future__ import annotations

from learner_graph.mixer.models import Candidate, ConceptView, MixInput
from learner_graph.mixer.order import TAG_P, key_round, tiebreak
from learner_graph.mixer.settings import MixSettings


def order_of(c: Candidate, seed: int) -> int:
    """The candidate's tie-break: precomputed by the caller for this seed, or computed here."""
    return c.tiebreak if c.tiebreak is not None else tiebreak(seed, c.question_id)


def next_best(data: MixInput, settings: MixSettings) -> list[tuple[Candidate, str]]:
    """Questions nearest the target P, spread across concepts, with the fallback that found each.

    Ladder: inside the band; inside twice the band; nearest to the target; by difficulty tag
    (when the model has no opinion); any unseen question.
    """
    pool = [c for c in data.candidates if c.question_id not in data.blocked]
    target = settings.target_p
    ready = {cid for cid, view in data.concepts.items() if view.ready}

    def distance(c: Candidate) -> float:
        p = c.p_correct if c.known_to_model or c.difficulty_tag is None else TAG_P[c.difficulty_tag]
        return abs(p - target)

    def key(c: Candidate) -> tuple[int, float, int]:
        not_ready = 0 if any(cid in ready for cid in c.concepts) else 1
        return (not_ready, key_round(distance(c)), order_of(c, settings.seed))

    keys = {c.question_id: key(c) for c in pool}  # once per candidate, not per comparison and step
    far = {c.question_id: distance(c) for c in pool}
    # Sorted once: each step's candidates, taken in this order, are that step sorted (the sort is stable).
    ordered = sorted(pool, key=lambda c: keys[c.question_id])
    ladder = [
        ("band", lambda c: far[c.question_id] <= settings.band),
        ("wide_band", lambda c: far[c.question_id] <= 2 * settings.band),
        ("nearest", lambda c: c.known_to_model),
        ("difficulty_tag", lambda c: c.difficulty_tag is not None),
        ("any_unseen", lambda c: c.last_attempt is None),
    ]
    # Each candidate goes to the first step that admits it (a later step takes only what the
    # earlier ones left): one pass over the pool, each step's candidates in the pool's order.
    steps: dict[str, list[Candidate]] = {name: [] for name, _ in ladder}
    for c in ordered:
        for name, admits in ladder:
            if admits(c):
                steps[name].append(c)
                break
    ranked: list[tuple[Candidate, str]] = []
    for name, step in steps.items():  # in the ladder's order
        # Ready concepts first, and within each tier one question per concept in turn.
        tiers = [[c for c in step if keys[c.question_id][0] == tier] for tier in (0, 1)]
        ranked.extend((c, name) for c in _spread(tiers[0]) + _spread(tiers[1]))
    return ranked


def _spread(ranked: list[Candidate]) -> list[Candidate]:
    """Round-robin over main concepts so consecutive picks practise different concepts."""
    queues: dict[str, list[Candidate]] = {}
    for c in ranked:
        queues.setdefault(c.concepts[0] if c.concepts else "", []).append(c)
    spread: list[Candidate] = []
    while queues:
        for concept in list(queues):
            spread.append(queues[concept].pop(0))
            if not queues[concept]:
                del queues[concept]
    return spread


def due_concepts(data: MixInput) -> list[ConceptView]:
    """Concepts whose FSRS due date has passed, most overdue first."""
    due = [v for v in data.concepts.values() if v.due is not None and v.due <= data.now]
    return sorted(due, key=lambda v: (v.due, v.concept_id))


def review(data: MixInput, settings: MixSettings) -> list[tuple[Candidate, ConceptView]]:
    """For each due concept, its easiest-enough question: P in the review band, nearest its middle."""
    middle = (settings.review_low + settings.review_high) / 2
    picks: list[tuple[Candidate, ConceptView]] = []
    used: set[str] = set()
    due = due_concepts(data)
    by_concept: dict[str, list[Candidate]] = {v.concept_id: [] for v in due}
    for c in data.candidates:  # one pass, not one per due concept
        if c.question_id not in data.blocked:
            for cid in c.concepts:
                if cid in by_concept:
                    by_concept[cid].append(c)
    for view in due:
        options = [c for c in by_concept[view.concept_id] if c.question_id not in used]
        if not options:
            continue
        in_band = [c for c in options if settings.review_low <= c.p_correct <= settings.review_high]
        best = min(
            in_band or options,
            key=lambda c: (abs(c.p_correct - middle), order_of(c, settings.seed)),
        )
        picks.append((best, view))
        used.add(best.question_id)
    return picks


def streak_wins(data: MixInput, settings: MixSettings) -> list[Candidate]:
    """Quick wins (high P) while today's goal is not met; nothing once it is."""
    if data.streak.goal_met:
        return []
    wins = [
        c
        for c in data.candidates
        if c.question_id not in data.blocked and c.p_correct >= settings.quick_win_p
    ]
    return sorted(wins, key=lambda c: (-key_round(c.p_correct), order_of(c, settings.seed)))
