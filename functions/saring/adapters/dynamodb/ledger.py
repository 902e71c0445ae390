"""The strike ledger on the single DynamoDB table.

Items (key formats in ``keys.py``):

* **strike** ``SELLER#<platform>#<seller>`` / ``STRIKE#<id>``: appended, never deleted; a
  revocation sets ``revoked_at``/``revoke_reason``/``revoked_by`` once (conditional update).
* **summary** ``SELLER#<platform>#<seller>`` / ``SUMMARY``: ``version`` (optimistic lock),
  ``total``/``revoked`` counts, ``active`` = {strike_id: expires_at} of non-revoked strikes,
  ``recorded`` = {strike_id: recorded_at} of the same, ``fingerprints`` = {hmac: kind}.
* **idempotency** ``STRIKEKEY#<platform>#<source>#<key>``: the first strike and the seller after
  it; written with ``attribute_not_exists`` so a retry finds the first strike in the
  cancellation reason (``ReturnValuesOnConditionCheckFailure=ALL_OLD``); the seller is read
  again for the answer (a replay reports today's standing, not the stored one).
* **identity links** ``IDENTITY#<hmac>`` / ``PLATFORM#<platform>``: that platform's sellers
  linked to the fingerprint, each with a copy of its strikes (``identity_links.py``).
* **link rate** ``LINKRATE#<platform>`` / ``<UTC hour>``: the platform's links that hour.
* **audit** events via ``audit_put``, in the same transaction as the change.

Trust boundary: every write of a platform's mutation lands on that platform's own items (its
sellers' summaries, strikes, audit events and identity-links items, its rate counter); no item
of another platform's sellers is ever written, so no item grows with another platform's actions
and no platform's links can make another's fail. What a seller shares with sellers elsewhere is
computed when it is read: its summary names its fingerprints, and one BatchGetItem reads the
other platforms' links to them (``identity_blocked_elsewhere``, with the clock, so a block
elsewhere lapses when its strikes expire, with no write).

Transaction sizes (DynamoDB allows 100 items):
  strike     4 + F   (idempotency, strike, summary, audit, one identity-links item per fingerprint)
  revocation 3 + F   (strike, summary, audit, one per fingerprint)
  link       3 + N   (rate counter, summary, audit, N <= 2 identity-links items)
with F <= MAX_FINGERPRINTS_PER_SELLER (a link beyond it is refused with CONFLICT).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from saring.adapters.backoff import full_jitter
from saring.adapters.dynamodb import keys
from saring.adapters.dynamodb.audit import audit_page, audit_put
from saring.adapters.dynamodb.batch import batch_get, concurrently
from saring.adapters.dynamodb.client import TRANSIENT_CANCELLATION_REASONS
from saring.adapters.dynamodb.cursors import decode_sort_key, encode_sort_key
from saring.adapters.dynamodb.identity_links import (
    identity_signals,
    member_av,
    members_of,
    new_links_item,
    other_platforms_links,
    strikes_av,
)
from saring.domain.audit import AuditEvent, AuditPage
from saring.domain.errors import (
    BadUserInputError,
    ConflictError,
    ContentionError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    SaringError,
)
from saring.domain.identity import (
    Fingerprint,
    IdentitySignalPage,
    PlatformLinks,
    block_elsewhere,
)
from saring.domain.pages import page_size
from saring.domain.strikes import (
    BlockedElsewhere,
    Seller,
    SellerStanding,
    Standing,
    Strike,
    StrikeDraft,
    StrikePage,
    StrikePolicy,
    StrikeReceipt,
    StrikeSource,
    count_unexpired,
    expiry_map,
    seller_from_expiries,
)
from saring.ports import Ledger
from saring.settings import DEFAULT_PLATFORMS

MAX_FINGERPRINTS_PER_SELLER = 10  # phones and NIKs one seller may carry
MAX_SELLERS_PER_FINGERPRINT = 20  # a platform's own sellers linked to one phone or NIK
DEFAULT_LINKS_PER_HOUR = 1_000
MAX_ATTEMPTS = 10
MAX_PAGE = 100
_BACKOFF_BASE = 0.01
_BACKOFF_CAP = 0.25
_RETRYABLE_CODES = TRANSIENT_CANCELLATION_REASONS | {"ConditionalCheckFailed"}

T = TypeVar("T")
AV = dict[str, Any]  # a DynamoDB item in AttributeValue form, as the low-level client uses


# --- Keys for the verdict path -------------------------------------------------------------


def summary_key(platform: str, seller_id: str) -> dict[str, str]:
    """The summary's key (plain strings); ``keys.typed`` turns it into BatchGetItem form."""
    return keys.seller_summary(platform, seller_id)


# --- Summary items: parsing, and the pure standing function of the verdict path ------------


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _expiries_from(av: AV | None) -> dict[str, datetime]:
    if not av:
        return {}
    return {sid: _dt(v["S"]) for sid, v in av.get("M", {}).items()}


