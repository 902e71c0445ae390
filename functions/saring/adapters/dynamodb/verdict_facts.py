"""Everything a `verdicts` call needs from the table, read in one wave of BatchGetItem.

For a batch the keys are: each distinct seller's summary (standing, and identity blocks
elsewhere, denormalised by the ledger) and each listing's order-match items (by listing id, by
normalised URL, by seller). They go out together in chunks of 100, concurrently, so a call
costs one round trip of latency whatever its size, plus one if DynamoDB leaves keys unprocessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from saring.adapters.dynamodb.batch import batch_get
from saring.adapters.dynamodb.ledger import standing_from_summary_item, summary_key
from saring.adapters.dynamodb.orders import match_keys, order_references_from_items
from saring.domain.listings import Listing
from saring.domain.strikes import StrikePolicy
from saring.domain.verdicts import VerdictFacts
from saring.ports import VerdictFactsReader


class DynamoVerdictFacts(VerdictFactsReader):
    def __init__(self, client: Any, table_name: str, policy: StrikePolicy) -> None:
        self._client = client
        self._table = table_name
        self._policy = policy

    def read(self, platform: str, listings: Sequence[Listing], now: datetime) -> list[VerdictFacts]:
        wanted: list[dict[str, str]] = []
        per_listing: list[tuple[dict[str, str], list[dict[str, str]]]] = []
        for listing in listings:
            seller_key = summary_key(platform, listing.seller_id)
            order_keys = match_keys(platform, listing.listing_id, listing.seller_id, listing.url)
            per_listing.append((seller_key, order_keys))
            wanted.append(seller_key)
            wanted.extend(order_keys)
        found = batch_get(self._client, self._table, wanted)
        facts = []
        for listing, (seller_key, order_keys) in zip(listings, per_listing, strict=True):
            seller = standing_from_summary_item(
                found.get((seller_key["pk"], seller_key["sk"])),
                now,
                self._policy,
                platform=platform,
                seller_id=listing.seller_id,
            )
            matches = [found[(k["pk"], k["sk"])] for k in order_keys if (k["pk"], k["sk"]) in found]
            facts.append(VerdictFacts(seller, tuple(order_references_from_items(matches))))
        return facts
