"""In-memory fakes that subclass the real ports, so they cannot drift from them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from saring.domain.listings import Evidence, Listing
from saring.domain.principals import Principal
from saring.domain.standing import SellerStanding
from saring.domain.verdicts import ModelThresholds, VerdictFacts
from saring.ports import Classifier, KeyStore, StoredKey, VerdictFactsReader


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

    def explain(self, listing: Listing, limit: int = 3) -> list[Evidence]:
        return [Evidence(term=self.word, original=self.word, weight=1.0)]


class MemoryKeyStore(KeyStore):
    def __init__(self) -> None:
        self.stored: dict[str, StoredKey] = {}

    def put(self, stored: StoredKey) -> None:
        self.stored[stored.key_hash] = stored

    def find(self, key_hash: str) -> Principal | None:
        stored = self.stored.get(key_hash)
        return stored.principal if stored else None


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
