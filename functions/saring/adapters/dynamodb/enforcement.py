"""Enforcement actions read back from the table for the transparency exports (read only).

- Removed targets: gsi1 partition TARGETS#<platform>#REMOVED over the deadlines a target
  resolved in the window can have (a deadline is at most the longest delay after the issue,
  which precedes the removal), filtered on `resolved_at`; their orders' headers in BatchGetItem.
- Strikes: gsi1 partitions STRIKES#<platform>#<UTC day>, one Query per day of the window. Strikes
  recorded before that index existed are not on it, and not exported.
- Notices: the warning ladder's `notice_<level>` attributes (``keys.notice_attribute``) on the
  platform's targets of orders issued in the window, in every state.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from saring.adapters.dynamodb import keys
from saring.adapters.dynamodb.batch import batch_get, concurrently
from saring.adapters.dynamodb.ledger import _strike_from_item
from saring.adapters.dynamodb.orders import iso, target_from_item
from saring.domain.orders import TargetState, max_deadline_delay, parse_target_id
from saring.domain.statements import RecordedStrike, RemovedTarget
from saring.domain.strikes import StrikeSource
from saring.domain.transparency import NOTICE_LEVELS
from saring.ports import EnforcementLog
from saring.settings import Settings


def _s(value: str) -> dict[str, str]:
    return {"S": value}


class DynamoEnforcementLog(EnforcementLog):
    def __init__(self, client: Any, table_name: str, settings: Settings) -> None:
        self.client = client
        self.table = table_name
        self.settings = settings

    def _query(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        while True:
            response = self.client.query(**request)
            yield from response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return
            request = {**request, "ExclusiveStartKey": response["LastEvaluatedKey"]}

    def _order_headers(self, order_ids: set[str]) -> dict[str, dict[str, Any]]:
        found = batch_get(self.client, self.table, [keys.order_header(o) for o in sorted(order_ids)])
        return {o: item for o in order_ids if (item := found.get(tuple(keys.order_header(o).values())))}

    def removed_targets(self, platform: str, since: datetime, until: datetime) -> list[RemovedTarget]:
        items = list(
            self._query(
                {
                    "TableName": self.table,
                    "IndexName": "gsi1",
                    "KeyConditionExpression": "gsi1pk = :p AND gsi1sk <= :high",
                    "FilterExpression": "resolved_at >= :since AND resolved_at < :until",
                    "ExpressionAttributeValues": {
                        ":p": _s(keys.targets_partition(platform, TargetState.REMOVED.value)),
                        ":high": _s(iso(until + max_deadline_delay(self.settings)) + "$"),
                        ":since": _s(iso(since)),
                        ":until": _s(iso(until)),
                    },
                }
            )
        )
        targets = [target_from_item(item) for item in items]
        headers = self._order_headers({t.order_id for t in targets})
        return [
            RemovedTarget(
                target=t,
                agency=headers[t.order_id]["agency"]["S"] if t.order_id in headers else "",
                legal_basis=headers[t.order_id]["legal_basis"]["S"] if t.order_id in headers else "",
            )
            for t in targets
        ]

    def recorded_strikes(self, platform: str, since: datetime, until: datetime) -> list[RecordedStrike]:
        first = since.astimezone(UTC).date()
        last = (until - timedelta(microseconds=1)).astimezone(UTC).date()
        days = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]

        def read(day: str) -> list[dict[str, Any]]:
            partition = keys.strikes_of_day(platform, day, "")["gsi1pk"]
            return list(
                self._query(
                    {
                        "TableName": self.table,
                        "IndexName": "gsi1",
                        "KeyConditionExpression": "gsi1pk = :p",
                        "ExpressionAttributeValues": {":p": _s(partition)},
                    }
                )
            )

        items = [item for day_items in concurrently(read, days) for item in day_items]
        strikes = [(_strike_from_item(item), item.get("blocked_seller", {}).get("BOOL", False)) for item in items]
        strikes = [(s, b) for s, b in strikes if since <= s.created_at < until]
        order_ids = {
            parsed[0]
            for s, _ in strikes
            if s.source is StrikeSource.REGULATOR_ORDER
            and s.target_id
            and (parsed := parse_target_id(s.target_id))
        }
        headers = self._order_headers(order_ids)

        def agency(strike) -> str | None:
            parsed = parse_target_id(strike.target_id or "")
            header = headers.get(parsed[0]) if parsed else None
            return None if header is None else header["agency"]["S"]

        return [RecordedStrike(s, blocked, agency(s)) for s, blocked in strikes]

    def notices_by_level(self, platform: str, since: datetime, until: datetime) -> dict[str, int]:
        counts = dict.fromkeys(NOTICE_LEVELS, 0)
        high = iso(until + max_deadline_delay(self.settings)) + "$"
        for state in TargetState:
            for item in self._query(
                {
                    "TableName": self.table,
                    "IndexName": "gsi1",
                    "KeyConditionExpression": "gsi1pk = :p AND gsi1sk BETWEEN :low AND :high",
                    "FilterExpression": "issued_at >= :since AND issued_at < :until",
                    "ExpressionAttributeValues": {
                        ":p": _s(keys.targets_partition(platform, state.value)),
                        ":low": _s(iso(since)),
                        ":high": _s(high),
                        ":since": _s(iso(since)),
                        ":until": _s(iso(until)),
                    },
                }
            ):
                for level in NOTICE_LEVELS:
                    if keys.notice_attribute(level) in item:
                        counts[level] += 1
        return counts
