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
from learner_graph.recommendations.shortlist import shortlist

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
