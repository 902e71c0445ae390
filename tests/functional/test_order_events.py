"""The stream handler that pushes new takedown targets to EventBridge (moto)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from saring.adapters.dynamodb.orders import target_item
from saring.domain.orders import TakedownTarget, TargetKind, TargetState, Urgency

ORDER_ID = "3f2a" * 8
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
STREAM_ARN = ("arn:aws:dynamodb:ap-southeast-3:123456789012:table/saring/stream/"
              "2026-03-01T00:00:00.000")


def target(index: int, **fields) -> TakedownTarget:
    base = dict(id=f"{ORDER_ID}-{index:03d}", order_id=ORDER_ID, platform="shopee",
                kind=TargetKind.LISTING, value=f"L-{index}", seller_id="s-1",
                state=TargetState.PENDING, note=None, resolved_at=None, late=False,
                reference="KEMENDAG/TD/2026/0001", issued_at=T0, deadline=T0 + timedelta(hours=24))
    base.update(fields)
    return TakedownTarget(**base)


def record(sequence: str, image: dict, event_name: str = "INSERT") -> dict:
    """A DynamoDB stream record as Lambda delivers it."""
    return {
        "eventID": f"event-{sequence}",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "ap-southeast-3",
        "dynamodb": {
            "ApproximateCreationDateTime": 1772355600.0,
            "Keys": {"pk": image["pk"], "sk": image["sk"]},
            "NewImage": image,
            "SequenceNumber": sequence,
            "SizeBytes": 512,
            "StreamViewType": "NEW_IMAGE",
        },
        "eventSourceARN": STREAM_ARN,
    }


def orders_bus_to_queue(monkeypatch, rule: str, queue: str, pattern: dict):
    """The orders bus (moto) with one rule sending what `pattern` matches to an SQS queue; for a
    fixture to `yield from`: it yields (sqs client, queue url)."""
    from saring.handlers import order_events

    order_events.events_client.cache_clear()
    monkeypatch.setenv("SARING_EVENT_BUS", "saring-orders")
    events = boto3.client("events", region_name="ap-southeast-3")
    sqs = boto3.client("sqs", region_name="ap-southeast-3")
    events.create_event_bus(Name="saring-orders")
    queue_url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=rule, EventBusName="saring-orders",
                    EventPattern=json.dumps({"source": ["saring.orders"], **pattern}))
    events.put_targets(Rule=rule, EventBusName="saring-orders", Targets=[{"Id": "queue", "Arn": queue_arn}])
    yield sqs, queue_url
    order_events.events_client.cache_clear()


@pytest.fixture
def bus_queue(aws, monkeypatch):
    yield from orders_bus_to_queue(monkeypatch, "shopee-targets", "shopee-takedowns", {
        "detail-type": ["TakedownTargetCreated"], "detail": {"platform": ["shopee"]}})


def received(sqs, queue_url) -> list[dict]:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_new_targets_reach_the_platform_and_bad_records_fail_alone(bus_queue):
    from saring.handlers.order_events import handler

    sqs, queue_url = bus_queue
    good = target_item(target(0), "kemendag", Urgency.STANDARD)
    url = target_item(target(1, kind=TargetKind.URL, value="https://shopee.co.id/p/1", seller_id=None),
                      "kemendag", Urgency.STANDARD)
    broken = dict(target_item(target(2), "kemendag", Urgency.STANDARD))
    del broken["platform"]
    match = {"pk": {"S": "MATCH#shopee#LISTING#L-0"}, "sk": {"S": "MATCH"},
             f"ref#{ORDER_ID}-000": {"S": "KEMENDAG/TD/2026/0001"}}
    lazada = target_item(target(3, platform="lazada"), "kemendag", Urgency.STANDARD)
    event = {"Records": [record("100", good), record("200", broken), record("300", match),
                         record("400", url), record("500", lazada)]}

    result = handler(event, None)

    assert result == {"batchItemFailures": [{"itemIdentifier": "200"}]}
    events = received(sqs, queue_url)
    assert [e["source"] for e in events] == ["saring.orders", "saring.orders"]
    assert {e["detail-type"] for e in events} == {"TakedownTargetCreated"}
    details = sorted((e["detail"] for e in events), key=lambda d: d["targetId"])
    assert details[0] == {
        "orderId": ORDER_ID, "reference": "KEMENDAG/TD/2026/0001", "targetId": f"{ORDER_ID}-000",
        "platform": "shopee", "kind": "LISTING", "value": "L-0",
        "deadline": "2026-03-02T09:00:00.000000Z", "sellerId": "s-1",
    }
    assert details[1]["kind"] == "URL" and "sellerId" not in details[1]


def test_refused_event_is_a_batch_item_failure(aws, monkeypatch):
    from saring.handlers import order_events

    class RefusingEvents:
        def put_events(self, Entries):
            return {"FailedEntryCount": 1,
                    "Entries": [{"ErrorCode": "ThrottlingException", "ErrorMessage": "slow down"}]}

    monkeypatch.setattr(order_events, "events_client", lambda: RefusingEvents())
    good = target_item(target(0), "kemendag", Urgency.STANDARD)
    modify = record("900", good, event_name="MODIFY")
    result = order_events.handler({"Records": [record("100", good), modify]}, None)
    assert result == {"batchItemFailures": [{"itemIdentifier": "100"}]}


class LambdaContext:
    function_name = "saring-order-events"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:ap-southeast-3:123456789012:function:saring-order-events"
    aws_request_id = "order-events-1"


def test_a_removed_target_gets_its_strike_from_the_stream_once(dynamodb, table_name, monkeypatch):
    """A crash after the acknowledgement but before the strike is healed by the stream."""
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.bootstrap import build_ledger_service
    from saring.domain.principals import Principal, Role
    from saring.handlers import order_events

    monkeypatch.setenv("SARING_TABLE", table_name)
    monkeypatch.setenv("SARING_IDENTITY_SECRET", "test-identity-secret-0123456789abcdef")
    dynamodb_client.cache_clear()
    order_events.ledger.cache_clear()
    removed = target_item(
        target(1, state=TargetState.REMOVED, resolved_at=T0 + timedelta(hours=1)),
        "kemendag",
        Urgency.STANDARD,
    )
    event = {"Records": [record("1", removed, "MODIFY"), record("2", removed, "MODIFY")]}

    assert order_events.handler(event, LambdaContext()) == {"batchItemFailures": []}
    assert order_events.handler(event, LambdaContext()) == {"batchItemFailures": []}

    regulator = Principal(Role.REGULATOR, "regulator:kemendag", agency="kemendag")
    seller = build_ledger_service().seller(regulator, "shopee", "s-1", first=10)
    assert seller.active_strikes == 1
    (strike,) = seller.strike_page.items
    assert (strike.source.value, strike.target_id) == ("REGULATOR_ORDER", f"{ORDER_ID}-001")
    order_events.ledger.cache_clear()
    dynamodb_client.cache_clear()


def test_a_target_still_pending_records_no_strike(dynamodb, table_name, monkeypatch):
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.handlers import order_events

    monkeypatch.setenv("SARING_TABLE", table_name)
    dynamodb_client.cache_clear()
    order_events.ledger.cache_clear()
    pending = target_item(target(2), "kemendag", Urgency.STANDARD)
    assert order_events.handler({"Records": [record("3", pending, "MODIFY")]}, LambdaContext()) == {
        "batchItemFailures": []
    }
    assert dynamodb.scan(TableName=table_name)["Items"] == []
    order_events.ledger.cache_clear()
    dynamodb_client.cache_clear()


def test_an_interrupted_orders_targets_are_announced_once_it_is_issued(bus_queue, dynamodb, table_name, clock, monkeypatch):
    from saring.handlers import order_events
    from saring.settings import Settings
    from tests.fakes import RecordingStrikeRecorder
    from tests.functional.test_orders_dynamodb import REGULATOR, many, order_input, throttled_issue

    monkeypatch.setenv("SARING_TABLE", table_name)
    order_events.dynamodb.cache_clear()
    sqs, queue_url = bus_queue
    settings = Settings(table_name=table_name)
    strikes = RecordingStrikeRecorder()
    service, order_id = throttled_issue(dynamodb, table_name, settings, strikes, clock)
    written = [i for i in dynamodb.scan(TableName=table_name)["Items"] if i.get("entity", {}).get("S") == "TARGET"]
    assert written and all(i["gated"]["BOOL"] for i in written)
    # the stream's INSERTs of gated targets announce nothing
    inserts = [record(str(100 + n), item) for n, item in enumerate(written)]
    assert order_events.handler({"Records": inserts}, None) == {"batchItemFailures": []}
    assert received(sqs, queue_url) == []
    # the retry completes the order; the header's MODIFY announces all 120 targets
    assert service.issue_takedown(REGULATOR, order_input(*many(120))).id == order_id
    header = dynamodb.get_item(TableName=table_name, Key={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "ORDER"}})["Item"]
    assert order_events.handler({"Records": [record("900", header, event_name="MODIFY")]}, None) == {"batchItemFailures": []}
    announced = []
    while batch := received(sqs, queue_url):
        announced += batch
    assert sorted(e["detail"]["targetId"] for e in announced) == [f"{order_id}-{i:03d}" for i in range(120)]
    order_events.dynamodb.cache_clear()


def test_a_withdrawn_orders_removed_target_has_its_strike_revoked_from_the_stream(dynamodb, table_name, monkeypatch):
    """Whoever settled the withdrawal (the API, or the sweep after an interruption), the stream
    revokes the strike with the reason, recording it first if it never was; twice is harmless."""
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.bootstrap import build_ledger_service
    from saring.domain.principals import Principal, Role
    from saring.handlers import order_events

    monkeypatch.setenv("SARING_TABLE", table_name)
    monkeypatch.setenv("SARING_IDENTITY_SECRET", "test-identity-secret-0123456789abcdef")
    dynamodb_client.cache_clear()
    order_events.ledger.cache_clear()
    removed = target(4, state=TargetState.REMOVED, resolved_at=T0 + timedelta(hours=1))
    acknowledged = target_item(removed, "kemendag", Urgency.STANDARD)
    settled = target_item(replace(removed, order_withdrawn=True), "kemendag", Urgency.STANDARD)
    settled["withdraw_reason"] = {"S": "issued in error"}
    events = {"Records": [record("1", acknowledged, "MODIFY"), record("2", settled, "MODIFY"),
                          record("3", settled, "MODIFY")]}
    try:
        assert order_events.handler(events, LambdaContext()) == {"batchItemFailures": []}
        regulator = Principal(Role.REGULATOR, "regulator:kemendag", agency="kemendag")
        seller = build_ledger_service().seller(regulator, "shopee", "s-1", first=10)
        assert seller.active_strikes == 0
        (strike,) = seller.strike_page.items
        assert (strike.revoke_reason, strike.revoked_by) == ("issued in error", "regulator:kemendag")
    finally:
        order_events.ledger.cache_clear()
        dynamodb_client.cache_clear()
