"""Settings reach the deploy: every SARING_* variable the code reads that a template parameter
sets is set for every function that reads it, under the name the code reads, and the parameter
changes what the code sees. moto deploys no template, so nothing else would notice a setting that
AWS silently leaves at its default (as SARING_APPEAL_OVERDUE_DAYS was)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from saring.scan.bootstrap import ScanSettings
from saring.settings import Settings
from tests.conftest import REPO_ROOT
from tests.iam import load_template

TEMPLATE = load_template(REPO_ROOT / "template.yaml")
PARAMETERS = TEMPLATE["Parameters"]
GLOBAL_ENV = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
FUNCTIONS = {
    name: resource
    for name, resource in TEMPLATE["Resources"].items()
    if resource["Type"] == "AWS::Serverless::Function"
}

# The functions whose code reads each parameter-set variable (the handler's composition in
# saring.bootstrap / saring.scan.bootstrap). A variable a parameter sets that is missing here
# fails test_every_parameter_set_variable_names_its_readers: decide who reads it.
READERS = {
    # Globals: every function builds Settings.
    "SARING_PLATFORMS": set(FUNCTIONS),
    "SARING_INTROSPECTION": set(FUNCTIONS),
    "SARING_IDENTITY_SECRET_PARAMETER": set(FUNCTIONS),
    # build_services (the API handler alone): LabelService, AuditSampler, AppealService, and
    # the API's `compliance` (overdue appeals).
    "SARING_LABEL_RETENTION_DAYS": {"ApiFunction"},
    "SARING_AUDIT_SAMPLE_RATE": {"ApiFunction"},
    "SARING_APPEAL_OVERDUE_DAYS": {"ApiFunction"},
    # OrderService.issue_notices: the scheduled warning ladder alone.
    "SARING_NOTICE_ST2_AFTER_HOURS": {"NoticesFunction"},
    "SARING_NOTICE_ST3_AFTER_HOURS": {"NoticesFunction"},
    # The drift job (build_drift_job) alone.
    "SARING_DRIFT_PLATFORMS": {"DriftFunction"},
    "SARING_DRIFT_MINIMUM_VERDICTS": {"DriftFunction"},
    # ScanSettings.lines_per_part: only the split cuts parts.
    "SARING_SCAN_LINES_PER_PART": {"ScanSplitFunction"},
}

# Variables the template sets to a resource's name or a fixed path, not to a parameter.
SET_FROM_RESOURCES = {
    "SARING_TABLE",
    "SARING_LABEL_TABLE",
    "SARING_MODEL_DIR",
    "SARING_SHADOW_MODEL_DIR",  # a fixed path, under the HasShadowModel condition
    "SARING_SCAN_QUEUE_URL",
    "SARING_EVENT_BUS",
}

# Read by the code, but with no template parameter yet: AWS runs the code's default.
CODE_DEFAULT_IN_AWS = {
    "SARING_MAX_BATCH",
    "SARING_KEY_CACHE_SECONDS",
    "SARING_LINKS_PER_HOUR",
    "SARING_STRIKE_EXPIRY_DAYS",
    "SARING_WARNED_AT",
    "SARING_RESTRICTED_AT",
    "SARING_BLOCKED_AT",
    "SARING_STANDARD_DEADLINE_HOURS",
    "SARING_URGENT_DEADLINE_HOURS",
    "SARING_SCAN_MAX_BYTES",
    "SARING_SCAN_MAX_PARTS",
    "SARING_SCAN_MAX_LINE_BYTES",
    "SARING_IDENTITY_SECRET",  # local only: AWS reads the SSM parameter instead
}


def names_the_code_reads() -> set[str]:
    """Every SARING_* name written as a string literal in the service's code."""
    names = set()
    for path in (REPO_ROOT / "functions" / "saring").rglob("*.py"):
        names |= set(re.findall(r"[\"'](SARING_[A-Z0-9_]+)[\"']", path.read_text()))
    return names


