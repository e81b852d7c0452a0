"""The learning-outcomes study: policies compared on the same learners, and the mixer's settings tuned.

`Study.prepare` builds the world once (curriculum, forgetting simulator, a model trained on
simulated histories); `compare` runs every policy on the same learners and pairs them;
`tune` grid-searches the mixer weights, target P and review retention on a smaller cohort.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pandas as pd

from learner_graph.model import QuestionSide
from learner_graph.simulation import served as served_calibration
from learner_graph.simulation.course import ORIGIN, CourseOutcome, CoursePlan, Probes
from learner_graph.simulation.experiment import aa_tests
from learner_graph.simulation.inproc import Engine, train_side
from learner_graph.simulation.outcome_stats import mean_ci, paired, rounded, summarise
from learner_graph.simulation.outcomes import (
    BASELINES,
    ENGINE_POLICIES,
    Policy,
    RouteTests,
    make_policy,
    recorded_test_items,
    run_cohort,
    run_learner,
)
from seed.curriculum import build_curriculum
from seed.forgetting import ForgettingSimulator

POLICIES = (*ENGINE_POLICIES, "mixer-tuned", *BASELINES)

# The grid `tune` searches: (next, review, streak) weights, target P, review retention. Retention
# 0.85 against 0.9 was inside the noise in the first tuning (docs/BENCHMARKS.md): 0.9 alone since.
WEIGHTS = (
    (0.4, 0.3, 0.3), (0.6, 0.3, 0.1), (0.5, 0.5, 0.0), (0.3, 0.6, 0.1), (0.7, 0.2, 0.1), (0.8, 0.2, 0.0),
    (1.0, 0.0, 0.0),
)
TARGETS = (0.5, 0.55, 0.6)
KNOWN = (0.5, 0.55, 0.58, 0.6)  # readiness (`known_p`): a concept counts as known at this predicted P
RETENTIONS = (0.9,)
# The simulated learners whose histories train the engine's model: a simulation setting. A deployment
# has far more prior learners than the 150 of rounds 1–2 (≈ 10k attempts for 2,460 questions); with
# 1,500 (≈ 100k attempts) long histories are calibrated and the mixer gains more (docs/BENCHMARKS.md).
HISTORIES = 1500
# Learners the engine served whose attempts join the training (`Study.prepare`'s retraining): a
# deployment's trainer reads every attempt in the graph, spaced review included, which is what
# teaches the model's forgetting term; the walkers practise a concept within one session
# (docs/BENCHMARKS.md, "Next items at the target, round 6").
RETRAIN_LEARNERS = 60


# Models the study trains, each on its own walkers and training seed (seed, seed + 1, ...); learner i
# is served by model i mod MODELS under every policy. One trained model's luck moved the mixer's lead
# over next-only by as much as the lead itself (docs/BENCHMARKS.md, "Learning outcomes", round 12).
MODELS = 3


@dataclass
class Study:
    document: dict[str, Any]
    sim: ForgettingSimulator
    sides: list[QuestionSide]  # the models; learner i is served by sides[i % len(sides)]
    plan: CoursePlan
    seed: int
    probes: Probes
    engines: dict[float, list[Engine]] = field(default_factory=dict)

    retention: float = 0.9  # the shipped `review_retention`: every policy but the tuned mixer runs with it

    @classmethod
    def prepare(cls, *, plan: CoursePlan, seed: int = 7, histories: int = HISTORIES,
                retrain: int = RETRAIN_LEARNERS, served: int = 0, models: int = MODELS) -> Study:
        """The demo curriculum, learners who forget, and `models` models, each trained on `histories`
        simulated learners of its own; with `retrain` > 0, trained again with the attempts of that
        many other learners the first training served with the shipped mixer (a deployment's next
        training); with `served` > 0, then calibrated on the next-best items it served to earlier
        cohorts of that many learners (`simulation.served`: tried in round 5, not the default,
        docs/BENCHMARKS.md)."""
        document = build_curriculum()
        sim = ForgettingSimulator(document, seed=seed)
        retention = shipped_settings()[1]
        catalog_engine = Engine.build(document, None, retention)
        ids = catalog_engine.catalog.table.ids
        probes = Probes.for_questions(sim, [ids[r] for r in catalog_engine.rows(list(plan.units))])
        sides = [_trained(catalog_engine, document, sim, probes, plan, model_seed=seed + k,
                          histories=histories, retrain=retrain, served=served) for k in range(models)]
        engines = [dataclasses.replace(catalog_engine, side=side) for side in sides]
        return cls(document, sim, sides, plan, seed, probes, {retention: engines}, retention)

    def models(self, retention: float) -> list[Engine]:
        """One engine per model, its review states scheduled for `retention` (`review_retention`)."""
        if retention not in self.engines:
            self.engines[retention] = [Engine.build(self.document, side, retention) for side in self.sides]
        return self.engines[retention]

    def engine(self, retention: float) -> Engine:
        """The first model's engine (what runs on one model: the A/B settings' comparison)."""
        return self.models(retention)[0]

    def run(self, policy: Policy, *, learners: int, retention: float | None = None) -> list[CourseOutcome]:
        """Learners 0 .. `learners` - 1 under `policy`, learner i served by model i mod the models: the
        same learner meets the same model under every policy, so outcomes pair by position."""
        engines = self.models(retention or self.retention)
        return [run_learner(engines[i % len(engines)], self.sim, self.probes, policy, plan=self.plan, index=i,
                            seed=self.seed) for i in range(learners)]


def _trained(engine: Engine, document: dict[str, Any], sim: ForgettingSimulator, probes: Probes,
             plan: CoursePlan, *, model_seed: int, histories: int, retrain: int, served: int) -> QuestionSide:
    """A model trained on `histories` walkers drawn with `model_seed` (and its training seed),
    retrained and calibrated as `Study.prepare` says; `engine` serves the learners it is retrained
    and calibrated on."""
    start = ORIGIN - timedelta(days=60)
    side = train_side(document, sim, students=histories, start=start, seed=model_seed)
    engine = dataclasses.replace(engine, side=side)
    if retrain:
        # Served over the default course whatever this study's plan: the learners before.
        attempts = served_calibration.served_attempts(engine, sim, probes, plan=CoursePlan(), seed=model_seed,
                                                      learners=retrain)
        side = train_side(document, sim, students=histories, start=start, seed=model_seed, served=attempts)
        engine = dataclasses.replace(engine, side=side)
    if served:
        side = served_calibration.calibrate(engine, sim, probes, plan=plan, seed=model_seed,
                                            document=document, learners=served)
    return side


def settings_of(weights: tuple[float, float, float], target: float, known: float) -> dict[str, Any]:
    next_, review, streak = weights
    return {"weight_next": next_, "weight_review": review, "weight_streak": streak, "target_p": target,
            "known_p": known}


Setting = tuple[tuple[float, float, float], float, float, float]  # weights, target P, known P, retention


def grid(part: int = 0, parts: int = 1) -> list[Setting]:
    """The settings `tune` searches, or every `parts`-th of them from `part` (to run in parallel)."""
    return list(itertools.product(WEIGHTS, TARGETS, KNOWN, RETENTIONS))[part::parts]


def tune(study: Study, *, learners: int, settings: list[Setting] | None = None) -> dict[str, Any]:
    """Grid search on `learners` learners (the same for every setting); the frontier and the best setting."""
    rows = []
    for weights, target, known, retention in settings if settings is not None else grid():
        chosen = settings_of(weights, target, known)
        outcomes = study.run(make_policy("mixer-tuned", chosen), learners=learners, retention=retention)
        per = [o.summary() for o in outcomes]
        rows.append({
            "settings": chosen, "review_retention": retention,
            "post_test_gain": mean_ci([o.gain for o in outcomes]),
            "practice_minutes": sum(p["practice_min"] for p in per) / len(per),
            "review_share": sum(p["review_share"] for p in per) / len(per),
            "concepts_practised": sum(p["concepts_practised"] for p in per) / len(per),
            "success_rate_next": summarise(outcomes)["success_rate_next"],
            "per_learner_gain": [o.gain for o in outcomes],
        })
    return frontier(rows, learners)


def frontier(rows: list[dict[str, Any]], learners: int) -> dict[str, Any]:
    """Mark the frontier and the best of grid rows (one run's, or parts' put together).

    Best is the highest delayed post-test gain; the frontier keeps the settings no other beats on
    gain while needing no more practice time and no more review load.
    """
    for r in rows:
        r["frontier"] = not any(
            o["post_test_gain"]["mean"] > r["post_test_gain"]["mean"]
            and o["practice_minutes"] <= r["practice_minutes"] and o["review_share"] <= r["review_share"]
            for o in rows
        )
    gain = [r["post_test_gain"]["mean"] for r in rows]
    best = rows[gain.index(max(gain))]
    return {"learners": learners, "grid": rounded(rows), "best": rounded(best)}


def compare(study: Study, *, learners: int, tuned: dict[str, Any], tuned_retention: float,
            policies: tuple[str, ...] = POLICIES, aa: int = 1000) -> dict[str, Any]:
    """Every policy on the same learners: summaries, paired differences of the delayed post-test gain,
    and an A/A check: the mixer's learners re-split `aa` times, each split Welch-tested as the
    experiment results are."""
    runs: dict[str, list[CourseOutcome]] = {}
    seconds: dict[str, float] = {}
    for name in policies:
        started = time.perf_counter()
        retention = tuned_retention if name == "mixer-tuned" else study.retention
        runs[name] = study.run(make_policy(name, tuned), learners=learners, retention=retention)
        seconds[name] = time.perf_counter() - started
    summaries = {name: summarise(runs[name]) | {"wall_s": seconds[name]} for name in runs}
    gains = {name: [o.gain for o in outcomes] for name, outcomes in runs.items()}
    users = [o.user_id for o in next(iter(runs.values()))] if runs else []
    return rounded(paired_figures(summaries, gains, users, aa=aa))


def paired_figures(policies: dict[str, Any], gains: dict[str, list[float]], users: list[str], *,
                   aa: int) -> dict[str, Any]:
    """Per-policy summaries with the paired differences of the delayed gain (policy runs on the same
    learners, in the same order), the gain against random practice, and the A/A re-splits of the
    mixer's learners. `per_learner_gain` keeps the gains, so runs of other policies in other
    processes on the same learners can be paired afterwards (`merge_parts`)."""
    result: dict[str, Any] = {
        "policies": policies,
        "paired": {
            f"{a}-vs-{b}": paired(gains[a], gains[b])
            for a in ("mixer", "mixer-tuned") if a in gains
            for b in gains if b != a
        },
        "users": users,
        "per_learner_gain": gains,
    }
    if "mixer" in gains and aa:
        frame = pd.DataFrame({"user_id": users, "post_test_gain": gains["mixer"]})
        result["aa"] = aa_tests(frame, repetitions=aa, metrics=("post_test_gain",))["post_test_gain"]
    if "random" in gains:
        random_gain = policies["random"]["post_test_gain"]["mean"]
        result["gain_vs_random"] = {
            name: row["post_test_gain"]["mean"] / random_gain for name, row in policies.items()
        }
    return result


def merge_parts(parts: list[dict[str, Any]], *, aa: int = 1000) -> dict[str, Any]:
    """One result from `run_outcomes` runs of different policies on the same learners (same seed,
    plan and training cohort; checked), paired by learner."""
    first = parts[0]
    for part in parts[1:]:
        for key in ("seed", "plan", "model", "users"):
            if part[key] != first[key]:
                raise ValueError(f"parts differ in {key}: they are not the same learners")
    policies = {name: row for part in parts for name, row in part["policies"].items()}
    gains = {name: g for part in parts for name, g in part["per_learner_gain"].items()}
    merged = {k: v for k, v in first.items() if k not in ("policies", "paired", "aa", "gain_vs_random")}
    merged |= paired_figures(policies, gains, first["users"], aa=aa)
    merged["wall_s"] = [part.get("wall_s") for part in parts]
    return rounded(merged)


def _prepared(plan: CoursePlan | None, seed: int, histories: int | None) -> tuple[Study, dict[str, Any]]:
    """A freshly prepared study and the head of its result: the plan, the seed and the model's cohort."""
    histories = histories or HISTORIES
    plan = plan or CoursePlan()
    study = Study.prepare(plan=plan, seed=seed, histories=histories)
    result: dict[str, Any] = {"plan": vars(plan) | {"units": list(plan.units)}, "seed": seed,
                              "model": {"histories": histories, "retrained_on_served": RETRAIN_LEARNERS,
                                        "models": len(study.sides),
                                        "attempts": [side.info.get("attempts") for side in study.sides]}}
    return study, result


