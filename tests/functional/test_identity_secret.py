"""The identity HMAC secret is checked when a container starts, not when the first link fails.

A missing secret used to let the cold start succeed and every linkSellerIdentity fail with
INTERNAL; a 1-byte secret was accepted. Both must stop the start with a message that says what
to set.
"""

from __future__ import annotations

import importlib
import sys

import pytest

GOOD = "k" * 32


def _import_api_handler():
    sys.modules.pop("saring.handlers.api", None)
    try:
        return importlib.import_module("saring.handlers.api")
    finally:
        sys.modules.pop("saring.handlers.api", None)


@pytest.fixture
def fresh_container(dynamodb, table_name, monkeypatch):
    from saring.adapters import secrets
    from saring.adapters.dynamodb.client import dynamodb_client

    monkeypatch.setenv("SARING_TABLE", table_name)
    monkeypatch.delenv("SARING_IDENTITY_SECRET", raising=False)
    monkeypatch.delenv("SARING_IDENTITY_SECRET_PARAMETER", raising=False)
    dynamodb_client.cache_clear()
    secrets.clear_cache()
    yield monkeypatch
    secrets.clear_cache()
    dynamodb_client.cache_clear()


def test_a_cold_start_without_a_secret_fails_and_says_what_to_set(fresh_container):
    with pytest.raises(Exception) as raised:
        _import_api_handler()
    message = str(raised.value)
    assert "SARING_IDENTITY_SECRET" in message and "SARING_IDENTITY_SECRET_PARAMETER" in message


@pytest.mark.parametrize("secret", ["Z", "Zq9-" * 7 + "Zq9"])
def test_a_cold_start_with_a_short_secret_fails(fresh_container, secret):
    fresh_container.setenv("SARING_IDENTITY_SECRET", secret)
    with pytest.raises(Exception) as raised:
        _import_api_handler()
    assert "at least 32 bytes" in str(raised.value)
    assert "Zq9" not in str(raised.value) and "Z " not in str(raised.value)  # never echoed


def test_a_short_secret_in_ssm_fails_the_start_too(fresh_container):
    import boto3

    ssm = boto3.client("ssm", region_name="ap-southeast-3")
    ssm.put_parameter(Name="/saring/identity", Type="SecureString", Value="short")
    fresh_container.setenv("SARING_IDENTITY_SECRET_PARAMETER", "/saring/identity")
    with pytest.raises(Exception) as raised:
        _import_api_handler()
    assert "at least 32 bytes" in str(raised.value)


def test_a_32_byte_secret_starts_and_links(fresh_container):
    import json

    from saring.local_stack import create_demo_keys
    from tests.functional.conftest import invoke

    fresh_container.setenv("SARING_IDENTITY_SECRET", GOOD)
    module = _import_api_handler()
    keys = {entry["name"]: entry["key"] for entry in create_demo_keys(module.app.services)}
    status, body, _ = invoke(
        module,
        "mutation($i: LinkSellerIdentityInput!) { linkSellerIdentity(input: $i) { sellerId } }",
        keys["shopee"],
        {"i": {"sellerId": "s-1", "phone": "0812-3456-7890"}},
    )
    assert status == 200 and "errors" not in body, json.dumps(body)
