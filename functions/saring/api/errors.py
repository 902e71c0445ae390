"""Gives every GraphQL error a stable `extensions.code` and masks what callers must not see."""

from __future__ import annotations

from collections.abc import Iterator

from aws_lambda_powertools.logging import Logger
from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension

from saring.domain.errors import SaringError

logger = Logger(service="saring", child=True)

INTERNAL_MESSAGE = "Internal server error"


def coded(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, SaringError):
        extensions = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
        return _with(error, original.message, extensions)
    if original is None or isinstance(original, GraphQLError):
        # Raised by graphql-core itself: syntax, validation, coercion of variables, limits.
        code = (error.extensions or {}).get("code", "BAD_USER_INPUT")
        return _with(error, error.message, {**(error.extensions or {}), "code": code})
    logger.exception(
        "unexpected error in a resolver",
        extra={"path": error.path, "error_type": type(original).__name__},
        exc_info=original,
    )
    return _with(error, INTERNAL_MESSAGE, {"code": "INTERNAL"})


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
            result.errors = [coded(error) for error in result.errors]
