"""The regulators' and platforms' console: static files served by `saring serve` at /console/
and published to S3 behind CloudFront by `make console-publish` (docs/console.md).

The page finds the API through `config.json`: `saring serve` answers it from its own settings
(the API on the same origin), the deploy uploads one written by `python -m saring.console`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

STATIC_DIR = Path(__file__).resolve().parent / "static"
PREFIX = "/console"

# Nothing but the page's own origin: no CDN, no font host, no inline script. Served by
# `saring serve`; CloudFront sends the same policy plus the API's origin (template.yaml).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'; object-src 'none'"
)


def console_config(platforms: Sequence[str], graphql_url: str) -> dict[str, Any]:
    """What the page reads first: where the API is and which platforms may receive orders."""
    return {"graphql": graphql_url, "platforms": list(platforms)}


def with_console(api: Any, platforms: Sequence[str], graphql_url: str = "/graphql") -> Any:
    """`api` with the console mounted at /console/; every other path goes to `api` unchanged."""
    from starlette.exceptions import HTTPException
    from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse
    from starlette.staticfiles import StaticFiles

    static = StaticFiles(directory=STATIC_DIR, html=True)
    config = JSONResponse(
        console_config(platforms, graphql_url), headers={"cache-control": "no-store"}
    )

    async def app(scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await api(scope, receive, send)
            return
        if path == PREFIX:
            await RedirectResponse(PREFIX + "/")(scope, receive, send)
            return

        async def secured(message: dict) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
            await send(message)

        if path == PREFIX + "/config.json":
            await config(scope, receive, secured)
            return
        # As Starlette's Mount passes it on: the full path, the prefix as root_path.
        try:
            await static(dict(scope, root_path=scope.get("root_path", "") + PREFIX), receive, secured)
        except HTTPException as error:  # outside a Starlette app nothing else turns it into a reply
            await PlainTextResponse(error.detail, error.status_code)(scope, receive, secured)

    return app


def main(argv: list[str] | None = None) -> int:
    """Prints the config.json the deploy uploads next to the static files."""
    from saring.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m saring.console", description=main.__doc__)
    parser.add_argument("--graphql", required=True, help="the API's GraphQL URL (stack output ApiUrl)")
    args = parser.parse_args(argv)
    platforms = Settings.from_env().known_platforms  # SARING_PLATFORMS, as the API reads it
    print(json.dumps(console_config(platforms, args.graphql), indent=2))
    return 0
