"""Catalog scan, the pure part: where files and results live, how a file is cut into parts, how
a line becomes a listing, and how verdicts and summaries are written down.

Lines are separated by b"\\n" (a trailing b"\\r" is ignored); a final line without a newline
counts; a trailing newline does not start another line. Lines are numbered from 1. Every input
line yields exactly one output line, in order: a verdict, or an error naming the line.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from saring.domain.errors import ConflictError
from saring.domain.listings import Listing
from saring.domain.verdicts import Reason

LINES_PER_PART = 5_000
# The API takes 100 listings a call; the scan is internal and scores 1,000 at a time, where the
# model's batch throughput is (fewer runs, and one ledger read for many listings).
VERDICTS_PER_CALL = 1_000
INCOMING_PREFIX = "incoming/"
RESULTS_PREFIX = "results/"
# A gzip upload cannot be read from the middle: the split writes each part's decompressed lines
# here, so a worker reads its own part and nothing before it.
CHUNKS_PREFIX = "chunks/"

# The seller id given to a listing whose line names none. The ledger holds no strikes for it,
# so it reads as a GOOD seller; "~" keeps it apart from the ids marketplaces issue.
UNKNOWN_SELLER = "~unknown"

DECISIONS = ("ALLOW", "REVIEW", "TAKEDOWN")
_PLATFORM = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_GZIP_MAGIC = b"\x1f\x8b"


class SourceChangedError(ConflictError):
    """The uploaded file changed (or went away) since its scan was planned."""


# --- Where things live -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceKey:
    platform: str
    name: str

    @property
    def results_prefix(self) -> str:
        return f"{RESULTS_PREFIX}{self.platform}/{self.name}/"


def parse_source_key(key: str) -> SourceKey | None:
    """`incoming/<platform>/<name>` -> (platform, name); None for anything else (folders too)."""
    if not key.startswith(INCOMING_PREFIX) or key.endswith("/"):
        return None
    platform, _, name = key[len(INCOMING_PREFIX) :].partition("/")
    if not _PLATFORM.fullmatch(platform) or not name or "//" in name or ".." in name.split("/"):
        return None
    return SourceKey(platform, name)


def chunk_key(source: SourceKey, scan_id: str, part: int) -> str:
    """Where the split leaves one part's decompressed lines of a gzip upload. The scan id
    (from the upload's ETag) keeps a newer upload of the same key from meeting these."""
    return f"{CHUNKS_PREFIX}{source.platform}/{source.name}/{scan_id}/part-{part:05d}.jsonl"


def part_key(prefix: str, part: int) -> str:
    return f"{prefix}part-{part:05d}.jsonl"


def summary_key(prefix: str, part: int) -> str:
    return f"{prefix}part-{part:05d}.summary.json"


def state_key(prefix: str) -> str:
    return f"{prefix}scan.json"


def manifest_key(prefix: str) -> str:
    return f"{prefix}manifest.json"


_SUMMARY_NAME = re.compile(r"part-(\d{5})\.summary\.json")


def summarised_parts(keys: Iterable[str], prefix: str) -> set[int]:
    """The part numbers that have a summary among these keys."""
    found = set()
    for key in keys:
        match = _SUMMARY_NAME.fullmatch(key[len(prefix) :]) if key.startswith(prefix) else None
        if match:
            found.add(int(match.group(1)))
    return found


def scan_id_for(bucket: str, key: str, etag: str) -> str:
    """The same upload always gets the same scan id; a new upload of the same key another."""
    digest = hashlib.sha256(f"{bucket}\n{key}\n{etag.strip(chr(34))}".encode()).hexdigest()
    return digest[:20]


def is_gzip(key: str, first_bytes: bytes) -> bool:
    return key.endswith(".gz") or first_bytes[:2] == _GZIP_MAGIC


# --- Cutting a file into parts -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartRange:
    """Lines [first_line, first_line + line_count) at bytes [byte_start, byte_end) of the
    (decompressed) content; both ends sit on line boundaries."""

    part: int
    first_line: int
    line_count: int
    byte_start: int
    byte_end: int


@dataclass(frozen=True, slots=True)
class ScanLimits:
    """What one upload may ask of the scan. A split that reaches a cap stops reading, queues
    nothing and writes a FAILED manifest naming the cap and where it was reached.

    `max_part_bytes` is no cap: a part is cut early at that size, so whatever its lines, a
    worker holds at most that much (plus one line) of one part."""

    max_bytes: int = 4 * 1024**3  # content after decompression: a gzip bomb stops here
    max_parts: int = 10_000
    max_line_bytes: int = 256 * 1024  # a listing of 10,000 characters, \u-escaped, is ~60 KB
    max_part_bytes: int = 16 * 1024**2

    # The setting that sets each cap: the manifest names the one reached.
    SETTINGS = {
        "max_bytes": "SARING_SCAN_MAX_BYTES",
        "max_parts": "SARING_SCAN_MAX_PARTS",
        "max_line_bytes": "SARING_SCAN_MAX_LINE_BYTES",
    }


class ScanCapExceeded(Exception):
    """An upload reached one of the ScanLimits caps at `line` (1-based), `byte_offset` (of the
    decompressed content)."""

    def __init__(self, cap: str, limit: int, line: int, byte_offset: int, message: str) -> None:
        super().__init__(message)
        self.cap, self.limit, self.line, self.byte_offset = cap, limit, line, byte_offset
        self.message = message

    def to_dict(self) -> dict[str, Any]:
        return {
            "cap": self.cap,
            "setting": ScanLimits.SETTINGS[self.cap],
            "limit": self.limit,
            "line": self.line,
            "byte_offset": self.byte_offset,
            "message": self.message,
        }


def cut_parts(
    blocks: Iterable[bytes],
    lines_per_part: int = LINES_PER_PART,
    limits: ScanLimits = ScanLimits(),  # noqa: B008 - frozen, shared safely
    *,
    keep_bytes: bool = False,
) -> Iterator[tuple[PartRange, bytes | None]]:
    """Cuts streamed content into parts of `lines_per_part` lines (fewer when a part reaches
    `limits.max_part_bytes`; the last may be shorter), yielding each part as soon as it is
    complete, with its bytes when `keep_bytes` (for content a worker cannot seek into, such as
    gzip). Holds at most one block plus, with `keep_bytes`, the current part; never a whole
    line over `limits.max_line_bytes`: the cap is raised as soon as a line passes it."""
    if lines_per_part < 1:
        raise ValueError("lines_per_part must be at least 1")
    parts = 0
    offset = 0  # bytes before the current block
    part_start = 0
    line_start = 0  # offset of the current line's first byte
    first_line = 1
    newlines = 0  # newlines seen in the current part
    held: list[bytes] = []  # the current part's bytes from earlier blocks (keep_bytes)

    def part_range(end: int, line_count: int) -> PartRange:
        nonlocal parts
        parts += 1
        if parts > limits.max_parts:
            raise ScanCapExceeded(
                "max_parts",
                limits.max_parts,
                first_line,
                part_start,
                f"the upload needs more than {limits.max_parts:,} parts",
            )
        return PartRange(parts, first_line, line_count, part_start, end)

    def line_too_long(line: int) -> ScanCapExceeded:
        return ScanCapExceeded(
            "max_line_bytes",
            limits.max_line_bytes,
            line,
            line_start,
            f"line {line} is longer than {limits.max_line_bytes:,} bytes",
        )

    for block in blocks:
        if not block:
            continue
        if offset + len(block) > limits.max_bytes:
            raise ScanCapExceeded(
                "max_bytes",
                limits.max_bytes,
                first_line + newlines,
                limits.max_bytes,
                f"the upload is larger than {limits.max_bytes:,} bytes (decompressed)",
            )
        position = 0  # where the current part starts in this block, for keep_bytes
        search = 0
        while (newline := block.find(b"\n", search)) >= 0:
            line_end = offset + newline + 1
            if line_end - 1 - line_start > limits.max_line_bytes:
                raise line_too_long(first_line + newlines)
            newlines += 1
            line_start = line_end
            search = newline + 1
            if newlines == lines_per_part or line_end - part_start >= limits.max_part_bytes:
                body = None
                if keep_bytes:
                    body = b"".join([*held, block[position:search]])
                    held, position = [], search
                yield part_range(line_end, newlines), body
                first_line += newlines
                part_start, newlines = line_end, 0
        if offset + len(block) - line_start > limits.max_line_bytes:
            raise line_too_long(first_line + newlines)
        if keep_bytes and position < len(block):
            held.append(block[position:] if position else block)
        offset += len(block)
    tail = newlines + (1 if offset > line_start else 0)
    if tail:
        yield part_range(offset, tail), (b"".join(held) if keep_bytes else None)


def plan_parts(
    blocks: Iterable[bytes],
    lines_per_part: int = LINES_PER_PART,
    limits: ScanLimits = ScanLimits(),  # noqa: B008 - frozen, shared safely
) -> list[PartRange]:
    """The parts of streamed content (see cut_parts), without their bytes."""
    return [part for part, _ in cut_parts(blocks, lines_per_part, limits)]


def split_lines(data: bytes) -> list[bytes]:
    """The lines of a part, without their newlines."""
    if not data:
        return []
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    return lines


# --- One line -> one listing, or the reason it is none -----------------------------------------


_JSON = json.JSONDecoder()
_JSON_WHITESPACE = " \t\n\r"


def _decode_json(text: str) -> Any:
    """json.loads(text) for a line stripped of surrounding whitespace, which it is per line:
    one JSON value from start to end is decoded without decode()'s whitespace scans around it;
    anything else goes through decode(), which skips whitespace or names the problem."""
    if text[0] in _JSON_WHITESPACE:  # whitespace after a byte order mark
        return _JSON.decode(text)
    value, end = _JSON.raw_decode(text)
    return value if end == len(text) else _JSON.decode(text)


def _text(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"{name} must be a string")


# A tuple, not `str | int`: a union written in a function is a new object at every call.
_IDENTIFIER_TYPES = (str, int)


def _identifier(value: Any, name: str) -> str | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, bool) or not isinstance(value, _IDENTIFIER_TYPES):
        raise ValueError(f"{name} must be a string")
    return str(value)


