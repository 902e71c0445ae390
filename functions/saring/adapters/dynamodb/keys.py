"""Every key format of the single table, in one place.

The table has a partition key `pk`, a sort key `sk`, and one global secondary index `gsi1`
(`gsi1pk`, `gsi1sk`). Identifiers from callers are embedded after a `#`-separated prefix; they
may contain `#` themselves, so a key is never split to recover them: items carry plain
attributes for that.
"""

from __future__ import annotations


def typed(key: dict[str, str]) -> dict[str, dict[str, str]]:
    """A key in DynamoDB's attribute-value form, for the low-level client."""
    return {name: {"S": value} for name, value in key.items()}

# --- API keys -------------------------------------------------------------------------------


def api_key(key_hash: str) -> dict[str, str]:
    return {"pk": f"APIKEY#{key_hash}", "sk": "APIKEY"}


# Every key with an id is also on gsi1 under one partition, sorted by id: `saring keys list`
# reads it, and revoking or rotating by id finds the key's hash there. Operators' keys number
# in the tens, so one partition holds them all.
API_KEYS_PARTITION = "APIKEYS"


def api_key_index(key_id: str) -> dict[str, str]:
    return {"gsi1pk": API_KEYS_PARTITION, "gsi1sk": key_id}


# --- Sellers (the ledger adds strike, identity and audit keys below) ------------------------


def seller_summary(platform: str, seller_id: str) -> dict[str, str]:
    return {"pk": f"SELLER#{platform}#{seller_id}", "sk": "SUMMARY"}


# --- Audit events: one partition per subject, sorted by time -------------------------------


def audit_event(subject: str, at_iso: str, event_id: str) -> dict[str, str]:
    return {"pk": f"AUDIT#{subject}", "sk": f"{at_iso}#{event_id}"}


def audit_partition(subject: str) -> str:
    return f"AUDIT#{subject}"


# --- Strike ledger (strikes, seller summaries, idempotency, identity fingerprints) ---------
# A seller's partition holds its summary (sk "SUMMARY", above) and its strikes (sk
# "STRIKE#<strike_id>", time-sortable ids). "STRIKE#" sorts before "SUMMARY", so one Query,
# newest first, returns the summary followed by the first page of strikes.

STRIKE_PREFIX = "STRIKE#"
SUMMARY_SK = "SUMMARY"
STRIKE_RANGE_END = "STRIKE$"  # "$" follows "#": the upper bound of every strike sort key


def seller_partition(platform: str, seller_id: str) -> str:
    return seller_summary(platform, seller_id)["pk"]


def strike(platform: str, seller_id: str, strike_id: str) -> dict[str, str]:
    return {"pk": seller_partition(platform, seller_id), "sk": f"{STRIKE_PREFIX}{strike_id}"}


def strikes_of_day(platform: str, day: str, strike_id: str) -> dict[str, str]:
    """gsi1 entry of a strike: a platform's strikes of one UTC day ("2026-03-01"), by id (time
    order), for the transparency exports. One partition per day spreads the writes."""
    return {"gsi1pk": f"STRIKES#{platform}#{day}", "gsi1sk": strike_id}


def strike_idempotency(platform: str, source: str, idempotency_key: str) -> dict[str, str]:
    """One per (platform, source, key): a platform's idempotencyKey or an order target's id."""
    return {"pk": f"STRIKEKEY#{platform}#{source}#{idempotency_key}", "sk": "STRIKEKEY"}


def identity_links(digest: str, platform: str) -> dict[str, str]:
    """One platform's sellers linked to an identity fingerprint (hex HMAC-SHA256 of a phone or
    NIK). One item per platform: only that platform's own writes ever touch it."""
    return {"pk": f"IDENTITY#{digest}", "sk": f"PLATFORM#{platform}"}


# Every identity-links item is also on gsi1 under one partition, sorted by fingerprint then
# platform, so a regulator can page through the fingerprints linked on several platforms.
IDENTITY_LINKS_PARTITION = "IDENTITYLINKS"


def identity_links_index(digest: str, platform: str) -> dict[str, str]:
    return {"gsi1pk": IDENTITY_LINKS_PARTITION, "gsi1sk": f"{digest}#{platform}"}


def link_rate(platform: str, hour: str) -> dict[str, str]:
    """The count of a platform's identity links within one UTC hour ("2026-03-01T09")."""
    return {"pk": f"LINKRATE#{platform}", "sk": hour}


def seller_subject(platform: str, seller_id: str) -> str:
    """The audit subject of a seller (see saring.domain.audit.AuditEvent.subject)."""
    return f"seller:{platform}:{seller_id}"


# --- Takedown orders (orders module) -------------------------------------------------------
# An order's partition holds its header (sk "ORDER") and its targets (sk "TARGET#<index>"), so
# one Query reads a whole order. A target id is "<order id>-<index>", which gives its key.
# The (agency, reference) claim makes issuing idempotent. Targets are on gsi1 under
# "TARGETS#<platform>#<state>", sorted by "<deadline>#<target id>". Match items (sk "MATCH")
# hold one attribute "ref#<target id>" = order reference per active target that names the
# listing, the URL or the seller; "gref#<target id>" for a target of an order issued in several
# transactions, which counts only once its order is ISSUED.

