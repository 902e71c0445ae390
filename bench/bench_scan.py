"""End-to-end local catalog scan throughput beside the classifier's own batch throughput.

Both on the same data (the real titles in ../shared/data, or $SARING_SHARED_DATA), in the same
process, in turn over several rounds (the median round is reported): the classifier alone scores batches of 1,000 with `classifier.score`; the scan runs
`run_scan` (moto S3, SQS and DynamoDB in-process, the real ledger/orders reads per batch of
100). DynamoDB requests are counted, not just timed, since moto's speed is not DynamoDB's.

    .venv/bin/python bench/bench_scan.py
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SARING_SHARED_DATA", REPO.parent / "shared" / "data"))
TITLES = SHARED_DATA / "real_titles_dev.jsonl"
SCORE_BATCH = 1_000


def _real_verdicts(meter_box: list[Any]) -> Any:
    """The real VerdictService on the moto table run_scan creates; built here, explicitly from
    the adapters, and wrapped so the DynamoDB client it uses can be metered."""
    import boto3

    from saring.adapters.dynamodb.orders import DynamoDBOrderBook
    from saring.adapters.dynamodb.tables import create_table_from_template
    from saring.adapters.dynamodb.verdict_facts import ScanVerdictFacts
    from saring.bootstrap import build_verdict_service
    from saring.domain.strikes import StrikePolicy
    from saring.ports import SystemClock
    from saring.scan.bootstrap import scan_service_settings
    from saring.scan.local import REGION, TABLE
    from saring.settings import Settings

    sys.path.insert(0, str(REPO / "bench"))
    from dynamodb_meter import DynamoMeter

    settings = scan_service_settings(Settings.from_env({"SARING_TABLE": TABLE}))
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_table_from_template(dynamodb, TABLE)
    meter_box.append(DynamoMeter(dynamodb))
    book = DynamoDBOrderBook(dynamodb, TABLE, settings)
    facts = _Timed(ScanVerdictFacts(dynamodb, TABLE, StrikePolicy.from_settings(settings), book))
    meter_box.append(facts)
    return build_verdict_service(settings, _classifier(), facts, SystemClock())


class _Timed:
    """Times the facts reads (the ledger and orders reads behind each batch of 100)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.seconds = 0.0

    def read(self, *args: Any) -> Any:  # VerdictFactsReader.read
        started = time.perf_counter()
        try:
            return self._inner.read(*args)
        finally:
            self.seconds += time.perf_counter() - started


_CLASSIFIER: Any = None


def _classifier() -> Any:
    global _CLASSIFIER
    if _CLASSIFIER is None:
        from saring.adapters.onnx_classifier import OnnxClassifier

        _CLASSIFIER = OnnxClassifier.from_dir()
    return _CLASSIFIER


def _listings() -> list[Any]:
    from saring.domain.scan import parse_listing

    with TITLES.open("rb") as source:
        parsed = [parse_listing(line.rstrip(b"\n")) for line in source]
    return [item for item in parsed if not isinstance(item, str)]


def classifier_throughput(listings: list[Any]) -> dict[str, Any]:
    classifier = _classifier()
    classifier.score(listings[:SCORE_BATCH])  # warm up
    started = time.perf_counter()
    for start in range(0, len(listings), SCORE_BATCH):
        classifier.score(listings[start : start + SCORE_BATCH])
    seconds = time.perf_counter() - started
    return {
        "listings": len(listings),
        "seconds": round(seconds, 3),
        "listings_per_second": round(len(listings) / seconds),
    }


def scan_throughput() -> dict[str, Any]:
    from moto import mock_aws

    from saring.observability import logger
    from saring.scan import local

    logger.setLevel("WARNING")
    meter_box: list[Any] = []
    with tempfile.TemporaryDirectory() as out, mock_aws():
        verdicts = _real_verdicts(meter_box)
        stderr = io.StringIO()
        started = time.perf_counter()
        code = local._run(TITLES, Path(out), "local", stderr, verdicts, None)
        wall = time.perf_counter() - started
        manifest = json.loads((Path(out) / "manifest.json").read_text())
    meter, facts = meter_box
    lines = manifest["total_lines"]
    return {
        "exit_code": code,
        "lines": lines,
        "bad_lines": manifest["bad_lines"],
        "decisions": manifest["decisions"],
        "parts": manifest["parts"],
        "wall_seconds": round(wall, 3),
        "listings_per_second": round(lines / wall),
        "pipeline_seconds": manifest["timings"]["seconds"],
        "pipeline_listings_per_second": manifest["timings"]["listings_per_second"],
        "dynamodb_requests": dict(meter.requests),
        "dynamodb_round_trips": meter.round_trips,
        "facts_read_seconds": round(facts.seconds, 3),
        "listings_per_second_without_facts_reads": round(lines / (wall - facts.seconds)),
        "summary": stderr.getvalue().strip(),
    }


def run(rounds: int = 5) -> dict[str, Any]:
    """Classifier and scan measured in turn, `rounds` times: this machine's speed drifts by a
    third from one minute to the next, so each scan is set against the classifier measured just
    before it, and the median of those ratios is the figure."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-3")
    if not TITLES.is_file():
        return {"skipped": f"reference data absent: {TITLES}"}
    listings = _listings()
    scan_throughput()  # warm up: imports, moto's first requests
    measured = []
    for _ in range(rounds):
        classifier = classifier_throughput(listings)
        scan = scan_throughput()
        measured.append((classifier, scan))
    ratios = [
        scan["listings_per_second"] / classifier["listings_per_second"]
        for classifier, scan in measured
    ]
    median_round = sorted(range(rounds), key=ratios.__getitem__)[rounds // 2]
    classifier, scan = measured[median_round]
    scan["ratio_without_facts_reads"] = round(
        scan["listings_per_second_without_facts_reads"] / classifier["listings_per_second"], 3
    )
    return {
        "data": str(TITLES),
        "model_version": _classifier().version,
        "rounds": rounds,
        "ratio_per_round": [round(ratio, 3) for ratio in ratios],
        "median_round": {"classifier_batch_1000": classifier, "scan_end_to_end": scan},
        "ratio_scan_to_classifier": round(ratios[median_round], 3),
        "target_ratio": 0.5,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
