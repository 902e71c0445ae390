"""The README's and docs/'s shell blocks, run verbatim and in order against `saring serve`, as a
newcomer pastes them into one terminal (only the ports and where the demo keys file lies
differ); then the documented GraphQL operations, over HTTP, on the same stack.

Every ```sh block of README.md and docs/*.md either runs here or says, in a comment on the line
before it, why not (`<!-- not run by the docs test: REASON -->`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import httpx
import pytest

from tests.conftest import REPO_ROOT
from tests.graphql_operations import documented_operations, documented_order, resolve

# Read in this order, in one shell: first-hour.md sets the keys the others use.
WALKTHROUGH = [
    "README.md", "docs/first-hour.md", "docs/api.md", "docs/scan.md", "docs/learning-loop.md",
    "docs/transparency.md",
]
BLOCK = re.compile(r"(?P<before>[^\n]*)\n```sh\n(?P<body>.*?)```", re.DOTALL)
NOT_RUN = re.compile(r"<!-- not run by the docs test: (?P<reason>\S.*\S) -->")


def documents() -> list[str]:
    return ["README.md", *sorted(f"docs/{p.name}" for p in (REPO_ROOT / "docs").glob("*.md"))]


def blocks(document: str) -> list[tuple[str, str | None]]:
    """(body, reason it is not run or None) for each sh block, in order."""
    text = (REPO_ROOT / document).read_text()
    found = []
    for block in BLOCK.finditer("\n" + text):
        reason = NOT_RUN.fullmatch(block["before"].strip())
        found.append((block["body"], reason["reason"] if reason else None))
    return found


def runnable(document: str) -> list[str]:
    return [body for body, reason in blocks(document) if reason is None]


def test_every_shell_block_runs_or_says_why_not():
    walked = set(WALKTHROUGH)
    for document in documents():
        for body, reason in blocks(document):
            if reason is None:
                assert document in walked, f"{document} has a block the docs test never runs:\n{body}"
    assert runnable("docs/first-hour.md") and runnable("docs/api.md") and runnable("docs/scan.md")
    # The README's two commands are run too: make run by test_first_hour.py, make test is this.
    (readme_block,) = blocks("README.md")
    assert "make run" in readme_block[0] and "make test" in readme_block[0]


def _workspace(tmp_path, local_stack):
    """A folder laid out as the repository is, for commands that write (.local/, results):
    the venv, the examples and the demo keys file of the stack under test."""
    workspace = tmp_path / "repo"
    (workspace / ".local").mkdir(parents=True)
    for name in (".venv", "examples", "models", "graphql"):
        (workspace / name).symlink_to(REPO_ROOT / name)
    (workspace / ".local" / "demo-keys.json").symlink_to(local_stack.keys_file)
    return workspace


def _localised(script: str, local_stack) -> str:
    moto_port = local_stack.aws_endpoint.rsplit(":", 1)[1]
    return script.replace("127.0.0.1:8000", f"127.0.0.1:{local_stack.port}").replace(
        "127.0.0.1:8001", f"127.0.0.1:{moto_port}"
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_walkthrough_runs_verbatim_in_order(local_stack, tmp_path):
    script = "\n".join(
        [
            "set -euo pipefail",
            # Each curl answer on a line of its own, so the test can read them one by one.
            'curl() { command curl "$@"; echo; }',
            *(body for document in WALKTHROUGH for body in runnable(document)),
        ]
    )
    # A newcomer's terminal: no AWS or Saring settings but those the docs export.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SARING_"))}
    result = subprocess.run(
        ["bash", "-c", _localised(script, local_stack)],
        cwd=_workspace(tmp_path, local_stack),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Traceback" not in result.stderr, result.stderr[-4000:]
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    graphql = [answer for answer in answers if "data" in answer or "errors" in answer]
    assert len(graphql) >= 10
    for answer in graphql:
        assert "errors" not in answer, answer
    flagged = next(a for a in graphql if "verdicts" in (a.get("data") or {}))
    decisions = [v["decision"] for v in flagged["data"]["verdicts"]]
    assert decisions[0] == "ALLOW" and decisions[1] != "ALLOW"
    acknowledged = next(a for a in graphql if "acknowledgeTakedown" in (a.get("data") or {}))
    assert acknowledged["data"]["acknowledgeTakedown"]["state"] == "REMOVED"
    keys_made = [a for a in answers if a.get("key", "").startswith("srg_")]
    assert {(k["role"], k["platform"] or k["agency"]) for k in keys_made} >= {
        ("platform", "lazada"), ("regulator", "kominfo")
    }
    manifest = json.loads(
        (tmp_path / "repo" / ".local" / "scan-results" / "manifest.json").read_text()
    )
    assert manifest["listings"] == len((REPO_ROOT / "examples/catalog.jsonl").read_text().splitlines())


def test_the_documented_operations_run_in_their_order_after_the_walkthrough(local_stack):
    """On the stack the walkthrough just used: the docs' examples and the operation files use
    other references and idempotency keys, so nothing here is CONFLICT."""
    operations = {
        (role, operation.name): operation
        for role in ("platform", "regulator")
        for operation in documented_operations(f"{role}.graphql")
    }
    keys = {"platform": local_stack.keys["shopee"], "regulator": local_stack.keys["kemendag"]}
    results: dict[str, dict] = {}
    for role, name in documented_order():
        operation = operations[(role, name)]
        response = httpx.post(
            local_stack.url,
            json={
                "query": operation.document,
                "variables": resolve(operation.variables, results),
                "operationName": name,
            },
            headers={"Authorization": f"Bearer {keys[role]}"},
            timeout=30,
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, (name, body)
        results[name] = body["data"]
    assert results["AcknowledgeTakedown"]["acknowledgeTakedown"]["state"] == "REMOVED"
