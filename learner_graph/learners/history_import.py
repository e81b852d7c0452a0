"""Import attempt histories from CSV (the ASSISTments 2009 format, plus optional times).

Columns: user_id, seq_idx, item_id, skill_ids (`~`-separated), correct, and optionally
timestamp (ISO 8601) and time_spent_ms. Skills become concepts, items questions, one unit per
skill under one unit for the whole file; questions that already exist are used as they are.
Attempts go through the same batched, idempotent write path as `POST /v1/attempts`, so an
interrupted import resumes where it stopped (a progress file skips finished batches, and a
replayed batch is acknowledged without double counting).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import TypeAdapter

from learner_graph.content.importer import import_content
from learner_graph.db import retries
from learner_graph.db.graph import Graph
from learner_graph.errors import Invalid
from learner_graph.fields import ID_PATTERN, ID_RULE
from learner_graph.learners.attempts import record_attempts
from learner_graph.learners.memory import make_scheduler
from learner_graph.learners.models import AttemptIn

SYNTHETIC_START = datetime(2009, 9, 1, 15, tzinfo=UTC)
SESSION_SIZE = 20  # synthetic times: a session of this many attempts a day, 90 s apart
DEFAULT_TIME_MS = 30_000  # a row without time_spent_ms


@dataclass
class ImportReport:
    rows: int
    created: int
    duplicates: int
    skipped_batches: int
    content: dict[str, Any]
    seconds: float
    retries: dict[str, int] = field(default_factory=dict)  # transactions retried, by reason


def read_csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"user_id": str, "item_id": str, "skill_ids": str})
    frame["skill_ids"] = frame["skill_ids"].fillna("")
    return frame.sort_values(["user_id", "seq_idx"], kind="stable").reset_index(drop=True)


def content_document(frame: pd.DataFrame, *, prefix: str, name: str) -> dict[str, Any]:
    """Concepts from skills, questions from items, one unit per skill under a root unit."""
    items = frame.drop_duplicates("item_id")[["item_id", "skill_ids"]]
    skills = sorted({s for value in items["skill_ids"] for s in value.split("~") if s})
    questions: list[dict[str, Any]] = []
    members: dict[str, list[str]] = {s: [] for s in skills}
    for item, value in zip(items["item_id"], items["skill_ids"], strict=True):
        ids = [s for s in value.split("~") if s]
        questions.append(
            {
                "id": f"{prefix}{item}",
                "text": f"{name} item {item}",
                "difficulty_tag": 3,
                "concepts": [{"id": f"{prefix}skill-{s}", "weight": round(1 / len(ids), 4)} for s in ids],
                "answer": None,
            }
        )
        for s in ids:
            members[s].append(f"{prefix}{item}")
    root = {
        "id": f"{prefix}all",
        "name": name,
        "kind": "subject",
        "filter_scope": None,
        "questions": [],
        "units": [f"{prefix}unit-{s}" for s in skills],
    }
    units = [root] + [
        {
            "id": f"{prefix}unit-{s}",
            "name": f"{name} skill {s}",
            "kind": "skill",
            "filter_scope": None,
            "units": [],
            "questions": sorted(members[s]),
        }
        for s in skills
    ]
    concepts = [
        {
            "id": f"{prefix}skill-{s}",
            "name": f"{name} skill {s}",
            "description": "",
            "subject": name,
            "requires": [],
        }
        for s in skills
    ]
    return {"format": "learner-graph/content@1", "concepts": concepts, "units": units, "questions": questions}


def attempts(frame: pd.DataFrame, *, prefix: str) -> list[AttemptIn]:
    """Rows as attempts with stable ids (`prefix + user + '-' + seq`) and real or synthetic times.

    Column by column: the ids are checked against the API's id rule at once (a bad one refuses the
    file, naming its rows), the times computed for the whole file, then the attempts validated in
    one call. Row by row this was most of a large file's preparation (ASSISTments 2009: 39 s).
    """
    users = prefix + frame["user_id"].astype(str)
    seqs = frame["seq_idx"].astype(int)
    ids = {"attempt_id": users + "-" + seqs.astype(str), "user_id": users,
           "question_id": prefix + frame["item_id"].astype(str)}  # fmt: skip
    _check_ids(ids)
    correct = frame["correct"].astype(int) != 0
    spent = (
        frame["time_spent_ms"].fillna(DEFAULT_TIME_MS).astype(int)
        if "time_spent_ms" in frame
        else pd.Series(DEFAULT_TIME_MS, index=frame.index)
    )
    at = _times(frame, seqs)
    columns = zip(ids["attempt_id"], ids["user_id"], ids["question_id"], correct, spent, at, strict=True)
    keys = ("attempt_id", "user_id", "question_id", "correct", "time_spent_ms", "at")
    return _ATTEMPTS.validate_python(
        [dict(zip(keys, (a, u, q, bool(c), int(ms), at), strict=True)) for a, u, q, c, ms, at in columns]
    )


_ATTEMPTS = TypeAdapter(list[AttemptIn])  # one validator call for a whole file: a third of the per-row cost


def _check_ids(columns: dict[str, pd.Series]) -> None:
    problems = [
        {"field": f"rows[{i}].{name}", "message": f"{value!r} is not an id: {ID_RULE}"}
        for name, values in columns.items()
        for i, value in values[~values.str.match(ID_PATTERN)].items()
    ]
    if problems:
        raise Invalid(f"{len(problems)} ids in the file break the id rule", problems[:20])


def _times(frame: pd.DataFrame, seqs: pd.Series) -> list[datetime]:
    """The row's `timestamp` where given (ISO 8601; no zone is UTC), else a synthetic time: sessions
    of SESSION_SIZE attempts a day, 90 s apart, at a time of day fixed per student."""
    minute = {
        u: int(hashlib.sha1(u.encode()).hexdigest()[:6], 16) % (24 * 60) for u in frame["user_id"].unique()
    }
    synthetic = (
        pd.Timestamp(SYNTHETIC_START)
        + pd.to_timedelta(seqs // SESSION_SIZE, unit="D")
        + pd.to_timedelta(frame["user_id"].map(minute), unit="m")
        + pd.to_timedelta(90 * (seqs % SESSION_SIZE), unit="s")
    )
    if "timestamp" in frame:
        given = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
        synthetic = given.where(given.notna(), synthetic)
    return [at.replace(tzinfo=UTC) for at in synthetic.dt.tz_convert("UTC").dt.to_pydatetime()]


def lanes(items: list[AttemptIn], size: int, count: int) -> list[list[list[AttemptIn]]]:
    """Split attempts into `count` lanes by user, each a list of batches in the file's order.

    A student's attempts all fall in one lane, so lanes can be written concurrently while each
    student's review state is still updated in time order.
    """
    by_lane: list[list[AttemptIn]] = [[] for _ in range(count)]
    lane_of: dict[str, int] = {}  # hashed once per user, not per row (2.5 s of ASSISTments' preparation)
    for item in items:
        lane = lane_of.get(item.user_id)
        if lane is None:
            digest = hashlib.sha1(item.user_id.encode()).hexdigest()
            lane = lane_of[item.user_id] = int(digest[:8], 16) % count
        by_lane[lane].append(item)
    return [[rows[i : i + size] for i in range(0, len(rows), size)] for rows in by_lane]


async def import_history(
    *,
    db: Graph,
    path: Path,
    prefix: str,
    name: str,
    progress_file: Path,
    batch_size: int = 2000,  # bulk: a transaction's fixed cost shared by more attempts than the API's 500
    concurrency: int = 3,
    author: str = "import",
    on_batch: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import one CSV: its content (when missing), then its attempts in batches, resumably."""
    started = datetime.now(UTC)
    frame = read_csv(path)
    content = await _ensure_content(db, frame, prefix=prefix, name=name, author=author)
    layout = f"{batch_size}x{concurrency}"
    done = _load_progress(progress_file, path, layout)
    items = attempts(frame, prefix=prefix)

    def saved(written: WriteTotals) -> None:
        _save_progress(progress_file, path, layout, done)
        if on_batch:
            on_batch(written.rows, len(items))

    written = await write_attempts(
        db=db, items=items, batch_size=batch_size, concurrency=concurrency, done=done, on_batch=saved
    )
    seconds = (datetime.now(UTC) - started).total_seconds()
    return ImportReport(
        len(items), written.created, written.duplicates, written.skipped, content, seconds, written.retries
    )


