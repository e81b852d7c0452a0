"""The embedded launcher's warm-up file: the hot statements as the driver sends them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from learner_graph.config import Settings
from learner_graph.db.queries import Queries
from learner_graph.db.warm import LATER, PLANS, WRITES, _served, _tagged, statements
from learner_graph.recommendations import served
from learner_graph.recommendations.models import RecommendationOut
from tests.unit.recommendations.examples import NOW, request


def test_every_warmed_statement_is_in_the_file_once_per_shape_the_slowest_first() -> None:
    queries = Queries.load(Settings().cypher_dir)
    listed = statements(queries)
    shapes = len(PLANS) + sum(len(every) for plans in (WRITES, LATER) for every in plans.values())
    assert len(listed) == shapes
    assert listed[0]["query"] == queries["attempts_write"]  # the slowest plan starts first
    texts = {entry["query"] for entry in listed}
    assert texts == {queries[name] for name in [*PLANS, *WRITES, *LATER]}
    json.dumps(listed)  # written as JSON: nothing the launcher cannot read


def test_date_times_are_tagged_for_the_launcher_and_the_rest_left_as_sent() -> None:
    at = datetime(2000, 1, 1, tzinfo=UTC)
    sent = {"now": at, "rows": [{"at": at, "n": 1, "ok": True, "none": None}], "ids": ["a", "b"]}
    assert _tagged(sent) == {
        "now": {"$datetime": "2000-01-01T00:00:00+00:00"},
        "rows": [{"at": {"$datetime": "2000-01-01T00:00:00+00:00"}, "n": 1, "ok": True, "none": None}],
        "ids": ["a", "b"],
    }


def test_a_warmed_recommendation_row_has_the_keys_a_served_one_has() -> None:
    out = RecommendationOut(id="rec_1", user_id="u1", arm=None, experiments={}, model_version=None,
                            served_at=NOW, items=[])
    assert set(_served(1)["rows"][0]) == set(served.record_row(request=request(), out=out))
