"""A newcomer's `make run`: a busy port fails at once with a message naming the port and the
variable that moves it, nothing is left running, and the keys file appears only while the server
serves. Ports are occupied by this test on loopback, never 8000/8001 themselves."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO_ROOT
from tests.e2e.conftest import free_port, running


@contextmanager
def occupied_port() -> Iterator[int]:
    """A port something is listening on, as a forgotten server would."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def descendants(pid: int) -> list[int]:
    found = []
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        found += [int(child) for child in children]
        pending += [int(child) for child in children]
    return found


def survivors(pids: list[int] | set[int], within: float = 5) -> list[int]:
    """The processes still running once they have had `within` seconds to exit."""
    deadline = time.monotonic() + within
    while any(running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [pid for pid in pids if running(pid)]


def make_run(port: int, dynamodb_port: int, keys_out: Path | None = None) -> subprocess.Popen:
    """`make run` itself, in the repository (its keys file .local/demo-keys.json unless
    `keys_out` names another)."""
    env = {**os.environ, "PORT": str(port), "DYNAMODB_PORT": str(dynamodb_port)}
    env.pop("AWS_ENDPOINT_URL", None)
    if keys_out is not None:
        env["KEYS_OUT"] = str(keys_out)
    return subprocess.Popen(
        ["make", "--no-print-directory", "-C", str(REPO_ROOT), "run"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own process group, for a terminal's Ctrl-C below
    )  # fmt: skip


KEYS = REPO_ROOT / ".local" / "demo-keys.json"


@pytest.fixture
def keys_file_untouched():
    """The repository's own .local/demo-keys.json (a developer's running stack may own it) is
    the same after the test as before."""
    before = KEYS.read_bytes() if KEYS.exists() else None
    yield
    after = KEYS.read_bytes() if KEYS.exists() else None
    assert after == before, ".local/demo-keys.json changed although no server came up"


@pytest.mark.parametrize(
    ("busy", "variable"), [("dynamodb", "DYNAMODB_PORT"), ("api", "PORT")]
)
def test_a_busy_port_fails_within_five_seconds_naming_port_and_variable(
    tmp_path, busy, variable, keys_file_untouched
):
    with occupied_port() as taken:
        port, dynamodb_port = (free_port(), taken) if busy == "dynamodb" else (taken, free_port())
        started = time.monotonic()
        process = make_run(port, dynamodb_port)
        try:
            output, _ = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            pytest.fail(f"make run still running after 5 s:\n{output}")
        elapsed = time.monotonic() - started
    assert process.returncode != 0
    assert elapsed < 5
    message = [line for line in output.splitlines() if line.startswith("saring:")]
    assert len(message) == 1, output
    assert f"port {taken}" in message[0] and variable in message[0], output
    assert "Traceback" not in output
    assert not [pid for pid in descendants(process.pid) if running(pid)]


def test_keys_appear_only_while_serving_and_ctrl_c_leaves_no_moto(tmp_path):
    """Run by `saring serve` directly with a keys file of the test's own, as `make run` calls it;
    Ctrl-C goes to the whole process group, as a terminal sends it."""
    port, dynamodb_port = free_port(), free_port()
    keys = tmp_path / ".local" / "demo-keys.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "saring.cli", "serve", "--port", str(port),
         "--dynamodb-port", str(dynamodb_port), "--keys-out", str(keys)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not keys.exists():
            assert process.poll() is None
            time.sleep(0.05)
        # The file exists: the server must already answer with the keys it holds.
        entries = json.loads(keys.read_text())
        shopee = next(entry["key"] for entry in entries if entry["name"] == "shopee")
        response = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "{ me { name } }"},
            headers={"Authorization": f"Bearer {shopee}"},
        )
        assert response.json() == {"data": {"me": {"name": "platform:shopee"}}}
        moto = descendants(process.pid)
        assert moto, "moto runs in a process of its own"
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert "Traceback" not in output, output
    assert not survivors(moto), "moto outlived Ctrl-C"
    assert not keys.exists(), "the keys of a stopped stack were left behind"


def test_ctrl_c_while_starting_leaves_no_moto(tmp_path):
    port, dynamodb_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "saring.cli", "serve", "--port", str(port),
         "--dynamodb-port", str(dynamodb_port), "--keys-out", str(tmp_path / "keys.json")],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    seen: set[int] = set()
    try:
        # Ctrl-C as soon as moto's process exists, before the API serves.
        deadline = time.monotonic() + 30
        while not seen and time.monotonic() < deadline:
            seen.update(descendants(process.pid))
            time.sleep(0.02)
        assert seen, "moto never started"
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert not survivors(seen), f"moto outlived Ctrl-C:\n{output}"
    assert not (tmp_path / "keys.json").exists()


def test_ctrl_c_on_make_run_leaves_nothing_behind(tmp_path):
    """As a terminal does it: SIGINT to make's whole process group once the stack serves."""
    keys = tmp_path / "demo-keys.json"
    process = make_run(free_port(), free_port(), keys)
    try:
        deadline = time.monotonic() + 90
        while not keys.exists() and time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.1)
        assert keys.exists(), "make run did not serve"
        started = descendants(process.pid)
        assert len(started) >= 2, "make, saring serve and its moto"
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert not survivors(started), f"left running after Ctrl-C:\n{output}"
    assert "Traceback" not in output, output
    assert not keys.exists()
