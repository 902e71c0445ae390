"""`make bench`: every benchmark, each beside its baseline, as one JSON document on stdout."""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "functions"), str(REPO_ROOT / "models")]


def main() -> None:
    from bench import bench_classifier, bench_gateway, bench_packages, bench_scan, bench_shadow

    started = time.time()
    report = {
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "classifier": bench_classifier.run(),
        "gateway": bench_gateway.run(),
        "scan": bench_scan.run(),
        "shadow": bench_shadow.run(),
        "lambda_packages": bench_packages.run(),
    }
    report["seconds"] = round(time.time() - started, 1)
    report["not_measured"] = not_measured(report)
    print(json.dumps(report, indent=2))
    for line in report["not_measured"]:
        print(f"make bench: {line}", file=sys.stderr)


def not_measured(report: dict) -> list[str]:
    """What this run skipped or measured on stand-in data, and why, one sentence each: a
    figure that is missing must say so, not just be absent from the JSON."""
    lines = []

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("skipped"), str):
                lines.append(f"skipped {path}: {value['skipped']}")
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key)

    walk(report, "")
    if report.get("classifier", {}).get("source") == "synthetic":
        lines.append(
            "classifier throughput measured on generated listings, not the real titles: "
            "reference data absent (docs/reference-data.md; SARING_SHARED_DATA)"
        )
    if any("reference data absent" in line for line in lines):
        lines.append(
            "the reference data (../shared/data, or SARING_SHARED_DATA) is not in the "
            "repository: docs/reference-data.md says what it is and where it comes from"
        )
    return lines


if __name__ == "__main__":
    main()
