"""The app as `saring serve` runs it (each operation in a worker thread), many requests at once:
the same answers as one at a time, and each request's log line keeps its own correlation id."""

from __future__ import annotations

import asyncio
import json

import httpx

from saring.api.app import create_app

VERDICTS = """query($l: [ListingInput!]!) { verdicts(listings: $l) { listingId decision score } }"""


def _listing(n: int) -> dict:
    title = "bal thrift korea isi 100 pcs" if n % 2 else "Kemeja batik pria lengan panjang"
    return {"listingId": f"L-{n}", "sellerId": f"s-{n % 3}", "title": title, "priceIdr": 1000 + n}


async def _post_all(app, key: str, count: int) -> list[tuple[str, dict]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://saring") as client:

        async def one(n: int) -> tuple[str, dict]:
            correlation = f"request-{n}"
            response = await client.post(
                "/graphql",
                json={"query": VERDICTS, "variables": {"l": [_listing(n), _listing(n + 1)]}},
                headers={"authorization": f"Bearer {key}", "x-correlation-id": correlation},
            )
            assert response.status_code == 200, response.text
            return correlation, response.json()

        return await asyncio.gather(*(one(n) for n in range(count)))


def test_threaded_execution_answers_as_inline_execution_does(services, demo_keys):
    inline = asyncio.run(_post_all(create_app(services), demo_keys["shopee"], 12))
    threaded = asyncio.run(
        _post_all(create_app(services, execute_in_threads=True), demo_keys["shopee"], 12)
    )
    assert threaded == inline
    assert all("errors" not in body for _, body in threaded)


def test_requests_served_at_once_keep_their_own_correlation_ids(services, demo_keys, json_logs):
    app = create_app(services, execute_in_threads=True)
    answered = asyncio.run(_post_all(app, demo_keys["tokopedia"], 16))
    records = [json.loads(line) for line in json_logs.getvalue().splitlines() if line.strip()]
    requests = [record for record in records if record.get("message") == "request"]
    assert len(requests) == len(answered) == 16
    # Every request logged once, under its own id, however the requests interleaved.
    by_correlation = {record["correlation_id"]: record for record in requests}
    assert sorted(by_correlation) == sorted(correlation for correlation, _ in answered)
