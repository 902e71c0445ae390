"""Each function ships what it runs (functions/lambda_build.py: FUNCTIONS, LOCAL_ONLY).

Each handler is imported in a fresh interpreter, with the modules it imports only on a first call
(`later_imports`), and what it imported is checked against what its package would ship: the
distributions its FUNCTIONS entry names with everything they require (read from the installed
metadata, markers evaluated for Lambda's Python 3.12 on Linux), and `saring` without the local
tooling. No package is installed here: the build itself is measured by `make bench`."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys

import pytest
from packaging.requirements import Requirement

from tests.conftest import REPO_ROOT
from tests.functional.test_lambda_build import load_build_script
from tests.iam import load_template

build = load_build_script()
LAMBDA_MARKERS = {
    "python_version": "3.12",
    "python_full_version": "3.12.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}

LOCAL_NAMES = {"saring", "__main__"}
# Imported when present, with a fallback that Lambda takes: botocore uses its own CA bundle.
OPTIONAL = {"certifi"}
# What the interpreter imported before the handler (site's .pth files) is not the handler's.
PROBE = """
import sys
at_start = set(sys.modules)
import importlib, json
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(set(sys.modules) - at_start)))
"""


def imported_modules(function: str) -> list[str]:
    entry = build.FUNCTIONS[function]
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        {
            "PYTHONPATH": str(REPO_ROOT / "functions"),
            "AWS_DEFAULT_REGION": "ap-southeast-3",
            "AWS_ACCESS_KEY_ID": "probe",
            "AWS_SECRET_ACCESS_KEY": "probe",
            "SARING_TABLE": "probe",
            "SARING_IDENTITY_SECRET": "x" * 32,
            "SARING_MODEL_DIR": str(REPO_ROOT / "models" / "listing-classifier"),
            "SARING_SCAN_QUEUE_URL": "https://sqs.ap-southeast-3.amazonaws.com/1/probe",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE, entry.handler, *entry.later_imports],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def shipped_distributions(function: str) -> set[str]:
    """The distributions pip installs for FUNCTION: its requirement lines and, transitively,
    what they require."""
    shipped: set[str] = set()
    pending = [Requirement(line) for line in build.requirements(function)]
    while pending:
        requirement = pending.pop()
        name = build.canonical(requirement.name)
        key = (name, tuple(sorted(requirement.extras)))
        if key in shipped:
            continue
        shipped.add(key)
        for line in importlib.metadata.requires(requirement.name) or []:
            needed = Requirement(line)
            if needed.marker is None or any(
                needed.marker.evaluate({**LAMBDA_MARKERS, "extra": extra})
                for extra in (requirement.extras or {""})
            ):
                pending.append(needed)
    return {name for name, _ in shipped}


def distributions_of(modules: list[str]) -> tuple[set[str], set[str]]:
    """(distributions, top-level modules that belong to none and are not the standard library)."""
    owners = importlib.metadata.packages_distributions()
    found, unknown = set(), set()
    for top in {name.split(".")[0] for name in modules}:
        if top in sys.stdlib_module_names or top in sys.builtin_module_names or top in LOCAL_NAMES:
            continue
        if top in OPTIONAL:
            continue
        if top in owners:
            found.update(build.canonical(owner) for owner in owners[top])
        else:
            unknown.add(top)
    return found, unknown


@pytest.fixture(scope="module", params=sorted(build.FUNCTIONS))
def function_imports(request) -> tuple[str, list[str]]:
    return request.param, imported_modules(request.param)


def test_each_handler_imports_only_what_its_package_ships(function_imports):
    function, modules = function_imports
    imported, unknown = distributions_of(modules)
    assert not unknown, f"{function} imports modules of no known distribution: {unknown}"
    missing = imported - shipped_distributions(function)
    assert not missing, f"{function} imports {sorted(missing)}, which its package does not ship"


def test_each_package_names_only_distributions_its_handler_imports(function_imports):
    function, modules = function_imports
    imported, _ = distributions_of(modules)
    declared = {build.canonical(name) for name in build.FUNCTIONS[function].distributions}
    assert declared <= imported, f"{function} ships {sorted(declared - imported)} unused"


def test_no_handler_imports_local_tooling(function_imports):
    function, modules = function_imports
    local = {
        "saring." + path.removesuffix(".py").replace("/", ".") for path in build.LOCAL_ONLY
    }
    assert not local & set(modules), f"{function} imports local tooling {local & set(modules)}"
    assert not {"moto", "boto3", "sklearn", "uvicorn"} & {m.split(".")[0] for m in modules}


def test_functions_that_never_score_ship_no_model_runtime():
    for function in (
        "ScanSplitFunction", "OrderEventsFunction", "OverdueTargetsFunction", "NoticesFunction", "DriftFunction"
    ):
        shipped = shipped_distributions(function)
        assert not {"onnxruntime", "numpy", "strawberry-graphql"} & shipped, function


def test_every_template_function_is_built_with_its_own_handler():
    resources = load_template(REPO_ROOT / "template.yaml")["Resources"]
    functions = {
        name: resource["Properties"]["Handler"]
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    assert functions == {
        name: f"{entry.handler}.handler" for name, entry in build.FUNCTIONS.items()
    }
    for name, entry in build.FUNCTIONS.items():
        layers = resources[name]["Properties"].get("Layers", [])
        assert bool(layers) == entry.model_layer, name
    makefile = (REPO_ROOT / "functions" / "Makefile").read_text()
    listed = re.search(r"^FUNCTIONS := ((?:.*\\\n)*.*)$", makefile, re.MULTILINE).group(1)
    assert sorted(listed.replace("\\", " ").split()) == sorted(build.FUNCTIONS)


def test_saring_ships_without_local_tooling(tmp_path):
    source = REPO_ROOT / "functions" / "saring"
    for path in build.LOCAL_ONLY:
        assert (source / path).is_file(), f"LOCAL_ONLY names {path}, which is gone"
    build.copy_saring(tmp_path)
    shipped = {p.relative_to(tmp_path / "saring").as_posix() for p in tmp_path.rglob("*.py")}
    expected = {
        p.relative_to(source).as_posix()
        for p in source.rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert shipped == expected - set(build.LOCAL_ONLY)
    assert (tmp_path / "saring" / "handlers" / "api.py").is_file()
