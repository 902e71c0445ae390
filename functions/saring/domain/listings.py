"""Listings as the classifier and the verdict policy see them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Listing:
    listing_id: str
    seller_id: str
    title: str
    description: str | None = None
    price_idr: int | None = None
    category: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One n-gram that pushed the score up, and the original text it was read from."""

    term: str  # after normalisation, e.g. "thrift"
    original: str  # as the seller wrote it, e.g. "thr1ft"
    weight: float  # its contribution to the score's log-odds
