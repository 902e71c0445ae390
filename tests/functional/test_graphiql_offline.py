"""GraphiQL works with no internet: the page names no other host, and every file it loads is
served by Saring itself, through the Lambda handler (API Gateway events, stage prefix included)
and through the ASGI app that `saring serve` runs; a real browser renders it with every other
host unreachable."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from tests.conftest import REPO_ROOT
from tests.functional.conftest import LambdaContext, api_gateway_event

MANIFEST = json.loads((REPO_ROOT / "functions/saring/api/graphiql/assets.json").read_text())[
    "assets"
]


class _References(HTMLParser):
    """Every URL the page would load: src and href attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append((tag, attributes[name], attributes))


def references(page: str) -> list[tuple[str, str, dict[str, str | None]]]:
    parser = _References()
    parser.feed(page)
    return parser.urls


def sha384(data: bytes) -> str:
    return base64.b64encode(hashlib.sha384(data).digest()).decode()


def _get(lambda_handler, path: str, route: str, accept: str, encoding: str = "") -> dict:
    event = api_gateway_event("", {"accept": accept, "accept-encoding": encoding})
    event["requestContext"]["http"]["method"] = "GET"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["routeKey"] = route
    return lambda_handler.handler(event, LambdaContext())


def _body(response: dict) -> bytes:
    body = response["body"]
    raw = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
    if response["headers"].get("content-encoding") == "gzip":
        raw = gzip.decompress(raw)
    return raw


def test_the_page_names_no_other_host(lambda_handler):
    response = _get(lambda_handler, "/prod/graphql", "GET /graphql", "text/html")
    assert response["statusCode"] == 200
    page = response["body"]
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page, re.IGNORECASE), page
    urls = references(page)
    loaded = [url for tag, url, _ in urls if tag in ("script", "link") and url != "data:,"]
    assert sorted(loaded) == sorted(f"/prod/graphql/assets/{a['name']}" for a in MANIFEST)
    # The key header hint: the Headers tab starts with the header a caller must fill in.
    assert "Authorization" in page and "Bearer srg_..." in page


@pytest.mark.parametrize("encoding", ["", "gzip, deflate, br"])
def test_each_file_the_page_loads_is_served_by_the_lambda_handler(lambda_handler, encoding):
    page = _get(lambda_handler, "/prod/graphql", "GET /graphql", "text/html")["body"]
    loaded = [(url, attrs) for tag, url, attrs in references(page) if tag in ("script", "link")]
    expected = {f"/prod/graphql/assets/{a['name']}": a for a in MANIFEST}
    checked = 0
    for url, attrs in loaded:
        if url == "data:,":
            continue
        asset = expected[url]
        response = _get(lambda_handler, url, "GET /graphql/assets/{asset}", "*/*", encoding)
        assert response["statusCode"] == 200, (url, response)
        assert response["headers"]["content-type"] == asset["content_type"]
        body = _body(response)
        assert sha384(body) == asset["sha384"], url
        assert attrs["integrity"] == f"sha384-{asset['sha384']}"
        checked += 1
    assert checked == len(MANIFEST)


def test_an_unknown_file_is_404_and_assets_need_no_key_but_run_nothing(lambda_handler):
    response = _get(
        lambda_handler, "/prod/graphql/assets/evil.js", "GET /graphql/assets/{asset}", "*/*"
    )
    assert response["statusCode"] == 404
    response = _get(
        lambda_handler, "/prod/graphql/assets/..%2Fschema.py", "GET /graphql/assets/{asset}", "*/*"
    )
    assert response["statusCode"] == 404


def test_the_local_server_serves_the_same_files(services):
    import asyncio

    import httpx

    from saring.api.app import create_app

    async def fetch_all() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            page = await client.get("/graphql", headers={"accept": "text/html"})
            assert page.status_code == 200
            urls = [url for tag, url, _ in references(page.text) if tag in ("script", "link")]
            return [await client.get(url) for url in urls if url != "data:,"]

    responses = asyncio.run(fetch_all())
    assert len(responses) == len(MANIFEST)
    by_name = {a["name"]: a for a in MANIFEST}
    for response in responses:
        asset = by_name[response.url.path.rsplit("/", 1)[1]]
        assert response.status_code == 200
        assert response.headers["content-type"] == asset["content_type"]
        assert sha384(response.content) == asset["sha384"]


def test_the_api_function_package_ships_the_files_and_the_scan_functions_do_not(tmp_path):
    import sys

    sys.path.insert(0, str(REPO_ROOT / "functions"))
    try:
        import lambda_build
    finally:
        sys.path.remove(str(REPO_ROOT / "functions"))
    assert lambda_build.FUNCTIONS["ApiFunction"].graphiql
    lambda_build.copy_saring(tmp_path / "api", graphiql=True)
    lambda_build.copy_saring(tmp_path / "split", graphiql=False)
    for asset in MANIFEST:
        shipped = tmp_path / "api/saring/api/graphiql/assets" / asset["name"]
        assert sha384(shipped.read_bytes()) == asset["sha384"]
        assert not (tmp_path / "split/saring/api/graphiql/assets" / asset["name"]).exists()
    assert (tmp_path / "api/saring/api/graphiql/page.html").is_file()


def test_the_template_routes_the_files_to_the_api_function():
    template = (REPO_ROOT / "template.yaml").read_text()
    assert "Path: /graphql/assets/{asset}" in template


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_a_browser_renders_graphiql_with_every_other_host_unreachable(services, tmp_path):
    from tests.e2e.conftest import app_server

    if CHROMIUM is None:  # a skip would pass CI without the one check a person would make
        pytest.fail("no chromium: apt-get install chromium (.ci/run does)")

    with app_server(services) as url:
        result = subprocess.run(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tmp_path / 'profile'}",
                # Any host but this server's fails to resolve: offline, as far as the page knows.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--virtual-time-budget=15000", "--dump-dom", url,
            ],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    dom = result.stdout
    assert "graphiql-container" in dom and "graphiql-editor" in dom, (
        dom[-2000:],
        result.stderr[-2000:],
    )
    assert "Loading GraphiQL..." not in dom
    assert "Bearer srg_..." in dom  # the Headers tab, open, with the key hint
