"""Phone and NIK normalisation, and fingerprints that never reveal the identifier."""

import pytest

from saring.domain.errors import BadUserInputError
from saring.domain.identity import (
    IdentityKind,
    fingerprint,
    fingerprints_for,
    normalise_national_id,
    normalise_phone,
)


@pytest.mark.parametrize(
    "raw",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "6281234567890",
        "+6281234567890",
        "+62 812-3456-7890",
        "+62 (812) 3456 7890",
        " 0812.3456.7890 ",
    ],
)
def test_indonesian_phones_become_e164(raw):
    assert normalise_phone(raw) == "+6281234567890"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0811234567", "+62811234567"),
        ("+14155552671", "+14155552671"),
        ("021-5551234", "+62215551234"),
    ],
)
def test_other_valid_numbers(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "812345",
        "08123",
        "0812345678901234",
        "+62 0812 3456 7890",
        "0812-3456-789O",
        "phone: 0812",
        "12345678901",
        "+0812345678",
        "081２３４５６７８９0",  # fullwidth digits
        "0" * 40,
    ],
)
def test_malformed_phones_name_the_field_not_the_value(raw):
    with pytest.raises(BadUserInputError) as caught:
        normalise_phone(raw)
    assert caught.value.field == "phone"
    if raw.strip():
        assert raw.strip() not in caught.value.message


def test_nik_is_exactly_sixteen_digits():
    assert normalise_national_id("3174012345678901") == "3174012345678901"
    assert normalise_national_id(" 3174012345678901\n") == "3174012345678901"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "317401234567890",
        "31740123456789012",
        "3174-0123-4567-8901",
        "317401234567890X",
        "３１７４０１２３４５６７８９０１",
    ],
)
def test_malformed_nik(raw):
    with pytest.raises(BadUserInputError) as caught:
        normalise_national_id(raw)
    assert caught.value.field == "nationalId"
    assert not raw or raw not in caught.value.message


def test_fingerprints_are_keyed_and_kind_separated():
    a = fingerprint(IdentityKind.PHONE, "+6281234567890", b"secret-1")
    assert a == fingerprint(IdentityKind.PHONE, "+6281234567890", b"secret-1")
    assert a != fingerprint(IdentityKind.PHONE, "+6281234567890", b"secret-2")
    assert a.digest != fingerprint(IdentityKind.NATIONAL_ID, "+6281234567890", b"secret-1").digest
    assert len(a.digest) == 64 and "81234567890" not in a.digest + repr(a)


def test_equivalent_phone_spellings_give_one_fingerprint():
    digests = {
        fingerprints_for(raw, None, b"k")[0].digest
        for raw in ("0812 3456 7890", "+62812-3456-7890")
    }
    assert len(digests) == 1


def test_one_bad_field_rejects_both():
    with pytest.raises(BadUserInputError) as caught:
        fingerprints_for("081234567890", "123", b"k")
    assert caught.value.field == "nationalId"
    with pytest.raises(BadUserInputError):
        fingerprints_for(None, None, b"k")
