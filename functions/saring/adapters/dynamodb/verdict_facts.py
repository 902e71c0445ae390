"""Everything a `verdicts` call needs from the table, read in at most two waves of BatchGetItem.

The first wave holds each distinct seller's summary (standing, and the fingerprints it is linked
to) and each listing's order-match items (by listing id, by normalised URL, by seller). Only when
some seller carries fingerprints, a second wave reads the other platforms' links to them, so a
block elsewhere is computed now, from items those platforms wrote about their own sellers; only
when a match names a target of an order issued in several transactions, a read of that order's
header says whether it is ISSUED yet. Each
wave goes out in chunks of 100, concurrently: a call costs one round trip of latency whatever its
size (two with linked sellers), plus one per wave where DynamoDB leaves keys unprocessed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from saring.adapters.dynamodb.batch import batch_get
from saring.adapters.dynamodb.identity_links import other_platforms_links
from saring.adapters.dynamodb.ledger import (
    standing_from_summary_item,
    summary_fingerprints,
    summary_key,
)
from saring.adapters.dynamodb.orders import (
    gated_order_ids,
    issued_orders,
    match_keys,
    order_references_from_items,
)
from saring.domain.listings import Listing
from saring.domain.orders import ACTIVE_STATES, ActiveOrderIndex, TargetState
from saring.domain.strikes import StrikePolicy
from saring.domain.verdicts import VerdictFacts
from saring.ports import OrderBook, VerdictFactsReader
from saring.settings import DEFAULT_PLATFORMS


def links_of(
    client: Any,
    table: str,
    platform: str,
    summaries: dict[str, dict[str, Any] | None],
    platforms: Sequence[str],
) -> dict[str, list[Any]]:
    """Each seller's fingerprints' links on the other platforms (one BatchGetItem wave, none
    when no seller is linked)."""
    wanted = {seller: summary_fingerprints(item) for seller, item in summaries.items()}
    wanted = {seller: digests for seller, digests in wanted.items() if digests}
    if not wanted:
        return {}
    return other_platforms_links(client, table, wanted, platform, platforms)


class DynamoVerdictFacts(VerdictFactsReader):
    def __init__(
        self,
        client: Any,
        table_name: str,
        policy: StrikePolicy,
        platforms: Sequence[str] = DEFAULT_PLATFORMS,
    ) -> None:
        self._client = client
        self._table = table_name
        self._policy = policy
        self._platforms = tuple(platforms)

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
        summaries = {
            listing.seller_id: found.get((seller_key["pk"], seller_key["sk"]))
            for listing, (seller_key, _) in zip(listings, per_listing, strict=True)
        }
        links = links_of(self._client, self._table, platform, summaries, self._platforms)
        standings = {
            summary_key(platform, seller)["pk"]: standing_from_summary_item(
                item,
                now,
                self._policy,
                platform=platform,
                seller_id=seller,
                links=links.get(seller, ()),
            )
            for seller, item in summaries.items()
        }
        matched = [
            [found[(k["pk"], k["sk"])] for k in order_keys if (k["pk"], k["sk"]) in found]
            for _, order_keys in per_listing
        ]
        # A target of an order issued in several transactions counts once the order is ISSUED:
        # one more read, only when such a target names a listing of this call.
        issued = issued_orders(
            self._client, self._table, {o for matches in matched for o in gated_order_ids(matches)}
        )
        return [
            VerdictFacts(standings[seller_key["pk"]], tuple(order_references_from_items(matches, issued)))
            for (seller_key, _), matches in zip(per_listing, matched, strict=True)
        ]


class ScanVerdictFacts(VerdictFactsReader):
    """The same facts for catalog scans, where a read per listing would be the whole bill.

    A platform's active takedown targets are few next to its catalog: they are read once (the
    gsi1 partitions of PENDING and REMOVED targets) into an ActiveOrderIndex and matched in
    memory; seller summaries are read in batches and remembered. Both are refreshed after
    `max_age`, so a scan sees an order or a strike at most that much later than `verdicts` does.
    Standing is still computed with the clock at each read, so expiry is never late.
    """

    def __init__(
        self,
        client: Any,
        table_name: str,
        policy: StrikePolicy,
        order_book: OrderBook,
        max_age: timedelta = timedelta(seconds=60),
        platforms: Sequence[str] | None = None,
    ) -> None:
        self._client = client
        self._table = table_name
        self._policy = policy
        self._orders = order_book
        self._platforms = tuple(platforms) if platforms is not None else DEFAULT_PLATFORMS
        self._max_age = max_age.total_seconds()
        self._indexes: dict[str, tuple[float, ActiveOrderIndex]] = {}
        # (platform, seller) -> (loaded at, summary item, the other platforms' links)
        self._summaries: dict[tuple[str, str], tuple[float, dict[str, Any] | None, list[Any]]] = {}

    def read(self, platform: str, listings: Sequence[Listing], now: datetime) -> list[VerdictFacts]:
        index = self._index(platform)
        summaries = self._summaries_of(platform, {listing.seller_id for listing in listings})
        standings = {
            seller: standing_from_summary_item(
                item, now, self._policy, platform=platform, seller_id=seller, links=links
            )
            for seller, (item, links) in summaries.items()
        }
        # Nearly every listing matches no order: its facts are its seller's, one object each.
        unordered = {seller: VerdictFacts(standing) for seller, standing in standings.items()}
        references = index.references
        return [
            VerdictFacts(standings[listing.seller_id], matched)
            if (matched := references(listing.listing_id, listing.seller_id, listing.url))
            else unordered[listing.seller_id]
            for listing in listings
        ]

    def _index(self, platform: str) -> ActiveOrderIndex:
        cached = self._indexes.get(platform)
        if cached is not None and time.monotonic() - cached[0] < self._max_age:
            return cached[1]
        targets = [
            edge.node
            for state in ACTIVE_STATES
            for edge in self._all_targets(platform, state)
        ]
        index = ActiveOrderIndex.of(targets)
        self._indexes[platform] = (time.monotonic(), index)
        return index

    def _all_targets(self, platform: str, state: TargetState) -> list[Any]:
        edges, after = [], None
        while True:
            page = self._orders.targets([platform], state, 100, after)
            edges.extend(page.edges)
            if not page.has_next_page:
                return edges
            after = page.end_cursor

    def _summaries_of(
        self, platform: str, sellers: set[str]
    ) -> dict[str, tuple[dict[str, Any] | None, list[Any]]]:
        fresh_after = time.monotonic() - self._max_age
        wanted = [
            seller
            for seller in sellers
            if (cached := self._summaries.get((platform, seller))) is None or cached[0] < fresh_after
        ]
        if wanted:
            keys = {seller: summary_key(platform, seller) for seller in wanted}
            found = batch_get(self._client, self._table, list(keys.values()))
            items = {seller: found.get((key["pk"], key["sk"])) for seller, key in keys.items()}
            links = links_of(self._client, self._table, platform, items, self._platforms)
            loaded_at = time.monotonic()
            if len(self._summaries) > 100_000:  # a bound on memory for very long scans
                self._summaries.clear()
            for seller, item in items.items():
                self._summaries[(platform, seller)] = (loaded_at, item, links.get(seller, []))
        return {
            seller: self._summaries[(platform, seller)][1:]  # type: ignore[misc]
            for seller in sellers
        }
