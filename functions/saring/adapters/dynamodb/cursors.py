"""Cursors over one partition: the last sort key read, under a name for what is paged, so a cursor
of one listing (strikes, appeals, audit events) is refused by another instead of being read."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable

from saring.domain.errors import BadUserInputError


def encode_sort_key(kind: str, sort_key: str) -> str:
    raw = json.dumps({"v": 1, kind: sort_key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_sort_key(cursor: str, kind: str, valid: Callable[[str], bool]) -> str:
    """The sort key of a cursor of `kind` that `valid` accepts; BadUserInputError otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        sort_key = json.loads(base64.urlsafe_b64decode(padded.encode()))[kind]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise BadUserInputError("the cursor is not one this API gave out", field="after") from None
    if not isinstance(sort_key, str) or not valid(sort_key):
        raise BadUserInputError("the cursor is not one this API gave out", field="after")
    return sort_key
