"""The part queue on SQS: SendMessageBatch, ten at a time, failed entries sent again."""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from botocore.config import Config

from saring.adapters.aws import aws_client
from saring.adapters.backoff import full_jitter
from saring.ports import PartQueue

SEND_BATCH = 10
MAX_ATTEMPTS = 5
_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, tcp_keepalive=True)


@lru_cache(maxsize=1)
def sqs_client() -> Any:
    return aws_client("sqs", _CONFIG)


class SqsPartQueue(PartQueue):
    def __init__(self, client: Any, queue_url: str) -> None:
        self._client = client
        self._url = queue_url

    def send(self, messages: Sequence[tuple[str, str]]) -> None:
        for start in range(0, len(messages), SEND_BATCH):
            self._send_batch(list(messages[start : start + SEND_BATCH]))

    def _send_batch(self, batch: list[tuple[str, str]]) -> None:
        bodies = dict(batch)
        pending = list(bodies)
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                time.sleep(full_jitter(0.1 * 2**attempt))
            response = self._client.send_message_batch(
                QueueUrl=self._url,
                Entries=[{"Id": entry, "MessageBody": bodies[entry]} for entry in pending],
            )
            failed = response.get("Failed", [])
            permanent = [entry for entry in failed if entry.get("SenderFault")]
            if permanent:
                raise RuntimeError(f"SQS refused part messages: {permanent}")
            pending = [entry["Id"] for entry in failed]
            if not pending:
                return
        raise RuntimeError(f"SQS did not take {len(pending)} part messages after retries")
