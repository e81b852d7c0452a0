"""The learner simulator's statistics: skill grows with practice, forgets, and answers follow the model."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pytest

from seed.curriculum import build_curriculum
from seed.simulator import QuestionParams, SimParams, Simulator

T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)


@cache
def document() -> dict[str, Any]:
    return build_curriculum(questions_per_section=10)


def simulator(seed: int = 3) -> Simulator:
    return Simulator(document(), seed=seed)


def questions_of(sim: Simulator, concept: str) -> list[str]:
    return [q.question_id for q in sim.questions.values() if q.concept_ids == [concept]]


def test_concept_order_puts_prerequisites_first() -> None:
    sim = simulator()
    position = {c: i for i, c in enumerate(sim.concept_order)}
    assert len(position) == len(document()["concepts"])
    for concept in document()["concepts"]:
        assert all(position[p] < position[concept["id"]] for p in concept["requires"])


def test_question_params_follow_the_document_and_the_seed() -> None:
    sim = simulator()
    doc_q = {q["id"]: q for q in document()["questions"]}
    assert set(sim.questions) == set(doc_q)
    two = next(q for q in doc_q.values() if len(q["concepts"]) == 2)
    params = sim.questions[two["id"]]
    assert params.concept_ids == [c["id"] for c in two["concepts"]]
    assert params.weights == [c["weight"] for c in two["concepts"]]
    by_tag = {
        tag: [sim.questions[i].difficulty for i, q in doc_q.items() if q["difficulty_tag"] == tag]
        for tag in (1, 5)
    }
    assert sum(by_tag[5]) / len(by_tag[5]) - sum(by_tag[1]) / len(by_tag[1]) == pytest.approx(3.6, abs=0.3)
    assert simulator(3).questions == sim.questions
    assert simulator(4).questions != sim.questions


def test_p_correct_is_the_irt_model_of_skill_and_difficulty() -> None:
    sim = simulator()
    student = sim.new_student("exact", ability=0.0)
    question = sim.questions[questions_of(sim, "frac-add")[0]]
    skill = sim.true_skill(student, "frac-add", T0)
    p = SimParams()
    expected = p.guess + (1 - p.guess - p.slip) / (1 + math.exp(question.difficulty - skill))
    assert sim.p_correct(student, question.question_id, T0) == pytest.approx(expected)
    # against an average student's starting skill, without their personal deviation
    typical = question.difficulty - sim.prior[sim.index["frac-add"]]
    assert sim.typical_difficulty(question.question_id) == pytest.approx(typical)
    strong = sim.new_student("exact", ability=2.0)
    assert sim.p_correct(strong, question.question_id, T0) > sim.p_correct(student, question.question_id, T0)


def test_skill_grows_with_practice_and_then_decays_but_not_below_the_start() -> None:
    sim = simulator()
    student = sim.new_student("learner", ability=0.0)
    before = sim.true_skill(student, "eq-two-step", T0)
    question = questions_of(sim, "eq-two-step")[4]
    p_before = sim.p_correct(student, question, T0)
    for k in range(15):
        sim.answer(student, questions_of(sim, "eq-two-step")[k % 10], T0 + timedelta(minutes=k))
    soon = T0 + timedelta(minutes=20)
    after = sim.true_skill(student, "eq-two-step", soon)
    assert after > before + 0.5
    assert sim.p_correct(student, question, soon) > p_before
    later = sim.true_skill(student, "eq-two-step", soon + timedelta(days=90))
    assert before < later < after
    assert sim.mean_skill(student, soon) > sim.mean_skill(sim.new_student("learner", ability=0.0), soon)


def test_learning_gain_is_larger_when_prerequisites_are_known() -> None:
    sim = simulator()
    ready, unready = sim.new_student("twin", ability=-1.0), sim.new_student("twin", ability=-1.0)
    target = sim.index["quad-formula"]
    for prereq in sim.prerequisites[target]:
        ready.skill[prereq], unready.skill[prereq] = 3.0, -3.0
    question = questions_of(sim, "quad-formula")[0]
    start = sim.true_skill(ready, "quad-formula", T0)
    assert sim.answer(ready, question, T0) == sim.answer(unready, question, T0)  # same draw: same outcome
    gain_ready = sim.true_skill(ready, "quad-formula", T0) - start
    gain_unready = sim.true_skill(unready, "quad-formula", T0) - start
    assert gain_ready > 2 * gain_unready > 0


def test_gain_scales_with_the_challenge_of_the_question() -> None:
    """The same student learns most from a question at their level, little from one far too easy."""
    sim, p = simulator(), SimParams()
    root = sim.index["whole-add"]  # no prerequisites: readiness is 1
    gains = {}
    for name, gap in (("level", 0.0), ("easy", 3.5), ("hard", -3.5)):
        student = sim.new_student("twin", ability=0.0)
        skill = sim.true_skill(student, "whole-add", T0)
        sim.questions[name] = QuestionParams(name, ["whole-add"], [1.0], skill - gap, (root,))
        correct = sim.answer(student, name, T0)
        s = 1 / (1 + math.exp(-gap))
        headroom = 1 / (1 + math.exp(skill - 3.0))
        expected = student.learn_rate * headroom * (1.0 if correct else 0.6) * (
            p.challenge_floor + (1 - p.challenge_floor) * 4 * s * (1 - s)
        )
        gains[name] = sim.true_skill(student, "whole-add", T0) - skill
        assert gains[name] == pytest.approx(expected)
    assert gains["level"] > 2 * max(gains["easy"], gains["hard"]) > 0


def test_success_rate_tracks_the_model() -> None:
    """Bucket the model's P(correct) before each answer; the observed rate must match in every bucket."""
    sim = simulator(seed=11)
    ids = sorted(sim.questions)
    buckets: dict[int, list[tuple[float, bool]]] = {}
    for s in range(300):
        student = sim.new_student(f"s{s}")
        for k in range(60):
            at = T0 + timedelta(hours=k)
            question = ids[(s * 7919 + k * 104729) % len(ids)]
            p = sim.p_correct(student, question, at)
            buckets.setdefault(min(int(p * 5), 4), []).append((p, sim.answer(student, question, at)))
    assert len(buckets) == 5
    for pairs in buckets.values():
        predicted = sum(p for p, _ in pairs) / len(pairs)
        observed = sum(c for _, c in pairs) / len(pairs)
        assert abs(observed - predicted) < 3 * math.sqrt(predicted * (1 - predicted) / len(pairs)) + 0.01


def test_same_user_id_and_seed_give_the_same_student() -> None:
    a, b = simulator().new_student("same"), simulator().new_student("same")
    assert (a.ability, a.base, a.learn_rate) == (b.ability, b.base, b.learn_rate)
    assert simulator().new_student("other").base != a.base
