"""GraphQL over HTTP conformance: graphql-http's own server audits against `saring serve`.

The audits are the npm package `graphql-http` (`auditServer`), run by Node from
tests/conformance/audit.mjs. The package is installed once into `.local/node` (git-ignored);
without `node` or `npm` on PATH the test is skipped and says why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO_ROOT

NODE_PREFIX = REPO_ROOT / ".local" / "node"
GRAPHQL_HTTP = NODE_PREFIX / "node_modules" / "graphql-http" / "lib" / "index.mjs"
AUDIT_SCRIPT = REPO_ROOT / "tests" / "conformance" / "audit.mjs"


@pytest.fixture(scope="session")
def graphql_http() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip(
            "GraphQL over HTTP audit needs node and npm on PATH (graphql-http is an npm package)"
        )
    if not GRAPHQL_HTTP.exists():
        NODE_PREFIX.mkdir(parents=True, exist_ok=True)
        installed = subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(NODE_PREFIX),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "graphql-http@1",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if installed.returncode != 0 or not GRAPHQL_HTTP.exists():
            pytest.fail(
                f"npm install graphql-http@1 failed:\n{installed.stdout}\n{installed.stderr}"
            )
    return GRAPHQL_HTTP


def run_audit(module: Path, url: str, key: str) -> list[dict]:
    completed = subprocess.run(
        ["node", str(AUDIT_SCRIPT), url],
        env={"PATH": os.environ["PATH"], "SARING_KEY": key, "GRAPHQL_HTTP_MODULE": str(module)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.timeout(240)
def test_graphql_over_http_audits_pass(local_stack, graphql_http):
    results = run_audit(graphql_http, local_stack.url, local_stack.keys["shopee"])
    assert len(results) > 50, "graphql-http ran fewer audits than expected"
    failures = [r for r in results if r["status"] == "error"]
    assert failures == [], "MUST audits failed:\n" + json.dumps(failures, indent=2)
    must_failures = [r for r in results if r["name"].startswith("MUST") and r["status"] != "ok"]
    assert must_failures == []
    should_warnings = [r for r in results if r["name"].startswith("SHOULD") and r["status"] != "ok"]
    # Listed in the assertion message so a regression names the audits it broke.
    assert should_warnings == [], "SHOULD audits warn:\n" + json.dumps(should_warnings, indent=2)
    counts: dict[str, int] = {}
    for result in results:
        level = result["name"].split(" ", 1)[0]
        counts[f"{level} {result['status']}"] = counts.get(f"{level} {result['status']}", 0) + 1
    print("graphql-http audit:", json.dumps(counts, sort_keys=True))


GRAPHQL_RESPONSE = "application/graphql-response+json"


def post(stack, body: dict, accept: str | None, key: str | None = "shopee") -> httpx.Response:
    headers = {"content-type": "application/json"}
    if accept is not None:
        headers["accept"] = accept
    if key is not None:
        headers["authorization"] = f"Bearer {stack.keys[key]}"
    return httpx.post(stack.url, json=body, headers=headers, timeout=30)


def test_media_type_and_status_follow_the_accept_header(local_stack):
    ok = post(local_stack, {"query": "{ me { role } }"}, GRAPHQL_RESPONSE)
    assert ok.status_code == 200 and ok.headers["content-type"] == GRAPHQL_RESPONSE
    assert ok.json() == {"data": {"me": {"role": "PLATFORM"}}}

    # A document that does not parse: a request error, 400 and no `data` for the new media type.
    broken = post(local_stack, {"query": "{"}, GRAPHQL_RESPONSE)
    assert broken.status_code == 400 and "data" not in broken.json()
    assert broken.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # ... and 200 for legacy application/json clients, still without `data`.
    legacy = post(local_stack, {"query": "{"}, "application/json")
    assert legacy.status_code == 200 and legacy.headers["content-type"] == "application/json"
    assert "data" not in legacy.json()
    # No Accept header: application/json, as before.
    assert (
        post(local_stack, {"query": "{ me { role } }"}, None).headers["content-type"]
        == "application/json"
    )

    # Execution started (a resolver refused): 200 with data null, even for the new media type.
    refused = post(
        local_stack,
        {
            "query": '{ compliance(platform: "tokopedia", since: "2026-01-01T00:00:00Z", '
            'until: "2026-02-01T00:00:00Z") { received } }'
        },
        GRAPHQL_RESPONSE,
    )
    assert refused.status_code == 200 and refused.json()["data"] is None
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # The Gateway's own refusals keep their status.
    assert (
        post(local_stack, {"query": "{ me { role } }"}, GRAPHQL_RESPONSE, key=None).status_code
        == 401
    )
    big = httpx.post(
        local_stack.url,
        content=b'{"query": "' + b"a" * (1024 * 1024 + 1) + b'"}',
        headers={
            "content-type": "application/json",
            "accept": GRAPHQL_RESPONSE,
            "authorization": f"Bearer {local_stack.keys['shopee']}",
        },
        timeout=30,
    )
    assert big.status_code == 413


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
        (f"{GRAPHQL_RESPONSE};q=0", "application/json"),
        (f"{GRAPHQL_RESPONSE};q=oops", "application/json"),
    ],
)
def test_response_media_type_negotiation(accept, expected):
    from saring.api.app import response_media_type

    assert response_media_type(accept) == expected
