"""The Lambda build (functions/lambda_build.py): botocore keeps Saring's services alone and still
resolves each of them exactly as the full botocore does; everything ships as bytecode."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import botocore
import pytest

from saring.adapters.aws import AWS_SERVICES
from tests.conftest import REPO_ROOT

# Client endpoints, and the URL a request is sent to (the endpoint rule sets decide that one
# per request), for each service in partitions whose endpoints differ.
PROBE = """
import json, sys, urllib.parse
import botocore.session
REQUESTS = {
    "dynamodb": ("describe_table", {"TableName": "t"}),
    "events": ("list_rules", {}),
    "s3": ("get_object", {"Bucket": "saring-scan", "Key": "in/listings.jsonl"}),
    "sqs": ("get_queue_url", {"QueueName": "parts"}),
    "ssm": ("get_parameter", {"Name": "/saring/secret"}),
    "cloudwatch": ("list_metrics", {"Namespace": "Saring"}),
}
seen = {}
for service in sys.argv[1:]:
    for region in ("ap-southeast-3", "us-east-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1"):
        client = botocore.session.get_session().create_client(
            service, region_name=region, aws_access_key_id="a", aws_secret_access_key="b")
        operation, params = REQUESTS[service]
        url = urllib.parse.urlsplit(client.generate_presigned_url(operation, Params=params))
        seen[f"{service} {region}"] = [
            client.meta.endpoint_url, client.meta.partition, url.netloc, url.path]
print(json.dumps(seen, sort_keys=True))
"""


def load_build_script():
    spec = importlib.util.spec_from_file_location(
        "lambda_build", REPO_ROOT / "functions" / "lambda_build.py"
    )
    if "lambda_build" in sys.modules:
        return sys.modules["lambda_build"]
    module = importlib.util.module_from_spec(spec)
    sys.modules["lambda_build"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def copy_botocore(site: Path) -> None:
    shutil.copytree(
        Path(botocore.__file__).parent,
        site / "botocore",
        ignore=shutil.ignore_patterns("__pycache__"),
    )


@pytest.fixture(scope="module")
def slim_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("lambda-artifacts")
    copy_botocore(site)
    load_build_script().slim_botocore(site, AWS_SERVICES)
    return site


def resolved(pythonpath: Path | None) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.pop("PYTHONPATH", None)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *sorted(AWS_SERVICES)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(out)


def test_only_the_services_saring_calls_keep_their_data(slim_site):
    data = slim_site / "botocore" / "data"
    assert {entry.name for entry in data.iterdir() if entry.is_dir()} == set(AWS_SERVICES)
    endpoints = json.loads((data / "endpoints.json").read_text())
    for partition in endpoints["partitions"]:
        assert set(partition["services"]) <= set(AWS_SERVICES)
        assert partition["regions"]
    assert (data / "endpoints.json").stat().st_size < 100_000


def test_every_service_resolves_as_with_the_full_botocore(slim_site):
    full = resolved(None)
    slim = resolved(slim_site)
    assert len(slim) == len(AWS_SERVICES) * 5
    assert slim == full


def test_a_service_missing_from_botocore_stops_the_build(tmp_path):
    for service in ("dynamodb", "kinesis"):
        (tmp_path / "botocore" / "data" / service).mkdir(parents=True)
    with pytest.raises(SystemExit, match="no data for not-a-service"):
        load_build_script().slim_botocore(tmp_path, {"dynamodb", "not-a-service"})
    assert (tmp_path / "botocore" / "data" / "kinesis").is_dir()  # nothing removed


def test_the_build_ships_saring_as_unchecked_bytecode(tmp_path):
    copy_botocore(tmp_path)
    load_build_script().finish(tmp_path)
    handler = tmp_path / "saring" / "handlers" / "api.py"
    (compiled,) = (handler.parent / "__pycache__").glob("api.*.pyc")
    flags = int.from_bytes(compiled.read_bytes()[4:8], "little")
    assert flags == 0b01, "hash-based, never checked against the source"
    assert not (tmp_path / "botocore" / "data" / "kinesis").exists()
