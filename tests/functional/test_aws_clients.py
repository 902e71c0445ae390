"""saring.adapters.aws: the one way Saring makes AWS clients."""

from __future__ import annotations

import botocore.loaders
import pytest

from saring.adapters import aws
from saring.adapters.aws import aws_client


def test_a_client_outside_the_list_is_refused_everywhere():
    with pytest.raises(ValueError, match="AWS_SERVICES"):
        aws_client("kinesis")


def test_clients_reuse_the_data_botocore_has_already_parsed(monkeypatch):
    """A Lambda scan function makes S3, SQS and DynamoDB clients: without a shared loader each
    one's session reads and parses the endpoint data and its models again."""
    reads: list[str] = []
    load_file = botocore.loaders.JSONFileLoader.load_file

    def counted(self, file_path):
        reads.append(file_path)
        return load_file(self, file_path)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", counted)
    aws._data_loader.cache_clear()
    aws_client("sqs")
    first = len(reads)
    aws_client("sqs")
    assert first > 0
    assert len(reads) == first


def test_every_client_saring_makes_retries_in_standard_mode(monkeypatch):
    """Adaptive mode is experimental and rate-limits a whole process after one throttle; the
    legacy default skips some transient errors. Whatever an adapter configures, the mode is
    standard."""
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.adapters.s3_objects import s3_client
    from saring.adapters.sqs_parts import sqs_client
    from saring.handlers.order_events import events_client

    monkeypatch.delenv("AWS_RETRY_MODE", raising=False)
    built = [dynamodb_client, s3_client, sqs_client, events_client]
    for cached in built:
        cached.cache_clear()
    try:
        clients = [make() for make in built] + [aws_client(name) for name in aws.AWS_SERVICES]
        assert {client.meta.config.retries["mode"] for client in clients} == {"standard"}
        assert dynamodb_client().meta.config.retries["total_max_attempts"] == 4
    finally:
        for cached in built:
            cached.cache_clear()
