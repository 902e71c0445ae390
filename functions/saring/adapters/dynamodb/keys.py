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


# --- Sellers (the ledger adds strike, identity and audit keys below) ------------------------


def seller_summary(platform: str, seller_id: str) -> dict[str, str]:
    return {"pk": f"SELLER#{platform}#{seller_id}", "sk": "SUMMARY"}


# --- Audit events: one partition per subject, sorted by time -------------------------------


def audit_event(subject: str, at_iso: str, event_id: str) -> dict[str, str]:
    return {"pk": f"AUDIT#{subject}", "sk": f"{at_iso}#{event_id}"}


def audit_partition(subject: str) -> str:
    return f"AUDIT#{subject}"
