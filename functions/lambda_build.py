"""The last steps of the Lambda build, once the dependencies are installed in ARTIFACTS_DIR:

    python3.12 lambda_build.py ARTIFACTS_DIR      # functions/Makefile runs this for sam build

1. The `saring` package is copied beside its dependencies.
2. botocore keeps the data of the services Saring calls (`saring.adapters.aws.AWS_SERVICES`) and
   no other. Every cold start that creates a client lists botocore's ~450 service directories and
   parses the 1.2 MB `endpoints.json`; with five services left that is some 30 ms less, and the
   package is 27 MB smaller. Endpoints resolve as before: each partition keeps its regions and
   its defaults, and loses only the other services' entries.
3. Every module is compiled to bytecode: Lambda's code directory is read-only, so without it each
   cold start compiles every module again. `unchecked-hash` bytecode stays valid although the zip
   does not keep the sources' timestamps exactly. The bytecode must come from the runtime's own
   Python, hence python3.12 in the Makefile.

`bench/bench_gateway.py` builds the package whose cold start it measures with this same script.
"""

from __future__ import annotations

import compileall
import json
import py_compile
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parent


def slim_botocore(artifacts_dir: Path, services: Iterable[str]) -> None:
    data = artifacts_dir / "botocore" / "data"
    if not data.is_dir():
        raise SystemExit(f"no botocore data in {artifacts_dir}: install the dependencies first")
    keep = set(services)
    missing = sorted(name for name in keep if not (data / name).is_dir())
    if missing:
        raise SystemExit(f"botocore in {artifacts_dir} has no data for {', '.join(missing)}")
    for entry in data.iterdir():
        if entry.is_dir() and entry.name not in keep:
            shutil.rmtree(entry)
    endpoints_file = data / "endpoints.json"
    endpoints = json.loads(endpoints_file.read_text(encoding="utf-8"))
    for partition in endpoints["partitions"]:
        partition["services"] = {
            name: entry for name, entry in partition["services"].items() if name in keep
        }
    endpoints_file.write_text(json.dumps(endpoints, separators=(",", ":")), encoding="utf-8")


def services_used(artifacts_dir: Path) -> frozenset[str]:
    """Read from the copied package itself, so the build and the code cannot disagree."""
    writes_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # the timestamp bytecode of this import would be shipped
    sys.path.insert(0, str(artifacts_dir))
    try:
        from saring.adapters.aws import AWS_SERVICES
    finally:
        sys.path.remove(str(artifacts_dir))
        sys.dont_write_bytecode = writes_bytecode
    return AWS_SERVICES


def finish(artifacts_dir: Path) -> None:
    shutil.copytree(
        SOURCE_DIR / "saring",
        artifacts_dir / "saring",
        ignore=shutil.ignore_patterns("__pycache__"),
        dirs_exist_ok=True,
    )
    slim_botocore(artifacts_dir, services_used(artifacts_dir))
    for cache in list(artifacts_dir.rglob("__pycache__")):
        shutil.rmtree(cache)
    if not compileall.compile_dir(
        artifacts_dir,
        quiet=1,
        workers=0,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    ):
        raise SystemExit(f"some modules in {artifacts_dir} do not compile")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python3.12 lambda_build.py ARTIFACTS_DIR")
    finish(Path(sys.argv[1]).resolve())
