"""Appeals of strikes on the single table (key formats in ``keys.py``).

Items
- appeal  SELLER#<platform>#<seller> / APPEAL#<sequence>: the appeal; on gsi1 under
          APPEALS#<platform>, sorted by sequence (filing time), for compliance and exports.
- open    SELLER#<platform>#<seller> / APPEALOPEN#<strike id>: the strike's OPEN appeal; put
          with attribute_not_exists when filing, deleted by the decision.
- claim   APPEALKEY#<platform>#<key> / APPEALKEY: the first appeal filed with the key.

Filing is one transaction: the claim, the open marker, a condition that the strike exists and
is not revoked, the appeal and its audit event; its cancellation reasons say which invariant
held it back. Deciding REVOKED goes through ``DynamoLedger.revoke_strike`` with the decision's
items in the same transaction, so counts, blocks and identity copies stay exact under
concurrency as for any revocation; UPHELD writes the decision alone.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from saring.adapters.backoff import full_jitter
from saring.adapters.dynamodb import keys
from saring.adapters.dynamodb.audit import audit_put
from saring.adapters.dynamodb.client import TRANSIENT_CANCELLATION_REASONS
from saring.adapters.dynamodb.cursors import decode_sort_key, encode_sort_key
from saring.adapters.dynamodb.ledger import (
    DynamoLedger,
    ExtraItemCancelledError,
    _strike_from_item,
)
from saring.domain.appeals import (
    Appeal,
    AppealDraft,
    AppealStatus,
    decode_appeal_id,
    encode_appeal_id,
    new_sequence,
)
from saring.domain.audit import AuditEvent
from saring.domain.errors import ConflictError, ContentionError, SaringError
from saring.domain.strikes import Strike, StrikeSource
from saring.ports import AppealBook, AppealPage

MAX_ATTEMPTS = 6
AV = dict[str, Any]


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def appeal_item(appeal: Appeal) -> AV:
    platform, seller_id, sequence = decode_appeal_id(appeal.id) or ("", "", "")
    item: AV = {
        **keys.typed(keys.appeal(appeal.platform, appeal.seller_id, sequence)),
        **keys.typed(keys.platform_appeals_index(appeal.platform, sequence)),
        "kind": _s("APPEAL"),
        "appeal_id": _s(appeal.id),
        "platform": _s(appeal.platform),
        "seller_id": _s(appeal.seller_id),
        "strike_id": _s(appeal.strike_id),
        "statement": _s(appeal.statement),
        "idempotency_key": _s(appeal.idempotency_key),
        "filed_by": _s(appeal.filed_by),
        "filed_at": _s(appeal.filed_at.isoformat()),
        "decider": _s(appeal.decider),
        "strike_source": _s(appeal.strike_source.value),
        "status": _s(appeal.status.value),
    }
    for name in ("order_reference", "decided_by", "decision_note"):
        value = getattr(appeal, name)
        if value is not None:
            item[name] = _s(value)
    if appeal.decided_at is not None:
        item["decided_at"] = _s(appeal.decided_at.isoformat())
    return item


def appeal_from_item(item: AV) -> Appeal:
    def opt(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    decided_at = opt("decided_at")
    return Appeal(
        id=item["appeal_id"]["S"],
        platform=item["platform"]["S"],
        seller_id=item["seller_id"]["S"],
        strike_id=item["strike_id"]["S"],
        statement=item["statement"]["S"],
        idempotency_key=item["idempotency_key"]["S"],
        filed_by=item["filed_by"]["S"],
        filed_at=datetime.fromisoformat(item["filed_at"]["S"]),
        decider=item["decider"]["S"],
        strike_source=StrikeSource(item["strike_source"]["S"]),
        order_reference=opt("order_reference"),
        status=AppealStatus(item["status"]["S"]),
        decided_at=datetime.fromisoformat(decided_at) if decided_at else None,
        decided_by=opt("decided_by"),
        decision_note=opt("decision_note"),
    )


def _audit_state(appeal: Appeal) -> dict[str, Any]:
    return {
        "appeal_id": appeal.id,
        "strike_id": appeal.strike_id,
        "status": appeal.status.value,
        "decider": appeal.decider,
    }


def encode_cursor(sort_key: str) -> str:
    return encode_sort_key("appeal", sort_key)


def decode_cursor(cursor: str) -> str:
    return decode_sort_key(
        cursor, "appeal", lambda sk: sk.startswith(keys.APPEAL_PREFIX) and len(sk) <= 100
    )


class _Cancelled(Exception):
    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__("transaction cancelled")
        self.reasons = reasons


class DynamoAppeals(AppealBook):
    def __init__(self, client: Any, table_name: str, ledger: DynamoLedger, sleep=time.sleep) -> None:
        self.client = client
        self.table = table_name
        self.ledger = ledger
        self._sleep = sleep

    # --- reads -------------------------------------------------------------------------------

    def _get(self, key: dict[str, str]) -> AV | None:
        return self.client.get_item(
            TableName=self.table, Key=keys.typed(key), ConsistentRead=True
        ).get("Item")

    def strike(self, platform: str, seller_id: str, strike_id: str) -> Strike | None:
        item = self._get(keys.strike(platform, seller_id, strike_id))
        return None if item is None else _strike_from_item(item)

    def appeal(self, appeal_id: str) -> Appeal | None:
        parsed = decode_appeal_id(appeal_id)
        if parsed is None:
            return None
        item = self._get(keys.appeal(*parsed))
        return None if item is None else appeal_from_item(item)

    def by_key(self, platform: str, idempotency_key: str) -> Appeal | None:
        claim = self._get(keys.appeal_claim(platform, idempotency_key))
        return None if claim is None else self.appeal(claim["appeal_id"]["S"])

    def of_seller(self, platform: str, seller_id: str, first: int, after: str | None) -> AppealPage:
        partition = keys.seller_partition(platform, seller_id)
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {
                ":pk": _s(partition),
                ":lo": _s(keys.APPEAL_PREFIX),
                ":hi": _s(keys.APPEAL_RANGE_END),
            },
            "ScanIndexForward": False,
            "Limit": first + 1,
            "ConsistentRead": True,
        }
        if after is not None:
            request["ExclusiveStartKey"] = {"pk": _s(partition), "sk": _s(decode_cursor(after))}
        items = self.client.query(**request).get("Items", [])
        page = items[:first]
        return AppealPage(
            [appeal_from_item(item) for item in page],
            len(items) > first,
            [encode_cursor(item["sk"]["S"]) for item in page],
        )

    def filed(self, platform: str, since: datetime, until: datetime) -> list[Appeal]:
        """One Query of gsi1 (eventually consistent), paged; sequences begin with the filing
        time in milliseconds, so the window is a key range."""
        low = f"{int(since.timestamp() * 1000):012x}"
        high = f"{int(until.timestamp() * 1000):012x}"  # a sequence of `until` sorts after it
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :p AND gsi1sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {
                ":p": _s(keys.platform_appeals_index(platform, "")["gsi1pk"]),
                ":lo": _s(low),
                ":hi": _s(high),
            },
        }
        found: list[Appeal] = []
        while True:
            response = self.client.query(**request)
            found.extend(appeal_from_item(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return [a for a in found if since <= a.filed_at < until]
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # --- writes ------------------------------------------------------------------------------

    def _transact(self, items: list[dict[str, Any]]) -> None:
        """TransactWriteItems, again after a cancellation only by contention (conflicts,
        throttling); a failed condition is the caller's to read (_Cancelled)."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                self.client.transact_write_items(TransactItems=items)
                return
            except self.client.exceptions.TransactionCanceledException as error:
                reasons = error.response.get("CancellationReasons", [])
            codes = {r.get("Code") for r in reasons} - {"None", None}
            if "ConditionalCheckFailed" in codes:
                raise _Cancelled(reasons)
            if not codes <= TRANSIENT_CANCELLATION_REASONS:
                raise SaringError(f"transaction cancelled: {sorted(codes)}")
            self._sleep(full_jitter(min(0.25, 0.01 * 2**attempt)))
        raise ContentionError("too many concurrent changes to this appeal; retry the request")

    def file(self, draft: AppealDraft, strike: Strike, decider: str, now: datetime) -> Appeal:
        sequence = new_sequence(now)
        appeal = draft.to_appeal(
            encode_appeal_id(draft.platform, draft.seller_id, sequence), now, strike, decider
        )
        claim_k = keys.appeal_claim(draft.platform, draft.idempotency_key)
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": {
                        **keys.typed(claim_k),
                        "kind": _s("APPEAL_IDEMPOTENCY"),
                        "appeal_id": _s(appeal.id),
                        "created_at": _s(now.isoformat()),
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": {
                        **keys.typed(keys.open_appeal(draft.platform, draft.seller_id, draft.strike_id)),
                        "kind": _s("APPEAL_OPEN"),
                        "appeal_id": _s(appeal.id),
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "ConditionCheck": {
                    "TableName": self.table,
                    "Key": keys.typed(keys.strike(draft.platform, draft.seller_id, draft.strike_id)),
                    "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(revoked_at)",
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": appeal_item(appeal),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            audit_put(
                self.table,
                AuditEvent(
                    subject=keys.seller_subject(draft.platform, draft.seller_id),
                    action="APPEAL_FILED",
                    actor=draft.filed_by,
                    at=now,
                    before=None,
                    after={**_audit_state(appeal), "filed_at": now.isoformat()},
                ),
            ),
        ]
        try:
            self._transact(items)
        except _Cancelled as cancelled:
            claim, open_, strike_check = (cancelled.reasons + [{}, {}, {}])[:3]
            if claim.get("Code") == "ConditionalCheckFailed":
                first = self.appeal((claim.get("Item") or self._get(claim_k) or {})["appeal_id"]["S"])
                if first is None or not draft.same_request(first):
                    raise ConflictError(
                        "this idempotency key was already used for a different appeal",
                        field="idempotencyKey",
                    ) from None
                return first
            if open_.get("Code") == "ConditionalCheckFailed":
                other = (open_.get("Item") or {}).get("appeal_id", {}).get("S")
                raise ConflictError(
                    "an appeal of this strike is already open",
                    field="strikeId",
                    extensions={"appealId": other} if other else None,
                ) from None
            if strike_check.get("Code") == "ConditionalCheckFailed":
                raise ConflictError("the strike is revoked", field="strikeId") from None
            raise SaringError("appeal transaction cancelled") from None
        return appeal

    def _decision_items(self, appeal: Appeal, after: Appeal) -> list[dict[str, Any]]:
        platform, seller_id, sequence = decode_appeal_id(appeal.id)  # type: ignore[misc]
        assert after.decided_at is not None and after.decided_by is not None
        return [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": keys.typed(keys.appeal(platform, seller_id, sequence)),
                    "UpdateExpression": (
                        "SET #status = :status, decided_at = :at, decided_by = :by, decision_note = :note"
                    ),
                    "ConditionExpression": "#status = :open",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": {
                        ":status": _s(after.status.value),
                        ":at": _s(after.decided_at.isoformat()),
                        ":by": _s(after.decided_by),
                        ":note": _s(after.decision_note or ""),
                        ":open": _s(AppealStatus.OPEN.value),
                    },
                }
            },
            {
                "Delete": {
                    "TableName": self.table,
                    "Key": keys.typed(keys.open_appeal(platform, seller_id, appeal.strike_id)),
                    "ConditionExpression": "appeal_id = :id",
                    "ExpressionAttributeValues": {":id": _s(appeal.id)},
                }
            },
            audit_put(
                self.table,
                AuditEvent(
                    subject=keys.seller_subject(platform, seller_id),
                    action="APPEAL_DECIDED",
                    actor=after.decided_by,
                    at=after.decided_at,
                    before=_audit_state(appeal),
                    after={**_audit_state(after), "note": after.decision_note},
                ),
            ),
        ]

    def decide(self, appeal: Appeal, decided_appeal: Appeal, *, may_revoke) -> Appeal:
        items = self._decision_items(appeal, decided_appeal)
        assert decided_appeal.decided_at is not None and decided_appeal.decided_by is not None
        try:
            strike = self.strike(appeal.platform, appeal.seller_id, appeal.strike_id)
            if decided_appeal.status is AppealStatus.UPHELD and strike is not None and strike.revoked:
                raise ConflictError(
                    "the strike was revoked meanwhile (revokeStrike): decide REVOKED to close the appeal",
                    field="decision",
                    extensions={"appealId": appeal.id},
                )
            if decided_appeal.status is AppealStatus.REVOKED and strike is not None and not strike.revoked:
                self.ledger.revoke_strike(
                    appeal.platform,
                    appeal.seller_id,
                    appeal.strike_id,
                    reason=f"appeal revoked: {decided_appeal.decision_note}",
                    revoked_by=decided_appeal.decided_by,
                    now=decided_appeal.decided_at,
                    may_revoke=may_revoke,
                    extra_items=items,
                )
            else:
                # UPHELD, or a strike revoked already (revokeStrike meanwhile): the decision alone.
                self._transact(items)
        except (ExtraItemCancelledError, _Cancelled):
            # Decided concurrently: the same decision is this one's answer, another a conflict.
            current = self.appeal(appeal.id)
            if current is None:
                raise SaringError("appeal vanished") from None
            if current.status is AppealStatus.OPEN:
                raise ContentionError("the appeal changed meanwhile; retry the request") from None
            if (current.status, current.decision_note) == (
                decided_appeal.status,
                decided_appeal.decision_note,
            ):
                return current
            raise ConflictError(
                f"the appeal was decided meanwhile: {current.status.value}",
                field="appealId",
                extensions={"appealId": appeal.id},
            ) from None
        return decided_appeal
