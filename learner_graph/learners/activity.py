"""Practice days, streaks and the personalised daily goal, in the student's own time zone."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

GOAL_WINDOW_DAYS = 14  # the recent active days the daily goal is learned from
GOAL_MIN, GOAL_MAX, GOAL_DEFAULT = 5, 40, 10


@dataclass(frozen=True)
class Day:
    day: date
    questions: int
    minutes: float


@dataclass(frozen=True)
class Streak:
    current: int
    longest: int
    today: Day
    daily_goal: int
    goal_met: bool
    last_active: date | None
    recent_days: list[Day]


def practice_days(events: list[tuple[datetime, int]], timezone: str) -> list[Day]:
    """Group (time, milliseconds spent) events into local calendar days, oldest first."""
    zone = ZoneInfo(timezone)
    questions: Counter[date] = Counter()
    millis: Counter[date] = Counter()
    for at, time_ms in events:
        local = at.astimezone(zone).date()
        questions[local] += 1
        millis[local] += max(time_ms or 0, 0)
    return [Day(d, questions[d], round(millis[d] / 60000, 2)) for d in sorted(questions)]


@dataclass(frozen=True)
class SetGoal:
    """The goal base set for one local day (stored on the learner): a goal holds for its whole day."""

    day: date
    base: float


def goal_base(days: list[Day], today: date) -> float:
    """The median questions of the recent active days before today (the default for a newcomer)."""
    recent = [d.questions for d in days if d.day < today][-GOAL_WINDOW_DAYS:]
    return float(statistics.median(recent)) if recent else float(GOAL_DEFAULT)


def daily_goal(days: list[Day], today: date, scale: float = 1.0, fixed: SetGoal | None = None) -> int:
    """Questions per day to aim for: the median of the recent active days before today.

    A newcomer gets the default; the goal stays within [GOAL_MIN, GOAL_MAX] so it is always
    reachable in one sitting and never trivial. Once set for a day (`fixed`), it holds for that
    day: answers sent later with earlier times, or a changed time zone, do not move it.
    """
    base = fixed.base if fixed is not None and fixed.day == today else goal_base(days, today)
    return int(min(GOAL_MAX, max(GOAL_MIN, round(base * scale))))


def local_day(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def streak(
    days: list[Day], now: datetime, timezone: str, goal_scale: float = 1.0, fixed: SetGoal | None = None
) -> Streak:
    """Current streak (alive until the end of the day after the last active one) and longest."""
    today = local_day(now, timezone)
    active = {d.day for d in days if d.day <= today}
    longest = run = 0
    previous: date | None = None
    for day in sorted(active):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = 0
    cursor = today if today in active else today - timedelta(days=1)
    while cursor in active:
        current += 1
        cursor -= timedelta(days=1)
    todays = next((d for d in days if d.day == today), Day(today, 0, 0.0))
    goal = daily_goal(days, today, goal_scale, fixed)
    return Streak(
        current=current,
        longest=longest,
        today=todays,
        daily_goal=goal,
        goal_met=todays.questions >= goal,
        last_active=max(active) if active else None,
        recent_days=[d for d in days if d.day > today - timedelta(days=GOAL_WINDOW_DAYS)],
    )
