"""The GraphiQL page and its files, served from the package: the page names no other host.

The files (React, ReactDOM, GraphiQL's bundle and stylesheet) are the npm packages' own builds,
fetched once at build time by `functions/graphiql_assets.py` into `graphiql/assets/` and named in
`graphiql/assets.json` with versions and sha384 hashes; the page gives each as subresource
integrity. They are read once per process, on the first request that needs them.
"""

from __future__ import annotations

import functools
import gzip
import html
import json
from dataclasses import dataclass
from pathlib import Path
from string import Template

GRAPHIQL_DIR = Path(__file__).resolve().parent / "graphiql"
# Under the GraphQL path, so the one API route prefix (and API Gateway's stage) covers both.
ASSETS_SEGMENT = "/assets/"


@dataclass(frozen=True)
class Asset:
    name: str
    sha384: str
    content_type: str
    body: bytes
    gzipped: bytes


@functools.cache
def _manifest() -> tuple[dict[str, str], ...]:
    return tuple(json.loads((GRAPHIQL_DIR / "assets.json").read_text())["assets"])


@functools.cache
def asset(name: str) -> Asset | None:
    """The named file if the manifest lists it and it is installed; None otherwise."""
    entry = next((entry for entry in _manifest() if entry["name"] == name), None)
    if entry is None:
        return None
    path = GRAPHIQL_DIR / "assets" / name
    if not path.is_file():
        return None
    body = path.read_bytes()
    # graphiql's bundle is 3.5 MB, 0.9 MB gzipped: a browser that accepts gzip gets that.
    return Asset(
        name, entry["sha384"], entry["content_type"], body, gzip.compress(body, 6, mtime=0)
    )


def page(graphql_path: str) -> str:
    """The GraphiQL page for the GraphQL endpoint at `graphql_path` (as the browser asked for it,
    so a stage prefix stays in every asset URL)."""
    base = graphql_path.rstrip("/") + ASSETS_SEGMENT
    missing = [entry["name"] for entry in _manifest() if asset(entry["name"]) is None]
    if missing:
        text = (GRAPHIQL_DIR / "missing.html").read_text()
        return Template(text).substitute(missing=html.escape(", ".join(missing)))
    stylesheets, scripts = [], []
    for entry in _manifest():
        url = html.escape(base + entry["name"], quote=True)
        integrity = f"sha384-{entry['sha384']}"
        if entry["name"].endswith(".css"):
            stylesheets.append(
                f'    <link rel="stylesheet" href="{url}" integrity="{integrity}" />'
            )
        else:
            scripts.append(f'    <script src="{url}" integrity="{integrity}"></script>')
    text = (GRAPHIQL_DIR / "page.html").read_text()
    return Template(text).substitute(stylesheets="\n".join(stylesheets), scripts="\n".join(scripts))


def asset_name(path: str) -> str | None:
    """The asset a request path names (`<prefix>/graphql/assets/<name>`), or None."""
    head, found, name = path.rpartition(ASSETS_SEGMENT)
    if not found or not head.endswith("/graphql") or "/" in name or not name:
        return None
    return name
