"""Use case: verdicts for a batch of listings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from saring.domain.listings import Listing, ListingLimits, validate_listings
from saring.domain.principals import Principal
from saring.domain.standing import SellerStanding
from saring.domain.verdicts import Decision, Reason, decide, model_decision
from saring.ports import Classifier, Clock, VerdictFactsReader


@dataclass(frozen=True, slots=True)
class VerdictResult:
    listing_id: str
    decision: Decision
    score: float
    reasons: tuple[Reason, ...]
    model_version: str
    seller: SellerStanding


class VerdictService:
    def __init__(
        self,
        classifier: Classifier,
        facts_reader: VerdictFactsReader,
        clock: Clock,
        limits: ListingLimits,
    ) -> None:
        self._classifier = classifier
        self._facts = facts_reader
        self._clock = clock
        self._limits = limits

    @property
    def limits(self) -> ListingLimits:
        return self._limits

    def verdicts(self, principal: Principal, listings: Sequence[Listing]) -> list[VerdictResult]:
        platform = principal.require_platform()
        validate_listings(list(listings), self._limits)
        scores = self._classifier.score(listings)
        facts = self._facts.read(platform, listings, self._clock.now())
        thresholds = self._classifier.thresholds
        allow = Decision.ALLOW  # an enum member is a descriptor lookup each time on 3.11
        models = [
            model_decision(score, thresholds, listing_facts.seller.standing)
            for score, listing_facts in zip(scores, facts, strict=True)
        ]
        # Explaining costs more than scoring, so only flagged listings are explained, together.
        explained = iter(
            self._classifier.explain_many(
                [
                    listing
                    for listing, model in zip(listings, models, strict=True)
                    if model is not allow
                ]
            )
        )
        version = self._classifier.version
        results = []
        for listing, score, listing_facts, model in zip(
            listings, scores, facts, models, strict=True
        ):
            evidence = () if model is allow else next(explained)
            decision, reasons = decide(score, thresholds, listing_facts, evidence, model=model)
            # Positional, in field order: a frozen dataclass takes keywords at twice the cost.
            results.append(
                VerdictResult(
                    listing.listing_id, decision, score, reasons, version, listing_facts.seller
                )
            )
        return results
