"""`make loadtest` runs for minutes: it says how far it is while it runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from tests.conftest import REPO_ROOT

PROGRESS = re.compile(r"^(warmup|load): ([\d,]+)/([\d,]+) requests, (\d+) errors, ([\d.]+) requests/s")


def test_loadtest_prints_progress_lines_while_it_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, "bench/loadtest.py", "--requests", "120", "--warmup", "20",
         "--concurrency", "4", "--progress-seconds", "0.3", "--output", str(tmp_path / "r.json")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [PROGRESS.match(line) for line in result.stderr.splitlines()]
    progress = [match for match in lines if match]
    assert progress, result.stderr
    load = [m for m in progress if m[1] == "load"]
    done = [int(m[2].replace(",", "")) for m in load]
    assert done == sorted(done) and all(int(m[3].replace(",", "")) == 120 for m in load)
    assert "load: done, 120 requests, 0 errors" in result.stderr
    assert json.loads((tmp_path / "r.json").read_text())["requests"] == 120
