"""Appeal use cases: who may file, decide and read appeals, against the AppealBook port.

- file_appeal: a platform, for its own sellers' strikes (of any source).
- decide_appeal: whoever caused the strike: the platform that recorded it by its own review,
  the agency whose order caused it. Anyone else is FORBIDDEN (as for revokeStrike).
- appeals: a platform reads its own sellers' appeals, a regulator any (as strikes).
- overdue_count: the platform's appeals of its own review strikes still OPEN after the period,
  for `compliance`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from saring.domain.appeals import (
    Appeal,
    AppealDecision,
    check_decision,
    check_draft,
    count_overdue,
    decided,
    decider_of,
    decode_appeal_id,
)
from saring.domain.audit import actor_of
from saring.domain.errors import (
    BadUserInputError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    SaringError,
)
from saring.domain.pages import page_size
from saring.domain.principals import Principal
from saring.domain.strikes import Strike
from saring.ports import AppealBook, AppealPage, Clock

logger = logging.getLogger(__name__)

DEFAULT_PAGE = 10
MAX_PAGE = 100


@dataclass
class AppealService:
    book: AppealBook
    clock: Clock
    overdue_after: timedelta
    known_platforms: tuple[str, ...]
    # The agency whose order holds a target (None: no such target): who decides order strikes.
    order_agency: Callable[[str], str | None] | None = None

    def _platform(self, platform: object) -> str:
        if not isinstance(platform, str) or platform not in self.known_platforms:
            raise BadUserInputError("unknown platform", field="platform")
        return platform

    def file_appeal(
        self,
        principal: Principal,
        platform: str,
        seller_id: str,
        strike_id: str,
        statement: str,
        idempotency_key: str,
    ) -> Appeal:
        principal.require_platform()
        principal.require_access_to_platform(self._platform(platform))
        draft = check_draft(
            platform, seller_id, strike_id, statement, idempotency_key, actor_of(principal)
        )
        first = self.book.by_key(draft.platform, draft.idempotency_key)
        if first is not None:  # a retry: the first appeal, whatever happened since
            if not draft.same_request(first):
                raise ConflictError(
                    "this idempotency key was already used for a different appeal",
                    field="idempotencyKey",
                )
            return first
        strike = self.book.strike(draft.platform, draft.seller_id, draft.strike_id)
        if strike is None:
            raise NotFoundError("no such strike of this seller", field="strikeId")
        if strike.revoked:
            raise ConflictError("the strike is already revoked", field="strikeId")
        decider = decider_of(strike, self.order_agency)
        if decider is None:
            raise SaringError("no one can decide an appeal of this strike: its order is gone")
        appeal = self.book.file(draft, strike, decider, self.clock.now())
        logger.info(
            "appeal filed",
            extra={"platform": appeal.platform, "appeal_id": appeal.id, "decider": appeal.decider},
        )
        return appeal

    def decide_appeal(
        self, principal: Principal, appeal_id: str, decision: AppealDecision | str, note: str
    ) -> Appeal:
        parsed_id = decode_appeal_id(appeal_id)
        if parsed_id is None:
            raise NotFoundError("no such appeal", field="appealId")
        principal.require_access_to_platform(parsed_id[0])  # before reading: nothing to probe
        appeal = self.book.appeal(appeal_id)
        if appeal is None:
            raise NotFoundError("no such appeal", field="appealId")
        actor = actor_of(principal)
        if actor != appeal.decider:
            raise ForbiddenError(
                "only the platform that recorded the strike, or the agency whose order caused "
                "it, decides its appeal"
            )
        parsed, note = check_decision(decision, note)
        after, changed = decided(appeal, parsed, note, self.clock.now(), actor)
        if not changed:  # a retry of the decision already made
            return appeal

        def may_revoke(strike: Strike) -> bool:
            return decider_of(strike, self.order_agency) == actor

        stored = self.book.decide(appeal, after, may_revoke=may_revoke)
        logger.info(
            "appeal decided",
            extra={"platform": stored.platform, "appeal_id": stored.id, "status": stored.status.value},
        )
        return stored

    def appeals(
        self,
        principal: Principal,
        platform: str,
        seller_id: str,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> AppealPage:
        principal.require_access_to_platform(self._platform(platform))
        return self.book.of_seller(platform, seller_id, page_size(first, MAX_PAGE), after)

    def overdue(self, appeal: Appeal) -> bool:
        return appeal.overdue(self.clock.now(), self.overdue_after)

    def overdue_count(self, platform: str, since: datetime, until: datetime) -> int:
        """Appeals filed on the platform in [since, until) that it must decide (its own review
        strikes) and that are still OPEN after the period. The caller checks permissions."""
        appeals = self.book.filed(self._platform(platform), since, until)
        return count_overdue(
            appeals, self.clock.now(), self.overdue_after, decider=f"platform:{platform}"
        )
