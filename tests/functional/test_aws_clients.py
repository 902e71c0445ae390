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
