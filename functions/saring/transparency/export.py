"""`saring export statements`: one JSON line per enforcement action, each validated against the
statement-of-reasons schema (written from the EU DSA transparency database's published rules;
the source commit is in the schema's description) before anything is written."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from saring.atomic_file import replaced_atomically
from saring.domain.errors import SaringError

SCHEMA_PATH = Path(__file__).with_name("statement-of-reasons.schema.json")


class InvalidStatementError(SaringError):
    """A statement the database would refuse; nothing was written."""

    code = "INTERNAL"


@cache
def validator() -> Any:
    # jsonschema is a CLI dependency (extra "report"), imported only when statements are checked.
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(statement: Any) -> list[str]:
    """What keeps the statement from the database, one message per problem; [] when valid."""
    return sorted(
        f"{'/'.join(map(str, error.absolute_path)) or '(statement)'}: {error.message}"
        for error in validator().iter_errors(statement)
    )


def write_statements(statements: Iterable[dict[str, Any]], out: Path) -> int:
    """Validates every statement, then writes them as JSON lines (all or nothing: through a
    temporary file renamed into place). InvalidStatementError names the first bad one."""
    statements = list(statements)
    for number, statement in enumerate(statements, start=1):
        found = problems(statement)
        if found:
            raise InvalidStatementError(
                f"statement {number} ({statement.get('puid')}) is not valid: {'; '.join(found)}"
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    with replaced_atomically(out) as stream:
        for statement in statements:
            stream.write(json.dumps(statement, ensure_ascii=False, sort_keys=True) + "\n")
    return len(statements)
