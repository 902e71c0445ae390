"""What a cold Lambda container imports: the X-Ray SDK only when tracing is on, and never what
only costs start-up time (boto3 over botocore, test and training libraries)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

PROBE = """
import json, sys
import saring.handlers.api as api
print(json.dumps({
    "xray": any(name.startswith("aws_xray_sdk") for name in sys.modules),
    "moto": any(name.startswith("moto") for name in sys.modules),
    "sklearn": "sklearn" in sys.modules,
    "boto3": "boto3" in sys.modules,
    "federation": "strawberry.federation.schema_directives" in sys.modules,
}))
"""


def imports(**env: str) -> dict:
    environment = {
        **os.environ,
        "SARING_TABLE": "cold",
        "SARING_IDENTITY_SECRET": "x" * 32,
        "PYTHONPATH": str(REPO_ROOT / "functions"),
        **env,
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_tracing_off_costs_no_xray_import():
    seen = imports(POWERTOOLS_TRACE_DISABLED="true")
    assert seen["xray"] is False
    assert seen["moto"] is False and seen["sklearn"] is False
    assert seen["boto3"] is False
    assert seen["federation"] is False, "SaringSchema's federation check no longer overrides"


@pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import aws_xray_sdk"], capture_output=True).returncode,
    reason="aws-xray-sdk is not installed",
)
def test_tracing_on_imports_xray():
    assert imports(POWERTOOLS_TRACE_DISABLED="false")["xray"] is True


def test_strawberry_type_modules_do_not_postpone_annotations():
    """Postponed, each annotation is a string strawberry compiles and evaluates at every cold
    start (saring/api/__init__.py)."""
    api = REPO_ROOT / "functions" / "saring" / "api"
    defining_types = [path for path in api.glob("*.py") if "@strawberry." in path.read_text()]
    assert len(defining_types) >= 5
    for path in defining_types:
        assert "from __future__ import annotations" not in path.read_text(), path.name