@dataclass
class WriteTotals:
    """What `write_attempts` has written so far, told to `on_batch` after each batch."""

    rows: int = 0  # rows of the batches seen so far, skipped ones included
    created: int = 0
    duplicates: int = 0
    skipped: int = 0  # batches in `done` already
    retries: dict[str, int] = field(default_factory=dict)  # transactions retried, by reason


async def write_attempts(
    *,
    db: Graph,
    items: list[AttemptIn],
    batch_size: int = 2000,
    concurrency: int = 3,
    done: set[str] | None = None,
    on_batch: Callable[[WriteTotals], None] | None = None,
) -> WriteTotals:
    """Write attempts through `record_attempts` in `concurrency` lanes of batches (`lanes`). The key
    (`lane:batch`) of each batch written is added to `done`, and a batch already in it is skipped."""
    done = set() if done is None else done
    scheduler = make_scheduler()
    written = WriteTotals()

    async def run_lane(number: int, lane: list[list[AttemptIn]]) -> None:
        for index, batch in enumerate(lane):
            key = f"{number}:{index}"
            written.rows += len(batch)
            if key in done:
                written.skipped += 1
                continue
            result = await record_attempts(db=db, attempts=batch, now=datetime.now(UTC), scheduler=scheduler)
            written.created += result.created
            written.duplicates += result.duplicates
            done.add(key)
            if on_batch:
                on_batch(written)

    tally = retries.Tally()
    with retries.counted(tally):  # concurrent lanes may deadlock and be retried: counted, not logged
        await asyncio.gather(
            *(run_lane(n, lane) for n, lane in enumerate(lanes(items, batch_size, concurrency)))
        )
    written.retries = tally.by_reason
    return written


