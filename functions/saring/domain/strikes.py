"""Strikes and the escalation policy: pure data and pure functions, no I/O.

A strike is an append-only fact about a seller. Revocation and expiry are data on the strike,
never deletions (Bluesky Ozone's shape: events, with a projection that counts them).

Expiry boundary: a strike is active on the half-open interval ``[created_at, expires_at)``.
At ``now == expires_at`` it has expired (``is_expired`` is ``now >= expires_at``), so a strike
recorded at 09:00 with a 365-day expiry counts at 08:59:59.999999 on day 365 and not at 09:00.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from saring.domain.errors import BadUserInputError
from saring.domain.pages import CursorPage

# Standing, SellerStanding and BlockedElsewhere live in saring.domain.standing, shared with the
# verdict policy; they are re-exported here so there is exactly one class of each.
from saring.domain.standing import BlockedElsewhere, SellerStanding, Standing

__all__ = [
    "BlockedElsewhere",
    "SellerStanding",
    "Standing",
    "Strike",
    "StrikeDraft",
    "StrikePage",
    "StrikePolicy",
    "StrikeReceipt",
    "StrikeSource",
]

if TYPE_CHECKING:  # Settings is only a source of numbers here; no runtime dependency needed
    from saring.settings import Settings


class StrikeSource(StrEnum):
    REGULATOR_ORDER = "REGULATOR_ORDER"  # a takedown target acknowledged REMOVED
    PLATFORM_REVIEW = "PLATFORM_REVIEW"  # a violation the platform confirmed by its own review


@dataclass(frozen=True, slots=True)
class Strike:
    id: str
    platform: str
    seller_id: str
    source: StrikeSource
    idempotency_key: str  # the platform's idempotencyKey, or the order target's id
    recorded_by: str  # actor, e.g. "platform:shopee" or "regulator-order:<reference>"
    created_at: datetime
    expires_at: datetime
    listing_id: str | None = None
    order_reference: str | None = None
    target_id: str | None = None
    note: str | None = None
    revoked_at: datetime | None = None
    revoke_reason: str | None = None
    revoked_by: str | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def is_active(self, now: datetime) -> bool:
        return not self.revoked and not is_expired(self.expires_at, now)


def is_expired(expires_at: datetime, now: datetime) -> bool:
    """Expired from the exact instant ``expires_at`` on (half-open interval, see module doc)."""
    return now >= expires_at


def active_strikes(strikes: Iterable[Strike], now: datetime) -> list[Strike]:
    return [strike for strike in strikes if strike.is_active(now)]


def count_unexpired(expiries: Iterable[datetime], now: datetime) -> int:
    """Active count from the expiries of non-revoked strikes (what a summary item stores)."""
    return sum(1 for expires_at in expiries if not is_expired(expires_at, now))


@dataclass(frozen=True, slots=True)
class StrikePolicy:
    warned_at: int = 1
    restricted_at: int = 2
    blocked_at: int = 3
    expiry: timedelta = timedelta(days=365)

    def __post_init__(self) -> None:
        if not 1 <= self.warned_at <= self.restricted_at <= self.blocked_at:
            raise BadUserInputError(
                "strike thresholds must satisfy 1 <= warned_at <= restricted_at <= blocked_at"
            )
        if self.expiry <= timedelta(0):
            raise BadUserInputError("strike expiry must be positive")

    @classmethod
    def from_settings(cls, settings: Settings) -> StrikePolicy:
        return cls(
            warned_at=settings.warned_at,
            restricted_at=settings.restricted_at,
            blocked_at=settings.blocked_at,
            expiry=settings.strike_expiry,
        )

    def standing_for(self, active_count: int) -> Standing:
        if active_count >= self.blocked_at:
            return Standing.BLOCKED
        if active_count >= self.restricted_at:
            return Standing.RESTRICTED
        if active_count >= self.warned_at:
            return Standing.WARNED
        return Standing.GOOD

    def expires_at(self, created_at: datetime) -> datetime:
        return created_at + self.expiry

    def standing(self, strikes: Iterable[Strike], now: datetime) -> Standing:
        return self.standing_for(len(active_strikes(strikes, now)))

    def is_blocked(self, expiries: Iterable[datetime], now: datetime) -> bool:
        return count_unexpired(expiries, now) >= self.blocked_at


def standing_of(strikes: Iterable[Strike], now: datetime, policy: StrikePolicy) -> Standing:
    return policy.standing(strikes, now)


def blocked_since(
    strikes: Iterable[tuple[datetime, datetime]], now: datetime, policy: StrikePolicy
) -> datetime | None:
    """When a seller became BLOCKED, from its non-revoked strikes as (recorded_at, expires_at):
    the recording of the `blocked_at`-th oldest strike still active at ``now``; None when the
    seller is not blocked."""
    recorded = sorted(at for at, expires_at in strikes if not is_expired(expires_at, now))
    if len(recorded) < policy.blocked_at:
        return None
    return recorded[policy.blocked_at - 1]


@dataclass(frozen=True, slots=True)
class StrikePage(CursorPage[Strike]):
    pass


@dataclass(frozen=True, slots=True)
class Seller:
    """A seller as the ledger reports it: a projection of its strikes, at one moment."""

    platform: str
    seller_id: str
    standing: Standing
    active_strikes: int
    total_strikes: int = 0
    revoked_strikes: int = 0
    blocked_elsewhere: BlockedElsewhere | None = None
    linked_identities: int = 0  # how many fingerprints are linked; never which
    strike_page: StrikePage | None = None  # the first page, when read together with the seller

    @property
    def identity_blocked_elsewhere(self) -> bool:
        return self.blocked_elsewhere is not None


@dataclass(frozen=True, slots=True)
class StrikeReceipt:
    """The result of recording a strike; ``replayed`` when an idempotent retry returned it."""

    strike: Strike
    seller: Seller
    replayed: bool = False


def seller_from_expiries(
    platform: str,
    seller_id: str,
    own_expiries: Iterable[datetime],
    now: datetime,
    policy: StrikePolicy,
    *,
    blocked_elsewhere: BlockedElsewhere | None = None,
    total: int = 0,
    revoked: int = 0,
    linked_identities: int = 0,
) -> Seller:
    active = count_unexpired(own_expiries, now)
    return Seller(
        platform=platform,
        seller_id=seller_id,
        standing=policy.standing_for(active),
        active_strikes=active,
        total_strikes=total,
        revoked_strikes=revoked,
        blocked_elsewhere=blocked_elsewhere,
        linked_identities=linked_identities,
    )


def expiry_map(strikes: Mapping[str, datetime], now: datetime) -> dict[str, datetime]:
    """The unexpired entries of a strike_id -> expires_at map (expired ones can never return)."""
    return {sid: exp for sid, exp in strikes.items() if not is_expired(exp, now)}


@dataclass(frozen=True, slots=True)
class StrikeDraft:
    """A strike to record; the ledger gives it an id and its times. Equal drafts are retries."""

    platform: str
    seller_id: str
    source: StrikeSource
    idempotency_key: str
    recorded_by: str
    listing_id: str | None = None
    order_reference: str | None = None
    target_id: str | None = None
    note: str | None = None

    def same_request(self, strike: Strike) -> bool:
        """Whether an earlier strike with this draft's key came from the same request."""
        return (
            strike.seller_id == self.seller_id
            and strike.source is self.source
            and strike.listing_id == self.listing_id
            and strike.order_reference == self.order_reference
            and strike.target_id == self.target_id
            and strike.note == self.note
        )

    def to_strike(self, strike_id: str, now: datetime, policy: StrikePolicy) -> Strike:
        return Strike(
            id=strike_id,
            platform=self.platform,
            seller_id=self.seller_id,
            source=self.source,
            idempotency_key=self.idempotency_key,
            recorded_by=self.recorded_by,
            created_at=now,
            expires_at=policy.expires_at(now),
            listing_id=self.listing_id,
            order_reference=self.order_reference,
            target_id=self.target_id,
            note=self.note,
        )
