"""`saring labels export` as an operator runs it: a separate process pointed at a running
`saring serve` by AWS_ENDPOINT_URL and SARING_TABLE, exactly as for `saring keys`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from tests.conftest import REPO_ROOT

REPORT = """mutation($i: ReviewOutcomeInput!) { reportReviewOutcome(input: $i) { id } }"""


def test_outcomes_reported_over_http_are_exported_by_the_cli(local_stack, tmp_path):
    listing = {"listingId": "cli-1", "sellerId": "s-cli", "title": "bal thrift korea isi 100 pcs"}
    response = local_stack.post(
        REPORT,
        local_stack.keys["tokopedia"],
        {"i": {"listing": listing, "outcome": "VIOLATION", "idempotencyKey": "cli-export-1"}},
    )
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    log = (local_stack.keys_file.parent.parent / "serve.log").read_text()
    endpoint = re.search(r"Local DynamoDB \(moto\): (\S+), table (\S+)", log)
    assert endpoint, log
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint[1],
        "SARING_TABLE": endpoint[2],
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "ap-southeast-3",
    }
    env.pop("SARING_LABEL_TABLE", None)
    out = tmp_path / "labels.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "saring.cli", "labels", "export", "--out", str(out),
         "--platform", "tokopedia"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    mine = [row for row in rows if row["listingId"] == "cli-1"]
    assert len(mine) == 1
    assert mine[0]["label"] == 1 and mine[0]["platform"] == "tokopedia"
    assert mine[0]["title"] == listing["title"] and mine[0]["source"] == "REVIEW"
