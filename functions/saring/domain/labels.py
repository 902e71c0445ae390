"""Review outcomes as training labels, and the audit sample of ALLOW verdicts.

A platform reviews what Saring flags and reports each outcome: that is a label. Flagged
listings alone would teach the model only about what it already catches, so a small, fixed
share of ALLOW verdicts is marked `auditSample` for the platform to review as well: the labels
from those are the only ones that can show what the model lets through.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from saring.domain.listings import Listing


class ReviewOutcomeKind(StrEnum):
    VIOLATION = "VIOLATION"
    NO_VIOLATION = "NO_VIOLATION"


class LabelSource(StrEnum):
    REVIEW = "REVIEW"  # a verdict of REVIEW or TAKEDOWN the platform reviewed
    AUDIT_SAMPLE = "AUDIT_SAMPLE"  # an ALLOW verdict picked for review by the audit sample


# The keyed hash is domain-separated from the identity fingerprints that share the secret: the
# same bytes never feed both.
_AUDIT_CONTEXT = b"saring:audit-sample:v1\x00"


def audit_draw(secret: bytes, platform: str, listing_id: str) -> float:
    """A number in [0, 1) fixed by the secret, the platform and the listing id: the same
    listing draws the same number on every call, and no caller can predict it without the
    secret (a seller cannot choose ids that dodge the sample)."""
    message = _AUDIT_CONTEXT + platform.encode() + b"\x00" + listing_id.encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def in_audit_sample(secret: bytes, platform: str, listing_id: str, rate: float) -> bool:
    """Whether the listing falls in the audit sample of this rate (ALLOW verdicts only: the
    caller checks the decision)."""
    if rate <= 0.0:
        return False
    return audit_draw(secret, platform, listing_id) < rate


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    """One reviewed listing, stored as the reviewer judged it."""

    id: str
    platform: str
    listing: Listing
    outcome: ReviewOutcomeKind
    idempotency_key: str
    model_version: str | None
    note: str | None
    source: LabelSource
    recorded_at: datetime
    recorded_by: str

    def same_request(self, other: ReviewOutcome) -> bool:
        """Whether `other` reports the same thing: a retry. The source is the service's own
        finding and may differ between attempts (the seller's standing moved), so it is not
        part of the request."""
        return (
            self.platform == other.platform
            and self.listing == other.listing
            and self.outcome is other.outcome
            and self.model_version == other.model_version
            and self.note == other.note
        )


@dataclass(frozen=True, slots=True)
class OutcomeReceipt:
    outcome: ReviewOutcome
    replayed: bool


def utc_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z and microseconds, fixed width: such strings sort as the times
    they name, which the store's `since` filter relies on."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The keys of one exported line, in this order; models/train.py --labels reads them.
EXPORT_KEYS = (
    "listingId",
    "sellerId",
    "title",
    "description",
    "priceIdr",
    "category",
    "url",
    "label",
    "platform",
    "recordedAt",
    "modelVersion",
    "source",
)


def export_row(outcome: ReviewOutcome) -> dict[str, Any]:
    """One line of `saring labels export`: the listing as reviewed and its label."""
    listing = outcome.listing
    return {
        "listingId": listing.listing_id,
        "sellerId": listing.seller_id,
        "title": listing.title,
        "description": listing.description,
        "priceIdr": listing.price_idr,
        "category": listing.category,
        "url": listing.url,
        "label": 1 if outcome.outcome is ReviewOutcomeKind.VIOLATION else 0,
        "platform": outcome.platform,
        "recordedAt": utc_timestamp(outcome.recorded_at),
        "modelVersion": outcome.model_version,
        "source": outcome.source.value,
    }
