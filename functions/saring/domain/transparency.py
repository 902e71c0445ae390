"""A platform's transparency report for a period: pure figures from enforcement actions,
notices and appeals (no I/O; saring.transparency.report writes them out)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from saring.domain.appeals import AppealOutcomes
from saring.domain.orders import percentile
from saring.domain.statements import ActionKind, ActionSource, EnforcementAction

NOTICE_LEVELS = ("ST1", "ST2", "ST3")
# Buckets of the time from an order to a removal, in hours: [low, high).
REMOVAL_BUCKETS = ((0, 1), (1, 4), (4, 24), (24, 72), (72, None))


@dataclass(frozen=True, slots=True)
class RemovalTimes:
    count: int
    late: int
    median_hours: float | None
    p90_hours: float | None
    max_hours: float | None
    buckets: dict[str, int]  # "0-1h", "1-4h", … "72h+" → removals


@dataclass(frozen=True, slots=True)
class TransparencyReport:
    platform: str
    since: datetime
    until: datetime
    generated_at: datetime
    actions_by_source: dict[str, int]
    actions_by_kind: dict[str, int]
    actions_by_source_and_kind: dict[str, dict[str, int]]
    removal_times: RemovalTimes
    notices_by_level: dict[str, int]
    notices_recorded: bool  # False: no notice in the period (or none stored at all)
    appeals: AppealOutcomes

    def as_json(self) -> dict[str, Any]:
        document = asdict(self)
        for name in ("since", "until", "generated_at"):
            document[name] = getattr(self, name).isoformat()
        document["notes"] = {
            "actions_by_source.MODEL": "Saring does not store verdicts, so it knows of no action "
            "taken on the model's verdict alone; a platform that confirms a flagged listing "
            "records a PLATFORM_REVIEW strike.",
            "removal_times": "From the order's issue to the platform's REMOVED acknowledgement, "
            "over targets acknowledged REMOVED in the period.",
            "notices_by_level": "Warning-ladder notices on targets of orders issued in the period."
            + ("" if self.notices_recorded else " No notices recorded."),
            "appeals": "Appeals filed in the period, by how they stand at generated_at.",
        }
        return document

    def rows(self) -> list[tuple[str, str, str]]:
        """(section, key, value) rows, the CSV's content."""
        rows: list[tuple[str, str, str]] = [
            ("period", "platform", self.platform),
            ("period", "since", self.since.isoformat()),
            ("period", "until", self.until.isoformat()),
        ]
        rows += [("actions_by_source", k, str(v)) for k, v in self.actions_by_source.items()]
        rows += [("actions_by_kind", k, str(v)) for k, v in self.actions_by_kind.items()]
        for source, kinds in self.actions_by_source_and_kind.items():
            rows += [("actions_by_source_and_kind", f"{source}/{k}", str(v)) for k, v in kinds.items()]
        times = self.removal_times
        for name in ("count", "late", "median_hours", "p90_hours", "max_hours"):
            value = getattr(times, name)
            rows.append(("removal_times", name, "" if value is None else _number(value)))
        rows += [("removal_times", f"bucket {k}", str(v)) for k, v in times.buckets.items()]
        rows += [("notices_by_level", k, str(v)) for k, v in self.notices_by_level.items()]
        for name, value in asdict(self.appeals).items():
            rows.append(("appeals", name, "" if value is None else _number(value)))
        return rows


def _number(value: float | int) -> str:
    return str(value) if isinstance(value, int) else f"{value:.2f}"


def _bucket_name(low: int, high: int | None) -> str:
    return f"{low}h+" if high is None else f"{low}-{high}h"


def removal_times(actions: Iterable[EnforcementAction]) -> RemovalTimes:
    removals = [a for a in actions if a.kind is ActionKind.TARGET_REMOVED]
    hours = [h for a in removals if (h := a.hours_to_removal) is not None]
    buckets = {_bucket_name(low, high): 0 for low, high in REMOVAL_BUCKETS}
    for value in hours:
        for low, high in REMOVAL_BUCKETS:
            if value >= low and (high is None or value < high):
                buckets[_bucket_name(low, high)] += 1
                break
    return RemovalTimes(
        count=len(removals),
        late=sum(1 for a in removals if a.late),
        median_hours=statistics.median(hours) if hours else None,
        p90_hours=percentile(hours, 0.9),
        max_hours=max(hours) if hours else None,
        buckets=buckets,
    )


def transparency_report(
    platform: str,
    since: datetime,
    until: datetime,
    generated_at: datetime,
    actions: Iterable[EnforcementAction],
    notices: Mapping[str, int],
    appeals: AppealOutcomes,
) -> TransparencyReport:
    actions = list(actions)
    by_source = {source.value: 0 for source in ActionSource}
    by_kind = {kind.value: 0 for kind in ActionKind}
    both = {source.value: {kind.value: 0 for kind in ActionKind} for source in ActionSource}
    for action in actions:
        by_source[action.source.value] += 1
        by_kind[action.kind.value] += 1
        both[action.source.value][action.kind.value] += 1
    levels = {level: int(notices.get(level, 0)) for level in NOTICE_LEVELS}
    return TransparencyReport(
        platform=platform,
        since=since,
        until=until,
        generated_at=generated_at,
        actions_by_source=by_source,
        actions_by_kind=by_kind,
        actions_by_source_and_kind=both,
        removal_times=removal_times(actions),
        notices_by_level=levels,
        notices_recorded=any(levels.values()),
        appeals=appeals,
    )
