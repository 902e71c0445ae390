"""The warning ladder for unmet takedown targets (Indonesia's SAMAN): pure rules, no I/O.

A target still PENDING after its deadline earns a first warning (ST1); if it stays pending,
a second (ST2, which in SAMAN comes with an administrative fine) and a third (ST3, access
blocking), each a configurable period after the one before. Sources and the reasoning behind
the defaults: docs/orders.md.

- Only a PENDING target climbs: acknowledged (REMOVED, NOT_FOUND, DISPUTED) or WITHDRAWN ones,
  and those of a withdrawn order, earn nothing more; notices already issued stay.
- ST1 is due once the target is overdue: strictly after its deadline, as `overdue` says.
- ST2 (ST3) is due strictly after ST1 (ST2) was issued plus `st2_after` (`st3_after`), and never
  before the deadline: a dispute upheld gives the target a new deadline, which the ladder
  respects before it climbs further.
- One level per step: a target that missed several periods (the schedule did not run) gets the
  next level now and the one after only a full period later, so each notice gives the platform
  the same time to act.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from saring.domain.errors import BadUserInputError

if TYPE_CHECKING:  # only for annotations: orders imports this module
    from saring.domain.orders import TakedownTarget
    from saring.settings import Settings


class NoticeLevel(StrEnum):
    ST1 = "ST1"  # Surat Teguran 1: first written warning
    ST2 = "ST2"  # Surat Teguran 2: second warning, administrative fine
    ST3 = "ST3"  # Surat Teguran 3: third warning, access blocking


LEVELS = (NoticeLevel.ST1, NoticeLevel.ST2, NoticeLevel.ST3)


@dataclass(frozen=True, slots=True)
class ComplianceNotice:
    level: NoticeLevel
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class NoticeLadder:
    """How long after one notice the next is due."""

    st2_after: timedelta = timedelta(hours=24)
    st3_after: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.st2_after <= timedelta(0) or self.st3_after <= timedelta(0):
            raise BadUserInputError("notice periods must be positive")

    @classmethod
    def from_settings(cls, settings: Settings) -> NoticeLadder:
        return cls(st2_after=settings.notice_st2_after, st3_after=settings.notice_st3_after)

    def period_before(self, level: NoticeLevel) -> timedelta:
        """The wait after the previous level (ST1 has none: it follows the deadline)."""
        if level is NoticeLevel.ST2:
            return self.st2_after
        if level is NoticeLevel.ST3:
            return self.st3_after
        return timedelta(0)


def highest(notices: Iterable[ComplianceNotice]) -> ComplianceNotice | None:
    """The notice of the highest level (the last one issued)."""
    found = None
    for notice in notices:
        if found is None or LEVELS.index(notice.level) > LEVELS.index(found.level):
            found = notice
    return found


def next_level(notices: Iterable[ComplianceNotice]) -> NoticeLevel | None:
    """The level after the highest one issued; None after ST3."""
    top = highest(notices)
    if top is None:
        return NoticeLevel.ST1
    position = LEVELS.index(top.level) + 1
    return LEVELS[position] if position < len(LEVELS) else None


def next_notice(target: TakedownTarget, ladder: NoticeLadder) -> tuple[NoticeLevel, datetime] | None:
    """(the next level, the instant after which it is due), or None when the target can earn
    no further notice."""
    from saring.domain.orders import TargetState

    if target.state is not TargetState.PENDING or target.order_withdrawn:
        return None
    level = next_level(target.notices)
    if level is None:
        return None
    top = highest(target.notices)
    if top is None:
        return level, target.deadline
    return level, max(target.deadline, top.issued_at + ladder.period_before(level))


def notice_due(target: TakedownTarget, now: datetime, ladder: NoticeLadder) -> NoticeLevel | None:
    """The level to issue for this target at `now`, or None."""
    upcoming = next_notice(target, ladder)
    if upcoming is None:
        return None
    level, due = upcoming
    return level if now > due else None


def count_by_level(targets: Iterable[TakedownTarget]) -> dict[NoticeLevel, int]:
    counts = dict.fromkeys(LEVELS, 0)
    for target in targets:
        for notice in target.notices:
            counts[notice.level] += 1
    return counts
