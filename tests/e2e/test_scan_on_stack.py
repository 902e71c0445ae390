"""`saring scan` against the running local stack: with the same settings as `saring keys`
(AWS_ENDPOINT_URL, SARING_TABLE), its verdicts read that stack's takedown orders and ledger."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from tests.conftest import REPO_ROOT

CATALOG = REPO_ROOT / "examples" / "catalog.jsonl"
ISSUE = """mutation($i: IssueTakedownInput!) { issueTakedown(input: $i) { id } }"""


def stack_env(local_stack) -> dict[str, str]:
    return {
        **os.environ,
        "AWS_ENDPOINT_URL": local_stack.aws_endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "ap-southeast-3",
        "SARING_TABLE": "saring-local",
    }


def scan(out, env) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "saring.cli", "scan", str(CATALOG), "--out", str(out),
         "--platform", "tokopedia", "--clear"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return [json.loads(line) for line in (out / "part-00001.jsonl").read_text().splitlines()]


def test_a_scan_on_the_running_stack_sees_its_takedown_orders(local_stack, tmp_path):
    # ex-001 is a plain batik shirt: the model allows it. An order of the stack names it.
    fresh = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    before = {row["id"]: row for row in scan(tmp_path / "fresh", fresh)}
    assert before["ex-001"]["decision"] == "ALLOW"

    issued = local_stack.post(
        ISSUE,
        local_stack.keys["kemendag"],
        {"i": {"reference": "KEMENDAG/EXAMPLE/2026/0001", "legalBasis": "Permendag 40/2022",
               "reason": "pakaian bekas impor", "urgency": "STANDARD",
               "targets": [{"platform": "tokopedia", "kind": "LISTING", "value": "ex-001",
                            "sellerId": "toko-batik-sari"}]}},
    ).json()
    assert "errors" not in issued, issued

    on_stack = {row["id"]: row for row in scan(tmp_path / "stack", stack_env(local_stack))}
    assert on_stack["ex-001"]["decision"] == "TAKEDOWN"
    assert "ACTIVE_ORDER" in {reason["code"] for reason in on_stack["ex-001"]["reasons"]}
    # The rest of the catalog is scored as before.
    assert {k: v["decision"] for k, v in on_stack.items() if k != "ex-001"} == {
        k: v["decision"] for k, v in before.items() if k != "ex-001"
    }
    # A second scan on the same stack reuses its bucket and leaves no queue behind.
    scan(tmp_path / "again", stack_env(local_stack))
    shutil.rmtree(tmp_path / "again")
    import boto3

    sqs = boto3.client(
        "sqs", endpoint_url=local_stack.aws_endpoint, region_name="ap-southeast-3",
        aws_access_key_id="local", aws_secret_access_key="local",
    )  # fmt: skip
    assert not [url for url in sqs.list_queues().get("QueueUrls", []) if "saring-scan" in url]
