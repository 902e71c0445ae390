"""How the console's files are served and shipped: `saring serve`'s mount at /console/, its
config.json, the deploy's config, and the package data that carries the files in a wheel."""

from __future__ import annotations

import asyncio
import fnmatch
import json
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from urllib.parse import unquote

import pytest

from saring.console import CONTENT_SECURITY_POLICY, STATIC_DIR, with_console
from tests.conftest import REPO_ROOT


async def api(scope, receive, send):
    """Stands in for the GraphQL app: says which path reached it."""
    body = json.dumps({"api": scope["path"]}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


@dataclass
class Response:
    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode()

    def json(self):
        return json.loads(self.content)


class Client:
    """Sends one GET through the ASGI app, as uvicorn would (raw path, already split)."""

    def __init__(self, app) -> None:
        self.app = app

    def get(self, path: str) -> Response:
        return asyncio.run(self._get(path))

    async def _get(self, path: str) -> Response:
        messages = []
        requested = False
        done = asyncio.Event()

        async def receive():
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await done.wait()  # the client stays until the whole response is in
            return {"type": "http.disconnect"}

        async def send(message):
            messages.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": unquote(path), "raw_path": path.encode(), "root_path": "",
            "query_string": b"", "headers": [(b"host", b"console.test")],
            "server": ("console.test", 80), "client": ("127.0.0.1", 1),
        }
        await self.app(scope, receive, send)
        start = messages[0]
        body = b"".join(m.get("body", b"") for m in messages[1:])
        headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return Response(start["status"], headers, body)


@pytest.fixture
def client() -> Client:
    return Client(with_console(api, ("shopee", "lazada")))


def test_the_console_is_served_under_its_prefix_with_its_policy(client):
    redirect = client.get("/console")
    assert redirect.status_code in (307, 308)
    assert redirect.headers["location"].endswith("/console/")
    page = client.get("/console/")
    assert page.status_code == 200
    assert page.text == (STATIC_DIR / "index.html").read_text()
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    script = client.get("/console/js/main.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    config = client.get("/console/config.json")
    assert config.json() == {"graphql": "/graphql", "platforms": ["shopee", "lazada"]}
    assert config.headers["cache-control"] == "no-store"
    assert (client.get("/console/nothing.js")).status_code == 404


def test_only_the_console_paths_are_taken(client):
    for path in ("/graphql", "/consoles", "/", "/console-x/index.html"):
        response = client.get(path)
        assert response.json() == {"api": path}, path


def test_no_file_outside_the_static_folder_is_served(client):
    for path in ("/console/../console/__init__.py", "/console/%2e%2e/__init__.py", "/console/..%2f__init__.py"):
        response = client.get(path)
        assert "STATIC_DIR" not in response.text, path


def test_the_deploys_config_names_the_api_and_the_stacks_platforms():
    result = subprocess.run(
        [sys.executable, "-m", "saring.console", "--graphql", "https://api.example/prod/graphql"],
        capture_output=True, text=True, check=True,
        env={"SARING_PLATFORMS": "shopee, blibli", "PATH": "/usr/bin:/bin"},
    )
    assert json.loads(result.stdout) == {
        "graphql": "https://api.example/prod/graphql",
        "platforms": ["shopee", "blibli"],
    }


def test_every_static_file_is_package_data():
    patterns = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["saring"]
    package = REPO_ROOT / "functions" / "saring"
    files = [p.relative_to(package).as_posix() for p in STATIC_DIR.rglob("*") if p.is_file()]
    assert files
    unshipped = [f for f in files if not any(fnmatch.fnmatchcase(f, p) for p in patterns)]
    assert unshipped == []
