"""Use case: a platform reports what its reviewers decided about a listing.

The outcome is a training label, stored with the listing as the reviewer saw it; it records no
strike (that stays `recordViolation`). Its `source` says whether the listing reached review as
an audit sample: the service works it out again from the keyed hash and the verdict the listing
gets now (VerdictService.was_audit_sample), so a platform cannot mislabel it and needs no extra
field. Listing text and notes are never logged.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from saring.domain.audit import actor_of
from saring.domain.errors import BadUserInputError
from saring.domain.labels import LabelSource, ReviewOutcome, ReviewOutcomeKind, export_row
from saring.domain.listings import Listing, ListingLimits, validate_listings
from saring.domain.principals import Principal
from saring.ports import NO_METRICS, Clock, LabelStore, Metrics
from saring.service.ledger import MAX_TEXT_CHARS, _text
from saring.service.verdicts import VerdictService

logger = logging.getLogger(__name__)

OUTCOMES_METRIC = "ReviewOutcomes"


@dataclass
class LabelService:
    store: LabelStore
    verdicts: VerdictService
    clock: Clock
    limits: ListingLimits
    metrics: Metrics = NO_METRICS

    def report_review_outcome(
        self,
        principal: Principal,
        listing: Listing,
        outcome: ReviewOutcomeKind,
        idempotency_key: str,
        model_version: str | None = None,
        note: str | None = None,
    ) -> ReviewOutcome:
        """Platform only. A retry with the same key and content returns the first outcome;
        the same key with other content is a ConflictError."""
        platform = principal.require_platform()
        key = _text(idempotency_key, "idempotencyKey", required=True)
        version = _text(model_version, "modelVersion", required=False)
        note = _text(note, "note", required=False, limit=MAX_TEXT_CHARS)
        validate_listings([listing], self.limits)
        audit = self.verdicts.was_audit_sample(principal, listing)
        draft = ReviewOutcome(
            id=f"rvo_{uuid.uuid4().hex}",
            platform=platform,
            listing=listing,
            outcome=outcome,
            idempotency_key=key,  # type: ignore[arg-type]
            model_version=version,
            note=note,
            source=LabelSource.AUDIT_SAMPLE if audit else LabelSource.REVIEW,
            recorded_at=self.clock.now(),
            recorded_by=actor_of(principal),
        )
        receipt = self.store.record(draft)
        stored = receipt.outcome
        if not receipt.replayed:
            self.metrics.count(
                OUTCOMES_METRIC,
                1,
                {"platform": platform, "outcome": stored.outcome.value, "source": stored.source.value},
            )
        logger.info(
            "review outcome recorded",
            extra={
                "platform": platform,
                "outcome_id": stored.id,
                "outcome": stored.outcome.value,
                "source": stored.source.value,
                "replayed": receipt.replayed,
            },
        )
        return stored



# --- `saring labels export`: the operator's tool, no principal (it reads the store directly) ---


def export_platforms(platform: str | None, known: tuple[str, ...]) -> tuple[str, ...]:
    if platform is None:
        return known
    if platform not in known:
        raise BadUserInputError(
            f"unknown platform {platform!r} (SARING_PLATFORMS: {', '.join(known)})",
            field="platform",
        )
    return (platform,)


def parse_since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadUserInputError(
            f"--since must be an ISO 8601 time such as 2026-03-01T00:00:00Z, got {text!r}",
            field="since",
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def write_export(outcomes: Iterable[ReviewOutcome], out: TextIO) -> int:
    """One JSON line per outcome (domain.labels.EXPORT_KEYS, in that order); returns how many."""
    written = 0
    for outcome in outcomes:
        out.write(json.dumps(export_row(outcome), ensure_ascii=False) + "\n")
        written += 1
    return written