def _expiries_av(active: dict[str, datetime]) -> AV:
    return {"M": {sid: {"S": exp.isoformat()} for sid, exp in sorted(active.items())}}


@dataclass
class _Summary:
    platform: str
    seller_id: str
    version: int = 0  # 0: no item yet
    total: int = 0
    revoked: int = 0
    active: dict[str, datetime] = field(default_factory=dict)
    recorded: dict[str, datetime] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        return self.version > 0

    @classmethod
    def parse(cls, item: AV) -> _Summary:
        # Summaries written before the trust-boundary change may still hold `peers`: ignored.
        return cls(
            platform=item["platform"]["S"],
            seller_id=item["seller_id"]["S"],
            version=int(item["version"]["N"]),
            total=int(item.get("total", {}).get("N", "0")),
            revoked=int(item.get("revoked", {}).get("N", "0")),
            active=_expiries_from(item.get("active")),
            recorded=_expiries_from(item.get("recorded")),
            fingerprints={d: v["S"] for d, v in item.get("fingerprints", {}).get("M", {}).items()},
        )

    def seller(
        self, now: datetime, policy: StrikePolicy, blocked: BlockedElsewhere | None = None
    ) -> Seller:
        return seller_from_expiries(
            self.platform,
            self.seller_id,
            self.active.values(),
            now,
            policy,
            blocked_elsewhere=blocked,
            total=self.total,
            revoked=self.revoked,
            linked_identities=len(self.fingerprints),
        )

    def strike_times(self, now: datetime, policy: StrikePolicy) -> dict[str, tuple[datetime, datetime]]:
        """Unexpired, non-revoked strikes as {id: (recorded_at, expires_at)}; a strike from
        before `recorded` existed is dated by its expiry."""
        return {
            sid: (self.recorded.get(sid, expires - policy.expiry), expires)
            for sid, expires in expiry_map(self.active, now).items()
        }

    def full_item(self, now: datetime) -> AV:
        key = keys.seller_summary(self.platform, self.seller_id)
        return {
            "pk": {"S": key["pk"]},
            "sk": {"S": key["sk"]},
            "kind": {"S": "SELLER_SUMMARY"},
            "platform": {"S": self.platform},
            "seller_id": {"S": self.seller_id},
            "version": {"N": str(self.version)},
            "total": {"N": str(self.total)},
            "revoked": {"N": str(self.revoked)},
            "active": _expiries_av(self.active),
            "recorded": _expiries_av(self.recorded),
            "fingerprints": {"M": {d: {"S": k} for d, k in self.fingerprints.items()}},
            "updated_at": {"S": now.isoformat()},
        }


def _recorded_for(
    active: dict[str, datetime], recorded: dict[str, datetime]
) -> dict[str, datetime]:
    """Recording times of the active strikes only (the map shrinks as strikes lapse)."""
    return {sid: at for sid, at in recorded.items() if sid in active}


def summary_fingerprints(item: AV | None) -> list[str]:
    """The fingerprints a summary item names (whose links elsewhere a verdict reads)."""
    return sorted((item or {}).get("fingerprints", {}).get("M", {}))


def standing_from_summary_item(
    item: AV | None,
    now: datetime,
    policy: StrikePolicy,
    *,
    platform: str = "",
    seller_id: str = "",
    links: Sequence[PlatformLinks] = (),
) -> SellerStanding:
    """PURE: a seller's standing from its summary item (BatchGetItem form), the other
    platforms' links to its fingerprints (read with ``other_platforms_links``) and the clock.

    ``item=None`` (no summary) is a GOOD seller with no strikes; pass ``platform``/``seller_id``
    then, since there is no item to read them from.
    """
    if item is None:
        return SellerStanding(platform, seller_id, policy.standing_for(0), 0, None)
    summary = _Summary.parse(item)
    active = count_unexpired(summary.active.values(), now)
    return SellerStanding(
        platform=summary.platform,
        seller_id=summary.seller_id,
        standing=policy.standing_for(active),
        active_strikes=active,
        blocked_elsewhere=block_elsewhere(summary.platform, links, now, policy),
    )


# --- Strike items ----------------------------------------------------------------------------


def _strike_item(strike: Strike) -> AV:
    key = keys.strike(strike.platform, strike.seller_id, strike.id)
    item: AV = {
        "pk": {"S": key["pk"]},
        "sk": {"S": key["sk"]},
        "kind": {"S": "STRIKE"},
        "strike_id": {"S": strike.id},
        "platform": {"S": strike.platform},
        "seller_id": {"S": strike.seller_id},
        "source": {"S": strike.source.value},
        "idempotency_key": {"S": strike.idempotency_key},
        "recorded_by": {"S": strike.recorded_by},
        "created_at": {"S": strike.created_at.isoformat()},
        "expires_at": {"S": strike.expires_at.isoformat()},
    }
    for name in (
        "listing_id",
        "order_reference",
        "target_id",
        "note",
        "revoke_reason",
        "revoked_by",
    ):
        value = getattr(strike, name)
        if value is not None:
            item[name] = {"S": value}
    if strike.revoked_at is not None:
        item["revoked_at"] = {"S": strike.revoked_at.isoformat()}
    return item


