"""The one schema: query and mutation types composed from each area, plus the limits."""

import asyncio
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql.error import GraphQLError
from graphql.validation import ValidationContext, ValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext, ExecutionResult

from saring.api.cost import OneVerdictsField, QueryCostLimiter
from saring.api.errors import ErrorCodes, coded
from saring.api.labels import LabelMutations
from saring.api.ledger import LedgerMutations, LedgerQueries
from saring.api.orders import OrderMutations, OrderQueries
from saring.api.verdicts import VerdictQueries
from saring.settings import Settings


@strawberry.type
class Query(VerdictQueries, LedgerQueries, OrderQueries):
    pass


@strawberry.type
class Mutation(LedgerMutations, OrderMutations, LabelMutations):
    pass


class ParseOnce(ParserCache):
    """ParserCache that leaves documents it cannot parse to strawberry's own parse step.

    ParserCache parses before it yields, so a syntax error escapes from inside the hook and
    the other extensions' operation hooks never see the result: the error would go out
    without its `extensions.code`. Parsing again only on failure keeps the normal path.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        except GraphQLError:
            context.graphql_document = None
        yield


class SaringSchema(strawberry.Schema):
    # Servers that answer many requests at once (`saring serve`) turn this on. On Lambda a
    # container answers one request at a time, and executing inline costs less.
    execute_in_threads = False

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        if not self.execute_in_threads:
            return await super().execute(*args, **kwargs)
        # The resolvers are synchronous and wait on DynamoDB: in a worker thread they wait
        # without holding up the event loop, so other requests are served meanwhile.
        # to_thread carries the request's context variables (its log correlation id) along.
        return await asyncio.to_thread(self.execute_sync, *args, **kwargs)

    def _warn_for_federation_directives(self) -> None:
        """Skipped: strawberry checks every schema it builds for federation directives, and
        importing them costs about 11 ms of a cold start. Saring is not a federated subgraph.
        tests/functional/test_cold_imports.py notices if strawberry renames this hook."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # ErrorCodes logs what is unexpected; expected errors (bad input, forbidden) are answers.
        # An exception that escapes the operation (from a validation rule, say) skips the
        # extensions' hooks and reaches only this one: code it here, in place, so it still goes
        # out with a code and, if unexpected, masked as INTERNAL.
        errors[:] = [
            error if "code" in (error.extensions or {}) else coded(error) for error in errors
        ]


def _guarded(rule: type[ValidationRule]) -> type[ValidationRule]:
    """A validation rule that reports a document it cannot measure instead of raising.

    QueryDepthLimiter's rule measures in its constructor and raises ValueError on an empty
    selection set (`{}`, which graphql-core 3.3 parses): that is the caller's mistake.
    """

    class Guarded(rule):  # type: ignore[misc, valid-type]
        def __init__(self, context: ValidationContext) -> None:
            try:
                super().__init__(context)
            except ValueError:
                ValidationRule.__init__(self, context)
                context.report_error(GraphQLError("a selection set must not be empty"))

    Guarded.__name__ = f"Guarded{rule.__name__}"
    return Guarded


def build_schema(settings: Settings, execute_in_threads: bool = False) -> strawberry.Schema:
    # The validation rules are built once per schema: the same rule classes on every request
    # let ValidationCache answer repeated documents without validating them again.
    rules = [
        *map(_guarded, QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules),
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        OneVerdictsField,
    ]
    if not settings.introspection:
        from graphql.validation import NoSchemaIntrospectionCustomRule

        rules.append(NoSchemaIntrospectionCustomRule)
    # Factories, not instances: strawberry builds fresh extensions for every request; the
    # parser and validation caches themselves live at module level and are shared.
    extensions: list = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: AddValidationRules(rules),
        ErrorCodes,
        # Platforms send the same few documents again and again: parse and validate each once.
        lambda: ParseOnce(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        # After ValidationCache: it costs only documents that validated.
        lambda: QueryCostLimiter(max_cost=settings.max_query_cost, max_batch=settings.max_batch),
    ]
    schema = SaringSchema(query=Query, mutation=Mutation, extensions=extensions)
    schema.execute_in_threads = execute_in_threads
    return schema
