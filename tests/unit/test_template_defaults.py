"""Safe defaults for data in template.yaml, which moto never sees (it deploys no template)."""

from __future__ import annotations

from tests.conftest import REPO_ROOT
from tests.iam import load_template

TEMPLATE = load_template(REPO_ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]


def test_the_table_cannot_be_deleted_by_accident():
    table = RESOURCES["Table"]
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]


def test_the_scan_bucket_keeps_versions_and_expires_uploads_and_results():
    bucket = RESOURCES["ScanBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    every_rule = bucket["LifecycleConfiguration"]["Rules"]
    rules = {rule["Prefix"]: rule for rule in every_rule if "Prefix" in rule}
    for prefix, parameter in (("incoming/", "ScanUploadRetentionDays"), ("results/", "ScanResultRetentionDays")):
        rule = rules[prefix]
        assert rule["Status"] == "Enabled"
        assert rule["ExpirationInDays"] == {"Ref": parameter}
        assert rule["NoncurrentVersionExpiration"] == {
            "NoncurrentDays": {"Ref": "ScanNoncurrentVersionDays"}
        }
        assert TEMPLATE["Parameters"][parameter]["Default"] >= 1
    # With versioning, expiry leaves delete markers; they must go too, or listings slow down.
    assert any(
        rule.get("ExpiredObjectDeleteMarker") and "Prefix" not in rule for rule in every_rule
    )
