"""The ports the service layer is written against; adapters and test fakes subclass them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from saring.domain.labels import OutcomeReceipt, ReviewOutcome
from saring.domain.listings import Evidence, Listing
from saring.domain.pages import CursorPage
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

from saring.domain.notices import ComplianceNotice, NoticeLadder  # noqa: E402
from saring.domain.orders import (  # noqa: E402
    ComplianceReport,
    DisputeResolution,
    OrderStatus,
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


@dataclass(frozen=True, slots=True)
class OrderEdge:
    cursor: str
    node: TakedownOrder


@dataclass(frozen=True, slots=True)
class OrderPage:
    """One page of orders, newest first (Relay connection shape)."""

    edges: list[OrderEdge]
    has_next_page: bool
    end_cursor: str | None


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """Which orders a listing reads: an agency's own (`agency`) or those that target a platform
    (`platform`, only its own targets and only ISSUED or WITHDRAWN orders), narrowed by the
    issuing agency (`issued_by`), status and reference."""

    agency: str | None = None
    platform: str | None = None
    issued_by: str | None = None
    status: OrderStatus | None = None
    reference: str | None = None


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

    @abstractmethod
    def orders(self, scope: OrderFilter, first: int, after: str | None) -> OrderPage:
        """Orders newest first (issue time, then id), from the opaque cursor `after`;
        BadUserInputError for a cursor of another listing."""

    @abstractmethod
    def withdraw(
        self, order_id: str, agency: str, reason: str, at: datetime, actor: str
    ) -> TakedownOrder:
        """Sets an order of this agency WITHDRAWN (audited) and settles its targets
        (`withdrawn_target`); an order already WITHDRAWN keeps its first reason and time, and
        any target not yet settled is settled now, so a retry completes an interrupted
        withdrawal. NotFoundError for an unknown order or another agency's."""

    @abstractmethod
    def resolve_dispute(
        self,
        agency: str,
        target_id: str,
        resolution: DisputeResolution,
        note: str,
        at: datetime,
        actor: str,
    ) -> TakedownTarget:
        """`dispute_resolved`, stored with its match and audit event; NotFoundError for an
        unknown target or another agency's, ConflictError for a target not DISPUTED."""

    @abstractmethod
    def issue_notices(
        self, platforms: Sequence[str], now: datetime, ladder: NoticeLadder
    ) -> list[tuple[TakedownTarget, ComplianceNotice]]:
        """Issues every notice due at `now` to these platforms' pending targets; returns those
        this call issued. Each notice is written once, however many calls run at once."""

    def sweep_withdrawals(self, withdrawn_before: datetime) -> list[str]:
        """Settles the targets of orders withdrawn before `withdrawn_before` whose withdrawal
        was interrupted; their ids. A book that withdraws at once has nothing to sweep."""
        return []

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

    @abstractmethod
    def revoke_order_strike(
        self,
        platform: str,
        seller_id: str,
        target_id: str,
        order_reference: str,
        listing_id: str | None,
        *,
        reason: str,
        revoked_by: str,
    ) -> None:
        """Revokes the strike of a removed target (recording it first if its recording was
        lost, so it cannot appear later unrevoked); revoking it again changes nothing."""


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


# --- Appeals of strikes (appeals module) ---------------------------------------------------------

from saring.domain.appeals import Appeal, AppealDraft  # noqa: E402


@dataclass(frozen=True, slots=True)
class AppealPage(CursorPage[Appeal]):
    pass


class AppealBook(ABC):
    """Appeals of strikes. Invariants are kept in the write: one appeal per idempotency key,
    one OPEN appeal per strike, a strike revoked by an appeal together with its decision."""

    @abstractmethod
    def strike(self, platform: str, seller_id: str, strike_id: str) -> Strike | None: ...

    @abstractmethod
    def by_key(self, platform: str, idempotency_key: str) -> Appeal | None:
        """The appeal first filed with this idempotency key, if any."""

    @abstractmethod
    def file(self, draft: AppealDraft, strike: Strike, decider: str, now: datetime) -> Appeal:
        """Stores a new OPEN appeal (audited). The same draft again (same key) returns the
        first appeal; another draft with that key, a second open appeal of the strike, or a
        strike revoked meanwhile raise ConflictError."""

    @abstractmethod
    def appeal(self, appeal_id: str) -> Appeal | None: ...

    @abstractmethod
    def decide(
        self,
        appeal: Appeal,
        decided: Appeal,
        *,
        may_revoke: Callable[[Strike], bool],
    ) -> Appeal:
        """Writes the decision (audited) if the appeal is still OPEN; a REVOKED decision
        revokes the strike in the same transaction (a strike revoked already stays as it is).
        A concurrent decision: the same one returns it, another raises ConflictError."""

    @abstractmethod
    def of_seller(self, platform: str, seller_id: str, first: int, after: str | None) -> AppealPage:
        """The seller's appeals, newest first."""

    @abstractmethod
    def filed(self, platform: str, since: datetime, until: datetime) -> list[Appeal]:
        """The platform's appeals filed in [since, until)."""


# --- Transparency: what a platform did, read back for exports (CLI only) -------------------------

from saring.domain.statements import RecordedStrike, RemovedTarget  # noqa: E402


class EnforcementLog(ABC):
    """Enforcement actions as stored, read for statements of reasons and reports."""

    @abstractmethod
    def removed_targets(self, platform: str, since: datetime, until: datetime) -> list[RemovedTarget]:
        """Targets of the platform acknowledged REMOVED in [since, until), with their orders."""

    @abstractmethod
    def recorded_strikes(self, platform: str, since: datetime, until: datetime) -> list[RecordedStrike]:
        """Strikes recorded on the platform in [since, until), whether each blocked its seller."""

    @abstractmethod
    def notices_by_level(self, platform: str, since: datetime, until: datetime) -> dict[str, int]:
        """Warning-ladder notices on the platform's targets of orders issued in [since, until)."""


# --- Drift of the flagged share (docs/learning-loop.md, Drift) --------------------------------

from saring.domain.drift import DayCounts  # noqa: E402


class DriftMetrics(ABC):
    """The daily verdict counts the API wrote as metrics, and the drift figure written back."""

    @abstractmethod
    def daily_counts(
        self, platforms: Sequence[str], first_day: datetime, days: int
    ) -> dict[str, list[DayCounts]]:
        """Per platform, `days` consecutive 24-hour sums of flagged and judged verdicts, the
        first starting at `first_day`; a day without any is DayCounts(0, 0)."""

    @abstractmethod
    def put_drift(self, ratios: dict[str, float], at: datetime) -> None:
        """One FlaggedShareDrift value per platform, timestamped `at`."""
