"""The strike ledger on the single DynamoDB table.

Items (key formats in ``keys.py``):

* **strike** ``SELLER#<platform>#<seller>`` / ``STRIKE#<id>``: appended, never deleted; a
  revocation sets ``revoked_at``/``revoke_reason``/``revoked_by`` once (conditional update).
* **summary** ``SELLER#<platform>#<seller>`` / ``SUMMARY``: ``version`` (optimistic lock),
  ``total``/``revoked`` counts, ``active`` = {strike_id: expires_at} of non-revoked strikes,
  ``fingerprints`` = {hmac: kind}, and ``peers`` = {"<platform>#<seller>": {platform, seller_id,
  active}}: every other seller sharing a fingerprint, with a copy of that seller's ``active``.
* **idempotency** ``STRIKEKEY#<platform>#<source>#<key>``: the first strike and the seller after
  it; written with ``attribute_not_exists`` so a retry is answered from the cancellation reason
  (``ReturnValuesOnConditionCheckFailure=ALL_OLD``) without another read.
* **identity** ``IDENTITY#<hmac>``: ``version`` and ``members`` = the sellers linked to it.
* **audit** events via ``audit_put``, in the same transaction as the change.

Identity across platforms, in ONE read: because each summary carries its peers' ``active``
expiries, ``standing_from_summary_item`` answers ``identity_blocked_elsewhere`` from the
seller's summary alone, with the clock (so a peer's block lapses when its strikes expire, with
no write). The price is paid on the (rare) writes: a strike or revocation also updates each
peer's copy (``peers.<me>.active``) in the same transaction, and a link reads the new peers'
summaries and writes both sides under their version conditions. Ownership of attributes keeps
this race-free: ``active``/``total``/``revoked`` are written only under the owner's version
condition; ``peers.<X>.active`` only by X's transactions (serialised by X's version); peer
membership and ``fingerprints`` only by links, under the version of every summary they touch.

Transaction sizes (DynamoDB allows 100 items):
  strike     4 + P   (idempotency, strike, summary, audit, one per peer)
  revocation 3 + P   (strike, summary, audit, one per peer)
  link       2 + F + N  (summary, audit, F<=2 identity items, N new peers)
with P <= MAX_PEERS (a link that would exceed it is refused with CONFLICT).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from saring.adapters.backoff import full_jitter
from saring.adapters.dynamodb import keys
from saring.adapters.dynamodb.audit import audit_events, audit_put
from saring.adapters.dynamodb.batch import batch_get
from saring.adapters.dynamodb.client import TRANSIENT_CANCELLATION_REASONS
from saring.domain.audit import AuditEvent
from saring.domain.errors import (
    BadUserInputError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    SaringError,
)
from saring.domain.identity import Fingerprint
from saring.domain.strikes import (
    Seller,
    SellerStanding,
    Standing,
    Strike,
    StrikeDraft,
    StrikePage,
    StrikePolicy,
    StrikeReceipt,
    StrikeSource,
    blocked_elsewhere,
    count_unexpired,
    expiry_map,
    seller_from_expiries,
)
from saring.ports import Ledger

MAX_PEERS = 20
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
class _Peer:
    platform: str
    seller_id: str
    active: dict[str, datetime]

    def av(self) -> AV:
        return {
            "M": {
                "platform": {"S": self.platform},
                "seller_id": {"S": self.seller_id},
                "active": _expiries_av(self.active),
            }
        }


@dataclass
class _Summary:
    platform: str
    seller_id: str
    version: int = 0  # 0: no item yet
    total: int = 0
    revoked: int = 0
    active: dict[str, datetime] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    peers: dict[str, _Peer] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        return self.version > 0

    @classmethod
    def parse(cls, item: AV) -> _Summary:
        peers = {}
        for token, value in item.get("peers", {}).get("M", {}).items():
            m = value["M"]
            peers[token] = _Peer(
                m["platform"]["S"], m["seller_id"]["S"], _expiries_from(m.get("active"))
            )
        return cls(
            platform=item["platform"]["S"],
            seller_id=item["seller_id"]["S"],
            version=int(item["version"]["N"]),
            total=int(item.get("total", {}).get("N", "0")),
            revoked=int(item.get("revoked", {}).get("N", "0")),
            active=_expiries_from(item.get("active")),
            fingerprints={d: v["S"] for d, v in item.get("fingerprints", {}).get("M", {}).items()},
            peers=peers,
        )

    def seller(self, now: datetime, policy: StrikePolicy) -> Seller:
        return seller_from_expiries(
            self.platform,
            self.seller_id,
            self.active.values(),
            (peer.active.values() for peer in self.peers.values()),
            now,
            policy,
            total=self.total,
            revoked=self.revoked,
            linked_identities=len(self.fingerprints),
        )

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
            "fingerprints": {"M": {d: {"S": k} for d, k in self.fingerprints.items()}},
            "peers": {"M": {t: p.av() for t, p in self.peers.items()}},
            "updated_at": {"S": now.isoformat()},
        }


def _token(platform: str, seller_id: str) -> str:
    return f"{platform}#{seller_id}"


def standing_from_summary_item(
    item: AV | None,
    now: datetime,
    policy: StrikePolicy,
    *,
    platform: str = "",
    seller_id: str = "",
) -> SellerStanding:
    """PURE: a seller's standing from its summary item (BatchGetItem form) and the clock.

    ``item=None`` (no summary) is a GOOD seller with no strikes; pass ``platform``/``seller_id``
    then, since there is no item to read them from. ``identity_blocked_elsewhere`` needs no
    other read: peers' strike expiries are denormalised into the summary (module doc).
    """
    if item is None:
        return SellerStanding(platform, seller_id, policy.standing_for(0), 0, False)
    summary = _Summary.parse(item)
    active = count_unexpired(summary.active.values(), now)
    return SellerStanding(
        platform=summary.platform,
        seller_id=summary.seller_id,
        standing=policy.standing_for(active),
        active_strikes=active,
        identity_blocked_elsewhere=blocked_elsewhere(
            (peer.active.values() for peer in summary.peers.values()), now, policy
        ),
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
            "identity_blocked_elsewhere": seller.identity_blocked_elsewhere,
            "linked_identities": seller.linked_identities,
        },
        sort_keys=True,
    )


def _seller_from_json(text: str) -> Seller:
    data = json.loads(text)
    return Seller(**{**data, "standing": Standing(data["standing"])})


def _audit_state(seller: Seller) -> dict[str, Any]:
    return {
        "standing": seller.standing.value,
        "active_strikes": seller.active_strikes,
        "total_strikes": seller.total_strikes,
        "revoked_strikes": seller.revoked_strikes,
    }


# --- Cursors -------------------------------------------------------------------------------


def encode_cursor(sort_key: str) -> str:
    raw = json.dumps({"v": 1, "sk": sort_key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        sort_key = data["sk"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise BadUserInputError("the cursor is not one this API gave out", field="after") from None
    if not isinstance(sort_key, str) or not sort_key.startswith(keys.STRIKE_PREFIX):
        raise BadUserInputError("the cursor is not one this API gave out", field="after")
    return sort_key


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

    ``items`` order: idempotency, strike, summary, audit, then one per peer (4 + peers).
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
        max_attempts: int = MAX_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.table = table_name
        self.policy = policy
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

    def seller(
        self, platform: str, seller_id: str, now: datetime, *, first: int | None = None
    ) -> Seller:
        if first is None:
            return self._summary(platform, seller_id).seller(now, self.policy)
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
        seller = summary.seller(now, self.policy)
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

    def audit_trail(self, platform: str, seller_id: str) -> list[AuditEvent]:
        return audit_events(self.client, self.table, keys.seller_subject(platform, seller_id))

    # --- strikes ---------------------------------------------------------------------------

    def strike_transaction_items(self, draft: StrikeDraft, now: datetime) -> PreparedStrike:
        """Reads the summary (1 request) and returns the strike's transaction entries, for a
        caller that writes them together with its own items; see also ``record_strike``."""
        return self._prepare_strike(draft, self._summary(draft.platform, draft.seller_id), now)

    def _prepare_strike(
        self, draft: StrikeDraft, summary: _Summary, now: datetime
    ) -> PreparedStrike:
        strike = draft.to_strike(_new_strike_id(now), now, self.policy)
        before = summary.seller(now, self.policy)
        after_summary = replace(
            summary,
            version=summary.version + 1,
            total=summary.total + 1,
            active={**expiry_map(summary.active, now), strike.id: strike.expires_at},
        )
        after = after_summary.seller(now, self.policy)
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
                    "Item": _strike_item(strike),
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
            *self._peer_copies(after_summary),
        ]
        return PreparedStrike(items, StrikeReceipt(strike, after), draft)

    def record_strike(
        self, draft: StrikeDraft, now: datetime, *, extra_items: Sequence[dict[str, Any]] = ()
    ) -> StrikeReceipt:
        """2 requests (GetItem summary, TransactWriteItems) when uncontended; a retry of the
        same key also takes 2 and returns the first receipt with ``replayed=True``.

        ``extra_items`` (e.g. an order acknowledgement) are written first in the same
        transaction; if one of their conditions fails, ExtraItemCancelledError is raised.
        """
        if len(extra_items) + 4 + MAX_PEERS > 100:
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
                    return self._replay(draft, idem.get("Item"))
                raise
            return prepared.receipt

        return self._until_committed(attempt)

    def _replay(self, draft: StrikeDraft, item: AV | None) -> StrikeReceipt:
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
        return StrikeReceipt(first, _seller_from_json(item["seller"]["S"]), replayed=True)

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
    ) -> Seller:
        """2 requests: BatchGetItem (summary + strike), TransactWriteItems."""
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
            before = summary.seller(now, self.policy)
            active = expiry_map(summary.active, now)
            active.pop(strike.id, None)
            after_summary = replace(
                summary, version=summary.version + 1, revoked=summary.revoked + 1, active=active
            )
            after = after_summary.seller(now, self.policy)
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
                *self._peer_copies(after_summary),
            ]
            # A strike condition failure means a concurrent revocation: the next read says so.
            self._transact(items)
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
        """1 request when nothing is new (BatchGetItem), else 2 (+ TransactWriteItems), or 3 when
        the fingerprints are already linked to other sellers (their summaries are read)."""
        me = _token(platform, seller_id)
        summary_k = keys.seller_summary(platform, seller_id)

        def attempt() -> Seller:
            found = self._batch_get([summary_k, *(keys.identity(fp.digest) for fp in fingerprints)])
            item = found.get((summary_k["pk"], summary_k["sk"]))
            summary = _Summary.parse(item) if item else _Summary(platform, seller_id)
            new = [fp for fp in fingerprints if fp.digest not in summary.fingerprints]
            if not new:
                return summary.seller(now, self.policy)
            identities: dict[str, AV | None] = {}
            new_peers: dict[str, tuple[str, str]] = {}
            for fp in new:
                k = keys.identity(fp.digest)
                identity_item = found.get((k["pk"], k["sk"]))
                identities[fp.digest] = identity_item
                for token, member in (identity_item or {}).get("members", {}).get("M", {}).items():
                    if token != me and token not in summary.peers:
                        m = member["M"]
                        new_peers[token] = (m["platform"]["S"], m["seller_id"]["S"])
            if len(summary.peers) + len(new_peers) > MAX_PEERS:
                raise ConflictError("this identity is linked to too many sellers")
            peer_summaries: dict[str, _Summary] = {}
            if new_peers:
                wanted = {t: keys.seller_summary(*ps) for t, ps in new_peers.items()}
                got = self._batch_get(list(wanted.values()))
                for token, k in wanted.items():
                    if (k["pk"], k["sk"]) in got:  # always: links create both summaries
                        peer_summaries[token] = _Summary.parse(got[(k["pk"], k["sk"])])
            before = summary.seller(now, self.policy)
            my_active = expiry_map(summary.active, now)
            after_summary = replace(
                summary,
                version=summary.version + 1,
                active=my_active,
                fingerprints={**summary.fingerprints, **{fp.digest: fp.kind.value for fp in new}},
                peers={
                    **summary.peers,
                    **{
                        t: _Peer(p.platform, p.seller_id, expiry_map(p.active, now))
                        for t, p in peer_summaries.items()
                    },
                },
            )
            after = after_summary.seller(now, self.policy)
            items: list[dict[str, Any]] = [
                self._link_summary_write(summary, after_summary, new, peer_summaries, now)
            ]
            for fp in new:
                items.append(
                    self._identity_write(fp, identities[fp.digest], me, platform, seller_id, now)
                )
            me_as_peer = _Peer(platform, seller_id, my_active).av()
            for peer in peer_summaries.values():
                items.append(
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": keys.typed(
                                keys.seller_summary(peer.platform, peer.seller_id)
                            ),
                            "UpdateExpression": "SET peers.#me = :me, version = :next",
                            "ConditionExpression": "version = :v",
                            "ExpressionAttributeNames": {"#me": me},
                            "ExpressionAttributeValues": {
                                ":me": me_as_peer,
                                ":next": {"N": str(peer.version + 1)},
                                ":v": {"N": str(peer.version)},
                            },
                        }
                    }
                )
            items.append(
                audit_put(
                    self.table,
                    AuditEvent(
                        subject=keys.seller_subject(platform, seller_id),
                        action="SELLER_IDENTITY_LINKED",
                        actor=actor,
                        at=now,
                        before={
                            "linked_identities": before.linked_identities,
                            "identity_blocked_elsewhere": before.identity_blocked_elsewhere,
                        },
                        after={
                            "linked_identities": after.linked_identities,
                            "identity_blocked_elsewhere": after.identity_blocked_elsewhere,
                            "linked_kinds": sorted(fp.kind.value for fp in new),
                        },
                    ),
                )
            )
            self._transact(items)
            return after

        return self._until_committed(attempt)

    def _link_summary_write(
        self,
        summary: _Summary,
        after: _Summary,
        new: Sequence[Fingerprint],
        peer_summaries: dict[str, _Summary],
        now: datetime,
    ) -> dict[str, Any]:
        if not summary.exists:
            return self._put_new_summary(after, now)
        # Only new paths: peers.<X>.active of existing peers belongs to X's own transactions.
        names: dict[str, str] = {}
        values: AV = {
            ":v": {"N": str(summary.version)},
            ":next": {"N": str(after.version)},
            ":now": {"S": now.isoformat()},
        }
        sets = ["version = :next", "updated_at = :now"]
        for i, fp in enumerate(new):
            names[f"#f{i}"] = fp.digest
            values[f":f{i}"] = {"S": fp.kind.value}
            sets.append(f"fingerprints.#f{i} = :f{i}")
        for i, token in enumerate(peer_summaries):
            names[f"#p{i}"] = token
            values[f":p{i}"] = after.peers[token].av()
            sets.append(f"peers.#p{i} = :p{i}")
        update: dict[str, Any] = {
            "TableName": self.table,
            "Key": keys.typed(keys.seller_summary(summary.platform, summary.seller_id)),
            "UpdateExpression": "SET " + ", ".join(sets),
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": values,
        }
        if names:
            update["ExpressionAttributeNames"] = names
        return {"Update": update}

    def _identity_write(
        self,
        fp: Fingerprint,
        item: AV | None,
        me: str,
        platform: str,
        seller_id: str,
        now: datetime,
    ) -> dict[str, Any]:
        member: AV = {"M": {"platform": {"S": platform}, "seller_id": {"S": seller_id}}}
        key = keys.identity(fp.digest)
        if item is None:
            return {
                "Put": {
                    "TableName": self.table,
                    "Item": {
                        **keys.typed(key),
                        "kind": {"S": "IDENTITY"},
                        "identity_kind": {"S": fp.kind.value},
                        "version": {"N": "1"},
                        "members": {"M": {me: member}},
                        "created_at": {"S": now.isoformat()},
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        version = int(item["version"]["N"])
        return {
            "Update": {
                "TableName": self.table,
                "Key": keys.typed(key),
                "UpdateExpression": "SET members.#me = :m, version = :next",
                "ConditionExpression": "version = :v",
                "ExpressionAttributeNames": {"#me": me},
                "ExpressionAttributeValues": {
                    ":m": member,
                    ":next": {"N": str(version + 1)},
                    ":v": {"N": str(version)},
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
        """The owner's attributes only, under its version (never peers, see the module doc)."""
        if not summary.exists:
            return self._put_new_summary(after, now)
        return {
            "Update": {
                "TableName": self.table,
                "Key": keys.typed(keys.seller_summary(summary.platform, summary.seller_id)),
                "UpdateExpression": (
                    "SET active = :active, version = :next, #total = :total, revoked = :revoked,"
                    " updated_at = :now"
                ),
                "ConditionExpression": "version = :v",
                "ExpressionAttributeNames": {"#total": "total"},
                "ExpressionAttributeValues": {
                    ":active": _expiries_av(after.active),
                    ":next": {"N": str(after.version)},
                    ":total": {"N": str(after.total)},
                    ":revoked": {"N": str(after.revoked)},
                    ":now": {"S": now.isoformat()},
                    ":v": {"N": str(summary.version)},
                },
            }
        }

    def _peer_copies(self, after: _Summary) -> list[dict[str, Any]]:
        """Each peer's copy of this seller's active expiries (guarded by this seller's version)."""
        me = _token(after.platform, after.seller_id)
        return [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": keys.typed(keys.seller_summary(peer.platform, peer.seller_id)),
                    "UpdateExpression": "SET peers.#me.active = :active",
                    "ConditionExpression": "attribute_exists(peers.#me)",
                    "ExpressionAttributeNames": {"#me": me},
                    "ExpressionAttributeValues": {":active": _expiries_av(after.active)},
                }
            }
            for peer in after.peers.values()
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
        raise ConflictError("too much contention on this seller; try again")


class _CancelledError(Exception):
    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__("transaction cancelled")
        self.reasons = reasons


def _page_size(first: int) -> int:
    if not isinstance(first, int) or not 1 <= first <= MAX_PAGE:
        raise BadUserInputError(f"first must be between 1 and {MAX_PAGE}", field="first")
    return first


def _page(items: list[AV], first: int) -> StrikePage:
    strikes = [
        _strike_from_item(item) for item in items if item["sk"]["S"].startswith(keys.STRIKE_PREFIX)
    ]
    has_next = len(strikes) > first
    strikes = strikes[:first]
    cursors = [encode_cursor(keys.strike(s.platform, s.seller_id, s.id)["sk"]) for s in strikes]
    return StrikePage(strikes, has_next, cursors)
