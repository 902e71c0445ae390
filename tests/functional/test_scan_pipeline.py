"""The catalog scan on moto: S3 upload event -> split -> SQS -> workers -> parts and manifest."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from saring.domain.listings import ListingLimits
from saring.ports import SystemClock
from saring.scan.local import run_scan, s3_put_event, sqs_event
from saring.service.verdicts import VerdictService
from tests.conftest import SHARED_DATA
from tests.fakes import KeywordClassifier

REGION = "ap-southeast-3"
BUCKET = "saring-scan-test"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:123456789012:parts"
REAL_TITLES = SHARED_DATA / "real_titles_dev.jsonl"


class Context:
    function_name = "saring-scan"
    memory_limit_in_mb = 1769
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:saring-scan"
    aws_request_id = "00000000-0000-4000-8000-000000000000"


def model_available() -> bool:
    from saring.adapters.onnx_classifier import _has_model, default_model_dir

    return _has_model(default_model_dir())


@pytest.fixture
def facts(dynamodb, table_name):
    """The real facts reader of the scan: the ledger read per batch, the orders held in memory."""
    from saring.adapters.dynamodb.orders import DynamoDBOrderBook
    from saring.adapters.dynamodb.verdict_facts import ScanVerdictFacts
    from saring.domain.strikes import StrikePolicy
    from saring.settings import Settings

    book = DynamoDBOrderBook(dynamodb, table_name, Settings(table_name=table_name))
    return ScanVerdictFacts(dynamodb, table_name, StrikePolicy(), book)


@pytest.fixture
def verdicts(facts):
    return VerdictService(KeywordClassifier(), facts, SystemClock(), ListingLimits())


@pytest.fixture
def aws_scan(aws):
    import boto3

    s3 = boto3.client("s3", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    dlq = sqs.create_queue(QueueName="parts-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    url = sqs.create_queue(
        QueueName="parts",
        Attributes={
            "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"}),
        },
    )["QueueUrl"]
    return s3, sqs, url, dlq


@pytest.fixture
def pipeline(aws_scan, verdicts):
    from saring.adapters.s3_objects import S3ObjectStore
    from saring.adapters.sqs_parts import SqsPartQueue
    from saring.scan.bootstrap import ScanSettings, build_splitter, build_worker
    from saring.scan.events import s3_upload_handler, sqs_parts_handler

    s3, sqs, url, _ = aws_scan
    store = S3ObjectStore(s3)
    settings = ScanSettings(queue_url=url, lines_per_part=40)
    split = s3_upload_handler(build_splitter(settings, store=store, queue=SqsPartQueue(sqs, url)))
    work = sqs_parts_handler(build_worker(store=store, verdicts=verdicts))
    return split, work


def upload(s3, key: str, body: bytes) -> dict:
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    head = s3.head_object(Bucket=BUCKET, Key=key)
    return s3_put_event(BUCKET, key, head["ContentLength"], head["ETag"])


def receive(sqs, url: str) -> list[dict]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get(
        "Messages", []
    )


def drain(sqs, url: str, work, limit: int = 100) -> list[dict]:
    """Invokes the worker as Lambda's poller would; returns the batch responses."""
    responses = []
    for _ in range(limit):
        messages = receive(sqs, url)
        if not messages:
            return responses
        event = sqs_event(messages, QUEUE_ARN)
        try:
            response = work(event, Context())
        except BatchProcessingError:  # every record failed: Lambda retries the whole batch
            response = {
                "batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]
            }
        responses.append(response)
        failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
        for message in messages:
            if message["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    raise AssertionError("queue did not drain")


def catalog(n: int, bad: dict[int, str] | None = None) -> bytes:
    lines = [
        json.dumps(
            {
                "id": f"l-{i}",
                "title": "Jual thrift bal korea" if i % 5 == 0 else "Kaos polos baru",
                "seller_id": f"s-{i % 11}",
                "price": 50_000,
                "url": f"https://shop.example/l-{i}",
            }
        )
        for i in range(1, n + 1)
    ]
    for line, text in (bad or {}).items():
        lines[line - 1] = text
    return ("\n".join(lines) + "\n").encode()


def results(s3, prefix: str) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return {
        item["Key"][len(prefix) :]: s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        for item in listed
    }


def part_lines(files: dict[str, bytes]) -> list[dict]:
    names = sorted(name for name in files if name.endswith(".jsonl"))
    return [json.loads(line) for name in names for line in files[name].decode().splitlines()]


def test_an_upload_becomes_parts_and_a_manifest_with_one_record_per_line(aws_scan, pipeline):
    s3, sqs, url, _ = aws_scan
    split, work = pipeline
    # GIVEN an upload of 130 lines, three of them bad
    body = catalog(130, {7: "{oops", 64: json.dumps({"id": "x", "title": "t" * 501}), 100: "[]"})
    # WHEN S3 notifies the split and the workers drain the queue
    planned = split(upload(s3, "incoming/shopee/2026-03/catalog.jsonl", body), Context())
    assert planned["scans"][0]["parts"] == 4 and planned["scans"][0]["lines"] == 130
    drain(sqs, url, work)
    # THEN every line has exactly one record, in order, and the manifest adds up
    files = results(s3, "results/shopee/2026-03/catalog.jsonl/")
    assert set(files) == {"manifest.json", "scan.json"} | {
        f"part-{n:05d}.{kind}" for n in range(1, 5) for kind in ("jsonl", "summary.json")
    }
    records = part_lines(files)
    assert [record["line"] for record in records] == list(range(1, 131))
    errors = [record["line"] for record in records if "error" in record]
    assert errors == [7, 64, 100]
    manifest = json.loads(files["manifest.json"])
    assert manifest["total_lines"] == 130 and manifest["bad_lines"] == 3
    assert manifest["listings"] == 127 and manifest["parts"] == 4
    assert sum(manifest["decisions"].values()) == 127
    assert manifest["decisions"]["TAKEDOWN"] == 26 - 1  # every 5th is thrift; line 100 is bad
    assert manifest["model_version"] == "fake-1"
    assert manifest["timings"]["listings_per_second"] > 0


def test_a_poison_message_fails_alone_and_ends_in_the_dead_letter_queue(aws_scan, pipeline):
    s3, sqs, url, dlq = aws_scan
    split, work = pipeline
    split(upload(s3, "incoming/shopee/small.jsonl", catalog(50)), Context())
    sqs.send_message(QueueUrl=url, MessageBody="not a part message")
    responses = drain(sqs, url, work)
    # the poison message failed on each of its three receives; the parts went through
    failures = [item for response in responses for item in response["batchItemFailures"]]
    assert len(failures) == 3
    dead = receive(sqs, dlq)
    assert [message["Body"] for message in dead] == ["not a part message"]
    manifest = json.loads(results(s3, "results/shopee/small.jsonl/")["manifest.json"])
    assert manifest["total_lines"] == 50


def test_redelivery_and_a_second_split_rewrite_the_same_results(aws_scan, pipeline):
    s3, sqs, url, _ = aws_scan
    split, work = pipeline
    event = upload(s3, "incoming/tokopedia/c.jsonl.gz", gzip.compress(catalog(90)))
    split(event, Context())
    drain(sqs, url, work)
    first = results(s3, "results/tokopedia/c.jsonl.gz/")
    # WHEN S3 delivers the event again (at-least-once) and every part runs a second time
    split(event, Context())
    drain(sqs, url, work)
    second = results(s3, "results/tokopedia/c.jsonl.gz/")
    # THEN the parts are byte-identical and the manifest differs at most in its timings
    assert {k: v for k, v in first.items() if k.endswith(".jsonl")} == {
        k: v for k, v in second.items() if k.endswith(".jsonl")
    }
    before, after = (json.loads(files["manifest.json"]) for files in (first, second))
    assert before.pop("timings")["started_at"] == after.pop("timings")["started_at"]
    assert before == after and before["source"]["gzip"] and before["total_lines"] == 90


def test_uploads_outside_incoming_are_ignored(aws_scan, pipeline):
    s3, sqs, url, _ = aws_scan
    split, _ = pipeline
    assert split(upload(s3, "results/shopee/x/part-00001.jsonl", b"{}\n"), Context()) == {
        "scans": []
    }
    assert receive(sqs, url) == []


def test_the_split_handler_module_builds_from_the_environment(aws_scan, monkeypatch):
    import importlib
    import sys

    from saring.adapters.s3_objects import s3_client
    from saring.adapters.sqs_parts import sqs_client

    s3, sqs, url, _ = aws_scan
    monkeypatch.setenv("SARING_SCAN_QUEUE_URL", url)
    monkeypatch.setenv("SARING_SCAN_LINES_PER_PART", "10")
    s3_client.cache_clear()
    sqs_client.cache_clear()
    sys.modules.pop("saring.handlers.scan_split", None)
    module = importlib.import_module("saring.handlers.scan_split")
    try:
        response = module.handler(upload(s3, "incoming/shopee/n.jsonl", catalog(25)), Context())
        assert response["scans"][0]["parts"] == 3
        assert len(receive(sqs, url)) == 3
    finally:
        sys.modules.pop("saring.handlers.scan_split", None)
        s3_client.cache_clear()
        sqs_client.cache_clear()


def test_run_scan_writes_parts_and_manifest_into_the_directory(tmp_path, verdicts, capsys):
    source = tmp_path / "catalog.jsonl"
    source.write_bytes(catalog(60, {3: "", 59: '{"title": "no id"}'}))
    stderr = io.StringIO()  # not a terminal: one summary line, no bar
    code = run_scan(
        source, tmp_path / "out", "shopee", stderr, verdicts=verdicts, lines_per_part=25
    )
    assert code == 0
    out = tmp_path / "out"
    assert sorted(p.name for p in out.glob("part-*.jsonl")) == [
        "part-00001.jsonl",
        "part-00002.jsonl",
        "part-00003.jsonl",
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["total_lines"] == 60 and manifest["bad_lines"] == 2
    lines = stderr.getvalue().splitlines()
    assert len(lines) == 1 and "60 lines" in lines[0] and "2 bad line(s)" in lines[0]
    assert "\r" not in stderr.getvalue()


def test_run_scan_that_does_not_complete_says_so_whatever_the_directory_holds(
    tmp_path, facts
):
    class BrokenClassifier(KeywordClassifier):
        def score(self, listings):
            raise RuntimeError("model unavailable")

    broken = VerdictService(BrokenClassifier(), facts, SystemClock(), ListingLimits())
    source = tmp_path / "catalog.jsonl"
    source.write_bytes(catalog(30))
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text('{"state": "COMPLETE"}')  # from an earlier scan
    (out / "notes.txt").write_text("mine")
    stderr = io.StringIO()
    code = run_scan(source, out, "shopee", stderr, verdicts=broken, lines_per_part=10, clear=True)
    assert code == 1
    assert "did not complete: 3 part(s) failed 3 times" in stderr.getvalue()
    assert (out / "scan.json").is_file() and not list(out.glob("part-*"))
    assert not (out / "manifest.json").exists() and (out / "notes.txt").read_text() == "mine"


def test_run_scan_never_mixes_its_parts_with_an_earlier_scans(tmp_path, verdicts):
    """An earlier scan of 3 parts, then one of 2 into the same folder: refused, or cleared."""
    from saring.cli import main
    from saring.domain.errors import BadUserInputError

    source = tmp_path / "catalog.jsonl"
    out = tmp_path / "out"
    out.mkdir()
    for part in (1, 2, 3):  # what a scan of 30 lines in parts of 10 leaves
        (out / f"part-{part:05d}.jsonl").write_text("{}\n")
        (out / f"part-{part:05d}.summary.json").write_text("{}")
    (out / "manifest.json").write_text('{"state": "COMPLETE", "parts": 3}')
    source.write_bytes(catalog(20))
    with pytest.raises(BadUserInputError, match="already holds results of a scan"):
        run_scan(source, out, "shopee", io.StringIO(), verdicts=verdicts, lines_per_part=10)
    assert main(["scan", str(source), "--out", str(out)]) == 2  # the command line refuses too
    assert len(list(out.glob("part-*.jsonl"))) == 3  # untouched

    stderr = io.StringIO()
    code = run_scan(
        source, out, "shopee", stderr, verdicts=verdicts, lines_per_part=10, clear=True
    )
    assert code == 0
    assert sorted(p.name for p in out.glob("part-*.jsonl")) == ["part-00001.jsonl", "part-00002.jsonl"]
    assert len(list(out.glob("part-*.summary.json"))) == 2
    assert json.loads((out / "manifest.json").read_text())["total_lines"] == 20


def test_run_scan_of_an_upload_over_a_cap_fails_with_a_manifest_naming_it(
    tmp_path, verdicts, monkeypatch
):
    monkeypatch.setenv("SARING_SCAN_MAX_LINE_BYTES", "1000")
    source = tmp_path / "catalog.jsonl.gz"
    long_line = json.dumps({"id": "x", "title": "t" * 5000}).encode()
    source.write_bytes(gzip.compress(catalog(5) + long_line + b"\n" + catalog(5)))
    stderr = io.StringIO()
    assert run_scan(source, tmp_path / "out", "shopee", stderr, verdicts=verdicts) == 1
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["state"] == "FAILED" and manifest["parts"] == 0
    assert manifest["failure"]["setting"] == "SARING_SCAN_MAX_LINE_BYTES"
    assert manifest["failure"]["line"] == 6
    assert "line 6 is longer than 1,000 bytes" in stderr.getvalue()
    assert not list((tmp_path / "out").glob("part-*"))


def test_run_scan_draws_a_progress_bar_on_a_terminal(tmp_path, verdicts):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    source = tmp_path / "c.jsonl"
    source.write_bytes(catalog(30))
    terminal = Terminal()
    assert (
        run_scan(
            source, tmp_path / "out", progress_stream=terminal, verdicts=verdicts, lines_per_part=10
        )
        == 0
    )
    assert "\r[" in terminal.getvalue() and "listings/s" in terminal.getvalue()


@pytest.mark.slow
@pytest.mark.needs_shared_data
@pytest.mark.skipif(not REAL_TITLES.is_file(), reason=f"reference data absent: {REAL_TITLES}")
def test_run_scan_on_the_real_titles_with_the_shipped_model(tmp_path):
    if not model_available():
        pytest.skip("the ONNX model is not trained yet (models/listing-classifier is empty)")
    stderr = io.StringIO()
    assert run_scan(REAL_TITLES, tmp_path, progress_stream=stderr) == 0
    with REAL_TITLES.open("rb") as source:
        expected = sum(1 for _ in source)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["total_lines"] == expected == manifest["listings"] + manifest["bad_lines"]
    assert sum(manifest["decisions"].values()) == manifest["listings"]
    records = part_lines({p.name: p.read_bytes() for p in Path(tmp_path).glob("part-*.jsonl")})
    assert [record["line"] for record in records] == list(range(1, expected + 1))
    assert os.environ.get("AWS_ENDPOINT_URL") is None  # in-process: nothing left pointing at moto
