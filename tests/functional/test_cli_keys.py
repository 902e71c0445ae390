"""`saring keys create`: prints a new key once, stores only its hash, refuses bad flags."""

from __future__ import annotations

import json

import pytest

from saring.adapters.dynamodb.client import dynamodb_client
from saring.adapters.dynamodb.keystore import DynamoKeyStore
from saring.cli import main
from saring.domain.errors import UnauthenticatedError
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


# --- ids, list, revoke, rotate, expiry, known platforms (issue 13, finding 5) --------------------


def _create(capsys, *flags: str) -> dict:
    assert main(["keys", "create", *flags]) == 0
    out, err = capsys.readouterr()
    assert "Store this key now" in err
    return json.loads(out)


def _authenticate(store, key: str, cache_seconds: int = 0):
    return Authenticator(store, cache_seconds=cache_seconds).authenticate(f"Bearer {key}")


def test_a_key_has_a_printed_id_that_is_not_secret(keys_table, dynamodb, capsys):
    printed = _create(capsys, "--role", "platform", "--platform", "shopee")
    assert printed["id"].startswith("key_") and printed["id"] != printed["key"]
    assert printed["id"] not in printed["key"] and printed["id"][4:] not in hash_key(printed["key"])
    assert printed["id"] in json.dumps(dynamodb.scan(TableName="saring-test")["Items"])


def test_keys_list_shows_ids_and_principals_never_keys_or_hashes(keys_table, capsys):
    shopee = _create(capsys, "--role", "platform", "--platform", "shopee")
    kominfo = _create(capsys, "--role", "regulator", "--agency", "kominfo")
    assert main(["keys", "list"]) == 0
    out, _ = capsys.readouterr()
    listed = {entry["id"]: entry for entry in map(json.loads, out.splitlines())}
    assert set(listed) == {shopee["id"], kominfo["id"]}
    assert listed[shopee["id"]]["name"] == "platform:shopee"
    assert listed[kominfo["id"]]["agency"] == "kominfo"
    assert listed[shopee["id"]]["revoked_at"] is None
    for secret in (shopee["key"], kominfo["key"], hash_key(shopee["key"])):
        assert secret not in out


def test_a_revoked_key_is_refused_and_listed_as_revoked(keys_table, capsys):
    printed = _create(capsys, "--role", "platform", "--platform", "shopee")
    assert _authenticate(keys_table, printed["key"]).platform == "shopee"
    assert main(["keys", "revoke", printed["id"]]) == 0
    capsys.readouterr()
    with pytest.raises(UnauthenticatedError):
        _authenticate(keys_table, printed["key"])
    assert main(["keys", "list"]) == 0
    (entry,) = map(json.loads, capsys.readouterr().out.splitlines())
    assert entry["revoked_at"] is not None


def test_revoking_an_unknown_id_exits_2(keys_table, capsys):
    assert main(["keys", "revoke", "key_0000000000000000"]) == 2
    assert "no API key with id" in capsys.readouterr().err


def test_rotate_issues_a_key_with_the_same_role_and_revokes_the_old(keys_table, capsys):
    old = _create(capsys, "--role", "regulator", "--agency", "kominfo")
    assert main(["keys", "rotate", old["id"]]) == 0
    out, err = capsys.readouterr()
    new = json.loads(out)
    assert "Store this key now" in err
    assert new["id"] != old["id"] and new["key"] != old["key"]
    assert (new["role"], new["agency"], new["name"]) == ("regulator", "kominfo", "regulator:kominfo")
    assert _authenticate(keys_table, new["key"]).agency == "kominfo"
    with pytest.raises(UnauthenticatedError):
        _authenticate(keys_table, old["key"])
    assert main(["keys", "rotate", old["id"]]) == 2  # a revoked key cannot be rotated again
    assert "revoked" in capsys.readouterr().err


def test_a_key_with_an_expiry_stops_working_after_it(keys_table, capsys):
    from datetime import datetime, timedelta

    from tests.conftest import ManualClock

    printed = _create(capsys, "--role", "platform", "--platform", "shopee", "--expires-in-days", "1")
    expires_at = datetime.fromisoformat(printed["expires_at"])
    clock = ManualClock(expires_at - timedelta(minutes=1))
    authenticator = Authenticator(keys_table, cache_seconds=60, clock=clock)
    assert authenticator.authenticate(f"Bearer {printed['key']}").platform == "shopee"
    clock.advance(minutes=2)  # past the expiry, though the cache still holds the key
    with pytest.raises(UnauthenticatedError):
        authenticator.authenticate(f"Bearer {printed['key']}")


def test_a_platform_outside_saring_platforms_is_refused_and_nothing_is_stored(
    keys_table, dynamodb, capsys, monkeypatch
):
    monkeypatch.setenv("SARING_PLATFORMS", "shopee,tokopedia")
    assert main(["keys", "create", "--role", "platform", "--platform", "lazada"]) == 2
    err = capsys.readouterr().err
    assert "SARING_PLATFORMS" in err and "Store this key" not in err
    assert dynamodb.scan(TableName="saring-test")["Items"] == []


def test_the_key_cache_holds_a_revoked_key_only_for_its_lifetime(keys_table, capsys):
    from tests.conftest import ManualClock

    printed = _create(capsys, "--role", "platform", "--platform", "shopee")
    clock = ManualClock()
    authenticator = Authenticator(keys_table, cache_seconds=60, clock=clock)
    authenticator.authenticate(f"Bearer {printed['key']}")
    assert main(["keys", "revoke", printed["id"]]) == 0
    clock.advance(seconds=59)
    assert authenticator.authenticate(f"Bearer {printed['key']}").platform == "shopee"
    clock.advance(seconds=2)
    with pytest.raises(UnauthenticatedError):
        authenticator.authenticate(f"Bearer {printed['key']}")


@pytest.fixture
def no_key_cache(monkeypatch):
    monkeypatch.setenv("SARING_KEY_CACHE_SECONDS", "0")


def test_a_revoked_key_gets_401_from_the_lambda_handler(no_key_cache, lambda_handler, capsys):
    from tests.functional.conftest import invoke

    printed = _create(capsys, "--role", "platform", "--platform", "shopee")
    assert invoke(lambda_handler, "{ me { name } }", printed["key"])[0] == 200
    assert main(["keys", "revoke", printed["id"]]) == 0
    status, body, _ = invoke(lambda_handler, "{ me { name } }", printed["key"])
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_demo_keys_carry_their_ids(services):
    from saring.local_stack import create_demo_keys

    demo = create_demo_keys(services)
    assert all(entry["id"].startswith("key_") for entry in demo)
    listed = {stored.key_id for stored in services.keys.all_keys()}
    assert {entry["id"] for entry in demo} <= listed
