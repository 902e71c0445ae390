"""Pushes each new takedown target to EventBridge, so a platform learns of it without polling.

Reads the table's stream (NEW_IMAGE; the event source mapping's filter passes only INSERTs of
target items) and puts one `TakedownTargetCreated` event per target on SARING_EVENT_BUS
(default "default"), source "saring.orders"; platforms subscribe with a rule on
`detail.platform`. A record whose event is not accepted (PutEvents FailedEntryCount) is
reported as a batch item failure, and only it is retried.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)

SOURCE = "saring.orders"
DETAIL_TYPE = "TakedownTargetCreated"

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


class EventNotAcceptedError(Exception):
    """EventBridge refused the event (FailedEntryCount > 0)."""


@lru_cache(maxsize=1)
def events_client() -> Any:
    """Built once per process, on first use."""
    return boto3.client("events")


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


def record_handler(record: DynamoDBRecord) -> None:
    image = record.dynamodb.new_image if record.dynamodb else {}
    if record.event_name is not DynamoDBRecordEventName.INSERT or image.get("entity") != "TARGET":
        return  # the filter should not let these through; nothing to announce
    entry = {
        "Source": SOURCE,
        "DetailType": DETAIL_TYPE,
        "Detail": json.dumps(target_created(image), separators=(",", ":")),
        "EventBusName": os.environ.get("SARING_EVENT_BUS") or "default",
    }
    response = events_client().put_events(Entries=[entry])
    if response.get("FailedEntryCount", 0):
        failed = response.get("Entries", [{}])[0]
        raise EventNotAcceptedError(f"{failed.get('ErrorCode')}: {failed.get('ErrorMessage')}")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
