"""Review outcomes over GraphQL: a platform reports what its reviewers decided (issue 15)."""

from datetime import datetime
from typing import Self

import strawberry
from strawberry.types import Info

from saring.api.context import RequestContext
from saring.api.types import ListingInput
from saring.domain import labels

ReviewOutcomeKind = strawberry.enum(labels.ReviewOutcomeKind, name="ReviewOutcomeKind")


@strawberry.input(description="What a platform's reviewer decided about one listing.")
class ReviewOutcomeInput:
    listing: ListingInput = strawberry.field(
        description="The listing as the reviewer judged it; stored as sent, for retraining."
    )
    outcome: ReviewOutcomeKind
    idempotency_key: str = strawberry.field(
        description="The platform's own key for this outcome: a retry with it changes nothing."
    )
    model_version: str | None = strawberry.field(
        default=None, description="The modelVersion of the verdict the reviewer saw."
    )
    note: str | None = None


@strawberry.type(description="A recorded review outcome: a training label, never a strike.")
class ReviewOutcome:
    id: strawberry.ID
    listing_id: strawberry.ID
    outcome: ReviewOutcomeKind
    recorded_at: datetime

    @classmethod
    def from_domain(cls, outcome: labels.ReviewOutcome) -> Self:
        return cls(
            id=strawberry.ID(outcome.id),
            listing_id=strawberry.ID(outcome.listing.listing_id),
            outcome=outcome.outcome,
            recorded_at=outcome.recorded_at,
        )


@strawberry.type
class LabelMutations:
    @strawberry.mutation(
        description="Reports a review outcome for retraining (platform keys). Records no "
        "strike: a confirmed violation that should count against the seller is recordViolation."
    )
    def report_review_outcome(
        self, info: Info[RequestContext, None], input: ReviewOutcomeInput
    ) -> ReviewOutcome:
        context = info.context
        outcome = context.services.labels.report_review_outcome(
            context.caller,
            input.listing.to_domain(),
            input.outcome,
            input.idempotency_key,
            model_version=input.model_version,
            note=input.note,
        )
        return ReviewOutcome.from_domain(outcome)
