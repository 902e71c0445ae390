"""Takedown orders in the single table (key formats in `keys`).

Items
- claim    ORDERREF#<len(agency)>#<agency>#<reference> / ORDERREF: order id + content hash.
- header   ORDER#<order id> / ORDER: the order's fields, `status` ISSUING | ISSUED. While
           ISSUING it is on gsi1 under ORDERS#ISSUING, sorted by <issued at>#<order id>, and
           holds every target it names (`pending_targets`, gzipped JSON), so the sweep can
           complete it without the request; marking it ISSUED removes both.
- target   ORDER#<order id> / TARGET#<index>: one per target, `entity` = TARGET, `gated` when
           its order needs more than one transaction; on gsi1 under
           TARGETS#<platform>#<state>, sorted by <deadline>#<target id>. The target id
           "<order id>-<index>" gives the key, so acknowledging is one GetItem away.
- match    MATCH#<platform>#{LISTING|URL|SELLER}#<value> / MATCH: one attribute
           "ref#<target id>" = order reference per active (PENDING or REMOVED) target of an
           order not withdrawn.
- listing  ORDER#<order id> / LIST#AGENCY and LIST#PLATFORM#<platform>: written with the
           order's first transaction, on gsi1 under ORDERS#AGENCY#... and ORDERS#PLATFORM#...,
           sorted by <issued at>#<order id>; `orders` pages through them newest first.
- notice   ORDER#<order id> / NOTICE#<index>#<level>: one per warning-ladder notice, written
           with the target's `notice_<level>` attribute; its stream INSERT is announced.

Withdrawal sets the header WITHDRAWN first (conditioned on ISSUED; an acknowledgement checks the
header is not WITHDRAWN in its own transaction), then settles the targets read after it, each
update conditioned on the state read: PENDING and DISPUTED become WITHDRAWN, every target gets
`order_withdrawn` and loses its match attribute. A retry settles what is left.

Issuing (up to 500 targets; a transaction holds at most 100 actions)
1. One TransactWriteItems: the claim (attribute_not_exists), the header, the audit event, the
   listing items and as many targets (+ their match updates) as fit. An order that fits (about 48 targets) is written
   whole, header ISSUED, in this one transaction.
2. Larger orders: the header is ISSUING; the other targets go in further transactions (about 49
   targets each), every target Put conditioned on attribute_not_exists and written in the same
   transaction as its match updates; the last one sets the header ISSUED.
A crash anywhere leaves a claim whose retry (same content hash) finds the order ISSUING, reads
which targets exist (strongly consistent Query), writes only the missing ones and sets it ISSUED.
Target ids are derived from the order id and the target's position, so nothing is doubled; an
existing target is never rewritten, so a target acknowledged meanwhile keeps its state and its
match. Until then the order shows the targets written so far, with status ISSUING and its full
target count, and platforms see none of them: listings drop a `gated` target unless its order's
header says ISSUED (one BatchGetItem of such orders' headers per page read), so the header's last update makes
all of them visible at once. An order nobody retries is completed by `sweep` (scheduled, and
`saring orders sweep`): ISSUING headers older than a few minutes, one Query on gsi1.
Match items are gated the same way: a gated target's match attribute is "gref#<target id>", and
a verdict names its order only once the order's header says ISSUED (`gated_order_ids`,
`issued_orders`: one more BatchGetItem, only when such a match names a listing of the call); the
catalog scan builds its matches from the listing above.

Listing: one Query per (platform, state) partition of gsi1, run concurrently and merged by
deadline; the cursor holds the last position read in each partition. A platform without a state
filter reads 4 partitions; a regulator across all platforms reads 4 per known platform (1 each
with a state filter). Compliance: the platform's 4 partitions over the deadline range that
orders issued in the window can have, filtered by issue time. Nothing is ever Scanned.
gsi1 is eventually consistent: a target acknowledged a moment ago can still list as PENDING.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from saring.adapters.backoff import full_jitter
from saring.adapters.dynamodb import keys
from saring.adapters.dynamodb.audit import audit_put
from saring.adapters.dynamodb.batch import batch_get, concurrently
from saring.adapters.dynamodb.client import TRANSIENT_CANCELLATION_REASONS
from saring.domain.audit import AuditEvent
from saring.domain.errors import BadUserInputError, ConflictError, NotFoundError, SaringError
from saring.domain.notices import LEVELS, ComplianceNotice, NoticeLadder, notice_due
from saring.domain.orders import (
    ACTIVE_STATES,
    DisputeResolution,
    OrderStatus,
    TakedownOrder,
    TakedownTarget,
    TargetKind,
    TargetState,
    Urgency,
    acknowledged,
    deadline_for,
    dispute_resolved,
    max_deadline_delay,
    parse_target_id,
    target_id,
    url_match_key,
    withdrawn_target,
)
from saring.ports import OrderBook, OrderEdge, OrderFilter, OrderPage, TargetEdge, TargetPage
from saring.settings import Settings

ISSUING = "ISSUING"
ISSUED = "ISSUED"
MAX_TRANSACTION_ACTIONS = 100
_ISO = "%Y-%m-%dT%H:%M:%S.%fZ"


def iso(moment: datetime) -> str:
    """Fixed-width UTC, so strings sort as times do."""
    return moment.astimezone(UTC).strftime(_ISO)


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, _ISO).replace(tzinfo=UTC)


# --- Matches for verdicts (pure) ----------------------------------------------------------------


def target_match_key(target: TakedownTarget) -> dict[str, str]:
    if target.kind is TargetKind.LISTING:
        return keys.match_listing(target.platform, target.value)
    if target.kind is TargetKind.URL:
        return keys.match_url(target.platform, url_match_key(target.value))
    return keys.match_seller(target.platform, target.value)


def match_keys(
    platform: str, listing_id: str, seller_id: str, url: str | None
) -> list[dict[str, str]]:
    """The match items to read for one listing ({"pk", "sk"} strings, like `keys`): its listing
    id, its seller (SHOP and ACCOUNT targets) and, when it has a valid URL, the normalised URL.
    Put them in a BatchGetItem; pass the items found to `order_references_from_items`."""
    found = [keys.match_listing(platform, listing_id), keys.match_seller(platform, seller_id)]
    if url:
        with suppress(BadUserInputError):  # a malformed URL cannot match a URL target
            found.append(keys.match_url(platform, url_match_key(url)))
    return found


def gated_order_ids(items: Iterable[Mapping[str, Any]]) -> set[str]:
    """The orders whose targets these match items name before the order is known to be ISSUED
    (read their headers' status and pass the ISSUED ones to `order_references_from_items`)."""
    out = set()
    for item in items:
        for name in item:
            if name.startswith(keys.GATED_MATCH_REF_PREFIX):
                parsed = parse_target_id(name[len(keys.GATED_MATCH_REF_PREFIX) :])
                if parsed is not None:
                    out.add(parsed[0])
    return out


def order_references_from_items(items: Iterable[Mapping[str, Any]], issued: Set[str] = frozenset()) -> list[str]:
    """The references of the active orders in a listing's match items, sorted, de-duplicated;
    a gated target's only when its order is in `issued`. Takes items as BatchGetItem returns
    them ({"S": ...}) or deserialised (plain strings)."""
    references: set[str] = set()
    for item in items:
        for name, value in item.items():
            if name.startswith(keys.GATED_MATCH_REF_PREFIX):
                parsed = parse_target_id(name[len(keys.GATED_MATCH_REF_PREFIX) :])
                if parsed is None or parsed[0] not in issued:
                    continue
            elif not name.startswith(keys.MATCH_REF_PREFIX):
                continue
            references.add(value["S"] if isinstance(value, Mapping) else str(value))
    return sorted(references)


def issued_orders(client: Any, table: str, order_ids: Set[str]) -> set[str]:
    """Which of `order_ids` are ISSUED (one BatchGetItem of their headers; none when empty)."""
    if not order_ids:
        return set()
    found = batch_get(client, table, [keys.order_header(order_id) for order_id in order_ids])
    return {
        order_id
        for order_id in order_ids
        if (header := found.get(tuple(keys.order_header(order_id).values()))) is not None
        and header.get("status", {}).get("S") == ISSUED
    }


# --- Item conversion ----------------------------------------------------------------------------


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def target_item(
    target: TakedownTarget, agency: str, urgency: Urgency, gated: bool = False
) -> dict[str, Any]:
    index = parse_target_id(target.id)
    if index is None:
        raise ValueError(f"not a target id: {target.id}")
    item: dict[str, Any] = {
        **{name: _s(value) for name, value in keys.order_target(*index).items()},
        "entity": _s("TARGET"),
        "gsi1pk": _s(keys.targets_partition(target.platform, target.state.value)),
        "gsi1sk": _s(keys.target_deadline_sort(iso(target.deadline), target.id)),
        "id": _s(target.id),
        "order_id": _s(target.order_id),
        "reference": _s(target.reference),
        "agency": _s(agency),
        "urgency": _s(urgency.value),
        "platform": _s(target.platform),
        "kind": _s(target.kind.value),
        "value": _s(target.value),
        "state": _s(target.state.value),
        "late": {"BOOL": target.late},
        "issued_at": _s(iso(target.issued_at)),
        "deadline": _s(iso(target.deadline)),
    }
    if target.seller_id is not None:
        item["seller_id"] = _s(target.seller_id)
    if target.note is not None:
        item["note"] = _s(target.note)
    if target.resolved_at is not None:
        item["resolved_at"] = _s(iso(target.resolved_at))
    if gated:
        item["gated"] = {"BOOL": True}
    for notice in target.notices:
        item[keys.notice_attribute(notice.level.value)] = _s(iso(notice.issued_at))
    if target.order_withdrawn:
        item["order_withdrawn"] = {"BOOL": True}
    if target.resolution is not None:
        item["resolution"] = _s(target.resolution.value)
    if target.resolution_note is not None:
        item["resolution_note"] = _s(target.resolution_note)
    return item


def target_from_item(item: Mapping[str, Any]) -> TakedownTarget:
    def text(name: str) -> str | None:
        value = item.get(name)
        return None if value is None else value["S"]

    resolved_at = text("resolved_at")
    resolution = text("resolution")
    notices = tuple(
        ComplianceNotice(level, parse_iso(issued))
        for level in LEVELS
        if (issued := text(keys.notice_attribute(level.value))) is not None
    )
    return TakedownTarget(
        id=item["id"]["S"],
        order_id=item["order_id"]["S"],
        platform=item["platform"]["S"],
        kind=TargetKind(item["kind"]["S"]),
        value=item["value"]["S"],
        seller_id=text("seller_id"),
        state=TargetState(item["state"]["S"]),
        note=text("note"),
        resolved_at=None if resolved_at is None else parse_iso(resolved_at),
        late=item.get("late", {}).get("BOOL", False),
        reference=item["reference"]["S"],
        issued_at=parse_iso(item["issued_at"]["S"]),
        deadline=parse_iso(item["deadline"]["S"]),
        notices=notices,
        order_withdrawn=item.get("order_withdrawn", {}).get("BOOL", False),
        resolution=None if resolution is None else DisputeResolution(resolution),
        resolution_note=text("resolution_note"),
    )


def _header_item(order: TakedownOrder, content_hash: str, status: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        **{name: _s(value) for name, value in keys.order_header(order.id).items()},
        "entity": _s("ORDER"),
        "id": _s(order.id),
        "reference": _s(order.reference),
        "legal_basis": _s(order.legal_basis),
        "reason": _s(order.reason),
        "agency": _s(order.agency),
        "urgency": _s(order.urgency.value),
        "issued_at": _s(iso(order.issued_at)),
        "deadline": _s(iso(order.deadline)),
        "content_hash": _s(content_hash),
        "target_count": {"N": str(len(order.targets))},
        "status": _s(status),
    }
    if status == ISSUING:
        item["gsi1pk"] = _s(keys.ISSUING_ORDERS_PARTITION)
        item["gsi1sk"] = _s(f"{iso(order.issued_at)}#{order.id}")
        item["pending_targets"] = {"B": _pack_targets(order.targets)}
    return item


def _pack_targets(targets: Sequence[TakedownTarget]) -> bytes:
    rows = [[t.platform, t.kind.value, t.value, t.seller_id] for t in targets]
    return gzip.compress(json.dumps(rows, separators=(",", ":")).encode(), mtime=0)


def _unpack_targets(blob: bytes, order: TakedownOrder) -> tuple[TakedownTarget, ...]:
    rows = json.loads(gzip.decompress(blob))
    return tuple(
        TakedownTarget(
            id=target_id(order.id, i),
            order_id=order.id,
            platform=platform,
            kind=TargetKind(kind),
            value=value,
            seller_id=seller_id,
            state=TargetState.PENDING,
            note=None,
            resolved_at=None,
            late=False,
            reference=order.reference,
            issued_at=order.issued_at,
            deadline=order.deadline,
        )
        for i, (platform, kind, value, seller_id) in enumerate(rows)
    )


def _order_from_items(header: Mapping[str, Any], targets: Sequence[TakedownTarget]) -> TakedownOrder:
    count = int(header["target_count"]["N"]) if "target_count" in header else len(targets)
    withdrawn_at = header.get("withdrawn_at", {}).get("S")
    return TakedownOrder(
        id=header["id"]["S"],
        reference=header["reference"]["S"],
        legal_basis=header["legal_basis"]["S"],
        reason=header["reason"]["S"],
        agency=header["agency"]["S"],
        urgency=Urgency(header["urgency"]["S"]),
        issued_at=parse_iso(header["issued_at"]["S"]),
        deadline=parse_iso(header["deadline"]["S"]),
        targets=tuple(sorted(targets, key=lambda t: t.id)),
        status=OrderStatus(header.get("status", {}).get("S", ISSUED)),
        target_count=count if count != len(targets) else None,
        withdrawn_at=None if withdrawn_at is None else parse_iso(withdrawn_at),
        withdraw_reason=header.get("withdraw_reason", {}).get("S"),
    )


def _cancellation_reasons(error: ClientError) -> list[dict[str, Any]] | None:
    """The per-action reasons of a cancelled transaction, or None for any other error."""
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return None
    return list(error.response.get("CancellationReasons") or [])


_RETRYABLE_CANCELLATIONS = {"None", "ConditionalCheckFailed", "TransactionConflict"}


# --- Cursors ------------------------------------------------------------------------------------


def _scope(partitions: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(partitions).encode()).hexdigest()[:16]


def encode_cursor(scope: str, positions: Mapping[str, tuple[str, str]]) -> str:
    document = {"s": scope, "p": {part: list(pos) for part, pos in sorted(positions.items())}}
    raw = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _cursor_document(cursor: str, scope: str) -> dict[str, Any]:
    """The JSON document of a cursor of this query (scope); BadUserInputError for anything else,
    including a cursor of another query."""
    try:
        document = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error, AttributeError):
        raise _bad_cursor() from None
    if not isinstance(document, dict) or document.get("s") != scope:
        raise _bad_cursor()
    return document


