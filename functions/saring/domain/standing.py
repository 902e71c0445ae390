"""A seller's standing as verdicts see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Standing(StrEnum):
    GOOD = "GOOD"
    WARNED = "WARNED"
    RESTRICTED = "RESTRICTED"
    BLOCKED = "BLOCKED"


@dataclass(frozen=True, slots=True)
class BlockedElsewhere:
    """Sellers on other platforms that share a phone or NIK with this one are blocked: on how
    many platforms, and since when (the earliest). Never which platform or seller."""

    platforms: int
    since: datetime


@dataclass(frozen=True, slots=True)
class SellerStanding:
    platform: str
    seller_id: str
    standing: Standing = Standing.GOOD
    active_strikes: int = 0
    blocked_elsewhere: BlockedElsewhere | None = None

    @property
    def identity_blocked_elsewhere(self) -> bool:
        return self.blocked_elsewhere is not None
