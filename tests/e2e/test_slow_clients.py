"""Slow clients against `saring serve`: a connection that sends part of a request (or nothing)
must not hold the server for minutes, and once it is full a new request is refused at once
(503) instead of waiting behind them.
"""

from __future__ import annotations

import socket
import time

import httpx

from saring.local_stack import SERVE_HEADER_TIMEOUT_SECONDS, SERVE_LIMIT_CONCURRENCY
from saring.settings import Settings

BODY_TIMEOUT_SECONDS = Settings().body_timeout_seconds
MARGIN = 5.0


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.settimeout(SERVE_HEADER_TIMEOUT_SECONDS + BODY_TIMEOUT_SECONDS + 2 * MARGIN)
    return sock


def _until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """What the server sent before it closed the connection, and how long that took."""
    started = time.monotonic()
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    except TimeoutError as error:
        raise AssertionError(f"the server held the connection open ({received[:200]!r})") from error
    return received, time.monotonic() - started


def test_partial_headers_and_silent_connections_are_closed(local_stack):
    partial = _connect(local_stack.port)
    partial.sendall(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl")
    silent = _connect(local_stack.port)
    for sock in (partial, silent):
        _, waited = _until_closed(sock)
        assert waited < SERVE_HEADER_TIMEOUT_SECONDS + MARGIN
        sock.close()


def test_a_body_that_stops_arriving_is_408(local_stack):
    sock = _connect(local_stack.port)
    head = (
        "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {local_stack.keys['shopee']}\r\nContent-Length: 100\r\n\r\n"
    )
    sock.sendall(head.encode() + b'{"query": ')
    received, waited = _until_closed(sock)
    sock.close()
    assert received.startswith(b"HTTP/1.1 408"), received[:300]
    assert b'"code": "BAD_USER_INPUT"' in received
    assert waited < BODY_TIMEOUT_SECONDS + MARGIN


def test_a_full_server_refuses_at_once(local_stack):
    held = [
        socket.create_connection(("127.0.0.1", local_stack.port), timeout=5)
        for _ in range(SERVE_LIMIT_CONCURRENCY)
    ]
    try:
        time.sleep(0.2)  # the server has accepted them all
        started = time.monotonic()
        response = httpx.post(
            local_stack.url,
            json={"query": "{ me { name } }"},
            headers={"Authorization": f"Bearer {local_stack.keys['shopee']}"},
            timeout=SERVE_HEADER_TIMEOUT_SECONDS + MARGIN,
        )
        assert response.status_code == 503
        assert time.monotonic() - started < 2
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.5)  # the server notices the closed connections before the next test