def _price(value: Any) -> int | None:
    if value is None or type(value) is int:
        return value  # any size: an int too large for a float is still a price
    if type(value) is not float or not math.isfinite(value):  # JSON's true and false included
        raise ValueError("price must be a number")
    return round(value)  # round() of a float is an int


# A listing's fields in a JSON-lines file (`saring classify`, `saring scan`, S3 uploads), under
# either the files' names or the names GraphQL's ListingInput gives them: a line copied from a
# `verdicts` call reads the same. The first spelling is the one the output uses.
LISTING_FIELD_SPELLINGS: dict[str, tuple[str, ...]] = {
    "id": ("id", "listingId"),
    "seller_id": ("seller_id", "sellerId"),
    "price": ("price", "priceIdr", "price_idr"),
}


def listing_field(record: dict[str, Any], name: str) -> Any:
    """The value of field `name` under any of its spellings; ValueError when two spellings are
    given with different values (which one the seller meant cannot be known)."""
    present = [spelling for spelling in LISTING_FIELD_SPELLINGS.get(name, (name,)) if spelling in record]
    if not present:
        return None
    value = record[present[0]]
    for other in present[1:]:
        if record[other] != value:
            raise ValueError(f"{present[0]} and {other} differ: give one of them")
    return value


def parse_listing(raw: bytes) -> Listing | str:
    """A listing from one JSON line, or the problem with the line (a short sentence)."""
    try:
        text = raw.decode("utf-8").strip().lstrip("\ufeff")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    if not text:
        return "blank line"
    try:
        record = _decode_json(text)
    except json.JSONDecodeError as error:
        return f"invalid JSON ({error.msg} at column {error.colno})"
    except (ValueError, RecursionError):
        # Valid JSON past Python's own limits: an integer of over 4,300 digits, deep nesting.
        return "invalid JSON (a number too long or nesting too deep to read)"
    if not isinstance(record, dict):
        return "not a JSON object"
    def field(name: str) -> Any:
        return listing_field(record, name)

    try:
        listing_id = _identifier(field("id"), "id")
        title = field("title")
        if listing_id is None or not listing_id.strip():
            return "missing id"
        if title is None:
            return "missing title"
        if not isinstance(title, str):
            return "title must be a string"
        # In the order the fields are checked, so a line's problem is its first field's.
        return Listing(
            listing_id,
            _identifier(field("seller_id"), "seller_id") or UNKNOWN_SELLER,
            title,
            _text(field("description"), "description"),
            _price(field("price")),
            _text(field("category"), "category"),
            _text(field("url"), "url"),
        )
    except ValueError as error:
        return str(error)


