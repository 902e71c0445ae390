"""The ports the service layer is written against; adapters and test fakes subclass them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

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
    def explain(self, listing: Listing, limit: int = 3) -> list[Evidence]:
        """The strongest evidence for a high score; called only for flagged listings."""


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


class KeyStore(ABC):
    """API keys, stored only as SHA-256 hashes."""

    @abstractmethod
    def put(self, stored: StoredKey) -> None: ...

    @abstractmethod
    def find(self, key_hash: str) -> Principal | None: ...


class VerdictFactsReader(ABC):
    """Reads, for a batch of listings, what the ledger and the orders say about each."""

    @abstractmethod
    def read(
        self, platform: str, listings: Sequence[Listing], now: datetime
    ) -> list[VerdictFacts]:
        """One VerdictFacts per listing, in order."""
