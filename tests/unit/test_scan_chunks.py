"""Catalog scan, the pure part: planning parts, reading lines, writing records and manifests."""

import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from saring.domain.listings import Listing
from saring.domain.scan import (
    UNKNOWN_SELLER,
    PartRecords,
    PartSummary,
    ScanLimits,
    ScanState,
    ScanTask,
    build_manifest,
    cut_parts,
    error_line,
    is_gzip,
    parse_listing,
    parse_source_key,
    part_key,
    plan_parts,
    scan_id_for,
    split_lines,
    summarised_parts,
    summary_key,
    verdict_line,
)
from saring.domain.verdicts import Reason


def blocks_of(content: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(content), *(cut % (len(content) + 1) for cut in cuts)})
    return [content[a:b] for a, b in zip(points, points[1:], strict=False)]


lines_strategy = st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")), max_size=60)


@settings(max_examples=300, deadline=None)
@given(
    lines=lines_strategy,
    trailing_newline=st.booleans(),
    lines_per_part=st.integers(1, 9),
    cuts=st.lists(st.integers(0, 2_000), max_size=8),
)
def test_any_file_any_part_size_gives_each_line_once_in_order(
    lines, trailing_newline, lines_per_part, cuts
):
    # GIVEN any content, streamed in arbitrary blocks
    content = b"\n".join(lines) + (b"\n" if trailing_newline and lines else b"")
    # WHEN it is planned into parts
    parts = plan_parts(blocks_of(content, cuts), lines_per_part)
    # THEN the parts tile the content on line boundaries, and their lines are the file's lines
    expected = split_lines(content)
    assert sum(p.line_count for p in parts) == len(expected)
    assert [p.part for p in parts] == list(range(1, len(parts) + 1))
    position, line = 0, 1
    seen: list[bytes] = []
    for part in parts:
        assert (part.byte_start, part.first_line) == (position, line)
        assert 1 <= part.line_count <= lines_per_part
        chunk = content[part.byte_start : part.byte_end]
        assert len(split_lines(chunk)) == part.line_count
        seen.extend(split_lines(chunk))
        position, line = part.byte_end, line + part.line_count
    assert position == len(content)
    assert seen == expected
    assert all(p.line_count == lines_per_part for p in parts[:-1])


@settings(max_examples=300, deadline=None)
@given(
    lines=lines_strategy,
    trailing_newline=st.booleans(),
    lines_per_part=st.integers(1, 9),
    max_part_bytes=st.integers(1, 40),
    cuts=st.lists(st.integers(0, 2_000), max_size=8),
)
def test_kept_part_bytes_are_exactly_the_parts_content(
    lines, trailing_newline, lines_per_part, max_part_bytes, cuts
):
    content = b"\n".join(lines) + (b"\n" if trailing_newline and lines else b"")
    limits = ScanLimits(max_part_bytes=max_part_bytes)
    kept = list(cut_parts(blocks_of(content, cuts), lines_per_part, limits, keep_bytes=True))
    assert [part for part, _ in kept] == plan_parts([content], lines_per_part, limits)
    assert b"".join(body for _, body in kept) == content
    for part, body in kept:
        assert body == content[part.byte_start : part.byte_end]
        assert part.byte_end - part.byte_start < max_part_bytes + 13  # + at most one line


def test_a_trailing_newline_does_not_start_a_line_but_a_blank_line_is_one():
    assert [p.line_count for p in plan_parts([b"a\nb\n"], 5)] == [2]
    assert [p.line_count for p in plan_parts([b"a\n\nb"], 5)] == [3]
    assert plan_parts([b""], 5) == []
    assert split_lines(b"a\n\nb") == [b"a", b"", b"b"]


def test_parts_break_every_n_lines_across_blocks():
    parts = plan_parts([b"1\n2\n3", b"\n4\n5\n6\n7"], 3)
    assert [(p.first_line, p.line_count, p.byte_start, p.byte_end) for p in parts] == [
        (1, 3, 0, 6),
        (4, 3, 6, 12),
        (7, 1, 12, 13),
    ]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"", "blank line"),
        (b"   \r", "blank line"),
        (b"{not json", "invalid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"title": "kaos"}', "missing id"),
        (b'{"id": " ", "title": "kaos"}', "missing id"),
        (b'{"id": "a"}', "missing title"),
        (b'{"id": "a", "title": 3}', "title must be a string"),
        (b'{"id": true, "title": "x"}', "id must be a string"),
        (b'{"id": "a", "title": "x", "price": "murah"}', "price must be a number"),
        (b'{"id": "a", "title": "x", "description": 5}', "description must be a string"),
        (b'{"id": "a", "title": "x", "price": true}', "price must be a number"),
        (b'{"id": "a", "title": "x", "price": NaN}', "price must be a number"),
        # Valid JSON past Python's own limits must still be one line's problem, not the part's.
        (b'{"id": "a", "title": "x", "price": 1' + b"0" * 5000 + b"}", "number too long"),
        (b'{"id": "a", "title": "x", "n": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "too deep"),
    ],
)
def test_a_line_that_is_no_listing_says_why(raw, problem):
    result = parse_listing(raw)
    assert isinstance(result, str)
    assert problem in result


