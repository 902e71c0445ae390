"""API keys: created once, stored as hashes, cached briefly."""

import pytest

from saring.domain.errors import BadUserInputError, UnauthenticatedError
from saring.domain.principals import Role
from saring.service.keys import Authenticator, create_key, hash_key, principal_for
from tests.fakes import MemoryKeyStore


def test_a_key_is_stored_only_as_its_hash(clock):
    store = MemoryKeyStore()
    issued = create_key(store, clock, principal_for("platform", "shopee", None))
    assert list(store.stored) == [hash_key(issued.key)]
    assert issued.key not in repr(store.stored)


def test_keys_are_random(clock):
    store = MemoryKeyStore()
    principal = principal_for("regulator", None, "kemendag")
    assert create_key(store, clock, principal).key != create_key(store, clock, principal).key


@pytest.mark.parametrize(
    ("role", "platform", "agency", "expected"),
    [
        ("platform", "shopee", None, (Role.PLATFORM, "shopee", None)),
        ("REGULATOR", None, "kemendag", (Role.REGULATOR, None, "kemendag")),
    ],
)
def test_principals(role, platform, agency, expected):
    principal = principal_for(role, platform, agency)
    assert (principal.role, principal.platform, principal.agency) == expected


@pytest.mark.parametrize(
    ("role", "platform", "agency"),
    [
        ("platform", None, None),
        ("platform", "Shopee Indonesia", None),
        ("platform", "shopee", "kemendag"),
        ("regulator", None, None),
        ("admin", "shopee", None),
    ],
)
def test_bad_principals_are_refused(role, platform, agency):
    with pytest.raises(BadUserInputError):
        principal_for(role, platform, agency)


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer ", "Basic abc", "bearer srg_unknown", "x" * 500]
)
def test_authentication_refuses(header, clock):
    authenticator = Authenticator(MemoryKeyStore(), cache_seconds=60)
    with pytest.raises(UnauthenticatedError):
        authenticator.authenticate(header)


def test_authentication_finds_the_principal_and_caches_it(clock):
    store = MemoryKeyStore()
    issued = create_key(store, clock, principal_for("platform", "shopee", None))
    authenticator = Authenticator(store, cache_seconds=60)
    assert authenticator.authenticate(f"Bearer {issued.key}").platform == "shopee"
    store.stored.clear()
    assert authenticator.authenticate(f"bearer  {issued.key} ").platform == "shopee"


def test_a_zero_second_cache_sees_revocation_at_once(clock):
    store = MemoryKeyStore()
    issued = create_key(store, clock, principal_for("platform", "shopee", None))
    authenticator = Authenticator(store, cache_seconds=0)
    authenticator.authenticate(f"Bearer {issued.key}")
    store.stored.clear()
    with pytest.raises(UnauthenticatedError):
        authenticator.authenticate(f"Bearer {issued.key}")
