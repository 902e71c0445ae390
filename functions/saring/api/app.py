"""The ASGI application: the same object runs under uvicorn locally and under Mangum on Lambda."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs
from uuid import uuid4

from starlette.requests import Request

# The very class strawberry's ASGI view catches (it comes from cross_web in strawberry 0.34x).
from strawberry.asgi import (
    GraphQL,
    HTTPException,  # type: ignore[attr-defined]
)

from saring.api import ide
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


GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


class SaringGraphQL(GraphQL):
    """Strawberry's ASGI view, answering as the GraphQL over HTTP spec asks.

    A client that accepts `application/graphql-response+json` gets that media type, and a
    request error (the document does not parse or validate, variables do not coerce: no
    execution started) comes back as 400 without a `data` entry. Once execution started the
    status is 200, even when `data` is null. `application/json` clients keep 200 throughout.
    """

    def __init__(self, services: Services, execute_in_threads: bool = False) -> None:
        super().__init__(
            build_schema(services.settings, execute_in_threads), graphql_ide="graphiql"
        )
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as error:
            # Strawberry answers a body it cannot read (bad JSON, no query, wrong method) in
            # plain text; callers get the same status with a coded GraphQL error instead.
            if error.status_code == 401:
                await _unauthenticated(send, error.reason)
                return
            await _respond(send, error.status_code, _error(error.reason, "BAD_USER_INPUT"))
            return
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Any) -> Any:
        from starlette.responses import HTMLResponse

        return HTMLResponse(ide.page(request.url.path))

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        # The gateway lets one request through without a principal: a browser fetching the
        # GraphiQL page. Strawberry decides for itself whether a GET renders that page or runs
        # `?query=`, so the view refuses to run anything unauthenticated, whatever the gateway
        # let through.
        context = kwargs.get("context")
        if getattr(context, "principal", None) is None:
            raise HTTPException(401, "missing Authorization header")
        return await super().execute_operation(*args, **kwargs)

    def decode_json(self, data: str | bytes) -> object:
        """JSON as the service accepts it: UTF-8, nested at most `max_json_depth` levels, numbers
        Python can read, no lone surrogates. Anything else is the caller's 400, never a 500."""
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                raise HTTPException(400, "the request body is not valid UTF-8") from None
        try:
            value = json.loads(data)
        except RecursionError:
            depth = self.services.settings.max_json_depth
            raise HTTPException(400, f"the request body nests more than {depth} levels") from None
        except json.JSONDecodeError:
            raise  # strawberry answers 400 "Unable to parse request body as JSON"
        except ValueError:
            # An integer of more than sys.get_int_max_str_digits() (4,300) digits.
            raise HTTPException(400, "a number in the request body is too long") from None
        problem = json_problem(value, self.services.settings.max_json_depth)
        if problem is not None:
            raise HTTPException(400, problem)
        return value

    async def parse_http_body(self, request: Any) -> Any:
        try:
            return await super().parse_http_body(request)
        except (AttributeError, TypeError) as error:
            # JSON that is not an object (`null`, `1`, `[1]`): strawberry calls `.get` on it.
            raise HTTPException(400, "the request body must be a JSON object") from error

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        # process_result sees the request but not the sub-response: the scope carries it.
        request.scope["saring.sub_response"] = response
        return RequestContext(
            services=self.services, principal=request.scope.get("state", {}).get("principal")
        )

    async def process_result(self, request: Any, result: Any) -> Any:
        processed = await super().process_result(request, result)
        media_type = response_media_type(request.headers.get("accept"))
        sub_response = request.scope.get("saring.sub_response")
        request_error = is_request_error(result)
        if request_error:
            processed.pop("data", None)  # the spec: no `data` when execution never started
        if sub_response is not None:
            sub_response.headers["content-type"] = media_type
            if request_error and media_type == GRAPHQL_RESPONSE_JSON:
                sub_response.status_code = 400
        return processed

    def create_response(self, response_data: Any, sub_response: Any) -> Any:
        media_type = sub_response.headers.get("content-type", JSON)
        del sub_response.headers["content-type"]
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = media_type
        return response


def json_problem(value: Any, max_depth: int) -> str | None:
    """What makes parsed JSON unacceptable, or None. Iterative: a hostile body's depth must not
    become this function's recursion depth.

    JSON may escape half a surrogate pair ("\\ud800"): text no store can encode. graphql-core
    refuses it in the document; everywhere else it is refused here.
    """
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if not _encodable(item):
                return "the request body contains invalid Unicode (a lone surrogate)"
        elif isinstance(item, dict | list):
            if depth >= max_depth:
                return f"the request body nests more than {max_depth} levels"
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
            if isinstance(item, dict):
                pending.extend((key, depth + 1) for key in item)
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_request_error(result: Any) -> bool:
    """Errors raised before execution (parse, validation, limits, variables) carry no path."""
    errors = getattr(result, "errors", None)
    return (
        getattr(result, "data", None) is None
        and bool(errors)
        and all(error.path is None for error in errors)
    )


