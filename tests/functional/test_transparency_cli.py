"""`saring export statements` and `saring report transparency` against moto: the actions written
through the real services come back as valid statements of reasons and as the report's files."""

from __future__ import annotations

import csv
import json

import pytest

from saring.adapters.dynamodb.client import dynamodb_client
from saring.cli import main
from saring.domain.principals import Principal, Role
from saring.service.orders import AcknowledgeTakedownInput, IssueTakedownInput, TargetInput
from saring.transparency.export import problems

SHOPEE = Principal(Role.PLATFORM, "platform:shopee", platform="shopee")
TOKOPEDIA = Principal(Role.PLATFORM, "platform:tokopedia", platform="tokopedia")
KEMENDAG = Principal(Role.REGULATOR, "regulator:kemendag", agency="kemendag")
WINDOW = ["--platform", "shopee", "--since", "2026-01-01T00:00:00+07:00", "--until", "2027-01-01T00:00:00Z"]


@pytest.fixture
def history(services, clock, table_name, monkeypatch):
    """On shopee: an order whose LISTING and SHOP targets are removed (2 removals, 2 order
    strikes), a seller struck three times by review (3 strikes, 1 block), two appeals (one
    revoked, one left open); on tokopedia one strike, which shopee's exports never show."""
    monkeypatch.setenv("SARING_TABLE", table_name)
    dynamodb_client.cache_clear()
    order = services.orders.issue_takedown(
        KEMENDAG,
        IssueTakedownInput(
            reference="KEMENDAG/PKTN/2026/9",
            legal_basis="Permendag 40/2022",
            reason="pakaian bekas impor",
            urgency="STANDARD",
            targets=[
                TargetInput("shopee", "LISTING", "L-1", "s-1"),
                TargetInput("shopee", "SHOP", "s-2"),
                TargetInput("shopee", "LISTING", "L-3", "s-1"),  # left pending
            ],
        ),
    )
    clock.advance(hours=2)
    services.orders.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(order.targets[0].id, "REMOVED"))
    clock.advance(hours=28)  # after the 24 h deadline: late
    services.orders.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(order.targets[1].id, "REMOVED"))
    for n in range(3):
        clock.advance(minutes=5)
        services.ledger.record_violation(SHOPEE, "s-3", f"L-3{n}", "confirmed", f"review-{n}")
    services.ledger.record_violation(TOKOPEDIA, "t-1", "T-1", None, "tokopedia-review-1")
    strikes = services.ledger.strikes(SHOPEE, "shopee", "s-3", 10).items
    revoked = services.appeals.file_appeal(SHOPEE, "shopee", "s-3", strikes[0].id, "new stock", "ap-1")
    clock.advance(hours=1)
    services.appeals.decide_appeal(SHOPEE, revoked.id, "REVOKED", "receipt shown")
    services.appeals.file_appeal(SHOPEE, "shopee", "s-3", strikes[1].id, "mine", "ap-2")
    # L-3 is still pending 30 h after its order: ST1 now, ST2 a day later (the warning ladder).
    assert [n.level.value for _, n in services.orders.issue_notices()] == ["ST1"]
    clock.advance(hours=25)
    assert [n.level.value for _, n in services.orders.issue_notices()] == ["ST2"]
    yield
    dynamodb_client.cache_clear()