# --- Writing results ---------------------------------------------------------------------------

# A part holds one output line per input line: compact JSON objects with a fixed field order,
# exactly as json.dumps(record, ensure_ascii=False, separators=(",", ":")) writes them. A scan
# writes one per listing, so they are filled into a fixed template rather than built as dicts
# and dumped; only the strings go through the encoder, whose output for a str is exactly what
# json.dumps gives.
_json_string = json.JSONEncoder(ensure_ascii=False).encode


def _json_number(value: float) -> str:
    """A number as json.dumps writes it: float.__repr__ for a finite float (a subclass's own
    repr would differ), NaN or Infinity otherwise, int.__repr__ for an int."""
    if type(value) is float and math.isfinite(value):
        return float.__repr__(value)
    return json.dumps(value)


def verdict_line(
    listing_id: str,
    line: int,
    decision: str,
    score: float,
    reasons: Sequence[Reason],
    model_version: str,
) -> str:
    """{"id", "line", "decision", "score" (6 decimals), "reasons": [{"code", "message"}],
    "model_version"}, as one line of JSON with its newline."""
    reasons_json = (
        ",".join(
            f'{{"code":{_json_string(reason.code)},"message":{_json_string(reason.message)}}}'
            for reason in reasons
        )
        if reasons
        else ""
    )
    return (
        f'{{"id":{_json_string(listing_id)},"line":{line},'
        f'"decision":{_json_string(decision)},"score":{_json_number(round(score, 6))},'
        f'"reasons":[{reasons_json}],"model_version":{_json_string(model_version)}}}\n'
    )


