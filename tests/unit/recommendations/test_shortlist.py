"""The shortlist must not change what the mixer picks, only how long it takes."""

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from learner_graph.mixer.mix import mix
from learner_graph.mixer.models import Candidate, ConceptView, MixInput, StreakView
from learner_graph.mixer.order import tiebreak, tiebreaks
from learner_graph.mixer.settings import MixSettings
from learner_graph.recommendations.catalog import ConceptMeta, QuestionMeta, QuestionTable
from learner_graph.recommendations.shortlist import _nearest_in_group, _review_options, shortlist

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def world(
    seed: int, size: int = 8000, concepts: int = 40
) -> tuple[list[Candidate], dict[str, ConceptView], set[str]]:
    rng = random.Random(seed)
    views = {
        f"c{k}": ConceptView(
            f"c{k}",
            f"Concept {k}",
            ready=rng.random() < 0.3,
            due=NOW - timedelta(days=rng.randint(1, 20)) if rng.random() < 0.2 else None,
            last_review=NOW - timedelta(days=30),
        )
        for k in range(concepts)
    }
    candidates = [
        Candidate(
            question_id=f"q{i:05d}",
            concepts=tuple(f"c{k}" for k in rng.sample(range(concepts), rng.choice([1, 1, 2]))),
            p_correct=round(rng.random(), 4),
            difficulty_tag=rng.randint(1, 5),
            known_to_model=rng.random() < 0.8,
        )
        for i in range(size)
    ]
    blocked = {c.question_id for c in rng.sample(candidates, 50)}
    return candidates, views, blocked


@pytest.mark.parametrize(
    ("seed", "n", "concepts", "size"),
    [
        (1, 5, 40, 8000), (2, 10, 40, 8000), (3, 50, 40, 8000), (4, 20, 40, 8000),
        (5, 10, 3, 5000), (6, 10, 8, 5000), (7, 1, 82, 20000), (8, 10, 82, 20000),
        (9, 30, 5, 3000), (10, 10, 120, 12000), (11, 2, 2, 2000), (12, 50, 82, 20000),
    ],
)
def test_shortlisted_mix_equals_the_full_mix(seed: int, n: int, concepts: int, size: int) -> None:
    candidates, views, blocked = world(seed, size, concepts)
    settings = MixSettings(seed=seed)
    streak = StreakView(current=2, daily_goal=10, today=3)

    def run(cands: list[Candidate]) -> list[tuple[str, str]]:
        data = MixInput(cands, views, streak, NOW, attempts_in_scope=30, blocked=blocked)
        return [(p.question_id, p.kind) for p in mix(data, settings, n)]

    table = QuestionTable.build(
        {c.question_id: QuestionMeta(c.concepts, c.difficulty_tag, "") for c in candidates},
        {cid: ConceptMeta(v.name, ()) for cid, v in views.items()},
    )
    rows = table.rows([c.question_id for c in candidates])
    assert [table.ids[r] for r in rows] == [c.question_id for c in candidates]  # ids are in sorted order
    p = np.array([c.p_correct for c in candidates])
    known = np.array([c.known_to_model for c in candidates])
    tb = tiebreaks(settings.seed, table.hashes[rows])
    keep = shortlist(table, rows, p, known, tb, views, blocked, NOW, settings, n)
    assert len(keep) < len(candidates) / 2
    assert run([candidates[i] for i in keep]) == run(candidates)


@pytest.mark.parametrize("seed", [0, 7, -3, 2**40])
def test_array_tiebreaks_equal_the_mixers(seed: int) -> None:
    ids = [f"q{i}" for i in range(50)] + ["math.fractions.q-0001", "ü-unicode"]
    table = QuestionTable.build({q: QuestionMeta((), None, "") for q in ids}, {})
    values = tiebreaks(seed, table.hashes)
    assert [int(v) for v in values] == [tiebreak(seed, q) for q in table.ids]
    assert len(set(values.tolist())) == len(ids)


