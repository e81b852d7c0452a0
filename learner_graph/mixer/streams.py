"""The three candidate streams, each ranked best first: next best, spaced review, streak wins."""

from __future__ import annotations

from operator import itemgetter

from learner_graph.mixer.models import Candidate, ConceptView, MixInput
from learner_graph.mixer.order import TAG_P, key_round, tiebreak
from learner_graph.mixer.settings import MixSettings

# The next-best ladder's steps, in order: inside the band; inside twice the band; nearest to the
# target; by difficulty tag (when the model has no opinion); any unseen question.
LADDER = ("band", "wide_band", "nearest", "difficulty_tag", "any_unseen")


def order_of(c: Candidate, seed: int) -> int:
    """The candidate's tie-break: precomputed by the caller for this seed, or computed here."""
    return c.tiebreak if c.tiebreak is not None else tiebreak(seed, c.question_id)


def next_best(data: MixInput, settings: MixSettings) -> list[tuple[Candidate, str]]:
    """Questions nearest the target P, spread across concepts, with the fallback that found each.

    Ladder: inside the band; inside twice the band; nearest to the target; by difficulty tag
    (when the model has no opinion); any unseen question.
    """
    target, band, seed = settings.target_p, settings.band, settings.seed
    ready = {cid for cid, view in data.concepts.items() if view.ready}
    blocked = data.blocked
    # One pass over the pool: each candidate's key (readiness tier, rounded distance to the target,
    # tie-break) and distance, computed once (a subject's shortlist is a few hundred candidates).
    keyed: list[tuple[tuple[int, float, int], float, Candidate]] = []
    for c in data.candidates:
        if c.question_id in blocked:
            continue
        p = c.p_correct if c.known_to_model or c.difficulty_tag is None else TAG_P[c.difficulty_tag]
        far = abs(p - target)
        not_ready = 1 if ready.isdisjoint(c.concepts) else 0
        keyed.append(((not_ready, key_round(far), order_of(c, seed)), far, c))
    keyed.sort(key=itemgetter(0))  # stable: equal keys keep the pool's order
    # Each candidate goes to the first step of the ladder that admits it (a later step takes only
    # what the earlier ones left), and to its readiness tier there; one pass, in the sorted order.
    steps: dict[str, tuple[list[Candidate], list[Candidate]]] = {name: ([], []) for name in LADDER}
    for (tier, _, _), far, c in keyed:
        if far <= band:
            name = "band"
        elif far <= 2 * band:
            name = "wide_band"
        elif c.known_to_model:
            name = "nearest"
        elif c.difficulty_tag is not None:
            name = "difficulty_tag"
        elif c.last_attempt is None:
            name = "any_unseen"
        else:
            continue
        steps[name][tier].append(c)
    ranked: list[tuple[Candidate, str]] = []
    for name, (first, second) in steps.items():  # in the ladder's order
        # Ready concepts first, and within each tier one question per concept in turn.
        ranked.extend((c, name) for c in _spread(first) + _spread(second))
    return ranked


def _spread(ranked: list[Candidate]) -> list[Candidate]:
    """Round-robin over main concepts so consecutive picks practise different concepts."""
    queues: dict[str, list[Candidate]] = {}
    for c in ranked:
        queues.setdefault(c.concepts[0] if c.concepts else "", []).append(c)
    if len(queues) <= 1:
        return list(ranked)
    # Turn i takes the i-th question of every concept that has one, concepts in order of first appearance.
    lists = list(queues.values())
    return [q[i] for i in range(max(map(len, lists))) for q in lists if i < len(q)]


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
