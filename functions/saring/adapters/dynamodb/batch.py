"""Reads many items at once: BatchGetItem chunks sent together, unprocessed keys retried."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from saring.adapters.backoff import full_jitter
from saring.adapters.dynamodb.keys import typed
from saring.domain.errors import SaringError

BATCH_GET_LIMIT = 100  # DynamoDB's limit of keys per BatchGetItem request
MAX_WAVES = 5

ItemKey = tuple[str, str]
T = TypeVar("T")
R = TypeVar("R")

# The process's one pool for DynamoDB requests sent together (botocore clients are thread-safe):
# chunks of one batch go out at the same time, so a batch of any size costs one round trip of
# latency (plus one per retry of unprocessed keys).
_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="dynamodb")


def concurrently(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`function` over `items`, the calls in flight together; a single one runs inline."""
    if len(items) == 1:
        return [function(items[0])]
    return list(_pool.map(function, items))


def batch_get(
    client: Any, table_name: str, keys: Sequence[dict[str, str]], *, consistent: bool = False
) -> dict[ItemKey, dict[str, Any]]:
    """Every existing item among `keys`, by (pk, sk); missing items are simply absent.

    `consistent` reads are for a read that a conditional write will follow.
    """
    pending = list({(key["pk"], key["sk"]): key for key in keys}.values())
    found: dict[ItemKey, dict[str, Any]] = {}
    for wave in range(MAX_WAVES):
        if not pending:
            return found
        if wave:
            time.sleep(full_jitter(0.05 * 2**wave))
        chunks = [
            pending[start : start + BATCH_GET_LIMIT]
            for start in range(0, len(pending), BATCH_GET_LIMIT)
        ]
        responses = concurrently(
            lambda chunk: _get_chunk(client, table_name, chunk, consistent), chunks
        )
        pending = []
        for items, unprocessed in responses:
            for item in items:
                found[(item["pk"]["S"], item["sk"]["S"])] = item
            pending.extend(unprocessed)
    if not pending:  # the last wave answered everything
        return found
    raise SaringError(f"DynamoDB left {len(pending)} keys unprocessed after {MAX_WAVES} tries")


def _get_chunk(
    client: Any, table_name: str, chunk: list[dict[str, str]], consistent: bool
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    response = client.batch_get_item(
        RequestItems={
            table_name: {"Keys": [typed(key) for key in chunk], "ConsistentRead": consistent}
        }
    )
    items = response.get("Responses", {}).get(table_name, [])
    unprocessed = response.get("UnprocessedKeys", {}).get(table_name, {}).get("Keys", [])
    return items, [{name: value["S"] for name, value in key.items()} for key in unprocessed]
