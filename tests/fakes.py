"""In-memory fakes that subclass the real ports, so they cannot drift from them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from saring.domain.errors import ConflictError, NotFoundError
from saring.domain.listings import Evidence, Listing
from saring.domain.standing import SellerStanding
from saring.domain.verdicts import ModelThresholds, VerdictFacts
from saring.ports import Classifier, KeyStore, Metrics, StoredKey, VerdictFactsReader


class KeywordClassifier(Classifier):
    """Scores 0.99 when the title holds a given word, else 0.01: enough to test the policy."""

    version = "fake-1"

    def __init__(self, word: str = "thrift", review: float = 0.5, takedown: float = 0.9) -> None:
        self.word = word
        self.thresholds = ModelThresholds(review=review, takedown=takedown)
        self.batches: list[int] = []

    def score(self, listings: Sequence[Listing]) -> list[float]:
        self.batches.append(len(listings))
        return [0.99 if self.word in listing.title.lower() else 0.01 for listing in listings]

    def explain_many(self, listings: Sequence[Listing], limit: int = 5) -> list[list[Evidence]]:
        return [[Evidence(term=self.word, original=self.word, weight=1.0)] for _ in listings]


class MemoryKeyStore(KeyStore):
    def __init__(self) -> None:
        self.stored: dict[str, StoredKey] = {}

    def put(self, stored: StoredKey) -> None:
        self.stored[stored.key_hash] = stored

    def find(self, key_hash: str) -> StoredKey | None:
        return self.stored.get(key_hash)

    def by_id(self, key_id: str) -> StoredKey | None:
        return next((s for s in self.stored.values() if s.key_id == key_id), None)

    def all_keys(self) -> list[StoredKey]:
        return sorted(self.stored.values(), key=lambda s: s.key_id)

    def revoke(self, key_id: str, at: datetime) -> StoredKey:
        stored = self.by_id(key_id)
        if stored is None:
            raise NotFoundError(f"no API key with id {key_id}")
        revoked = replace(stored, revoked_at=stored.revoked_at or at)
        self.stored[stored.key_hash] = revoked
        return revoked

    def replace(self, old_key_id: str, new: StoredKey, at: datetime) -> None:
        old = self.by_id(old_key_id)
        if old is None:
            raise NotFoundError(f"no API key with id {old_key_id}")
        if old.revoked_at is not None:
            raise ConflictError(f"API key {old_key_id} is already revoked")
        self.put(new)
        self.revoke(old_key_id, at)


class FixedFacts(VerdictFactsReader):
    """Every seller GOOD unless told otherwise; orders by listing id."""

    def __init__(self) -> None:
        self.sellers: dict[str, SellerStanding] = {}
        self.orders: dict[str, tuple[str, ...]] = {}

    def read(self, platform: str, listings: Sequence[Listing], now: datetime) -> list[VerdictFacts]:
        return [
            VerdictFacts(
                seller=self.sellers.get(
                    listing.seller_id, SellerStanding(platform, listing.seller_id)
                ),
                order_references=self.orders.get(listing.listing_id, ()),
            )
            for listing in listings
        ]


# --- Strike ledger ---------------------------------------------------------------------------
import base64 as _base64  # noqa: E402
import itertools as _itertools  # noqa: E402
from dataclasses import replace as _replace  # noqa: E402

from saring.domain.audit import AuditEvent, AuditPage  # noqa: E402
from saring.domain.errors import ForbiddenError  # noqa: E402
from saring.domain.identity import (  # noqa: E402
    Fingerprint,
    IdentityKind,
    IdentitySignalPage,
    LinkedSeller,
    PlatformLinks,
    block_elsewhere,
    identity_signal,
)
from saring.domain.strikes import (  # noqa: E402
    Seller,
    StrikeDraft,
    StrikePage,
    StrikePolicy,
    StrikeReceipt,
    seller_from_expiries,
)
from saring.ports import Ledger  # noqa: E402


class MemoryLedger(Ledger):
    """The Ledger's semantics (idempotency, conflicts, expiry, identity peers) in memory."""

    def __init__(self, policy: StrikePolicy | None = None) -> None:
        self.policy = policy or StrikePolicy()
        self.strikes_by_seller: dict[tuple[str, str], list] = {}
        self.receipts: dict[tuple[str, str, str], StrikeReceipt] = {}
        self.identities: dict[str, set[tuple[str, str]]] = {}
        self.fingerprints: dict[tuple[str, str], set[str]] = {}
        self.events: dict[tuple[str, str], list[AuditEvent]] = {}
        self._ids = _itertools.count(1)

    def _snapshot(self, platform: str, seller_id: str, now: datetime) -> Seller:
        me = (platform, seller_id)
        strikes = self.strikes_by_seller.get(me, [])
        # What the real ledger reads at query time: other platforms' sellers on my fingerprints.
        links = [
            PlatformLinks(digest, IdentityKind.PHONE, other, tuple(
                LinkedSeller(seller, now, tuple(
                    (s.created_at, s.expires_at)
                    for s in self.strikes_by_seller.get((other, seller), []) if not s.revoked
                ))
                for (p, seller) in self.identities.get(digest, set()) if p == other
            ))
            for digest in self.fingerprints.get(me, set())
            for other in {p for p, _ in self.identities.get(digest, set())} - {platform}
        ]
        return seller_from_expiries(
            platform,
            seller_id,
            [s.expires_at for s in strikes if not s.revoked],
            now,
            self.policy,
            blocked_elsewhere=block_elsewhere(platform, links, now, self.policy),
            total=len(strikes),
            revoked=sum(1 for s in strikes if s.revoked),
            linked_identities=len(self.fingerprints.get(me, set())),
        )

    def _audit(self, platform, seller_id, action, actor, now, before, after) -> None:
        self.events.setdefault((platform, seller_id), []).append(
            AuditEvent(f"seller:{platform}:{seller_id}", action, actor, now, before, after)
        )

    def record_strike(self, draft: StrikeDraft, now: datetime) -> StrikeReceipt:
        key = (draft.platform, draft.source.value, draft.idempotency_key)
        if key in self.receipts:
            first = self.receipts[key]
            if not draft.same_request(first.strike):
                raise ConflictError("idempotency key reused", field="idempotencyKey")
            current = self._snapshot(draft.platform, draft.seller_id, now)
            return _replace(first, seller=current, replayed=True)
        strike = draft.to_strike(f"{next(self._ids):028x}", now, self.policy)
        self.strikes_by_seller.setdefault((draft.platform, draft.seller_id), []).append(strike)
        receipt = StrikeReceipt(strike, self._snapshot(draft.platform, draft.seller_id, now))
        self.receipts[key] = receipt
        self._audit(draft.platform, draft.seller_id, "STRIKE_RECORDED", draft.recorded_by, now, None, {"strike_id": strike.id})
        return receipt

    def revoke_strike(self, platform, seller_id, strike_id, *, reason, revoked_by, now, may_revoke=None) -> Seller:
        strikes = self.strikes_by_seller.get((platform, seller_id))
        if strikes is None:
            raise NotFoundError("no such seller", field="sellerId")
        index = next((i for i, strike in enumerate(strikes) if strike.id == strike_id), None)
        if index is None:
            raise NotFoundError("no such strike", field="strikeId")
        strike = strikes[index]
        if may_revoke is not None and not may_revoke(strike):
            raise ForbiddenError("not yours to revoke")
        if strike.revoked:
            raise ConflictError("already revoked", field="strikeId")
        strikes[index] = _replace(strike, revoked_at=now, revoke_reason=reason, revoked_by=revoked_by)
        self._audit(platform, seller_id, "STRIKE_REVOKED", revoked_by, now, None, {"strike_id": strike_id})
        return self._snapshot(platform, seller_id, now)

    def seller(self, platform, seller_id, now, *, first=None) -> Seller:
        seller = self._snapshot(platform, seller_id, now)
        if first is None:
            return seller
        return _replace(seller, strike_page=self.strikes(platform, seller_id, first))

    def strikes(self, platform, seller_id, first, after=None) -> StrikePage:
        newest_first = list(reversed(self.strikes_by_seller.get((platform, seller_id), [])))
        start = 0
        if after is not None:
            start = int(_base64.urlsafe_b64decode(after.encode()).decode()) + 1
        page = newest_first[start : start + first]
        cursors = [
            _base64.urlsafe_b64encode(str(start + offset).encode()).decode()
            for offset in range(len(page))
        ]
        return StrikePage(page, start + first < len(newest_first), cursors)

    def link_identity(self, platform, seller_id, fingerprints: Sequence[Fingerprint], *, actor, now) -> Seller:
        me = (platform, seller_id)
        mine = self.fingerprints.setdefault(me, set())
        new = [fp for fp in fingerprints if fp.digest not in mine]
        for fp in new:
            mine.add(fp.digest)
            self.identities.setdefault(fp.digest, set()).add(me)
        if new:
            self._audit(platform, seller_id, "SELLER_IDENTITY_LINKED", actor, now, None, {"linked_kinds": sorted(fp.kind.value for fp in new)})
        return self._snapshot(platform, seller_id, now)

    def unlink_identity(self, platform, seller_id, fingerprints: Sequence[Fingerprint], *, actor, now) -> Seller:
        me = (platform, seller_id)
        mine = self.fingerprints.setdefault(me, set())
        gone = [fp for fp in fingerprints if fp.digest in mine]
        for fp in gone:
            mine.discard(fp.digest)
            self.identities.get(fp.digest, set()).discard(me)
        if gone:
            self._audit(platform, seller_id, "SELLER_IDENTITY_UNLINKED", actor, now, None, {"kinds": sorted(fp.kind.value for fp in gone)})
        return self._snapshot(platform, seller_id, now)

    def identity_signals(self, first, after, now) -> IdentitySignalPage:
        signals = []
        for digest in sorted(self.identities):
            members = self.identities[digest]
            links = [
                PlatformLinks(digest, IdentityKind.PHONE, platform, tuple(
                    LinkedSeller(seller, now, tuple(
                        (s.created_at, s.expires_at)
                        for s in self.strikes_by_seller.get((platform, seller), []) if not s.revoked
                    ))
                    for (p, seller) in sorted(members) if p == platform
                ))
                for platform in sorted({p for p, _ in members})
            ]
            if (signal := identity_signal(links, now, self.policy)) is not None:
                signals.append(signal)
        return IdentitySignalPage(signals[:first], len(signals) > first, None)

    def audit_trail(self, platform, seller_id, first, after=None) -> AuditPage:
        newest_first = list(reversed(self.events.get((platform, seller_id), [])))
        start = int(after) if after is not None else 0
        page = newest_first[start : start + first]
        cursors = [str(start + n + 1) for n in range(len(page))]
        return AuditPage(page, start + first < len(newest_first), cursors)


