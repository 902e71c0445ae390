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