def _strike_from_item(item: AV) -> Strike:
    def opt(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    revoked_at = opt("revoked_at")
    return Strike(
        id=item["strike_id"]["S"],
        platform=item["platform"]["S"],
        seller_id=item["seller_id"]["S"],
        source=StrikeSource(item["source"]["S"]),
        idempotency_key=item["idempotency_key"]["S"],
        recorded_by=item["recorded_by"]["S"],
        created_at=_dt(item["created_at"]["S"]),
        expires_at=_dt(item["expires_at"]["S"]),
        listing_id=opt("listing_id"),
        order_reference=opt("order_reference"),
        target_id=opt("target_id"),
        note=opt("note"),
        revoked_at=_dt(revoked_at) if revoked_at else None,
        revoke_reason=opt("revoke_reason"),
        revoked_by=opt("revoked_by"),
    )


def _strike_json(strike: Strike) -> str:
    return json.dumps(
        {k: v["S"] for k, v in _strike_item(strike).items() if "S" in v}, sort_keys=True
    )


def _strike_from_json(text: str) -> Strike:
    return _strike_from_item({k: {"S": v} for k, v in json.loads(text).items()})


def _seller_json(seller: Seller) -> str:
    return json.dumps(
        {
            "platform": seller.platform,
            "seller_id": seller.seller_id,
            "standing": seller.standing.value,
            "active_strikes": seller.active_strikes,
            "total_strikes": seller.total_strikes,
            "revoked_strikes": seller.revoked_strikes,
            "blocked_elsewhere": (
                None
                if seller.blocked_elsewhere is None
                else {
                    "platforms": seller.blocked_elsewhere.platforms,
                    "since": seller.blocked_elsewhere.since.isoformat(),
                }
            ),
            "linked_identities": seller.linked_identities,
        },
        sort_keys=True,
    )


def _audit_state(seller: Seller) -> dict[str, Any]:
    return {
        "standing": seller.standing.value,
        "active_strikes": seller.active_strikes,
        "total_strikes": seller.total_strikes,
        "revoked_strikes": seller.revoked_strikes,
    }


# --- Cursors -------------------------------------------------------------------------------


def encode_cursor(sort_key: str) -> str:
    return encode_sort_key("sk", sort_key)


def decode_cursor(cursor: str) -> str:
    return decode_sort_key(cursor, "sk", lambda sk: sk.startswith(keys.STRIKE_PREFIX))


# --- Errors ------------------------------------------------------------------------------------


class ExtraItemCancelledError(ConflictError):
    """A caller's own item in a combined transaction (``record_strike(extra_items=...)``) failed;
    ``reasons`` are the cancellation reasons of those items, in the caller's order."""

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__("a condition of the combined transaction failed")
        self.reasons = reasons


def _new_strike_id(now: datetime) -> str:
    """28 hex digits: milliseconds since the epoch (12), then 64 random bits; sorts by time."""
    return f"{int(now.timestamp() * 1000):012x}{secrets.token_hex(8)}"


@dataclass(frozen=True)
class PreparedStrike:
    """The TransactWriteItems entries of one strike, and what it will have done if they commit.

    ``items`` order: idempotency, strike, summary, audit, then one identity-links item per
    fingerprint (4 + F).
    """

    items: list[dict[str, Any]]
    receipt: StrikeReceipt
    draft: StrikeDraft


class DynamoLedger(Ledger):
    def __init__(
        self,
        client: Any,
        table_name: str,
        policy: StrikePolicy,
        *,
        platforms: Sequence[str] = DEFAULT_PLATFORMS,
        links_per_hour: int = DEFAULT_LINKS_PER_HOUR,
        max_attempts: int = MAX_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.table = table_name
        self.policy = policy
        self.platforms = tuple(platforms)
        self.links_per_hour = links_per_hour
        self.max_attempts = max_attempts
        self._sleep = sleep

    # --- reads -------------------------------------------------------------------------------

    def _get(self, key: dict[str, str]) -> AV | None:
        response = self.client.get_item(
            TableName=self.table, Key=keys.typed(key), ConsistentRead=True
        )
        return response.get("Item")

    def _batch_get(self, wanted: Sequence[dict[str, str]]) -> dict[tuple[str, str], AV]:
        return batch_get(self.client, self.table, wanted, consistent=True)

    def _summary(self, platform: str, seller_id: str) -> _Summary:
        item = self._get(keys.seller_summary(platform, seller_id))
        return _Summary.parse(item) if item else _Summary(platform, seller_id)

    def _blocked_elsewhere(self, summary: _Summary, now: datetime) -> BlockedElsewhere | None:
        """Read-only: the other platforms' links to the seller's fingerprints (1 BatchGetItem,
        none for a seller without fingerprints)."""
        if not summary.fingerprints:
            return None
        links = other_platforms_links(
            self.client, self.table, {"seller": summary.fingerprints}, summary.platform, self.platforms
        )["seller"]
        return block_elsewhere(summary.platform, links, now, self.policy)

    def _seller_of(self, summary: _Summary, now: datetime) -> Seller:
        return summary.seller(now, self.policy, self._blocked_elsewhere(summary, now))

    def seller(
        self, platform: str, seller_id: str, now: datetime, *, first: int | None = None
    ) -> Seller:
        if first is None:
            return self._seller_of(self._summary(platform, seller_id), now)
        first = _page_size(first)
        # One Query: sort keys STRIKE#… < SUMMARY, so newest-first returns the summary first.
        response = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
            ExpressionAttributeValues={
                ":pk": {"S": keys.seller_partition(platform, seller_id)},
                ":lo": {"S": keys.STRIKE_PREFIX},
                ":hi": {"S": keys.SUMMARY_SK},
            },
            ScanIndexForward=False,
            Limit=first + 2,
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        summary = _Summary(platform, seller_id)
        if items and items[0]["sk"]["S"] == keys.SUMMARY_SK:
            summary = _Summary.parse(items[0])
            items = items[1:]
        seller = self._seller_of(summary, now)
        return replace(seller, strike_page=_page(items, first))

    def strikes(
        self, platform: str, seller_id: str, first: int, after: str | None = None
    ) -> StrikePage:
        first = _page_size(first)
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {
                ":pk": {"S": keys.seller_partition(platform, seller_id)},
                ":lo": {"S": keys.STRIKE_PREFIX},
                ":hi": {"S": keys.STRIKE_RANGE_END},
            },
            "ScanIndexForward": False,
            "Limit": first + 1,
            "ConsistentRead": True,
        }
        if after is not None:
            request["ExclusiveStartKey"] = {
                "pk": {"S": keys.seller_partition(platform, seller_id)},
                "sk": {"S": decode_cursor(after)},
            }
        return _page(self.client.query(**request).get("Items", []), first)

    def strikes_of_sellers(
        self, platform: str, seller_ids: Sequence[str], first: int, after: str | None = None
    ) -> dict[str, StrikePage]:
        """One Query per seller (a partition each), all in flight together."""
        pages = concurrently(lambda seller: self.strikes(platform, seller, first, after), seller_ids)
        return dict(zip(seller_ids, pages, strict=True))

    def audit_trail(
        self, platform: str, seller_id: str, first: int, after: str | None = None
    ) -> AuditPage:
        subject = keys.seller_subject(platform, seller_id)
        return audit_page(self.client, self.table, subject, _page_size(first), after)

    # --- strikes ---------------------------------------------------------------------------

    def strike_transaction_items(self, draft: StrikeDraft, now: datetime) -> PreparedStrike:
        """Reads the summary (1 request) and returns the strike's transaction entries, for a
        caller that writes them together with its own items; see also ``record_strike``."""
        return self._prepare_strike(draft, self._summary(draft.platform, draft.seller_id), now)

    def _prepare_strike(
        self, draft: StrikeDraft, summary: _Summary, now: datetime
    ) -> PreparedStrike:
        strike = draft.to_strike(_new_strike_id(now), now, self.policy)
        blocked = self._blocked_elsewhere(summary, now)
        before = summary.seller(now, self.policy, blocked)
        active = {**expiry_map(summary.active, now), strike.id: strike.expires_at}
        after_summary = replace(
            summary,
            version=summary.version + 1,
            total=summary.total + 1,
            active=active,
            recorded=_recorded_for(active, {**summary.recorded, strike.id: strike.created_at}),
        )
        after = after_summary.seller(now, self.policy, blocked)
        idem_key = keys.strike_idempotency(
            draft.platform, draft.source.value, draft.idempotency_key
        )
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": {
                        **keys.typed(idem_key),
                        "kind": {"S": "STRIKE_IDEMPOTENCY"},
                        "strike": {"S": _strike_json(strike)},
                        "seller": {"S": _seller_json(after)},
                        "created_at": {"S": now.isoformat()},
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": {
                        **_strike_item(strike),
                        **keys.typed(
                            keys.strikes_of_day(
                                strike.platform, strike.created_at.astimezone(UTC).date().isoformat(), strike.id
                            )
                        ),
                        # This strike made the seller BLOCKED: an enforcement action of its own
                        # for statements of reasons (saring.transparency).
                        "blocked_seller": {
                            "BOOL": after.standing is Standing.BLOCKED and before.standing is not Standing.BLOCKED
                        },
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            self._summary_write(summary, after_summary, now),
            audit_put(
                self.table,
                AuditEvent(
                    subject=keys.seller_subject(draft.platform, draft.seller_id),
                    action="STRIKE_RECORDED",
                    actor=draft.recorded_by,
                    at=now,
                    before=_audit_state(before),
                    after={
                        **_audit_state(after),
                        "strike_id": strike.id,
                        "source": strike.source.value,
                        "listing_id": strike.listing_id,
                        "order_reference": strike.order_reference,
                        "target_id": strike.target_id,
                    },
                ),
            ),
            *self._link_copies(after_summary, now),
        ]
        return PreparedStrike(items, StrikeReceipt(strike, after), draft)

    def record_strike(
        self, draft: StrikeDraft, now: datetime, *, extra_items: Sequence[dict[str, Any]] = ()
    ) -> StrikeReceipt:
        """2 requests (GetItem summary, TransactWriteItems) when uncontended, plus one
        BatchGetItem of the other platforms' links when the seller has linked identities; a
        retry of the same key reads the seller again (GetItem, and that BatchGetItem) and
        returns the first strike with the seller as it stands now (a strike revoked or expired
        since is not counted again), ``replayed=True``.

        ``extra_items`` (e.g. an order acknowledgement) are written first in the same
        transaction; if one of their conditions fails, ExtraItemCancelledError is raised.
        """
        if len(extra_items) + 4 + MAX_FINGERPRINTS_PER_SELLER > 100:
            raise BadUserInputError("too many items for one transaction")

        def attempt() -> StrikeReceipt:
            prepared = self.strike_transaction_items(draft, now)
            try:
                self._transact([*extra_items, *prepared.items])
            except _CancelledError as cancelled:
                reasons = cancelled.reasons
                own, mine = reasons[: len(extra_items)], reasons[len(extra_items) :]
                if any(r.get("Code") == "ConditionalCheckFailed" for r in own):
                    raise ExtraItemCancelledError(own) from None
                idem = mine[0] if mine else {}
                if idem.get("Code") == "ConditionalCheckFailed":
                    return self._replay(draft, idem.get("Item"), now)
                raise
            return prepared.receipt

        return self._until_committed(attempt)

    def _replay(self, draft: StrikeDraft, item: AV | None, now: datetime) -> StrikeReceipt:
        """The first strike, and the seller read again now: a replay changes nothing, so it
        reports today's standing, not the one stored with the first answer. Read again, not
        taken from this attempt's read: when botocore retried a transaction whose reply was
        lost, that read predates our own committed strike."""
        if item is None:  # DynamoDB returns it (ALL_OLD); read it if a stand-in did not
            item = self._get(
                keys.strike_idempotency(draft.platform, draft.source.value, draft.idempotency_key)
            )
            if item is None:
                raise SaringError("idempotency item vanished")
        first = _strike_from_json(item["strike"]["S"])
        if not draft.same_request(first):
            raise ConflictError(
                "this idempotency key was already used for a different strike",
                field="idempotencyKey",
            )
        current = self._seller_of(self._summary(draft.platform, draft.seller_id), now)
        return StrikeReceipt(first, current, replayed=True)

    # --- revocation ------------------------------------------------------------------------

    def revoke_strike(
        self,
        platform: str,
        seller_id: str,
        strike_id: str,
        *,
        reason: str,
        revoked_by: str,
        now: datetime,
        may_revoke: Callable[[Strike], bool] | None = None,
        extra_items: Sequence[dict[str, Any]] = (),
    ) -> Seller:
        """2 requests: BatchGetItem (summary + strike), TransactWriteItems.

        ``extra_items`` (e.g. an appeal's decision) are written first in the same transaction;
        if one of their conditions fails, ExtraItemCancelledError is raised."""
        summary_k = keys.seller_summary(platform, seller_id)
        strike_k = keys.strike(platform, seller_id, strike_id)

        def attempt() -> Seller:
            found = self._batch_get([summary_k, strike_k])
            summary_item = found.get((summary_k["pk"], summary_k["sk"]))
            strike_item = found.get((strike_k["pk"], strike_k["sk"]))
            if summary_item is None:
                raise NotFoundError("no such seller", field="sellerId")
            if strike_item is None:
                raise NotFoundError("no such strike", field="strikeId")
            strike = _strike_from_item(strike_item)
            if may_revoke is not None and not may_revoke(strike):
                raise ForbiddenError(
                    "only the platform that recorded a strike, or the agency whose order "
                    "caused it, may revoke it"
                )
            if strike.revoked:
                raise ConflictError("the strike is already revoked", field="strikeId")
            summary = _Summary.parse(summary_item)
            blocked = self._blocked_elsewhere(summary, now)
            before = summary.seller(now, self.policy, blocked)
            active = expiry_map(summary.active, now)
            active.pop(strike.id, None)
            after_summary = replace(
                summary,
                version=summary.version + 1,
                revoked=summary.revoked + 1,
                active=active,
                recorded=_recorded_for(active, summary.recorded),
            )
            after = after_summary.seller(now, self.policy, blocked)
            items = [
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": keys.typed(strike_k),
                        "UpdateExpression": "SET revoked_at = :at, revoke_reason = :why, revoked_by = :who",
                        "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(revoked_at)",
                        "ExpressionAttributeValues": {
                            ":at": {"S": now.isoformat()},
                            ":why": {"S": reason},
                            ":who": {"S": revoked_by},
                        },
                    }
                },
                self._summary_write(summary, after_summary, now),
                audit_put(
                    self.table,
                    AuditEvent(
                        subject=keys.seller_subject(platform, seller_id),
                        action="STRIKE_REVOKED",
                        actor=revoked_by,
                        at=now,
                        before=_audit_state(before),
                        after={**_audit_state(after), "strike_id": strike.id, "reason": reason},
                    ),
                ),
                *self._link_copies(after_summary, now),
            ]
            # A strike condition failure means a concurrent revocation: the next read says so.
            try:
                self._transact([*extra_items, *items])
            except _CancelledError as cancelled:
                own = cancelled.reasons[: len(extra_items)]
                if any(r.get("Code") == "ConditionalCheckFailed" for r in own):
                    raise ExtraItemCancelledError(own) from None
                raise
            return after

        return self._until_committed(attempt)

    # --- identity links ----------------------------------------------------------------------

    def link_identity(
        self,
        platform: str,
        seller_id: str,
        fingerprints: Sequence[Fingerprint],
        *,
        actor: str,
        now: datetime,
    ) -> Seller:
        """Writes the seller's summary and this platform's identity-links items only. 1 request
        when nothing is new (BatchGetItem), else 2 (+ TransactWriteItems), plus 1 BatchGetItem of
        the other platforms' links for the answer. RateLimitedError past `links_per_hour`."""
        summary_k = keys.seller_summary(platform, seller_id)

        def attempt() -> Seller:
            links_k = {fp.digest: keys.identity_links(fp.digest, platform) for fp in fingerprints}
            found = self._batch_get([summary_k, *links_k.values()])
            item = found.get((summary_k["pk"], summary_k["sk"]))
            summary = _Summary.parse(item) if item else _Summary(platform, seller_id)
            new = [fp for fp in fingerprints if fp.digest not in summary.fingerprints]
            if not new:
                return self._seller_of(summary, now)
            if len(summary.fingerprints) + len(new) > MAX_FINGERPRINTS_PER_SELLER:
                raise ConflictError(
                    f"a seller carries at most {MAX_FINGERPRINTS_PER_SELLER} phones and NIKs"
                )
            links = {d: found.get((k["pk"], k["sk"])) for d, k in links_k.items()}
            for fp in new:
                if len(members_of(links[fp.digest]) - {seller_id}) >= MAX_SELLERS_PER_FINGERPRINT:
                    raise ConflictError(
                        "this phone or NIK is linked to too many of this platform's sellers"
                    )
            before = summary.seller(now, self.policy)
            after_summary = replace(
                summary,
                version=summary.version + 1,
                active=expiry_map(summary.active, now),
                fingerprints={**summary.fingerprints, **{fp.digest: fp.kind.value for fp in new}},
            )
            member = member_av(now, after_summary.strike_times(now, self.policy))
            items: list[dict[str, Any]] = [
                self._link_rate_write(platform, now),
                self._fingerprints_write(summary, after_summary, now),
                *(
                    self._member_write(platform, fp, links[fp.digest], seller_id, member, now)
                    for fp in new
                ),
                self._identity_audit(
                    "SELLER_IDENTITY_LINKED", summary, after_summary, new, actor, now
                ),
            ]
            try:
                self._transact(items)
            except _CancelledError as cancelled:
                if cancelled.reasons and cancelled.reasons[0].get("Code") == "ConditionalCheckFailed":
                    self._refuse_link(platform, seller_id, actor, now, before)
                raise
            return self._seller_of(after_summary, now)

        return self._until_committed(attempt)

    def unlink_identity(
        self,
        platform: str,
        seller_id: str,
        fingerprints: Sequence[Fingerprint],
        *,
        actor: str,
        now: datetime,
    ) -> Seller:
        """Removes the seller's links to these fingerprints (those it has; the others change
        nothing), from its summary and this platform's identity-links items, audited."""
        summary_k = keys.seller_summary(platform, seller_id)

        def attempt() -> Seller:
            links_k = {fp.digest: keys.identity_links(fp.digest, platform) for fp in fingerprints}
            found = self._batch_get([summary_k, *links_k.values()])
            item = found.get((summary_k["pk"], summary_k["sk"]))
            summary = _Summary.parse(item) if item else _Summary(platform, seller_id)
            gone = [fp for fp in fingerprints if fp.digest in summary.fingerprints]
            if not gone:
                return self._seller_of(summary, now)
            after_summary = replace(
                summary,
                version=summary.version + 1,
                fingerprints={
                    d: k for d, k in summary.fingerprints.items() if d not in {f.digest for f in gone}
                },
            )
            items: list[dict[str, Any]] = [
                self._fingerprints_write(summary, after_summary, now),
                self._identity_audit(
                    "SELLER_IDENTITY_UNLINKED", summary, after_summary, gone, actor, now
                ),
            ]
            for fp in gone:
                links_item = found.get((links_k[fp.digest]["pk"], links_k[fp.digest]["sk"]))
                if links_item is not None and seller_id in members_of(links_item):
                    items.append(self._member_removal(fp, links_item, seller_id))
            self._transact(items)
            return self._seller_of(after_summary, now)

        return self._until_committed(attempt)

    def identity_signals(
        self, first: int, after: str | None, now: datetime
    ) -> IdentitySignalPage:
        return identity_signals(self.client, self.table, first, after, now, self.policy)

    def _link_rate_write(self, platform: str, now: datetime) -> dict[str, Any]:
        """First in the link transaction: its condition failing means the hour's budget is spent."""
        return {
            "Update": {
                "TableName": self.table,
                "Key": keys.typed(keys.link_rate(platform, now.strftime("%Y-%m-%dT%H"))),
                "UpdateExpression": "ADD links :one",
                "ConditionExpression": "attribute_not_exists(links) OR links < :limit",
                "ExpressionAttributeValues": {
                    ":one": {"N": "1"},
                    ":limit": {"N": str(self.links_per_hour)},
                },
            }
        }

    def _refuse_link(
        self, platform: str, seller_id: str, actor: str, now: datetime, before: Seller
    ) -> None:
        """Audits the refusal on the seller (what was refused, never the phone or NIK) and
        raises RateLimitedError."""
        self.client.put_item(
            **audit_put(
                self.table,
                AuditEvent(
                    subject=keys.seller_subject(platform, seller_id),
                    action="SELLER_IDENTITY_LINK_REFUSED",
                    actor=actor,
                    at=now,
                    before={"linked_identities": before.linked_identities},
                    after={"reason": "rate limit", "links_per_hour": self.links_per_hour},
                ),
            )["Put"]
        )
        raise RateLimitedError(
            f"this platform may link at most {self.links_per_hour} identities an hour; "
            "retry next hour"
        )

    def _identity_audit(
        self,
        action: str,
        summary: _Summary,
        after: _Summary,
        changed: Sequence[Fingerprint],
        actor: str,
        now: datetime,
    ) -> dict[str, Any]:
        return audit_put(
            self.table,
            AuditEvent(
                subject=keys.seller_subject(summary.platform, summary.seller_id),
                action=action,
                actor=actor,
                at=now,
                before={"linked_identities": len(summary.fingerprints)},
                after={
                    "linked_identities": len(after.fingerprints),
                    "kinds": sorted(fp.kind.value for fp in changed),
                },
            ),
        )

    def _fingerprints_write(
        self, summary: _Summary, after: _Summary, now: datetime
    ) -> dict[str, Any]:
        """The summary's fingerprints, under its version (owner attributes stay as they are)."""
        if not summary.exists:
            return self._put_new_summary(after, now)
        return {
            "Update": {
                "TableName": self.table,
                "Key": keys.typed(keys.seller_summary(summary.platform, summary.seller_id)),
                "UpdateExpression": "SET fingerprints = :f, version = :next, updated_at = :now",
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {
                    ":f": {"M": {d: {"S": k} for d, k in sorted(after.fingerprints.items())}},
                    ":next": {"N": str(after.version)},
                    ":now": {"S": now.isoformat()},
                    ":v": {"N": str(summary.version)},
                },
            }
        }

    def _member_write(
        self,
        platform: str,
        fp: Fingerprint,
        item: AV | None,
        seller_id: str,
        member: AV,
        now: datetime,
    ) -> dict[str, Any]:
        if item is None:
            return {
                "Put": {
                    "TableName": self.table,
                    "Item": new_links_item(
                        fp.digest, fp.kind.value, platform, seller_id, member, now
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        version = int(item["version"]["N"])
        return {
            "Update": {
                "TableName": self.table,
                "Key": keys.typed(keys.identity_links(fp.digest, platform)),
                "UpdateExpression": "SET members.#s = :m, version = :next",
                "ConditionExpression": "version = :v",
                "ExpressionAttributeNames": {"#s": seller_id},
                "ExpressionAttributeValues": {
                    ":m": member,
                    ":next": {"N": str(version + 1)},
                    ":v": {"N": str(version)},
                },
            }
        }

    def _member_removal(self, fp: Fingerprint, item: AV, seller_id: str) -> dict[str, Any]:
        key = keys.typed(keys.identity_links(fp.digest, item["platform"]["S"]))
        version = {":v": {"N": item["version"]["N"]}}
        if members_of(item) == {seller_id}:  # the last one: the item goes, index entry and all
            return {
                "Delete": {
                    "TableName": self.table,
                    "Key": key,
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": version,
                }
            }
        return {
            "Update": {
                "TableName": self.table,
                "Key": key,
                "UpdateExpression": "REMOVE members.#s SET version = :next",
                "ConditionExpression": "version = :v",
                "ExpressionAttributeNames": {"#s": seller_id},
                "ExpressionAttributeValues": {
                    **version,
                    ":next": {"N": str(int(item["version"]["N"]) + 1)},
                },
            }
        }

    # --- shared write pieces -----------------------------------------------------------------

    def _put_new_summary(self, after: _Summary, now: datetime) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table,
                "Item": after.full_item(now),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _summary_write(self, summary: _Summary, after: _Summary, now: datetime) -> dict[str, Any]:
        """The owner's strike attributes only, under its version (fingerprints are links' own)."""
        if not summary.exists:
            return self._put_new_summary(after, now)
        return {
            "Update": {
                "TableName": self.table,
                "Key": keys.typed(keys.seller_summary(summary.platform, summary.seller_id)),
                "UpdateExpression": (
                    "SET active = :active, recorded = :recorded, version = :next,"
                    " #total = :total, revoked = :revoked, updated_at = :now"
                ),
                "ConditionExpression": "version = :v",
                "ExpressionAttributeNames": {"#total": "total"},
                "ExpressionAttributeValues": {
                    ":active": _expiries_av(after.active),
                    ":recorded": _expiries_av(after.recorded),
                    ":next": {"N": str(after.version)},
                    ":total": {"N": str(after.total)},
                    ":revoked": {"N": str(after.revoked)},
                    ":now": {"S": now.isoformat()},
                    ":v": {"N": str(summary.version)},
                },
            }
        }

    def _link_copies(self, after: _Summary, now: datetime) -> list[dict[str, Any]]:
        """The seller's strikes, copied into this platform's links item of each of its
        fingerprints (guarded by the seller summary's version in the same transaction)."""
        strikes = strikes_av(after.strike_times(now, self.policy))
        return [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": keys.typed(keys.identity_links(digest, after.platform)),
                    "UpdateExpression": "SET members.#s.strikes = :strikes",
                    "ConditionExpression": "attribute_exists(members.#s)",
                    "ExpressionAttributeNames": {"#s": after.seller_id},
                    "ExpressionAttributeValues": {":strikes": strikes},
                }
            }
            for digest in sorted(after.fingerprints)
        ]

    def _transact(self, items: list[dict[str, Any]]) -> None:
        try:
            self.client.transact_write_items(TransactItems=items)
        except self.client.exceptions.TransactionCanceledException as error:
            raise _CancelledError(error.response.get("CancellationReasons", [])) from None

    def _until_committed(self, attempt: Callable[[], T]) -> T:
        """Runs ``attempt`` (read, then a transaction conditional on what was read) until one
        commits. A transaction cancelled by contention (a condition that a concurrent writer
        broke, a conflict, throttling) is tried again, read and all, after a jittered backoff;
        any other cancellation is an error."""
        for number in range(1, self.max_attempts + 1):
            try:
                return attempt()
            except _CancelledError as cancelled:
                codes = {r.get("Code") for r in cancelled.reasons} - {"None", None}
                if not codes <= _RETRYABLE_CODES:
                    raise SaringError(f"transaction cancelled: {sorted(codes)}") from None
            self._sleep(full_jitter(min(_BACKOFF_CAP, _BACKOFF_BASE * 2**number)))
        raise ContentionError("too many concurrent changes to this seller; retry the request")


class _CancelledError(Exception):
    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__("transaction cancelled")
        self.reasons = reasons


def _page_size(first: int) -> int:
    return page_size(first, MAX_PAGE)


def _page(items: list[AV], first: int) -> StrikePage:
    strikes = [
        _strike_from_item(item) for item in items if item["sk"]["S"].startswith(keys.STRIKE_PREFIX)
    ]
    has_next = len(strikes) > first
    strikes = strikes[:first]
    cursors = [encode_cursor(keys.strike(s.platform, s.seller_id, s.id)["sk"]) for s in strikes]
    return StrikePage(strikes, has_next, cursors)
