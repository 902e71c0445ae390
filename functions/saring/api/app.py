"""The ASGI application: the same object runs under uvicorn locally and under Mangum on Lambda."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from uuid import uuid4

from strawberry.asgi import GraphQL

from saring.api.context import RequestContext
from saring.api.schema import build_schema
from saring.bootstrap import Services
from saring.domain.errors import UnauthenticatedError
from saring.observability import logger

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]



class SaringGraphQL(GraphQL):
    def __init__(self, services: Services) -> None:
        super().__init__(build_schema(services.settings), graphql_ide="graphiql")
        self.services = services

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        return RequestContext(
            services=self.services, principal=request.scope.get("state", {}).get("principal")
        )


class Gateway:
    """Refuses what must never reach a resolver: wrong paths, oversized bodies, unknown keys."""

    def __init__(self, services: Services, graphql: ASGIApp) -> None:
        self.services = services
        self._graphql = graphql
        self._max_body = services.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        logger.set_correlation_id(headers.get("x-correlation-id") or _lambda_request_id(scope))
        status = await self._dispatch(scope, receive, send, headers)
        logger.info(
            "request",
            extra={
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "principal": getattr(scope.get("state", {}).get("principal"), "name", None),
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )

    async def _dispatch(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]
    ) -> int:
        if not scope["path"].rstrip("/").endswith("/graphql"):
            return await _respond(send, 404, _error("Not found: the API lives at /graphql", "NOT_FOUND"))
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_body:
            return await _respond(send, 413, _too_large(self._max_body))
        if not _is_graphiql_page(scope["method"], headers):
            try:
                principal = self.services.authenticator.authenticate(headers.get("authorization"))
            except UnauthenticatedError as error:
                return await _respond(
                    send,
                    401,
                    _error(error.message, "UNAUTHENTICATED"),
                    extra_headers=[(b"www-authenticate", b'Bearer realm="saring"')],
                )
            scope.setdefault("state", {})["principal"] = principal
        try:
            body = await _read_body(receive, self._max_body)
        except _BodyTooLarge:
            return await _respond(send, 413, _too_large(self._max_body))
        status = 0

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self._graphql(scope, replay, watch)
        return status


class _BodyTooLarge(Exception):
    pass


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _is_graphiql_page(method: str, headers: dict[str, str]) -> bool:
    """A browser asking for the GraphiQL page itself; its queries carry the key as usual."""
    return method == "GET" and "text/html" in headers.get("accept", "")


def _lambda_request_id(scope: Scope) -> str:
    event = scope.get("aws.event") or {}
    return (event.get("requestContext") or {}).get("requestId") or uuid4().hex


def _error(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def _too_large(limit: int) -> dict[str, Any]:
    return _error(f"request body is larger than {limit} bytes", "BAD_USER_INPUT")


async def _respond(
    send: Send,
    status: int,
    payload: dict[str, Any],
    extra_headers: list[tuple[bytes, bytes]] | None = None,
) -> int:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(extra_headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
    return status


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def create_app(services: Services) -> Gateway:
    return Gateway(services, SaringGraphQL(services))
