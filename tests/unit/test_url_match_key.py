"""url_match_key: one match key per listing, however its URL is written."""

from __future__ import annotations

import json

import pytest

from saring.domain.orders import ActiveOrderIndex, normalise_url, url_match_key
from tests.conftest import SHARED_DATA

REAL_TITLES = SHARED_DATA / "real_titles_dev.jsonl"


def spellings(url: str) -> list[str]:
    """The ways one listing's URL arrives: scheme, host prefix, trailing slash, dot segments,
    backslashes, case of scheme and host, tracking parameters, fragments."""
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    bare = host.removeprefix("www.").removeprefix("m.")
    head, _, tail = path.rpartition("/")
    return [
        url,
        f"http://{rest}",
        f"https://{bare}/{path}",
        f"https://m.{bare}/{path}",
        f"HTTPS://WWW.{bare.upper()}/{path}",
        f"{url}/",
        f"https://{bare}/{head}/./{tail}" if head else f"https://{bare}/./{tail}",
        f"https://{bare}/{head}/x/../{tail}" if head else f"https://{bare}/x/../{tail}",
        f"https://{bare}\\{path.replace('/', chr(92))}",
        f"{url}?utm_source=wa&fbclid=1#reviews",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.tokopedia.com/thriftbalkorea/jaket-bekas-korea",
        "https://shopee.co.id/Jaket-Thrift-Korea-i.123456.987654321",
        "https://example.com/listing/42",
    ],
)
def test_every_spelling_of_a_listing_gives_one_key(url):
    keys = {url_match_key(spelling) for spelling in spellings(url)}
    assert len(keys) == 1, keys


def test_each_marketplaces_forms_of_one_item_are_one_key():
    shopee = {
        url_match_key("https://shopee.co.id/Jaket-Thrift-Korea-i.123456.987654321"),
        url_match_key("https://shopee.co.id/product/123456/987654321"),
        url_match_key("http://m.shopee.co.id/product/123456/987654321/?sp_atk=abc"),
        url_match_key("https://shopee.co.id/i.123456.987654321"),
    }
    assert shopee == {"shopee.co.id/product/123456/987654321"}
    tokopedia = {
        url_match_key("https://www.tokopedia.com/ThriftBalKorea/jaket-bekas-korea?extParam=ivf%3Dfalse"),
        url_match_key("http://tokopedia.com/thriftbalkorea/jaket-bekas-korea/"),
        url_match_key("https://m.tokopedia.com/thriftbalkorea/jaket-bekas-korea?src=topads"),
    }
    assert tokopedia == {"tokopedia.com/thriftbalkorea/jaket-bekas-korea"}


def test_different_listings_and_pages_keep_different_keys():
    assert url_match_key("https://shopee.co.id/product/1/2") != url_match_key(
        "https://shopee.co.id/product/1/3"
    )
    # Tokopedia's own pages keep their query: two searches are two pages.
    assert url_match_key("https://www.tokopedia.com/search?q=jaket") != url_match_key(
        "https://www.tokopedia.com/search?q=kaos"
    )
    assert url_match_key("https://example.com/a?id=1") != url_match_key("https://example.com/a?id=2")
    assert url_match_key("https://m.co/x") == "m.co/x"  # a host that is only a prefix stays


def test_a_backslash_never_moves_the_host():
    for url in ("https://www.tokopedia.com\\@evil.com/", "https://www.tokopedia.com\\\\@evil.com"):
        assert normalise_url(url).startswith("https://www.tokopedia.com/")
        key = url_match_key(url)
        assert key.startswith("tokopedia.com/") and "evil.com" not in key.split("/")[0]


def test_a_url_target_matches_a_listing_however_either_is_written():
    from datetime import UTC, datetime, timedelta

    from saring.domain.orders import TakedownTarget, TargetKind, TargetState

    issued = datetime(2026, 3, 1, tzinfo=UTC)
    target = TakedownTarget(
        id="o-000", order_id="o", platform="tokopedia", kind=TargetKind.URL,
        value=normalise_url("https://WWW.Tokopedia.com/thriftbalkorea/jaket-bekas-korea?utm_source=ig"),
        seller_id=None, state=TargetState.PENDING, note=None, resolved_at=None, late=False,
        reference="KEMENDAG/1", issued_at=issued, deadline=issued + timedelta(hours=24),
    )
    index = ActiveOrderIndex.of([target])
    listing_url = "http://m.tokopedia.com/thriftbalkorea/jaket-bekas-korea/?extParam=x"
    assert index.references("L-1", "s-1", listing_url) == ("KEMENDAG/1",)


@pytest.mark.needs_shared_data
@pytest.mark.skipif(not REAL_TITLES.is_file(), reason=f"{REAL_TITLES} is absent")
def test_real_tokopedia_listing_urls_get_one_key_each():
    urls = sorted(
        {
            json.loads(line)["url"]
            for line in REAL_TITLES.read_text(encoding="utf-8").splitlines()
            if '"url"' in line
        }
        - {None}
    )
    assert len(urls) > 1000
    keys = {}
    for url in urls:
        variants = {url_match_key(spelling) for spelling in spellings(url)}
        assert len(variants) == 1, (url, variants)
        keys[url] = variants.pop()
        assert keys[url].startswith("tokopedia.com/")
    # Distinct listings never share a key (their URLs differ beyond case and spelling).
    assert len(set(keys.values())) == len({url.lower().rstrip("/") for url in urls})
