"""The drift job: read each platform's last 8 WIB days of verdict counts, compute the drift of
its last complete day (saring.domain.drift) and write the figures that have one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from saring.domain.drift import Drift, day_start, days_read, drift, last_complete_day
from saring.ports import Clock, DriftMetrics

DRIFT_METRIC = "FlaggedShareDrift"


@dataclass(frozen=True)
class DriftJob:
    metrics: DriftMetrics
    clock: Clock
    platforms: Sequence[str]
    minimum_verdicts: int

    def run(self) -> list[Drift]:
        now = self.clock.now()
        day = last_complete_day(now)
        days = days_read(day)
        counts = self.metrics.daily_counts(self.platforms, day_start(days[0]), len(days))
        figures = [
            drift(platform, day, dict(zip(days, counts[platform], strict=True)), self.minimum_verdicts)
            for platform in self.platforms
        ]
        ratios = {one.platform: one.ratio for one in figures if one.ratio is not None}
        if ratios:
            self.metrics.put_drift(ratios, now)
        return figures


def drift_line(figures: Drift) -> dict[str, object]:
    """One platform's figures as `saring drift run` prints them and the handler logs them."""
    return {
        "platform": figures.platform,
        "day": figures.day.isoformat(),
        "flagged": figures.flagged,
        "judged": figures.judged,
        "share": figures.share,
        "weekFlagged": figures.week_flagged,
        "weekJudged": figures.week_judged,
        "weekShare": figures.week_share,
        "drift": figures.ratio,
        "skipped": figures.skipped,
    }