def test_statements_are_one_valid_line_per_action(history, tmp_path, capsys):
    out = tmp_path / "statements.jsonl"
    assert main(["export", "statements", *WINDOW, "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [problems(line) for line in lines] == [[]] * 8
    puids = [line["puid"] for line in lines]
    assert sum(p.startswith("saring-removal-") for p in puids) == 2
    assert sum(p.startswith("saring-strike-") for p in puids) == 5  # 2 from the order, 3 reviews
    assert sum(p.startswith("saring-block-") for p in puids) == 1
    assert len(set(puids)) == 8
    removal = next(line for line in lines if line.get("decision_visibility") == ["DECISION_VISIBILITY_CONTENT_REMOVED"])
    assert removal["source_identity"] == "kemendag, takedown order KEMENDAG/PKTN/2026/9"
    assert "Permendag 40/2022" in removal["decision_facts"] and "listing L-1" in removal["decision_facts"]
    assert removal["illegal_content_legal_ground"] == "Permendag 18/2021 jo. 40/2022, HS 6309"
    shop = next(line for line in lines if line["puid"].startswith("saring-removal-") and line is not removal)
    assert shop["decision_account"] == "DECISION_ACCOUNT_SUSPENDED" and "after the deadline" in shop["decision_facts"]
    order_strikes = [line for line in lines if line["puid"].startswith("saring-strike-") and line["source_type"] != "SOURCE_VOLUNTARY"]
    assert len(order_strikes) == 2 and all("kemendag" in line["source_identity"] for line in order_strikes)
    assert "T-1" not in out.read_text() and "s-3" not in out.read_text()  # tokopedia's; seller ids
    assert "8 statements" in capsys.readouterr().err


def test_a_window_selects_by_when_the_action_took_effect(history, tmp_path):
    out = tmp_path / "later.jsonl"
    window = ["--platform", "shopee", "--since", "2026-03-02T00:00:00Z", "--until", "2026-03-03T00:00:00Z"]
    assert main(["export", "statements", *window, "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    # The SHOP target removed at 15:00 on 2 March and what followed; not the 11:00 1 March removal.
    assert lines and all(line["application_date"] == "2026-03-02" for line in lines)
    assert sum(line["puid"].startswith("saring-removal-") for line in lines) == 1
    empty = tmp_path / "empty.jsonl"
    assert main(["export", "statements", "--platform", "shopee", "--since", "2025-01-01T00:00:00Z",
                 "--until", "2025-02-01T00:00:00Z", "--out", str(empty)]) == 0
    assert empty.read_text() == ""


def test_an_invalid_statement_stops_the_export_and_writes_nothing(history, tmp_path, monkeypatch, capsys):
    import saring.domain.statements as statements

    monkeypatch.setattr(statements, "EXPLANATION", "x" * 2_001)  # over the database's 2,000
    out = tmp_path / "statements.jsonl"
    assert main(["export", "statements", *WINDOW, "--out", str(out)]) == 2
    assert "illegal_content_explanation" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--platform", "nope", "--since", "2026-01-01T00:00:00Z", "--until", "2026-02-01T00:00:00Z"], "platform"),
        (["--platform", "shopee", "--since", "2026-02-01T00:00:00Z", "--until", "2026-01-01T00:00:00Z"], "since"),
    ],
)
def test_bad_windows_exit_2(history, tmp_path, capsys, flags, message):
    assert main(["export", "statements", *flags, "--out", str(tmp_path / "x.jsonl")]) == 2
    assert message in capsys.readouterr().err


def test_a_window_needs_an_offset(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["export", "statements", "--platform", "shopee", "--since", "2026-01-01T00:00:00",
              "--until", "2026-02-01T00:00:00Z", "--out", str(tmp_path / "x.jsonl")])
    assert exited.value.code == 2 and "offset" in capsys.readouterr().err


def test_a_period_without_notices_says_so(history, tmp_path):
    out = tmp_path / "report"
    window = ["--platform", "shopee", "--since", "2026-03-02T00:00:00Z", "--until", "2026-04-01T00:00:00Z"]
    assert main(["report", "transparency", *window, "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["notices_by_level"] == {"ST1": 0, "ST2": 0, "ST3": 0} and not report["notices_recorded"]
    assert report["notes"]["notices_by_level"].endswith("No notices recorded.")


def test_the_transparency_report_files(history, tmp_path, capsys):
    from matplotlib.image import imread

    out = tmp_path / "report"
    assert main(["report", "transparency", *WINDOW, "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    names = {"report.json", "report.csv", "actions_by_source.png", "removal_times.png",
             "notices_by_level.png", "appeals.png"}
    assert {p.rsplit("/", 1)[-1] for p in printed} == names == {p.name for p in out.iterdir()}
    report = json.loads((out / "report.json").read_text())
    assert report["platform"] == "shopee"
    assert report["actions_by_source"] == {"MODEL": 0, "PLATFORM_REVIEW": 4, "REGULATOR_ORDER": 4}
    assert report["actions_by_kind"] == {"TARGET_REMOVED": 2, "STRIKE_RECORDED": 5, "SELLER_BLOCKED": 1}
    times = report["removal_times"]
    assert (times["count"], times["late"], times["median_hours"], times["max_hours"]) == (2, 1, 16.0, 30.0)
    assert times["buckets"] == {"0-1h": 0, "1-4h": 1, "4-24h": 0, "24-72h": 1, "72h+": 0}
    assert report["notices_by_level"] == {"ST1": 1, "ST2": 1, "ST3": 0}
    assert report["notices_recorded"] is True
    appeals = report["appeals"]
    # generated now, long after the open appeal's 14 days: it is overdue
    assert {k: appeals[k] for k in ("filed", "open", "overdue", "upheld", "revoked")} == {
        "filed": 2, "open": 1, "overdue": 1, "upheld": 0, "revoked": 1
    }
    with (out / "report.csv").open() as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["section", "key", "value"]
    assert ["actions_by_source", "REGULATOR_ORDER", "4"] in rows
    assert ["removal_times", "median_hours", "16.00"] in rows
    assert ["appeals", "filed", "2"] in rows
    assert ["notices_by_level", "ST2", "1"] in rows
    for chart in names - {"report.json", "report.csv"}:
        data = (out / chart).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        assert imread(out / chart).shape[:2] == (400, 700)
