"""Each function's IAM policy in template.yaml allows every AWS call its real code path makes.

moto checks no permission, so a call the policy does not grant passes every other test and
fails only once deployed (the scan worker's gsi1 Query did: AccessDenied on every part). Here
each Lambda handler runs on moto with every botocore call recorded (tests/iam.py), and each
recorded call, as the IAM requests AWS would authorise, is evaluated against the statements of
that function's `Policies` in template.yaml.
"""

from __future__ import annotations

import gzip
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.conftest import REPO_ROOT
from tests.functional.conftest import LambdaContext, invoke
from tests.functional.test_documented_operations import STORY, _resolve
from tests.graphql_operations import documented_operations
from tests.iam import (
    ACCOUNT,
    REGION,
    CallRecorder,
    IamRequest,
    Resolver,
    function_policy,
    iam_requests,
    is_allowed,
    load_template,
)

TEMPLATE = load_template(REPO_ROOT / "template.yaml")
IDENTITY_PARAMETER = TEMPLATE["Parameters"]["IdentitySecretParameter"]["Default"]
STAGE = TEMPLATE["Parameters"]["Stage"]["Default"]
# The bucket name the template builds with !Sub: the functions' policies name it, not the bucket.
SCAN_BUCKET = f"saring-scan-{ACCOUNT}-{REGION}-{STAGE}"
PLATFORM = "shopee"


class Context(LambdaContext):
    function_name = "saring-function"


@pytest.fixture
def recorder() -> Iterator[CallRecorder]:
    recorder = CallRecorder()
    recorder.install()
    yield recorder
    recorder.uninstall()


