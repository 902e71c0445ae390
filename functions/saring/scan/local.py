"""`saring scan FILE --out DIR`: the catalog scan on one machine, in-process.

The same split and worker handlers run against moto's S3, SQS and DynamoDB (`mock_aws`): the
file is uploaded to incoming/<platform>/<name>, the split handler gets the S3 event Lambda
would send, and the worker handler drains the queue in SQS event batches of up to 10 records.
Each result the handlers store under results/<platform>/<name>/ is written into DIR as well, as
it is stored (the last write of a key wins, in S3 and in DIR alike).

Exit status: 0 when the scan completed (its manifest was written), even with bad lines, whose
count is printed: a bad line is a finding about the file, written into its part, not a failure
of the scan. 1 when parts ended in the dead-letter queue and the scan did not complete, or when
the upload reached a cap (the FAILED manifest names it).

DIR must hold no results of an earlier scan: parts of two scans must never sit side by side
(an older scan of more parts would leave parts the new manifest does not count). A folder that
holds some is refused, or, with `clear`, emptied of exactly those files first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO
from urllib.parse import quote_plus

from saring.ports import ObjectStore, StoredObject
from saring.service.verdicts import VerdictService

REGION = "ap-southeast-3"
ACCOUNT = "123456789012"
BUCKET = "saring-scan-local"
QUEUE = "saring-scan-parts"
DEAD_LETTERS = "saring-scan-parts-dlq"
TABLE = "saring-local-scan"
MAX_RECEIVES = 3  # as the template's RedrivePolicy


@dataclasses.dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 1769
    aws_request_id: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"


def run_scan(
    file: Path,
    out_dir: Path,
    platform: str = "local",
    progress_stream: TextIO = sys.stderr,
    *,
    verdicts: VerdictService | None = None,
    lines_per_part: int | None = None,
    clear: bool = False,
) -> int:
    from moto import mock_aws

    from saring.domain.errors import BadUserInputError
    from saring.observability import logger

    if not file.is_file():
        raise BadUserInputError(f"no such file: {file}", field="FILE")
    earlier = earlier_results(Path(out_dir))
    if earlier and not clear:
        raise BadUserInputError(
            f"{out_dir} already holds results of a scan ({len(earlier)} file(s), such as "
            f"{earlier[0].name}): choose an empty folder, or --clear to remove them first",
            field="out",
        )
    for stale in earlier:
        stale.unlink()
    level = logger.log_level
    logger.setLevel("WARNING")  # the handlers' JSON logs are for CloudWatch, not a terminal
    # AWS_ENDPOINT_URL (as for `saring keys`): the running local stack's moto, whose table
    # (SARING_TABLE) holds the ledger and the orders the verdicts read. Without it: a fresh
    # moto in this process, with an empty table.
    on_stack = bool(os.environ.get("AWS_ENDPOINT_URL"))
    try:
        with contextlib.nullcontext() if on_stack else mock_aws():
            return _run(
                file, Path(out_dir), platform, progress_stream, verdicts, lines_per_part, on_stack
            )
    finally:
        logger.setLevel(level)


def _run(
    file: Path,
    out_dir: Path,
    platform: str,
    progress: TextIO,
    verdicts: VerdictService | None,
    lines_per_part: int | None,
    on_stack: bool = False,
) -> int:
    from botocore.config import Config

    from saring.adapters.aws import aws_client
    from saring.adapters.dynamodb.tables import create_table_from_template
    from saring.domain.errors import BadUserInputError
    from saring.domain.scan import parse_source_key

    key = f"incoming/{platform}/{file.name}"
    source = parse_source_key(key)
    if source is None:
        raise BadUserInputError(
            f"platform {platform!r} must be lowercase letters, digits and dashes", field="platform"
        )
    # In-process, bodies cross no network: no CRC32 of each one on the way in and out.
    local = Config(region_name=REGION)
    in_process = local.merge(
        Config(
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
    )
    s3 = aws_client("s3", in_process)
    sqs = aws_client("sqs", local)
    # An earlier scan against the same running stack may have made it.
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    # On a running stack, queues of this scan's own: another scan's parts never mix in.
    run = f"-{uuid.uuid4().hex[:8]}" if on_stack else ""
    dead_letters = sqs.create_queue(QueueName=DEAD_LETTERS + run)["QueueUrl"]
    dead_letters_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{DEAD_LETTERS}{run}"
    queue_url = sqs.create_queue(
        QueueName=QUEUE + run,
        Attributes={
            "VisibilityTimeout": "0",  # a failed record is retried at once, locally
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dead_letters_arn, "maxReceiveCount": str(MAX_RECEIVES)}
            ),
        },
    )["QueueUrl"]
    if verdicts is None:
        from saring.scan.bootstrap import scan_verdicts
        from saring.settings import Settings

        dynamodb = aws_client("dynamodb", local)
        settings = Settings.from_env()
        if not on_stack:
            create_table_from_template(dynamodb, TABLE)
            settings = dataclasses.replace(settings, table_name=TABLE)
        verdicts = scan_verdicts(settings, dynamodb=dynamodb)
    try:
        settings_of_scan = scan_settings_for(queue_url, lines_per_part)
        return _scan(
            file, out_dir, s3, sqs, key, source, queue_url, dead_letters, verdicts,
            settings_of_scan, progress,
        )  # fmt: skip
    finally:
        if on_stack:
            for url in (queue_url, dead_letters):
                sqs.delete_queue(QueueUrl=url)


def scan_settings_for(queue_url: str, lines_per_part: int | None) -> Any:
    from saring.scan.bootstrap import ScanSettings

    scan_settings = ScanSettings.from_env()
    if lines_per_part is not None:
        scan_settings = dataclasses.replace(scan_settings, lines_per_part=lines_per_part)
    return dataclasses.replace(scan_settings, queue_url=queue_url)


def _scan(
    file: Path,
    out_dir: Path,
    s3: Any,
    sqs: Any,
    key: str,
    source: Any,
    queue_url: str,
    dead_letters: str,
    verdicts: VerdictService,
    scan_settings: Any,
    progress: TextIO,
) -> int:
    from saring.adapters.s3_objects import S3ObjectStore
    from saring.adapters.sqs_parts import SqsPartQueue
    from saring.domain.scan import manifest_key
    from saring.scan.bootstrap import build_splitter, build_worker
    from saring.scan.events import s3_upload_handler, sqs_parts_handler

    prefix = source.results_prefix
    out_dir.mkdir(parents=True, exist_ok=True)
    store = ResultsToDirectory(S3ObjectStore(s3), prefix, out_dir)
    split = s3_upload_handler(
        build_splitter(scan_settings, store=store, queue=SqsPartQueue(sqs, queue_url))
    )
    work = sqs_parts_handler(build_worker(store=store, verdicts=verdicts))

    started = time.perf_counter()
    # One PutObject, whose response has the ETag the event needs: moto keeps the whole upload
    # either way, so a transfer manager's threads and a HeadObject would only add requests.
    with file.open("rb") as body:
        size = os.fstat(body.fileno()).st_size
        etag = s3.put_object(Bucket=BUCKET, Key=key, Body=body)["ETag"]
    planned = split(
        s3_put_event(BUCKET, key, size, etag),
        LambdaContext("saring-scan-split", memory_limit_in_mb=512),
    )["scans"]
    total = planned[0]["lines"] if planned else 0
    bar = Progress(progress, total, started)
    queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue_url.rsplit('/', 1)[1]}"
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            break
        failed = _invoke_worker(work, sqs_event(messages, queue_arn))
        done = [message for message in messages if message["MessageId"] not in failed]
        if done:
            sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": message["ReceiptHandle"]}
                    for n, message in enumerate(done)
                ],
            )
        bar.advance(sum(json.loads(message["Body"])["line_count"] for message in done))

    # Written by this run, not a manifest left in DIR by an earlier one.
    completed = manifest_key(prefix) in store.written
    manifest_body = store.path_of(manifest_key(prefix)).read_bytes() if completed else None
    elapsed = time.perf_counter() - started
    if manifest_body is None:
        lost = int(
            sqs.get_queue_attributes(
                QueueUrl=dead_letters, AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]["ApproximateNumberOfMessages"]
        )
        bar.finish(
            f"saring: scan of {file} did not complete: {lost} part(s) failed 3 times; "
            f"partial results in {out_dir}"
        )
        return 1
    manifest = json.loads(manifest_body)
    if manifest["state"] == "FAILED":
        failure = manifest["failure"]
        bar.finish(
            f"saring: scan of {file} refused: {failure['message']} "
            f"(cap {failure['setting']}={failure['limit']}); see {out_dir / 'manifest.json'}"
        )
        return 1
    bar.finish(summary_line(manifest, elapsed, out_dir))
    return 0


# What a scan writes into its folder (domain.scan's part_key, summary_key, state_key,
# manifest_key): nothing else in the folder is touched.
_RESULT_FILE = re.compile(r"part-\d{5}\.jsonl|part-\d{5}\.summary\.json|scan\.json|manifest\.json")


def earlier_results(out_dir: Path) -> list[Path]:
    """The files of an earlier scan in `out_dir`, by name."""
    if not out_dir.is_dir():
        return []
    return sorted(p for p in out_dir.iterdir() if p.is_file() and _RESULT_FILE.fullmatch(p.name))


class ResultsToDirectory(ObjectStore):
    """The scan's S3 object store, which also writes each result into the output directory
    as it is stored: the local run has its results without reading them back from S3."""

    def __init__(self, s3: ObjectStore, results_prefix: str, out_dir: Path) -> None:
        self._s3 = s3
        self._prefix = results_prefix
        self._out_dir = out_dir
        self.written: set[str] = set()  # the result keys stored by this run

    def put(self, bucket: str, key: str, body: bytes, content_type: str) -> None:
        self._s3.put(bucket, key, body, content_type)
        if key.startswith(self._prefix):
            target = self.path_of(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            self.written.add(key)

    def path_of(self, key: str) -> Path:
        """Where a result key is written in the output directory."""
        return self._out_dir / key[len(self._prefix) :]

    def head(self, bucket: str, key: str) -> StoredObject | None:
        return self._s3.head(bucket, key)

    def open(
        self, bucket: str, key: str, etag: str, start: int = 0, end: int | None = None
    ) -> BinaryIO:
        return self._s3.open(bucket, key, etag, start, end)

    def get(self, bucket: str, key: str) -> bytes | None:
        return self._s3.get(bucket, key)

    def list_keys(self, bucket: str, prefix: str) -> list[str]:
        return self._s3.list_keys(bucket, prefix)


def _invoke_worker(work: Any, event: dict[str, Any]) -> set[str]:
    """The ids of the records that failed, as Lambda's poller reads the response; a batch in
    which every record failed raises (powertools' default), so Lambda retries all of it."""
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    try:
        response = work(event, LambdaContext("saring-scan-worker"))
    except BatchProcessingError:
        return {record["messageId"] for record in event["Records"]}
    return {item["itemIdentifier"] for item in response["batchItemFailures"]}


def summary_line(manifest: dict[str, Any], elapsed: float, out_dir: Path) -> str:
    decisions = ", ".join(f"{count:,} {name}" for name, count in manifest["decisions"].items())
    rate = manifest["total_lines"] / elapsed if elapsed > 0 else 0.0
    return (
        f"saring: scanned {manifest['total_lines']:,} lines in {manifest['parts']} part(s): "
        f"{decisions}; {manifest['bad_lines']:,} bad line(s); "
        f"{elapsed:.2f} s, {rate:,.0f} listings/s; results in {out_dir}"
    )


class Progress:
    """A progress bar with throughput when the stream is a terminal; otherwise silent until
    `finish`, which prints one summary line either way."""

    WIDTH = 30

    def __init__(self, stream: TextIO, total: int, started: float) -> None:
        self._stream = stream
        self._total = total
        self._started = started
        self._done = 0
        self._drawn_at = 0.0
        self._live = bool(getattr(stream, "isatty", lambda: False)())

    def advance(self, lines: int) -> None:
        self._done += lines
        now = time.perf_counter()
        if self._live and (now - self._drawn_at > 0.1 or self._done >= self._total):
            self._drawn_at = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        fraction = self._done / self._total if self._total else 1.0
        filled = int(fraction * self.WIDTH)
        rate = self._done / max(now - self._started, 1e-9)
        self._stream.write(
            f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction:4.0%} "
            f"{self._done:,}/{self._total:,} listings  {rate:,.0f}/s"
        )
        self._stream.flush()

    def finish(self, message: str) -> None:
        if self._live:
            self._stream.write("\n")
        self._stream.write(message + "\n")
        self._stream.flush()


def s3_put_event(bucket: str, key: str, size: int, etag: str) -> dict[str, Any]:
    """The event S3 sends Lambda for an upload (notification format 2.1)."""
    now = datetime.now(UTC)
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventTime": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {
                    "x-amz-request-id": uuid.uuid4().hex[:16].upper(),
                    "x-amz-id-2": uuid.uuid4().hex,
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "saring-scan-upload",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "AEXAMPLE"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": {
                        "key": quote_plus(key, safe="/"),
                        "size": size,
                        "eTag": etag.strip('"'),
                        "sequencer": f"{int(now.timestamp() * 1e6):016X}",
                    },
                },
            }
        ]
    }


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS poller builds from received messages."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody")
                or hashlib.md5(message["Body"].encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }
