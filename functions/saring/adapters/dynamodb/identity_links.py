"""Identity links on the single table: one item per (fingerprint, platform).

``IDENTITY#<digest>`` / ``PLATFORM#<platform>``: ``identity_kind``, ``digest``, ``platform``,
``version`` (optimistic lock of links and unlinks), and ``members`` = {seller_id: {linked_at,
strikes: {strike_id: [recorded_at, expires_at]}}} for that platform's sellers only. The item is
written by that platform's own transactions alone: its links and unlinks (under ``version``) and
the strikes and revocations of its own sellers (``members.<seller>.strikes``, guarded by the
seller summary's version in the same transaction). Another platform only ever reads it, when it
computes what its own seller shares with sellers elsewhere.
"""

from __future__ import annotations

import base64
import binascii
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from saring.adapters.dynamodb import keys
from saring.adapters.dynamodb.batch import batch_get
from saring.domain.errors import BadUserInputError
from saring.domain.identity import (
    IdentityKind,
    IdentitySignal,
    IdentitySignalPage,
    LinkedSeller,
    PlatformLinks,
    identity_signal,
)
from saring.domain.strikes import StrikePolicy

AV = dict[str, Any]
# A regulator's page reads at most this many fingerprints' links, signal or not: the cost of one
# call stays bounded however few fingerprints carry a signal.
MAX_FINGERPRINTS_SCANNED = 1_000


def strikes_av(strikes: Mapping[str, tuple[datetime, datetime]]) -> AV:
    return {
        "M": {
            sid: {"L": [{"S": recorded.isoformat()}, {"S": expires.isoformat()}]}
            for sid, (recorded, expires) in sorted(strikes.items())
        }
    }


def member_av(linked_at: datetime, strikes: Mapping[str, tuple[datetime, datetime]]) -> AV:
    return {"M": {"linked_at": {"S": linked_at.isoformat()}, "strikes": strikes_av(strikes)}}


def parse_links(item: AV) -> PlatformLinks:
    sellers = []
    for seller_id, member in sorted(item.get("members", {}).get("M", {}).items()):
        m = member["M"]
        strikes = tuple(
            (datetime.fromisoformat(pair["L"][0]["S"]), datetime.fromisoformat(pair["L"][1]["S"]))
            for pair in m.get("strikes", {}).get("M", {}).values()
        )
        sellers.append(LinkedSeller(seller_id, datetime.fromisoformat(m["linked_at"]["S"]), strikes))
    return PlatformLinks(
        digest=item["digest"]["S"],
        kind=IdentityKind(item["identity_kind"]["S"]),
        platform=item["platform"]["S"],
        sellers=tuple(sellers),
    )


def members_of(item: AV | None) -> set[str]:
    return set((item or {}).get("members", {}).get("M", {}))


def new_links_item(
    digest: str, kind: str, platform: str, seller_id: str, member: AV, now: datetime
) -> AV:
    return {
        **keys.typed(keys.identity_links(digest, platform)),
        **keys.typed(keys.identity_links_index(digest, platform)),
        "kind": {"S": "IDENTITY_LINKS"},
        "identity_kind": {"S": kind},
        "digest": {"S": digest},
        "platform": {"S": platform},
        "version": {"N": "1"},
        "members": {"M": {seller_id: member}},
        "created_at": {"S": now.isoformat()},
    }


def other_platforms_links(
    client: Any,
    table: str,
    wanted: Mapping[str, Iterable[str]],
    platform: str,
    platforms: Sequence[str],
) -> dict[str, list[PlatformLinks]]:
    """For each key of `wanted` (a seller), the links of its fingerprints (the values) on every
    platform but `platform`: one BatchGetItem wave for all of them."""
    per_owner = {
        owner: [
            keys.identity_links(digest, other)
            for digest in sorted(set(digests))
            for other in platforms
            if other != platform
        ]
        for owner, digests in wanted.items()
    }
    found = batch_get(client, table, [key for ks in per_owner.values() for key in ks])
    return {
        owner: [parse_links(found[(k["pk"], k["sk"])]) for k in ks if (k["pk"], k["sk"]) in found]
        for owner, ks in per_owner.items()
    }


def identity_signals(
    client: Any, table: str, first: int, after: str | None, now: datetime, policy: StrikePolicy
) -> IdentitySignalPage:
    """Fingerprints linked on several platforms with a blocked seller on one of them, in
    fingerprint order, computed now from every platform's links."""
    start = _decode(after) if after else None
    signals: list[IdentitySignal] = []
    last_digest: str | None = None
    has_next = False
    groups = itertools.groupby(_index_items(client, table, start), _digest_of)
    for scanned, (digest, group) in enumerate(groups):
        if len(signals) == first or scanned == MAX_FINGERPRINTS_SCANNED:
            has_next = True
            break
        last_digest = digest
        signal = identity_signal([parse_links(item) for item in group], now, policy)
        if signal is not None:
            signals.append(signal)
    return IdentitySignalPage(
        signals, has_next, _encode(last_digest) if last_digest is not None else after
    )


def _digest_of(item: AV) -> str:
    return item["digest"]["S"]


def _index_items(client: Any, table: str, after_digest: str | None) -> Iterator[AV]:
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :p",
        "ExpressionAttributeValues": {":p": {"S": keys.IDENTITY_LINKS_PARTITION}},
    }
    if after_digest is not None:
        # "$" sorts after "#": past every platform's item of that fingerprint.
        request["KeyConditionExpression"] += " AND gsi1sk > :after"
        request["ExpressionAttributeValues"][":after"] = {"S": after_digest + "$"}
    while True:
        response = client.query(**request)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _encode(digest: str) -> str:
    return base64.urlsafe_b64encode(digest.encode()).decode()


def _decode(cursor: str) -> str:
    try:
        digest = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, binascii.Error, UnicodeError):
        digest = ""
    if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
        raise BadUserInputError("after is not a cursor of this query", field="after")
    return digest
