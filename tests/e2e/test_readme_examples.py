"""The README's curl examples, run verbatim against `saring serve` (only the port differs)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()
SHELL_BLOCK = re.compile(r"```sh\n(.*?)```", re.DOTALL)


def section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_readme_curl_examples_work_verbatim(local_stack):
    key_helper = next(b for b in SHELL_BLOCK.findall(section("Run it locally")) if "key()" in b)
    examples = SHELL_BLOCK.findall(section("GraphQL operations"))
    assert len(examples) >= 4
    script = "\n".join(
        [
            "set -euo pipefail",
            # Each response on its own line, so the test can read them one by one.
            'curl() { command curl "$@"; echo; }',
            key_helper,
            *examples,
        ]
    ).replace("127.0.0.1:8000", f"127.0.0.1:{local_stack.port}")
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=local_stack.keys_file.parent.parent,  # where .local/demo-keys.json is
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    responses = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(responses) >= 10
    for response in responses:
        assert "errors" not in response, response
    flagged = next(r for r in responses if "verdicts" in r.get("data", {}))
    decisions = [v["decision"] for v in flagged["data"]["verdicts"]]
    assert decisions[0] == "ALLOW" and decisions[1] != "ALLOW"
    acknowledged = next(r for r in responses if "acknowledgeTakedown" in r.get("data", {}))
    assert acknowledged["data"]["acknowledgeTakedown"]["state"] == "REMOVED"
