"""Appeals of strikes: pure rules, no I/O.

A seller appeals a strike through its platform (`fileAppeal`). Whoever caused the strike decides
(`decideAppeal`): the platform for the strikes its own review recorded, the issuing agency for
strikes from its orders. UPHELD keeps the strike; REVOKED revokes it through the ledger's
revocation path. One appeal may be open per strike at a time; an appeal still open after the
configured period (`Settings.appeal_overdue`) is overdue.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from saring.domain.errors import BadUserInputError, ConflictError
from saring.domain.strikes import Strike, StrikeSource

MAX_STATEMENT_CHARS = 5_000
MAX_NOTE_CHARS = 2_000
MAX_KEY_CHARS = 128


class AppealStatus(StrEnum):
    OPEN = "OPEN"
    UPHELD = "UPHELD"  # the strike stands
    REVOKED = "REVOKED"  # the strike was revoked


class AppealDecision(StrEnum):
    UPHELD = "UPHELD"
    REVOKED = "REVOKED"


@dataclass(frozen=True, slots=True, kw_only=True)
class Appeal:
    id: str
    platform: str
    seller_id: str
    strike_id: str
    statement: str
    idempotency_key: str
    filed_by: str  # actor, "platform:<platform>"
    filed_at: datetime
    # Who decides, fixed when it is filed: "platform:<platform>" for a platform's review
    # strike, "regulator:<agency>" for a strike from that agency's order.
    decider: str
    strike_source: StrikeSource
    order_reference: str | None = None
    status: AppealStatus = AppealStatus.OPEN
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision_note: str | None = None

    def due_at(self, period: timedelta) -> datetime:
        return self.filed_at + period

    def overdue(self, now: datetime, period: timedelta) -> bool:
        """Still OPEN after the period; from the exact instant `filed_at + period` on."""
        return self.status is AppealStatus.OPEN and now >= self.due_at(period)


@dataclass(frozen=True, slots=True)
class AppealDraft:
    """An appeal as the platform files it, checked. Equal drafts are retries."""

    platform: str
    seller_id: str
    strike_id: str
    statement: str
    idempotency_key: str
    filed_by: str

    def same_request(self, appeal: Appeal) -> bool:
        return (
            appeal.platform == self.platform
            and appeal.seller_id == self.seller_id
            and appeal.strike_id == self.strike_id
            and appeal.statement == self.statement
        )

    def to_appeal(self, appeal_id: str, now: datetime, strike: Strike, decider: str) -> Appeal:
        return Appeal(
            id=appeal_id,
            platform=self.platform,
            seller_id=self.seller_id,
            strike_id=self.strike_id,
            statement=self.statement,
            idempotency_key=self.idempotency_key,
            filed_by=self.filed_by,
            filed_at=now,
            decider=decider,
            strike_source=strike.source,
            order_reference=strike.order_reference,
        )


def _text(value: object, field: str, limit: int, *, multiline: bool = False) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadUserInputError(f"{field} must not be empty", field=field)
    if len(value) > limit:
        raise BadUserInputError(f"{field} is longer than {limit} characters", field=field)
    allowed = {"\n", "\r", "\t"} if multiline else set()
    if any(ord(ch) < 32 and ch not in allowed for ch in value) or "\x7f" in value:
        raise BadUserInputError(f"{field} contains control characters", field=field)
    return value.strip() if multiline else value


def check_draft(
    platform: str, seller_id: str, strike_id: str, statement: str, idempotency_key: str, filed_by: str
) -> AppealDraft:
    """The filing's fields checked; BadUserInputError names the first bad one."""
    return AppealDraft(
        platform=_text(platform, "platform", MAX_KEY_CHARS),
        seller_id=_text(seller_id, "sellerId", MAX_KEY_CHARS),
        strike_id=_text(strike_id, "strikeId", MAX_KEY_CHARS),
        statement=_text(statement, "statement", MAX_STATEMENT_CHARS, multiline=True),
        idempotency_key=_text(idempotency_key, "idempotencyKey", MAX_KEY_CHARS),
        filed_by=filed_by,
    )


def check_decision(decision: AppealDecision | str, note: str) -> tuple[AppealDecision, str]:
    try:
        parsed = AppealDecision(decision)
    except ValueError:
        raise BadUserInputError("decision must be UPHELD or REVOKED", field="decision") from None
    return parsed, _text(note, "note", MAX_NOTE_CHARS, multiline=True)