@pytest.fixture
def stack(dynamodb, table_name, recorder, monkeypatch) -> Iterator[dict[str, Any]]:
    """moto resources named as the template names them, and each function's environment."""
    from saring.adapters import secrets
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.adapters.s3_objects import s3_client
    from saring.adapters.sqs_parts import sqs_client
    from saring.handlers import order_events

    s3 = boto3.client("s3", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    ssm = boto3.client("ssm", region_name=REGION)
    s3.create_bucket(Bucket=SCAN_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    queues = {
        logical_id: sqs.create_queue(QueueName=f"saring-{logical_id}")["QueueUrl"]
        for logical_id, resource in TEMPLATE["Resources"].items()
        if resource["Type"] == "AWS::SQS::Queue"
    }
    ssm.put_parameter(Name=IDENTITY_PARAMETER, Value="s3cret-hmac-of-at-least-32-bytes", Type="SecureString")
    stream_arn = dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]

    monkeypatch.setenv("SARING_TABLE", table_name)
    monkeypatch.delenv("SARING_IDENTITY_SECRET", raising=False)
    monkeypatch.setenv("SARING_IDENTITY_SECRET_PARAMETER", IDENTITY_PARAMETER)
    monkeypatch.setenv("SARING_SCAN_QUEUE_URL", queues["ScanQueue"])
    monkeypatch.setenv("SARING_SCAN_LINES_PER_PART", "100")
    monkeypatch.setenv("SARING_EVENT_BUS", "default")
    caches = [dynamodb_client, s3_client, sqs_client, order_events.events_client, order_events.ledger]
    for cache in caches:
        cache.cache_clear()
    secrets.clear_cache()

    label_table = f"{table_name}-labels"  # what Settings names it from SARING_TABLE
    refs = {"Table": table_name, "LabelTable": label_table, "ScanBucket": SCAN_BUCKET, **queues}
    attributes = {
        "Table.Arn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table_name}",
        "LabelTable.Arn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{label_table}",
        "Table.StreamArn": stream_arn,
        "ScanBucket.Arn": f"arn:aws:s3:::{SCAN_BUCKET}",
    }
    for logical_id, url in queues.items():
        name = url.rsplit("/", 1)[1]
        attributes[f"{logical_id}.QueueName"] = name
        attributes[f"{logical_id}.Arn"] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
    yield {
        "resolver": Resolver(TEMPLATE, refs, attributes),
        "s3": s3,
        "sqs": sqs,
        "queues": queues,
        "recorder": recorder,
        "dynamodb": dynamodb,
        "table": table_name,
    }
    for cache in caches:
        cache.cache_clear()
    secrets.clear_cache()


def fresh_handler_module(name: str) -> Any:
    """The handler module imported afresh, as a new container imports it."""
    sys.modules.pop(name, None)
    return importlib.import_module(name)


def denied_calls(stack: dict[str, Any], function: str, logical_id: str) -> list[str]:
    calls = stack["recorder"].calls.get(function, [])
    assert calls, f"no AWS call was recorded for {function}: the recorder saw nothing"
    statements = function_policy(stack["resolver"], logical_id)
    denied = []
    for call in calls:
        for request in iam_requests(call):
            if not is_allowed(statements, request):
                denied.append(f"{call.service}:{call.operation} needs {request}")
    return sorted(set(denied))


# --- The API: every operation of the schema, through the Lambda handler ------------------------


def _root_fields(document: str) -> set[str]:
    from graphql import OperationDefinitionNode, parse

    return {
        selection.name.value
        for definition in parse(document).definitions
        if isinstance(definition, OperationDefinitionNode)
        for selection in definition.selection_set.selections
    }


def run_api(stack: dict[str, Any]) -> set[str]:
    """The documented story, then each mutation again (the idempotent replay paths); returns
    the root fields it exercised."""
    from saring.local_stack import create_demo_keys

    module = fresh_handler_module("saring.handlers.api")
    keys = {entry["name"]: entry["key"] for entry in create_demo_keys(module.app.services)}
    callers = {"platform": keys["shopee"], "regulator": keys["kemendag"]}
    operations = {
        (role, operation.name): operation
        for role in callers
        for operation in documented_operations(f"{role}.graphql")
    }
    results: dict[str, dict] = {}
    exercised: set[str] = set()
    stack["recorder"].active = "api"
    try:
        for role, name in STORY:
            operation = operations[(role, name)]
            variables = _resolve(operation.variables, results)
            status, body, _ = invoke(module, operation.document, callers[role], variables)
            assert status == 200 and not body.get("errors"), (name, body)
            results[name] = body["data"]
            exercised |= _root_fields(operation.document)
        for role, name in STORY:
            operation = operations[(role, name)]
            if operation.document.startswith("mutation"):
                variables = _resolve(operation.variables, results)
                status, body, _ = invoke(module, operation.document, callers[role], variables)
                assert status == 200, (name, body)
    finally:
        stack["recorder"].active = None
        sys.modules.pop("saring.handlers.api", None)
    return exercised


def test_the_api_story_exercises_every_root_field_of_the_schema(stack):
    from saring.api.schema import build_schema
    from saring.settings import Settings

    schema = build_schema(Settings())._schema
    every = set(schema.query_type.fields) | set(schema.mutation_type.fields)
    assert run_api(stack) == every


# --- The catalog scan: split and worker, plain and gzip uploads ---------------------------------


def _catalog(lines: int) -> bytes:
    return b"".join(
        json.dumps({"id": f"L-{n}", "seller_id": f"s-{n % 7}", "title": f"kaos polos {n}",
                    "url": f"https://shopee.co.id/item-i.1.{n}"}).encode() + b"\n"
        for n in range(lines)
    )


def run_scan_functions(stack: dict[str, Any]) -> None:
    from saring.scan.local import s3_put_event, sqs_event

    s3, sqs, recorder = stack["s3"], stack["sqs"], stack["recorder"]
    uploads = {
        f"incoming/{PLATFORM}/catalog.jsonl": _catalog(250),
        f"incoming/{PLATFORM}/catalog.jsonl.gz": gzip.compress(_catalog(150)),
    }
    events = []
    for key, body in uploads.items():
        s3.put_object(Bucket=SCAN_BUCKET, Key=key, Body=body)
        head = s3.head_object(Bucket=SCAN_BUCKET, Key=key)
        events.append(s3_put_event(SCAN_BUCKET, key, head["ContentLength"], head["ETag"]))

    split = fresh_handler_module("saring.handlers.scan_split")
    recorder.active = "scan_split"
    try:
        for event in events + events:  # the second time, the split finds its own scan.json
            split.handler(event, Context())
    finally:
        recorder.active = None

    worker = fresh_handler_module("saring.handlers.scan_worker")
    queue_url = stack["queues"]["ScanQueue"]
    queue_arn = stack["resolver"].get_att("ScanQueue", "Arn")
    parts = 0
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        recorder.active = "scan_worker"
        try:
            response = worker.handler(sqs_event(messages, queue_arn), Context())
        finally:
            recorder.active = None
        assert response == {"batchItemFailures": []}
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)],
        )
        parts += len(messages)
    assert parts == 2 * (3 + 2)  # each upload split twice: 3 and 2 parts of 100 lines
    manifests = [key for key in _keys(s3) if key.endswith("manifest.json")]
    assert len(manifests) == 2


