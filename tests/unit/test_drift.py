"""The drift of the flagged share (saring.domain.drift) and the job around it
(saring.service.drift), on in-memory counts: the definition, the days it reads, and the days
and weeks it says nothing about."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saring.domain.drift import (
    NONE_FLAGGED_IN_WEEK,
    TOO_FEW_IN_WEEK,
    TOO_FEW_TODAY,
    WIB,
    DayCounts,
    day_start,
    days_read,
    drift,
    last_complete_day,
)
from saring.ports import DriftMetrics
from saring.service.drift import DriftJob, drift_line
from tests.conftest import ManualClock

DAY = date(2026, 3, 10)


def week_of(flagged: int, judged: int, today: DayCounts) -> dict[date, DayCounts]:
    counts = {DAY - timedelta(days=n): DayCounts(flagged, judged) for n in range(1, 8)}
    counts[DAY] = today
    return counts


def test_the_ratio_is_the_days_share_over_the_pooled_weeks():
    counts = week_of(10, 1000, DayCounts(40, 2000))  # 1 % for a week, then 2 %
    figures = drift("shopee", DAY, counts, minimum_verdicts=1000)
    assert (figures.week_flagged, figures.week_judged) == (70, 7000)
    assert figures.ratio == pytest.approx(2.0)
    assert figures.share == 0.02 and figures.week_share == 0.01 and figures.skipped is None


def test_the_week_is_pooled_not_a_mean_of_daily_shares():
    # 6 quiet days at 10 % and one busy day at 1 %: the mean of shares would be 8.7 %.
    counts = {DAY - timedelta(days=n): DayCounts(100, 1000) for n in range(2, 8)}
    counts[DAY - timedelta(days=1)] = DayCounts(1000, 100_000)
    counts[DAY] = DayCounts(100, 1000)
    figures = drift("shopee", DAY, counts, minimum_verdicts=1000)
    assert figures.week_share == pytest.approx(1600 / 106_000)
    assert figures.ratio == pytest.approx(0.1 / (1600 / 106_000))


def test_days_outside_the_week_do_not_count():
    counts = week_of(10, 1000, DayCounts(10, 1000))
    counts[DAY - timedelta(days=8)] = DayCounts(1000, 1000)
    counts[DAY + timedelta(days=1)] = DayCounts(1000, 1000)
    assert drift("shopee", DAY, counts, minimum_verdicts=1000).ratio == 1.0


def test_a_missing_day_of_the_week_counts_as_no_verdicts():
    counts = week_of(10, 1000, DayCounts(20, 1000))
    del counts[DAY - timedelta(days=3)]
    figures = drift("shopee", DAY, counts, minimum_verdicts=1000)
    assert figures.week_judged == 6000 and figures.ratio == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("week", "today", "reason"),
    [
        (DayCounts(10, 1000), DayCounts(9, 999), TOO_FEW_TODAY),
        (DayCounts(10, 142), DayCounts(10, 1000), TOO_FEW_IN_WEEK),  # 994 in the week
        (DayCounts(0, 5000), DayCounts(50, 5000), NONE_FLAGGED_IN_WEEK),
        (DayCounts(0, 5000), DayCounts(0, 5000), NONE_FLAGGED_IN_WEEK),
        (DayCounts(0, 0), DayCounts(0, 0), TOO_FEW_TODAY),
    ],
)
def test_no_figure_where_it_would_be_noise_or_undefined(week, today, reason):
    figures = drift("shopee", DAY, week_of(week.flagged, week.judged, today), minimum_verdicts=1000)
    assert figures.ratio is None and figures.skipped == reason


def test_exactly_the_minimum_is_enough():
    figures = drift("shopee", DAY, week_of(1, 143, DayCounts(10, 1000)), minimum_verdicts=1000)
    assert figures.week_judged == 1001 and figures.ratio is not None


def test_a_day_with_nothing_flagged_after_a_week_with_some_is_a_ratio_of_zero():
    assert drift("shopee", DAY, week_of(10, 1000, DayCounts(0, 1000)), 1000).ratio == 0.0


@pytest.mark.parametrize("bad", [DayCounts(5, 4), DayCounts(-1, 10), DayCounts(0, -1)])
def test_impossible_counts_are_refused(bad):
    with pytest.raises(ValueError, match="flagged <= judged"):
        drift("shopee", DAY, week_of(10, 1000, bad), 1000)


def test_the_minimum_is_at_least_one():
    with pytest.raises(ValueError):
        drift("shopee", DAY, {}, 0)


counts = st.integers(min_value=0, max_value=10**7).flatmap(
    lambda judged: st.builds(DayCounts, st.integers(0, judged), st.just(judged))
)


@given(week=st.lists(counts, min_size=7, max_size=7), today=counts, minimum=st.integers(1, 10**4))
def test_the_ratio_matches_its_definition_whenever_there_is_one(week, today, minimum):
    data = {DAY - timedelta(days=n + 1): one for n, one in enumerate(week)}
    data[DAY] = today
    figures = drift("p", DAY, data, minimum)
    week_flagged = sum(one.flagged for one in week)
    week_judged = sum(one.judged for one in week)
    defined = today.judged >= minimum and week_judged >= minimum and week_flagged > 0
    assert (figures.ratio is not None) == defined
    assert (figures.skipped is None) == defined
    if defined:
        expected = (today.flagged / today.judged) / (week_flagged / week_judged)
        assert figures.ratio == pytest.approx(expected, rel=1e-12)
        assert figures.ratio >= 0


@given(week=st.lists(counts, min_size=7, max_size=7), today=counts, scale=st.integers(2, 50))
def test_scaling_every_count_alike_changes_nothing(week, today, scale):
    def scaled(one: DayCounts) -> DayCounts:
        return DayCounts(one.flagged * scale, one.judged * scale)

    data = {DAY - timedelta(days=n + 1): one for n, one in enumerate(week)} | {DAY: today}
    plain = drift("p", DAY, data, 1)
    bigger = drift("p", DAY, {day: scaled(one) for day, one in data.items()}, 1)
    if plain.ratio is not None:
        assert bigger.ratio == pytest.approx(plain.ratio, rel=1e-12)


@given(flagged=st.integers(1, 10**6), judged=st.integers(10**6, 10**7))
def test_a_steady_share_is_no_drift(flagged, judged):
    data = {DAY - timedelta(days=n): DayCounts(flagged, judged) for n in range(8)}
    assert drift("p", DAY, data, 1).ratio == 1.0


# --- Days: WIB, the last complete one, the eight read ----------------------------------------


@pytest.mark.parametrize(
    ("now", "day"),
    [
        (datetime(2026, 3, 10, 16, 59, tzinfo=UTC), date(2026, 3, 9)),  # 23:59 WIB on the 10th
        (datetime(2026, 3, 10, 17, 0, tzinfo=UTC), date(2026, 3, 10)),  # 00:00 WIB on the 11th
        (datetime(2026, 3, 11, 0, 5, tzinfo=WIB), date(2026, 3, 10)),
    ],
)
def test_the_last_complete_day_is_a_wib_day(now, day):
    assert last_complete_day(now) == day


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        last_complete_day(datetime(2026, 3, 10))


def test_the_days_read_are_the_week_then_the_day_and_begin_at_wib_midnight():
    days = days_read(DAY)
    assert days == [DAY - timedelta(days=n) for n in range(7, -1, -1)]
    assert day_start(days[0]) == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


# --- The job --------------------------------------------------------------------------------


class MemoryDriftMetrics(DriftMetrics):
    def __init__(self, counts: dict[str, list[DayCounts]]) -> None:
        self.counts = counts
        self.asked: list[tuple[tuple[str, ...], datetime, int]] = []
        self.put: list[tuple[dict[str, float], datetime]] = []

    def daily_counts(self, platforms, first_day, days):
        self.asked.append((tuple(platforms), first_day, days))
        return {platform: self.counts.get(platform, [DayCounts()] * days) for platform in platforms}

    def put_drift(self, ratios, at):
        self.put.append((dict(ratios), at))


def test_the_job_reads_eight_days_at_once_and_writes_only_the_figures_it_has():
    now = datetime(2026, 3, 11, 0, 10, tzinfo=WIB)
    metrics = MemoryDriftMetrics(
        {
            "shopee": [DayCounts(10, 1000)] * 7 + [DayCounts(30, 1000)],
            "tokopedia": [DayCounts(10, 1000)] * 7 + [DayCounts(5, 100)],
        }
    )
    job = DriftJob(metrics, ManualClock(now), ("shopee", "tokopedia", "lazada"), 1000)
    figures = job.run()
    assert metrics.asked == [(("shopee", "tokopedia", "lazada"), datetime(2026, 3, 3, tzinfo=WIB), 8)]
    assert [one.platform for one in figures] == ["shopee", "tokopedia", "lazada"]
    assert metrics.put == [({"shopee": pytest.approx(3.0)}, now)]
    lines = [drift_line(one) for one in figures]
    assert lines[0]["day"] == "2026-03-10" and lines[0]["drift"] == pytest.approx(3.0)
    assert lines[1]["skipped"] == TOO_FEW_TODAY and lines[1]["drift"] is None
    assert lines[2]["skipped"] == TOO_FEW_TODAY and lines[2]["share"] is None


def test_a_job_with_no_figure_writes_nothing():
    metrics = MemoryDriftMetrics({})
    DriftJob(metrics, ManualClock(), ("shopee",), 1000).run()
    assert metrics.put == []
