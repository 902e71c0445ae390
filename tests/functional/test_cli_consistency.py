"""The CLI as a newcomer types it: `classify FILE` like `scan FILE`, GraphQL's field names
accepted in files, and errors as one plain line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from saring.domain.scan import parse_listing
from tests.conftest import REPO_ROOT

CATALOG = REPO_ROOT / "examples" / "catalog.jsonl"


def saring(*args: str, stdin: str | None = None, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "saring.cli", *args], cwd=REPO_ROOT, input=stdin,
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def test_classify_takes_the_file_as_an_argument_as_input_and_on_stdin():
    positional = saring("classify", str(CATALOG))
    flag = saring("classify", "--input", str(CATALOG))
    piped = saring("classify", stdin=CATALOG.read_text())
    assert positional.returncode == flag.returncode == piped.returncode == 0, positional.stderr
    assert positional.stdout == flag.stdout == piped.stdout
    rows = [json.loads(line) for line in positional.stdout.splitlines()]
    assert len(rows) == len(CATALOG.read_text().splitlines())
    assert {row["decision"] for row in rows} >= {"ALLOW", "TAKEDOWN"}


def test_classify_of_a_missing_file_is_one_line():
    result = saring("classify", "no/such/catalog.jsonl")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["saring: no such file: no/such/catalog.jsonl"]


GRAPHQL_SPELLING = {"listingId": "g-1", "sellerId": "toko-b", "title": "THR1FT bal Korea jaket",
                    "priceIdr": 35000}
FILE_SPELLING = {"id": "g-1", "seller_id": "toko-b", "title": "THR1FT bal Korea jaket",
                 "price": 35000}


def test_classify_reads_graphql_field_names_as_its_own():
    result = saring("classify", stdin=json.dumps(GRAPHQL_SPELLING) + "\n" + json.dumps(FILE_SPELLING) + "\n")
    assert result.returncode == 0, result.stdout
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first == second and first["id"] == "g-1"


def test_scan_reads_graphql_field_names_as_its_own():
    graphql = parse_listing(json.dumps(GRAPHQL_SPELLING).encode())
    files = parse_listing(json.dumps(FILE_SPELLING).encode())
    assert graphql == files
    assert graphql.listing_id == "g-1" and graphql.seller_id == "toko-b"
    assert graphql.price_idr == 35000


@pytest.mark.parametrize("line", [
    {"id": "a", "listingId": "b", "title": "kaos"},
    {"id": "a", "title": "kaos", "price": 1000, "priceIdr": 2000},
])
def test_two_spellings_with_different_values_are_refused(line):
    assert "differ" in parse_listing(json.dumps(line).encode())
    result = saring("classify", stdin=json.dumps(line) + "\n")
    assert result.returncode == 2
    assert "differ" in json.loads(result.stdout)["error"]


def test_the_same_value_under_both_spellings_is_fine():
    listing = parse_listing(json.dumps({"id": "a", "listingId": "a", "title": "kaos"}).encode())
    assert listing.listing_id == "a"


def test_keys_against_no_running_stack_is_one_plain_line():
    env = {**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "local",
           "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "ap-southeast-3",
           "AWS_MAX_ATTEMPTS": "1", "SARING_TABLE": "saring-local"}
    result = saring("keys", "list", env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("saring: cannot reach http://127.0.0.1:9"), result.stderr