def run_outcomes(*, learners: int, tune_learners: int, seed: int = 7, plan: CoursePlan | None = None,
                 histories: int | None = None, only: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Prepare, tune (unless `tune_learners` is 0: then the shipped defaults stand in), compare
    (`only`: these policies). `histories`: the model's training cohort (default `HISTORIES`)."""
    started = time.perf_counter()
    study, result = _prepared(plan, seed, histories)
    if tune_learners:
        tuning = tune(study, learners=tune_learners)
        best = tuning["best"]
        tuned, retention = best["settings"], best["review_retention"]
        result["tuning"] = tuning
    else:
        tuned, retention = shipped_settings()
    shipped = (tuned, retention) == shipped_settings()
    result["tuned"] = {"settings": tuned, "review_retention": retention, "same_as_shipped": shipped}
    # The shipped defaults were set from the tuning: then `mixer` is the tuned mixer, run once.
    policies = tuple(p for p in POLICIES if not (shipped and p == "mixer-tuned") and (not only or p in only))
    result |= compare(study, learners=learners, tuned=tuned, tuned_retention=retention, policies=policies)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    return result


def run_tuning(*, learners: int, seed: int = 7, plan: CoursePlan | None = None, histories: int | None = None,
               part: int = 0, parts: int = 1) -> dict[str, Any]:
    """The grid alone (`tune`; `part` of `parts` of it) on a freshly prepared study: what
    `outcomes_tuning.json` holds (parts: `frontier` over their rows put together)."""
    started = time.perf_counter()
    study, result = _prepared(plan, seed, histories)
    shipped, retention = shipped_settings()
    result |= tune(study, learners=learners, settings=grid(part, parts))
    result["shipped"] = {"settings": shipped, "review_retention": retention}
    result["wall_s"] = round(time.perf_counter() - started, 1)
    return result


# The A/B's settings the paired study does not share (docs/BENCHMARKS.md, A/B through the routes,
# round 5): its plan, its pre-test recorded as attempts, and the route's metric.
AB_SETTINGS_PLANS = (CoursePlan(sessions=8, days=14), CoursePlan())
ROUTE_METRICS: dict[str, Callable[[CourseOutcome], float]] = {
    "post_test_gain": lambda o: o.gain,  # the paired study's: probes' mean true P, delayed minus pre
    "delayed_accuracy": lambda o: o.route["delayed_accuracy"],  # the route's: the test's answers
    "delayed_expected": lambda o: o.route["delayed_expected"],  # the same without the answers' noise
}


def run_ab_settings(*, learners: int, seed: int = 7, histories: int | None = None, items: int = 16,
                    plans: tuple[CoursePlan, ...] = AB_SETTINGS_PLANS) -> dict[str, Any]:
    """Mixer against next on the same learners, one A/B setting at a time: each plan, with and without
    the A/B's pre-test recorded as attempts, each scored on every `ROUTE_METRICS` (paired differences)."""
    study, result = _prepared(None, seed, histories)
    questions = [q["id"] for q in study.document["questions"]]
    items_ = tuple(recorded_test_items(study.sim, study.probes, questions, items=items))
    engine = study.engine(study.retention)
    rows = []
    for plan in plans:
        for record in (False, True):
            started = time.process_time()
            runs = {name: run_cohort(engine, study.sim, study.probes, make_policy(name), plan=plan,
                                     learners=learners, seed=seed, tests=RouteTests(items_, record))
                    for name in ("mixer", "next")}
            rows.append({
                "plan": {"sessions": plan.sessions, "days": plan.days}, "pre_test_recorded": record,
                "paired": {m: paired([f(o) for o in runs["mixer"]], [f(o) for o in runs["next"]])
                           for m, f in ROUTE_METRICS.items()},
                "means": {name: {m: mean_ci([f(o) for o in outs])["mean"] for m, f in ROUTE_METRICS.items()}
                          | {"review_share": _review_share(outs)} for name, outs in runs.items()},
                "cpu_s": time.process_time() - started,
            })
    result |= {"learners": learners, "test_items": len(items_), "settings": rows}
    return rounded(result)


def _review_share(outcomes: list[CourseOutcome]) -> float:
    return sum(o.summary()["review_share"] for o in outcomes) / len(outcomes)


def shipped_settings() -> tuple[dict[str, Any], float]:
    """The mixer settings and review retention the product ships with."""
    from learner_graph.mixer.settings import DEFAULTS as mix

    weights = (mix.weight_next, mix.weight_review, mix.weight_streak)
    return settings_of(weights, mix.target_p, mix.known_p), mix.review_retention
