"""`saring labels export` on moto: the outcomes the API recorded, as JSON lines with exactly the
contract's keys, oldest first, filtered by platform and time; bad flags exit 2 with no file."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from saring.adapters.dynamodb.client import dynamodb_client
from saring.cli import main
from saring.domain.labels import EXPORT_KEYS, ReviewOutcomeKind
from saring.domain.listings import Listing
from saring.domain.principals import Principal, Role

SHOPEE = Principal(Role.PLATFORM, "platform:shopee", platform="shopee")
TOKOPEDIA = Principal(Role.PLATFORM, "platform:tokopedia", platform="tokopedia")
CONTRACT_KEYS = [
    "listingId", "sellerId", "title", "description", "priceIdr", "category", "url",
    "label", "platform", "recordedAt", "modelVersion", "source",
]  # fmt: skip


@pytest.fixture
def cli_env(dynamodb, table_name, monkeypatch):
    """The CLI finds the tables as `saring keys` does: SARING_TABLE (and the endpoint)."""
    monkeypatch.setenv("SARING_TABLE", table_name)
    monkeypatch.delenv("SARING_LABEL_TABLE", raising=False)
    dynamodb_client.cache_clear()
    yield
    dynamodb_client.cache_clear()


@pytest.fixture
def recorded(services, clock):
    """Four outcomes a minute apart, reported out of key order, on two platforms."""
    labels = services.labels
    labels.report_review_outcome(
        SHOPEE,
        Listing("L-2", "s-1", "Jaket bal Korea", "stok karung", 45_000, "Fashion", "https://x/2"),
        ReviewOutcomeKind.VIOLATION,
        "z-key",
        model_version="listing-classifier-abc",
        note="confirmed",
    )
    clock.advance(minutes=1)
    labels.report_review_outcome(
        TOKOPEDIA, Listing("T-1", "s-9", "Kaos polos"), ReviewOutcomeKind.NO_VIOLATION, "m-key"
    )
    clock.advance(minutes=1)
    labels.report_review_outcome(
        SHOPEE, Listing("L-1", "s-1", "Kemeja batik"), ReviewOutcomeKind.NO_VIOLATION, "a-key"
    )
    clock.advance(minutes=1)
    labels.report_review_outcome(
        SHOPEE, Listing("L-1", "s-1", "Kemeja batik"), ReviewOutcomeKind.NO_VIOLATION, "a-key"
    )  # a retry: no second label
    return clock.now()


def export(tmp_path, capsys, *flags: str) -> list[dict]:
    out = tmp_path / "labels.jsonl"
    assert main(["labels", "export", "--out", str(out), *flags]) == 0
    assert re.search(r"\d+ labels written", capsys.readouterr().err)
    lines = out.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_every_line_has_exactly_the_contract_keys_oldest_first(cli_env, recorded, tmp_path, capsys):
    assert list(EXPORT_KEYS) == CONTRACT_KEYS
    rows = export(tmp_path, capsys)
    assert [list(row) for row in rows] == [CONTRACT_KEYS] * 3
    assert [(r["platform"], r["listingId"], r["label"]) for r in rows] == [
        ("shopee", "L-2", 1),
        ("tokopedia", "T-1", 0),
        ("shopee", "L-1", 0),
    ]
    first = rows[0]
    assert first == {
        "listingId": "L-2",
        "sellerId": "s-1",
        "title": "Jaket bal Korea",
        "description": "stok karung",
        "priceIdr": 45000,
        "category": "Fashion",
        "url": "https://x/2",
        "label": 1,
        "platform": "shopee",
        "recordedAt": "2026-03-01T09:00:00.000000Z",
        "modelVersion": "listing-classifier-abc",
        "source": "REVIEW",
    }
    assert rows[1]["modelVersion"] is None and rows[1]["description"] is None
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", r["recordedAt"]) for r in rows)


def test_platform_and_since_filter(cli_env, recorded, tmp_path, capsys):
    assert [r["listingId"] for r in export(tmp_path, capsys, "--platform", "shopee")] == ["L-2", "L-1"]
    assert [r["listingId"] for r in export(tmp_path, capsys, "--since", "2026-03-01T09:01:00Z")] == [
        "T-1",
        "L-1",
    ]
    # No offset: UTC. An offset is honoured (16:01 in Jakarta is 09:01 UTC).
    assert len(export(tmp_path, capsys, "--since", "2026-03-01T09:01:00")) == 2
    assert len(export(tmp_path, capsys, "--since", "2026-03-01T16:01:00+07:00")) == 2
    assert export(tmp_path, capsys, "--since", "2026-03-02T00:00:00Z") == []
    rows = export(tmp_path, capsys, "--platform", "tokopedia", "--since", "2026-03-01T09:02:00Z")
    assert rows == []


@pytest.mark.parametrize(
    "flags", [["--platform", "ebay"], ["--since", "last tuesday"], ["--since", "2026-13-01"]]
)
def test_bad_flags_exit_2_and_write_nothing(cli_env, recorded, tmp_path, capsys, flags):
    out = tmp_path / "labels.jsonl"
    assert main(["labels", "export", "--out", str(out), *flags]) == 2
    assert capsys.readouterr().err.startswith("saring: ")
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_named_label_table_is_read(dynamodb, table_name, recorded, monkeypatch, tmp_path, capsys):
    """SARING_LABEL_TABLE (the stack's LabelTableName output) wins over the derived name."""
    from saring.adapters.dynamodb.tables import create_table_from_template

    create_table_from_template(dynamodb, "other-labels", logical_id="LabelTable")
    monkeypatch.setenv("SARING_TABLE", table_name)
    monkeypatch.setenv("SARING_LABEL_TABLE", "other-labels")
    dynamodb_client.cache_clear()
    try:
        assert export(tmp_path, capsys) == []
        monkeypatch.setenv("SARING_LABEL_TABLE", f"{table_name}-labels")
        assert len(export(tmp_path, capsys)) == 3
    finally:
        dynamodb_client.cache_clear()


def test_the_label_table_has_the_retention_ttl(dynamodb):
    ttl = dynamodb.describe_time_to_live(TableName="saring-test-labels")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_an_outcome_expires_after_the_retention(services, dynamodb, clock):
    services.labels.report_review_outcome(
        SHOPEE, Listing("L-1", "s-1", "Kemeja"), ReviewOutcomeKind.NO_VIOLATION, "k"
    )
    (item,) = dynamodb.scan(TableName="saring-test-labels")["Items"]
    retention = services.settings.label_retention
    assert int(item["expires_at"]["N"]) == int((clock.now() + retention).timestamp())
    assert retention == timedelta(days=730)


@pytest.mark.parametrize("raw", ["0", "-3", "forever"])
def test_a_bad_retention_setting_is_refused(raw):
    from saring.domain.errors import BadUserInputError
    from saring.settings import Settings

    with pytest.raises(BadUserInputError, match="SARING_LABEL_RETENTION_DAYS"):
        Settings.from_env({"SARING_LABEL_RETENTION_DAYS": raw})
    assert Settings.from_env({"SARING_LABEL_RETENTION_DAYS": "30"}).label_retention == timedelta(days=30)
