"""`learner-graph simulate` says at once when it needs Neo4j and Neo4j does not answer."""

from __future__ import annotations

from typing import Any

import pytest

from learner_graph.cli import main
from tests.support import free_port


def test_a_run_that_needs_the_graph_stops_before_the_study_naming_what_to_do(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def study(**_: Any) -> dict[str, Any]:
        raise AssertionError("the in-process study ran before the check")

    monkeypatch.setattr("learner_graph.simulation.study.run_outcomes", study)
    port = free_port()  # nothing listens there
    monkeypatch.setenv("LG_NEO4J_URI", f"bolt://127.0.0.1:{port}")
    assert main(["simulate", "--outcomes", "--learners", "3", "--tune-learners", "0"]) == 2
    error = capsys.readouterr().err
    assert f"Neo4j does not answer at 127.0.0.1:{port}" in error
    assert "--ab-learners 0" in error
    assert main(["simulate", "--students", "2"]) == 2
    assert "simulate runs through the graph" in capsys.readouterr().err
