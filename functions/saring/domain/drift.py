"""Drift of the flagged share: how far a platform's last complete day moved from its week.

For a platform and a day D (a calendar day in Indonesia's western time, WIB, UTC+7, where the
marketplaces' traffic has its nightly low):

    share(D)      = flagged(D) / judged(D)
    week_share(D) = (flagged(D-7) + ... + flagged(D-1)) / (judged(D-7) + ... + judged(D-1))
    drift(D)      = share(D) / week_share(D)

The week is pooled (its sums divided), not the mean of seven daily shares: every verdict
weighs the same, so a quiet Sunday cannot move the baseline as much as a busy Monday. A day
with no counts at all counts as zero verdicts. drift is 1 when nothing changed; the alarm fires
above the factor or below its inverse.

No figure is given (`Drift.ratio` None, with the reason) when it would be noise or undefined:
- the day has fewer than `minimum_verdicts` verdicts: a share of a few hundred verdicts moves by
  a factor of 2 by chance alone (at a 1 % share, 200 verdicts expect 2 flagged);
- the week has fewer than `minimum_verdicts` verdicts: the baseline itself would be that noise;
- the week has no flagged verdict: its share is 0, and any flagged verdict today is an infinite
  ratio (a day with none, 0/0). Nothing can be said about a factor from a baseline of nothing.
A day with verdicts but none flagged, after a week with some, is a ratio of 0: the model
stopped flagging, which is drift the alarm should report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone

# Indonesia's western time (Jakarta), which keeps no daylight saving: a fixed offset is exact.
WIB = timezone(timedelta(hours=7), "WIB")
WEEK_DAYS = 7
DEFAULT_MINIMUM_VERDICTS = 1000


@dataclass(frozen=True, slots=True)
class DayCounts:
    flagged: int = 0
    judged: int = 0


@dataclass(frozen=True, slots=True)
class Drift:
    platform: str
    day: date  # the WIB day judged
    flagged: int
    judged: int
    week_flagged: int
    week_judged: int
    ratio: float | None  # None: no figure, `skipped` says why
    skipped: str | None = None

    @property
    def share(self) -> float | None:
        return self.flagged / self.judged if self.judged else None

    @property
    def week_share(self) -> float | None:
        return self.week_flagged / self.week_judged if self.week_judged else None


TOO_FEW_TODAY = "TOO_FEW_VERDICTS_ON_THE_DAY"
TOO_FEW_IN_WEEK = "TOO_FEW_VERDICTS_IN_THE_WEEK"
NONE_FLAGGED_IN_WEEK = "NO_FLAGGED_VERDICT_IN_THE_WEEK"


def last_complete_day(now: datetime) -> date:
    """The WIB day that ended most recently before `now` (timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(WIB).date() - timedelta(days=1)


def day_start(day: date) -> datetime:
    """The instant a WIB day begins."""
    return datetime.combine(day, time(), WIB)


def days_read(day: date) -> list[date]:
    """The days whose counts judge `day`: its trailing week, then the day itself."""
    return [day - timedelta(days=n) for n in range(WEEK_DAYS, -1, -1)]


def drift(
    platform: str,
    day: date,
    counts: Mapping[date, DayCounts],
    minimum_verdicts: int = DEFAULT_MINIMUM_VERDICTS,
) -> Drift:
    if minimum_verdicts < 1:
        raise ValueError("minimum_verdicts must be at least 1")
    today = counts.get(day, DayCounts())
    week = [counts.get(day - timedelta(days=n), DayCounts()) for n in range(1, WEEK_DAYS + 1)]
    for one in (today, *week):
        if one.flagged < 0 or one.judged < 0 or one.flagged > one.judged:
            raise ValueError(f"counts of {platform} are not 0 <= flagged <= judged: {one}")
    week_flagged = sum(one.flagged for one in week)
    week_judged = sum(one.judged for one in week)
    figures = Drift(platform, day, today.flagged, today.judged, week_flagged, week_judged, None)
    if today.judged < minimum_verdicts:
        return replace(figures, skipped=TOO_FEW_TODAY)
    if week_judged < minimum_verdicts:
        return replace(figures, skipped=TOO_FEW_IN_WEEK)
    if week_flagged == 0:
        return replace(figures, skipped=NONE_FLAGGED_IN_WEEK)
    # Cross-multiplied: one division, so equal shares give exactly 1.0.
    return replace(figures, ratio=(today.flagged * week_judged) / (today.judged * week_flagged))

