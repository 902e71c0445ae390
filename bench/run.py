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
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