# --- Takedown orders (orders module) ------------------------------------------------------------

import base64 as _orders_base64  # noqa: E402
import dataclasses as _orders_dataclasses  # noqa: E402
from contextlib import suppress as _orders_suppress  # noqa: E402

from saring.domain.errors import BadUserInputError as _OrdersBadInput  # noqa: E402
from saring.domain.errors import ConflictError as _OrdersConflict  # noqa: E402
from saring.domain.errors import NotFoundError as _OrdersNotFound  # noqa: E402
from saring.domain.notices import ComplianceNotice, notice_due  # noqa: E402
from saring.domain.orders import (  # noqa: E402
    ACTIVE_STATES,
    TakedownOrder,
    TakedownTarget,
    TargetKind,
    acknowledged,
    deadline_for,
    dispute_resolved,
    normalise_url,
    withdrawn_target,
)
from saring.domain.orders import OrderStatus as _OrderStatus  # noqa: E402
from saring.ports import (  # noqa: E402
    OrderBook,
    OrderEdge,
    OrderFilter,
    OrderPage,
    StrikeRecorder,
    TargetEdge,
    TargetPage,
)
from saring.settings import Settings as _OrdersSettings  # noqa: E402


class MemoryOrderBook(OrderBook):
    """Keeps the OrderBook contract in dicts, with the domain's own rules (withdrawn_target,
    dispute_resolved, notice_due): idempotent issue on (agency, reference), one acknowledgement
    per target, offset cursors tied to their query. Every order is written whole at once, so
    there is never anything to sweep; no audit trail is kept. tests/functional/test_order_book_contract.py runs the same
    workflows on this book and on DynamoDBOrderBook."""

    def __init__(self, settings: _OrdersSettings | None = None) -> None:
        self.settings = settings or _OrdersSettings()
        self.headers: dict[str, TakedownOrder] = {}
        self.claims: dict[tuple[str, str], tuple[str, str]] = {}  # -> (order id, content hash)
        self.targets_by_id: dict[str, TakedownTarget] = {}

    def issue(self, order: TakedownOrder, content_hash: str, actor: str) -> TakedownOrder:
        claim = self.claims.get((order.agency, order.reference))
        if claim is not None:
            if claim[1] != content_hash:
                raise _OrdersConflict(
                    f"order {order.reference} was already issued with other content",
                    field="reference",
                    extensions={"orderId": claim[0]},
                )
            return self.order(claim[0])  # type: ignore[return-value]
        self.claims[(order.agency, order.reference)] = (order.id, content_hash)
        self.headers[order.id] = _orders_dataclasses.replace(order, targets=())
        for target in order.targets:
            self.targets_by_id[target.id] = target
        return order

    def order(self, order_id: str) -> TakedownOrder | None:
        header = self.headers.get(order_id)
        if header is None:
            return None
        own = tuple(sorted((t for t in self.targets_by_id.values() if t.order_id == order_id),
                           key=lambda t: t.id))
        return _orders_dataclasses.replace(header, targets=own)

    def acknowledge(self, platform, target_id, state, note, at, actor) -> TakedownTarget:  # type: ignore[no-untyped-def]
        target = self.targets_by_id.get(target_id)
        if target is None or target.platform != platform:
            raise _OrdersNotFound(f"no takedown target {target_id}")
        updated, changed = acknowledged(target, state, note, at)
        if changed:
            self.targets_by_id[target_id] = updated
        return updated

    def _agency(self, target: TakedownTarget) -> str:
        return self.headers[target.order_id].agency

    @staticmethod
    def _cursor(scope: str, position: int) -> str:
        return _orders_base64.urlsafe_b64encode(f"{scope}\n{position}".encode()).decode()

    @staticmethod
    def _position(after: str | None, scope: str) -> int:
        if not after:
            return 0
        bad = _OrdersBadInput("after is not a cursor of this query", field="after")
        try:
            cursor_scope, _, position = (
                _orders_base64.urlsafe_b64decode(after.encode()).decode().rpartition("\n")
            )
            start = int(position)
        except ValueError:
            raise bad from None
        if cursor_scope != scope:
            raise bad
        return start

    def targets(self, platforms, state, first, after, agency=None) -> TargetPage:  # type: ignore[no-untyped-def]
        selected = sorted(
            (t for t in self.targets_by_id.values()
             if t.platform in platforms and (state is None or t.state is state)
             and (agency is None or self._agency(t) == agency)),
            key=lambda t: (t.deadline, t.id),
        )
        scope = repr(("targets", sorted(platforms), state, agency))
        start = self._position(after, scope)
        page = selected[start : start + first]
        edges = [TargetEdge(self._cursor(scope, start + i + 1), t) for i, t in enumerate(page)]
        return TargetPage(edges, start + first < len(selected), edges[-1].cursor if edges else after)

    def targets_issued(self, platform, since, until, agency=None) -> list[TakedownTarget]:  # type: ignore[no-untyped-def]
        return [t for t in self.targets_by_id.values()
                if t.platform == platform and since <= t.issued_at < until
                and (agency is None or self._agency(t) == agency)]

    def orders(self, scope: OrderFilter, first: int, after: str | None) -> OrderPage:
        if scope.agency is None and scope.platform is None:
            raise ValueError("an order listing needs an agency or a platform")
        selected = []
        for order_id in self.headers:
            order = self.order(order_id)
            assert order is not None
            if scope.agency is not None and order.agency != scope.agency:
                continue
            if scope.platform is not None:
                own = tuple(t for t in order.targets if t.platform == scope.platform)
                if not own:
                    continue
                order = _orders_dataclasses.replace(order, targets=own)
            if scope.issued_by is not None and order.agency != scope.issued_by:
                continue
            if scope.status is not None and order.status is not scope.status:
                continue
            if scope.reference is not None and order.reference != scope.reference:
                continue
            selected.append(order)
        selected.sort(key=lambda o: (o.issued_at, o.id), reverse=True)
        key = repr(("orders", scope.agency, scope.platform, scope.issued_by, scope.status, scope.reference))
        start = self._position(after, key)
        page = selected[start : start + first]
        edges = [OrderEdge(self._cursor(key, start + i + 1), o) for i, o in enumerate(page)]
        return OrderPage(edges, start + first < len(selected), edges[-1].cursor if edges else after)

    def withdraw(self, order_id, agency, reason, at, actor) -> TakedownOrder:  # type: ignore[no-untyped-def]
        header = self.headers.get(order_id)
        if header is None or header.agency != agency:
            raise _OrdersNotFound(f"no takedown order {order_id}", field="orderId")
        if header.status is not _OrderStatus.WITHDRAWN:
            # The first reason and time stay; a retry only settles what is not settled yet.
            self.headers[order_id] = _orders_dataclasses.replace(
                header, status=_OrderStatus.WITHDRAWN, withdrawn_at=at, withdraw_reason=reason
            )
        withdrawn_at = self.headers[order_id].withdrawn_at
        for target in list(self.targets_by_id.values()):
            if target.order_id == order_id and not target.order_withdrawn:
                self.targets_by_id[target.id] = withdrawn_target(target, withdrawn_at)
        return self.order(order_id)  # type: ignore[return-value]

    def resolve_dispute(self, agency, target_id, resolution, note, at, actor) -> TakedownTarget:  # type: ignore[no-untyped-def]
        target = self.targets_by_id.get(target_id)
        if target is None or self._agency(target) != agency:
            raise _OrdersNotFound(f"no takedown target {target_id}", field="targetId")
        urgency = self.headers[target.order_id].urgency
        reopen_for = deadline_for(at, urgency, self.settings) - at
        updated, changed = dispute_resolved(target, resolution, note, at, reopen_for)
        if changed:
            self.targets_by_id[target_id] = updated
        return updated

    def issue_notices(self, platforms, now, ladder) -> list[tuple[TakedownTarget, ComplianceNotice]]:  # type: ignore[no-untyped-def]
        issued = []
        for target in sorted(self.targets_by_id.values(), key=lambda t: (t.deadline, t.id)):
            if target.platform not in platforms:
                continue
            level = notice_due(target, now, ladder)
            if level is None:
                continue
            notice = ComplianceNotice(level, now)
            updated = _orders_dataclasses.replace(target, notices=(*target.notices, notice))
            self.targets_by_id[target.id] = updated
            issued.append((updated, notice))
        return issued

    def active_order_references(self, platform, listing_id, seller_id, url) -> list[str]:  # type: ignore[no-untyped-def]
        wanted = {(TargetKind.LISTING, listing_id), (TargetKind.SHOP, seller_id),
                  (TargetKind.ACCOUNT, seller_id)}
        if url:
            with _orders_suppress(_OrdersBadInput):
                wanted.add((TargetKind.URL, normalise_url(url)))
        return sorted({t.reference for t in self.targets_by_id.values()
                       if t.platform == platform and t.state in ACTIVE_STATES
                       and not t.order_withdrawn and (t.kind, t.value) in wanted})