def _bad_cursor() -> BadUserInputError:
    return BadUserInputError("after is not a cursor of this query", field="after")


def decode_cursor(cursor: str, scope: str, partitions: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Positions per partition (gsi1sk, target id); BadUserInputError for anything else, including
    a cursor of another query (another platform, state or scope)."""
    bad = _bad_cursor()
    positions = _cursor_document(cursor, scope).get("p")
    if not isinstance(positions, dict):
        raise bad
    out: dict[str, tuple[str, str]] = {}
    for part, pos in positions.items():
        if (
            part not in partitions
            or not isinstance(pos, list)
            or len(pos) != 2
            or not all(isinstance(x, str) for x in pos)
            or parse_target_id(pos[1]) is None
            or not pos[0].endswith("#" + pos[1])
        ):
            raise bad
        out[part] = (pos[0], pos[1])
    return out


@dataclass(frozen=True, slots=True)
class _PartitionRead:
    partition: str
    items: list[dict[str, Any]]
    cut_short: bool  # DynamoDB stopped before the limit (1 MB page): more may follow


def _list_items(order: TakedownOrder) -> list[dict[str, Any]]:
    """The order's listing items (keys.order_list_*): one for its agency, one per platform."""
    sort = _s(keys.order_issued_sort(iso(order.issued_at), order.id))
    common = {
        "entity": _s("ORDERLIST"),
        "order_id": _s(order.id),
        "agency": _s(order.agency),
        "reference": _s(order.reference),
        "gsi1sk": sort,
    }
    items = [
        {
            **keys.typed(keys.order_list_agency(order.id)),
            **common,
            "gsi1pk": _s(keys.orders_of_agency(order.agency)),
        }
    ]
    for platform in sorted({t.platform for t in order.targets}):
        items.append(
            {
                **keys.typed(keys.order_list_platform(order.id, platform)),
                **common,
                "gsi1pk": _s(keys.orders_of_platform(platform)),
            }
        )
    return items


def _order_cursor(scope: str, sort_key: str) -> str:
    raw = json.dumps({"s": scope, "k": sort_key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _decode_order_cursor(cursor: str, scope: str) -> str:
    sort_key = _cursor_document(cursor, scope).get("k")
    order_id = sort_key.rpartition("#")[2] if isinstance(sort_key, str) else ""
    if parse_target_id(f"{order_id}-000") is None:
        raise _bad_cursor()
    return sort_key


# --- The adapter --------------------------------------------------------------------------------


class DynamoDBOrderBook(OrderBook):
    def __init__(self, client: Any, table_name: str, settings: Settings) -> None:
        self._client = client
        self._table = table_name
        self._settings = settings

    # --- issue ----------------------------------------------------------------------------------

    def issue(self, order: TakedownOrder, content_hash: str, actor: str) -> TakedownOrder:
        listed = _list_items(order)
        chunks = self._chunks(order.targets, first_reserved=3 + len(listed))
        claim = {
            **keys.typed(keys.order_claim(order.agency, order.reference)),
            "entity": _s("ORDERREF"),
            "order_id": _s(order.id),
            "content_hash": _s(content_hash),
            "agency": _s(order.agency),
            "reference": _s(order.reference),
        }
        status = ISSUED if len(chunks) == 1 else ISSUING
        event = AuditEvent(
            subject=f"order:{order.id}",
            action="TAKEDOWN_ISSUED",
            actor=actor,
            at=order.issued_at,
            before=None,
            after={
                "reference": order.reference,
                "agency": order.agency,
                "urgency": order.urgency.value,
                "issued_at": iso(order.issued_at),
                "deadline": iso(order.deadline),
                "targets": len(order.targets),
                "content_hash": content_hash,
            },
        )
        actions = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": claim,
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _header_item(order, content_hash, status),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            audit_put(self._table, event),
            *({"Put": {"TableName": self._table, "Item": item}} for item in listed),
            *self._target_actions(order, chunks[0], gated=len(chunks) > 1),
        ]
        try:
            self._transact_retrying_conflicts(actions)
        except ClientError as error:
            reasons = _cancellation_reasons(error)
            if not reasons or reasons[0].get("Code") != "ConditionalCheckFailed":
                raise
            existing = reasons[0].get("Item") or self._get(
                keys.order_claim(order.agency, order.reference)
            )
            if existing is None:  # the claim vanished: claims are never deleted
                raise
            if existing["content_hash"]["S"] != content_hash:
                raise ConflictError(
                    f"order {order.reference} was already issued with other content",
                    field="reference",
                    extensions={"orderId": existing["order_id"]["S"]},
                ) from None
            return self._resume(existing["order_id"]["S"], order)
        if len(chunks) > 1:
            try:
                for n, chunk in enumerate(chunks[1:], start=2):
                    mark = [self._mark_issued(order.id)] if n == len(chunks) else []
                    self._client.transact_write_items(
                        TransactItems=[*self._target_actions(order, chunk, gated=True), *mark]
                    )
            except ClientError as error:
                if _cancellation_reasons(error) is None:
                    raise
                self._complete(order)
        return order

    def _resume(self, order_id: str, retried: TakedownOrder) -> TakedownOrder:
        """A retry of an issue: completes the first order if it was interrupted, returns it."""
        header, targets = self._read_order(order_id)
        if header is None:
            raise SaringError(f"order {order_id} has a claim but no header")
        first = _order_from_items(header, ())
        if header["status"]["S"] != ISSUED:
            rebound = tuple(
                replace(
                    t,
                    id=target_id(first.id, i),
                    order_id=first.id,
                    issued_at=first.issued_at,
                    deadline=first.deadline,
                )
                for i, t in enumerate(retried.targets)
            )
            self._complete(replace(first, targets=rebound))
            header, targets = self._read_order(order_id)
            assert header is not None
        return _order_from_items(header, targets)

    def _complete(self, order: TakedownOrder, attempts: int = 5) -> None:
        """Writes the targets that do not exist yet, then marks the order ISSUED."""
        for _ in range(attempts):
            _, stored = self._read_order(order.id)
            written = {t.id for t in stored}
            remaining = [t for t in order.targets if t.id not in written]
            chunks = self._chunks(remaining, first_reserved=1) if remaining else [[]]
            try:
                for n, chunk in enumerate(chunks, start=1):
                    mark = [self._mark_issued(order.id)] if n == len(chunks) else []
                    self._client.transact_write_items(
                        TransactItems=[*self._target_actions(order, chunk, gated=True), *mark]
                    )
                return
            except ClientError as error:
                reasons = _cancellation_reasons(error)
                if reasons is None or not {r.get("Code") for r in reasons} <= _RETRYABLE_CANCELLATIONS:
                    raise
        raise SaringError(f"could not complete issuing order {order.id}; retry the request")

    def _mark_issued(self, order_id: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": keys.typed(keys.order_header(order_id)),
                "UpdateExpression": "SET #status = :issued REMOVE gsi1pk, gsi1sk, pending_targets",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":issued": _s(ISSUED)},
            }
        }

    def _order_still_issued(self, order_id: str) -> dict[str, Any]:
        """A transaction item that holds only while the order is issued (not withdrawn)."""
        return {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": keys.typed(keys.order_header(order_id)),
                "ConditionExpression": "#status = :issued",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":issued": _s(ISSUED)},
            }
        }

    @staticmethod
    def _chunks(
        targets: Sequence[TakedownTarget], first_reserved: int
    ) -> list[list[TakedownTarget]]:
        """Targets grouped so that each group's actions (a Put per target, an Update per distinct
        match key) plus the reserved ones (claim, header, audit; or the header update) fit in one
        transaction."""
        chunks: list[list[TakedownTarget]] = [[]]
        match: set[str] = set()
        for target in targets:
            pk = target_match_key(target)["pk"]
            needed = len(chunks[-1]) + 1 + len(match | {pk}) + first_reserved
            if needed > MAX_TRANSACTION_ACTIONS:
                chunks.append([])
                match = set()
            chunks[-1].append(target)
            match.add(pk)
        return chunks

    def _target_actions(
        self, order: TakedownOrder, targets: Sequence[TakedownTarget], gated: bool
    ) -> list[dict[str, Any]]:
        actions: list[dict[str, Any]] = []
        by_match: dict[str, tuple[dict[str, str], list[TakedownTarget]]] = {}
        for target in targets:
            actions.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": target_item(target, order.agency, order.urgency, gated),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
            key = target_match_key(target)
            by_match.setdefault(key["pk"], (key, []))[1].append(target)
        for key, named in by_match.values():
            names = {f"#r{i}": keys.match_reference_attribute(t.id, gated) for i, t in enumerate(named)}
            actions.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": keys.typed(key),
                        "UpdateExpression": "SET " + ", ".join(f"{n} = :ref" for n in names),
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": {":ref": _s(order.reference)},
                    }
                }
            )
        return actions

    # --- sweep ----------------------------------------------------------------------------------

    def sweep(self, issued_before: datetime) -> list[str]:
        """Completes every order still ISSUING that was issued before `issued_before` (an issue
        interrupted and never retried); returns their ids. One Query on gsi1's ORDERS#ISSUING."""
        completed: list[str] = []
        for order_id in self._order_ids_before(keys.ISSUING_ORDERS_PARTITION, issued_before):
            header, _ = self._read_order(order_id)
            if header is None or header["status"]["S"] == ISSUED:
                continue  # completed meanwhile (gsi1 lags)
            first = _order_from_items(header, ())
            self._complete(
                replace(first, targets=_unpack_targets(header["pending_targets"]["B"], first))
            )
            completed.append(first.id)
        return completed

    def _order_ids_before(self, partition: str, before: datetime) -> Iterator[str]:
        """The order ids a sweep's gsi1 partition holds from before `before`, every page."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :p AND gsi1sk < :before",
            "ExpressionAttributeValues": {":p": _s(partition), ":before": _s(iso(before))},
        }
        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                yield item["id"]["S"]
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # --- read -----------------------------------------------------------------------------------

    def _visible(
        self, items: Iterable[dict[str, Any]], statuses: dict[str, bool]
    ) -> list[dict[str, Any]]:
        """The target items a platform may see: a `gated` target only once its order is ISSUED.
        `statuses` caches each order's answer for one listing; the orders not in it yet are
        read together (`issued_orders`, the same check a verdict's matches go through)."""
        items = list(items)
        gated = [item for item in items if item.get("gated", {}).get("BOOL")]
        unknown = {item["order_id"]["S"] for item in gated} - statuses.keys()
        if unknown:
            issued = issued_orders(self._client, self._table, unknown)
            statuses.update({order_id: order_id in issued for order_id in unknown})
        return [
            item
            for item in items
            if not item.get("gated", {}).get("BOOL") or statuses[item["order_id"]["S"]]
        ]

    def _get(self, key: Mapping[str, str]) -> dict[str, Any] | None:
        response = self._client.get_item(TableName=self._table, Key=keys.typed(key), ConsistentRead=True)
        return response.get("Item")

    def _read_order(self, order_id: str) -> tuple[dict[str, Any] | None, list[TakedownTarget]]:
        header: dict[str, Any] | None = None
        targets: list[TakedownTarget] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": _s(keys.order_partition(order_id))},
            "ConsistentRead": True,
        }
        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                if item["sk"]["S"] == keys.ORDER_SK:
                    header = item
                elif item["sk"]["S"].startswith(keys.TARGET_SK_PREFIX):
                    targets.append(target_from_item(item))
            if "LastEvaluatedKey" not in response:
                return header, targets
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def order(self, order_id: str) -> TakedownOrder | None:
        if parse_target_id(f"{order_id}-000") is None:
            return None
        header, targets = self._read_order(order_id)
        return None if header is None else _order_from_items(header, targets)

    # --- acknowledge ----------------------------------------------------------------------------

    def acknowledge(
        self,
        platform: str,
        target_id: str,
        state: TargetState,
        note: str | None,
        at: datetime,
        actor: str,
    ) -> TakedownTarget:
        # Another platform's target answers exactly like an unknown one: existence is not leaked.
        missing = NotFoundError(f"no takedown target {target_id}", field="targetId")
        parsed = parse_target_id(target_id)
        if parsed is None:
            raise missing
        key = keys.order_target(*parsed)
        item = self._get(key)
        if item is None or item["platform"]["S"] != platform:
            raise missing
        target = target_from_item(item)
        updated, changed = acknowledged(target, state, note, at)
        if not changed:
            return target
        names = {"#state": "state", "#note": "note", "#platform": "platform"}
        values: dict[str, Any] = {
            ":pending": _s(TargetState.PENDING.value),
            ":platform": _s(platform),
            ":state": _s(state.value),
            ":gsi1pk": _s(keys.targets_partition(platform, state.value)),
            ":resolved_at": _s(iso(at)),
            ":late": {"BOOL": updated.late},
        }
        expression = "SET #state = :state, gsi1pk = :gsi1pk, resolved_at = :resolved_at, late = :late"
        if note is not None:
            expression += ", #note = :note"
            values[":note"] = _s(note)
        else:
            expression += " REMOVE #note"
        actions: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": keys.typed(key),
                    "UpdateExpression": expression,
                    "ConditionExpression": "#state = :pending AND #platform = :platform",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
        ]
        if state not in ACTIVE_STATES:
            actions.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": keys.typed(target_match_key(target)),
                        "UpdateExpression": "REMOVE #ref, #gated",
                        "ExpressionAttributeNames": {
                            "#ref": keys.match_reference_attribute(target.id),
                            "#gated": keys.match_reference_attribute(target.id, gated=True),
                        },
                    }
                }
            )
        actions.append(
            audit_put(
                self._table,
                AuditEvent(
                    subject=f"order:{target.order_id}",
                    action="TAKEDOWN_ACKNOWLEDGED",
                    actor=actor,
                    at=at,
                    before={"target_id": target.id, "state": target.state.value},
                    after={
                        "target_id": target.id,
                        "state": state.value,
                        "note": note,
                        "resolved_at": iso(at),
                        "late": updated.late,
                    },
                ),
            )
        )
        # Not after the order's withdrawal: with this check, a withdrawal that has set the
        # header reads every acknowledgement that can ever commit.
        actions.append(
            {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": keys.typed(keys.order_header(target.order_id)),
                    "ConditionExpression": "#status <> :withdrawn",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": {":withdrawn": _s(OrderStatus.WITHDRAWN.value)},
                }
            }
        )
        try:
            self._transact_retrying_conflicts(actions)
        except ClientError as error:
            reasons = _cancellation_reasons(error)
            if reasons and reasons[-1].get("Code") == "ConditionalCheckFailed":
                raise ConflictError(
                    f"the order of target {target.id} was withdrawn", field="targetId"
                ) from None
            if not reasons or reasons[0].get("Code") != "ConditionalCheckFailed":
                raise
            # Acknowledged concurrently: the same acknowledgement is a success, another a conflict.
            current = reasons[0].get("Item") or self._get(key)
            if current is None or current["platform"]["S"] != platform:
                raise missing from None
            stored, changed = acknowledged(target_from_item(current), state, note, at)
            if changed:
                raise
            return stored
        return updated

    def _transact_retrying_conflicts(self, actions: list[dict[str, Any]], attempts: int = 4) -> None:
        """TransactWriteItems, again after a cancellation that says nothing about our conditions
        (TransactionConflict with a concurrent writer, throttling): the acknowledgement's own
        condition (still PENDING) makes the retry safe. Any other failure is raised at once."""
        for attempt in range(1, attempts + 1):
            try:
                self._client.transact_write_items(TransactItems=actions)
                return
            except ClientError as error:
                reasons = _cancellation_reasons(error)
                codes = {r.get("Code") for r in reasons or []} - {"None", None}
                if attempt == attempts or not reasons or not codes <= TRANSIENT_CANCELLATION_REASONS:
                    raise
            time.sleep(full_jitter(0.02 * 2**attempt))

    # --- list -----------------------------------------------------------------------------------

    def targets(
        self,
        platforms: Sequence[str],
        state: TargetState | None,
        first: int,
        after: str | None,
        agency: str | None = None,
    ) -> TargetPage:
        states = [state] if state is not None else list(TargetState)
        partitions = [keys.targets_partition(p, s.value) for p in platforms for s in states]
        scope = _scope(partitions)
        positions = decode_cursor(after, scope, partitions) if after else {}
        limit = first + 1
        reads = concurrently(
            lambda part: self._read_partition(part, positions.get(part), limit, agency), partitions
        )
        # Merged order is safe only up to the last item read from a partition that has more.
        bounds = [r.items[-1]["gsi1sk"]["S"] for r in reads if r.cut_short and r.items]
        bound = min(bounds) if bounds else None
        merged = sorted(
            (
                (item["gsi1sk"]["S"], r.partition, item)
                for r in reads
                for item in r.items
                if bound is None or item["gsi1sk"]["S"] <= bound
            ),
            key=lambda entry: entry[0],
        )
        has_next = len(merged) > first or any(r.cut_short for r in reads)
        edges: list[TargetEdge] = []
        current = dict(positions)
        for sort_key, partition, item in merged[:first]:
            current[partition] = (sort_key, item["id"]["S"])
            edges.append(TargetEdge(encode_cursor(scope, current), target_from_item(item)))
        if not edges and any(r.cut_short for r in reads):
            # A partition returned nothing within a 1 MB page; resume after what it read.
            raise SaringError("listing could not make progress; retry")
        return TargetPage(
            edges=edges,
            has_next_page=has_next,
            end_cursor=edges[-1].cursor if edges else after,
        )

    def _read_partition(
        self,
        partition: str,
        position: tuple[str, str] | None,
        limit: int,
        agency: str | None = None,
    ) -> _PartitionRead:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": {":p": _s(partition)},
            "Limit": limit,
        }
        if agency is not None:
            # Limit counts the items read before the filter: keep reading until `limit` items
            # passed it or the partition ends, so "cut short" keeps its meaning below.
            request["FilterExpression"] = "agency = :agency"
            request["ExpressionAttributeValues"][":agency"] = _s(agency)
        if position is not None:
            sort_key, tid = position
            parsed = parse_target_id(tid)
            assert parsed is not None  # checked by decode_cursor
            request["ExclusiveStartKey"] = {
                **keys.typed(keys.order_target(*parsed)),
                "gsi1pk": _s(partition),
                "gsi1sk": _s(sort_key),
            }
        items: list[dict[str, Any]] = []
        statuses: dict[str, bool] = {}
        while True:
            response = self._client.query(**request)
            read = response.get("Items", [])
            visible = self._visible(read, statuses)
            items.extend(visible)
            more = "LastEvaluatedKey" in response
            hidden = len(visible) < len(read)
            # Like the agency filter, hidden targets count towards Limit: read on.
            if (agency is None and not hidden) or not more or len(items) >= limit:
                return _PartitionRead(partition, items[:limit], more and len(items) < limit)
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def targets_issued(
        self, platform: str, since: datetime, until: datetime, agency: str | None = None
    ) -> list[TakedownTarget]:
        # A target's deadline is its issue time plus at most the longest deadline delay, so the
        # window on issue time is a range on deadline (the gsi1 sort key) plus a filter.
        low = iso(since)
        high = iso(until + max_deadline_delay(self._settings)) + "$"  # "$" sorts after "#<id>"
        partitions = [keys.targets_partition(platform, s.value) for s in TargetState]

        def read(partition: str) -> list[TakedownTarget]:
            found: list[TakedownTarget] = []
            statuses: dict[str, bool] = {}
            request: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :p AND gsi1sk BETWEEN :low AND :high",
                "FilterExpression": "issued_at >= :since AND issued_at < :until",
                "ExpressionAttributeValues": {
                    ":p": _s(partition),
                    ":low": _s(low),
                    ":high": _s(high),
                    ":since": _s(iso(since)),
                    ":until": _s(iso(until)),
                },
            }
            if agency is not None:
                request["FilterExpression"] += " AND agency = :agency"
                request["ExpressionAttributeValues"][":agency"] = _s(agency)
            while True:
                response = self._client.query(**request)
                found.extend(
                    target_from_item(item)
                    for item in self._visible(response.get("Items", []), statuses)
                )
                if "LastEvaluatedKey" not in response:
                    return found
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

        return [t for targets in concurrently(read, partitions) for t in targets]

    # --- matches --------------------------------------------------------------------------------

    def active_order_references(
        self, platform: str, listing_id: str, seller_id: str, url: str | None
    ) -> list[str]:
        """One listing's matches in one BatchGetItem (the verdicts path batches many listings'
        `match_keys` itself)."""
        items = list(batch_get(self._client, self._table, match_keys(platform, listing_id, seller_id, url)).values())
        return order_references_from_items(items, issued_orders(self._client, self._table, gated_order_ids(items)))

    # --- list orders ----------------------------------------------------------------------------

    def orders(self, scope: OrderFilter, first: int, after: str | None) -> OrderPage:
        """Queries of the agency's or the platform's listing partition on gsi1, newest first
        (the listing items carry agency and reference, filtered in the Query), one BatchGetItem
        of the headers per page read (status is only there), then the targets of the orders on
        the page (one Query each, concurrently). An agency's reference is its claim: one GetItem
        instead."""
        if scope.agency is not None:
            partition = keys.orders_of_agency(scope.agency)
        elif scope.platform is not None:
            partition = keys.orders_of_platform(scope.platform)
        else:
            raise ValueError("an order listing needs an agency or a platform")
        shape = [partition, scope.issued_by or "", scope.status or "", scope.reference or ""]
        cursor_scope = _scope(shape)
        start = _decode_order_cursor(after, cursor_scope) if after else None
        if scope.agency is not None and scope.reference is not None:
            claimed = self._claimed_order(scope.agency, scope.reference)
            found = [] if claimed is None or start is not None else [claimed]
            kept = self._kept(found, scope)
        else:
            kept = self._listed(partition, scope, start, first)
        has_next = len(kept) > first
        page = kept[:first]
        read = concurrently(lambda entry: self._read_order(entry[1]), page)
        edges = []
        for (sort_key, _), (header, targets) in zip(page, read, strict=True):
            assert header is not None
            if scope.platform is not None:
                targets = [t for t in targets if t.platform == scope.platform]
            edges.append(
                OrderEdge(_order_cursor(cursor_scope, sort_key), _order_from_items(header, targets))
            )
        return OrderPage(
            edges=edges, has_next_page=has_next, end_cursor=edges[-1].cursor if edges else after
        )

    def _claimed_order(self, agency: str, reference: str) -> tuple[str, str] | None:
        claim = self._get(keys.order_claim(agency, reference))
        if claim is None:
            return None
        order_id = claim["order_id"]["S"]
        header = self._get(keys.order_header(order_id))
        if header is None:
            return None
        return keys.order_issued_sort(header["issued_at"]["S"], order_id), order_id

    def _listed(
        self, partition: str, scope: OrderFilter, start: str | None, first: int
    ) -> list[tuple[str, str]]:
        """(sort key, order id) of up to first + 1 orders after `start` that pass the filters."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": {":p": _s(partition)},
            "ScanIndexForward": False,
            "Limit": first + 1,
        }
        filters = []
        if scope.issued_by is not None:
            filters.append("agency = :agency")
            request["ExpressionAttributeValues"][":agency"] = _s(scope.issued_by)
        if scope.reference is not None:
            filters.append("#reference = :reference")  # a reserved word
            request["ExpressionAttributeNames"] = {"#reference": "reference"}
            request["ExpressionAttributeValues"][":reference"] = _s(scope.reference)
        if filters:
            request["FilterExpression"] = " AND ".join(filters)
        if start is not None:
            order_id = start.rpartition("#")[2]
            key = (
                keys.order_list_agency(order_id)
                if scope.agency is not None
                else keys.order_list_platform(order_id, scope.platform or "")
            )
            request["ExclusiveStartKey"] = {
                **keys.typed(key),
                "gsi1pk": _s(partition),
                "gsi1sk": _s(start),
            }
        kept: list[tuple[str, str]] = []
        while True:
            response = self._client.query(**request)
            read = [
                (item["gsi1sk"]["S"], item["order_id"]["S"]) for item in response.get("Items", [])
            ]
            kept += self._kept(read, scope)
            if len(kept) > first or "LastEvaluatedKey" not in response:
                return kept[: first + 1]
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _kept(self, found: list[tuple[str, str]], scope: OrderFilter) -> list[tuple[str, str]]:
        """The entries whose header passes the status filter; for a platform, not ISSUING
        (platforms see an order once all its targets are written)."""
        if scope.status is None and scope.platform is None:
            return found
        headers = self._headers([order_id for _, order_id in found])
        kept = []
        for sort_key, order_id in found:
            header = headers.get(order_id)
            status = None if header is None else header.get("status", {}).get("S", ISSUED)
            if status is None or (scope.platform is not None and status == ISSUING):
                continue
            if scope.status is not None and status != scope.status.value:
                continue
            kept.append((sort_key, order_id))
        return kept

    def _headers(self, order_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not order_ids:
            return {}
        found = batch_get(self._client, self._table, [keys.order_header(i) for i in set(order_ids)])
        return {
            order_id: item
            for order_id in order_ids
            if (item := found.get(tuple(keys.order_header(order_id).values()))) is not None
        }

    # --- withdraw -------------------------------------------------------------------------------

    def withdraw(
        self, order_id: str, agency: str, reason: str, at: datetime, actor: str
    ) -> TakedownOrder:
        missing = NotFoundError(f"no takedown order {order_id}", field="orderId")
        if parse_target_id(f"{order_id}-000") is None:
            raise missing
        header, _ = self._read_order(order_id)
        if header is None or header["agency"]["S"] != agency:
            raise missing
        if header["status"]["S"] == ISSUING:
            # Its missing targets first: the sweep must never write PENDING targets later.
            first = _order_from_items(header, ())
            self._complete(
                replace(first, targets=_unpack_targets(header["pending_targets"]["B"], first))
            )
            header, _ = self._read_order(order_id)
            assert header is not None
        if header["status"]["S"] != OrderStatus.WITHDRAWN.value:
            self._mark_withdrawn(header, reason, at, actor)
        return self._settle_all(order_id)

    def _settle_all(self, order_id: str) -> TakedownOrder:
        """Settles every target of a WITHDRAWN order not settled yet, then takes its header off
        the WITHDRAWING partition; the order as it is then."""
        for _ in range(5):
            header, targets = self._read_order(order_id)
            assert header is not None
            order = _order_from_items(header, targets)
            assert order.withdrawn_at is not None
            unsettled = [t for t in order.targets if not t.order_withdrawn]
            try:
                if unsettled:
                    self._settle(order, unsettled)
                    continue
                if header.get("gsi1pk", {}).get("S") == keys.WITHDRAWING_ORDERS_PARTITION:
                    self._client.update_item(
                        TableName=self._table,
                        Key=keys.typed(keys.order_header(order_id)),
                        UpdateExpression="REMOVE gsi1pk, gsi1sk",
                        ConditionExpression="#status = :withdrawn",
                        ExpressionAttributeNames={"#status": "status"},
                        ExpressionAttributeValues={":withdrawn": _s(OrderStatus.WITHDRAWN.value)},
                    )
                return order
            except ClientError as error:
                if _cancellation_reasons(error) is None:
                    raise
                # A target changed meanwhile (a concurrent withdrawal): read again.
        raise SaringError(f"could not settle the targets of withdrawn order {order_id}; retry")

    def sweep_withdrawals(self, withdrawn_before: datetime) -> list[str]:
        """Settles the orders WITHDRAWN before `withdrawn_before` whose withdrawal was
        interrupted and never retried; their ids. One Query on gsi1's ORDERS#WITHDRAWING."""
        settled: list[str] = []
        for order_id in self._order_ids_before(keys.WITHDRAWING_ORDERS_PARTITION, withdrawn_before):
            self._settle_all(order_id)
            settled.append(order_id)
        return settled

    def _mark_withdrawn(self, header: Mapping[str, Any], reason: str, at: datetime, actor: str) -> None:
        order_id = header["id"]["S"]
        try:
            self._transact_retrying_conflicts(
                [
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": keys.typed(keys.order_header(order_id)),
                            "UpdateExpression": "SET #status = :withdrawn, withdrawn_at = :at, "
                            "withdraw_reason = :reason, gsi1pk = :withdrawing, gsi1sk = :sort",
                            "ConditionExpression": "#status = :issued",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {
                                ":withdrawn": _s(OrderStatus.WITHDRAWN.value),
                                ":issued": _s(ISSUED),
                                ":at": _s(iso(at)),
                                ":reason": _s(reason),
                                ":withdrawing": _s(keys.WITHDRAWING_ORDERS_PARTITION),
                                ":sort": _s(keys.order_issued_sort(iso(at), order_id)),
                            },
                        }
                    },
                    audit_put(
                        self._table,
                        AuditEvent(
                            subject=f"order:{order_id}",
                            action="TAKEDOWN_WITHDRAWN",
                            actor=actor,
                            at=at,
                            before={"status": header["status"]["S"]},
                            after={
                                "status": OrderStatus.WITHDRAWN.value,
                                "reason": reason,
                                "withdrawn_at": iso(at),
                            },
                        ),
                    ),
                ]
            )
        except ClientError as error:
            reasons = _cancellation_reasons(error)
            if not reasons or reasons[0].get("Code") != "ConditionalCheckFailed":
                raise
            # Withdrawn meanwhile by a concurrent call: its reason and time stand.

    def _settle(self, order: TakedownOrder, targets: Sequence[TakedownTarget]) -> None:
        """`withdrawn_target` for each target, its match item cleared, in transactions of at
        most MAX_TRANSACTION_ACTIONS (a target and a distinct match item are an action each);
        each target update is conditioned on the state it was read in."""
        assert order.withdrawn_at is not None
        batch: list[TakedownTarget] = []
        matches: set[str] = set()

        def flush() -> None:
            if batch:
                self._client.transact_write_items(TransactItems=self._settle_actions(order, batch))
            batch.clear()
            matches.clear()

        for target in targets:
            pk = target_match_key(target)["pk"]
            if len(batch) + 1 + len(matches | {pk}) > MAX_TRANSACTION_ACTIONS:
                flush()
            batch.append(target)
            matches.add(pk)
        flush()

    def _settle_actions(
        self, order: TakedownOrder, targets: Sequence[TakedownTarget]
    ) -> list[dict[str, Any]]:
        assert order.withdrawn_at is not None
        actions: list[dict[str, Any]] = []
        by_match: dict[str, tuple[dict[str, str], list[TakedownTarget]]] = {}
        for target in targets:
            settled = withdrawn_target(target, order.withdrawn_at)
            parsed = parse_target_id(target.id)
            assert parsed is not None
            values: dict[str, Any] = {
                ":old": _s(target.state.value),
                ":state": _s(settled.state.value),
                ":gsi1pk": _s(keys.targets_partition(target.platform, settled.state.value)),
                ":yes": {"BOOL": True},
                ":reason": _s(order.withdraw_reason or ""),
            }
            # The reason travels with the target: the order events function revokes a removed
            # target's strike from the stream, whoever settled it (the API or the sweep).
            expression = (
                "SET #state = :state, gsi1pk = :gsi1pk, order_withdrawn = :yes, "
                "withdraw_reason = :reason"
            )
            if settled.resolved_at != target.resolved_at and settled.resolved_at is not None:
                expression += ", resolved_at = :resolved_at"
                values[":resolved_at"] = _s(iso(settled.resolved_at))
            actions.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": keys.typed(keys.order_target(*parsed)),
                        "UpdateExpression": expression,
                        "ConditionExpression": "#state = :old",
                        "ExpressionAttributeNames": {"#state": "state"},
                        "ExpressionAttributeValues": values,
                    }
                }
            )
            key = target_match_key(target)
            by_match.setdefault(key["pk"], (key, []))[1].append(target)
        for key, named in by_match.values():
            names = {}
            for i, target in enumerate(named):
                names[f"#r{i}"] = keys.match_reference_attribute(target.id)
                names[f"#g{i}"] = keys.match_reference_attribute(target.id, gated=True)
            actions.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": keys.typed(key),
                        "UpdateExpression": "REMOVE " + ", ".join(names),
                        "ExpressionAttributeNames": names,
                    }
                }
            )
        return actions

    # --- resolve a dispute ----------------------------------------------------------------------

    def resolve_dispute(
        self,
        agency: str,
        target_id: str,
        resolution: DisputeResolution,
        note: str,
        at: datetime,
        actor: str,
    ) -> TakedownTarget:
        missing = NotFoundError(f"no takedown target {target_id}", field="targetId")
        parsed = parse_target_id(target_id)
        if parsed is None:
            raise missing
        key = keys.order_target(*parsed)
        for _ in range(4):
            item = self._get(key)
            header = self._get(keys.order_header(parsed[0]))
            if item is None or header is None or header["agency"]["S"] != agency:
                raise missing
            target = target_from_item(item)
            if header["status"]["S"] == OrderStatus.WITHDRAWN.value:
                target = replace(target, order_withdrawn=True)
            urgency = Urgency(item["urgency"]["S"])
            reopen_for = deadline_for(at, urgency, self._settings) - at
            updated, changed = dispute_resolved(target, resolution, note, at, reopen_for)
            if not changed:
                return target
            try:
                self._transact_retrying_conflicts(
                    self._resolution_actions(target, updated, header, actor, at)
                )
            except ClientError as error:
                if _cancellation_reasons(error) is None:
                    raise
                continue  # the target or its order changed meanwhile: decide again
            return updated
        raise SaringError(f"target {target_id} kept changing; retry")

    def _resolution_actions(
        self,
        target: TakedownTarget,
        updated: TakedownTarget,
        header: Mapping[str, Any],
        actor: str,
        at: datetime,
    ) -> list[dict[str, Any]]:
        parsed = parse_target_id(target.id)
        assert parsed is not None and updated.resolution is not None
        names = {"#state": "state", "#deadline": "deadline"}
        values: dict[str, Any] = {
            ":disputed": _s(TargetState.DISPUTED.value),
            ":state": _s(updated.state.value),
            ":gsi1pk": _s(keys.targets_partition(updated.platform, updated.state.value)),
            ":gsi1sk": _s(keys.target_deadline_sort(iso(updated.deadline), updated.id)),
            ":deadline": _s(iso(updated.deadline)),
            ":resolution": _s(updated.resolution.value),
            ":resolution_note": _s(updated.resolution_note or ""),
            ":late": {"BOOL": updated.late},
        }
        expression = (
            "SET #state = :state, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, #deadline = :deadline, "
            "resolution = :resolution, resolution_note = :resolution_note, late = :late"
        )
        if updated.resolved_at is None:
            expression += " REMOVE resolved_at"
        else:
            expression += ", resolved_at = :resolved_at"
            values[":resolved_at"] = _s(iso(updated.resolved_at))
        actions: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": keys.typed(keys.order_target(*parsed)),
                    "UpdateExpression": expression,
                    "ConditionExpression": "#state = :disputed",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            },
            self._order_still_issued(target.order_id),
            audit_put(
                self._table,
                AuditEvent(
                    subject=f"order:{target.order_id}",
                    action="TAKEDOWN_DISPUTE_RESOLVED",
                    actor=actor,
                    at=at,
                    before={"target_id": target.id, "state": target.state.value},
                    after={
                        "target_id": target.id,
                        "state": updated.state.value,
                        "resolution": updated.resolution.value,
                        "note": updated.resolution_note,
                        "deadline": iso(updated.deadline),
                    },
                ),
            ),
        ]
        if updated.applies:
            # UPHELD: the target applies to verdicts again, as when it was issued.
            actions.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": keys.typed(target_match_key(target)),
                        "UpdateExpression": "SET #ref = :reference",
                        "ExpressionAttributeNames": {
                            "#ref": keys.match_reference_attribute(target.id)
                        },
                        "ExpressionAttributeValues": {":reference": _s(target.reference)},
                    }
                }
            )
        return actions

    # --- the warning ladder ---------------------------------------------------------------------

    def issue_notices(
        self, platforms: Sequence[str], now: datetime, ladder: NoticeLadder
    ) -> list[tuple[TakedownTarget, ComplianceNotice]]:
        """Per platform, one Query of its PENDING partition up to `now` (targets past their
        deadline: the only ones a notice can be due for), then per notice due one transaction:
        the target's notice attribute (conditioned on the target still PENDING, with the
        deadline read, the level not yet issued and the one before it issued) and the notice
        item (whose INSERT the order events function announces). A concurrent run's write makes
        ours fail its condition and is skipped; a run stopped midway leaves each notice written
        whole or not at all, and the next run issues what is still due."""
        issued: list[tuple[TakedownTarget, ComplianceNotice]] = []
        for platform in platforms:
            for target in self._overdue_targets(platform, now):
                level = notice_due(target, now, ladder)
                if level is None:
                    continue
                notice = ComplianceNotice(level, now)
                try:
                    self._client.transact_write_items(
                        TransactItems=self._notice_actions(target, notice)
                    )
                except ClientError as error:
                    reasons = _cancellation_reasons(error)
                    if reasons is None or not {r.get("Code") for r in reasons} <= _RETRYABLE_CANCELLATIONS:
                        raise
                    continue  # issued by a concurrent run, or the target changed: next run
                issued.append((replace(target, notices=(*target.notices, notice)), notice))
        return issued

    def _overdue_targets(self, platform: str, now: datetime) -> Iterable[TakedownTarget]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :p AND gsi1sk < :now",
            "ExpressionAttributeValues": {
                ":p": _s(keys.targets_partition(platform, TargetState.PENDING.value)),
                ":now": _s(iso(now)),
            },
        }
        statuses: dict[str, bool] = {}
        while True:
            response = self._client.query(**request)
            for item in self._visible(response.get("Items", []), statuses):
                yield target_from_item(item)
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _notice_actions(
        self, target: TakedownTarget, notice: ComplianceNotice
    ) -> list[dict[str, Any]]:
        parsed = parse_target_id(target.id)
        assert parsed is not None
        level = notice.level.value
        names = {"#state": "state", "#deadline": "deadline", "#notice": keys.notice_attribute(level)}
        condition = (
            "#state = :pending AND #deadline = :deadline AND attribute_not_exists(#notice) "
            "AND attribute_not_exists(order_withdrawn)"
        )
        position = LEVELS.index(notice.level)
        if position:
            names["#previous"] = keys.notice_attribute(LEVELS[position - 1].value)
            condition += " AND attribute_exists(#previous)"
        item: dict[str, Any] = {
            **keys.typed(keys.order_notice(parsed[0], parsed[1], level)),
            "entity": _s("NOTICE"),
            "order_id": _s(target.order_id),
            "target_id": _s(target.id),
            "reference": _s(target.reference),
            "platform": _s(target.platform),
            "kind": _s(target.kind.value),
            "value": _s(target.value),
            "level": _s(level),
            "issued_at": _s(iso(notice.issued_at)),
            "deadline": _s(iso(target.deadline)),
        }
        if target.seller_id is not None:
            item["seller_id"] = _s(target.seller_id)
        return [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": keys.typed(keys.order_target(*parsed)),
                    "UpdateExpression": "SET #notice = :at",
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": {
                        ":at": _s(iso(notice.issued_at)),
                        ":pending": _s(TargetState.PENDING.value),
                        ":deadline": _s(iso(target.deadline)),
                    },
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            # Not for an order withdrawn whose targets are not all settled yet.
            self._order_still_issued(target.order_id),
        ]
