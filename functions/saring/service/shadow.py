"""A candidate model scored beside the live one, whose answers are never returned.

With SARING_SHADOW_MODEL_DIR set, every batch the API judges is scored by the candidate too.
Where the two put a listing in different bands (ALLOW, REVIEW, TAKEDOWN, each with the seller's
standing applied as for the live model), that is a disagreement: counted as metrics and logged
as counts per pair of bands, with the versions, never with listing text or ids. The live
verdict is what the caller gets, and a failing candidate never fails a request.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from saring.domain.listings import Listing
from saring.domain.standing import Standing
from saring.domain.verdicts import Decision, model_decision
from saring.ports import NO_METRICS, Classifier, Metrics

logger = logging.getLogger(__name__)

SHADOW_VERDICTS_METRIC = "ShadowVerdicts"
SHADOW_DISAGREEMENTS_METRIC = "ShadowDisagreements"
SHADOW_ERRORS_METRIC = "ShadowErrors"


class ShadowModel:
    def __init__(self, classifier: Classifier, live_version: str, metrics: Metrics = NO_METRICS) -> None:
        self._classifier = classifier
        self._live_version = live_version
        self._metrics = metrics

    @property
    def version(self) -> str:
        return self._classifier.version

    def compare(
        self,
        platform: str,
        listings: Sequence[Listing],
        live_bands: Sequence[Decision],
        standings: Sequence[Standing],
    ) -> Counter[tuple[Decision, Decision]]:
        """Scores the batch with the candidate; returns the disagreements as counts per
        (live band, shadow band), also counted as metrics. Never raises."""
        try:
            scores = self._classifier.score(listings)
            thresholds = self._classifier.thresholds
            shadow_bands = [
                model_decision(score, thresholds, standing)
                for score, standing in zip(scores, standings, strict=True)
            ]
        except Exception:
            logger.warning(
                "shadow model failed", extra={"shadow_version": self.version}, exc_info=True
            )
            self._metrics.count(SHADOW_ERRORS_METRIC, 1, {"platform": platform})
            return Counter()
        disagreements = Counter(
            (live, shadow)
            for live, shadow in zip(live_bands, shadow_bands, strict=True)
            if live is not shadow
        )
        self._metrics.count(SHADOW_VERDICTS_METRIC, len(listings), {"platform": platform})
        for (live, shadow), n in disagreements.items():
            self._metrics.count(
                SHADOW_DISAGREEMENTS_METRIC,
                n,
                {"platform": platform, "live": live.value, "shadow": shadow.value},
            )
        if disagreements:
            logger.info(
                "shadow model disagrees",
                extra={
                    "platform": platform,
                    "live_version": self._live_version,
                    "shadow_version": self.version,
                    "listings": len(listings),
                    "disagreements": {
                        f"{live.value}->{shadow.value}": n
                        for (live, shadow), n in sorted(disagreements.items())
                    },
                },
            )
        return disagreements
