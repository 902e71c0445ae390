"""Use case: verdicts for a batch of listings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from saring.domain.labels import in_audit_sample
from saring.domain.listings import Listing, ListingLimits, validate_listings
from saring.domain.principals import Principal
from saring.domain.standing import SellerStanding
from saring.domain.verdicts import Decision, Reason, decide, model_decision
from saring.ports import NO_METRICS, Classifier, Clock, Metrics, VerdictFactsReader
from saring.service.shadow import ShadowModel


@dataclass(frozen=True, slots=True)
class VerdictResult:
    listing_id: str
    decision: Decision
    score: float
    reasons: tuple[Reason, ...]
    model_version: str
    seller: SellerStanding
    audit_sample: bool = False


@dataclass(frozen=True, slots=True)
class AuditSampler:
    """Which ALLOW verdicts the platform should review anyway (docs/learning-loop.md)."""

    secret: Callable[[], bytes]  # the identity secret, read once per process
    rate: float

    def selects(self, platform: str, listing_id: str) -> bool:
        return self.rate > 0.0 and in_audit_sample(self.secret(), platform, listing_id, self.rate)


@dataclass(frozen=True, slots=True)
class BatchVerdicts:
    """The verdicts on a batch of listings, field by field: entry i of each list is listing
    i's. A catalog scan reads them so, without an object per listing."""

    decisions: list[Decision]
    scores: list[float]
    reasons: list[tuple[Reason, ...]]
    sellers: list[SellerStanding]
    model_version: str
    audit_samples: list[bool] = field(default_factory=list)  # empty: no sampler


class VerdictService:
    def __init__(
        self,
        classifier: Classifier,
        facts_reader: VerdictFactsReader,
        clock: Clock,
        limits: ListingLimits,
        metrics: Metrics = NO_METRICS,
        *,
        sampler: AuditSampler | None = None,
        shadow: ShadowModel | None = None,
    ) -> None:
        self._classifier = classifier
        self._facts = facts_reader
        self._clock = clock
        self._limits = limits
        self._metrics = metrics
        self._sampler = sampler
        self._shadow = shadow

    @property
    def shadow_version(self) -> str | None:
        return None if self._shadow is None else self._shadow.version

    @property
    def limits(self) -> ListingLimits:
        return self._limits

    def verdicts(self, principal: Principal, listings: Sequence[Listing]) -> list[VerdictResult]:
        batch = self.batch_verdicts(principal, listings)
        version = batch.model_version
        # Drift counts the API's verdicts alone: one catalog scan (batch_verdicts, directly)
        # could outweigh a day of live traffic and move the share by itself.
        flagged = len(listings) - batch.decisions.count(Decision.ALLOW)
        count_flagged_share(self._metrics, principal.require_platform(), flagged, len(listings))
        samples = batch.audit_samples or [False] * len(listings)
        return [
            # Positional, in field order: a frozen dataclass takes keywords at twice the cost.
            VerdictResult(listing.listing_id, decision, score, reasons, version, seller, sample)
            for listing, decision, score, reasons, seller, sample in zip(
                listings,
                batch.decisions,
                batch.scores,
                batch.reasons,
                batch.sellers,
                samples,
                strict=True,
            )
        ]

    def was_audit_sample(self, principal: Principal, listing: Listing) -> bool:
        """Whether this listing's verdict, computed now, is an audit sample: the keyed hash
        first (it rules out all but `rate` of listings at no cost), then the decision. Counts
        no metric: it is not a verdict anyone asked for."""
        platform = principal.require_platform()
        if self._sampler is None or not self._sampler.selects(platform, listing.listing_id):
            return False
        (score,) = self._classifier.score([listing])
        (facts,) = self._facts.read(platform, [listing], self._clock.now())
        decision, _ = decide(score, self._classifier.thresholds, facts)
        return decision is Decision.ALLOW

    def batch_verdicts(self, principal: Principal, listings: Sequence[Listing]) -> BatchVerdicts:
        """`verdicts`, field by field."""
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
        decisions: list[Decision] = []
        reasons: list[tuple[Reason, ...]] = []
        for score, listing_facts, model in zip(scores, facts, models, strict=True):
            evidence = () if model is allow else next(explained)
            decision, why = decide(score, thresholds, listing_facts, evidence, model=model)
            decisions.append(decision)
            reasons.append(why)
        for decision in set(decisions):
            self._metrics.count(
                "Verdicts",
                decisions.count(decision),
                {"platform": platform, "decision": decision.value},
            )
        if self._shadow is not None:
            self._shadow.compare(platform, listings, models, [f.seller.standing for f in facts])
        samples: list[bool] = []
        if self._sampler is not None and self._sampler.rate > 0.0:
            secret, rate = self._sampler.secret(), self._sampler.rate
            samples = [
                decision is allow and in_audit_sample(secret, platform, listing.listing_id, rate)
                for listing, decision in zip(listings, decisions, strict=True)
            ]
        return BatchVerdicts(
            decisions,
            scores,
            reasons,
            [listing_facts.seller for listing_facts in facts],
            self._classifier.version,
            samples,
        )


# Drift (docs/learning-loop.md): the flagged share's numerator and denominator, per platform and
# over all platforms together (the DriftAlarm in template.yaml watches the latter: an alarm
# cannot add up a dimension's values it does not know).
FLAGGED_METRIC = "FlaggedVerdicts"
JUDGED_METRIC = "JudgedVerdicts"


def count_flagged_share(metrics: Metrics, platform: str, flagged: int, total: int) -> None:
    for dimensions in ({"platform": platform}, {}):
        metrics.count(FLAGGED_METRIC, flagged, dimensions)
        metrics.count(JUDGED_METRIC, total, dimensions)
