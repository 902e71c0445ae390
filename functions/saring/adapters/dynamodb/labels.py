"""Review outcomes in their own DynamoDB table (LabelTable in template.yaml).

One item per (platform, idempotency key): `pk` is the platform, `sk` the platform's key, so a
platform's labels are one partition that the export reads with Query, and a retry finds the
first outcome by its key. Items expire through the table's TTL attribute `expires_at` (epoch
seconds), SARING_LABEL_RETENTION_DAYS after they were recorded. A separate table keeps listing
text out of the ledger's table and its stream, and lets IAM grant the label writes alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from saring.domain.errors import BadUserInputError, ConflictError, SaringError
from saring.domain.labels import (
    LabelSource,
    OutcomeReceipt,
    ReviewOutcome,
    ReviewOutcomeKind,
    utc_timestamp,
)
from saring.domain.listings import Listing
from saring.ports import LabelStore

# DynamoDB refuses an item over 400 KB (names and values, UTF-8); moto does not. The listing
# limits keep an outcome under a fifth of it, and this check keeps the store honest if they grow.
MAX_ITEM_BYTES = 400 * 1024
TTL_ATTRIBUTE = "expires_at"

AV = dict[str, Any]


def item_size(item: dict[str, AV]) -> int:
    """What DynamoDB counts against its 400 KB: attribute names plus values (strings by UTF-8
    length, numbers by digits, roughly: an upper bound for the integers stored here)."""

    def value_size(value: AV) -> int:
        ((kind, inner),) = value.items()
        if kind in ("S", "N"):
            return len(str(inner).encode())
        if kind in ("BOOL", "NULL"):
            return 1
        raise ValueError(f"no size rule for {kind}")

    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def _optional_string(value: str | None) -> AV:
    return {"NULL": True} if value is None else {"S": value}


def _item(outcome: ReviewOutcome, retention: timedelta) -> dict[str, AV]:
    listing = outcome.listing
    return {
        "pk": {"S": outcome.platform},
        "sk": {"S": outcome.idempotency_key},
        "id": {"S": outcome.id},
        "outcome": {"S": outcome.outcome.value},
        "source": {"S": outcome.source.value},
        "recorded_at": {"S": utc_timestamp(outcome.recorded_at)},
        "recorded_by": {"S": outcome.recorded_by},
        "model_version": _optional_string(outcome.model_version),
        "note": _optional_string(outcome.note),
        "listing_id": {"S": listing.listing_id},
        "seller_id": {"S": listing.seller_id},
        "title": {"S": listing.title},
        "description": _optional_string(listing.description),
        "price_idr": (
            {"NULL": True} if listing.price_idr is None else {"N": str(listing.price_idr)}
        ),
        "category": _optional_string(listing.category),
        "url": _optional_string(listing.url),
        TTL_ATTRIBUTE: {"N": str(int((outcome.recorded_at + retention).timestamp()))},
    }


def _string(item: dict[str, AV], name: str) -> str | None:
    value = item.get(name, {"NULL": True})
    return None if "NULL" in value else value["S"]


def _outcome(item: dict[str, AV]) -> ReviewOutcome:
    price = item.get("price_idr", {"NULL": True})
    return ReviewOutcome(
        id=item["id"]["S"],
        platform=item["pk"]["S"],
        listing=Listing(
            listing_id=item["listing_id"]["S"],
            seller_id=item["seller_id"]["S"],
            title=item["title"]["S"],
            description=_string(item, "description"),
            price_idr=None if "NULL" in price else int(price["N"]),
            category=_string(item, "category"),
            url=_string(item, "url"),
        ),
        outcome=ReviewOutcomeKind(item["outcome"]["S"]),
        idempotency_key=item["sk"]["S"],
        model_version=_string(item, "model_version"),
        note=_string(item, "note"),
        source=LabelSource(item["source"]["S"]),
        recorded_at=datetime.fromisoformat(item["recorded_at"]["S"]),
        recorded_by=item["recorded_by"]["S"],
    )


class DynamoLabelStore(LabelStore):
    def __init__(self, client: Any, table_name: str, retention: timedelta) -> None:
        self._client = client
        self._table = table_name
        self._retention = retention

    def record(self, outcome: ReviewOutcome) -> OutcomeReceipt:
        item = _item(outcome, self._retention)
        if item_size(item) > MAX_ITEM_BYTES:
            # Unreachable within the listing limits; refused here rather than by DynamoDB.
            raise BadUserInputError("the reviewed listing is too large to store", field="listing")
        try:
            self._client.put_item(
                TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self._replay(outcome)
        return OutcomeReceipt(outcome, replayed=False)

    def _replay(self, outcome: ReviewOutcome) -> OutcomeReceipt:
        stored = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": outcome.platform}, "sk": {"S": outcome.idempotency_key}},
            ConsistentRead=True,
        ).get("Item")
        if stored is None:  # expired between the put and the read: a retry stores it anew
            raise SaringError("review outcome vanished during a replay")
        first = _outcome(stored)
        if not first.same_request(outcome):
            raise ConflictError(
                "this idempotency key was already used for a different review outcome",
                field="idempotencyKey",
            )
        return OutcomeReceipt(first, replayed=True)

    def outcomes(self, platform: str, since: datetime | None = None) -> list[ReviewOutcome]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": platform}},
        }
        if since is not None:
            request["FilterExpression"] = "recorded_at >= :since"
            request["ExpressionAttributeValues"][":since"] = {"S": utc_timestamp(since)}
        found: list[ReviewOutcome] = []
        while True:
            response = self._client.query(**request)
            found.extend(_outcome(item) for item in response["Items"])
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        # Items come in key (idempotency key) order; the export wants time order.
        return sorted(found, key=lambda o: (o.recorded_at, o.id))