def test_a_line_becomes_a_listing_with_defaults():
    raw = b'{"id": 12, "title": "Kaos thrift", "price": 37800.4, "category": "a/b", "x": 1}\r'
    assert parse_listing(raw) == Listing(
        listing_id="12",
        seller_id=UNKNOWN_SELLER,
        title="Kaos thrift",
        price_idr=37800,
        category="a/b",
    )
    full = parse_listing(
        json.dumps(
            {"id": "a", "title": "t", "seller_id": "s", "description": "d", "url": "https://x"}
        ).encode()
    )
    assert full == Listing("a", "s", "t", description="d", url="https://x")


def test_a_price_too_large_for_a_float_is_still_parsed():
    huge = parse_listing(b'{"id": "a", "title": "x", "price": 1' + b"0" * 400 + b"}")
    assert isinstance(huge, Listing) and huge.price_idr == 10**400


json_ish = st.one_of(
    st.text(st.sampled_from(' \t\r{}[]":,01aeflnrstu\\\ufeff\xa0'), min_size=1, max_size=25),
    st.builds(
        lambda value, before, after: before + json.dumps(value) + after,
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
            max_leaves=6,
        ),
        st.sampled_from(["", " ", "\t ", "\ufeff", "x"]),
        st.sampled_from(["", " ", " x", "\ufeff", "}", ",1"]),
    ),
)


@settings(max_examples=1000, deadline=None)
@given(text=json_ish)
def test_lines_are_decoded_exactly_as_json_loads_does(text):
    from saring.domain.scan import _decode_json

    text = text.strip().lstrip("\ufeff")  # as parse_listing hands lines to the decoder
    assume(text)
    try:
        expected = ("value", json.loads(text))
    except json.JSONDecodeError as error:
        expected = ("error", error.msg, error.pos)
    try:
        got = ("value", _decode_json(text))
    except json.JSONDecodeError as error:
        got = ("error", error.msg, error.pos)
    assert got == expected


def test_records_are_compact_json_lines_in_a_fixed_field_order():
    records = PartRecords(first_line=1, line_count=3)
    records.add_error(1, "invalid JSON")
    records.add_verdict(0, "a", "REVIEW", 0.7123456789, [Reason("MODEL_SCORE", "score")], "m-1")
    records.add_error(2, "ü")
    assert records.body().decode() == (
        '{"id":"a","line":1,"decision":"REVIEW","score":0.712346,'
        '"reasons":[{"code":"MODEL_SCORE","message":"score"}],"model_version":"m-1"}\n'
        '{"line":2,"error":"line 2: invalid JSON"}\n'
        '{"line":3,"error":"line 3: ü"}\n'
    )
    assert (records.decisions, records.bad_lines, records.model_versions) == (
        {"ALLOW": 0, "REVIEW": 1, "TAKEDOWN": 0},
        2,
        ["m-1"],
    )


