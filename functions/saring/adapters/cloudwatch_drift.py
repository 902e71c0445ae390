"""DriftMetrics on CloudWatch: the API's daily FlaggedVerdicts and JudgedVerdicts sums through
GetMetricData, and FlaggedShareDrift through PutMetricData.

The counts are read as EMF wrote them (saring.adapters.cloudwatch_metrics): namespace
POWERTOOLS_METRICS_NAMESPACE, dimensions `service` (POWERTOOLS_SERVICE_NAME) and `platform`,
CloudWatch matching a metric by its whole dimension set. One GetMetricData call reads every
platform (two queries each, a 1-day period starting at the first day's midnight, so each
datapoint is one WIB day); CloudWatch's 500 queries a call would only split it past 250 platforms.
The drift is written with PutMetricData, not EMF, so `saring drift run` writes it to the same
CloudWatch (moto locally) it read from, and the figure is timestamped by the job.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from saring.adapters.cloudwatch_metrics import DEFAULT_NAMESPACE
from saring.domain.drift import DayCounts
from saring.ports import DriftMetrics
from saring.service.drift import DRIFT_METRIC
from saring.service.verdicts import FLAGGED_METRIC, JUDGED_METRIC

DAY = timedelta(days=1)
MAX_QUERIES = 500  # GetMetricData's limit per call
MAX_PUT = 1000  # PutMetricData's limit of values per call


class CloudWatchDriftMetrics(DriftMetrics):
    def __init__(self, client: Any, namespace: str | None = None, service: str | None = None) -> None:
        self._client = client
        self._namespace = namespace or os.environ.get("POWERTOOLS_METRICS_NAMESPACE", DEFAULT_NAMESPACE)
        self._service = service or os.environ.get("POWERTOOLS_SERVICE_NAME", "saring")

    @property
    def namespace(self) -> str:
        return self._namespace

    def _query(self, query_id: str, metric: str, platform: str) -> dict[str, Any]:
        return {
            "Id": query_id,
            "ReturnData": True,
            "MetricStat": {
                "Metric": {
                    "Namespace": self._namespace,
                    "MetricName": metric,
                    # Sorted by name: CloudWatch ignores the order, moto (5.x) matches it.
                    "Dimensions": [
                        {"Name": "platform", "Value": platform},
                        {"Name": "service", "Value": self._service},
                    ],
                },
                "Period": int(DAY.total_seconds()),
                "Stat": "Sum",
            },
        }

    def daily_counts(
        self, platforms: Sequence[str], first_day: datetime, days: int
    ) -> dict[str, list[DayCounts]]:
        # Query ids must be letters, digits and underscores: platforms are named by position.
        queries = {}
        for n, platform in enumerate(platforms):
            queries[f"flagged_{n}"] = self._query(f"flagged_{n}", FLAGGED_METRIC, platform)
            queries[f"judged_{n}"] = self._query(f"judged_{n}", JUDGED_METRIC, platform)
        sums: dict[str, list[int]] = {query_id: [0] * days for query_id in queries}
        batch = list(queries.values())
        for start in range(0, len(batch), MAX_QUERIES):
            self._read(batch[start : start + MAX_QUERIES], first_day, days, sums)
        return {
            platform: [
                DayCounts(flagged, judged)
                for flagged, judged in zip(sums[f"flagged_{n}"], sums[f"judged_{n}"], strict=True)
            ]
            for n, platform in enumerate(platforms)
        }

    def _read(
        self, queries: list[dict[str, Any]], first_day: datetime, days: int, sums: dict[str, list[int]]
    ) -> None:
        request: dict[str, Any] = {
            "MetricDataQueries": queries,
            "StartTime": first_day,
            "EndTime": first_day + days * DAY,
        }
        while True:
            response = self._client.get_metric_data(**request)
            for result in response["MetricDataResults"]:
                # Keyed by timestamp: AWS returns the newest first unless asked otherwise.
                for timestamp, value in zip(result["Timestamps"], result["Values"], strict=True):
                    index = round((timestamp - first_day) / DAY)
                    if 0 <= index < days:
                        sums[result["Id"]][index] += round(value)
            token = response.get("NextToken")
            if not token:
                return
            request["NextToken"] = token

    def put_drift(self, ratios: dict[str, float], at: datetime) -> None:
        data = [
            {
                "MetricName": DRIFT_METRIC,
                "Dimensions": [{"Name": "platform", "Value": platform}],
                "Timestamp": at,
                "Value": ratio,
                "Unit": "None",
            }
            for platform, ratio in ratios.items()
        ]
        for start in range(0, len(data), MAX_PUT):
            self._client.put_metric_data(Namespace=self._namespace, MetricData=data[start : start + MAX_PUT])
