"""`saring serve` over HTTP: keys file, GraphiQL, auth, verdicts, limits, clean shutdown."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import REPO_ROOT
from tests.e2e.conftest import free_port, running


def test_demo_keys_file_lists_two_platforms_and_a_regulator(local_stack):
    entries = json.loads(local_stack.keys_file.read_text())
    assert [(e["name"], e["role"], e.get("platform") or e.get("agency")) for e in entries] == [
        ("shopee", "platform", "shopee"),
        ("tokopedia", "platform", "tokopedia"),
        ("kemendag", "regulator", "kemendag"),
    ]
    assert all(entry["key"].startswith("srg_") for entry in entries)
    assert local_stack.keys_file.stat().st_mode & 0o077 == 0


def test_graphiql_is_served(local_stack):
    response = httpx.get(local_stack.url, headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


def test_verdicts_over_http(local_stack):
    response = local_stack.post(
        "query($l: [ListingInput!]!) { verdicts(listings: $l) { listingId decision seller { standing } } }",
        local_stack.keys["tokopedia"],
        {"l": [{"listingId": "1", "sellerId": "a", "title": "Kemeja batik pria lengan panjang"},
               {"listingId": "2", "sellerId": "b", "title": "bal thrift korea isi 100 pcs, buka karung"}]},
    )
    assert response.status_code == 200
    first, second = response.json()["data"]["verdicts"]
    assert first["decision"] == "ALLOW" and second["decision"] != "ALLOW"


def test_unknown_key_is_401(local_stack):
    assert local_stack.post("{ me { name } }", "srg_wrong").status_code == 401
    assert local_stack.post("{ me { name } }", None).status_code == 401


def test_oversized_body_is_413(local_stack):
    response = httpx.post(
        local_stack.url,
        content=b'{"query": "' + b"x" * (1024 * 1024 + 10) + b'"}',
        headers={"Authorization": f"Bearer {local_stack.keys['shopee']}",
                 "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_ctrl_c_stops_everything_cleanly(tmp_path):
    port = free_port()
    keys_file = tmp_path / "keys.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "saring.cli", "serve", "--port", str(port), "--keys-out", str(keys_file)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while process.poll() is None and time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/graphql", headers={"accept": "text/html"})
                break
            except httpx.TransportError:
                time.sleep(0.2)
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "local stack stopped" in output
    assert "Traceback" not in output
    assert children, "saring serve runs moto in a process of its own"
    assert not [pid for pid in children if running(pid)], "moto outlived serve"


def test_a_killed_local_stack_leaves_no_moto_behind():
    launcher = (
        "import sys, time\n"
        "from saring.local_stack import start_local_aws\n"
        "start_local_aws(separate_process=True)\n"
        "print('started', flush=True)\n"
        "time.sleep(120)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", launcher], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline().strip() == "started"
        (moto,) = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        process.kill()
        process.wait()
        deadline = time.monotonic() + 10
        while running(moto) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not running(moto)
    finally:
        if process.poll() is None:
            process.kill()