def _keys(s3) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=SCAN_BUCKET).get("Contents", [])]


# --- Order events: a new target and a removed one, from the table's stream ----------------------


def run_order_events(stack: dict[str, Any]) -> None:
    from saring.adapters.dynamodb.orders import target_item
    from saring.domain.orders import TargetState, Urgency
    from tests.functional.test_order_events import record, target

    module = fresh_handler_module("saring.handlers.order_events")
    created = target_item(target(0), "kemendag", Urgency.STANDARD)
    removed = target_item(target(0, state=TargetState.REMOVED), "kemendag", Urgency.STANDARD)
    # an order just set ISSUED: its targets are read and announced
    order_id = interrupted_order(stack, reference="IAM/EVENTS/1")
    from tests.functional.test_orders_dynamodb import REGULATOR, many, order_input

    order_service(stack).issue_takedown(REGULATOR, order_input(*many(120), reference="IAM/EVENTS/1"))
    header = stack["dynamodb"].get_item(
        TableName=stack["table"], Key={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "ORDER"}}
    )["Item"]
    from dataclasses import replace

    from saring.adapters.dynamodb.orders import DynamoDBOrderBook
    from saring.domain.notices import ComplianceNotice, NoticeLevel
    from tests.functional.test_order_events import T0

    withdrawn_removed = target_item(
        replace(target(1, state=TargetState.REMOVED), order_withdrawn=True), "kemendag", Urgency.STANDARD
    )
    withdrawn_removed["withdraw_reason"] = {"S": "issued in error"}
    book = DynamoDBOrderBook(stack["dynamodb"], stack["table"], None)  # type: ignore[arg-type]
    notice = book._notice_actions(target(0), ComplianceNotice(NoticeLevel.ST1, T0))[1]["Put"]["Item"]
    event = {
        "Records": [
            record("100", created),
            record("200", removed, event_name="MODIFY"),
            record("300", header, event_name="MODIFY"),
            record("400", notice),
            # a removed target of a withdrawn order: its strike revoked through the ledger
            record("500", withdrawn_removed, event_name="MODIFY"),
        ]
    }
    stack["recorder"].active = "order_events"
    try:
        assert module.handler(event, Context()) == {"batchItemFailures": []}
        # The stream delivers a record again after a timeout: the strike is not doubled.
        assert module.handler(event, Context()) == {"batchItemFailures": []}
    finally:
        stack["recorder"].active = None
        sys.modules.pop("saring.handlers.order_events", None)


# --- The overdue targets count: scheduled --------------------------------------------------------


def order_service(stack: dict[str, Any], client: Any = None) -> Any:
    from saring.adapters.dynamodb.orders import DynamoDBOrderBook
    from saring.service.orders import OrderService
    from saring.settings import Settings
    from tests.conftest import ManualClock
    from tests.fakes import RecordingStrikeRecorder

    settings = Settings.from_env()
    return OrderService(
        DynamoDBOrderBook(client or stack["dynamodb"], stack["table"], settings),
        RecordingStrikeRecorder(),
        ManualClock(),
        settings,
    )


def interrupted_order(stack: dict[str, Any], reference: str = "IAM/SWEEP/1") -> str:
    """An order of 120 targets whose second transaction was throttled, issued long ago (not
    recorded: the API did it)."""
    from botocore.exceptions import ClientError

    from tests.functional.test_orders_dynamodb import REGULATOR, ThrottlingClient, many, order_input

    service = order_service(stack, ThrottlingClient(stack["dynamodb"], throttle_on=2))
    with pytest.raises(ClientError):
        service.issue_takedown(REGULATOR, order_input(*many(120), reference=reference))
    claims = stack["dynamodb"].query(
        TableName=stack["table"],
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ORDERREF#8#kemendag#{reference}"}},
    )["Items"]
    return claims[0]["order_id"]["S"]


def interrupted_withdrawal(stack: dict[str, Any]) -> str:
    """An order of 120 targets withdrawn long ago, whose second settling transaction was
    throttled (not recorded: the API did it)."""
    from botocore.exceptions import ClientError

    from saring.service.orders import WithdrawTakedownInput
    from tests.functional.test_orders_dynamodb import REGULATOR, ThrottlingClient, many, order_input

    order = order_service(stack).issue_takedown(REGULATOR, order_input(*many(120), reference="IAM/WITHDRAW/1"))
    with pytest.raises(ClientError):
        order_service(stack, ThrottlingClient(stack["dynamodb"], throttle_on=3)).withdraw_takedown(
            REGULATOR, WithdrawTakedownInput(order.id, "issued in error")
        )
    return order.id