async def _ensure_content(
    db: Graph, frame: pd.DataFrame, *, prefix: str, name: str, author: str
) -> dict[str, Any]:
    """Create the file's skills, items and units unless its questions are already in the graph."""
    wanted = sorted({f"{prefix}{item}" for item in frame["item_id"]})
    existing = set((await db.read("questions_existing", question_ids=wanted))[0]["ids"])
    if len(existing) == len(wanted):
        return {"questions": "all present"}
    if existing:
        missing = [q for q in wanted if q not in existing]
        raise Invalid(
            f"{len(missing)} of the file's questions are missing while others exist; use another --prefix",
            [{"field": "item_id", "message": f"unknown question {q!r}"} for q in missing[:20]],
        )
    result = await import_content(
        db=db, document=content_document(frame, prefix=prefix, name=name), author=author
    )
    return result.model_dump()


def _load_progress(progress_file: Path, path: Path, layout: str) -> set[str]:
    try:
        saved = json.loads(progress_file.read_text())
    except (FileNotFoundError, ValueError):
        return set()
    same = saved.get("file") == str(path.resolve()) and saved.get("layout") == layout
    return set(saved["batches"]) if same else set()


def _save_progress(progress_file: Path, path: Path, layout: str, done: set[str]) -> None:
    progress_file.parent.mkdir(parents=True, exist_ok=True)
    progress_file.write_text(
        json.dumps({"file": str(path.resolve()), "layout": layout, "batches": sorted(done)})
    )
