"""Gives every GraphQL error a stable `extensions.code` and masks what callers must not see."""

from __future__ import annotations

from collections.abc import Iterator

from aws_lambda_powertools.logging import Logger
from graphql.error import GraphQLError
from graphql.language import DocumentNode
from strawberry.extensions import SchemaExtension

from saring.adapters.dynamodb.client import is_transient
from saring.api.input_errors import input_field, plain_message
from saring.domain.errors import SaringError

logger = Logger(service="saring", child=True)

INTERNAL_MESSAGE = "Internal server error"
UNAVAILABLE_MESSAGE = "The service is busy or a dependency timed out; retry the request"


def coded(error: GraphQLError, document: DocumentNode | None = None) -> GraphQLError:
    """`document`, when known, lets an input error name its argument in `extensions.field`."""
    original = error.original_error
    if isinstance(original, SaringError) and original.retryable:
        # Nothing was written and the same request may succeed: the client retries it (with
        # the same idempotency key) instead of dropping it.
        logger.warning(
            "retryable failure", extra={"path": error.path, "error_type": type(original).__name__}
        )
        return _with(error, original.message, {"code": original.code, "retryable": True})
    if isinstance(original, SaringError) and original.code == "INTERNAL":
        # A SaringError without a more specific class is an invariant the service could not
        # keep: its message names internals (DynamoDB codes, ids), so it is masked and logged.
        logger.error(
            "internal error in a resolver",
            extra={"path": error.path, "error_type": type(original).__name__},
            exc_info=original,
        )
        return _with(error, INTERNAL_MESSAGE, {"code": "INTERNAL"})
    if isinstance(original, SaringError):
        extensions = {**original.extensions, "code": original.code}
        if original.field:
            extensions["field"] = original.field
        return _with(error, original.message, extensions)
    if error.path is None and isinstance(original, ValueError):
        # Before execution, a literal of the caller's document that Python cannot convert (an
        # Int of more than 4,300 digits): graphql-core's validation wraps the ValueError.
        return _input_error(error, {"code": "BAD_USER_INPUT"}, document)
    if original is None or isinstance(original, GraphQLError):
        # Raised by graphql-core itself: syntax, validation, coercion of variables, limits.
        code = (error.extensions or {}).get("code", "BAD_USER_INPUT")
        extensions = {**(error.extensions or {}), "code": code}
        if code == "BAD_USER_INPUT" and error.path is None:
            return _input_error(error, extensions, document)
        return _with(error, error.message, extensions)
    if is_transient(original):
        # Still INTERNAL (the contract's codes are stable), but a client may retry: every
        # mutation is idempotent, so the retry cannot double what the first attempt wrote.
        logger.warning(
            "dependency unavailable",
            extra={"path": error.path, "error_type": type(original).__name__},
        )
        return _with(error, UNAVAILABLE_MESSAGE, {"code": "INTERNAL", "retryable": True})
    logger.exception(
        "unexpected error in a resolver",
        extra={"path": error.path, "error_type": type(original).__name__},
        exc_info=original,
    )
    return _with(error, INTERNAL_MESSAGE, {"code": "INTERNAL"})


def _input_error(
    error: GraphQLError, extensions: dict, document: DocumentNode | None
) -> GraphQLError:
    field = input_field(error, document)
    if field is not None and "field" not in extensions:
        extensions = {**extensions, "field": field}
    return _with(error, _shortened(plain_message(error.message)), extensions)


def _shortened(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _with(error: GraphQLError, message: str, extensions: dict) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        # Parse and validation failures come back as strawberry results, execution ones as
        # graphql-core results: both carry a mutable `errors` list.
        result = self.execution_context.result
        if getattr(result, "errors", None):
            document = self.execution_context.graphql_document
            result.errors = [coded(error, document) for error in result.errors]
