"""Use case: the catalog scan. The split plans the parts of an upload and queues them; each
worker classifies one part and writes it; the worker that sees every part done writes the
manifest.

Nothing lost, nothing doubled: a part's output depends only on its input lines and the model,
so a redelivered message rewrites it byte for byte, and a split run again re-sends the same
parts. Completion needs no lock: each worker writes its part, then its summary, then lists the
summaries; S3 lists are strongly consistent, so whichever worker lists last sees them all.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO

from saring.domain.errors import BadUserInputError
from saring.domain.listings import Listing, ListingLimits, validate_listings
from saring.domain.principals import Principal, Role
from saring.domain.scan import (
    LINES_PER_PART,
    VERDICTS_PER_CALL,
    PartRange,
    PartRecords,
    PartSummary,
    ScanCapExceeded,
    ScanLimits,
    ScanState,
    ScanTask,
    SourceChangedError,
    build_failed_manifest,
    build_manifest,
    chunk_key,
    cut_parts,
    dump_json,
    is_gzip,
    manifest_key,
    parse_listing,
    parse_source_key,
    part_key,
    scan_id_for,
    split_lines,
    state_key,
    summarised_parts,
    summary_key,
)
from saring.ports import NO_METRICS, Clock, Metrics, ObjectStore, PartQueue
from saring.service.verdicts import VerdictService

READ_BLOCK = 1 << 20
SQS_BATCH = 10  # SendMessageBatch's limit
JSON = "application/json"
JSONL = "application/x-ndjson"


def platform_principal(platform: str) -> Principal:
    """The platform named by the upload's key: only it may write under incoming/<platform>/."""
    return Principal(Role.PLATFORM, f"platform:{platform}", platform=platform)


def _blocks(stream: BinaryIO, size: int = READ_BLOCK) -> Iterator[bytes]:
    while block := stream.read(size):
        yield block


def _content(store: ObjectStore, bucket: str, key: str, etag: str, compressed: bool) -> BinaryIO:
    raw = store.open(bucket, key, etag)
    return gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw


class ScanSplitter:
    def __init__(
        self,
        store: ObjectStore,
        queue: PartQueue,
        clock: Clock,
        lines_per_part: int = LINES_PER_PART,
        limits: ScanLimits = ScanLimits(),  # noqa: B008 - frozen, shared safely
    ) -> None:
        self._store = store
        self._queue = queue
        self._clock = clock
        self._lines_per_part = lines_per_part
        self._limits = limits

    def split(self, bucket: str, key: str) -> ScanState | None:
        """Plans and queues the scan of one upload; None when the key is not an upload."""
        source = parse_source_key(key)
        if source is None:
            return None
        head = self._store.head(bucket, key)
        if head is None:
            return None  # deleted since the event; nothing to scan
        scan_id = scan_id_for(bucket, key, head.etag)
        parts: list[PartRange] = []
        chunks: dict[int, str] = {}
        failure = None
        # One read of the upload: its first bytes, peeked, say whether it is gzip. A gzip
        # upload is re-chunked as it is read: each part's lines become an object of their own,
        # so a worker reads its part alone instead of decompressing everything before it.
        with io.BufferedReader(self._store.open(bucket, key, head.etag), READ_BLOCK) as stream:
            compressed = is_gzip(key, stream.peek(2)[:2])
            content = gzip.GzipFile(fileobj=stream, mode="rb") if compressed else stream
            try:
                for part, body in cut_parts(
                    _blocks(content), self._lines_per_part, self._limits, keep_bytes=compressed
                ):
                    if body is not None:
                        chunks[part.part] = chunk_key(source, scan_id, part.part)
                        self._store.put(bucket, chunks[part.part], body, JSONL)
                    parts.append(part)
            except ScanCapExceeded as cap:
                failure = cap.to_dict()
        prefix = source.results_prefix
        state = ScanState(
            scan_id=scan_id,
            bucket=bucket,
            key=key,
            etag=head.etag,
            size=head.size,
            gzip=compressed,
            platform=source.platform,
            name=source.name,
            parts=len(parts),
            total_lines=sum(part.line_count for part in parts),
            lines_per_part=self._lines_per_part,
            started_at=self._started_at(bucket, prefix, scan_id),
            failure=failure,
        )
        self._store.put(bucket, state_key(prefix), dump_json(state.to_dict()), JSON)
        if failure is not None:
            manifest = build_failed_manifest(state, self._clock.now().isoformat())
            self._store.put(bucket, manifest_key(prefix), dump_json(manifest), JSON)
            return state
        if not parts:
            self._store.put(
                bucket, manifest_key(prefix), dump_json(build_manifest(state, [])), JSON
            )
            return state
        tasks = [
            ScanTask(
                scan_id=scan_id,
                bucket=bucket,
                key=key,
                etag=head.etag,
                platform=source.platform,
                name=source.name,
                gzip=compressed,
                part=part.part,
                parts=len(parts),
                first_line=part.first_line,
                line_count=part.line_count,
                byte_start=part.byte_start,
                byte_end=part.byte_end,
                chunk_key=chunks.get(part.part),
            )
            for part in parts
        ]
        for start in range(0, len(tasks), SQS_BATCH):
            batch = tasks[start : start + SQS_BATCH]
            self._queue.send([(f"part-{task.part:05d}", task.to_json()) for task in batch])
        return state

    def _started_at(self, bucket: str, prefix: str, scan_id: str) -> str:
        """A split run again for the same upload keeps the first run's start time."""
        key = state_key(prefix)
        # Listed before it is read: without s3:ListBucket on it, a missing key reads as 403.
        existing = (
            self._store.get(bucket, key) if key in self._store.list_keys(bucket, key) else None
        )
        if existing is not None:
            document = json.loads(existing)
            if document.get("scan_id") == scan_id:
                return document["started_at"]
        return self._clock.now().isoformat()


