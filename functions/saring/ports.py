"""The ports the service layer is written against; adapters and test fakes subclass them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from saring.domain.labels import OutcomeReceipt, ReviewOutcome
from saring.domain.listings import Evidence, Listing
from saring.domain.principals import Principal
from saring.domain.verdicts import ModelThresholds, VerdictFacts


class Classifier(ABC):
    """Scores listings: the calibrated probability that each is imported used clothing."""

    version: str
    thresholds: ModelThresholds

    @abstractmethod
    def score(self, listings: Sequence[Listing]) -> list[float]:
        """One probability per listing, in order, computed in one batch."""

    @abstractmethod
    def explain_many(self, listings: Sequence[Listing], limit: int = 5) -> list[list[Evidence]]:
        """The strongest evidence for each listing's score, in one batch; asked only for
        flagged listings, since explaining costs more than scoring."""

    def explain(self, listing: Listing, limit: int = 5) -> list[Evidence]:
        return self.explain_many([listing], limit)[0]


class Clock(ABC):
    @abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class StoredKey:
    key_hash: str
    principal: Principal
    created_at: datetime
    key_id: str  # not secret: how operators name a key to list, revoke or rotate it
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def usable_at(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class KeyStore(ABC):
    """API keys, stored only as SHA-256 hashes."""

    @abstractmethod
    def put(self, stored: StoredKey) -> None: ...

    @abstractmethod
    def find(self, key_hash: str) -> StoredKey | None:
        """The key with this hash, revoked and expired ones included."""

    @abstractmethod
    def by_id(self, key_id: str) -> StoredKey | None: ...

    @abstractmethod
    def all_keys(self) -> list[StoredKey]:
        """Every key that has an id, oldest id first."""

    @abstractmethod
    def revoke(self, key_id: str, at: datetime) -> StoredKey:
        """Marks the key revoked (NotFoundError for an unknown id); revoking twice keeps the
        first time."""

    @abstractmethod
    def replace(self, old_key_id: str, new: StoredKey, at: datetime) -> None:
        """Stores `new` and revokes the old key together, or neither (ConflictError when the
        old key is already revoked, NotFoundError when it does not exist)."""


class VerdictFactsReader(ABC):
    """Reads, for a batch of listings, what the ledger and the orders say about each."""

    @abstractmethod
    def read(
        self, platform: str, listings: Sequence[Listing], now: datetime
    ) -> list[VerdictFacts]:
        """One VerdictFacts per listing, in order."""


# --- Ledger: strikes, seller standing and identity links (strike ledger) -------------------
from saring.domain.audit import AuditPage  # noqa: E402
from saring.domain.identity import Fingerprint, IdentitySignalPage  # noqa: E402
from saring.domain.strikes import Seller, Strike, StrikeDraft, StrikePage, StrikeReceipt  # noqa: E402


class Ledger(ABC):
    """Append-only strikes per seller, with a summary kept in the same write as each change.

    Implementations hold a StrikePolicy (thresholds, expiry); standing is always computed from
    stored expiries and the ``now`` given, so strikes that expired since the last write are
    never counted. Permissions are the service's job; the ledger enforces invariants only.
    """

    @abstractmethod
    def record_strike(self, draft: StrikeDraft, now: datetime) -> StrikeReceipt:
        """Appends a strike, or replays the same idempotency key: the first strike, with the
        seller as it stands now (a replay changes nothing, and reports today's standing).

        Raises ConflictError when the key was used for a different request.
        """

    @abstractmethod
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
        """NotFoundError (seller or strike), ConflictError (already revoked), ForbiddenError
        (``may_revoke`` given and false for the stored strike)."""

    @abstractmethod
    def seller(
        self, platform: str, seller_id: str, now: datetime, *, first: int | None = None
    ) -> Seller:
        """The seller (GOOD with 0 strikes when unknown); with ``first``, also its first page
        of strikes, newest first, in ``Seller.strike_page``."""

    @abstractmethod
    def strikes(
        self, platform: str, seller_id: str, first: int, after: str | None = None
    ) -> StrikePage:
        """Strike history, newest first; ``after`` is an opaque cursor from a previous page."""

    def strikes_of_sellers(
        self, platform: str, seller_ids: Sequence[str], first: int, after: str | None = None
    ) -> dict[str, StrikePage]:
        """The same page of several sellers' strikes (adapters read them together)."""
        return {seller: self.strikes(platform, seller, first, after) for seller in seller_ids}

    @abstractmethod
    def link_identity(
        self,
        platform: str,
        seller_id: str,
        fingerprints: Sequence[Fingerprint],
        *,
        actor: str,
        now: datetime,
    ) -> Seller:
        """Links fingerprints to the seller; already linked ones change nothing (no audit).
        Writes only `platform`'s own items; RateLimitedError (audited) past the hourly budget."""

    @abstractmethod
    def unlink_identity(
        self,
        platform: str,
        seller_id: str,
        fingerprints: Sequence[Fingerprint],
        *,
        actor: str,
        now: datetime,
    ) -> Seller:
        """Removes these links from the seller (audited); ones it does not have change nothing."""

    @abstractmethod
    def identity_signals(self, first: int, after: str | None, now: datetime) -> IdentitySignalPage:
        """Fingerprints linked on several platforms with a seller blocked on one of them."""

    @abstractmethod
    def audit_trail(
        self, platform: str, seller_id: str, first: int, after: str | None = None
    ) -> AuditPage:
        """The seller's audit events, newest first, a page at a time (``after``: a cursor)."""


# --- Takedown orders (orders module) ------------------------------------------------------------

from saring.domain.orders import (  # noqa: E402
    ComplianceReport,
    TakedownOrder,
    TakedownTarget,
    TargetState,
    compliance_report,
)


@dataclass(frozen=True, slots=True)
class TargetEdge:
    cursor: str
    node: TakedownTarget


@dataclass(frozen=True, slots=True)
class TargetPage:
    """One page of targets, earliest deadline first (Relay connection shape)."""

    edges: list[TargetEdge]
    has_next_page: bool
    end_cursor: str | None


class OrderBook(ABC):
    """Takedown orders and their targets. Invariants are kept in the write: one order per
    (agency, reference), one acknowledgement per target."""

    @abstractmethod
    def issue(self, order: TakedownOrder, content_hash: str, actor: str) -> TakedownOrder:
        """Stores a new order and returns it. Idempotent on (agency, reference): the same content
        again returns the FIRST order (its id and issue time) and completes it if an earlier
        attempt was interrupted; other content raises ConflictError."""

    @abstractmethod
    def order(self, order_id: str) -> TakedownOrder | None: ...

    @abstractmethod
    def acknowledge(
        self,
        platform: str,
        target_id: str,
        state: TargetState,
        note: str | None,
        at: datetime,
        actor: str,
    ) -> TakedownTarget:
        """PENDING -> state, at most once (state and note come from check_acknowledgement).
        The same acknowledgement again returns the stored target; another one raises
        ConflictError; an unknown target, or another platform's, raises NotFoundError."""

    @abstractmethod
    def targets(
        self,
        platforms: Sequence[str],
        state: TargetState | None,
        first: int,
        after: str | None,
        agency: str | None = None,
    ) -> TargetPage:
        """Targets of these platforms (in this state, if given; of this agency's orders, if
        given), earliest deadline first, from the opaque cursor `after`; BadUserInputError for
        a cursor of another query."""

    @abstractmethod
    def targets_issued(
        self, platform: str, since: datetime, until: datetime, agency: str | None = None
    ) -> list[TakedownTarget]:
        """Targets of a platform whose order was issued in [since, until) (by this agency, if
        given)."""

    def sweep(self, issued_before: datetime) -> list[str]:
        """Completes the orders still ISSUING that were issued before `issued_before`; their ids.
        A book that writes an order at once has nothing to sweep."""
        return []

    @abstractmethod
    def active_order_references(
        self, platform: str, listing_id: str, seller_id: str, url: str | None
    ) -> list[str]:
        """References of the orders whose PENDING or REMOVED targets match this listing."""

    def compliance(
        self,
        platform: str,
        since: datetime,
        until: datetime,
        now: datetime,
        agency: str | None = None,
    ) -> ComplianceReport:
        return compliance_report(self.targets_issued(platform, since, until, agency), now)


class StrikeRecorder(ABC):
    """The strike ledger as the orders module needs it (the ledger module implements it)."""

    @abstractmethod
    def record_order_strike(
        self,
        platform: str,
        seller_id: str,
        target_id: str,
        order_reference: str,
        listing_id: str | None,
    ) -> None:
        """Adds one strike (source REGULATOR_ORDER); idempotent on target_id."""


# --- Catalog scan: object storage and the part queue (catalog scan) ---------------------------

from typing import BinaryIO  # noqa: E402


@dataclass(frozen=True, slots=True)
class StoredObject:
    size: int
    etag: str


class ObjectStore(ABC):
    """The bucket the platforms upload to and the scan writes results into."""

    @abstractmethod
    def head(self, bucket: str, key: str) -> StoredObject | None: ...

    @abstractmethod
    def open(
        self, bucket: str, key: str, etag: str, start: int = 0, end: int | None = None
    ) -> BinaryIO:
        """A stream of bytes [start, end) of this version of the object (`end` None: to the
        end); raises SourceChangedError when the object is gone or no longer has `etag`."""

    @abstractmethod
    def get(self, bucket: str, key: str) -> bytes | None: ...

    @abstractmethod
    def put(self, bucket: str, key: str, body: bytes, content_type: str) -> None: ...

    @abstractmethod
    def list_keys(self, bucket: str, prefix: str) -> list[str]: ...


class PartQueue(ABC):
    """Carries one message per part from the split to the scan workers."""

    @abstractmethod
    def send(self, messages: Sequence[tuple[str, str]]) -> None:
        """Sends (id, body) pairs, all of them or raises; ids are unique per call."""


class LabelStore(ABC):
    """Review outcomes, kept per platform for retraining (issue 15)."""

    @abstractmethod
    def record(self, outcome: ReviewOutcome) -> OutcomeReceipt:
        """Stores the outcome once per (platform, idempotency key): a retry of the same
        request returns the first outcome (replayed), another request with that key is a
        ConflictError (field idempotencyKey)."""

    @abstractmethod
    def outcomes(self, platform: str, since: datetime | None = None) -> list[ReviewOutcome]:
        """Every stored outcome of one platform recorded at or after `since`, oldest first."""


class Metrics(ABC):
    """Saring's own numbers (CloudWatch metrics in AWS). Counting must never fail a request."""

    @abstractmethod
    def count(self, name: str, value: int, dimensions: dict[str, str]) -> None: ...


class NoMetrics(Metrics):
    """Counts nothing: tests, and the local tools."""

    def count(self, name: str, value: int, dimensions: dict[str, str]) -> None:
        return None


NO_METRICS = NoMetrics()