def error_line(line: int, problem: str) -> str:
    """{"line", "error": "line <n>: <problem>"}, as one line of JSON with its newline."""
    return f'{{"line":{line},"error":{_json_string(f"line {line}: {problem}")}}}\n'


class PartRecords:
    """A part's output as it is written, filled in any order (errors as lines are read, verdicts
    batch by batch), and the counts its summary needs, kept as the lines are added."""

    def __init__(self, first_line: int, line_count: int) -> None:
        self.first_line = first_line
        self._lines = [""] * line_count
        self.decisions = dict.fromkeys(DECISIONS, 0)
        self.bad_lines = 0
        self._model_versions: set[str] = set()

    @property
    def model_versions(self) -> list[str]:
        return sorted(self._model_versions)

    def add_error(self, index: int, problem: str) -> None:
        """Line `first_line + index` is no listing, for this reason."""
        self._lines[index] = error_line(self.first_line + index, problem)
        self.bad_lines += 1

    def add_verdict(
        self,
        index: int,
        listing_id: str,
        decision: str,
        score: float,
        reasons: Sequence[Reason],
        model_version: str,
    ) -> None:
        self._lines[index] = verdict_line(
            listing_id, self.first_line + index, decision, score, reasons, model_version
        )
        self.decisions[decision] += 1  # a KeyError for a decision no summary can count
        self._model_versions.add(model_version)

    def body(self) -> bytes:
        """The part file: every line, in order (strict UTF-8: text that cannot be written fails
        the part rather than being altered)."""
        return "".join(self._lines).encode()


