"""Saring's metrics as CloudWatch embedded metric format (EMF) lines, through Powertools.

A metric is one JSON log line that CloudWatch turns into a metric: no API call, no IAM action,
nothing on the request path but a print. Each count is flushed at once (`single_metric`), so a
handler needs no flushing decorator and a crash loses nothing already counted.

Metric names, all in the namespace POWERTOOLS_METRICS_NAMESPACE (template: Saring):
`Verdicts` (platform, decision), `StrikesRecorded` (platform, source), `TargetsOverdue`
(platform), `ScanLines` and `ScanBadLines` (platform); for the learning loop
(docs/learning-loop.md) `FlaggedVerdicts` and `JudgedVerdicts` (platform, and none: all platforms),
`ReviewOutcomes` (platform, outcome, source), `ShadowVerdicts` and `ShadowErrors` (platform),
`ShadowDisagreements` (platform, live, shadow). `FlaggedShareDrift` (platform) is not counted
here: the drift job writes it with PutMetricData (saring.adapters.cloudwatch_drift).
"""

from __future__ import annotations

import os

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from saring.observability import logger
from saring.ports import Metrics

DEFAULT_NAMESPACE = "Saring"


class CloudWatchMetrics(Metrics):
    def __init__(self, namespace: str | None = None) -> None:
        self._namespace = namespace or os.environ.get(
            "POWERTOOLS_METRICS_NAMESPACE", DEFAULT_NAMESPACE
        )

    def count(self, name: str, value: int, dimensions: dict[str, str]) -> None:
        try:
            with single_metric(
                name=name, unit=MetricUnit.Count, value=value, namespace=self._namespace
            ) as metric:
                for dimension, dimension_value in dimensions.items():
                    metric.add_dimension(name=dimension, value=dimension_value)
        except Exception:  # a metric is never worth a failed request or part
            logger.warning("metric not recorded", extra={"metric": name}, exc_info=True)
