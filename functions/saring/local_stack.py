"""The whole service on one machine: moto for AWS, the same ASGI app, demo keys printed."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import select
import socket
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
# moto imports in 2-3 s on a busy 2-core machine; a child that has not said it listens by then
# has failed, and `saring serve` says so instead of waiting for ever.
MOTO_START_TIMEOUT_SECONDS = 30


class LocalStackError(Exception):
    """The local stack cannot start; the message says what to do, in one line."""


@dataclass(frozen=True)
class PortRole:
    what: str  # what listens there
    variable: str  # the `make run` variable that moves it
    flag: str  # the `saring serve` option that moves it


API_PORT = PortRole("the GraphQL API", "PORT", "--port")
DYNAMODB_PORT = PortRole("the local DynamoDB, moto", "DYNAMODB_PORT", "--dynamodb-port")


def port_in_use(host: str, port: int, role: PortRole) -> LocalStackError:
    return LocalStackError(
        f"port {port} on {host} is in use ({role.what}): stop what holds it, or pick another "
        f"port with {role.variable}, e.g. `{role.variable}={port + 10} make run` "
        f"(saring serve {role.flag} {port + 10})"
    )


def claim_port(host: str, port: int, role: PortRole) -> socket.socket:
    """A socket bound to host:port, or LocalStackError naming the port and its variable."""
    from saring.local_moto import bind_socket

    try:
        return bind_socket(host, port)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise port_in_use(host, port, role) from None
        raise LocalStackError(
            f"cannot listen on {host}:{port} ({role.what}): {error.strerror}"
        ) from None


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
    try:
        # Its first line says it listens, or why not; a child that says nothing in time failed.
        ready, _, _ = select.select([child.stdout], [], [], MOTO_START_TIMEOUT_SECONDS)
        first_line = child.stdout.readline() if ready else ""
    except BaseException:  # Ctrl-C while moto starts: it must not outlive this process
        stop()
        raise
    if not first_line.startswith("listening "):
        stop()
        if first_line.startswith("port-in-use"):
            raise port_in_use(host, port, DYNAMODB_PORT)
        detail = first_line.strip() or f"exit code {child.poll()}"
        raise LocalStackError(f"the local moto server did not start ({detail})")
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


def _server_calling_back(config: Any, on_serving: Callable[[], None]) -> Any:
    """A uvicorn.Server that calls `on_serving` once it accepts connections, not before."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started and not self.should_exit:
                on_serving()

    return Server(config)


def serve(host: str, port: int, keys_out: Path | None, dynamodb_port: int) -> None:
    """Both ports are checked before anything starts, so a busy one fails at once; the keys file
    is written only once the API accepts connections, and removed when it stops, so it never
    holds keys that a running server does not know."""
    api_socket = claim_port(host, port, API_PORT)
    wrote_keys = False
    local_aws = None
    try:
        if dynamodb_port:
            claim_port(host, dynamodb_port, DYNAMODB_PORT).close()  # moto binds it in a moment
        prepare_local_environment()
        local_aws = start_local_aws(host, dynamodb_port, separate_process=True)
        from saring.adapters.dynamodb.client import dynamodb_client
        from saring.adapters.dynamodb.tables import create_tables_from_template
        from saring.api.app import create_app
        from saring.bootstrap import build_services
        from saring.console import with_console
        from saring.settings import Settings

        settings = Settings.from_env()
        client = dynamodb_client()
        create_tables_from_template(client, settings)
        services = build_services(settings, dynamodb=client)
        demo = create_demo_keys(services)
        app = with_console(create_app(services, execute_in_threads=True), settings.known_platforms)
        endpoint = local_aws.endpoint

        def on_serving() -> None:
            nonlocal wrote_keys
            if keys_out is not None:
                _write_keys(keys_out, demo)
                wrote_keys = True
            _announce(host, port, endpoint, settings.table_name, demo, keys_out)

        # Ctrl-C: uvicorn has stopped serving; moto is stopped below, as uvicorn.run would.
        with contextlib.suppress(KeyboardInterrupt):
            server = _server_calling_back(uvicorn_config(app, host, port), on_serving)
            server.run(sockets=[api_socket])
    finally:
        api_socket.close()
        if wrote_keys and keys_out is not None:
            keys_out.unlink(missing_ok=True)
        if local_aws is not None:
            local_aws.stop()
            print("saring: local stack stopped", file=sys.stderr)


def _write_keys(keys_out: Path, demo: list[dict[str, str]]) -> None:
    from saring.atomic_file import replaced_atomically

    keys_out.parent.mkdir(parents=True, exist_ok=True)
    with replaced_atomically(keys_out, 0o600) as handle:  # created private
        handle.write(json.dumps(demo, indent=2) + "\n")


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
        f"Console: http://{host}:{port}/console/",
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
