"""Reads graphql/operations/*.graphql: each operation with the variables in its comment."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

OPERATIONS = Path(__file__).resolve().parents[1] / "graphql" / "operations"
_BLOCK = re.compile(r"# variables: (?P<variables>.*)\n(?P<document>(?:(?!# variables:).*\n?)*)")
_NAME = re.compile(r"^(?:query|mutation)\s+(\w+)", re.MULTILINE)


@dataclass(frozen=True)
class Operation:
    name: str
    document: str
    variables: dict


def documented_operations(file_name: str) -> list[Operation]:
    text = (OPERATIONS / file_name).read_text()
    operations = []
    for block in _BLOCK.finditer(text):
        document = block["document"].strip()
        operations.append(
            Operation(_NAME.search(document)[1], document, json.loads(block["variables"]))
        )
    return operations


def documented_order() -> list[tuple[str, str]]:
    """The order graphql/operations/README.md gives: (role, operation name) pairs."""
    text = (OPERATIONS / "README.md").read_text()
    story = text.split("<!-- story -->", 1)[1].split("<!-- /story -->", 1)[0]
    return [tuple(line.split()) for line in story.splitlines() if line.strip()]


_PLACEHOLDER = re.compile(r"^\{\{(\w+)\.([\w.]+)\}\}$")


def resolve(value, results: dict[str, dict]):
    """Variables with each "{{Operation.path.to.value}}" replaced by that value of an earlier
    operation's result (`results`, by operation name)."""
    if isinstance(value, dict):
        return {name: resolve(item, results) for name, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, results) for item in value]
    match = _PLACEHOLDER.match(value) if isinstance(value, str) else None
    if not match:
        return value
    found = results[match[1]]
    for step in match[2].split("."):
        found = found[int(step)] if isinstance(found, list) else found[step]
    return found
