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


class ListingRefusedError(BadUserInputError):
    """One listing of a batch the service will not score; the others still get verdicts.
    `extensions` carry its listingId (cut to `max_id_chars`: an overlong id is the problem)."""

    def __init__(self, index: int, listing_id: str, field: str, message: str, limit: int) -> None:
        shown = listing_id[:limit]
        super().__init__(
            f"listings[{index}] (listingId {shown[:64]!r}): {field} {message}",
            field=field,
            extensions={"listingId": shown},
        )
        self.index = index


def check_batch_size(listings: list[Listing], limits: ListingLimits) -> None:
    """The batch as a whole: nothing is scored when it is empty or too large."""
    if not listings:
        raise BadUserInputError("send at least one listing", field="listings")
    if len(listings) > limits.max_batch:
        raise BadUserInputError(
            f"at most {limits.max_batch} listings per call, got {len(listings)}", field="listings"
        )


def refused_listings(listings: list[Listing], limits: ListingLimits) -> dict[int, ListingRefusedError]:
    """The listings of a batch the service must not score, by position: a field out of bounds,
    or a listingId an earlier listing of the batch already has (its first one is scored)."""
    check_batch_size(listings, limits)
    refused: dict[int, ListingRefusedError] = {}
    first_at: dict[str, int] = {}
    for index, listing in enumerate(listings):
        problem = _problem(listing, limits)
        if problem is None and listing.listing_id in first_at:
            problem = "listingId", f"repeats listings[{first_at[listing.listing_id]}]"
        if problem is not None:
            field, message = problem
            refused[index] = ListingRefusedError(
                index, listing.listing_id, field, message, limits.max_id_chars
            )
        else:
            first_at[listing.listing_id] = index
    return refused


def validate_listings(listings: list[Listing], limits: ListingLimits) -> None:
    """Refuses a batch whose listings the service must not score, naming the field and listing."""
    check_batch_size(listings, limits)
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
