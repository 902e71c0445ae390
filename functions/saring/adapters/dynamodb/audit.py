"""Audit events as DynamoDB items, written inside the same transaction as the change they record."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from saring.adapters.dynamodb import keys
from saring.domain.audit import AuditEvent


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
    return [
        AuditEvent(
            subject=item["subject"]["S"],
            action=item["action"]["S"],
            actor=item["actor"]["S"],
            at=datetime.fromisoformat(item["at"]["S"]),
            before=json.loads(item["before"]["S"]),
            after=json.loads(item["after"]["S"]),
            event_id=item["event_id"]["S"],
        )
        for item in response.get("Items", [])
    ]