def decider_of(strike: Strike, order_agency: Callable[[str], str | None] | None) -> str | None:
    """Who decides an appeal of this strike: the platform that recorded it by review, or the
    agency whose order caused it; None when no one can (an order no longer found)."""
    if strike.source is StrikeSource.PLATFORM_REVIEW:
        return strike.recorded_by
    if strike.target_id is None or order_agency is None:
        return None
    agency = order_agency(strike.target_id)
    return None if agency is None else f"regulator:{agency}"


def decided(
    appeal: Appeal, decision: AppealDecision, note: str, at: datetime, actor: str
) -> tuple[Appeal, bool]:
    """(the appeal after the decision, whether it changed). OPEN: decided now. Decided the same
    way with the same note: unchanged, so a retry is harmless. Decided otherwise: CONFLICT."""
    status = AppealStatus(decision.value)
    if appeal.status is AppealStatus.OPEN:
        return (
            replace(appeal, status=status, decided_at=at, decided_by=actor, decision_note=note),
            True,
        )
    if appeal.status is status and appeal.decision_note == note:
        return appeal, False
    raise ConflictError(
        f"the appeal was already decided: {appeal.status.value}",
        field="appealId",
        extensions={"appealId": appeal.id},
    )


def count_overdue(
    appeals: Iterable[Appeal], now: datetime, period: timedelta, decider: str | None = None
) -> int:
    """Overdue appeals (of this decider, if given)."""
    return sum(
        1
        for appeal in appeals
        if appeal.overdue(now, period) and (decider is None or appeal.decider == decider)
    )


@dataclass(frozen=True, slots=True)
class AppealOutcomes:
    """Appeals filed in a period, by how they stand now (the transparency report's figures)."""

    filed: int
    open: int
    overdue: int
    upheld: int
    revoked: int
    median_days_to_decision: float | None


def outcomes(appeals: Iterable[Appeal], now: datetime, period: timedelta) -> AppealOutcomes:
    appeals = list(appeals)
    days = sorted(
        (a.decided_at - a.filed_at).total_seconds() / 86_400
        for a in appeals
        if a.decided_at is not None
    )
    middle = len(days) // 2
    median = None
    if days:
        median = days[middle] if len(days) % 2 else (days[middle - 1] + days[middle]) / 2
    return AppealOutcomes(
        filed=len(appeals),
        open=sum(1 for a in appeals if a.status is AppealStatus.OPEN),
        overdue=count_overdue(appeals, now, period),
        upheld=sum(1 for a in appeals if a.status is AppealStatus.UPHELD),
        revoked=sum(1 for a in appeals if a.status is AppealStatus.REVOKED),
        median_days_to_decision=median,
    )


# --- Appeal ids ------------------------------------------------------------------------------
# An appeal lives with its seller's strikes, so its id carries the platform and seller: an
# opaque, URL-safe token around (platform, seller id, sequence). The sequence sorts by filing
# time (milliseconds, then 64 random bits), as strike ids do.


def new_sequence(now: datetime) -> str:
    return f"{int(now.timestamp() * 1000):012x}{secrets.token_hex(8)}"


def encode_appeal_id(platform: str, seller_id: str, sequence: str) -> str:
    raw = json.dumps([platform, seller_id, sequence], separators=(",", ":"), ensure_ascii=False)
    return "apl_" + base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_appeal_id(appeal_id: object) -> tuple[str, str, str] | None:
    """(platform, seller id, sequence), or None for anything this module did not make."""
    if not isinstance(appeal_id, str) or not appeal_id.startswith("apl_") or len(appeal_id) > 600:
        return None
    body = appeal_id[4:]
    try:
        parts = json.loads(base64.urlsafe_b64decode((body + "=" * (-len(body) % 4)).encode()))
    except (binascii.Error, ValueError, UnicodeError):
        return None
    if (
        not isinstance(parts, list)
        or len(parts) != 3
        or not all(isinstance(p, str) and p for p in parts)
        or len(parts[2]) != 28
        or any(c not in "0123456789abcdef" for c in parts[2])
    ):
        return None
    return parts[0], parts[1], parts[2]
