"""The one boto3 DynamoDB client of a process, with retries suited to a request path."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

# Adaptive mode backs off with jitter on throttling; 3 attempts keeps a request well inside the
# API's timeout. boto3 reads AWS_ENDPOINT_URL(_DYNAMODB), so the same code talks to moto locally.
_CONFIG = Config(
    retries={"max_attempts": 3, "mode": "adaptive"},
    connect_timeout=2,
    read_timeout=5,
    tcp_keepalive=True,
)


@lru_cache(maxsize=1)
def dynamodb_client() -> Any:
    return boto3.client("dynamodb", config=_CONFIG)
