"""`learner-graph eval --attempts FILE` end to end on a small CSV, and the trainer's period parsing."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from learner_graph.cli import main
from learner_graph.cli.model import period
from tests.model_fixtures import simulate


def _write_csv(path: Path) -> None:
    log, _ = simulate(n_students=80, n_questions=15, per_student=12, seed=3)
    lines = ["user_id,seq_idx,item_id,skill_ids,correct"]
    for user, question, correct, at in zip(log.users, log.questions, log.correct, log.at, strict=True):
        skills = "~".join(c for c, _ in log.concepts[question])
        lines.append(f"{user},{int(at)},{question},{skills},{correct}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_eval_prints_one_json_object_with_baselines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, png = tmp_path / "attempts.csv", tmp_path / "reliability.png"
    _write_csv(csv)
    args = ["eval", "--attempts", str(csv), "--json", "--png", str(png), "--quiet"]
    args += ["--dim", "2", "--epochs", "5"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("auc", "log_loss", "brier", "ece"):
        assert 0 <= report[key] <= 1 or key == "log_loss"
    assert set(report["baselines"]) == {"item_only", "item_elo"}
    assert report["n"] == 16 * 12  # a fifth of the 80 students are held out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_periods() -> None:
    assert period("6h") == 6 * 3600
    assert period("30m") == 1800
    assert period("1.5d") == 1.5 * 86400
    with pytest.raises(argparse.ArgumentTypeError):
        period("six hours")
