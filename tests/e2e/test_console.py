"""The console in a real browser: Debian's headless Chromium driven by Playwright, against
`saring serve` (the `local_stack` fixture), as an officer and a platform would use it.

`SARING_CONSOLE_SCREENSHOTS=1` also writes docs/img/console-*.png, one per view, from a stack of
its own (ports 8600 and 8601) whose urgent orders are due at once, so the charts have late
removals, overdue targets and ST1 notices to show (ST2 comes a whole hour later at the least).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit
from uuid import uuid4

import pytest

from tests.conftest import REPO_ROOT
from tests.e2e.conftest import LocalStack

CHROMIUM = Path(os.environ.get("SARING_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = REPO_ROOT / "docs" / "img" if os.environ.get("SARING_CONSOLE_SCREENSHOTS") else None

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class Officer:
    """One browser tab (its own sessionStorage) with every request it makes recorded."""

    def __init__(self, browser, origin: str) -> None:
        self.origin = origin
        self.context = browser.new_context(
            locale="id-ID", timezone_id="Asia/Jakarta", viewport={"width": 1200, "height": 860}
        )
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        # The refused key's 401 is what the test asks for; Chromium logs it as an error.
        if message.type == "error" and "status of 401" not in message.text:
            self.errors.append(message.text)

    def open(self) -> None:
        self.page.goto(f"{self.origin}/console/")

    def sign_in(self, key: str) -> None:
        self.page.get_by_label("Kunci API").fill(key)
        self.page.get_by_role("button", name="Masuk").click()

    def view(self, name: str) -> None:
        self.page.locator("#nav").get_by_role("link", name=name, exact=True).click()

    def shot(self, name: str) -> None:
        if SCREENSHOTS is not None:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.wait_for_timeout(200)
            self.page.screenshot(path=str(SCREENSHOTS / f"console-{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


def figure(page, platform: str, name: str) -> str:
    return page.locator(f'[data-testid=compliance-table] tr[data-platform="{platform}"] td[data-figure="{name}"]').inner_text()


ISSUE = """mutation($i: IssueTakedownInput!) { issueTakedown(input: $i) { id reference targets { id value } } }"""
ACKNOWLEDGE = """mutation($i: AcknowledgeTakedownInput!) { acknowledgeTakedown(input: $i) { id state } }"""


def call(stack, key: str, query: str, variables: dict) -> dict:
    body = stack.post(query, key, variables).json()
    assert "errors" not in body, body
    return body["data"]


def issue(stack, platform: str, values: list[str], kind: str = "LISTING", urgency: str = "STANDARD") -> dict:
    return call(stack, stack.keys["kemendag"], ISSUE, {"i": {
        "reference": f"KEMENDAG/PKTN/2026/{uuid4().hex[:6]}", "legalBasis": "Permendag 40/2022",
        "reason": "pakaian bekas impor", "urgency": urgency,
        "targets": [{"platform": platform, "kind": kind, "value": value} for value in values],
    }})["issueTakedown"]


PICTURED_SETTINGS = {"SARING_URGENT_DEADLINE_HOURS": "0"}


@pytest.fixture(scope="module")
def stack(request) -> Iterator[LocalStack]:
    if SCREENSHOTS is None:
        yield request.getfixturevalue("local_stack")
        return
    keys_file = request.getfixturevalue("tmp_path_factory").mktemp("pictured") / "keys.json"
    env = {**os.environ, **PICTURED_SETTINGS, "PYTHONUNBUFFERED": "1"}
    env.pop("AWS_ENDPOINT_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "saring.cli", "serve", "--port", "8600", "--dynamodb-port", "8601",
         "--keys-out", str(keys_file)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while not keys_file.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert keys_file.exists(), "the screenshot stack did not start (ports 8600, 8601 busy?)"
        time.sleep(1)  # the keys are written just before uvicorn listens
        keys = {entry["name"]: entry["key"] for entry in json.loads(keys_file.read_text())}
        yield LocalStack(
            "http://127.0.0.1:8600/graphql", 8600, keys, keys_file, process, "http://127.0.0.1:8601"
        )
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def run_notices(stack: LocalStack) -> None:
    """`saring notices run` against the screenshot stack's moto, as the scheduled function."""
    env = {**os.environ, **PICTURED_SETTINGS, "AWS_ENDPOINT_URL": stack.aws_endpoint,
           "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
           "AWS_DEFAULT_REGION": "ap-southeast-3", "SARING_TABLE": "saring-local"}
    subprocess.run([sys.executable, "-m", "saring.cli", "notices", "run"], env=env, check=True,
                   stdout=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def pictured(stack) -> None:
    """For screenshots only: orders on two platforms, answered in several ways, some late and
    some overdue with notices."""
    if SCREENSHOTS is None:
        return
    for platform, count, answers, urgency in (
        ("tokopedia", 6, ["REMOVED", "REMOVED", "NOT_FOUND", "REMOVED"], "STANDARD"),
        ("shopee", 4, ["REMOVED", "REMOVED"], "STANDARD"),
        ("shopee", 3, ["REMOVED"], "URGENT"),  # due at once: removed late, the others overdue
        ("tokopedia", 2, [], "URGENT"),
    ):
        order = issue(stack, platform, [f"{platform[:2]}-{uuid4().hex[:6]}" for _ in range(count)], urgency=urgency)
        for target, state in zip(order["targets"], answers, strict=False):
            call(stack, stack.keys[platform], ACKNOWLEDGE, {"i": {"targetId": target["id"], "state": state}})
    issue(stack, "shopee", [f"https://shopee.co.id/jaket-bal-korea-i.{uuid4().int % 10**6}.{uuid4().int % 10**8}"], "URL", "URGENT")
    run_notices(stack)  # ST1 for every overdue target


def test_an_order_from_issue_to_acknowledgement(browser, stack, pictured):
    from playwright.sync_api import expect

    origin = f"http://127.0.0.1:{stack.port}"
    regulator = Officer(browser, origin)
    platform = Officer(browser, origin)
    page = regulator.page
    try:
        # A bad key is refused, with a message at the key field; nothing is kept.
        regulator.open()
        expect(page.get_by_role("heading", name="Masuk ke konsol Saring")).to_be_visible()
        regulator.shot("login")
        regulator.sign_in("srg_" + "x" * 43)
        expect(page.get_by_text("Kunci API ditolak")).to_be_visible()
        expect(page.get_by_label("Kunci API")).to_have_attribute("aria-invalid", "true")
        assert page.evaluate("sessionStorage.getItem('saring.apiKey')") is None

        # The regulator signs in and reads shopee's compliance before the order.
        regulator.sign_in(stack.keys["kemendag"])
        expect(page.locator("#who")).to_have_text("Regulator kemendag")
        expect(page.locator("[data-testid=compliance-table]")).to_be_visible()
        # Every operation the console probes for is on this server: a probe that stopped
        # matching the schema would hide its view without a word.
        capabilities = page.evaluate("import('./js/api.js').then((api) => api.probeCapabilities())")
        assert capabilities and all(capabilities.values()), capabilities
        # ...and one the server lacks is seen as missing (its view hidden), not as a failure.
        missing = page.evaluate(
            """async () => {
              const api = await import('./js/api.js');
              const probes = [
                'query($x: Boolean! = false) { takedownOrderz(first: 1) @include(if: $x) { edges { cursor } } }',
                'mutation($x: Boolean! = false) { withdrawTakedown(input: {orderId: "-", reazon: "-"}) @include(if: $x) { id } }',
                'query($x: Boolean! = false) { takedownTargets(first: 1) @include(if: $x) { edges { node { noticez { level } } } } }',
              ];
              return Promise.all(probes.map((query) => api.gql(query).then(() => 'answered', (e) => e.unsupported)));
            }"""
        )
        assert missing == [True, True, True]
        removed_before = int(figure(page, "shopee", "removed"))
        received_before = int(figure(page, "shopee", "received"))

        # Issue an order: each error is shown at the field that caused it.
        regulator.view("Terbitkan perintah")
        form = page.locator("[data-testid=issue-form]")
        expect(form).to_be_visible()
        listing = f"console-sp-{uuid4().hex[:8]}"
        page.get_by_label("Alasan", exact=True).fill("pakaian bekas impor")
        page.get_by_label("Platform").select_option("shopee")
        page.get_by_label("Target, satu per baris").fill(f"{listing}\nhttps://\n")
        page.get_by_role("button", name="Terbitkan").click()
        reference_field = page.locator("#f-reference")
        expect(reference_field).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#f-reference-error")).to_contain_text("reference")

        reference = f"KEMENDAG/CONSOLE/{uuid4().hex[:8]}"
        reference_field.fill(reference)
        page.get_by_role("button", name="Terbitkan").click()
        targets_error = page.locator("#f-targets-error")
        expect(targets_error).to_contain_text("Baris 2 (https://)")
        expect(page.locator("#f-targets")).to_have_attribute("aria-invalid", "true")
        expect(reference_field).not_to_have_attribute("aria-invalid", "true")
        regulator.shot("issue-order")

        page.get_by_label("Target, satu per baris").fill(
            f"{listing}\nhttps://shopee.co.id/{listing}-i.77.{uuid4().int % 10**9}"
        )
        page.get_by_role("button", name="Terbitkan").click()

        # The order's page: every target pending.
        expect(page.get_by_role("heading", name=f"Perintah {reference}")).to_be_visible()
        expect(page.get_by_text(f"Perintah {reference} diterbitkan.")).to_be_visible()
        rows = page.locator("[data-testid=targets] tbody tr")
        expect(rows).to_have_count(2)
        for i in range(2):
            expect(rows.nth(i)).to_have_attribute("data-state", "PENDING")
            expect(rows.nth(i).locator("[data-column=state]")).to_contain_text("Tertunda")
        order_url = page.url
        regulator.shot("order")

        # The platform signs in, sees the target among its pending ones and acknowledges it.
        platform.open()
        platform.sign_in(stack.keys["shopee"])
        expect(platform.page.locator("#who")).to_have_text("Platform shopee")
        row = platform.page.locator(f'[data-testid=targets] tr[data-value="{listing}"]')
        expect(row).to_be_visible()
        expect(row).to_contain_text(reference)
        platform.shot("targets")
        # The reference opens the order as the platform sees it: its own targets only.
        row.get_by_role("link", name=reference).click()
        expect(platform.page.get_by_role("heading", name=f"Perintah {reference}")).to_be_visible()
        expect(platform.page.locator("[data-testid=targets] tbody tr")).to_have_count(2)
        expect(platform.page.get_by_role("button", name="Cabut perintah")).to_have_count(0)
        platform.page.get_by_role("link", name="← Target tertunda").click()
        row.get_by_role("button", name="Sudah dihapus").click()
        expect(platform.page.get_by_text(f"Target {listing}: Dihapus.")).to_be_visible()
        expect(platform.page.locator(f'[data-testid=targets] tr[data-value="{listing}"]')).to_have_count(0)

        # Back at the regulator (a reload: the session comes back from sessionStorage), the
        # target is removed and compliance counts it.
        assert page.url == order_url
        page.reload()
        expect(page.locator(f'[data-testid=targets] tr[data-value="{listing}"]')).to_have_attribute("data-state", "REMOVED")
        regulator.view("Kepatuhan")
        expect(page.locator("[data-testid=compliance-table]")).to_be_visible()
        assert int(figure(page, "shopee", "received")) == received_before + 2
        assert int(figure(page, "shopee", "removed")) == removed_before + 1
        assert figure(page, "shopee", "onTimeRate") != "—"
        expect(page.locator("[data-testid=chart-on-time] svg rect").first).to_be_visible()
        regulator.shot("compliance")

        # Both languages; the key is in this tab's sessionStorage only.
        page.locator("#lang").click()
        expect(page.locator("#nav")).to_contain_text("Compliance")
        expect(page.get_by_role("heading", name="Compliance per platform")).to_be_visible()
        page.locator("#lang").click()
        expect(page.locator("#nav")).to_contain_text("Kepatuhan")
        assert page.evaluate("sessionStorage.getItem('saring.apiKey')") == stack.keys["kemendag"]
        assert page.evaluate("localStorage.length") == 0
        assert regulator.context.cookies() == []

        # Signing out forgets the key.
        page.get_by_role("button", name="Keluar").click()
        expect(page.get_by_label("Kunci API")).to_be_visible()
        assert page.evaluate("sessionStorage.getItem('saring.apiKey')") is None

        for officer in (regulator, platform):
            assert officer.errors == [], officer.errors
            assert officer.requests, "the browser made no request"
            elsewhere = [url for url in officer.requests if _origin(url) != origin]
            assert elsewhere == [], f"requests to another host: {elsewhere}"
    finally:
        regulator.close()
        platform.close()


def test_disputes_withdrawal_and_appeals(browser, stack, pictured):
    from playwright.sync_api import expect

    origin = f"http://127.0.0.1:{stack.port}"
    disputed, kept = f"console-d-{uuid4().hex[:6]}", f"console-k-{uuid4().hex[:6]}"
    order = issue(stack, "shopee", [disputed, kept])
    seller = f"console-seller-{uuid4().hex[:6]}"
    strike = call(stack, stack.keys["shopee"], """mutation($i: RecordViolationInput!) {
        recordViolation(input: $i) { strikes(first: 1) { edges { node { id } } } } }""",
        {"i": {"sellerId": seller, "idempotencyKey": uuid4().hex, "note": "confirmed by review"}},
    )["recordViolation"]["strikes"]["edges"][0]["node"]["id"]
    call(stack, stack.keys["shopee"], """mutation($i: FileAppealInput!) { fileAppeal(input: $i) { id } }""",
         {"i": {"platform": "shopee", "sellerId": seller, "strikeId": strike, "idempotencyKey": uuid4().hex,
                "statement": "Stok baru dari konveksi Bandung; nota terlampir."}})

    # A strike from an order (its SHOP target taken down), appealed: the agency decides it.
    shop = f"console-shop-{uuid4().hex[:6]}"
    shop_target = issue(stack, "shopee", [shop], "SHOP")["targets"][0]["id"]
    call(stack, stack.keys["shopee"], ACKNOWLEDGE, {"i": {"targetId": shop_target, "state": "REMOVED"}})
    order_strike = call(stack, stack.keys["shopee"], "query($s: ID!) { seller(platform: \"shopee\", sellerId: $s) { strikes(first: 1) { edges { node { id } } } } }",
                        {"s": shop})["seller"]["strikes"]["edges"][0]["node"]["id"]
    call(stack, stack.keys["shopee"], """mutation($i: FileAppealInput!) { fileAppeal(input: $i) { id } }""",
         {"i": {"platform": "shopee", "sellerId": shop, "strikeId": order_strike, "idempotencyKey": uuid4().hex,
                "statement": "Toko hanya menjual produk lokal."}})

    regulator = Officer(browser, origin)
    platform = Officer(browser, origin)
    try:
        # The platform disputes a target: a dispute without a note is refused at the note.
        platform.open()
        platform.sign_in(stack.keys["shopee"])
        row = platform.page.locator(f'[data-testid=targets] tr[data-value="{disputed}"]')
        row.get_by_role("button", name="Sengketakan…").click()
        row.get_by_role("button", name="Kirim sengketa").click()
        expect(row.locator("[data-field=note]")).to_have_attribute("aria-invalid", "true")
        expect(row.locator("[data-error-for=note]")).to_contain_text("note")
        row.get_by_label("Alasan sengketa").fill("Penjual hanya menjual stok baru; faktur di tiket 4411.")
        row.get_by_role("button", name="Kirim sengketa").click()
        expect(platform.page.get_by_text(f"Target {disputed}: Disengketakan.")).to_be_visible()

        # The regulator upholds it: the target is pending again.
        regulator.open()
        regulator.sign_in(stack.keys["kemendag"])
        regulator.view("Sengketa")
        row = regulator.page.locator(f'[data-testid=targets] tr[data-value="{disputed}"]')
        expect(row).to_contain_text("faktur di tiket 4411")
        regulator.shot("disputes")
        row.get_by_role("button", name="Putuskan").click()
        row.get_by_label("Putusan").select_option("UPHELD")
        row.get_by_label("Catatan").fill("Foto toko menunjukkan bal jaket bekas.")
        row.locator("form").get_by_role("button", name="Putuskan").click()
        expect(regulator.page.get_by_text("Sengketa diputuskan.")).to_be_visible()
        expect(regulator.page.locator(f'[data-testid=targets] tr[data-value="{disputed}"]')).to_have_count(0)

        # The orders list names the order; the regulator opens it and withdraws it.
        regulator.view("Perintah")
        link = regulator.page.locator(f'[data-testid=orders] tr[data-order="{order["id"]}"] a')
        expect(link).to_have_text(order["reference"])
        regulator.shot("orders")
        link.click()
        target_rows = regulator.page.locator("[data-testid=targets] tbody tr")
        expect(regulator.page.locator(f'tr[data-value="{disputed}"] [data-column=resolution]')).to_contain_text("tetap berlaku")
        regulator.page.get_by_role("button", name="Cabut perintah").click()
        regulator.page.get_by_label("Alasan pencabutan").fill("Diganti perintah KEMENDAG/PKTN/2026/0150")
        regulator.page.get_by_role("button", name="Cabut", exact=True).click()
        expect(regulator.page.get_by_text("Perintah dicabut.")).to_be_visible()
        expect(regulator.page.locator("[data-testid=order-status]")).to_contain_text("Dicabut")
        for i in range(2):
            expect(target_rows.nth(i)).to_have_attribute("data-state", "WITHDRAWN")

        # The agency decides the appeal of its order's strike: the strike stands.
        regulator.view("Banding")
        regulator.page.get_by_label("Platform").select_option("shopee")
        regulator.page.get_by_label("ID penjual").fill(shop)
        regulator.page.get_by_role("button", name="Tampilkan banding").click()
        appeal = regulator.page.locator("[data-testid=appeals] tbody tr")
        expect(appeal).to_contain_text("produk lokal")
        appeal.get_by_label("Putusan").select_option("UPHELD")
        appeal.get_by_label("Catatan").fill("Foto toko menunjukkan bal bekas.")
        appeal.get_by_role("button", name="Putuskan").click()
        expect(regulator.page.get_by_text("Banding diputuskan.")).to_be_visible()
        expect(regulator.page.locator("[data-testid=appeals] tbody tr")).to_have_attribute("data-status", "UPHELD")

        # The platform decides the seller's appeal: the strike is revoked.
        platform.view("Banding")
        platform.page.get_by_label("ID penjual").fill(seller)
        platform.page.get_by_role("button", name="Tampilkan banding").click()
        appeal = platform.page.locator("[data-testid=appeals] tbody tr")
        expect(appeal).to_have_attribute("data-status", "OPEN")
        expect(appeal).to_contain_text("konveksi Bandung")
        platform.shot("appeals")
        appeal.get_by_label("Putusan").select_option("REVOKED")
        appeal.get_by_label("Catatan").fill("Nota cocok dengan barang.")
        appeal.get_by_role("button", name="Putuskan").click()
        expect(platform.page.get_by_text("Banding diputuskan.")).to_be_visible()
        expect(platform.page.locator("[data-testid=appeals] tbody tr")).to_have_attribute("data-status", "REVOKED")
        seller_now = call(stack, stack.keys["shopee"],
                          "query($s: ID!) { seller(platform: \"shopee\", sellerId: $s) { activeStrikes } }", {"s": seller})
        assert seller_now["seller"]["activeStrikes"] == 0

        # The platform reads its own compliance.
        platform.view("Kepatuhan")
        expect(platform.page.get_by_role("heading", name="Kepatuhan shopee")).to_be_visible()
        expect(platform.page.locator('[data-testid=compliance-table] tr[data-platform="shopee"]')).to_be_visible()
        expect(platform.page.locator("[data-testid=compliance-table] tbody tr")).to_have_count(1)
        platform.shot("platform-compliance")

        for officer in (regulator, platform):
            assert officer.errors == [], officer.errors
            assert [url for url in officer.requests if _origin(url) != origin] == []
    finally:
        regulator.close()
        platform.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_every_string_has_both_languages(browser, stack):
    """The two tables name the same keys, and no value is left empty."""
    officer = Officer(browser, f"http://127.0.0.1:{stack.port}")
    try:
        officer.open()
        missing = officer.page.evaluate(
            """async () => {
              const { STRINGS } = await import('./js/i18n.js');
              const id = Object.keys(STRINGS.id), en = Object.keys(STRINGS.en);
              return {
                onlyId: id.filter((k) => !en.includes(k)),
                onlyEn: en.filter((k) => !id.includes(k)),
                empty: [...id, ...en].filter((k) => !STRINGS.id[k] || !STRINGS.en[k]),
              };
            }"""
        )
        assert missing == {"onlyId": [], "onlyEn": [], "empty": []}
    finally:
        officer.close()


def test_the_files_name_no_other_host():
    """What the page loads, as written: every URL in it is relative."""
    static = REPO_ROOT / "functions" / "saring" / "console" / "static"
    files = [p for p in static.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} <= {".html", ".css", ".js"}
    url = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.IGNORECASE)
    for path in files:
        text = path.read_text()
        # The SVG namespace is a name, never fetched.
        text = text.replace("http://www.w3.org/2000/svg", "")
        assert not url.search(text), f"{path.name} names another host: {url.search(text).group()}"
        assert "@import" not in text and "url(" not in text.replace("url(#", ""), path.name
