"""The catalog scan against fakes: split, workers, completion, crashes and redeliveries."""

import gzip
import json
import random

import pytest

from saring.domain.listings import ListingLimits
from saring.domain.scan import ScanLimits, ScanTask, SourceChangedError
from saring.domain.standing import SellerStanding, Standing
from saring.service.scan import ScanSplitter, ScanWorker
from saring.service.verdicts import VerdictService
from tests.conftest import ManualClock
from tests.fakes import FixedFacts, KeywordClassifier, MemoryObjectStore, MemoryPartQueue

BUCKET = "saring-scan"
KEY = "incoming/shopee/catalog.jsonl"
PREFIX = "results/shopee/catalog.jsonl/"


def catalog(n: int) -> bytes:
    lines = [
        json.dumps(
            {
                "id": f"l-{i}",
                "title": "thrift bal korea" if i % 3 == 0 else "kaos baru",
                "seller_id": f"s-{i % 7}",
            }
        )
        for i in range(1, n + 1)
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def store():
    return MemoryObjectStore()


@pytest.fixture
def facts():
    return FixedFacts()


@pytest.fixture
def worker(store, facts, clock):
    service = VerdictService(KeywordClassifier(), facts, clock, ListingLimits())
    return ScanWorker(store, service, ListingLimits(), clock)


def tasks_of(queue: MemoryPartQueue) -> list[ScanTask]:
    return [ScanTask.from_json(body) for _, body in queue.sent]


def upload_and_split(store, clock, content: bytes, lines_per_part=4, key=KEY):
    store.put(BUCKET, key, content, "application/x-ndjson")
    queue = MemoryPartQueue()
    state = ScanSplitter(store, queue, clock, lines_per_part).split(BUCKET, key)
    return state, tasks_of(queue)


def output_lines(store, parts: int) -> list[dict]:
    lines = []
    for part in range(1, parts + 1):
        body = store.get(BUCKET, f"{PREFIX}part-{part:05d}.jsonl")
        lines.extend(json.loads(line) for line in body.decode().splitlines())
    return lines


def manifest(store):
    body = store.get(BUCKET, PREFIX + "manifest.json")
    return None if body is None else json.loads(body)


def test_every_line_yields_one_record_in_order_and_the_manifest_adds_up(store, worker, clock):
    # GIVEN an upload of 10 listings, split into parts of 4 lines
    state, tasks = upload_and_split(store, clock, catalog(10))
    assert (state.parts, state.total_lines) == (3, 10)
    assert [(t.part, t.first_line, t.line_count) for t in tasks] == [
        (1, 1, 4),
        (2, 5, 4),
        (3, 9, 2),
    ]
    assert json.loads(store.get(BUCKET, PREFIX + "scan.json"))["state"] == "IN_PROGRESS"
    # WHEN the workers process the parts, the manifest appears only after the last one
    for task in tasks[:-1]:
        worker.process(task)
        assert manifest(store) is None
    clock.advance(seconds=2)
    assert worker.process(tasks[-1]).manifest == manifest(store)
    # THEN one record per line, in order, and the manifest counts match
    lines = output_lines(store, 3)
    assert [record["line"] for record in lines] == list(range(1, 11))
    assert [record["id"] for record in lines] == [f"l-{i}" for i in range(1, 11)]
    assert lines[2]["decision"] == "TAKEDOWN" and lines[0]["decision"] == "ALLOW"
    done = manifest(store)
    assert done["total_lines"] == 10 and done["bad_lines"] == 0 and done["parts"] == 3
    assert done["decisions"] == {"ALLOW": 7, "REVIEW": 0, "TAKEDOWN": 3}
    assert done["model_version"] == "fake-1"
    assert done["timings"]["seconds"] == 2.0


def test_bad_lines_fail_alone_not_their_batch_of_100(store, worker, clock):
    lines = catalog(150).decode().splitlines()
    lines[10] = "{broken"
    lines[20] = json.dumps({"id": "long", "title": "x" * 501})
    lines[30] = json.dumps({"title": "no id"})
    lines[40] = ""
    lines[120] = json.dumps({"id": "neg", "title": "kaos", "price": -5})
    state, tasks = upload_and_split(store, clock, ("\n".join(lines)).encode(), lines_per_part=150)
    worker.process(tasks[0])
    records = output_lines(store, 1)
    assert len(records) == 150
    errors = {record["line"]: record["error"] for record in records if "error" in record}
    assert sorted(errors) == [11, 21, 31, 41, 121]
    assert "invalid JSON" in errors[11] and "title is longer than 500" in errors[21]
    assert "missing id" in errors[31] and "blank line" in errors[41] and "priceIdr" in errors[121]
    assert all(errors[line].startswith(f"line {line}:") for line in errors)
    assert manifest(store)["bad_lines"] == 5 and manifest(store)["listings"] == 145
    # the refused listings of the first 100 are set aside before it is scored, not one by one
    assert worker._verdicts._classifier.batches == [99, 46]


def test_a_refusal_the_line_check_does_not_know_still_fails_only_its_line(store, clock):
    # GIVEN a service stricter than the worker's own line check
    strict = VerdictService(
        KeywordClassifier(), FixedFacts(), clock, ListingLimits(max_title_chars=20)
    )
    worker = ScanWorker(store, strict, ListingLimits(), clock)
    lines = catalog(5).decode().splitlines()
    lines[3] = json.dumps({"id": "long", "title": "kaos " * 10})
    _, tasks = upload_and_split(store, clock, "\n".join(lines).encode(), lines_per_part=5)
    # WHEN the part is classified
    worker.process(tasks[0])
    # THEN only that line is an error, and it says why
    records = output_lines(store, 1)
    assert ["error" in record for record in records] == [False, False, False, True, False]
    assert "title is longer than 20" in records[3]["error"]


def test_the_ledger_and_orders_apply_to_scanned_listings(store, worker, facts, clock):
    facts.sellers["s-1"] = SellerStanding("shopee", "s-1", Standing.BLOCKED, 3)
    facts.orders["l-2"] = ("KEMENDAG/2026/001",)
    _, tasks = upload_and_split(store, clock, catalog(2))
    worker.process(tasks[0])
    first, second = output_lines(store, 1)
    assert first["decision"] == "TAKEDOWN" and first["reasons"][0]["code"] == "SELLER_BLOCKED"
    assert second["decision"] == "TAKEDOWN" and second["reasons"][0]["code"] == "ACTIVE_ORDER"


def test_a_redelivered_part_is_rewritten_byte_for_byte(store, worker, clock):
    _, tasks = upload_and_split(store, clock, catalog(10))
    for task in tasks:
        worker.process(task)
    before = {key: body for (_, key), body in store.objects.items() if key.endswith(".jsonl")}
    first_manifest = manifest(store)
    clock.advance(minutes=5)
    worker.process(tasks[1])  # SQS delivers the same message again
    after = {key: body for (_, key), body in store.objects.items() if key.endswith(".jsonl")}
    assert after == before
    again = manifest(store)
    assert {k: v for k, v in again.items() if k != "timings"} == {
        k: v for k, v in first_manifest.items() if k != "timings"
    }


def test_a_split_that_crashes_midway_completes_when_run_again(store, worker, clock):
    content = catalog(45)
    store.put(BUCKET, KEY, content, "application/x-ndjson")
    # GIVEN a split that sent one SendMessageBatch of 10 parts, then crashed
    crashed = MemoryPartQueue(fail_after=1)
    with pytest.raises(RuntimeError):
        ScanSplitter(store, crashed, clock, 2).split(BUCKET, KEY)
    started = json.loads(store.get(BUCKET, PREFIX + "scan.json"))["started_at"]
    assert len(crashed.sent) == 10
    # WHEN S3 retries the event and the split runs again, sending every part again
    clock.advance(seconds=30)
    retry = MemoryPartQueue()
    state = ScanSplitter(store, retry, clock, 2).split(BUCKET, KEY)
    assert retry.sent[:10] == crashed.sent  # same ids, same bodies
    assert state.started_at == started
    # THEN workers process everything, duplicates included, in any order: one complete result
    everything = tasks_of(crashed) + tasks_of(retry)
    random.Random(7).shuffle(everything)
    for task in everything:
        worker.process(task)
    records = output_lines(store, state.parts)
    assert [record["line"] for record in records] == list(range(1, 46))
    assert manifest(store)["total_lines"] == 45 and manifest(store)["parts"] == 23


def test_a_worker_that_crashes_before_its_summary_is_completed_by_redelivery(store, worker, clock):
    _, tasks = upload_and_split(store, clock, catalog(8))
    worker.process(tasks[0])
    real_put = store.put

    def crash_on_summary(bucket, key, body, content_type):
        if key.endswith(".summary.json"):
            raise ConnectionError("worker died")
        real_put(bucket, key, body, content_type)

    store.put = crash_on_summary
    with pytest.raises(ConnectionError):
        worker.process(tasks[1])
    assert manifest(store) is None  # the part is written, but no summary: not counted
    store.put = real_put
    worker.process(tasks[1])  # SQS redelivers after the visibility timeout
    assert manifest(store)["total_lines"] == 8


def test_gzip_uploads_are_streamed_and_planned_by_lines(store, worker, clock):
    content = catalog(9)
    state, tasks = upload_and_split(store, clock, gzip.compress(content), key=KEY + ".gz")
    assert state.gzip and state.parts == 3
    for task in tasks:
        worker.process(task)
    body = store.get(BUCKET, "results/shopee/catalog.jsonl.gz/manifest.json")
    assert json.loads(body)["total_lines"] == 9


def test_gzip_is_recognised_by_its_magic_bytes_too(store, clock):
    state, _ = upload_and_split(store, clock, gzip.compress(catalog(3)), key=KEY)
    assert state.gzip and state.total_lines == 3


def test_an_empty_upload_is_complete_at_once(store, clock):
    state, tasks = upload_and_split(store, clock, b"")
    assert tasks == [] and state.parts == 0
    assert manifest(store)["total_lines"] == 0


def test_a_replaced_upload_skips_the_old_parts(store, worker, clock):
    _, tasks = upload_and_split(store, clock, catalog(8))
    store.put(BUCKET, KEY, catalog(3), "application/x-ndjson")  # the platform uploads again
    assert worker.process(tasks[0]) is None
    assert store.get(BUCKET, PREFIX + "part-00001.jsonl") is None
    with pytest.raises(SourceChangedError):
        store.open(BUCKET, KEY, tasks[0].etag)


def test_keys_outside_incoming_are_ignored(store, clock):
    store.put(BUCKET, "results/shopee/x/part-00001.jsonl", b"{}", "x")
    assert ScanSplitter(store, MemoryPartQueue(), clock).split(BUCKET, "results/shopee/x") is None


# --- Big and hostile uploads --------------------------------------------------------------------


class CountingStore(MemoryObjectStore):
    """Counts the bytes each read hands out (compressed bytes of the upload, or a chunk)."""

    def __init__(self) -> None:
        super().__init__()
        self.read_bytes = 0

    def open(self, bucket, key, etag, start=0, end=None):
        stream = super().open(bucket, key, etag, start, end)
        self.read_bytes += len(stream.getbuffer())
        return stream

    def get(self, bucket, key):
        body = super().get(bucket, key)
        if body is not None and not key.startswith(PREFIX_ROOT):
            self.read_bytes += len(body)
        return body


PREFIX_ROOT = "results/"


def test_a_gzip_part_reads_only_its_own_lines_whatever_its_place(clock):
    """Each part of a gzip upload is a chunk the split wrote: the last part costs its worker
    what the first does, instead of decompressing everything before it."""
    store = CountingStore()
    content = catalog(400)
    service = VerdictService(KeywordClassifier(), FixedFacts(), clock, ListingLimits())
    worker = ScanWorker(store, service, ListingLimits(), clock)
    state, tasks = upload_and_split(store, clock, gzip.compress(content), 20, key=KEY + ".gz")
    assert state.parts == 20 and all(task.chunk_key for task in tasks)
    costs = []
    for task in tasks:
        store.read_bytes = 0
        worker.process(task)
        costs.append(store.read_bytes)
        assert store.read_bytes == task.byte_end - task.byte_start  # its chunk, nothing more
    assert max(costs) < 1.2 * min(costs)  # flat in the part's index
    # The parts are the same, byte for byte, as those of the same catalog uploaded plain.
    plain = MemoryObjectStore()
    _, plain_tasks = upload_and_split(plain, clock, content, 20)
    plain_worker = ScanWorker(plain, service, ListingLimits(), clock)
    for task in plain_tasks:
        plain_worker.process(task)
    for part in range(1, 21):
        gz_body = store.get(BUCKET, f"results/shopee/catalog.jsonl.gz/part-{part:05d}.jsonl")
        assert gz_body == plain.get(BUCKET, f"{PREFIX}part-{part:05d}.jsonl")


def test_a_part_of_a_replaced_gzip_upload_is_skipped_though_its_chunk_remains(
    store, worker, clock
):
    _, tasks = upload_and_split(store, clock, gzip.compress(catalog(8)), key=KEY + ".gz")
    store.put(BUCKET, KEY + ".gz", gzip.compress(catalog(3)), "application/gzip")
    assert worker.process(tasks[0]) is None


def split_with(limits: ScanLimits, content: bytes, lines_per_part: int = 4, key: str = KEY):
    store = MemoryObjectStore()
    store.put(BUCKET, key, content, "application/x-ndjson")
    queue = MemoryPartQueue()
    clock = ManualClock()
    state = ScanSplitter(store, queue, clock, lines_per_part, limits).split(BUCKET, key)
    results = "results/shopee/" + key.rsplit("/", 1)[1] + "/"
    body = store.get(BUCKET, results + "manifest.json")
    return state, queue, None if body is None else json.loads(body)


@pytest.mark.parametrize("compressed", [False, True])
def test_an_upload_over_a_cap_fails_with_a_manifest_naming_the_cap_and_where(compressed):
    content = catalog(50)
    pack = gzip.compress if compressed else (lambda body: body)
    # 50 lines in parts of 4 need 13 parts: the 6th starts at line 21.
    state, queue, manifest = split_with(ScanLimits(max_parts=5), pack(content))
    assert queue.sent == [] and state.failure is not None
    assert manifest["state"] == "FAILED" and manifest["parts"] == 0
    assert manifest["failure"] == {
        "cap": "max_parts",
        "setting": "SARING_SCAN_MAX_PARTS",
        "limit": 5,
        "line": 21,
        "byte_offset": sum(len(line) + 1 for line in content.split(b"\n")[:20]),
        "message": "the upload needs more than 5 parts",
    }
    _, _, manifest = split_with(ScanLimits(max_bytes=1000), pack(content))
    assert manifest["failure"]["setting"] == "SARING_SCAN_MAX_BYTES"
    assert manifest["failure"]["limit"] == 1000
    long_line = json.dumps({"id": "x", "title": "t" * 600}).encode()
    _, _, manifest = split_with(
        ScanLimits(max_line_bytes=500), pack(catalog(6) + long_line + b"\n" + catalog(2))
    )
    failure = manifest["failure"]
    assert (failure["setting"], failure["line"]) == ("SARING_SCAN_MAX_LINE_BYTES", 7)
    assert failure["byte_offset"] == len(catalog(6))


def test_a_gzip_bomb_of_one_endless_line_is_refused_in_little_memory():
    """300 MB of one line in a 0.3 MB gzip: the split stops at the line cap, holding about one
    read block, never the line (tracemalloc sees every bytes object Python makes)."""
    import tracemalloc
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    block = b"a" * (1 << 20)
    bomb = b"".join([packer.compress(b'{"id": "1", "title": "x"}\n')]
                    + [packer.compress(block) for _ in range(300)] + [packer.flush()])
    assert len(bomb) < 400_000
    tracemalloc.start()
    try:
        _, queue, manifest = split_with(ScanLimits(), bomb, key=KEY + ".gz")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert manifest["failure"]["setting"] == "SARING_SCAN_MAX_LINE_BYTES"
    assert manifest["failure"]["line"] == 2 and queue.sent == []
    assert peak < 12 * 1024**2, f"peak {peak / 1024**2:.1f} MiB"


def test_parts_are_cut_early_at_the_part_size_so_a_worker_holds_little():
    line = json.dumps({"id": "x", "title": "t" * 900}).encode() + b"\n"  # ~920 bytes
    content = line * 100
    state, queue, manifest = split_with(ScanLimits(max_part_bytes=10_000), content, 50)
    tasks = [ScanTask.from_json(body) for _, body in queue.sent]
    assert state.failure is None and state.total_lines == 100
    assert {task.line_count for task in tasks[:-1]} == {11}  # 11 lines pass 10,000 bytes
    assert all(task.byte_end - task.byte_start <= 10_000 + len(line) for task in tasks)