def dump_json(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


# --- The message for one part, the scan's state, per-part summaries and the manifest -----------


@dataclass(frozen=True, slots=True)
class ScanTask:
    """One SQS message: which lines of which upload one worker classifies."""

    scan_id: str
    bucket: str
    key: str
    etag: str
    platform: str
    name: str
    gzip: bool
    part: int
    parts: int
    first_line: int
    line_count: int
    byte_start: int
    byte_end: int
    # The part's own object when the upload cannot be read from the middle (gzip): the lines
    # are the whole of it, byte_start and byte_end are offsets in the decompressed content.
    chunk_key: str | None = None

    @property
    def results_prefix(self) -> str:
        return SourceKey(self.platform, self.name).results_prefix

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, body: str) -> ScanTask:
        return cls(**json.loads(body))


@dataclass(frozen=True, slots=True)
class ScanState:
    """What the split knows before any part is classified; written first, as scan.json."""

    scan_id: str
    bucket: str
    key: str
    etag: str
    size: int
    gzip: bool
    platform: str
    name: str
    parts: int
    total_lines: int
    lines_per_part: int
    started_at: str
    failure: dict[str, Any] | None = None  # the cap the upload reached (ScanCapExceeded)

    def to_dict(self) -> dict[str, Any]:
        return {"state": "FAILED" if self.failure else "IN_PROGRESS", **asdict(self)}

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> ScanState:
        return cls(**{name: document[name] for name in cls.__dataclass_fields__ if name in document})


@dataclass(frozen=True, slots=True)
class PartSummary:
    scan_id: str
    part: int
    first_line: int
    line_count: int
    verdicts: int
    bad_lines: int
    decisions: dict[str, int]
    model_versions: list[str]
    started_at: str
    finished_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> PartSummary:
        return cls(**{name: document[name] for name in cls.__dataclass_fields__})


def build_manifest(state: ScanState, summaries: Sequence[PartSummary]) -> dict[str, Any]:
    """The manifest of a finished scan. Its content depends only on the scan's state and the
    parts' summaries, so every worker that writes it writes the same document."""
    ordered = sorted(summaries, key=lambda summary: summary.part)
    if [summary.part for summary in ordered] != list(range(1, state.parts + 1)):
        raise ValueError("a manifest needs exactly one summary per part")
    if any(summary.scan_id != state.scan_id for summary in ordered):
        raise ValueError("a summary belongs to another scan")
    decisions = dict.fromkeys(DECISIONS, 0)
    versions: set[str] = set()
    for summary in ordered:
        for decision, count in summary.decisions.items():
            decisions[decision] = decisions.get(decision, 0) + count
        versions.update(summary.model_versions)
    lines = sum(summary.line_count for summary in ordered)
    finished = max((summary.finished_at for summary in ordered), default=state.started_at)
    seconds = _seconds_between(state.started_at, finished)
    return {
        "state": "COMPLETE",
        "scan_id": state.scan_id,
        "source": {
            "bucket": state.bucket,
            "key": state.key,
            "etag": state.etag,
            "size": state.size,
            "gzip": state.gzip,
        },
        "platform": state.platform,
        "name": state.name,
        "parts": state.parts,
        "lines_per_part": state.lines_per_part,
        "total_lines": lines,
        "listings": sum(summary.verdicts for summary in ordered),
        "bad_lines": sum(summary.bad_lines for summary in ordered),
        "decisions": decisions,
        "model_version": next(iter(versions)) if len(versions) == 1 else None,
        "model_versions": sorted(versions),
        "timings": {
            "started_at": state.started_at,
            "finished_at": finished,
            "seconds": round(seconds, 3),
            "listings_per_second": round(lines / seconds, 1) if seconds > 0 else None,
        },
    }


def build_failed_manifest(state: ScanState, finished_at: str) -> dict[str, Any]:
    """The manifest of a scan refused at the split: which cap, where; no part was queued."""
    if state.failure is None:
        raise ValueError("the scan did not fail")
    return {
        "state": "FAILED",
        "scan_id": state.scan_id,
        "source": {
            "bucket": state.bucket,
            "key": state.key,
            "etag": state.etag,
            "size": state.size,
            "gzip": state.gzip,
        },
        "platform": state.platform,
        "name": state.name,
        "failure": state.failure,
        "parts": 0,
        "timings": {"started_at": state.started_at, "finished_at": finished_at},
    }


def _seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