ORDER_SK = "ORDER"
TARGET_SK_PREFIX = "TARGET#"
MATCH_SK = "MATCH"
MATCH_REF_PREFIX = "ref#"
GATED_MATCH_REF_PREFIX = "gref#"
ISSUING_ORDERS_PARTITION = "ORDERS#ISSUING"  # gsi1: headers of orders still ISSUING
# gsi1: headers of orders WITHDRAWN whose targets are not all settled yet (the sweep finishes them)
WITHDRAWING_ORDERS_PARTITION = "ORDERS#WITHDRAWING"


def order_partition(order_id: str) -> str:
    return f"ORDER#{order_id}"


def order_header(order_id: str) -> dict[str, str]:
    return {"pk": order_partition(order_id), "sk": ORDER_SK}


def order_target(order_id: str, index: int) -> dict[str, str]:
    return {"pk": order_partition(order_id), "sk": f"{TARGET_SK_PREFIX}{index:03d}"}


def order_claim(agency: str, reference: str) -> dict[str, str]:
    # The agency's length goes first, so no (agency, reference) pair can spell another's key.
    return {"pk": f"ORDERREF#{len(agency)}#{agency}#{reference}", "sk": "ORDERREF"}


def targets_partition(platform: str, state: str) -> str:
    return f"TARGETS#{platform}#{state}"


def target_deadline_sort(deadline_iso: str, target_id: str) -> str:
    return f"{deadline_iso}#{target_id}"


def match_listing(platform: str, listing_id: str) -> dict[str, str]:
    return {"pk": f"MATCH#{platform}#LISTING#{listing_id}", "sk": MATCH_SK}


def match_url(platform: str, url_key: str) -> dict[str, str]:
    """`url_key` is domain.orders.url_match_key's: one per listing, however its URL is written."""
    return {"pk": f"MATCH#{platform}#URL#{url_key}", "sk": MATCH_SK}


def match_seller(platform: str, seller_id: str) -> dict[str, str]:
    return {"pk": f"MATCH#{platform}#SELLER#{seller_id}", "sk": MATCH_SK}


def match_reference_attribute(target_id: str, gated: bool = False) -> str:
    return f"{GATED_MATCH_REF_PREFIX if gated else MATCH_REF_PREFIX}{target_id}"


# Orders listed newest first (takedownOrders): per order one item for its agency and one per
# platform it targets, in the order's partition (sk "LIST#..."), on gsi1 under
# "ORDERS#AGENCY#<len>#<agency>" or "ORDERS#PLATFORM#<platform>", sorted by
# "<issued at>#<order id>". Written with the order's first transaction, never changed: the
# status is read from the header.
ORDER_LIST_SK_PREFIX = "LIST#"


def order_list_agency(order_id: str) -> dict[str, str]:
    return {"pk": order_partition(order_id), "sk": f"{ORDER_LIST_SK_PREFIX}AGENCY"}


def order_list_platform(order_id: str, platform: str) -> dict[str, str]:
    return {"pk": order_partition(order_id), "sk": f"{ORDER_LIST_SK_PREFIX}PLATFORM#{platform}"}


def orders_of_agency(agency: str) -> str:
    # The agency's length first, as in order_claim: no agency can spell another's partition.
    return f"ORDERS#AGENCY#{len(agency)}#{agency}"


def orders_of_platform(platform: str) -> str:
    return f"ORDERS#PLATFORM#{platform}"


def order_issued_sort(issued_iso: str, order_id: str) -> str:
    return f"{issued_iso}#{order_id}"


# Warning-ladder notices (saring.domain.notices): one item per notice in the order's partition,
# written in the same transaction as the target's notice attribute; its INSERT on the stream
# is what announces it.
NOTICE_SK_PREFIX = "NOTICE#"


def order_notice(order_id: str, index: int, level: str) -> dict[str, str]:
    return {"pk": order_partition(order_id), "sk": f"{NOTICE_SK_PREFIX}{index:03d}#{level}"}


def notice_attribute(level: str) -> str:
    """The target item's attribute holding when a notice of this level was issued."""
    return f"notice_{level}"


# --- Appeals of strikes -----------------------------------------------------------------------
# An appeal lives in its seller's partition (sk "APPEAL#<sequence>", sequences sort by filing
# time), so a seller's appeals are one strongly consistent Query; "APPEAL#" sorts before
# "STRIKE#", outside every strike range. While an appeal is OPEN, "APPEALOPEN#<strike id>" in the
# same partition names it: one open appeal per strike ("APPEALOPEN" sorts after "APPEAL$", so the
# appeals range never reads it). The platform's appeals are on gsi1 under "APPEALS#<platform>",
# sorted by sequence, for compliance and the transparency exports.

APPEAL_PREFIX = "APPEAL#"
APPEAL_RANGE_END = "APPEAL$"


def appeal(platform: str, seller_id: str, sequence: str) -> dict[str, str]:
    return {"pk": seller_partition(platform, seller_id), "sk": f"{APPEAL_PREFIX}{sequence}"}


def open_appeal(platform: str, seller_id: str, strike_id: str) -> dict[str, str]:
    return {"pk": seller_partition(platform, seller_id), "sk": f"APPEALOPEN#{strike_id}"}


def appeal_claim(platform: str, idempotency_key: str) -> dict[str, str]:
    return {"pk": f"APPEALKEY#{platform}#{idempotency_key}", "sk": "APPEALKEY"}


def platform_appeals_index(platform: str, sequence: str) -> dict[str, str]:
    return {"gsi1pk": f"APPEALS#{platform}", "gsi1sk": sequence}