class RecordingStrikeRecorder(StrikeRecorder):
    """Records every call; `strikes` holds one strike per target id, as the ledger would."""

    def __init__(self, fail_times: int = 0) -> None:
        self.calls: list[dict[str, object]] = []
        self.strikes: dict[str, dict[str, object]] = {}
        self.revoked: dict[str, dict[str, object]] = {}
        self.fail_times = fail_times

    def record_order_strike(self, platform, seller_id, target_id, order_reference, listing_id) -> None:  # type: ignore[no-untyped-def]
        call = {"platform": platform, "seller_id": seller_id, "target_id": target_id,
                "order_reference": order_reference, "listing_id": listing_id}
        self.calls.append(call)
        if self.fail_times > 0:
            self.fail_times -= 1
            raise RuntimeError("ledger unavailable")
        self.strikes.setdefault(target_id, call)

    def revoke_order_strike(self, platform, seller_id, target_id, order_reference, listing_id, *, reason, revoked_by) -> None:  # type: ignore[no-untyped-def]
        self.record_order_strike(platform, seller_id, target_id, order_reference, listing_id)
        self.revoked.setdefault(target_id, {"reason": reason, "revoked_by": revoked_by})


# --- Catalog scan: an in-memory bucket and part queue ---------------------------------------
import hashlib as _hashlib  # noqa: E402
import io as _io  # noqa: E402