def run_overdue_targets(stack: dict[str, Any]) -> None:
    """Over a platform with a pending target long past its deadline."""
    from saring.adapters.dynamodb.orders import target_item
    from saring.domain.orders import Urgency
    from tests.functional.test_order_events import target  # deadline in 2026-03

    stack["dynamodb"].put_item(
        TableName=stack["table"], Item=target_item(target(5), "kemendag", Urgency.STANDARD)
    )
    interrupted = interrupted_order(stack)
    withdrawing = interrupted_withdrawal(stack)
    stack["recorder"].active = "overdue_targets"
    try:
        module = fresh_handler_module("saring.handlers.overdue_targets")
        result = module.handler({"source": "aws.events"}, Context())
        assert result["overdue"]["shopee"] >= 1
        assert result["swept"] == [interrupted]  # the sweep's path: gsi1, Query, transactions
        assert result["withdrawals"] == [withdrawing]  # settling a withdrawal cut short
    finally:
        stack["recorder"].active = None
        sys.modules.pop("saring.handlers.overdue_targets", None)


# --- The warning ladder: scheduled ------------------------------------------------------------


def run_notices(stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Over a pending target past its deadline, a gated one (its order ISSUING), twice: ST1,
    then nothing; then ST2 a day later (the conditional writes of both paths)."""
    from saring.adapters.dynamodb.orders import target_item
    from saring.domain.orders import Urgency
    from tests.functional.test_order_events import target  # deadline in 2026-03

    stack["dynamodb"].put_item(
        TableName=stack["table"], Item=target_item(target(7), "kemendag", Urgency.STANDARD)
    )
    interrupted_order(stack, reference="IAM/NOTICES/1")
    stack["recorder"].active = "notices"
    try:
        module = fresh_handler_module("saring.handlers.compliance_notices")
        assert module.handler({"source": "aws.scheduler"}, Context())["issued"].get("ST1", 0) >= 1
        module.handler({"source": "aws.scheduler"}, Context())
    finally:
        stack["recorder"].active = None
        sys.modules.pop("saring.handlers.compliance_notices", None)


# --- The drift job: scheduled -------------------------------------------------------------------


def run_drift(stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Over 8 days of shopee's counts, so the job reads them and writes a figure (both calls)."""
    from datetime import UTC, datetime, timedelta

    from saring.domain.drift import day_start, days_read, last_complete_day
    from saring.service.verdicts import FLAGGED_METRIC, JUDGED_METRIC

    environment = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    namespace, service = environment["POWERTOOLS_METRICS_NAMESPACE"], environment["POWERTOOLS_SERVICE_NAME"]
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", namespace)
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", service)
    monkeypatch.delenv("SARING_DRIFT_PLATFORMS", raising=False)  # the template's default list
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    for day in days_read(last_complete_day(datetime.now(UTC))):
        cloudwatch.put_metric_data(
            Namespace=namespace,
            MetricData=[
                {
                    "MetricName": name,
                    "Dimensions": [{"Name": "platform", "Value": PLATFORM}, {"Name": "service", "Value": service}],
                    "Timestamp": day_start(day) + timedelta(hours=12),
                    "Value": value,
                }
                for name, value in ((FLAGGED_METRIC, 20), (JUDGED_METRIC, 2000))
            ],
        )
    stack["recorder"].active = "drift"
    try:
        module = fresh_handler_module("saring.handlers.drift")
        result = module.handler({"source": "aws.scheduler"}, Context())
        assert [line["drift"] for line in result["platforms"] if line["platform"] == PLATFORM] == [1.0]
    finally:
        stack["recorder"].active = None
        sys.modules.pop("saring.handlers.drift", None)
    operations = {call.operation for call in stack["recorder"].calls["drift"]}
    assert operations == {"GetMetricData", "PutMetricData"}


# --- The check -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_call_of_every_function_is_allowed_by_its_policy(stack, monkeypatch):
    run_api(stack)
    run_scan_functions(stack)
    run_order_events(stack)
    run_overdue_targets(stack)
    run_notices(stack, monkeypatch)
    run_drift(stack, monkeypatch)
    functions = {
        "notices": "NoticesFunction",
        "drift": "DriftFunction",
        "api": "ApiFunction",
        "scan_split": "ScanSplitFunction",
        "scan_worker": "ScanWorkerFunction",
        "order_events": "OrderEventsFunction",
        "overdue_targets": "OverdueTargetsFunction",
    }
    denied = {
        function: denied_calls(stack, function, logical_id)
        for function, logical_id in functions.items()
    }
    assert denied == dict.fromkeys(functions, []), json.dumps(denied, indent=2)


# --- Audit events are append-only ---------------------------------------------------------------


def _audit_writes(calls) -> list[tuple[str, dict[str, Any]]]:
    """(kind, request) of every write of an audit item among the calls."""
    writes = []
    for call in calls:
        if call.operation == "TransactWriteItems":
            entries = [next(iter(entry.items())) for entry in call.params["TransactItems"]]
        elif call.operation in {"PutItem", "UpdateItem", "DeleteItem"}:
            entries = [(call.operation.removesuffix("Item"), call.params)]
        else:
            continue
        for kind, body in entries:
            pk = (body.get("Item") or body.get("Key"))["pk"]["S"]
            if pk.startswith("AUDIT#"):
                writes.append((kind, body))
    return writes


def test_audit_items_are_only_ever_added(stack):
    """The code adds audit events without overwriting, and the roles that write them may not
    update or delete one (IAM cannot condition PutItem on the item's absence: the code does)."""
    run_api(stack)
    run_order_events(stack)
    calls = [call for function in ("api", "order_events") for call in stack["recorder"].calls[function]]
    writes = _audit_writes(calls)
    assert writes, "the story wrote no audit event"
    assert {kind for kind, _ in writes} == {"Put"}
    assert all(body.get("ConditionExpression") == "attribute_not_exists(pk)" for _, body in writes)

    table = stack["resolver"].get_att("Table", "Arn")
    audit, seller = (("dynamodb:LeadingKeys", ("AUDIT#SELLER#shopee#s",)),), (("dynamodb:LeadingKeys", ("SELLER#s",)),)
    for logical_id in ("ApiFunction", "OrderEventsFunction"):
        statements = function_policy(stack["resolver"], logical_id)
        assert is_allowed(statements, IamRequest("dynamodb:PutItem", table, audit))
        assert is_allowed(statements, IamRequest("dynamodb:UpdateItem", table, seller))
        for action in ("dynamodb:UpdateItem", "dynamodb:DeleteItem"):
            assert not is_allowed(statements, IamRequest(action, table, audit)), (logical_id, action)


# --- The checker itself can say no ---------------------------------------------------------------


def test_the_checker_refuses_what_the_template_does_not_grant(stack):
    statements = function_policy(stack["resolver"], "ScanSplitFunction")
    table = stack["resolver"].get_att("Table", "Arn")
    bucket = f"arn:aws:s3:::{SCAN_BUCKET}"
    assert is_allowed(statements, IamRequest("s3:PutObject", f"{bucket}/results/x/part-00001.jsonl"))
    assert not is_allowed(statements, IamRequest("s3:PutObject", f"{bucket}/incoming/x"))
    assert not is_allowed(statements, IamRequest("dynamodb:Query", table))
    listing = IamRequest("s3:ListBucket", bucket, (("s3:prefix", ("incoming/",)),))
    assert not is_allowed(statements, listing)
    # A GetObject of a missing key needs ListBucket without a prefix condition to be a 404.
    assert not is_allowed(statements, IamRequest("s3:ListBucket", bucket))
    drift = function_policy(stack["resolver"], "DriftFunction")
    put = "cloudwatch:PutMetricData"
    assert is_allowed(drift, IamRequest(put, "*", (("cloudwatch:namespace", ("Saring",)),)))
    assert not is_allowed(drift, IamRequest(put, "*", (("cloudwatch:namespace", ("AWS/Lambda",)),)))
    assert not is_allowed(drift, IamRequest(put, "*"))
    assert not is_allowed(statements, IamRequest("cloudwatch:GetMetricData", "*"))


def test_every_lambda_function_of_the_template_is_checked():
    functions = {
        logical_id
        for logical_id, resource in TEMPLATE["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    assert functions == {
        "ApiFunction",
        "ScanSplitFunction",
        "ScanWorkerFunction",
        "OrderEventsFunction",
        "OverdueTargetsFunction",
        "NoticesFunction",
        "DriftFunction",
    }


def test_the_template_is_read_from_the_repository():
    assert Path(REPO_ROOT / "template.yaml").is_file()
