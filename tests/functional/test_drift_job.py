"""The drift job on moto: the counts the API writes (EMF lines, turned into CloudWatch metrics as
CloudWatch turns them), read back in one GetMetricData call per run, FlaggedShareDrift written
with PutMetricData and readable by the alarm's query, through `saring drift run` and the
Lambda handler."""

from __future__ import annotations

import importlib
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from saring.adapters.cloudwatch_drift import CloudWatchDriftMetrics
from saring.adapters.cloudwatch_metrics import CloudWatchMetrics
from saring.cli import main
from saring.domain.drift import (
    NONE_FLAGGED_IN_WEEK,
    TOO_FEW_TODAY,
    day_start,
    days_read,
    last_complete_day,
)
from saring.service.drift import DRIFT_METRIC, DriftJob
from saring.service.verdicts import FLAGGED_METRIC, JUDGED_METRIC
from tests.conftest import REPO_ROOT, ManualClock
from tests.functional.conftest import LambdaContext
from tests.iam import load_template

REGION = "ap-southeast-3"


@pytest.fixture
def cloudwatch(aws, monkeypatch):
    # The deployed functions' environment: the API writes and the job reads under these names.
    environment = load_template(REPO_ROOT / "template.yaml")["Globals"]["Function"]["Environment"]["Variables"]
    for name in ("POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_SERVICE_NAME"):
        monkeypatch.setenv(name, environment[name])
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    return boto3.client("cloudwatch", region_name=REGION)


def emf_to_cloudwatch(cloudwatch, capsys, name: str, value: int, platform: str, at: datetime) -> None:
    """One count as the API writes it (an EMF line from CloudWatchMetrics), stored as CloudWatch
    stores it: the line's namespace and dimension set, at `at`."""
    CloudWatchMetrics().count(name, value, {"platform": platform})
    document = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    (dimension_set,) = directive["Dimensions"]
    cloudwatch.put_metric_data(
        Namespace=directive["Namespace"],
        MetricData=[
            {
                "MetricName": name,
                # sorted: moto matches a query's dimensions only in the same order (AWS in any)
                "Dimensions": [{"Name": d, "Value": document[d]} for d in sorted(dimension_set)],
                "Timestamp": at,
                "Value": sum(document[name]),  # EMF writes a list of values
                "Unit": "Count",
            }
        ],
    )


def put_days(cloudwatch, capsys, platform: str, now: datetime, per_day: list[tuple[int, int]]) -> None:
    """(flagged, judged) for each of the 8 days read, oldest first, each split in two counts
    (early and late in its WIB day) so the daily Sum is what is read."""
    for day, (flagged, judged) in zip(days_read(last_complete_day(now)), per_day, strict=True):
        start = day_start(day)
        early, late = start + timedelta(minutes=1), start + timedelta(hours=23, minutes=58)
        for at, part in ((early, lambda n: n // 2), (late, lambda n: n - n // 2)):
            emf_to_cloudwatch(cloudwatch, capsys, JUDGED_METRIC, part(judged), platform, at)
            emf_to_cloudwatch(cloudwatch, capsys, FLAGGED_METRIC, part(flagged), platform, at)


def drift_values(cloudwatch, platform: str, now: datetime) -> list[float]:
    """FlaggedShareDrift as the alarm's MetricStat reads it (namespace, name, dimensions)."""
    response = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "drift",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "Saring",
                        "MetricName": DRIFT_METRIC,
                        "Dimensions": [{"Name": "platform", "Value": platform}],
                    },
                    "Period": 3600,
                    "Stat": "Maximum",
                },
            }
        ],
        StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(hours=1),
    )
    return response["MetricDataResults"][0]["Values"]


WEEK = [(10, 1000)] * 7


