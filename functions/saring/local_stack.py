"""The whole service on one machine: moto for AWS, the same ASGI app, demo keys printed."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEMO_PRINCIPALS = (
    ("shopee", "platform", "shopee", None),
    ("tokopedia", "platform", "tokopedia", None),
    ("kemendag", "regulator", None, "kemendag"),
)
LOCAL_REGION = "ap-southeast-3"

# Slow clients (slowloris). uvicorn closes a keep-alive connection idle between requests, but
# waits forever for the rest of a request's headers (or for a first byte), and the app waits for
# the rest of a body (Settings.body_timeout_seconds bounds that). Once LIMIT_CONCURRENCY
# connections are open, a new request is refused with 503 at once instead of queueing.
SERVE_HEADER_TIMEOUT_SECONDS = 5.0
SERVE_KEEP_ALIVE_SECONDS = 5
SERVE_LIMIT_CONCURRENCY = 100


@dataclass
class LocalAws:
    endpoint: str
    stop_server: Callable[[], None]
    replaced_environment: dict[str, str | None]

    def stop(self) -> None:
        """Stops moto and gives the process back the AWS settings it had before."""
        self.stop_server()
        for name, value in self.replaced_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def start_local_aws(
    host: str = "127.0.0.1", port: int = 0, separate_process: bool = False
) -> LocalAws:
    """Starts moto's server and points this process's AWS clients at it.

    `separate_process` runs moto in a child process: `saring serve` does, so that moto and
    the API each get a core; tests keep it in-process, where it starts faster.
    """
    if separate_process:
        endpoint, stop_server = _moto_in_child_process(host, port)
    else:
        from saring.local_moto import start_server

        endpoint, stop_server = start_server(host, port)
    settings = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": LOCAL_REGION,
        "AWS_PROFILE": None,
    }
    replaced = {name: os.environ.get(name) for name in settings}
    for name, value in settings.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return LocalAws(endpoint=endpoint, stop_server=stop_server, replaced_environment=replaced)


def _moto_in_child_process(host: str, port: int) -> tuple[str, Callable[[], None]]:
    child = subprocess.Popen(
        [
            sys.executable, "-m", "saring.local_moto",
            "--host", host, "--port", str(port), "--parent-pid", str(os.getpid()),
        ],
        stdout=subprocess.PIPE,
        text=True,
        # Ctrl-C reaches the whole foreground group; the parent stops moto itself, in order.
        start_new_session=True,
    )

    def stop() -> None:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    assert child.stdout is not None
    first_line = child.stdout.readline()  # blocks until moto listens, or returns "" if it died
    if not first_line.startswith("listening "):
        stop()
        raise RuntimeError(f"the local moto server did not start (exit code {child.poll()})")
    return first_line.split(" ", 1)[1].strip(), stop


def prepare_local_environment() -> None:
    """Settings the local stack needs and a developer should not have to invent."""
    os.environ.setdefault("SARING_TABLE", "saring-local")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "saring")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    # A fresh secret per run: fingerprints are only compared within one local stack.
    os.environ.setdefault("SARING_IDENTITY_SECRET", secrets.token_hex(32))


def create_demo_keys(services: Any) -> list[dict[str, str]]:
    from saring.service.keys import create_key, principal_for

    demo = []
    for name, role, platform, agency in DEMO_PRINCIPALS:
        issued = create_key(services.keys, services.clock, principal_for(role, platform, agency))
        entry = {"id": issued.stored.key_id, "name": name, "role": role, "key": issued.key}
        entry["platform" if platform else "agency"] = platform or agency
        demo.append(entry)
    return demo


def uvicorn_config(app: Any, host: str, port: int) -> Any:
    """How `saring serve` (and the tests that stand in for it) run the app under uvicorn."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        http=_header_deadline_protocol(),
        timeout_keep_alive=SERVE_KEEP_ALIVE_SECONDS,
        limit_concurrency=SERVE_LIMIT_CONCURRENCY,
    )


def _header_deadline_protocol() -> type:
    """uvicorn's h11 protocol, closing a connection whose request headers are not complete
    SERVE_HEADER_TIMEOUT_SECONDS after it opened or after its previous response."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderDeadlineH11Protocol(H11Protocol):
        _header_deadline: Any = None

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm_header_deadline()

        def on_response_complete(self) -> None:
            self._arm_header_deadline()  # before super(): it may start a pipelined request
            super().on_response_complete()

        def handle_events(self) -> None:
            super().handle_events()
            if self.cycle is not None and not self.cycle.response_complete:
                self._disarm_header_deadline()  # the headers are in: a request is running

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm_header_deadline()
            super().connection_lost(exc)

        def _arm_header_deadline(self) -> None:
            self._disarm_header_deadline()
            self._header_deadline = self.loop.call_later(
                SERVE_HEADER_TIMEOUT_SECONDS, self._headers_too_slow
            )

        def _disarm_header_deadline(self) -> None:
            if self._header_deadline is not None:
                self._header_deadline.cancel()
                self._header_deadline = None

        def _headers_too_slow(self) -> None:
            self._header_deadline = None
            if not self.transport.is_closing():
                self.transport.close()

    return HeaderDeadlineH11Protocol


def serve(host: str, port: int, keys_out: Path | None, dynamodb_port: int) -> None:
    import uvicorn

    prepare_local_environment()
    local_aws = start_local_aws(host, dynamodb_port, separate_process=True)
    try:
        from saring.adapters.dynamodb.client import dynamodb_client
        from saring.adapters.dynamodb.tables import create_tables_from_template
        from saring.api.app import create_app
        from saring.bootstrap import build_services
        from saring.settings import Settings

        settings = Settings.from_env()
        client = dynamodb_client()
        create_tables_from_template(client, settings)
        services = build_services(settings, dynamodb=client)
        demo = create_demo_keys(services)
        if keys_out is not None:
            keys_out.parent.mkdir(parents=True, exist_ok=True)
            keys_out.write_text(json.dumps(demo, indent=2) + "\n")
            keys_out.chmod(0o600)
        _announce(host, port, local_aws.endpoint, settings.table_name, demo, keys_out)
        app = create_app(services, execute_in_threads=True)
        # Ctrl-C: uvicorn has stopped serving; moto is stopped below, as uvicorn.run would.
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.Server(uvicorn_config(app, host, port)).run()
    finally:
        local_aws.stop()
        print("saring: local stack stopped", file=sys.stderr)


def _announce(
    host: str,
    port: int,
    endpoint: str,
    table: str,
    demo: list[dict[str, str]],
    keys_out: Path | None,
) -> None:
    url = f"http://{host}:{port}/graphql"
    lines = [
        "",
        f"Saring is serving GraphQL at {url} (open it in a browser for GraphiQL)",
        f"Local DynamoDB (moto): {endpoint}, table {table}",
        "Demo API keys (send as 'Authorization: Bearer <key>'):",
    ]
    for entry in demo:
        bound = entry.get("platform") or entry.get("agency")
        lines.append(f"  {entry['name']:<10} {entry['role']:<9} {bound:<10} {entry['key']}")
    if keys_out is not None:
        lines.append(f"Keys written to {keys_out}")
    lines += [
        "Try:",
        f"  curl -s {url} -H \"Authorization: Bearer {demo[0]['key']}\" "
        "-H 'Content-Type: application/json' -d '{\"query\":\"{ me { role name platform } }\"}'",
        "Stop with Ctrl-C.",
        "",
    ]
    print("\n".join(lines), flush=True)
