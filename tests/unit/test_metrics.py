"""Saring's own numbers: what each use case counts (through the Metrics port), and the EMF
documents CloudWatch turns into metrics."""

from __future__ import annotations

import json

from saring.domain.listings import Listing, ListingLimits
from saring.domain.principals import Principal, Role
from saring.service.ledger import LedgerService
from saring.service.scan import ScanSplitter, ScanWorker
from saring.service.verdicts import VerdictService
from tests.fakes import (
    FixedFacts,
    KeywordClassifier,
    MemoryLedger,
    MemoryObjectStore,
    MemoryPartQueue,
    RecordingMetrics,
)

SHOPEE = Principal(Role.PLATFORM, "k1", platform="shopee")


def test_verdicts_are_counted_by_decision_and_platform(clock):
    metrics = RecordingMetrics()
    service = VerdictService(KeywordClassifier(), FixedFacts(), clock, ListingLimits(), metrics)
    listings = [Listing(f"L-{n}", "s-1", "thrift bal" if n % 4 == 0 else "kaos") for n in range(8)]
    service.verdicts(SHOPEE, listings)
    assert metrics.of("Verdicts", platform="shopee", decision="TAKEDOWN") == 2
    assert metrics.of("Verdicts", platform="shopee", decision="ALLOW") == 6
    assert metrics.of("Verdicts", platform="shopee", decision="REVIEW") == 0


def test_strikes_are_counted_once_whatever_the_replays(clock):
    metrics = RecordingMetrics()
    ledger = LedgerService(MemoryLedger(), clock, lambda: b"secret", metrics=metrics)
    ledger.record_violation(SHOPEE, "s-1", "L-1", None, "key-1")
    ledger.record_violation(SHOPEE, "s-1", "L-1", None, "key-1")  # a retry
    ledger.record_order_strike("shopee", "s-1", "order-000", "KEMENDAG/1")
    ledger.record_order_strike("shopee", "s-1", "order-000", "KEMENDAG/1")  # the stream again
    assert metrics.of("StrikesRecorded", platform="shopee", source="PLATFORM_REVIEW") == 1
    assert metrics.of("StrikesRecorded", platform="shopee", source="REGULATOR_ORDER") == 1


def test_scan_lines_and_bad_lines_are_counted_per_platform(clock):
    metrics = RecordingMetrics()
    store, queue = MemoryObjectStore(), MemoryPartQueue()
    lines = [json.dumps({"id": str(n), "title": "kaos"}) for n in range(9)] + ["not json"]
    store.put("b", "incoming/tokopedia/c.jsonl", "\n".join(lines).encode(), "x")
    ScanSplitter(store, queue, clock, 4).split("b", "incoming/tokopedia/c.jsonl")
    service = VerdictService(KeywordClassifier(), FixedFacts(), clock, ListingLimits())
    worker = ScanWorker(store, service, ListingLimits(), clock, metrics)
    from saring.domain.scan import ScanTask

    for _, body in queue.sent:
        worker.process(ScanTask.from_json(body))
    assert metrics.of("ScanLines", platform="tokopedia") == 10
    assert metrics.of("ScanBadLines", platform="tokopedia") == 1


def test_overdue_targets_are_counted_per_platform_and_the_read_stops_in_time(clock):
    from saring.domain.orders import TargetKind, Urgency
    from saring.service.orders import IssueTakedownInput, OrderService, TargetInput
    from saring.settings import Settings
    from tests.fakes import MemoryOrderBook, RecordingStrikeRecorder

    metrics = RecordingMetrics()
    book = MemoryOrderBook()
    settings = Settings(known_platforms=("shopee", "lazada"))
    orders = OrderService(book, RecordingStrikeRecorder(), clock, settings, metrics=metrics)
    regulator = Principal(Role.REGULATOR, "k", agency="kemendag")
    for reference, urgency in (("A", Urgency.URGENT), ("B", Urgency.STANDARD)):
        orders.issue_takedown(
            regulator,
            IssueTakedownInput(
                reference=reference,
                legal_basis="Permendag 40/2022",
                reason="bekas impor",
                urgency=urgency,
                targets=[TargetInput("shopee", TargetKind.LISTING, f"{reference}-{n}") for n in range(3)],
            ),
        )
    assert orders.count_overdue_targets() == {"shopee": 0, "lazada": 0}
    clock.advance(hours=5)  # past the urgent order's 4 h, not the standard one's 24 h
    assert orders.count_overdue_targets() == {"shopee": 3, "lazada": 0}
    clock.advance(days=1)
    assert orders.count_overdue_targets() == {"shopee": 6, "lazada": 0}
    assert metrics.of("TargetsOverdue", platform="lazada") == 0
    assert metrics.of("TargetsOverdue", platform="shopee") == 0 + 3 + 6


def test_cloudwatch_metrics_print_one_emf_document_per_count(capsys, monkeypatch):
    from saring.adapters.cloudwatch_metrics import CloudWatchMetrics

    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Saring")
    CloudWatchMetrics().count("Verdicts", 7, {"platform": "shopee", "decision": "REVIEW"})
    (line,) = capsys.readouterr().out.splitlines()
    document = json.loads(line)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Saring"
    assert directive["Metrics"] == [{"Name": "Verdicts", "Unit": "Count"}]
    assert set(directive["Dimensions"][0]) >= {"platform", "decision"}
    assert document["Verdicts"] == [7.0]
    assert (document["platform"], document["decision"]) == ("shopee", "REVIEW")


def test_services_count_nothing_outside_lambda(monkeypatch):
    from saring.adapters.cloudwatch_metrics import CloudWatchMetrics
    from saring.bootstrap import default_metrics
    from saring.ports import NO_METRICS

    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    assert default_metrics() is NO_METRICS
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "saring-api")
    assert isinstance(default_metrics(), CloudWatchMetrics)
