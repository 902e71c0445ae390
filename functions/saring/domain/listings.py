"""Listings as the classifier and the verdict policy see them."""

from __future__ import annotations

from dataclasses import dataclass

from saring.domain.errors import BadUserInputError


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


@dataclass(frozen=True, slots=True)
class ListingLimits:
    max_batch: int = 100
    max_title_chars: int = 500
    max_description_chars: int = 10_000
    max_id_chars: int = 200
    max_url_chars: int = 2_048
    max_category_chars: int = 300


def validate_listings(listings: list[Listing], limits: ListingLimits) -> None:
    """Refuses a batch whose listings the service must not score, naming the field and listing."""
    if not listings:
        raise BadUserInputError("send at least one listing", field="listings")
    if len(listings) > limits.max_batch:
        raise BadUserInputError(
            f"at most {limits.max_batch} listings per call, got {len(listings)}", field="listings"
        )
    for index, listing in enumerate(listings):
        problem = _problem(listing, limits)
        if problem is not None:
            field, message = problem
            where = f"listings[{index}] (listingId {listing.listing_id[:64]!r})"
            raise BadUserInputError(f"{where}: {field} {message}", field=field)


def _problem(listing: Listing, limits: ListingLimits) -> tuple[str, str] | None:
    """The first field of a listing the service must not score, and why; None for most."""
    if not listing.listing_id.strip() or len(listing.listing_id) > limits.max_id_chars:
        return "listingId", f"must have 1 to {limits.max_id_chars} characters"
    if not listing.seller_id.strip() or len(listing.seller_id) > limits.max_id_chars:
        return "sellerId", f"must have 1 to {limits.max_id_chars} characters"
    if not listing.title.strip():
        return "title", "must not be empty"
    if len(listing.title) > limits.max_title_chars:
        return "title", f"is longer than {limits.max_title_chars} characters"
    if listing.description is not None and len(listing.description) > limits.max_description_chars:
        return "description", f"is longer than {limits.max_description_chars} characters"
    if listing.price_idr is not None and listing.price_idr < 0:
        return "priceIdr", "must not be negative"
    if listing.category is not None and len(listing.category) > limits.max_category_chars:
        return "category", f"is longer than {limits.max_category_chars} characters"
    if listing.url is not None and len(listing.url) > limits.max_url_chars:
        return "url", f"is longer than {limits.max_url_chars} characters"
    return None