def test_the_adapter_reads_daily_sums_and_writes_the_drift(cloudwatch, capsys):
    now = datetime(2026, 3, 11, 1, 5, tzinfo=UTC)  # 08:05 WIB: the 10th is the last whole day
    put_days(cloudwatch, capsys, "shopee", now, [*WEEK, (30, 1000)])
    put_days(cloudwatch, capsys, "zalora-id", now, [(0, 2000)] * 7 + [(5, 2000)])
    put_days(cloudwatch, capsys, "tokopedia", now, [*WEEK, (3, 200)])
    calls: list[dict[str, Any]] = []
    cloudwatch.meta.events.register("provide-client-params.cloudwatch.GetMetricData", lambda params, **_: calls.append(params))
    metrics = CloudWatchDriftMetrics(cloudwatch)
    job = DriftJob(metrics, ManualClock(now), ("shopee", "zalora-id", "tokopedia", "lazada"), 1000)
    figures = {one.platform: one for one in job.run()}
    assert len(calls) == 1 and len(calls[0]["MetricDataQueries"]) == 8
    assert {q["MetricStat"]["Period"] for q in calls[0]["MetricDataQueries"]} == {86400}
    shopee = figures["shopee"]
    assert (shopee.flagged, shopee.judged, shopee.week_flagged, shopee.week_judged) == (30, 1000, 70, 7000)
    assert shopee.ratio == pytest.approx(3.0)
    assert figures["zalora-id"].skipped == NONE_FLAGGED_IN_WEEK
    assert figures["tokopedia"].skipped == TOO_FEW_TODAY and figures["tokopedia"].flagged == 3
    assert figures["lazada"].judged == figures["lazada"].week_judged == 0
    assert drift_values(cloudwatch, "shopee", now) == [pytest.approx(3.0)]
    for quiet in ("zalora-id", "tokopedia", "lazada"):
        assert drift_values(cloudwatch, quiet, now) == []  # no figure on a day without one


def test_counts_outside_the_eight_days_are_not_read(cloudwatch, capsys):
    now = datetime(2026, 3, 11, 1, 5, tzinfo=UTC)
    put_days(cloudwatch, capsys, "shopee", now, [*WEEK, (10, 1000)])
    start = day_start(last_complete_day(now))
    for at in (start - timedelta(days=7, minutes=1), start + timedelta(days=1, minutes=1)):
        emf_to_cloudwatch(cloudwatch, capsys, FLAGGED_METRIC, 900, "shopee", at)
        emf_to_cloudwatch(cloudwatch, capsys, JUDGED_METRIC, 1000, "shopee", at)
    (figures,) = DriftJob(CloudWatchDriftMetrics(cloudwatch), ManualClock(now), ("shopee",), 1000).run()
    assert figures.ratio == 1.0


def test_saring_drift_run_prints_one_line_per_platform(cloudwatch, capsys, monkeypatch):
    now = datetime.now(UTC)
    put_days(cloudwatch, capsys, "shopee", now, [*WEEK, (5, 1000)])
    put_days(cloudwatch, capsys, "lazada", now, [(20, 1000)] * 8)
    monkeypatch.setenv("SARING_DRIFT_PLATFORMS", "shopee,lazada,blibli")
    monkeypatch.setenv("SARING_DRIFT_MINIMUM_VERDICTS", "500")
    assert main(["drift", "run"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["platform"] for line in lines] == ["shopee", "lazada", "blibli"]
    day = last_complete_day(datetime.now(UTC)).isoformat()
    assert lines[0] == {
        "platform": "shopee", "day": day, "flagged": 5, "judged": 1000, "share": 0.005,
        "weekFlagged": 70, "weekJudged": 7000, "weekShare": 0.01, "drift": 0.5, "skipped": None,
    }  # fmt: skip
    assert lines[1]["drift"] == 1.0
    assert lines[2]["skipped"] == TOO_FEW_TODAY
    assert drift_values(cloudwatch, "shopee", datetime.now(UTC)) == [0.5]


def test_the_handler_runs_the_job(cloudwatch, capsys, monkeypatch):
    now = datetime.now(UTC)
    put_days(cloudwatch, capsys, "shopee", now, [*WEEK, (40, 1000)])
    monkeypatch.setenv("SARING_DRIFT_PLATFORMS", "shopee")
    sys.modules.pop("saring.handlers.drift", None)
    try:
        module = importlib.import_module("saring.handlers.drift")
        result = module.handler({"source": "aws.scheduler"}, LambdaContext())
    finally:
        sys.modules.pop("saring.handlers.drift", None)
    assert [line["drift"] for line in result["platforms"]] == [4.0]
    assert drift_values(cloudwatch, "shopee", datetime.now(UTC)) == [4.0]
