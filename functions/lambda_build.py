"""The Lambda build of one function, which `sam build` runs through functions/Makefile:

    python3.12 lambda_build.py FUNCTION ARTIFACTS_DIR   # install FUNCTION's packages, then finish
    python3.12 lambda_build.py ARTIFACTS_DIR            # finish alone (dependencies already there)

Each function ships what it runs, no more: `FUNCTIONS` names, per function in template.yaml, its
handler and the distributions it imports (its requirement lines, versions and all, come from
requirements.txt, so versions are kept in pyproject.toml alone). The scan split, order events and
overdue targets never score, so they ship neither onnxruntime nor numpy; only the API ships
strawberry and Mangum. tests/functional/test_lambda_packages.py imports each handler in a fresh
interpreter and fails if it imports a distribution or a module its package would not ship.

0. The function's distributions are installed from wheels for Lambda's platform (Amazon Linux
   2023, glibc 2.34, CPython 3.12) whatever machine builds, without their console scripts.
1. The `saring` package is copied beside its dependencies, without the local tooling
   (`LOCAL_ONLY`: the CLI, the local moto stack, the local scan) that no handler imports;
   the API function also gets GraphiQL's browser files (graphiql_assets.py fetches them with
   npm if they are not there yet), which the other functions never serve.
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
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parent
LAMBDA_WHEELS = (
    "--platform", "manylinux_2_34_x86_64", "--platform", "manylinux_2_28_x86_64",
    "--platform", "manylinux2014_x86_64", "--implementation", "cp", "--python-version", "3.12",
    "--only-binary=:all:",
)  # fmt: skip
# Lambda's limit on a function's code and its layers together, unzipped.
LAMBDA_UNZIPPED_LIMIT_MB = 250


@dataclass(frozen=True)
class LambdaFunction:
    handler: str  # the handler's module, as template.yaml's Handler names it without `.handler`
    distributions: tuple[str, ...]  # as requirements.txt names them
    # Modules a handler imports on its first call, or on a path taken only in some
    # configurations, rather than as it is imported.
    later_imports: tuple[str, ...] = ()
    model_layer: bool = False  # the model layer (Makefile: model-layer) counts toward the limit
    graphiql: bool = False  # serves the GraphiQL page, so ships its browser files (~4 MB)


AWS = ("botocore", "aws-lambda-powertools")
SCORING = ("onnxruntime", "numpy", "anyascii", "confusable-homoglyphs")
# The confusables table, read on the first normalisation (saring.classifier.normalise): without
# it titles would be normalised differently and scored differently, silently.
SCORING_LATER = ("confusable_homoglyphs",)
FUNCTIONS: dict[str, LambdaFunction] = {
    "ApiFunction": LambdaFunction(
        "saring.handlers.api",
        (*AWS, "strawberry-graphql", "mangum", *SCORING),
        later_imports=SCORING_LATER,
        model_layer=True,
        graphiql=True,
    ),
    "ScanSplitFunction": LambdaFunction("saring.handlers.scan_split", AWS),
    "ScanWorkerFunction": LambdaFunction(
        "saring.handlers.scan_worker",
        (*AWS, *SCORING),
        later_imports=SCORING_LATER,
        model_layer=True,
    ),
    "OrderEventsFunction": LambdaFunction(
        "saring.handlers.order_events",
        AWS,
        later_imports=("saring.bootstrap",),  # the ledger, on the first REMOVED target
    ),
    "OverdueTargetsFunction": LambdaFunction("saring.handlers.overdue_targets", AWS),
    "NoticesFunction": LambdaFunction("saring.handlers.compliance_notices", AWS),
    "DriftFunction": LambdaFunction("saring.handlers.drift", AWS),
}
# Local tooling: files under saring/ that no Lambda package ships.
LOCAL_ONLY = (
    "atomic_file.py",
    "cli.py",
    "local_moto.py",
    "local_stack.py",
    "scan/local.py",
    "classifier/cli.py",
    "transparency/export.py",
    "transparency/report.py",
    "transparency/statement-of-reasons.schema.json",
)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(line: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    if not match:
        raise SystemExit(f"requirements.txt: cannot read {line!r}")
    return canonical(match.group(1))


def requirements(function: str) -> list[str]:
    """FUNCTION's lines of requirements.txt; a distribution it names that is missing there is
    an error, so the two cannot drift apart."""
    lines = [
        line.strip()
        for line in (SOURCE_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    wanted = {canonical(name) for name in FUNCTIONS[function].distributions}
    chosen = [line for line in lines if requirement_name(line) in wanted]
    missing = wanted - {requirement_name(line) for line in chosen}
    if missing:
        raise SystemExit(f"requirements.txt has no line for {', '.join(sorted(missing))}")
    return chosen


def install(function: str, artifacts_dir: Path, python: str = sys.executable) -> None:
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-compile", *LAMBDA_WHEELS,
         "--target", str(artifacts_dir), *requirements(function)],
        check=True,
    )  # fmt: skip
    shutil.rmtree(artifacts_dir / "bin", ignore_errors=True)  # console scripts


# GraphiQL's browser files (graphiql_assets.py fetches them), for the functions that serve them.
GRAPHIQL_ASSETS = "api/graphiql/assets"


def copy_saring(artifacts_dir: Path, graphiql: bool = True) -> None:
    source = SOURCE_DIR / "saring"
    left_out = LOCAL_ONLY if graphiql else (*LOCAL_ONLY, GRAPHIQL_ASSETS)

    def ignore(directory: str, names: list[str]) -> set[str]:
        here = Path(directory).relative_to(source)
        return {
            name
            for name in names
            if name == "__pycache__" or (here / name).as_posix() in left_out
        }

    shutil.copytree(source, artifacts_dir / "saring", ignore=ignore, dirs_exist_ok=True)


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


def finish(artifacts_dir: Path, graphiql: bool = True) -> None:
    copy_saring(artifacts_dir, graphiql)
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


def size_bytes(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] in FUNCTIONS:
        function = FUNCTIONS[sys.argv[1]]
        if function.graphiql:
            from graphiql_assets import AssetError, ensure_assets

            try:
                ensure_assets()
            except AssetError as error:
                raise SystemExit(f"graphiql assets: {error}") from None
        install(sys.argv[1], Path(sys.argv[2]).resolve())
        finish(Path(sys.argv[2]).resolve(), function.graphiql)
    elif len(sys.argv) == 2:
        finish(Path(sys.argv[1]).resolve())
    else:
        raise SystemExit(
            "usage: python3.12 lambda_build.py [FUNCTION] ARTIFACTS_DIR\n"
            f"FUNCTION is one of {', '.join(FUNCTIONS)}"
        )
