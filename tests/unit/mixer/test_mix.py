from datetime import UTC, datetime, timedelta

import pytest

from learner_graph.mixer.mix import mix
from learner_graph.mixer.models import Candidate, ConceptView, MixInput, StreakView
from learner_graph.mixer.settings import MixSettings
from learner_graph.mixer.slots import allocate

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def test_largest_remainder_and_giving_slots_away() -> None:
    w = {"next": 0.4, "review": 0.3, "streak": 0.3}
    many = {"next": 99, "review": 99, "streak": 99}
    assert allocate(10, w, many) == {"next": 4, "review": 3, "streak": 3}
    assert allocate(5, w, many) == {"next": 2, "review": 2, "streak": 1}
    assert allocate(7, w, many) == {"next": 3, "review": 2, "streak": 2}
    assert allocate(10, w, {"next": 99, "review": 0, "streak": 99}) == {"next": 6, "review": 0, "streak": 4}
    assert allocate(10, w, {"next": 99, "review": 1, "streak": 0}) == {"next": 9, "review": 1, "streak": 0}
    assert allocate(
        4, {"next": 1.0, "review": 0.0, "streak": 0.0}, {"next": 1, "review": 9, "streak": 0}
    ) == {
        "next": 1,
        "review": 3,
        "streak": 0,
    }
    assert allocate(10, w, {"next": 2, "review": 1, "streak": 0}) == {"next": 2, "review": 1, "streak": 0}


def concepts() -> dict[str, ConceptView]:
    return {
        "a": ConceptView(
            "a",
            "Adding",
            level=0.9,
            mastered=True,
            due=NOW - timedelta(days=3),
            last_review=NOW - timedelta(days=10),
        ),
        "b": ConceptView(
            "b",
            "Bridging",
            level=0.8,
            mastered=True,
            due=NOW - timedelta(days=1),
            last_review=NOW - timedelta(days=4),
        ),
        "c": ConceptView("c", "Carrying", level=0.1, ready=True, due=NOW + timedelta(days=5)),
        "d": ConceptView("d", "Dividing", level=0.0),
    }


def candidates() -> list[Candidate]:
    out = []
    for concept, ps in {
        "a": [0.95, 0.8, 0.72],
        "b": [0.9, 0.78],
        "c": [0.5, 0.45, 0.6, 0.3],
        "d": [0.52, 0.2],
    }.items():
        out += [Candidate(f"{concept}{i}", (concept,), p, difficulty_tag=3) for i, p in enumerate(ps)]
    return out


def data(today: int = 0, blocked: set[str] | None = None, cands: list[Candidate] | None = None) -> MixInput:
    return MixInput(
        candidates=cands if cands is not None else candidates(),
        concepts=concepts(),
        streak=StreakView(current=4, daily_goal=10, today=today),
        now=NOW,
        attempts_in_scope=40,
        blocked=blocked or set(),
    )


@pytest.mark.parametrize(
    ("weights", "expected"),
    [((0.4, 0.3, 0.3), {"next": 2, "review": 2, "streak": 1}), ((1.0, 0.0, 0.0), {"next": 5})],
)
def test_blend_follows_the_weights(weights: tuple[float, float, float], expected: dict[str, int]) -> None:
    settings = MixSettings(weight_next=weights[0], weight_review=weights[1], weight_streak=weights[2])
    picks = mix(data(), settings, 5)
    kinds: dict[str, int] = {}
    for p in picks:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    assert kinds == expected
    assert len({p.question_id for p in picks}) == len(picks)


def test_next_best_prefers_ready_concepts_near_the_target() -> None:
    picks = mix(data(today=99), MixSettings(weight_next=1, weight_review=0, weight_streak=0), 2)
    assert [p.question_id for p in picks] == ["c0", "c1"]  # d0 (0.52) is nearer than c1 but not ready
    assert picks[0].fallback == "band" and picks[0].concepts == ("c",)
    assert "good time to learn" in " ".join(picks[0].explanation.reasons)


def test_fallbacks_when_the_band_is_empty() -> None:
    far = [Candidate("x1", ("d",), 0.97), Candidate("x2", ("d",), 0.9), Candidate("x3", ("d",), 0.7)]
    picks = mix(data(today=99, cands=far), MixSettings(weight_next=1, weight_review=0, weight_streak=0), 3)
    assert [(p.question_id, p.fallback) for p in picks] == [
        ("x3", "wide_band"),
        ("x2", "nearest"),
        ("x1", "nearest"),
    ]
    cold = [Candidate("y1", ("d",), 0.66, difficulty_tag=3, known_to_model=False)]
    assert mix(data(today=99, cands=cold), MixSettings(), 1)[0].fallback == "band"  # tag 3 stands for 0.55


