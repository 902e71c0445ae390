"""Audit events as DynamoDB items, written inside the same transaction as the change they record."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from saring.adapters.dynamodb import keys
from saring.adapters.dynamodb.cursors import decode_sort_key, encode_sort_key
from saring.domain.audit import AuditEvent, AuditPage


def audit_put(table_name: str, event: AuditEvent) -> dict[str, Any]:
    """A TransactWriteItems `Put` entry for the event; it never overwrites an earlier one."""
    at = event.at.isoformat()
    key = keys.audit_event(event.subject, at, event.event_id)
    return {
        "Put": {
            "TableName": table_name,
            "Item": {
                "pk": {"S": key["pk"]},
                "sk": {"S": key["sk"]},
                "subject": {"S": event.subject},
                "action": {"S": event.action},
                "actor": {"S": event.actor},
                "at": {"S": at},
                "event_id": {"S": event.event_id},
                "before": {"S": json.dumps(event.before, sort_keys=True, default=str)},
                "after": {"S": json.dumps(event.after, sort_keys=True, default=str)},
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def audit_events(client: Any, table_name: str, subject: str, limit: int = 100) -> list[AuditEvent]:
    response = client.query(
        TableName=table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.audit_partition(subject)}},
        Limit=limit,
    )
    return [_event(item) for item in response.get("Items", [])]


def audit_page(
    client: Any, table_name: str, subject: str, first: int, after: str | None
) -> AuditPage:
    """`first` events of the subject, newest first (sort keys are "<at>#<event id>"), after the
    cursor `after`: one Query of `first + 1` items, the extra one only saying there is more."""
    partition = keys.audit_partition(subject)
    request: dict[str, Any] = {
        "TableName": table_name,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": partition}},
        "ScanIndexForward": False,
        "Limit": first + 1,
    }
    if after is not None:
        request["ExclusiveStartKey"] = {"pk": {"S": partition}, "sk": {"S": _decode(after)}}
    items = client.query(**request).get("Items", [])
    page = items[:first]
    return AuditPage(
        [_event(item) for item in page], len(items) > first, [_encode(i["sk"]["S"]) for i in page]
    )


def _event(item: dict[str, Any]) -> AuditEvent:
    return AuditEvent(
        subject=item["subject"]["S"],
        action=item["action"]["S"],
        actor=item["actor"]["S"],
        at=datetime.fromisoformat(item["at"]["S"]),
        before=json.loads(item["before"]["S"]),
        after=json.loads(item["after"]["S"]),
        event_id=item["event_id"]["S"],
    )


# Audit cursors name what they page ("audit"), so a strike cursor is refused here, not read.
def _encode(sort_key: str) -> str:
    return encode_sort_key("audit", sort_key)


def _decode(cursor: str) -> str:
    return decode_sort_key(cursor, "audit", lambda sk: bool(sk) and len(sk) <= 200)
