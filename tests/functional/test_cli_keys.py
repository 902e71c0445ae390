"""`saring keys create`: prints a new key once, stores only its hash, refuses bad flags."""

from __future__ import annotations

import json

import pytest

from saring.adapters.dynamodb.client import dynamodb_client
from saring.adapters.dynamodb.keystore import DynamoKeyStore
from saring.cli import main
from saring.service.keys import Authenticator, hash_key


@pytest.fixture
def keys_table(dynamodb, table_name, monkeypatch):
    monkeypatch.setenv("SARING_TABLE", table_name)
    dynamodb_client.cache_clear()
    yield DynamoKeyStore(dynamodb, table_name)
    dynamodb_client.cache_clear()


@pytest.mark.parametrize(
    ("flags", "bound"),
    [
        (["--role", "platform", "--platform", "lazada"], {"platform": "lazada", "agency": None}),
        (["--role", "regulator", "--agency", "kominfo"], {"platform": None, "agency": "kominfo"}),
    ],
)
def test_a_new_key_is_printed_once_and_stored_as_a_hash(keys_table, dynamodb, capsys, flags, bound):
    assert main(["keys", "create", *flags]) == 0
    out, err = capsys.readouterr()
    printed = json.loads(out)
    assert {k: printed[k] for k in bound} == bound
    assert "not shown again" in err
    principal = Authenticator(keys_table, cache_seconds=0).authenticate(f"Bearer {printed['key']}")
    assert principal.name == printed["name"]
    items = dynamodb.scan(TableName="saring-test")["Items"]
    assert printed["key"] not in json.dumps(items)
    assert hash_key(printed["key"]) in json.dumps(items)


@pytest.mark.parametrize(
    "flags",
    [
        ["--role", "platform"],
        ["--role", "regulator", "--platform", "shopee"],
        ["--role", "platform", "--platform", "Not A Slug"],
    ],
)
def test_bad_flags_exit_2_with_a_message(keys_table, dynamodb, capsys, flags):
    assert main(["keys", "create", *flags]) == 2
    assert capsys.readouterr().err.startswith("saring: ")
    assert dynamodb.scan(TableName="saring-test")["Items"] == []