def test_review_only_for_due_concepts_with_an_easy_enough_question() -> None:
    settings = MixSettings(weight_next=0, weight_review=1, weight_streak=0, review_low=0.7, review_high=0.85)
    picks = mix(data(today=99), settings, 5)
    reviews = [p for p in picks if p.kind == "review"]
    assert [p.question_id for p in reviews] == ["a1", "b1"]  # most overdue first; P nearest 0.775
    assert "10 days ago" in reviews[0].explanation.reasons[0]


def test_streak_items_only_while_the_goal_is_unmet() -> None:
    unmet = mix(data(today=3), MixSettings(weight_next=0, weight_review=0, weight_streak=1), 3)
    assert [p.kind for p in unmet][:2] == ["streak", "streak"] and unmet[0].question_id == "a0"
    assert (
        "3 of today's 10" in unmet[0].explanation.reasons[0]
        and "4-day streak" in unmet[0].explanation.reasons[0]
    )
    met = mix(data(today=10), MixSettings(weight_next=0, weight_review=0, weight_streak=1), 3)
    assert all(p.kind != "streak" for p in met)


def test_blocked_questions_never_come_back_and_results_are_deterministic() -> None:
    blocked = {"c0", "a1", "a0"}
    first = mix(data(blocked=blocked), MixSettings(seed=3), 8)
    assert not blocked & {p.question_id for p in first}
    assert first == mix(data(blocked=blocked), MixSettings(seed=3), 8)


def test_every_pick_is_explained() -> None:
    for pick in mix(data(), MixSettings(), 6):
        assert pick.explanation.reasons and 0 < pick.explanation.confidence <= 1
        assert set(pick.explanation.factors) == {
            "mastery_gap",
            "difficulty_match",
            "time_since_review",
            "streak",
        }


def test_a_next_best_pick_carries_its_probability_and_its_band_reason() -> None:
    pick = mix(data(today=99), MixSettings(weight_next=1, weight_review=0, weight_streak=0), 1)[0]
    assert (pick.question_id, pick.p_correct, pick.fallback) == ("c0", 0.5, "band")
    assert pick.explanation.reasons[0] == (
        "We expect about a 50% chance you get this right: a stretch, but within reach."
    )


def test_fewer_candidates_than_slots_serves_every_candidate_once() -> None:
    picks = mix(data(), MixSettings(), 50)
    assert sorted(p.question_id for p in picks) == sorted(c.question_id for c in candidates())


def _one_due_concept(cands: list[Candidate], today: int) -> MixInput:
    views = {
        "a": ConceptView("a", "Adding", due=NOW - timedelta(days=1)),
        "c": ConceptView("c", "Carrying", ready=True),
    }
    return MixInput(cands, views, StreakView(current=4, daily_goal=10, today=today), NOW, 40)


def test_a_due_review_keeps_its_only_question_when_next_best_ranks_it_first() -> None:
    # a0 is nearest the target for next-best and the review's one question on "a" (nearest 0.775).
    d = _one_due_concept([Candidate("a0", ("a",), 0.5), Candidate("a1", ("a",), 0.45)], today=10)
    picks = mix(d, MixSettings(weight_next=0.5, weight_review=0.5, weight_streak=0), 2)
    assert [(p.question_id, p.kind) for p in picks] == [("a1", "next"), ("a0", "review")]


def test_a_stream_whose_question_went_to_another_gives_its_slot_away() -> None:
    # a1 is both the due review's question and the only quick win: review takes it, and the
    # streak's slot goes to next-best on a second pass.
    cands = [Candidate("a1", ("a",), 0.82)] + [
        Candidate(f"c{i}", ("c",), p) for i, p in enumerate([0.5, 0.45, 0.6])
    ]
    picks = mix(_one_due_concept(cands, today=0), MixSettings(weight_next=0.3, weight_review=0.3,
                                                               weight_streak=0.3), 3)
    assert [(p.question_id, p.kind) for p in picks] == [("c0", "next"), ("a1", "review"), ("c1", "next")]


def test_never_more_than_n_picks_after_a_stream_lost_its_question() -> None:
    # Review's one question (a1) has no slot of its own and goes to the streak; re-sharing the
    # slots without review would give the streak both, so the mix stops at n.
    cands = [Candidate("a1", ("a",), 0.95)] + [
        Candidate(f"c{i}", ("c",), p) for i, p in enumerate([0.5, 0.45, 0.85, 0.9])
    ]
    settings = MixSettings(weight_next=0.1, weight_review=0.1, weight_streak=0.4)
    picks = mix(_one_due_concept(cands, today=0), settings, 2)
    assert [(p.question_id, p.kind) for p in picks] == [("c0", "next"), ("a1", "streak")]


def test_equally_scarce_streams_fill_in_kinds_order() -> None:
    # The lone question is next-best's and review's only offer: next, listed first, takes it once.
    d = _one_due_concept([Candidate("a1", ("a",), 0.82)], today=10)
    picks = mix(d, MixSettings(weight_next=0.2, weight_review=1.0, weight_streak=1.0), 2)
    assert [(p.question_id, p.kind, p.fallback) for p in picks] == [("a1", "next", "nearest")]
