"""Transparency use cases: a platform's enforcement actions in a period, as statements of
reasons and as a report. Run by operators through the CLI (`saring export statements`,
`saring report transparency`), never by the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from saring.domain.appeals import outcomes
from saring.domain.errors import BadUserInputError
from saring.domain.statements import EnforcementAction, enforcement_actions, statement_of_reasons
from saring.domain.transparency import TransparencyReport, transparency_report
from saring.ports import AppealBook, Clock, EnforcementLog
from saring.settings import Settings


@dataclass
class TransparencyService:
    log: EnforcementLog
    appeals: AppealBook
    clock: Clock
    settings: Settings

    def _window(self, platform: str, since: datetime, until: datetime) -> None:
        if platform not in self.settings.known_platforms:
            raise BadUserInputError(f"{platform!r} is not a known platform", field="platform")
        for name, moment in (("since", since), ("until", until)):
            if moment.tzinfo is None:
                raise BadUserInputError(f"{name} must be a date-time with an offset", field=name)
        if since >= until:
            raise BadUserInputError("since must be before until", field="since")

    def actions(self, platform: str, since: datetime, until: datetime) -> list[EnforcementAction]:
        self._window(platform, since, until)
        return enforcement_actions(
            self.log.removed_targets(platform, since, until),
            self.log.recorded_strikes(platform, since, until),
        )

    def statements(self, platform: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
        return [statement_of_reasons(a) for a in self.actions(platform, since, until)]

    def report(self, platform: str, since: datetime, until: datetime) -> TransparencyReport:
        actions = self.actions(platform, since, until)
        now = self.clock.now()
        return transparency_report(
            platform,
            since,
            until,
            now,
            actions,
            self.log.notices_by_level(platform, since, until),
            outcomes(self.appeals.filed(platform, since, until), now, self.settings.appeal_overdue),
        )
