"""A seller's standing as verdicts see it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Standing(StrEnum):
    GOOD = "GOOD"
    WARNED = "WARNED"
    RESTRICTED = "RESTRICTED"
    BLOCKED = "BLOCKED"


@dataclass(frozen=True, slots=True)
class SellerStanding:
    platform: str
    seller_id: str
    standing: Standing = Standing.GOOD
    active_strikes: int = 0
    identity_blocked_elsewhere: bool = False
