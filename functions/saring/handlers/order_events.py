"""Reacts to takedown targets on the table's stream (NEW_IMAGE).

- A new target (INSERT): one `TakedownTargetCreated` event on SARING_EVENT_BUS (default
  "default"), source "saring.orders", so a platform learns of it without polling; platforms
  subscribe with a rule on `detail.platform`. A `gated` target (of an order written in several
  transactions) is not announced as it is written but when its order becomes ISSUED:
- An order header set ISSUED (MODIFY: the only update of a header): one event per target of
  the order, read from the table (strongly consistent Query), in PutEvents of 10.
- A warning-ladder notice (INSERT of a notice item, written with the target's notice attribute
  by the scheduled notices function): one `TakedownNoticeIssued` event, same source and bus,
  with the level and the target it is about.
- A target acknowledged REMOVED that names a seller (MODIFY): the seller's strike, recorded
  again through the ledger, idempotent on the target id; once its order is withdrawn (the same
  target, settled), the strike revoked with the withdrawal's reason. The API records it as it answers the
  acknowledgement; doing it here as well means a crash between the two writes cannot leave a
  removal without its strike, even if the platform never retries.

The event source mapping's filter passes only those kinds of record. A record that fails
(PutEvents FailedEntryCount, a ledger error) is reported as a batch item failure, and only it is
retried.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.shared.dynamodb_deserializer import TypeDeserializer
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)

from saring.adapters.aws import aws_client

SOURCE = "saring.orders"
DETAIL_TYPE = "TakedownTargetCreated"
NOTICE_DETAIL_TYPE = "TakedownNoticeIssued"

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
_deserializer = TypeDeserializer()


class EventNotAcceptedError(Exception):
    """EventBridge refused the event (FailedEntryCount > 0)."""


@lru_cache(maxsize=1)
def events_client() -> Any:
    """Built once per process, on first use."""
    return aws_client("events")


def target_created(image: dict[str, Any]) -> dict[str, Any]:
    """The event's detail, from a target item's NewImage (deserialised)."""
    detail = {
        "orderId": image["order_id"],
        "reference": image["reference"],
        "targetId": image["id"],
        "platform": image["platform"],
        "kind": image["kind"],
        "value": image["value"],
        "deadline": image["deadline"],
    }
    if not all(isinstance(value, str) and value for value in detail.values()):
        raise ValueError("target item is missing a field")
    if image.get("seller_id"):
        detail["sellerId"] = image["seller_id"]
    return detail


def notice_issued(image: dict[str, Any]) -> dict[str, Any]:
    """The event's detail, from a notice item's NewImage (deserialised)."""
    detail = {
        "orderId": image["order_id"],
        "reference": image["reference"],
        "targetId": image["target_id"],
        "platform": image["platform"],
        "kind": image["kind"],
        "value": image["value"],
        "deadline": image["deadline"],
        "level": image["level"],
        "issuedAt": image["issued_at"],
    }
    if not all(isinstance(value, str) and value for value in detail.values()):
        raise ValueError("notice item is missing a field")
    if image.get("seller_id"):
        detail["sellerId"] = image["seller_id"]
    return detail


@lru_cache(maxsize=1)
def ledger() -> Any:
    from saring.bootstrap import build_ledger_service

    return build_ledger_service()


@lru_cache(maxsize=1)
def dynamodb() -> Any:
    from saring.adapters.dynamodb.client import dynamodb_client

    return dynamodb_client()


def record_handler(record: DynamoDBRecord) -> None:
    image = record.dynamodb.new_image if record.dynamodb else {}
    if image.get("entity") == "ORDER":
        if record.event_name is DynamoDBRecordEventName.MODIFY and image.get("status") == "ISSUED":
            announce_order(image["id"])
        return
    if image.get("entity") == "NOTICE":
        if record.event_name is DynamoDBRecordEventName.INSERT:
            send([(NOTICE_DETAIL_TYPE, notice_issued(image))])
        return
    if image.get("entity") != "TARGET":
        return  # the filter should not let these through
    if record.event_name is DynamoDBRecordEventName.INSERT:
        if not image.get("gated"):
            announce(image)
    elif record.event_name is DynamoDBRecordEventName.MODIFY and image.get("state") == "REMOVED":
        record_strike(image)


def record_strike(image: dict[str, Any]) -> None:
    if not image.get("seller_id"):
        return
    if image.get("order_withdrawn"):
        # Its order was withdrawn: the strike is revoked with the agency's reason (recorded
        # first if it never was), whoever settled the target and whether or not the API's own
        # revocation got through.
        ledger().revoke_order_strike(
            image["platform"],
            image["seller_id"],
            image["id"],
            image["reference"],
            image["value"] if image.get("kind") == "LISTING" else None,
            reason=image.get("withdraw_reason") or "order withdrawn",
            revoked_by=f"regulator:{image['agency']}",
        )
        return
    ledger().record_order_strike(
        platform=image["platform"],
        seller_id=image["seller_id"],
        target_id=image["id"],
        order_reference=image["reference"],
        listing_id=image["value"] if image.get("kind") == "LISTING" else None,
    )


def announce(image: dict[str, Any]) -> None:
    put_events([image])


def announce_order(order_id: str) -> None:
    """Every target of an order just ISSUED. A failure fails the record, whose retry announces
    them all again: a platform may receive an event twice (as any retried record), never none.
    Items are read as a stream record's NewImage is (powertools' deserializer, not boto3's, which
    this function does not ship), so `target_created` sees the same values on both paths."""
    from saring.adapters.dynamodb import keys
    from saring.settings import Settings

    request: dict[str, Any] = {
        "TableName": Settings.from_env().table_name,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :target)",
        "ExpressionAttributeValues": {
            ":pk": {"S": keys.order_partition(order_id)},
            ":target": {"S": keys.TARGET_SK_PREFIX},
        },
        "ConsistentRead": True,
    }
    images: list[dict[str, Any]] = []
    while True:
        response = dynamodb().query(**request)
        images += [
            {name: _deserializer.deserialize(value) for name, value in item.items()}
            for item in response.get("Items", [])
        ]
        if "LastEvaluatedKey" not in response:
            break
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    for start in range(0, len(images), 10):  # PutEvents takes at most 10 entries
        put_events(images[start : start + 10])


def put_events(images: list[dict[str, Any]]) -> None:
    send([(DETAIL_TYPE, target_created(image)) for image in images])


def entries(events: list[tuple[str, dict[str, Any]]]) -> list[dict[str, str]]:
    """PutEvents entries of (detail type, detail) pairs, on SARING_EVENT_BUS."""
    bus = os.environ.get("SARING_EVENT_BUS") or "default"
    return [
        {
            "Source": SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(detail, separators=(",", ":")),
            "EventBusName": bus,
        }
        for detail_type, detail in events
    ]


def send(events: list[tuple[str, dict[str, Any]]]) -> None:
    response = events_client().put_events(Entries=entries(events))
    if response.get("FailedEntryCount", 0):
        failed = next((e for e in response.get("Entries", []) if e.get("ErrorCode")), {})
        raise EventNotAcceptedError(f"{failed.get('ErrorCode')}: {failed.get('ErrorMessage')}")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
