"""Operators hear about failures: alarms, the alarm topic, log retention and access logs in
template.yaml, and the deploy documentation (docs/deploy.md) naming them."""

from __future__ import annotations

import json
import re

from tests.conftest import REPO_ROOT
from tests.iam import load_template

TEMPLATE = load_template(REPO_ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
DEPLOY = (REPO_ROOT / "docs" / "deploy.md").read_text()


def of_type(kind: str) -> dict[str, dict]:
    return {name: r for name, r in RESOURCES.items() if r["Type"] == kind}


ALARMS = of_type("AWS::CloudWatch::Alarm")
FUNCTIONS = of_type("AWS::Serverless::Function")


def alarms_on(namespace: str, metric: str, dimension_value: dict) -> list[str]:
    return [
        name
        for name, alarm in ALARMS.items()
        # .get: a metric-math alarm (DriftAlarm) names its metrics inside `Metrics` instead.
        if alarm["Properties"].get("Namespace") == namespace
        and alarm["Properties"].get("MetricName") == metric
        and dimension_value in [d["Value"] for d in alarm["Properties"].get("Dimensions", [])]
    ]


def dead_letter_queues() -> set[str]:
    """Every queue some resource sends its failures to."""
    found = set()
    text = json.dumps(RESOURCES)
    for name in of_type("AWS::SQS::Queue"):
        arn = json.dumps({"Fn::GetAtt": [name, "Arn"]})
        uses = [
            r"deadLetterTargetArn\": " + re.escape(arn),
            r"\"TargetArn\": " + re.escape(arn),
            r"\"Destination\": " + re.escape(arn),
        ]
        if any(re.search(use, text) for use in uses):
            found.add(name)
    return found


def test_every_dead_letter_queue_alarms_at_its_first_message():
    queues = dead_letter_queues()
    assert queues == {"ScanDeadLetterQueue", "ScanSplitDeadLetterQueue", "OrderEventsDeadLetterQueue"}
    for queue in queues:
        (name,) = alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"Fn::GetAtt": [queue, "QueueName"]})
        alarm = ALARMS[name]["Properties"]
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")


def test_every_function_alarms_on_errors_and_the_api_on_5xx_and_throttles():
    for function in FUNCTIONS:
        assert alarms_on("AWS/Lambda", "Errors", {"Ref": function}), function
    assert alarms_on("AWS/Lambda", "Throttles", {"Ref": "ApiFunction"})
    (api_errors,) = alarms_on("AWS/ApiGateway", "5xx", {"Ref": "HttpApi"})
    assert ALARMS[api_errors]["Properties"]["Statistic"] == "Average"  # a rate, not a count
    assert ALARMS[api_errors]["Properties"]["Threshold"] == {"Ref": "ApiErrorRateThreshold"}


def test_every_alarm_notifies_the_topic_which_mails_the_parameter():
    for name, alarm in ALARMS.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
    subscription = RESOURCES["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


def test_every_function_has_a_log_group_with_the_retention_parameter():
    groups = of_type("AWS::Logs::LogGroup")
    names = {json.dumps(g["Properties"].get("LogGroupName")) for g in groups.values()}
    for function in FUNCTIONS:
        assert json.dumps({"Fn::Sub": f"/aws/lambda/${{{function}}}"}) in names, function
    assert {json.dumps(g["Properties"]["RetentionInDays"]) for g in groups.values()} == {
        json.dumps({"Ref": "LogRetentionDays"})
    }
    assert TEMPLATE["Parameters"]["LogRetentionDays"]["Default"] == 90


def test_the_http_api_logs_each_request_without_headers_or_body():
    settings = RESOURCES["HttpApi"]["Properties"]["AccessLogSettings"]
    assert settings["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    fields = json.loads(settings["Format"])
    assert {"requestId", "status", "routeKey"} <= set(fields)
    variables = " ".join(fields.values()).lower()
    for leak in ("authorization", "header", "body", "querystring"):
        assert leak not in variables


def test_the_deploy_section_lists_alarms_metrics_and_their_parameters():
    for name in ALARMS:
        # The drift alarms, one per platform (Fn::ForEach), are documented by their pattern.
        documented = "DriftAlarm<platform>" if name.startswith("DriftAlarm") else name
        assert f"`{documented}`" in DEPLOY, name
    metrics = ("Verdicts", "StrikesRecorded", "TargetsOverdue", "ScanLines", "ScanBadLines", "FlaggedShareDrift")
    for metric in metrics:
        assert f"`{metric}`" in DEPLOY, metric
    for parameter in ("AlarmEmail", "LogRetentionDays", "ApiErrorRateThreshold"):
        assert f"`{parameter}`" in DEPLOY, parameter
