"""What an operation may cost, decided before it executes.

The cost of an operation is the number of objects it can make the service resolve: each field
with a selection set counts once per time it can resolve, and list fields multiply what they
enclose by their size: `verdicts` by its listings, connections (`strikes`, `auditTrail`,
`takedownTargets`, `takedownOrders`, `identitySignals`) by `first` (their default when it is not given, the
largest page allowed when a variable leaves it unknown), an order's `targets` by 500, a
target's `notices` by 3, a verdict's `reasons` by 8. A field that needs a DynamoDB
Query of its own each time it resolves (`strikes`, `auditTrail`) adds READ_WEIGHT more: a Query
per seller is what makes a nested selection slow, far more than the objects it returns. Aliases
and fragments count as often as they appear.

One `verdicts` of 100 listings selecting `seller { standing }` costs 200; selecting each
seller's first 10 strikes (edges and nodes) as well costs 200 + 100 x (200 + 30) = 23,200,
over the budget of 10,000: with `reasons` too, such a call is accepted for up to 41 listings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    parse,
)
from graphql.validation import ValidationRule
from strawberry.extensions import SchemaExtension

from saring.settings import Settings

MAX_PAGE = 100  # the largest `first` any connection accepts
CONNECTION_DEFAULTS = {
    "strikes": 10,
    "auditTrail": 20,
    "takedownTargets": 20,
    "takedownOrders": 20,
    "identitySignals": 20,
    "appeals": 10,
}
FIXED_SIZES = {"targets": 500, "reasons": 8, "notices": 3}
READ_WEIGHT = 200  # per resolution of a field that runs a DynamoDB Query of its own
OWN_READ_FIELDS = frozenset({"strikes", "auditTrail", "appeals"})
VERDICT_FIELDS = frozenset({"verdict", "verdicts"})


def query_cost(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    max_batch: int,
) -> int:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    if len(chosen) != 1:
        return 0  # graphql-core refuses the request itself
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return _cost(chosen[0].selection_set, 1, fragments, variables, max_batch, frozenset())


def _cost(
    selection_set: SelectionSetNode | None,
    multiplier: int,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    max_batch: int,
    seen: frozenset[str],
) -> int:
    total = 0
    for field, seen_here in _fields(selection_set, fragments, seen):
        if field.selection_set is None:
            continue
        inner = multiplier * _size(field, variables, max_batch)
        if field.name.value in OWN_READ_FIELDS:
            total += multiplier * READ_WEIGHT
        total += inner + _cost(field.selection_set, inner, fragments, variables, max_batch, seen_here)
    return total


def _fields(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> Iterator[tuple[FieldNode, frozenset[str]]]:
    """The fields of a selection set, fragments expanded (each fragment once per path)."""
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            yield selection, seen
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                yield from _fields(fragments[name].selection_set, fragments, seen | {name})


def _size(field: FieldNode, variables: Mapping[str, Any], max_batch: int) -> int:
    name = field.name.value
    arguments = {argument.name.value: argument.value for argument in field.arguments or ()}
    if name == "verdicts":
        value = arguments.get("listings")
        if isinstance(value, ListValueNode):
            return len(value.values)
        if isinstance(value, VariableNode) and isinstance(variables.get(value.name.value), list):
            return len(variables[value.name.value])
        return max_batch
    if name in CONNECTION_DEFAULTS:
        value = arguments.get("first")
        if value is None:
            return CONNECTION_DEFAULTS[name]
        if isinstance(value, IntValueNode):
            return _bounded(value.value)
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            if given is None and value.name.value not in variables:
                return CONNECTION_DEFAULTS[name]
            return given if isinstance(given, int) and 0 <= given <= MAX_PAGE else MAX_PAGE
        return MAX_PAGE
    return FIXED_SIZES.get(name, 1)


def _bounded(text: str) -> int:
    """A literal `first`: out-of-range values are refused by the resolver; here they count as
    the largest page, so the budget never has to read a huge number."""
    if len(text) > 4:
        return MAX_PAGE
    return min(max(int(text), 0), MAX_PAGE)


class OneVerdictsField(ValidationRule):
    """At most one `verdict` or `verdicts` field per operation, aliases and fragments included:
    each one scores its listings, and the budget would otherwise be spent ten times at once."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        fragments = {
            name: definition
            for name in _spread_names(node.selection_set, self.context)
            if (definition := self.context.get_fragment(name)) is not None
        }
        count = sum(
            1
            for field, _ in _fields(node.selection_set, fragments, frozenset())
            if field.name.value in VERDICT_FIELDS
        )
        if count > 1:
            self.report_error(
                GraphQLError(
                    "an operation may ask for one verdict or verdicts field; send the listings "
                    "in one verdicts call (up to the batch limit)",
                    node,
                )
            )


def _spread_names(selection_set: SelectionSetNode | None, context: Any) -> set[str]:
    names: set[str] = set()
    pending = [selection_set]
    while pending:
        current = pending.pop()
        for selection in current.selections if current else ():
            if isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in names:
                names.add(selection.name.value)
                fragment = context.get_fragment(selection.name.value)
                if fragment is not None:
                    pending.append(fragment.selection_set)
    return names


class QueryCostLimiter(SchemaExtension):
    """Refuses an operation whose cost exceeds the budget, before it executes. It needs the
    variables (a batch's size is usually one), so it runs after validation, not as a rule."""

    def __init__(self, *, max_cost: int, max_batch: int) -> None:
        self.max_cost = max_cost
        self.max_batch = max_batch

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        # Listed after ValidationCache, which has validated by now: an invalid document keeps
        # its own errors; only a valid one is costed.
        if not context.pre_execution_errors and context.graphql_document is not None:
            cost = query_cost(
                context.graphql_document,
                context.operation_name,
                context.variables or {},
                self.max_batch,
            )
            if cost > self.max_cost:
                context.pre_execution_errors = [
                    GraphQLError(
                        f"this operation costs {cost:,}, over the budget of {self.max_cost:,} "
                        "(listings times the page sizes nested in them); ask for fewer listings "
                        "or smaller pages",
                        extensions={"code": "BAD_USER_INPUT"},
                    )
                ]
        yield


COSTLIEST_QUERY = (
    "query($l: [ListingInput!]!) { verdicts(listings: $l) { decision reasons { code } "
    "seller { standing strikes { edges { node { id source } } } } } }"
)


def costliest_verdicts_with_strikes(settings: Settings) -> int:
    """How many listings a `verdicts` call may send when it selects each seller's first page of
    strikes (10) within the budget: the costliest request the service accepts (each listing's
    seller read with a Query of its own). `make bench` times it."""
    document = parse(COSTLIEST_QUERY)
    best = 0
    for size in range(1, settings.max_batch + 1):
        cost = query_cost(document, None, {"l": [None] * size}, settings.max_batch)
        if cost > settings.max_query_cost:
            break
        best = size
    return best
