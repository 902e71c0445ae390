"""Drift: the flagged share is counted per platform and over all platforms, and template.yaml's
DriftAlarm watches exactly the metrics the code emits (name, namespace, dimensions as EMF
writes them), comparing the day's share with the trailing 7 days' by the DriftFactor parameter."""

from __future__ import annotations

import json

from saring.domain.listings import Listing, ListingLimits
from saring.domain.principals import Principal, Role
from saring.service.verdicts import FLAGGED_METRIC, JUDGED_METRIC, VerdictService
from tests.conftest import REPO_ROOT
from tests.fakes import FixedFacts, KeywordClassifier, RecordingMetrics
from tests.iam import load_template

TEMPLATE = load_template(REPO_ROOT / "template.yaml")
ALARM = TEMPLATE["Resources"]["DriftAlarm"]["Properties"]
GLOBAL_ENV = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]


def test_flagged_and_judged_verdicts_are_counted_per_platform_and_in_all(clock):
    metrics = RecordingMetrics()
    service = VerdictService(KeywordClassifier(), FixedFacts(), clock, ListingLimits(), metrics)
    for platform, flagged in (("shopee", 3), ("tokopedia", 1)):
        principal = Principal(Role.PLATFORM, f"platform:{platform}", platform=platform)
        listings = [
            Listing(f"L-{n}", "s-1", "thrift bal" if n < flagged else "kaos polos") for n in range(10)
        ]
        service.verdicts(principal, listings)
    assert metrics.of(FLAGGED_METRIC, platform="shopee") == 3
    assert metrics.of(JUDGED_METRIC, platform="shopee") == 10
    assert metrics.of(FLAGGED_METRIC, platform="tokopedia") == 1
    assert metrics.of(FLAGGED_METRIC) == 4 and metrics.of(JUDGED_METRIC) == 20


def emitted_dimensions(capsys, monkeypatch, dimensions: dict[str, str]) -> tuple[str, list[str], str]:
    """What CloudWatch receives for one count, with the deployed function's environment."""
    from saring.adapters.cloudwatch_metrics import CloudWatchMetrics

    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", GLOBAL_ENV["POWERTOOLS_METRICS_NAMESPACE"])
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", GLOBAL_ENV["POWERTOOLS_SERVICE_NAME"])
    CloudWatchMetrics().count(FLAGGED_METRIC, 1, dimensions)
    (line,) = capsys.readouterr().out.splitlines()
    document = json.loads(line)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    (dimension_set,) = directive["Dimensions"]
    return directive["Namespace"], sorted(dimension_set), document.get("service")


def test_the_alarm_reads_the_metrics_the_code_writes(capsys, monkeypatch):
    namespace, dimension_names, service = emitted_dimensions(capsys, monkeypatch, {})
    stats = {query["Id"]: query["MetricStat"] for query in ALARM["Metrics"] if "MetricStat" in query}
    assert {stat["Metric"]["MetricName"] for stat in stats.values()} == {FLAGGED_METRIC, JUDGED_METRIC}
    for stat in stats.values():
        metric = stat["Metric"]
        assert metric["Namespace"] == namespace
        # CloudWatch matches a metric by its exact dimension set: the aggregate's is {service}.
        assert sorted(d["Name"] for d in metric["Dimensions"]) == dimension_names
        assert [d["Value"] for d in metric["Dimensions"]] == [service]
        assert stat["Stat"] == "Sum"
    assert {stat["Period"] for stat in stats.values()} == {86400, 604800}  # the day, the week
    # The per-platform counts carry one more dimension: the alarm does not read those.
    _, per_platform, _ = emitted_dimensions(capsys, monkeypatch, {"platform": "shopee"})
    assert per_platform == sorted([*dimension_names, "platform"])


def test_the_alarm_compares_the_day_with_the_week_by_the_drift_factor():
    (watched,) = [query for query in ALARM["Metrics"] if query.get("ReturnData")]
    expression = watched["Expression"]["Fn::Sub"]
    for term in (
        "flaggedday / judgedday > ${DriftFactor} * flaggedweek / judgedweek",
        "flaggedday / judgedday < flaggedweek / judgedweek / ${DriftFactor}",
        "judgedday >= ${DriftMinimumVerdicts}",
    ):
        assert term in expression
    parameters = TEMPLATE["Parameters"]
    assert parameters["DriftFactor"]["Default"] == 2
    assert parameters["DriftMinimumVerdicts"]["Type"] == "Number"
    assert (ALARM["Threshold"], ALARM["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    assert ALARM["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_the_expression_fires_only_past_the_factor():
    """The alarm's expression, evaluated as CloudWatch would for a few days (Python reads the
    same arithmetic once AND/OR are spelled its way)."""
    (watched,) = [query for query in ALARM["Metrics"] if query.get("ReturnData")]
    expression = (
        watched["Expression"]["Fn::Sub"]
        .replace("${DriftFactor}", "2")
        .replace("${DriftMinimumVerdicts}", "1000")
        .replace(" AND ", " and ")
        .replace(" OR ", " or ")
    )
    assert expression.startswith("IF(") and expression.endswith(", 1, 0)")
    condition = expression[3 : -len(", 1, 0)")]

    def fires(flagged_day, judged_day, flagged_week, judged_week) -> bool:
        values = {
            "flaggedday": flagged_day,
            "judgedday": judged_day,
            "flaggedweek": flagged_week,
            "judgedweek": judged_week,
        }
        return bool(eval(condition, {}, values))  # noqa: S307 (the template's own arithmetic)

    week = (700, 70_000)  # a 1 % flagged share
    assert not fires(150, 10_000, *week)  # 1.5 %: within a factor of 2
    assert fires(250, 10_000, *week)  # 2.5 %
    assert fires(40, 10_000, *week)  # 0.4 %
    assert not fires(25, 500, *week)  # 5 %, but too few verdicts to judge


def test_a_catalog_scan_batch_is_not_counted_as_drift(clock):
    metrics = RecordingMetrics()
    service = VerdictService(KeywordClassifier(), FixedFacts(), clock, ListingLimits(), metrics)
    shopee = Principal(Role.PLATFORM, "platform:shopee", platform="shopee")
    service.batch_verdicts(shopee, [Listing(f"L-{n}", "s-1", "thrift bal") for n in range(10)])
    assert metrics.of("Verdicts", platform="shopee", decision="TAKEDOWN") == 10
    assert metrics.of(FLAGGED_METRIC) == metrics.of(JUDGED_METRIC) == 0