from saring.domain.scan import SourceChangedError as _SourceChangedError  # noqa: E402
from saring.ports import ObjectStore, PartQueue, StoredObject  # noqa: E402


class MemoryObjectStore(ObjectStore):
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}
        self.puts: list[str] = []

    def _etag(self, body: bytes) -> str:
        return f'"{_hashlib.md5(body).hexdigest()}"'

    def head(self, bucket: str, key: str) -> StoredObject | None:
        body = self.objects.get((bucket, key))
        return None if body is None else StoredObject(len(body), self._etag(body))

    def open(self, bucket, key, etag, start=0, end=None):
        body = self.objects.get((bucket, key))
        if body is None or self._etag(body) != etag:
            raise _SourceChangedError(f"{key} changed")
        return _io.BytesIO(body[start:end])

    def get(self, bucket: str, key: str) -> bytes | None:
        return self.objects.get((bucket, key))

    def put(self, bucket: str, key: str, body: bytes, content_type: str) -> None:
        self.puts.append(key)
        self.objects[(bucket, key)] = body

    def list_keys(self, bucket: str, prefix: str) -> list[str]:
        return sorted(k for b, k in self.objects if b == bucket and k.startswith(prefix))


class MemoryPartQueue(PartQueue):
    """Keeps what was sent; `fail_after` sends raise, to play a split that crashes midway."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.calls = 0
        self.fail_after = fail_after

    def send(self, messages) -> None:
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise RuntimeError("queue unavailable")
        self.calls += 1
        self.sent.extend(messages)


class RecordingMetrics(Metrics):
    """Adds up what the services count, by (name, sorted dimensions)."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}

    def count(self, name: str, value: int, dimensions: dict[str, str]) -> None:
        key = (name, tuple(sorted(dimensions.items())))
        self.counts[key] = self.counts.get(key, 0) + value

    def of(self, name: str, **dimensions: str) -> int:
        return self.counts.get((name, tuple(sorted(dimensions.items()))), 0)
