"""The one DynamoDB client of a process, with retries suited to a request path."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from saring.adapters.aws import aws_client

# Standard mode backs off with full jitter on throttling and transient errors; botocore reads
# max_attempts as retries, so a call is tried at most 4 times, well inside the API's timeout.
# Not adaptive: AWS documents it as experimental, and its client-side rate limiter, shared by
# every request of a process, would let one throttled partition slow all of them.
# botocore reads AWS_ENDPOINT_URL(_DYNAMODB), so the same code talks to moto locally.
_CONFIG = Config(
    retries={"max_attempts": 3, "mode": "standard"},
    connect_timeout=2,
    read_timeout=5,
    tcp_keepalive=True,
    # botocore keeps 10 connections by default and closes the rest after use. One request may
    # send 8 reads at once (batch.concurrently), and `saring serve` answers several requests
    # at once: without room for all of them, every call past the tenth opened a new socket.
    max_pool_connections=32,
)


# Reasons a cancelled transaction gives that say nothing about its own conditions: the same
# transaction may succeed when tried again.
TRANSIENT_CANCELLATION_REASONS = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
)

# DynamoDB told us to slow down, or did not answer in time, after the client's own retries.
_TRANSIENT_ERROR_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "TransactionInProgressException",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


def is_transient(error: BaseException) -> bool:
    """A failure that says nothing about the request: the same request may succeed later."""
    if isinstance(error, BotoConnectionError | HTTPClientError | TimeoutError):
        return True
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code == "TransactionCanceledException":
            reasons = {r.get("Code") for r in error.response.get("CancellationReasons") or []}
            return bool(reasons) and reasons - {"None", None} <= TRANSIENT_CANCELLATION_REASONS
        return code in _TRANSIENT_ERROR_CODES
    return False


@lru_cache(maxsize=1)
def dynamodb_client() -> Any:
    return aws_client("dynamodb", _CONFIG)