def dumped(record: dict) -> str:
    """How a record was written before the lines had a template: json.dumps, compact."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


# Any text, lone surrogates and control characters included.
any_text = st.text(st.characters(codec=None, categories=None), max_size=30)


@settings(max_examples=500, deadline=None)
@given(
    listing_id=any_text,
    line=st.integers(1, 10**12),
    decision=st.sampled_from(["ALLOW", "REVIEW", "TAKEDOWN"]),
    score=st.floats() | st.integers(-(10**20), 10**20),
    reasons=st.lists(st.tuples(any_text, any_text), max_size=4),
    model_version=any_text,
    problem=any_text,
)
def test_lines_are_exactly_what_json_dumps_writes(
    listing_id, line, decision, score, reasons, model_version, problem
):
    assert verdict_line(
        listing_id, line, decision, score, [Reason(*reason) for reason in reasons], model_version
    ) == dumped(
        {
            "id": listing_id,
            "line": line,
            "decision": decision,
            "score": round(score, 6),
            "reasons": [{"code": code, "message": message} for code, message in reasons],
            "model_version": model_version,
        }
    )
    assert error_line(line, problem) == dumped({"line": line, "error": f"line {line}: {problem}"})


def test_a_score_that_is_a_float_subclass_is_written_as_a_float():
    class Probability(float):
        def __repr__(self) -> str:
            return f"Probability({float(self)})"

    assert '"score":0.25,' in verdict_line("a", 1, "ALLOW", Probability(0.25), [], "m")


def test_a_part_with_text_utf8_cannot_hold_fails_instead_of_altering_it():
    records = PartRecords(first_line=1, line_count=1)
    records.add_verdict(0, "a\ud800", "ALLOW", 0.1, [], "m-1")
    with pytest.raises(UnicodeEncodeError):
        records.body()


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("incoming/shopee/2026-03/catalog.jsonl.gz", ("shopee", "2026-03/catalog.jsonl.gz")),
        ("incoming/shopee/a.jsonl", ("shopee", "a.jsonl")),
        ("incoming/shopee/", None),
        ("incoming/shopee/dir/", None),
        ("incoming/Shopee/a", None),
        ("incoming/shopee/../x", None),
        ("results/shopee/a", None),
    ],
)
def test_uploads_are_read_from_their_key(key, expected):
    source = parse_source_key(key)
    assert (source and (source.platform, source.name)) == expected


def test_result_names_and_scan_ids():
    prefix = "results/shopee/a.jsonl/"
    assert part_key(prefix, 7) == "results/shopee/a.jsonl/part-00007.jsonl"
    keys = [
        part_key(prefix, 1),
        summary_key(prefix, 1),
        summary_key(prefix, 12),
        prefix + "scan.json",
    ]
    assert summarised_parts(keys, prefix) == {1, 12}
    assert (
        scan_id_for("b", "k", '"e1"') == scan_id_for("b", "k", "e1") != scan_id_for("b", "k", "e2")
    )
    assert (
        is_gzip("a.jsonl.gz", b"{") and is_gzip("a.jsonl", b"\x1f\x8b") and not is_gzip("a", b"{")
    )


def test_a_task_survives_its_message():
    task = ScanTask("s", "b", "incoming/p/n", '"e"', "p", "n", False, 2, 3, 5001, 10, 100, 200)
    assert ScanTask.from_json(task.to_json()) == task
    assert task.results_prefix == "results/p/n/"


def state(parts: int) -> ScanState:
    return ScanState(
        "scan-1",
        "b",
        "incoming/p/n",
        '"e"',
        100,
        False,
        "p",
        "n",
        parts,
        7,
        5,
        "2026-03-01T09:00:00+00:00",
    )


def summary(part: int, finished: str, **extra) -> PartSummary:
    fields = dict(
        scan_id="scan-1",
        part=part,
        first_line=1 + 5 * (part - 1),
        line_count=5 if part == 1 else 2,
        verdicts=4 if part == 1 else 2,
        bad_lines=1 if part == 1 else 0,
        decisions={"ALLOW": 3, "REVIEW": 1, "TAKEDOWN": 0}
        if part == 1
        else {"ALLOW": 0, "REVIEW": 0, "TAKEDOWN": 2},
        model_versions=["m-1"],
        started_at="2026-03-01T09:00:01+00:00",
        finished_at=finished,
    )
    fields.update(extra)
    return PartSummary(**fields)


def test_the_manifest_adds_up_the_parts_whatever_their_order():
    summaries = [summary(2, "2026-03-01T09:00:04+00:00"), summary(1, "2026-03-01T09:00:03+00:00")]
    manifest = build_manifest(state(2), summaries)
    assert manifest == build_manifest(state(2), summaries[::-1])
    assert manifest["total_lines"] == 7 and manifest["listings"] == 6 and manifest["bad_lines"] == 1
    assert manifest["decisions"] == {"ALLOW": 3, "REVIEW": 1, "TAKEDOWN": 2}
    assert manifest["model_version"] == "m-1"
    assert manifest["timings"] == {
        "started_at": "2026-03-01T09:00:00+00:00",
        "finished_at": "2026-03-01T09:00:04+00:00",
        "seconds": 4.0,
        "listings_per_second": 1.8,
    }


def test_a_manifest_needs_every_part_of_this_scan():
    with pytest.raises(ValueError, match="one summary per part"):
        build_manifest(state(2), [summary(1, "2026-03-01T09:00:03+00:00")])
    with pytest.raises(ValueError, match="another scan"):
        build_manifest(state(1), [summary(1, "2026-03-01T09:00:03+00:00", scan_id="old")])
    empty = build_manifest(state(0), [])
    assert (empty["parts"], empty["total_lines"], empty["model_version"]) == (0, 0, None)