def parameters_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in PARAMETERS:
            return {value["Ref"]}
        if set(value) == {"Fn::Sub"}:
            text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
            return {name for name in re.findall(r"\$\{([^}.!]+)\}", text) if name in PARAMETERS}
        return set().union(*(parameters_in(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(parameters_in(item) for item in value)) if value else set()
    return set()


def environment_of(function: str) -> dict[str, Any]:
    own = FUNCTIONS[function]["Properties"].get("Environment", {}).get("Variables", {})
    return {**GLOBAL_ENV, **own}


def parameter_set_variables() -> dict[str, str]:
    """Variable -> the one parameter it is set from, wherever the template sets it."""
    found: dict[str, set[str]] = {}
    for function in FUNCTIONS:
        for name, value in environment_of(function).items():
            if name.startswith("SARING_") and parameters_in(value):
                found.setdefault(name, set()).update(parameters_in(value))
    assert all(len(parameters) == 1 for parameters in found.values()), found
    return {name: parameters.pop() for name, parameters in found.items()}


def set_from(value: Any) -> str | None:
    """The parameter a variable is set to as it is: !Ref P, or a CommaDelimitedList P joined
    back with commas (!Join [",", !Ref P])."""
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in PARAMETERS:
        return value["Ref"]
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        separator, joined = value["Fn::Join"]
        parameter = set_from(joined)
        if separator == "," and parameter and PARAMETERS[parameter]["Type"] == "CommaDelimitedList":
            return parameter
    return None


def deployed_env(function: str, parameters: dict[str, str]) -> dict[str, str]:
    """The function's SARING_* variables with the given parameter values (else defaults);
    variables set from resources are left out, as the settings they feed are not at issue."""
    env = {}
    for name, value in environment_of(function).items():
        if not name.startswith("SARING_"):
            continue
        parameter = set_from(value)
        if parameter is not None:
            env[name] = str(parameters.get(parameter, PARAMETERS[parameter]["Default"]))
    return env


def another_value(parameter: str) -> str:
    """A valid value of the parameter other than its default."""
    spec = PARAMETERS[parameter]
    default = spec["Default"]
    if "AllowedValues" in spec:
        return next(str(v) for v in spec["AllowedValues"] if str(v) != str(default))
    if spec["Type"] == "Number":
        return str(int(default) + 1)
    if parameter == "AuditSampleRate":
        return "0.5"
    if parameter in {"Platforms", "DriftPlatforms"}:
        return "shopee"
    if spec["Type"] == "AWS::SSM::Parameter::Name":
        return "/elsewhere/secret"
    raise AssertionError(f"teach another_value a value for {parameter}")


def test_every_name_the_code_reads_is_classified():
    classified = set(READERS) | SET_FROM_RESOURCES | CODE_DEFAULT_IN_AWS
    assert names_the_code_reads() - classified == set(), "classify the new setting above"
    assert classified - names_the_code_reads() == set(), "the code no longer reads these"
    assert not set(READERS) & CODE_DEFAULT_IN_AWS


def test_every_parameter_set_variable_names_its_readers():
    assert set(parameter_set_variables()) == set(READERS)


@pytest.mark.parametrize("variable", sorted(READERS))
def test_every_reader_gets_the_variable_from_the_parameter(variable):
    parameter = parameter_set_variables()[variable]
    for function in READERS[variable]:
        assert set_from(environment_of(function).get(variable)) == parameter, (function, variable)


@pytest.mark.parametrize("variable", sorted(READERS))
def test_changing_the_parameter_changes_what_the_code_reads(variable):
    """The template spells the name the code reads: a typo would leave the default."""
    parameter = parameter_set_variables()[variable]
    for function in READERS[variable]:
        default = deployed_env(function, {})
        changed = deployed_env(function, {parameter: another_value(parameter)})
        assert (Settings.from_env(changed), ScanSettings.from_env(changed)) != (
            Settings.from_env(default),
            ScanSettings.from_env(default),
        ), (function, variable)


def test_the_appeal_overdue_period_is_a_parameter_of_the_api():
    spec = PARAMETERS["AppealOverdueDays"]
    assert (spec["Type"], spec["MinValue"]) == ("Number", 1)
    # The deploy's default is the code's, so a stack without the parameter changes nothing.
    assert timedelta(days=spec["Default"]) == Settings().appeal_overdue
    env = deployed_env("ApiFunction", {"AppealOverdueDays": "3"})
    assert Settings.from_env(env).appeal_overdue == timedelta(days=3)