class ChunkMissingError(RuntimeError):
    """A part's chunk is gone: the part fails, is retried, and ends in the dead-letter queue."""


@dataclass(frozen=True, slots=True)
class PartOutcome:
    summary: PartSummary
    manifest: dict[str, Any] | None  # set when this worker found the scan complete


class ScanWorker:
    def __init__(
        self,
        store: ObjectStore,
        verdicts: VerdictService,
        limits: ListingLimits,
        clock: Clock,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self._store = store
        self._verdicts = verdicts
        self._limits = limits
        self._clock = clock
        self._metrics = metrics

    def process(self, task: ScanTask) -> PartOutcome | None:
        """Classifies one part and writes it; None when its upload has been replaced since."""
        started = self._clock.now().isoformat()
        try:
            lines = self._read_lines(task)
        except SourceChangedError:
            return None  # a newer upload of the same key has its own scan
        records = self.classify(task.platform, lines, task.first_line)
        prefix = task.results_prefix
        self._store.put(task.bucket, part_key(prefix, task.part), records.body(), JSONL)
        summary = PartSummary(
            scan_id=task.scan_id,
            part=task.part,
            first_line=task.first_line,
            line_count=len(lines),
            verdicts=len(lines) - records.bad_lines,
            bad_lines=records.bad_lines,
            decisions=records.decisions,
            model_versions=records.model_versions,
            started_at=started,
            finished_at=self._clock.now().isoformat(),
        )
        # The summary goes after the part, so a summary always means its part is written.
        self._store.put(
            task.bucket, summary_key(prefix, task.part), dump_json(summary.to_dict()), JSON
        )
        # Counted per part processed: a redelivered part is counted again.
        platform = {"platform": task.platform}
        self._metrics.count("ScanLines", len(lines), platform)
        self._metrics.count("ScanBadLines", records.bad_lines, platform)
        return PartOutcome(summary, self._complete_if_done(task))

    def classify(self, platform: str, lines: Sequence[bytes], first_line: int) -> PartRecords:
        """One record per line, in order: a verdict, or an error naming the line."""
        records = PartRecords(first_line, len(lines))
        principal = platform_principal(platform)
        size = min(VERDICTS_PER_CALL, self._limits.max_batch)
        # A batch's listings and their places in the part, side by side. Lines are parsed as
        # the batches fill, so a listing lives for its batch, not for the whole part.
        indexes: list[int] = []
        listings: list[Listing] = []
        for index, raw in enumerate(lines):
            parsed = parse_listing(raw)
            if isinstance(parsed, str):
                records.add_error(index, parsed)
                continue
            indexes.append(index)
            listings.append(parsed)
            if len(listings) == size:
                self._add_verdicts(records, principal, indexes, listings)
                indexes, listings = [], []
        if listings:
            self._add_verdicts(records, principal, indexes, listings)
        return records

    def _add_verdicts(
        self,
        records: PartRecords,
        principal: Principal,
        indexes: list[int],
        listings: list[Listing],
    ) -> None:
        try:
            verdicts = self._verdicts.batch_verdicts(principal, listings)
        except BadUserInputError as refusal:
            # One refused listing must not fail its batch: find the refused ones by the rules
            # the service applies, and ask again for the rest.
            if len(listings) == 1:
                records.add_error(indexes[0], refusal.message)
                return
            accepted: list[int] = []  # positions in this batch
            for position, listing in enumerate(listings):
                try:
                    validate_listings([listing], self._limits)
                except BadUserInputError as error:
                    records.add_error(indexes[position], error.message)
                else:
                    accepted.append(position)
            if len(accepted) == len(listings):  # a rule the check does not know: one at a time
                for position in accepted:
                    self._add_verdicts(
                        records, principal, [indexes[position]], [listings[position]]
                    )
            elif accepted:
                self._add_verdicts(
                    records,
                    principal,
                    [indexes[position] for position in accepted],
                    [listings[position] for position in accepted],
                )
            return
        add = records.add_verdict
        version = verdicts.model_version
        for index, listing, decision, score, reasons in zip(
            indexes, listings, verdicts.decisions, verdicts.scores, verdicts.reasons, strict=True
        ):
            add(index, listing.listing_id, decision.value, score, reasons, version)

    def _read_lines(self, task: ScanTask) -> list[bytes]:
        if task.chunk_key is not None:
            # The chunk outlives a replaced upload; a part of a replaced upload is skipped.
            head = self._store.head(task.bucket, task.key)
            if head is None or head.etag != task.etag:
                raise SourceChangedError(f"{task.key} was replaced or deleted")
            data = self._store.get(task.bucket, task.chunk_key)
            if data is None:
                raise ChunkMissingError(f"{task.chunk_key} is gone (expired or deleted)")
        elif task.gzip:  # planned before chunks existed: read from the start of the upload
            with _content(self._store, task.bucket, task.key, task.etag, True) as content:
                _skip(content, task.byte_start)
                data = _read_exactly(content, task.byte_end - task.byte_start)
        else:
            with self._store.open(
                task.bucket, task.key, task.etag, task.byte_start, task.byte_end
            ) as content:
                data = content.read()
        lines = split_lines(data)
        if len(lines) != task.line_count:
            raise SourceChangedError(
                f"part {task.part} of {task.key} has {len(lines)} lines, planned {task.line_count}"
            )
        return lines

    def _complete_if_done(self, task: ScanTask) -> dict[str, Any] | None:
        prefix = task.results_prefix
        done = summarised_parts(self._store.list_keys(task.bucket, f"{prefix}part-"), prefix)
        if not done.issuperset(range(1, task.parts + 1)):
            return None
        state_body = self._store.get(task.bucket, state_key(prefix))
        if state_body is None:
            return None
        state = ScanState.from_dict(json.loads(state_body))
        if state.scan_id != task.scan_id:
            return None  # a newer upload of the same key replaced this scan
        summaries = self._read_summaries(task.bucket, prefix, state.parts)
        if any(summary is None or summary.scan_id != state.scan_id for summary in summaries):
            return None  # a part of an older scan is still there; its rewrite completes
        manifest = build_manifest(state, summaries)  # type: ignore[arg-type]
        self._store.put(task.bucket, manifest_key(prefix), dump_json(manifest), JSON)
        return manifest

    def _read_summaries(self, bucket: str, prefix: str, parts: int) -> list[PartSummary | None]:
        def read(part: int) -> PartSummary | None:
            body = self._store.get(bucket, summary_key(prefix, part))
            return None if body is None else PartSummary.from_dict(json.loads(body))

        if parts <= 4:
            return [read(part) for part in range(1, parts + 1)]
        with ThreadPoolExecutor(max_workers=16, thread_name_prefix="summaries") as pool:
            return list(pool.map(read, range(1, parts + 1)))


def _skip(stream: BinaryIO, count: int) -> None:
    while count > 0:
        block = stream.read(min(count, READ_BLOCK))
        if not block:
            raise SourceChangedError("the upload is shorter than planned")
        count -= len(block)


def _read_exactly(stream: BinaryIO, count: int) -> bytes:
    chunks = []
    while count > 0:
        block = stream.read(min(count, READ_BLOCK))
        if not block:
            raise SourceChangedError("the upload is shorter than planned")
        chunks.append(block)
        count -= len(block)
    return b"".join(chunks)
