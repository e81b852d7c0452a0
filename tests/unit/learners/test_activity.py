from datetime import UTC, date, datetime

from learner_graph.learners.activity import Day, SetGoal, daily_goal, goal_base, practice_days, streak


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_days_follow_the_learners_time_zone() -> None:
    # 23:30 and 00:30 UTC are one day apart in UTC but the same evening in New York.
    events = [(at("2026-03-01T23:30:00+00:00"), 60_000), (at("2026-03-02T00:30:00+00:00"), 120_000)]
    assert [d.day for d in practice_days(events, "UTC")] == [date(2026, 3, 1), date(2026, 3, 2)]
    ny = practice_days(events, "America/New_York")
    assert ny == [Day(date(2026, 3, 1), 2, 3.0)]


def test_streak_is_alive_until_a_full_day_is_missed() -> None:
    days = [Day(date(2026, 3, d), 5, 4.0) for d in (1, 2, 3, 5, 6)]
    on_day_6 = streak(days, at("2026-03-06T20:00:00+00:00"), "UTC")
    assert (on_day_6.current, on_day_6.longest) == (2, 3)
    next_morning = streak(days, at("2026-03-07T08:00:00+00:00"), "UTC")
    assert next_morning.current == 2 and next_morning.today.questions == 0
    missed = streak(days, at("2026-03-08T08:00:00+00:00"), "UTC")
    assert missed.current == 0 and missed.longest == 3


def test_daily_goal_is_the_recent_median_within_bounds() -> None:
    days = [Day(date(2026, 3, d), q, 1.0) for d, q in ((1, 8), (2, 12), (3, 20), (4, 100))]
    assert daily_goal(days, date(2026, 3, 4)) == 12  # today's 100 does not count yet
    assert daily_goal([], date(2026, 3, 4)) == 10
    assert daily_goal([Day(date(2026, 3, 1), 1, 1.0)], date(2026, 3, 4)) == 5
    assert daily_goal(days, date(2026, 3, 4), scale=1.5) == 18


def test_a_goal_set_for_a_day_holds_for_that_day() -> None:
    today = date(2026, 3, 4)
    # Set at 10 for a newcomer; answers later sent with yesterday's time would make it 5.
    fixed = SetGoal(today, goal_base([], today))
    backdated = [Day(date(2026, 3, 3), 4, 2.0)]
    assert daily_goal(backdated, today) == 5
    assert daily_goal(backdated, today, fixed=fixed) == 10
    assert daily_goal(backdated, today, scale=1.5, fixed=fixed) == 15
    # The next day the goal is learned afresh.
    assert daily_goal(backdated, date(2026, 3, 5), fixed=fixed) == 5
