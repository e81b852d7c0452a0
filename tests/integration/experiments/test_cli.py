"""The experiments CLI against the real test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from neo4j import Driver

from learner_graph.cli import main
from learner_graph.config import Settings
from tests.experiments_fixtures import definition


def test_create_start_report_stop(
    db: Driver,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LG_NEO4J_URI", settings.neo4j_uri)
    monkeypatch.setenv("LG_NEO4J_DATABASE", settings.neo4j_database)
    spec = tmp_path / "experiment.json"
    spec.write_text(json.dumps(definition().model_dump(mode="json", exclude_none=True)))
    assert main(["experiments", "create", str(spec)]) == 0
    assert main(["experiments", "create", str(spec)]) == 1  # the key is taken
    assert main(["experiments", "start", "target-p"]) == 0
    assert main(["experiments", "list"]) == 0
    assert main(["experiments", "report", "target-p", "--csv", str(tmp_path / "r.csv"),
                 "--png", str(tmp_path / "r.png")]) == 0
    assert main(["experiments", "stop", "target-p"]) == 0
    out = capsys.readouterr().out
    assert "conflict: experiment 'target-p' already exists" in out
    assert "target-p                 running" in out
    assert (tmp_path / "r.csv").read_text().startswith("row,metric,role,arm")
    assert (tmp_path / "r.png").read_bytes().startswith(b"\x89PNG")  # a chart even before any attempt

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(definition().model_dump(mode="json") | {"key": "b", "control": "nobody"}))
    assert main(["experiments", "create", str(bad)]) == 1
    assert "control: 'nobody' is not one of the arms" in capsys.readouterr().out
