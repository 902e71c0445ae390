"""The local stack as a developer runs it: `saring serve` in its own process, over real HTTP."""

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.conftest import REPO_ROOT


@pytest.fixture(autouse=True, scope="session")
def ctrl_c_reaches_servers() -> Iterator[None]:
    """The servers these tests start get SIGINT as a terminal's foreground job does. Started
    from a shell without job control (`nohup ... &`), this process ignores SIGINT and so would
    every server it starts: Python installs no KeyboardInterrupt handler then, and a Ctrl-C
    sent before uvicorn installs its own would be lost."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def running(pid: int | str) -> bool:
    """Alive and not a zombie waiting for whoever adopted it to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@contextmanager
def app_server(services: Any) -> Iterator[str]:
    """The app under uvicorn in a thread of this process, configured as `saring serve` runs it;
    yields its GraphQL URL once it accepts requests."""
    import threading

    import uvicorn

    from saring.api.app import create_app
    from saring.local_stack import uvicorn_config

    port = free_port()
    server = uvicorn.Server(
        uvicorn_config(create_app(services, execute_in_threads=True), "127.0.0.1", port)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class LocalStack:
    url: str
    port: int
    keys: dict[str, str]
    keys_file: Path
    process: subprocess.Popen
    aws_endpoint: str  # its moto, as `saring keys` and `saring scan` take it (AWS_ENDPOINT_URL)

    def post(self, query: str, key: str | None, variables: dict | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=headers, timeout=30
        )


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory) -> Iterator[LocalStack]:
    workdir = tmp_path_factory.mktemp("stack")
    keys_file = workdir / ".local" / "demo-keys.json"
    port, dynamodb_port = free_port(), free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("AWS_ENDPOINT_URL", None)
    log = (workdir / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "saring.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--dynamodb-port", str(dynamodb_port), "--keys-out", str(keys_file)],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/graphql"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"saring serve exited early:\n{(workdir / 'serve.log').read_text()}")
        try:
            if keys_file.exists() and httpx.get(url, headers={"accept": "text/html"}, timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"saring serve did not come up:\n{(workdir / 'serve.log').read_text()}")
    keys = {entry["name"]: entry["key"] for entry in json.loads(keys_file.read_text())}
    stack = LocalStack(
        url=url, port=port, keys=keys, keys_file=keys_file, process=process,
        aws_endpoint=f"http://127.0.0.1:{dynamodb_port}",
    )  # fmt: skip
    yield stack
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    log.close()


@dataclass
class ClockedStack:
    """The local stack in this process, over real HTTP, with a clock the test moves."""

    url: str
    keys: dict[str, str]
    clock: object
    services: object

    def post(self, query: str, key: str | None, variables: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = httpx.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=headers, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def clocked_stack(monkeypatch) -> Iterator[ClockedStack]:
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.adapters.dynamodb.tables import create_tables_from_template
    from saring.bootstrap import build_services
    from saring.local_stack import create_demo_keys, start_local_aws
    from saring.settings import Settings
    from tests.conftest import ManualClock

    # start_local_aws points this process's boto3 at moto; monkeypatch restores the environment.
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    local_aws = start_local_aws("127.0.0.1", 0)
    dynamodb_client.cache_clear()
    try:
        settings = Settings.from_env(
            # moto's backends are per process, shared by every server in it: a table per test.
            {"SARING_TABLE": f"saring-story-{uuid4().hex[:8]}", "SARING_IDENTITY_SECRET": "test-identity-secret-0123456789abcdef"}
        )
        client = dynamodb_client()
        create_tables_from_template(client, settings)
        clock = ManualClock()
        services = build_services(settings, dynamodb=client, clock=clock)
        keys = {entry["name"]: entry["key"] for entry in create_demo_keys(services)}
        with app_server(services) as url:
            yield ClockedStack(url, keys, clock, services)
    finally:
        local_aws.stop()
        dynamodb_client.cache_clear()
