"""Errors of a request's input found before execution (a variable or literal that does not
coerce, a required argument missing): a plain message and `extensions.field`, the argument
path as the caller wrote it (`since`, `listing.priceIdr`, `listings[1].title`).

graphql-core's own texts are kept where they read plainly; a scalar's parser error is not,
since it names Python internals (strawberry's DateTime passes on dateutil's "invalid literal for
int() with base 10: b'yest'"): it is replaced by what the value must look like.
"""

from __future__ import annotations

import re

from graphql.error import GraphQLError
from graphql.language import (
    ArgumentNode,
    DocumentNode,
    ListValueNode,
    Node,
    ObjectValueNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)

# What a value of each custom scalar must look like, in the words a caller can act on.
SCALAR_SHAPES = {
    "DateTime": "an ISO 8601 date and time with its offset, such as 2026-01-01T00:00:00+07:00",
    "JSON": "JSON",
}
_SCALAR_PROBLEM = re.compile(r'Value cannot represent a (\w+): ("(?:[^"\\]|\\.)*"|\S+?)\.(?: .*)?$', re.S)
_VARIABLE = re.compile(r"^Variable '\$(\w+)' (?:got|has) invalid value(?: at ([^\s:;]+))?")
_MISSING_ARGUMENT = re.compile(r"^Argument '[^']*\((\w+):\)' of type")
_MISSING_INPUT_FIELD = re.compile(r"^Field '\w+\.(\w+)' of required type")
_UNKNOWN_INPUT_FIELD = re.compile(r"^Field '(\w+)' is not defined by type")
# Inside an input object: the field that is missing or unknown, appended to the object's path.
_NAMED_INNER_FIELD = re.compile(r"to include (?:required|unknown) field '(\w+)'")
# A variable's value echoed as Python shows it ({'listingId': 'a'}): the caller sent it anyway.
_PYTHON_ECHO = re.compile(r", found: [{\[].*[}\]]\.?$", re.S)


def plain_message(message: str) -> str:
    """The message with a scalar parser's Python detail replaced by the value's shape."""
    if message.startswith("Variable '$"):
        message = _PYTHON_ECHO.sub(".", message)
    found = _SCALAR_PROBLEM.search(message)
    if found is None:
        return message
    scalar, value = found.groups()
    shape = SCALAR_SHAPES.get(scalar, f"a {scalar}")
    return message[: found.start()] + f"{value} is not {shape}"


def input_field(error: GraphQLError, document: DocumentNode | None) -> str | None:
    """The argument path the error is about, or None when it is about no single input."""
    path = _argument_path(error, document)
    inner = _NAMED_INNER_FIELD.search(error.message)
    if path is not None and inner is not None and not path.endswith("." + inner.group(1)):
        return f"{path}.{inner.group(1)}"
    return path


def _argument_path(error: GraphQLError, document: DocumentNode | None) -> str | None:
    message = error.message
    for pattern in (_MISSING_ARGUMENT, _MISSING_INPUT_FIELD, _UNKNOWN_INPUT_FIELD):
        found = pattern.match(message)
        if found:
            return found.group(1)
    if document is None:
        return None
    arguments = _arguments(document)
    variable = _VARIABLE.match(message)
    if variable is not None:
        name, inner = variable.group(1), variable.group(2) or ""
        inner = inner.strip("'\"")
        if inner and not inner.startswith(("[", ".")):
            inner = "." + inner
        for argument in arguments:
            value = argument.value
            if isinstance(value, VariableNode) and value.name.value == name:
                return argument.name.value + inner
        return None
    targets = [node for node in error.nodes or () if not isinstance(node, VariableDefinitionNode)]
    # Errors of a literal carry its node or at least its position.
    offsets = set(error.positions or ())
    for argument in arguments:
        for target in targets:
            path = _path_to(argument.value, argument.name.value, lambda n, t=target: n is t)
            if path is not None:
                return path
        if offsets:
            path = _path_to(argument.value, argument.name.value, lambda n: _start(n) in offsets)
            if path is not None:
                return path
    # A scalar's parser may raise with neither: the literal it quotes is found instead.
    quoted = _SCALAR_PROBLEM.search(message)
    if quoted is not None and not targets and not offsets:
        literal = quoted.group(2)
        for argument in arguments:
            path = _path_to(
                argument.value,
                argument.name.value,
                lambda n: isinstance(n, StringValueNode) and f'"{n.value}"' == literal,
            )
            if path is not None:
                return path
    return None


def _start(node: Node) -> int | None:
    return node.loc.start if node.loc is not None else None


def _arguments(document: DocumentNode) -> list[ArgumentNode]:
    found: list[ArgumentNode] = []

    class Collect(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: object) -> None:
            found.append(node)

    visit(document, Collect())
    return found


def _path_to(value: Node, path: str, is_target) -> str | None:
    if is_target(value):
        return path
    if isinstance(value, ObjectValueNode):
        for field in value.fields:
            if is_target(field):
                return f"{path}.{field.name.value}"
            found = _path_to(field.value, f"{path}.{field.name.value}", is_target)
            if found is not None:
                return found
    elif isinstance(value, ListValueNode):
        for index, item in enumerate(value.values):
            found = _path_to(item, f"{path}[{index}]", is_target)
            if found is not None:
                return found
    return None
