"""The one schema: query and mutation types composed from each area, plus the limits."""

from __future__ import annotations

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.types import ExecutionContext

from saring.api.errors import ErrorCodes
from saring.api.verdicts import VerdictQueries
from saring.settings import Settings


@strawberry.type
class Query(VerdictQueries):
    pass


class SaringSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # ErrorCodes logs what is unexpected; expected errors (bad input, forbidden) are answers.
        return None


def build_schema(settings: Settings) -> strawberry.Schema:
    extensions: list = [
        QueryDepthLimiter(max_depth=settings.max_query_depth),
        MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        ErrorCodes,
    ]
    if not settings.introspection:
        from graphql.validation import NoSchemaIntrospectionCustomRule

        extensions.append(AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return SaringSchema(query=Query, extensions=extensions)