def response_media_type(accept: str | None) -> str:
    """`application/graphql-response+json` when the client ranks it at least as high as JSON."""
    weights: dict[str, float] = {}
    for part in (accept or "").split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        media = media.lower()
        weights[media] = max(weight, weights.get(media, 0.0))
    preferred = weights.get(GRAPHQL_RESPONSE_JSON, 0.0)
    plain = max(weights.get(JSON, 0.0), weights.get("application/*", 0.0), weights.get("*/*", 0.0))
    return GRAPHQL_RESPONSE_JSON if preferred > 0 and preferred >= plain else JSON


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
        # A context variable, not the logger's shared keys: requests served at once (each in
        # its own task or worker thread) keep their own correlation ids.
        logger.thread_safe_append_keys(
            correlation_id=headers.get("x-correlation-id") or _lambda_request_id(scope)
        )
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
        asset = ide.asset_name(scope["path"])
        if asset is not None and scope["method"] in ("GET", "HEAD"):
            return await _serve_asset(send, scope["method"], asset, headers)
        if not scope["path"].rstrip("/").endswith("/graphql"):
            return await _respond(send, 404, _error("Not found: the API lives at /graphql", "NOT_FOUND"))
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_body:
            return await _respond(send, 413, _too_large(self._max_body))
        if not _is_graphiql_page(scope["method"], headers, scope.get("query_string", b"")):
            try:
                principal = self.services.authenticator.authenticate(headers.get("authorization"))
            except UnauthenticatedError as error:
                return await _unauthenticated(send, error.message)
            scope.setdefault("state", {})["principal"] = principal
        timeout = self.services.settings.body_timeout_seconds
        try:
            body = await asyncio.wait_for(_read_body(receive, self._max_body), timeout)
        except _BodyTooLarge:
            return await _respond(send, 413, _too_large(self._max_body))
        except TimeoutError:
            message = f"the request body did not arrive within {timeout:g} seconds"
            return await _respond(
                send, 408, _error(message, "BAD_USER_INPUT"), [(b"connection", b"close")]
            )
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


def _is_graphiql_page(method: str, headers: dict[str, str], query_string: bytes) -> bool:
    """A browser asking for the GraphiQL page itself; its queries carry the key as usual.

    A GET that names a `query` (even an empty one) is an operation, whatever it accepts.
    """
    if method != "GET" or "text/html" not in headers.get("accept", ""):
        return False
    parameters = parse_qs(query_string.decode("latin-1"), keep_blank_values=True)
    return "query" not in parameters


async def _serve_asset(send: Send, method: str, name: str, headers: dict[str, str]) -> int:
    """One of GraphiQL's files; like the page itself, served without a key."""
    found = ide.asset(name)
    if found is None:
        return await _respond(send, 404, _error(f"no such GraphiQL file: {name}", "NOT_FOUND"))
    gzipped = "gzip" in headers.get("accept-encoding", "")
    body = found.gzipped if gzipped else found.body
    response_headers = [
        (b"content-type", found.content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        # The name carries the version and the page pins the hash: a copy never goes stale.
        (b"cache-control", b"public, max-age=31536000, immutable"),
        (b"vary", b"accept-encoding"),
    ]
    if gzipped:
        response_headers.append((b"content-encoding", b"gzip"))
    await send({"type": "http.response.start", "status": 200, "headers": response_headers})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
    return 200


def _lambda_request_id(scope: Scope) -> str:
    event = scope.get("aws.event") or {}
    return (event.get("requestContext") or {}).get("requestId") or uuid4().hex


def _error(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def _too_large(limit: int) -> dict[str, Any]:
    return _error(f"request body is larger than {limit} bytes", "BAD_USER_INPUT")


async def _unauthenticated(send: Send, message: str) -> int:
    return await _respond(
        send,
        401,
        _error(message, "UNAUTHENTICATED"),
        extra_headers=[(b"www-authenticate", b'Bearer realm="saring"')],
    )


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


def create_app(services: Services, execute_in_threads: bool = False) -> Gateway:
    """`execute_in_threads`: run each operation in a worker thread (see SaringSchema)."""
    return Gateway(services, SaringGraphQL(services, execute_in_threads))