def _review_options_before(
    table: QuestionTable, rows: np.ndarray, p: np.ndarray, tb: np.ndarray, open_: np.ndarray,
    due_c: np.ndarray, settings: MixSettings,
) -> np.ndarray:
    """The review options as written before round 4: every pair mapped, then the due ones kept."""
    middle = (settings.review_low + settings.review_high) / 2
    selected = np.flatnonzero(open_ & table.any_concept(due_c)[rows])
    if not len(selected):
        return selected
    candidate_of_row = np.full(len(table.ids), -1, dtype=np.int64)
    candidate_of_row[rows[selected]] = selected
    candidate = candidate_of_row[table.pair_row]
    concept = table.pair_concept
    keep = candidate >= 0
    keep[keep] = due_c[concept[keep]]
    candidate, concept = candidate[keep], concept[keep]
    order = np.lexsort((tb[candidate], np.abs(p[candidate] - middle), concept))
    candidate, concept = candidate[order], concept[order]
    starts = np.flatnonzero(np.r_[True, concept[1:] != concept[:-1]])
    within = np.arange(len(concept)) - np.repeat(starts, np.diff(np.r_[starts, len(concept)]))
    return candidate[within < 3]


@pytest.mark.parametrize("seed", range(8))
def test_review_options_equal_the_first_form(seed: int) -> None:
    candidates, views, blocked = world(seed, 3000, [3, 40, 82, 5, 40, 82, 2, 20][seed])
    table = QuestionTable.build(
        {c.question_id: QuestionMeta(c.concepts, c.difficulty_tag, "") for c in candidates},
        {cid: ConceptMeta(v.name, ()) for cid, v in views.items()},
    )
    rng = np.random.default_rng(seed)
    size = [3000, 1200, 150, 0, 2999, 40, 700, 1][seed]
    rows = np.sort(rng.choice(len(table.ids), size=size, replace=False))
    p = rng.random(len(rows)).round(3)  # ties in distance fall to the tie-break
    tb = tiebreaks(seed, table.hashes[rows])
    open_ = rng.random(len(rows)) < 0.9
    due_c = rng.random(len(table.concept_ids)) < [0.2, 0.1, 0.05, 1.0, 0.0, 0.5, 0.5, 0.3][seed]
    settings = MixSettings(seed=seed)
    got = _review_options(table, rows, p, tb, open_, due_c, settings)
    assert got.tolist() == _review_options_before(table, rows, p, tb, open_, due_c, settings).tolist()


@pytest.mark.parametrize(("seed", "k"), [(0, 3), (1, 1), (2, 3), (3, 5)])
def test_nearest_in_group_keeps_each_groups_k_smallest_and_their_ties(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, [4, 50, 1000, 3][seed], 600) / 10  # few distinct values: many ties
    groups = rng.integers(0, [9, 40, 82, 2][seed], 600)
    got = _nearest_in_group(values, groups, k)
    for g in np.unique(groups).tolist():
        in_group = sorted(values[groups == g].tolist())
        kth = in_group[min(k, len(in_group)) - 1]
        assert (got[groups == g] == (values[groups == g] <= kth)).all()


def test_review_options_with_many_equal_distances() -> None:
    candidates, views, _ = world(11, 3000, 12)
    table = QuestionTable.build(
        {c.question_id: QuestionMeta(c.concepts, c.difficulty_tag, "") for c in candidates},
        {cid: ConceptMeta(v.name, ()) for cid, v in views.items()},
    )
    rng = np.random.default_rng(11)
    rows = np.sort(rng.choice(len(table.ids), size=2000, replace=False))
    p = rng.integers(0, 5, len(rows)) / 4  # five values: the tie-break decides most options
    tb = tiebreaks(11, table.hashes[rows])
    open_ = rng.random(len(rows)) < 0.9
    due_c = rng.random(len(table.concept_ids)) < 0.6
    settings = MixSettings(seed=11)
    got = _review_options(table, rows, p, tb, open_, due_c, settings)
    assert len(got) > 3
    assert got.tolist() == _review_options_before(table, rows, p, tb, open_, due_c, settings).tolist()
