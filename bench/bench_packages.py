"""Each Lambda function's package, unzipped, beside Lambda's 250 MB limit.

    .venv/bin/python bench/bench_packages.py     # prints JSON

Each function is built into a temporary directory exactly as `sam build` builds it
(functions/Makefile: `python3.12 lambda_build.py FUNCTION ARTIFACTS_DIR`: wheels for Lambda's
platform from the package index, `saring` without local tooling, botocore slimmed, bytecode).
Each handler is then imported by python3.12 from its package alone, with no site-packages, to
show the package holds what the handler imports. The limit applies to the code and its layers
together, so the functions that take the model
layer report it too. The baseline is the package every function shipped before: all of
requirements.txt and all of `saring`, built the same way.

Building needs python3.12 (the runtime's own, for the bytecode; LAMBDA_PYTHON names another)
with pip, and the package index. Without them the section says why and is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = REPO_ROOT / "functions"
MODEL_DIR = REPO_ROOT / "models" / "listing-classifier"
MB = 1024 * 1024


def _build_script() -> Any:
    import importlib.util

    if "lambda_build" in sys.modules:
        return sys.modules["lambda_build"]
    spec = importlib.util.spec_from_file_location("lambda_build", FUNCTIONS_DIR / "lambda_build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["lambda_build"] = module
    spec.loader.exec_module(module)
    return module


def lambda_python() -> str | None:
    """The runtime's Python with pip, or None."""
    python = os.environ.get("LAMBDA_PYTHON", "python3.12")
    try:
        probe = subprocess.run(
            [python, "-c", "import sys, pip; assert sys.version_info[:2] == (3, 12)"],
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return python if probe.returncode == 0 else None


def model_layer_bytes() -> int:
    """What `make model-layer` puts in the layer: the model and its JSON files."""
    files = [MODEL_DIR / "model.onnx", *MODEL_DIR.glob("*.json")]
    return sum(path.stat().st_size for path in files if path.is_file())


def _build(python: str, arguments: list[str], cwd: Path) -> None:
    subprocess.run(
        [python, "lambda_build.py", *arguments],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )


IMPORT_CHILD = """
import importlib, sys
sys.path.insert(0, sys.argv[1])
for name in sys.argv[2:]:
    importlib.import_module(name)
"""


def imports_from_package(python: str, target: Path, modules: list[str]) -> str:
    """The handler and its later imports, imported by the runtime's Python from the package
    alone (-S: no site-packages), as Lambda would: "ok", or the error's last line."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONDONTWRITEBYTECODE": "1",  # the code directory is read-only on Lambda
        "AWS_DEFAULT_REGION": "ap-southeast-3",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "SARING_TABLE": "bench",
        "SARING_IDENTITY_SECRET": "bench-identity-secret-0123456789abcdef",
        "SARING_MODEL_DIR": str(MODEL_DIR),
        "SARING_SCAN_QUEUE_URL": "https://sqs.ap-southeast-3.amazonaws.com/1/bench",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    if "PYENV_VERSION" in os.environ:
        env["PYENV_VERSION"] = os.environ["PYENV_VERSION"]
    child = subprocess.run(
        [python, "-S", "-c", IMPORT_CHILD, str(target), *modules],
        env=env,
        capture_output=True,
        text=True,
    )
    if child.returncode == 0:
        return "ok"
    return (child.stderr.strip().splitlines() or ["failed"])[-1]


def _largest(directory: Path, build: Any, count: int = 3) -> dict[str, float]:
    sizes = {
        entry.name: build.size_bytes(entry) if entry.is_dir() else entry.stat().st_size
        for entry in directory.iterdir()
        if not entry.name.endswith(".dist-info")
    }
    top = sorted(sizes.items(), key=lambda item: item[1], reverse=True)[:count]
    return {name: round(size / MB, 1) for name, size in top}


def run() -> dict[str, Any]:
    build = _build_script()
    python = lambda_python()
    if python is None:
        return {
            "skipped": "no python3.12 with pip to build the Lambda packages with (set "
            "LAMBDA_PYTHON to one); the sizes are not measured"
        }
    layer = model_layer_bytes()
    functions: dict[str, Any] = {}
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="saring-packages-") as scratch:
            for name, entry in build.FUNCTIONS.items():
                target = Path(scratch) / name
                _build(python, [name, str(target)], FUNCTIONS_DIR)
                code = build.size_bytes(target)
                functions[name] = {
                    "unzipped_mb": round(code / MB, 1),
                    "with_layers_mb": round((code + (layer if entry.model_layer else 0)) / MB, 1),
                    "largest_mb": _largest(target, build),
                    "distributions": list(entry.distributions),
                    "handler_imports_from_package": imports_from_package(
                        python, target, [entry.handler, *entry.later_imports]
                    ),
                }
                shutil.rmtree(target)
            baseline = _baseline(python, Path(scratch), build)
    except subprocess.CalledProcessError as error:
        lines = (error.stderr or "").strip().splitlines()
        tail = [line for line in lines if line.startswith("ERROR")] or lines[-3:]
        return {"skipped": "a Lambda package did not build (is the package index reachable?)",
                "error": tail}  # fmt: skip
    return {
        "functions": functions,
        "model_layer_mb": round(layer / MB, 1),
        "baseline_every_function_before_mb": baseline,
        "limit_unzipped_mb": build.LAMBDA_UNZIPPED_LIMIT_MB,
        "build_seconds": round(time.perf_counter() - started, 1),
        "note": "unzipped bytes of each package as `sam build` makes it "
        "(functions/lambda_build.py); the limit counts the function's layers too",
    }


def _baseline(python: str, scratch: Path, build: Any) -> float:
    """The package before: every requirement and all of `saring`, through the same steps."""
    target = scratch / "before"
    requirements = (FUNCTIONS_DIR / "requirements.txt").read_text(encoding="utf-8").split()
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-compile", *build.LAMBDA_WHEELS,
         "--target", str(target), *requirements],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    shutil.copytree(
        FUNCTIONS_DIR / "saring", target / "saring", ignore=shutil.ignore_patterns("__pycache__")
    )
    _build(python, [str(target)], FUNCTIONS_DIR)
    return round(build.size_bytes(target) / MB, 1)


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
